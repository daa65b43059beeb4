//! Set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER, SPOP,
//! SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE, SSCAN.
//!
//! Replies, errors and keyspace events are Redis 7.0.15's. The value type
//! (`keyspace::types::set`) owns encodings; results of the algebra commands are built
//! as fresh sets, so they start as intsets like Redis's do (and integer results come
//! out in ascending order).
//!
//! BACKGROUND: a handler reaches values through `Ctx`, one key at a time, so the
//! multi-key commands first look every key up the way Redis does (counting keyspace
//! hits and misses, failing on WRONGTYPE before doing anything), then combine the sets
//! one at a time against an owned candidate list.
use super::hash::{parse_scan_cursor, random_count, scan_reply, ScanOpts, MAX_RANDOM_REPLY};
use super::{def, CmdError, CmdResult, Ctx, Def};
use crate::keyspace::types::set::{Member, Set};
use crate::keyspace::{SmallBytes, Touch, Value};
use crate::resp::Reply;
use crate::server::notify;
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn defs() -> Vec<Def> {
    vec![
        def("sadd", sadd),
        def("srem", srem),
        def("scard", scard),
        def("sismember", sismember),
        def("smismember", smismember),
        def("smembers", smembers),
        def("srandmember", srandmember),
        def("spop", spop),
        def("smove", smove),
        def("sinter", sinter),
        def("sintercard", sintercard),
        def("sinterstore", sinterstore),
        def("sunion", sunion),
        def("sunionstore", sunionstore),
        def("sdiff", sdiff),
        def("sdiffstore", sdiffstore),
        def("sscan", sscan),
    ]
}

fn member_reply(m: Member<'_>) -> Reply {
    match m {
        Member::Int(i) => Reply::bulk_i64(i),
        Member::Bytes(b) => Reply::bulk(b),
    }
}

fn sadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let s = ctx.settings;
    let set = ctx.set_or_create(key)?;
    let added = argv[2..].iter().filter(|m| set.insert(m, s)).count() as i64;
    if added > 0 {
        ctx.modified(key);
        ctx.notify(notify::SET, "sadd", key);
        ctx.dirty += added as u64;
    }
    Ok(Reply::Int(added))
}

fn srem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let Some(set) = ctx.write_set(key)? else { return Ok(Reply::Int(0)) };
    let mut deleted = 0;
    for m in &argv[2..] {
        if set.remove(m) {
            deleted += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.modified(key);
        ctx.notify(notify::SET, "srem", key);
        ctx.dirty += deleted as u64;
        ctx.delete_if_empty(key);
    }
    Ok(Reply::Int(deleted))
}

fn scard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.read_set(&argv[1])?.map_or(0, Set::len) as i64))
}

fn sismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let set = ctx.read_set(&argv[1])?;
    Ok(Reply::Int(set.is_some_and(|s| s.contains(&argv[2])) as i64))
}

fn smismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let set = ctx.read_set(&argv[1])?;
    Ok(Reply::Array(argv[2..].iter().map(|m| Reply::Int(set.is_some_and(|s| s.contains(m)) as i64)).collect()))
}

fn smembers(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let set = ctx.read_set(&argv[1])?;
    Ok(Reply::Set(set.map_or_else(Vec::new, |s| s.iter().map(member_reply).collect())))
}

fn srandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let mut rng = rand::thread_rng();
    if argv.len() == 2 {
        let set = ctx.read_set(&argv[1])?;
        return Ok(set.and_then(|s| s.random(&mut rng)).map_or(Reply::Nil, member_reply));
    }
    let count = random_count(&argv[2])?;
    let Some(set) = ctx.read_set(&argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    let (n, distinct) = (count.unsigned_abs(), count >= 0);
    if n == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let out: Vec<Reply> = if !distinct || n == 1 {
        // Repetitions allowed (or a single pick): sample the whole set every time.
        if n > MAX_RANDOM_REPLY {
            return Err(CmdError::err("value is out of range"));
        }
        (0..n).filter_map(|_| set.random(&mut rng)).map(member_reply).collect()
    } else if n >= set.len() as u64 {
        set.iter().map(member_reply).collect()
    } else {
        set.random_distinct(&mut rng, n as usize).into_iter().map(member_reply).collect()
    };
    Ok(Reply::Array(out))
}

