//! SORT and SORT_RO: sorting the elements of a list, set or sorted set numerically or
//! lexicographically, by the elements themselves or by values found through a `BY`
//! pattern, with LIMIT, GET patterns and (SORT only) STORE into a list.
//!
//! BACKGROUND (Redis 7.0 behaviour reproduced here):
//! - `BY` without a `*` means "don't sort": lists and sorted sets keep their own order
//!   (DESC walks them from the tail), sets their iteration order — except when the
//!   result is stored, where a set is sorted ALPHA so that replicas store the same list.
//! - A pattern's first `*` is replaced by the element; `key->field` reads a hash field;
//!   `#` is the element itself. A missing key (or wrong type) gives nil for GET (an
//!   empty string when storing) and score 0 / "sorts first" for BY.
//! - Numeric scores are parsed like C `strtod` on the whole value (leading blanks, hex
//!   and `inf` allowed; trailing bytes, NaN and out-of-range values are errors); equal
//!   scores are ordered by the elements' bytes.
//!
//! Elements are copied into one arena before any pattern lookup, because lookups need
//! the keyspace mutably (lazy expiry, statistics) while the source is borrowed from it.
use crate::cmd::args::{self, is};
use crate::cmd::{CmdError, CmdResult, Ctx};
use crate::keyspace::types::list::List;
use crate::keyspace::Value;
use crate::resp::Reply;
use crate::server::notify;
use bytes::Bytes;

pub(super) fn sort(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, false)
}

pub(super) fn sort_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, true)
}

/// What the options ask for.
struct Options<'a> {
    desc: bool,
    alpha: bool,
    /// (offset, count); a negative count means "to the end".
    limit: (i64, i64),
    by: Option<&'a [u8]>,
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
    store: Option<&'a [u8]>,
}

/// Patterns are C strings in Redis: searches for `*` and `->` stop at the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

