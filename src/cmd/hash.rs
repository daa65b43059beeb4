//! Hash commands: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS,
//! HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN.
//!
//! Also home of the HSCAN/SSCAN argument rules (`parse_scan_cursor`, `ScanOpts`), which
//! the set family shares. Replies, errors and keyspace events are Redis 7.0.15's; the
//! value type (`keyspace::types::hash`) owns encodings and conversions.
use super::args::{self, is};
use super::{def, CmdError, CmdResult, Ctx, Def};
use crate::keyspace::types::hash::Hash;
use crate::resp::Reply;
use crate::server::notify;
use crate::util::glob::glob_match;
use crate::util::num::{fmt_i64, parse_i64, LongDouble};
use bytes::Bytes;

pub fn defs() -> Vec<Def> {
    vec![
        def("hset", hset),
        def("hmset", hset),
        def("hsetnx", hsetnx),
        def("hget", hget),
        def("hmget", hmget),
        def("hdel", hdel),
        def("hlen", hlen),
        def("hstrlen", hstrlen),
        def("hexists", hexists),
        def("hkeys", hkeys),
        def("hvals", hvals),
        def("hgetall", hgetall),
        def("hincrby", hincrby),
        def("hincrbyfloat", hincrbyfloat),
        def("hrandfield", hrandfield),
        def("hscan", hscan),
    ]
}

/// Most elements a random reply with repetitions (negative count) may have. slotd builds
/// a reply in memory before writing it, so an absurd count must be refused rather than
/// exhaust memory (Redis streams such replies instead). 16M elements is far beyond any
/// sampling use.
pub(crate) const MAX_RANDOM_REPLY: u64 = 1 << 24;

fn hset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // HSET key field value [field value ...]: the gate checked argc >= 4.
    if !argv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity(ctx.cmd.name.to_string()));
    }
    let key = &argv[1];
    let s = ctx.settings;
    let h = ctx.hash_or_create(key)?;
    let mut created = 0;
    for pair in argv[2..].chunks_exact(2) {
        if h.insert(&pair[0], &pair[1], s) {
            created += 1;
        }
    }
    ctx.modified(key);
    ctx.notify(notify::HASH, "hset", key);
    ctx.dirty += (argv.len() as u64 - 2) / 2;
    if ctx.cmd.name == "hmset" {
        Ok(Reply::OK)
    } else {
        Ok(Reply::Int(created))
    }
}

fn hsetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, field) = (&argv[1], &argv[2]);
    let s = ctx.settings;
    let h = ctx.hash_or_create(key)?;
    if h.contains(field) {
        return Ok(Reply::Int(0));
    }
    h.insert(field, &argv[3], s);
    ctx.changed(key, notify::HASH, "hset");
    Ok(Reply::Int(1))
}

fn hget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::opt_bulk(h.and_then(|h| h.get(&argv[2]))))
}

fn hmget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::Array(argv[2..].iter().map(|f| Reply::opt_bulk(h.and_then(|h| h.get(f)))).collect()))
}

fn hdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let Some(h) = ctx.write_hash(key)? else { return Ok(Reply::Int(0)) };
    let mut deleted = 0;
    for f in &argv[2..] {
        if h.remove(f) {
            deleted += 1;
            if h.is_empty() {
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.modified(key);
        ctx.notify(notify::HASH, "hdel", key);
        ctx.dirty += deleted as u64;
        ctx.delete_if_empty(key);
    }
    Ok(Reply::Int(deleted))
}

fn hlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.read_hash(&argv[1])?.map_or(0, Hash::len) as i64))
}

fn hstrlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::Int(h.and_then(|h| h.get(&argv[2])).map_or(0, <[u8]>::len) as i64))
}

fn hexists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::Int(h.is_some_and(|h| h.contains(&argv[2])) as i64))
}

fn hkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::Array(h.map_or_else(Vec::new, |h| h.iter().map(|(f, _)| Reply::bulk(f)).collect())))
}

fn hvals(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::Array(h.map_or_else(Vec::new, |h| h.iter().map(|(_, v)| Reply::bulk(v)).collect())))
}

fn hgetall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let h = ctx.read_hash(&argv[1])?;
    Ok(Reply::Map(h.map_or_else(Vec::new, |h| h.iter().map(|(f, v)| (Reply::bulk(f), Reply::bulk(v))).collect())))
}

fn hincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, field) = (&argv[1], &argv[2]);
    let incr = args::int(&argv[3])?;
    let s = ctx.settings;
    let h = ctx.hash_or_create(key)?;
    // A new key has no such field, so the errors below never leave an empty hash behind.
    let old = match h.get(field) {
        Some(v) => parse_i64(v).ok_or_else(|| CmdError::err("hash value is not an integer"))?,
        None => 0,
    };
    let new = old.checked_add(incr).ok_or(CmdError::Overflow)?;
    let mut buf = [0u8; 20];
    h.insert(field, fmt_i64(new, &mut buf), s);
    ctx.changed(key, notify::HASH, "hincrby");
    Ok(Reply::Int(new))
}