fn srem_argv(key: &Bytes, member: &[u8]) -> Vec<Bytes> {
    vec![Bytes::from_static(b"SREM"), key.clone(), Bytes::copy_from_slice(member)]
}

fn spop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match argv.len() {
        3 => return spop_count(ctx, argv),
        n if n > 3 => return Err(CmdError::Syntax),
        _ => {}
    }
    let key = &argv[1];
    let Some(set) = ctx.write_set(key)? else { return Ok(Reply::Nil) };
    let Some(m) = set.pop(&mut rand::thread_rng()) else { return Ok(Reply::Nil) };
    ctx.notify(notify::SET, "spop", key);
    // Replicas must remove the same member: propagate what was popped.
    ctx.propagate_as(vec![srem_argv(key, &m)]);
    ctx.delete_if_empty(key);
    ctx.modified(key);
    ctx.dirty += 1;
    Ok(Reply::bulk(&m))
}

fn spop_count(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let count = match parse_i64(&argv[2]) {
        Some(c) if c >= 0 => c as u64,
        _ => return Err(CmdError::err("value is out of range, must be positive")),
    };
    let s = ctx.settings;
    let Some(set) = ctx.write_set(key)? else { return Ok(Reply::Set(Vec::new())) };
    if count == 0 {
        return Ok(Reply::Set(Vec::new()));
    }
    let size = set.len() as u64;
    let popped = set.pop_many(&mut rand::thread_rng(), count.min(size) as usize, s);
    ctx.notify(notify::SET, "spop", key);
    // One change per member actually popped (Redis counts min(count, size)).
    ctx.dirty = ctx.dirty.saturating_add(count.min(size));
    if count >= size {
        ctx.delete_if_empty(key);
        ctx.propagate_as(vec![vec![Bytes::from_static(b"DEL"), key.clone()]]);
    } else {
        ctx.propagate_as(popped.iter().map(|m| srem_argv(key, m)).collect());
    }
    ctx.modified(key);
    Ok(Reply::Set(popped.iter().map(|m| Reply::bulk(m)).collect()))
}

fn smove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (src, dst, member) = (&argv[1], &argv[2], &argv[3]);
    let s = ctx.settings;
    // A missing source answers 0 before any type check of the destination.
    if ctx.write_set(src)?.is_none() {
        return Ok(Reply::Int(0));
    }
    ctx.write_set(dst)?;
    if src == dst {
        let set = ctx.write_set(src)?;
        return Ok(Reply::Int(set.is_some_and(|x| x.contains(member)) as i64));
    }
    if !ctx.write_set(src)?.is_some_and(|x| x.remove(member)) {
        return Ok(Reply::Int(0));
    }
    ctx.notify(notify::SET, "srem", src);
    ctx.delete_if_empty(src);
    ctx.modified(src);
    ctx.dirty += 1;
    if ctx.set_or_create(dst)?.insert(member, s) {
        ctx.changed(dst, notify::SET, "sadd");
    }
    Ok(Reply::Int(1))
}

/// Looks every key up as a set for reading (keyspace hits and misses counted, as
/// Redis's lookupKeyRead does), failing on the first WRONGTYPE. Returns each key's
/// cardinality, None when missing.
fn lookup_all(ctx: &mut Ctx, keys: &[Bytes]) -> Result<Vec<Option<usize>>, CmdError> {
    keys.iter().map(|k| Ok(ctx.read_set(k)?.map(Set::len))).collect()
}