fn parse_options<'a>(ctx: &Ctx, argv: &'a [Bytes], readonly: bool) -> Result<Options<'a>, CmdError> {
    let mut o = Options { desc: false, alpha: false, limit: (0, -1), by: None, dont_sort: false, gets: Vec::new(), store: None };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if is(a, "asc") {
            o.desc = false;
        } else if is(a, "desc") {
            o.desc = true;
        } else if is(a, "alpha") {
            o.alpha = true;
        } else if is(a, "limit") && left >= 2 {
            o.limit = (args::int(&argv[j + 1])?, args::int(&argv[j + 2])?);
            j += 2;
        } else if is(a, "store") && left >= 1 && !readonly {
            o.store = Some(&argv[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            let pat = &argv[j + 1][..];
            o.by = Some(pat);
            if !c_str(pat).contains(&b'*') {
                o.dont_sort = true;
            } else if ctx.settings.cluster_enabled {
                return Err(CmdError::err("BY option of SORT denied in Cluster mode."));
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            if ctx.settings.cluster_enabled {
                return Err(CmdError::err("GET option of SORT denied in Cluster mode."));
            }
            o.gets.push(&argv[j + 1]);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// One element to sort: its bytes in the arena, and what it sorts by.
struct Entry {
    off: usize,
    len: usize,
    score: f64,
    /// ALPHA with BY: the pattern's value in the comparison arena (None: missing).
    by_value: Option<(usize, usize)>,
}

/// The elements of the sorted value, copied out of the keyspace.
#[derive(Default)]
struct Arena {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl Arena {
    fn push(&mut self, e: &[u8]) {
        self.entries.push(Entry { off: self.bytes.len(), len: e.len(), score: 0.0, by_value: None });
        self.bytes.extend_from_slice(e);
    }

    fn get(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.off..e.off + e.len]
    }
}

fn sort_generic(ctx: &mut Ctx, argv: &[Bytes], readonly: bool) -> CmdResult {
    let mut o = parse_options(ctx, argv, readonly)?;

    // 1. The value to sort (a missing key sorts as an empty list), copied out of the
    //    keyspace. Ordered types that are not sorted copy only the output window.
    let key = &argv[1][..];
    let mut arena = Arena::default();
    let (mut start, mut end);
    {
        let val = ctx.lookup_read(key).map(|obj| &obj.val);
        let (kind, len) = match val {
            None => (Kind::List, 0),
            Some(Value::List(l)) => (Kind::List, l.len()),
            Some(Value::Set(s)) => (Kind::Set, s.len()),
            Some(Value::ZSet(z)) => (Kind::ZSet, z.len()),
            Some(_) => return Err(CmdError::WrongType),
        };
        if o.dont_sort && kind == Kind::Set && o.store.is_some() {
            // A set's iteration order differs between servers: store a sorted result.
            o.dont_sort = false;
            o.alpha = true;
            o.by = None;
        }
        // 2. The output window, clamped as Redis does.
        let len = len as i64;
        start = o.limit.0.max(0);
        end = if o.limit.1 < 0 { len - 1 } else { start.saturating_add(o.limit.1).saturating_sub(1) };
        if start >= len {
            start = len - 1;
            end = len - 2;
        }
        end = end.min(len - 1);
        // 3. Copy.
        let window = o.dont_sort && kind != Kind::Set;
        let (skip, take) = if window { (start.max(0) as usize, (end - start + 1).max(0) as usize) } else { (0, len as usize) };
        match val {
            Some(Value::List(l)) => load(&mut arena, l.iter(), window && o.desc, skip, take),
            Some(Value::ZSet(z)) => load(&mut arena, z.iter().map(|(m, _)| m), window && o.desc, skip, take),
            Some(Value::Set(s)) => s.for_each(|m| arena.push(m)),
            _ => {}
        }
        if window && end >= start {
            end -= start;
            start = 0;
        }
    }

    // 4. Scores (or comparison values), then sort.
    if !o.dont_sort {
        let mut bad_score = false;
        let mut by_values: Vec<u8> = Vec::new();
        let mut keybuf = Vec::new();
        let Arena { bytes, entries } = &mut arena;
        for e in entries.iter_mut() {
            let elem = &bytes[e.off..e.off + e.len];
            match o.by {
                Some(pat) => pattern_value(ctx, pat, elem, &mut keybuf, |v| {
                    let Some(v) = v else { return };
                    if o.alpha {
                        e.by_value = Some((by_values.len(), v.len()));
                        by_values.extend_from_slice(v);
                    } else {
                        match strtod_whole(v) {
                            Some(x) => e.score = x,
                            None => bad_score = true,
                        }
                    }
                }),
                None if !o.alpha => match strtod_whole(elem) {
                    Some(x) => e.score = x,
                    None => bad_score = true,
                },
                None => {}
            }
        }
        if bad_score {
            return Err(CmdError::err("One or more scores can't be converted into double"));
        }
        let (alpha, by_pattern, desc) = (o.alpha, o.by.is_some(), o.desc);
        let cmp_value = |e: &Entry| e.by_value.map(|(off, n)| &by_values[off..off + n]);
        entries.sort_by(|a, b| {
            let (ea, eb) = (&bytes[a.off..a.off + a.len], &bytes[b.off..b.off + b.len]);
            let c = if !alpha {
                // Scores are never NaN here; ties fall back to the elements' bytes.
                a.score.partial_cmp(&b.score).filter(|c| c.is_ne()).unwrap_or_else(|| ea.cmp(eb))
            } else if by_pattern {
                // A missing BY value sorts first; equal values keep their order.
                cmp_value(a).cmp(&cmp_value(b))
            } else {
                ea.cmp(eb)
            };
            if desc {
                c.reverse()
            } else {
                c
            }
        });
    }

    // 5. Reply, or store.
    let picked = if end >= start { &arena.entries[start as usize..=end as usize] } else { &[][..] };
    let per_elem = o.gets.len().max(1);
    let output_len = picked.len() * per_elem;
    let mut keybuf = Vec::new();
    match o.store {
        None => {
            let mut out = Vec::with_capacity(output_len);
            for e in picked {
                let elem = arena.get(e);
                if o.gets.is_empty() {
                    out.push(Reply::bulk(elem));
                }
                for pat in &o.gets {
                    out.push(pattern_value(ctx, pat, elem, &mut keybuf, Reply::opt_bulk));
                }
            }
            Ok(Reply::Array(out))
        }
        Some(dst) => {
            let mut list = List::new();
            for e in picked {
                let elem = arena.get(e);
                if o.gets.is_empty() {
                    list.push_back(elem);
                }
                for pat in &o.gets {
                    pattern_value(ctx, pat, elem, &mut keybuf, |v| list.push_back(v.unwrap_or_default()));
                }
            }
            if output_len > 0 {
                ctx.set_key(dst, Value::List(Box::new(list)), false);
                ctx.modified(dst);
                ctx.notify(notify::LIST, "sortstore", dst);
                ctx.dirty += output_len as u64;
            } else if ctx.delete(dst) {
                ctx.changed(dst, notify::GENERIC, "del");
            }
            Ok(Reply::Int(output_len as i64))
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Set,
    ZSet,
}

/// Copies `take` elements after skipping `skip`, from the tail when `reverse`.
fn load<'a>(arena: &mut Arena, it: impl DoubleEndedIterator<Item = &'a [u8]>, reverse: bool, skip: usize, take: usize) {
    arena.entries.reserve(take);
    if reverse {
        it.rev().skip(skip).take(take).for_each(|e| arena.push(e));
    } else {
        it.skip(skip).take(take).for_each(|e| arena.push(e));
    }
}

/// Calls `f` with the value a GET/BY pattern names for `elem`: `#` is the element; else
/// the first `*` is replaced by the element to form a key, whose string value is used,
/// or, for `key->field`, the field of that hash. None when there is no such value (or
/// no `*` in the pattern: a fixed key makes no sense per element).
fn pattern_value<R>(ctx: &mut Ctx, pat: &[u8], elem: &[u8], keybuf: &mut Vec<u8>, f: impl FnOnce(Option<&[u8]>) -> R) -> R {
    if c_str(pat) == b"#" {
        return f(Some(elem));
    }
    let head = c_str(pat);
    let Some(star) = head.iter().position(|&c| c == b'*') else { return f(None) };
    let after = &head[star + 1..];
    // `->` followed by a non-empty field name makes it a hash lookup.
    let arrow = after.windows(2).position(|w| w == b"->").filter(|&i| i + 2 < after.len());
    let (suffix, field) = match arrow {
        Some(i) => (&after[..i], Some(&pat[star + 1 + i + 2..])),
        None => (&pat[star + 1..], None),
    };
    keybuf.clear();
    keybuf.extend_from_slice(&pat[..star]);
    keybuf.extend_from_slice(elem);
    keybuf.extend_from_slice(suffix);
    let v = match (ctx.lookup_read(keybuf).map(|obj| &obj.val), field) {
        (Some(Value::Str(s)), None) => Some(s.as_slice()),
        (Some(Value::Hash(h)), Some(name)) => h.get(name),
        _ => None,
    };
    f(v)
}

/// C `strtod` applied to a whole value as SORT does: the string (up to a NUL) must be
/// consumed entirely after optional leading blanks; the empty string is 0; NaN,
/// overflow and underflow (ERANGE, including subnormal results) are errors.
fn strtod_whole(s: &[u8]) -> Option<f64> {
    let s = c_str(s);
    if s.is_empty() {
        return Some(0.0);
    }
    let body = match s.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')) {
        Some(i) => &s[i..],
        None => return None,
    };
    let (neg, body) = match body.first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let magnitude = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        f64::INFINITY
    } else if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
        let (v, nonzero) = parse_hex(&body[2..])?;
        check_range(v, nonzero)?
    } else {
        let nonzero = decimal_shape(body)?;
        let v: f64 = std::str::from_utf8(body).ok()?.parse().ok()?;
        check_range(v, nonzero)?
    };
    Some(if neg { -magnitude } else { magnitude })
}

/// ERANGE: a finite literal that overflows, or a non-zero one that underflows to zero
/// or to a subnormal.
fn check_range(v: f64, nonzero: bool) -> Option<f64> {
    if v.is_infinite() || (nonzero && v < f64::MIN_POSITIVE) {
        return None;
    }
    Some(v)
}

/// Checks `digits [. digits] [e [sign] digits]` with at least one mantissa digit;
/// returns whether a mantissa digit is non-zero.
fn decimal_shape(b: &[u8]) -> Option<bool> {
    let mut i = 0;
    let mut digits = 0;
    let mut nonzero = false;
    let mut frac = false;
    while i < b.len() {
        match b[i] {
            c @ b'0'..=b'9' => {
                digits += 1;
                nonzero |= c != b'0';
            }
            b'.' if !frac => frac = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() {
        if b[i] | 0x20 != b'e' {
            return None;
        }
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        if i == b.len() || !b[i..].iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(nonzero)
}

/// A C99 hex float body after `0x`: `hexdigits [. hexdigits] [p [sign] digits]`.
/// Returns the value and whether the mantissa is non-zero.
fn parse_hex(b: &[u8]) -> Option<(f64, bool)> {
    let mut i = 0;
    let mut mantissa = 0f64;
    let mut digits = 0;
    let mut frac_digits: i64 = 0;
    let mut frac = false;
    let mut nonzero = false;
    while i < b.len() {
        match b[i] {
            b'.' if !frac => frac = true,
            c if c.is_ascii_hexdigit() => {
                let d = (c as char).to_digit(16).unwrap_or(0);
                nonzero |= d != 0;
                mantissa = mantissa * 16.0 + d as f64;
                digits += 1;
                if frac {
                    frac_digits += 1;
                }
            }
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    let mut exp: i64 = 0;
    if i < b.len() {
        if b[i] | 0x20 != b'p' {
            return None;
        }
        i += 1;
        let neg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        if i == b.len() || !b[i..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        for &c in &b[i..] {
            // Saturate: anything this large overflows or underflows anyway.
            exp = (exp * 10 + (c - b'0') as i64).min(100_000);
        }
        if neg {
            exp = -exp;
        }
    }
    let e = (exp - 4 * frac_digits).clamp(-100_000, 100_000) as i32;
    Some((mantissa * 2f64.powi(e), nonzero))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_accepts_what_c_accepts_on_the_whole_string() {
        for (s, v) in [
            ("", 0.0),
            (" 5", 5.0),
            ("\t7", 7.0),
            ("+3", 3.0),
            (".5", 0.5),
            ("1.", 1.0),
            ("1.e5", 1e5),
            ("1e3", 1000.0),
            ("0x10", 16.0),
            ("-0x10", -16.0),
            ("0x.8", 0.5),
            ("0X1.8", 1.5),
            ("0x1p3", 8.0),
            ("0x1P-2", 0.25),
            ("inf", f64::INFINITY),
            ("-INFINITY", f64::NEG_INFINITY),
            ("1\0abc", 1.0),
            ("1e308", 1e308),
            ("2.2250738585072014e-308", 2.2250738585072014e-308),
            ("0e-999", 0.0),
        ] {
            assert_eq!(strtod_whole(s.as_bytes()), Some(v), "{s:?}");
        }
    }

    #[test]
    fn strtod_rejects_trailing_bytes_nan_and_out_of_range() {
        for s in ["5 ", "   ", "abc", "-", "+", ".", "e5", "1e", "1e+", "-.e1", "0x", "0x1p", "infinit", "nan", "NaN(1)", "1e309", "1e-310", "4.9e-324", "1..2"] {
            assert_eq!(strtod_whole(s.as_bytes()), None, "{s:?}");
        }
    }
}