/// Whether a number that `LongDouble::parse` accepted is an infinity: strtold returns
/// one without ERANGE only for the spellings "inf" and "infinity" (overflows are
/// refused by the parser).
fn spells_infinity(a: &[u8]) -> bool {
    let body = a.strip_prefix(b"-").or_else(|| a.strip_prefix(b"+")).unwrap_or(a);
    body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity")
}

fn hincrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, field) = (&argv[1], &argv[2]);
    let incr = LongDouble::parse(&argv[3]).ok_or(CmdError::NotFloat)?;
    if spells_infinity(&argv[3]) {
        return Err(CmdError::err("value is NaN or Infinity"));
    }
    let s = ctx.settings;
    let h = ctx.hash_or_create(key)?;
    let old = match h.get(field) {
        Some(v) => LongDouble::parse(v).ok_or_else(|| CmdError::err("hash value is not a float"))?,
        None => LongDouble::from_f64(0.0),
    };
    let sum = old.add(&incr).ok_or_else(|| CmdError::err("increment would produce NaN or Infinity"))?;
    let text = sum.to_human();
    h.insert(field, &text, s);
    ctx.changed(key, notify::HASH, "hincrbyfloat");
    // Replicas and the AOF get the resulting value, so float formatting can never make
    // them diverge (as Redis does).
    let value = Bytes::from(text.clone());
    ctx.propagate_as(vec![vec![Bytes::from_static(b"HSET"), key.clone(), field.clone(), value]]);
    Ok(Reply::Bulk(text))
}

/// A count in -i64::MAX..=i64::MAX (Redis's getRangeLongFromObjectOrReply for
/// SRANDMEMBER/HRANDFIELD, whose negation must not overflow).
pub(crate) fn random_count(a: &[u8]) -> Result<i64, CmdError> {
    match parse_i64(a) {
        Some(i64::MIN) => Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807")),
        Some(v) => Ok(v),
        None => Err(CmdError::NotInteger),
    }
}

fn hrandfield(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    if argv.len() >= 3 {
        let count = random_count(&argv[2])?;
        if argv.len() > 4 || (argv.len() == 4 && !is(&argv[3], "withvalues")) {
            return Err(CmdError::Syntax);
        }
        let withvalues = argv.len() == 4;
        // With values the reply has 2 * count elements in RESP2.
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(CmdError::err("value is out of range"));
        }
        return hrandfield_count(ctx, key, count, withvalues);
    }
    let Some(h) = ctx.read_hash(key)? else { return Ok(Reply::Nil) };
    let mut rng = rand::thread_rng();
    Ok(Reply::opt_bulk(h.random_pair(&mut rng).map(|(f, _)| f)))
}

fn hrandfield_count(ctx: &mut Ctx, key: &[u8], count: i64, withvalues: bool) -> CmdResult {
    let resp3 = ctx.sess.resp >= 3;
    let Some(h) = ctx.read_hash(key)? else { return Ok(Reply::Array(Vec::new())) };
    let (n, distinct) = (count.unsigned_abs(), count >= 0);
    if n == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let mut out = Vec::new();
    // RESP3 pairs each field with its value; RESP2 flattens them.
    let mut push = |f: &[u8], v: &[u8]| {
        if !withvalues {
            out.push(Reply::bulk(f));
        } else if resp3 {
            out.push(Reply::Array(vec![Reply::bulk(f), Reply::bulk(v)]));
        } else {
            out.push(Reply::bulk(f));
            out.push(Reply::bulk(v));
        }
    };
    let mut rng = rand::thread_rng();
    if !distinct || n == 1 {
        // Repetitions allowed (or a single pick): sample the whole hash every time.
        if n > MAX_RANDOM_REPLY {
            return Err(CmdError::err("value is out of range"));
        }
        for _ in 0..n {
            if let Some((f, v)) = h.random_pair(&mut rng) {
                push(f, v);
            }
        }
    } else if n >= h.len() as u64 {
        for (f, v) in h.iter() {
            push(f, v);
        }
    } else {
        for (f, v) in h.random_distinct(&mut rng, n as usize) {
            push(f, v);
        }
    }
    Ok(Reply::Array(out))
}