/// A set already looked up by `lookup_all`, for the combining pass.
fn set_at<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Option<&'c Set> {
    match ctx.lookup_write(key) {
        Some(o) => match &o.val {
            Value::Set(s) => Some(&**s),
            _ => None,
        },
        None => None,
    }
}

/// Runs `f` with the object clock left alone: the keys were touched once by
/// `lookup_all`, and LFU counters must not count the second pass.
fn untouched<T>(ctx: &mut Ctx, f: impl FnOnce(&mut Ctx) -> T) -> T {
    let saved = std::mem::replace(&mut ctx.locks.touch, Touch::None);
    let r = f(ctx);
    ctx.locks.touch = saved;
    r
}

/// The intersection, in the iteration order of the smallest set (ties keep argument
/// order); None when a key is missing (after every key was type-checked).
fn intersection(ctx: &mut Ctx, keys: &[Bytes]) -> Result<Option<Vec<SmallBytes>>, CmdError> {
    let sizes = lookup_all(ctx, keys)?;
    if sizes.iter().any(Option::is_none) {
        return Ok(None);
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| sizes[i]);
    Ok(Some(untouched(ctx, |ctx| {
        let first = &keys[order[0]];
        let mut cand: Vec<SmallBytes> = set_at(ctx, first).map_or_else(Vec::new, |s| s.iter().map(Member::to_small).collect());
        for &j in &order[1..] {
            if cand.is_empty() {
                break;
            }
            if keys[j] == *first {
                continue;
            }
            if let Some(other) = set_at(ctx, &keys[j]) {
                cand.retain(|m| other.contains(m));
            }
        }
        cand
    })))
}

/// The union (`diff` false) or the difference of the first set and the others, built
/// as a fresh set the way Redis builds it.
fn union_or_diff(ctx: &mut Ctx, keys: &[Bytes], diff: bool) -> Result<Set, CmdError> {
    let s = ctx.settings;
    let mut out = Set::new();
    if !diff {
        for k in keys {
            if let Some(set) = ctx.read_set(k)? {
                for m in set.iter() {
                    m.with_bytes(|b| out.insert(b, s));
                }
            }
        }
        return Ok(out);
    }
    let sizes = lookup_all(ctx, keys)?;
    if sizes[0].is_none() {
        return Ok(out);
    }
    let first = &keys[0];
    let cand = untouched(ctx, |ctx| {
        let mut cand: Vec<SmallBytes> = set_at(ctx, first).map_or_else(Vec::new, |s| s.iter().map(Member::to_small).collect());
        for (k, size) in keys[1..].iter().zip(&sizes[1..]) {
            if cand.is_empty() {
                break;
            }
            if size.is_none() {
                continue;
            }
            if k == first {
                cand.clear();
                break;
            }
            if let Some(other) = set_at(ctx, k) {
                cand.retain(|m| !other.contains(m));
            }
        }
        cand
    });
    for m in &cand {
        out.insert(m, s);
    }
    Ok(out)
}

/// The STORE ending: the result replaces `dst` (dropping its TTL) with `event`, or, when
/// empty, `dst` is deleted (with `del` if it existed). Replies with the cardinality.
fn store(ctx: &mut Ctx, dst: &[u8], result: Set, event: &str) -> CmdResult {
    let n = result.len() as i64;
    if n == 0 {
        if ctx.delete(dst) {
            ctx.changed(dst, notify::GENERIC, "del");
        }
        return Ok(Reply::Int(0));
    }
    ctx.set_key(dst, Value::Set(Box::new(result)), false);
    ctx.changed(dst, notify::SET, event);
    Ok(Reply::Int(n))
}

fn sinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let members = intersection(ctx, &argv[1..])?.unwrap_or_default();
    Ok(Reply::Set(members.iter().map(|m| Reply::bulk(m)).collect()))
}

fn sinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = ctx.settings;
    let mut result = Set::new();
    for m in intersection(ctx, &argv[2..])?.unwrap_or_default() {
        result.insert(&m, s);
    }
    store(ctx, &argv[1], result, "sinterstore")
}

