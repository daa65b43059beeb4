//! Argument helpers shared by the families: numbers with Redis's exact errors, keyword
//! matching, blocking timeouts.
use super::CmdError;
use crate::util::num::{parse_f64, parse_i64};

pub fn int(a: &[u8]) -> Result<i64, CmdError> {
    parse_i64(a).ok_or(CmdError::NotInteger)
}

/// A non-negative integer (Redis: "value is out of range, must be positive").
pub fn positive(a: &[u8]) -> Result<i64, CmdError> {
    match parse_i64(a) {
        Some(v) if v >= 0 => Ok(v),
        Some(_) => Err(CmdError::err("value is out of range, must be positive")),
        None => Err(CmdError::NotInteger),
    }
}

pub fn float(a: &[u8]) -> Result<f64, CmdError> {
    parse_f64(a).ok_or(CmdError::NotFloat)
}

pub fn is(a: &[u8], word: &str) -> bool {
    a.eq_ignore_ascii_case(word.as_bytes())
}

/// Upper-cased argument as text (for error messages that echo a subcommand).
pub fn text(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

/// A blocking timeout in seconds (float allowed) → milliseconds; 0 means forever.
/// Redis 7.0.15 reads the seconds as a C long double (strtold rules) and keeps
/// `(long long)ceill(secs * 1000)`: a value that does not fit (inf, 1e400, 2^63 ms or
/// more) converts to LLONG_MIN and is refused as negative, like a real negative one.
/// Huge values that fit block for ever in practice.
pub fn timeout_ms(a: &[u8]) -> Result<u64, CmdError> {
    if crate::util::num::LongDouble::parse(a).is_none() {
        return Err(CmdError::TimeoutNotFloat);
    }
    let secs = match parse_f64(a) {
        Some(v) => v,
        // Valid for strtold but beyond a double: tiny (ceil gives 1 ms, or 0 when
        // negative) or huge (does not fit).
        None => {
            let text = std::str::from_utf8(a).unwrap_or("");
            let tiny = text.contains("e-") || text.contains("E-") || text.contains("p-") || text.contains("P-");
            match (tiny, text.starts_with('-')) {
                (true, false) => f64::MIN_POSITIVE,
                (true, true) => -0.0,
                (false, _) => f64::INFINITY,
            }
        }
    };
    let ms = (secs * 1000.0).ceil();
    // 2^63 as f64: the first value a C long long cannot hold.
    if !(0.0..9_223_372_036_854_775_808.0).contains(&ms) {
        return Err(CmdError::TimeoutNegative);
    }
    Ok(ms as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_convert_like_redis_7_0() {
        assert_eq!(timeout_ms(b"0"), Ok(0));
        assert_eq!(timeout_ms(b"1.5"), Ok(1500));
        assert_eq!(timeout_ms(b"0.001"), Ok(1));
        assert_eq!(timeout_ms(b"1e-10"), Ok(1));
        assert_eq!(timeout_ms(b"1e-400"), Ok(1));
        assert_eq!(timeout_ms(b"-0.0001"), Ok(0));
        assert_eq!(timeout_ms(b"0x10"), Ok(16000));
        assert_eq!(timeout_ms(b"9223372036854"), Ok(9_223_372_036_854_000));
        assert_eq!(timeout_ms(b"-1"), Err(CmdError::TimeoutNegative));
        assert_eq!(timeout_ms(b"inf"), Err(CmdError::TimeoutNegative));
        assert_eq!(timeout_ms(b"1e18"), Err(CmdError::TimeoutNegative));
        assert_eq!(timeout_ms(b"1e400"), Err(CmdError::TimeoutNegative));
        assert_eq!(timeout_ms(b"nan"), Err(CmdError::TimeoutNotFloat));
        assert_eq!(timeout_ms(b"abc"), Err(CmdError::TimeoutNotFloat));
        assert_eq!(timeout_ms(b"1e5000"), Err(CmdError::TimeoutNotFloat));
        assert_eq!(timeout_ms(b""), Err(CmdError::TimeoutNotFloat));
        assert_eq!(timeout_ms(b" 1"), Err(CmdError::TimeoutNotFloat));
    }
}
