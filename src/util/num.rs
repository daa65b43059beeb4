//! Number parsing and formatting with Redis's exact rules.
//!
//! Redis is strict: an integer argument must be the canonical decimal spelling of an i64
//! (no `+`, no spaces, no leading zeros), a float argument must be a whole `strtod` match
//! that is neither NaN nor an overflow. Replies print doubles with `%.17g`.

/// Redis's `string2ll`: canonical decimal i64 only.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = if s[0] == b'-' { (true, &s[1..]) } else { (false, s) };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// Redis's `string2ull` as used for unsigned arguments (e.g. SCAN cursors).
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    if !(b'1'..=b'9').contains(&s[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(v)
}

/// Redis's `getDoubleFromObject`: a whole-string `strtod` match, no leading space, not
/// NaN, no overflow (`1e400`) and no underflow to zero (`1e-400`).
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() || s[0].is_ascii_whitespace() || s.len() > 5 * 1024 {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    // strtod accepts forms Rust's parser does not (hex floats) and Rust accepts nothing
    // strtod refuses, except that both accept "nan" (refused below) and "infinity".
    let v: f64 = match text.parse::<f64>() {
        Ok(v) => v,
        Err(_) => parse_hex_float(text)?,
    };
    if v.is_nan() {
        return None;
    }
    let body = text.trim_start_matches(['+', '-']);
    let spelled_inf = body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity");
    if v.is_infinite() && !spelled_inf {
        return None; // ERANGE overflow
    }
    if v == 0.0 && has_nonzero_mantissa(body) {
        return None; // ERANGE underflow to zero
    }
    Some(v)
}

fn has_nonzero_mantissa(body: &str) -> bool {
    let mantissa = body.split(['e', 'E']).next().unwrap_or("");
    let mantissa = if mantissa.starts_with("0x") || mantissa.starts_with("0X") { &mantissa[2..] } else { mantissa };
    mantissa.bytes().any(|c| c.is_ascii_hexdigit() && c != b'0')
}

/// C99 hexadecimal float (`0x1.8p3`), which strtod accepts.
fn parse_hex_float(text: &str) -> Option<f64> {
    let (neg, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let rest = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X"))?;
    let (mant, exp) = match rest.find(['p', 'P']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

/// `printf("%.17g")`, the way Redis 7.0 prints doubles in replies.
pub fn fmt_g17(d: f64) -> String {
    // Integral values below 2^53 print as plain integers under %.17g: skip the general
    // path (scores are very often integers).
    if d != 0.0 && d.fract() == 0.0 && d.abs() < 9007199254740992.0 {
        return (d as i64).to_string();
    }
    fmt_g(d, 17)
}

/// `printf("%.<prec>g")` for a double.
pub fn fmt_g(d: f64, prec: usize) -> String {
    let prec = prec.max(1);
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Scientific rendering with prec significant digits gives the rounded digits and
    // the decimal exponent; %g then picks fixed or scientific from that exponent.
    let sci = format!("{:.*e}", prec - 1, d);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::with_capacity(prec + 8);
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= prec as i32 {
        out.push_str(&digits[..1]);
        let frac = digits[1..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp >= 0 {
        let point = exp as usize + 1;
        out.push_str(&digits[..point]);
        let frac = digits[point..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// A C `long double` held as opaque bytes; arithmetic happens in csrc/longdouble.c.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct LongDouble {
    b: [u8; 16],
}

extern "C" {
    fn slotd_ld_parse(s: *const u8, len: usize, out: *mut LongDouble) -> i32;
    fn slotd_ld_add(a: *const LongDouble, b: *const LongDouble, out: *mut LongDouble) -> i32;
    fn slotd_ld_format_human(a: *const LongDouble, buf: *mut u8, cap: usize) -> usize;
    fn slotd_ld_from_double(d: f64, out: *mut LongDouble);
}

impl LongDouble {
    /// Redis's `getLongDoubleFromObject` rules (see csrc/longdouble.c).
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        let mut out = LongDouble { b: [0; 16] };
        // SAFETY: s is valid for len bytes; out is a valid 16-byte blob.
        let rc = unsafe { slotd_ld_parse(s.as_ptr(), s.len(), &mut out) };
        (rc == 0).then_some(out)
    }

    pub fn from_f64(d: f64) -> LongDouble {
        let mut out = LongDouble { b: [0; 16] };
        // SAFETY: out is a valid 16-byte blob.
        unsafe { slotd_ld_from_double(d, &mut out) };
        out
    }

    /// The sum, or None when it is NaN or infinite.
    pub fn add(&self, other: &LongDouble) -> Option<LongDouble> {
        let mut out = LongDouble { b: [0; 16] };
        // SAFETY: all three are valid 16-byte blobs.
        let rc = unsafe { slotd_ld_add(self, other, &mut out) };
        (rc == 0).then_some(out)
    }

    /// "%.17Lf" with trailing zeros removed, as INCRBYFLOAT replies and stores.
    pub fn to_human(&self) -> Vec<u8> {
        let mut buf = vec![0u8; 5 * 1024 + 64];
        // SAFETY: buf is valid for its length.
        let n = unsafe { slotd_ld_format_human(self, buf.as_mut_ptr(), buf.len()) };
        buf.truncate(n);
        buf
    }
}

/// Formats an i64 into a stack buffer without allocating.
pub fn fmt_i64(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_strict() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        for bad in [&b""[..], b"-0", b"01", b"+1", b" 1", b"1 ", b"1a", b"-", b"0x10"] {
            assert_eq!(parse_i64(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn floats_follow_strtod_with_redis_checks() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"+1.5"), Some(1.5));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"0"), Some(0.0));
        for bad in [&b""[..], b"nan", b" 1", b"1 ", b"abc", b"1e400", b"1e-400", b"1.5x"] {
            assert_eq!(parse_f64(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn g17_matches_printf() {
        assert_eq!(fmt_g17(1.1), "1.1000000000000001");
        assert_eq!(fmt_g17(1.0), "1");
        assert_eq!(fmt_g17(-2.5), "-2.5");
        assert_eq!(fmt_g17(1e20), "1e+20");
        assert_eq!(fmt_g17(1e16), "10000000000000000");
        assert_eq!(fmt_g17(1e17), "1e+17");
        assert_eq!(fmt_g17(0.0001), "0.0001");
        assert_eq!(fmt_g17(0.00001), "1.0000000000000001e-05");
        assert_eq!(fmt_g17(f64::INFINITY), "inf");
        assert_eq!(fmt_g17(3.0e-310), "2.9999999999999908e-310");
        assert_eq!(fmt_g(0.1, 6), "0.1");
        assert_eq!(fmt_g(123456789.0, 6), "1.23457e+08");
    }

    #[test]
    fn long_double_increments_print_like_redis() {
        let a = LongDouble::parse(b"10.5").unwrap();
        let b = LongDouble::parse(b"0.1").unwrap();
        assert_eq!(a.add(&b).unwrap().to_human(), b"10.6");
        let c = LongDouble::parse(b"-0.1").unwrap();
        assert_eq!(c.add(&b).unwrap().to_human(), b"0");
        assert_eq!(LongDouble::parse(b"5").unwrap().add(&LongDouble::parse(b"5e3").unwrap()).unwrap().to_human(), b"5005");
        assert!(LongDouble::parse(b"nan").is_none());
        assert!(LongDouble::parse(b" 1").is_none());
    }

    #[test]
    fn i64_formatting() {
        let mut b = [0u8; 20];
        assert_eq!(fmt_i64(i64::MIN, &mut b), b"-9223372036854775808");
        assert_eq!(fmt_i64(0, &mut b), b"0");
        assert_eq!(fmt_i64(42, &mut b), b"42");
    }
}