/// A count argument in `min..=i64::MAX`, with one error text for anything else (Redis's
/// getRangeLongFromObjectOrReply with a message).
fn ranged(a: &[u8], min: i64, msg: &'static str) -> Result<i64, CmdError> {
    match parse_i64(a) {
        Some(v) if v >= min => Ok(v),
        _ => Err(CmdError::err(msg)),
    }
}

fn sintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let numkeys = ranged(&argv[1], 1, "numkeys should be greater than 0")?;
    if numkeys > argv.len() as i64 - 2 {
        return Err(CmdError::err("Number of keys can't be greater than number of args"));
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0u64;
    let mut i = keys_end;
    while i < argv.len() {
        if super::args::is(&argv[i], "limit") && i + 1 < argv.len() {
            limit = ranged(&argv[i + 1], 0, "LIMIT can't be negative")? as u64;
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let card = intersection(ctx, &argv[2..keys_end])?.map_or(0, |m| m.len() as u64);
    Ok(Reply::Int(if limit > 0 { card.min(limit) } else { card } as i64))
}

fn sunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let out = union_or_diff(ctx, &argv[1..], false)?;
    Ok(Reply::Set(out.iter().map(member_reply).collect()))
}

fn sunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let out = union_or_diff(ctx, &argv[2..], false)?;
    store(ctx, &argv[1], out, "sunionstore")
}

fn sdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let out = union_or_diff(ctx, &argv[1..], true)?;
    Ok(Reply::Set(out.iter().map(member_reply).collect()))
}

fn sdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let out = union_or_diff(ctx, &argv[2..], true)?;
    store(ctx, &argv[1], out, "sdiffstore")
}

fn sscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut cursor = parse_scan_cursor(&argv[2])?;
    let Some(set) = ctx.read_set(&argv[1])? else { return Ok(scan_reply(0, Vec::new())) };
    let opts = ScanOpts::parse(&argv[3..])?;
    let mut items = Vec::new();
    let mut visited = 0u64;
    let mut steps_left = opts.max_steps();
    loop {
        cursor = set.scan(cursor, |m| {
            visited += 1;
            m.with_bytes(|b| {
                if opts.matches(b) {
                    items.push(Reply::bulk(b));
                }
            });
        });
        if cursor == 0 || steps_left == 0 || visited >= opts.count {
            break;
        }
        steps_left -= 1;
    }
    Ok(scan_reply(cursor, items))
}

/// What SPOP propagates (to replicas and the AOF): the members it removed, as SREMs
/// (several wrapped in MULTI/EXEC, as Redis 7.0 writes them), or a DEL when it took the
/// whole set.
#[cfg(test)]
mod propagation_tests {
    use crate::cmd::test_support::propagated;

    #[test]
    fn spop_propagates_the_members_it_removed() {
        let got = propagated(&["SADD s a", "SPOP s", "SADD s a b c", "SPOP s 3", "SADD s 1 2 3 4 5 6 7 8 9 10", "SPOP s 2", "SPOP s 7", "SPOP s 0"]);
        assert_eq!(got[..6], ["select 0", "sadd s a", "srem s a", "sadd s a b c", "del s", "sadd s 1 2 3 4 5 6 7 8 9 10"]);
        assert_eq!((got[6].as_str(), got[9].as_str(), got[10].as_str(), got[18].as_str()), ("multi", "exec", "multi", "exec"), "{got:?}");
        let srems: Vec<&str> = got[6..].iter().filter(|c| *c != "multi" && *c != "exec").map(|c| c.strip_prefix("srem s ").expect("an SREM")).collect();
        assert_eq!(srems.len(), 9, "{got:?}");
        let distinct: std::collections::HashSet<&str> = srems.iter().copied().collect();
        assert_eq!(distinct.len(), 9, "{got:?}");
    }
}