/// Redis 7.0's SCAN cursor rule: C `strtoul` over the whole argument, refusing a
/// leading space, trailing bytes and overflow. So "" is 0, "+5" is 5 and "-1" wraps to
/// 2^64-1, as in Redis.
pub(crate) fn parse_scan_cursor(a: &[u8]) -> Result<u64, CmdError> {
    let invalid = || CmdError::err("invalid cursor");
    if a.is_empty() {
        return Ok(0);
    }
    if matches!(a[0], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        return Err(invalid());
    }
    let (neg, digits) = match a[0] {
        b'-' => (true, &a[1..]),
        b'+' => (false, &a[1..]),
        _ => (false, a),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as u64)).ok_or_else(invalid)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// HSCAN/SSCAN options, parsed after the key was found (Redis answers a missing key
/// with an empty scan whatever the options say).
pub(crate) struct ScanOpts<'a> {
    pub count: u64,
    /// None when absent or exactly "*" (which matches everything).
    pub pattern: Option<&'a [u8]>,
}

impl<'a> ScanOpts<'a> {
    /// Redis's default COUNT.
    const DEFAULT_COUNT: u64 = 10;

    pub fn parse(opts: &'a [Bytes]) -> Result<ScanOpts<'a>, CmdError> {
        let mut o = ScanOpts { count: Self::DEFAULT_COUNT, pattern: None };
        let mut i = 0;
        while i < opts.len() {
            let more = opts.len() - i >= 2;
            if is(&opts[i], "count") && more {
                let c = args::int(&opts[i + 1])?;
                if c < 1 {
                    return Err(CmdError::Syntax);
                }
                o.count = c as u64;
            } else if is(&opts[i], "match") && more {
                let p = &opts[i + 1][..];
                o.pattern = if p == b"*" { None } else { Some(p) };
            } else {
                return Err(CmdError::Syntax);
            }
            i += 2;
        }
        Ok(o)
    }

    pub fn matches(&self, item: &[u8]) -> bool {
        self.pattern.is_none_or(|p| glob_match(p, item, false))
    }

    /// How many scan steps a call may take before answering with what it has (Redis's
    /// `count * 10`: bounds the work on a sparse table).
    pub fn max_steps(&self) -> u64 {
        self.count.saturating_mul(10)
    }
}

/// `[cursor, [items...]]`
pub(crate) fn scan_reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::Bulk(cursor.to_string().into_bytes()), Reply::Array(items)])
}

fn hscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut cursor = parse_scan_cursor(&argv[2])?;
    let Some(h) = ctx.read_hash(&argv[1])? else { return Ok(scan_reply(0, Vec::new())) };
    let opts = ScanOpts::parse(&argv[3..])?;
    let mut items = Vec::new();
    // Redis counts fields and values alike against COUNT.
    let mut visited = 0u64;
    let mut steps_left = opts.max_steps();
    loop {
        cursor = h.scan(cursor, |f, v| {
            visited += 2;
            if opts.matches(f) {
                items.push(Reply::bulk(f));
                items.push(Reply::bulk(v));
            }
        });
        if cursor == 0 || steps_left == 0 || visited >= opts.count {
            break;
        }
        steps_left -= 1;
    }
    Ok(scan_reply(cursor, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_cursors_follow_strtoul() {
        assert_eq!(parse_scan_cursor(b"0"), Ok(0));
        assert_eq!(parse_scan_cursor(b""), Ok(0));
        assert_eq!(parse_scan_cursor(b"+5"), Ok(5));
        assert_eq!(parse_scan_cursor(b"007"), Ok(7));
        assert_eq!(parse_scan_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_scan_cursor(b"18446744073709551615"), Ok(u64::MAX));
        for bad in [&b" 1"[..], b"1 ", b"18446744073709551616", b"-", b"+", b"0x1", b"1.5", b"abc"] {
            assert!(parse_scan_cursor(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn random_counts_refuse_only_the_unnegatable_minimum() {
        assert_eq!(random_count(b"-9223372036854775807"), Ok(-i64::MAX));
        assert!(random_count(b"-9223372036854775808").is_err());
        assert_eq!(random_count(b"x"), Err(CmdError::NotInteger));
    }

    #[test]
    fn infinity_is_recognised_by_its_spellings() {
        for a in [&b"inf"[..], b"-INF", b"+Infinity"] {
            assert!(spells_infinity(a));
        }
        assert!(!spells_infinity(b"1e308"));
    }
}

/// What hash commands propagate (to replicas and the AOF).
#[cfg(test)]
mod propagation_tests {
    use crate::cmd::test_support::propagated;

    #[test]
    fn hincrbyfloat_propagates_as_hset_of_the_result() {
        let got = propagated(&["HINCRBYFLOAT h f 1.5", "HINCRBYFLOAT h f 1e2", "HSET h g 1", "HINCRBYFLOAT h g 0.1"]);
        assert_eq!(got, ["select 0", "hset h f 1.5", "hset h f 101.5", "hset h g 1", "hset h g 1.1"]);
    }
}
