//! Sorted-set commands: ZADD, ZINCRBY, ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK,
//! ZREVRANK, ZREM, ZREMRANGEBY{RANK,SCORE,LEX}, ZRANGE and its older forms, ZRANGESTORE,
//! ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER, ZSCAN, ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD
//! and the blocking BZPOPMIN, BZPOPMAX, BZMPOP.
//!
//! Each handler validates its arguments in the order Redis 7.0 does, so that when a call
//! has several faults the same error wins, and looks its keys up at the same point
//! (errors in options after the key lookup lose to WRONGTYPE, as in Redis). The value
//! type (`keyspace::types::zset`) does the walking; this file parses, picks the reply
//! shape for the client's protocol and does the bookkeeping (events, dirty, blocking).
//!
//! Blocking pops try to serve at once; with nothing to pop they ask the gate to block
//! (or answer the timeout reply inside MULTI). A writer that creates one of the keys
//! re-runs the same handler for the waiter under its own locks (see server::blocking),
//! and a served pop is propagated as the ZPOPMIN/ZPOPMAX it amounts to.
use super::args::{self, is};
use super::ctx::BlockRequest;
use super::{def, CmdError, CmdResult, Ctx, Def};
use crate::keyspace::types::set::Set;
use crate::keyspace::types::zset::{AddFlags, Added, Entry, LexBound, LexRange, Range, ScoreRange, ZSet};
use crate::keyspace::{SmallBytes, Value};
use crate::resp::Reply;
use crate::server::notify;
use crate::util::num::fmt_g17;
use bytes::Bytes;
use rand::Rng;
use std::collections::HashMap;

pub fn defs() -> Vec<Def> {
    vec![
        def("zadd", zadd),
        def("zincrby", zadd),
        def("zcard", zcard),
        def("zcount", zcount),
        def("zlexcount", zlexcount),
        def("zscore", zscore),
        def("zmscore", zmscore),
        def("zrank", zrank),
        def("zrevrank", zrevrank),
        def("zrem", zrem),
        def("zremrangebyrank", zremrangebyrank),
        def("zremrangebyscore", zremrangebyscore),
        def("zremrangebylex", zremrangebylex),
        def("zrange", zrange),
        def("zrangestore", zrangestore),
        def("zrevrange", zrevrange),
        def("zrangebyscore", zrangebyscore),
        def("zrevrangebyscore", zrevrangebyscore),
        def("zrangebylex", zrangebylex),
        def("zrevrangebylex", zrevrangebylex),
        def("zpopmin", zpopmin),
        def("zpopmax", zpopmax),
        def("zmpop", zmpop),
        def("bzpopmin", bzpopmin),
        def("bzpopmax", bzpopmax),
        def("bzmpop", bzmpop),
        def("zrandmember", zrandmember),
        def("zscan", zscan),
        def("zunion", zunion),
        def("zinter", zinter),
        def("zdiff", zdiff),
        def("zunionstore", zunionstore),
        def("zinterstore", zinterstore),
        def("zdiffstore", zdiffstore),
        def("zintercard", zintercard),
    ]
}

// ---------------------------------------------------------------------------------
// Argument parsing

/// C's `strtod` over a whole C string, as Redis parses range ends: leading white space
/// is skipped, the empty string is 0, overflow gives ±inf, NaN and trailing characters
/// are refused, and a NUL byte ends the string.
fn strtod_whole(b: &[u8]) -> Option<f64> {
    let b = &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())];
    if b.is_empty() {
        return Some(0.0);
    }
    let start = b.iter().position(|&c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let t = &b[start..];
    let v = crate::util::num::parse_f64(t).or_else(|| std::str::from_utf8(t).ok()?.parse::<f64>().ok())?;
    (!v.is_nan()).then_some(v)
}

/// Redis's zslParseRange: `1.5`, `(1.5`, `-inf`, `+inf`.
fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    let end = |a: &[u8]| match a.first() {
        Some(b'(') => strtod_whole(&a[1..]).map(|v| (v, true)),
        _ => strtod_whole(a).map(|v| (v, false)),
    };
    match (end(min), end(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, max, minex, maxex }),
        _ => Err(CmdError::err("min or max is not a float")),
    }
}

/// Redis's zslParseLexRangeItem: `-`, `+`, `[x`, `(x` (C-string rules for `-`/`+`).
fn parse_lex_bound(a: &[u8]) -> Option<LexBound> {
    let alone = a.get(1).is_none_or(|&c| c == 0);
    match a.first()? {
        b'+' if alone => Some(LexBound::Max),
        b'-' if alone => Some(LexBound::Min),
        b'(' => Some(LexBound::Excl(a[1..].to_vec())),
        b'[' => Some(LexBound::Incl(a[1..].to_vec())),
        _ => None,
    }
}

fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CmdError> {
    match (parse_lex_bound(min), parse_lex_bound(max)) {
        (Some(min), Some(max)) => Ok(LexRange { min, max }),
        _ => Err(CmdError::err("min or max not valid string range item")),
    }
}

/// Redis's getRangeLongFromObjectOrReply with a custom message for both failures.
fn at_least_one(a: &[u8], msg: &'static str) -> Result<usize, CmdError> {
    match crate::util::num::parse_i64(a) {
        Some(v) if v >= 1 => Ok(v as usize),
        _ => Err(CmdError::err(msg)),
    }
}

/// The SCAN cursor as C's strtoul reads it (Redis's parseScanCursorOrReply): decimal,
/// optional sign (a minus wraps around), no leading space, no overflow.
fn parse_cursor(a: &[u8]) -> Result<u64, CmdError> {
    let bad = || CmdError::err("invalid cursor");
    let (neg, digits) = match a.first() {
        Some(b'-') => (true, &a[1..]),
        Some(b'+') => (false, &a[1..]),
        Some(c) if c.is_ascii_whitespace() => return Err(bad()),
        _ => (false, a),
    };
    if a.is_empty() {
        return Ok(0);
    }
    if digits.is_empty() {
        return Err(bad());
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(bad());
        }
        v = v.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as u64)).ok_or_else(bad)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

// ---------------------------------------------------------------------------------
// Reply shapes

/// Members, with scores if asked: flat (member, score, ...) in RESP2, [member, score]
/// pairs in RESP3 (Redis keeps an array, not a map, so the order survives).
fn members_reply<'a>(items: impl Iterator<Item = (&'a [u8], f64)>, withscores: bool, resp3: bool) -> Reply {
    let (lo, _) = items.size_hint();
    if !withscores {
        let mut out = Vec::with_capacity(lo);
        out.extend(items.map(|(m, _)| Reply::bulk(m)));
        return Reply::Array(out);
    }
    if resp3 {
        let mut out = Vec::with_capacity(lo);
        out.extend(items.map(|(m, s)| Reply::Array(vec![Reply::bulk(m), Reply::Double(s)])));
        Reply::Array(out)
    } else {
        let mut out = Vec::with_capacity(lo * 2);
        for (m, s) in items {
            out.push(Reply::bulk(m));
            out.push(Reply::Double(s));
        }
        Reply::Array(out)
    }
}

fn entries_reply(items: &[Entry], withscores: bool, resp3: bool) -> Reply {
    members_reply(items.iter().map(|e| (e.member.as_slice(), e.score)), withscores, resp3)
}

fn resp3(ctx: &Ctx) -> bool {
    ctx.sess.resp >= 3
}

// ---------------------------------------------------------------------------------
// ZADD / ZINCRBY

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ... and ZINCRBY key incr member
/// (Redis runs both through the same parser, options included).
fn zadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let mut f = AddFlags { incr: is(&argv[0], "zincrby"), ..AddFlags::default() };
    let mut ch = false;
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if is(a, "nx") {
            f.nx = true;
        } else if is(a, "xx") {
            f.xx = true;
        } else if is(a, "ch") {
            ch = true;
        } else if is(a, "incr") {
            f.incr = true;
        } else if is(a, "gt") {
            f.gt = true;
        } else if is(a, "lt") {
            f.lt = true;
        } else {
            break;
        }
        i += 1;
    }
    let pairs = &argv[i..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    if f.nx && f.xx {
        return Err(CmdError::err("XX and NX options at the same time are not compatible"));
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(CmdError::err("GT, LT, and/or NX options at the same time are not compatible"));
    }
    if f.incr && pairs.len() > 2 {
        return Err(CmdError::err("INCR option supports a single increment-element pair"));
    }
    // All scores first: the command either runs fully or not at all.
    let scores = pairs.chunks_exact(2).map(|p| args::float(&p[0])).collect::<Result<Vec<f64>, _>>()?;
    let exists = match ctx.lookup_write(key) {
        None => false,
        Some(o) if matches!(o.val, Value::ZSet(_)) => true,
        Some(_) => return Err(CmdError::WrongType),
    };
    if !exists {
        if f.xx {
            return Ok(if f.incr { Reply::Nil } else { Reply::Int(0) });
        }
        ctx.add_new_key(key, Value::ZSet(Box::default()));
    }
    let settings = ctx.settings;
    let Some(z) = ctx.write_zset(key)? else { return Err(CmdError::err("internal error: sorted set vanished")) };
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last = 0.0;
    let mut nan = false;
    for (pair, &score) in pairs.chunks_exact(2).zip(&scores) {
        match z.add(&pair[1], score, f, settings) {
            Added::New(s) => (added, processed, last) = (added + 1, processed + 1, s),
            Added::Updated(s) => (updated, processed, last) = (updated + 1, processed + 1, s),
            Added::Same(s) => (processed, last) = (processed + 1, s),
            Added::Nop => {}
            Added::NaN => {
                nan = true;
                break;
            }
        }
    }
    let empty = z.is_empty();
    if empty {
        // Only reachable if nothing was added to a new key; never leave it empty.
        ctx.delete(key);
    }
    if added + updated > 0 {
        ctx.modified(key);
        ctx.notify(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
        ctx.dirty += (added + updated) as u64;
    }
    if nan {
        return Err(CmdError::err("resulting score is not a number (NaN)"));
    }
    Ok(if f.incr {
        if processed > 0 {
            Reply::Double(last)
        } else {
            Reply::Nil
        }
    } else {
        Reply::Int(if ch { added + updated } else { added })
    })
}

// ---------------------------------------------------------------------------------
// Simple reads

fn zcard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.read_zset(&argv[1])?.map_or(0, |z| z.len()) as i64))
}

fn zcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = parse_score_range(&argv[2], &argv[3])?;
    Ok(Reply::Int(ctx.read_zset(&argv[1])?.map_or(0, |z| z.count_in(&r))))
}

fn zlexcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = parse_lex_range(&argv[2], &argv[3])?;
    Ok(Reply::Int(ctx.read_zset(&argv[1])?.map_or(0, |z| z.count_in(&r))))
}

fn zscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(ctx.read_zset(&argv[1])?.and_then(|z| z.score(&argv[2])).map_or(Reply::Nil, Reply::Double))
}

fn zmscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let z = ctx.read_zset(&argv[1])?;
    Ok(Reply::Array(argv[2..].iter().map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, Reply::Double)).collect()))
}

fn zrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rank_generic(ctx, argv, false)
}

fn zrevrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rank_generic(ctx, argv, true)
}

fn rank_generic(ctx: &mut Ctx, argv: &[Bytes], rev: bool) -> CmdResult {
    let Some(z) = ctx.read_zset(&argv[1])? else { return Ok(Reply::Nil) };
    Ok(match z.rank(&argv[2]) {
        Some(r) => Reply::Int(if rev { z.len() - 1 - r } else { r } as i64),
        None => Reply::Nil,
    })
}

// ---------------------------------------------------------------------------------
// Removal

fn zrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let Some(z) = ctx.write_zset(key)? else { return Ok(Reply::Int(0)) };
    let mut deleted = 0;
    for m in &argv[2..] {
        if z.remove(m) {
            deleted += 1;
            if z.is_empty() {
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.notify(notify::ZSET, "zrem", key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
        ctx.dirty += deleted;
    }
    Ok(Reply::Int(deleted as i64))
}

/// Z[REV]RANGE-style rank bounds → a valid 0-based inclusive range, or None if empty.
fn clamp_ranks(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { (start + len).max(0) } else { start };
    let end = if end < 0 { end + len } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

enum RemoveBy {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

fn zremrangebyrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (start, end) = (args::int(&argv[2])?, args::int(&argv[3])?);
    remove_range(ctx, &argv[1], RemoveBy::Rank(start, end), "zremrangebyrank")
}

fn zremrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = parse_score_range(&argv[2], &argv[3])?;
    remove_range(ctx, &argv[1], RemoveBy::Score(r), "zremrangebyscore")
}

fn zremrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = parse_lex_range(&argv[2], &argv[3])?;
    remove_range(ctx, &argv[1], RemoveBy::Lex(r), "zremrangebylex")
}

fn remove_range(ctx: &mut Ctx, key: &[u8], by: RemoveBy, event: &'static str) -> CmdResult {
    let Some(z) = ctx.write_zset(key)? else { return Ok(Reply::Int(0)) };
    let deleted = match by {
        RemoveBy::Rank(start, end) => match clamp_ranks(start, end, z.len()) {
            Some((s, e)) => z.remove_ranks(s, e),
            None => 0,
        },
        RemoveBy::Score(r) => z.remove_in(&r),
        RemoveBy::Lex(r) => z.remove_in(&r),
    };
    if deleted > 0 {
        ctx.modified(key);
        ctx.notify(notify::ZSET, event, key);
        ctx.delete_if_empty(key);
        ctx.dirty += deleted as u64;
    }
    Ok(Reply::Int(deleted as i64))
}

// ---------------------------------------------------------------------------------
// ZRANGE and friends

#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Auto,
    Forward,
    Reverse,
}

fn zrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 1, None, By::Auto, Dir::Auto)
}

fn zrangestore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 2, Some(&argv[1]), By::Auto, Dir::Auto)
}

fn zrevrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 1, None, By::Rank, Dir::Reverse)
}

fn zrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 1, None, By::Score, Dir::Forward)
}

fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 1, None, By::Score, Dir::Reverse)
}

fn zrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 1, None, By::Lex, Dir::Forward)
}

fn zrevrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, 1, None, By::Lex, Dir::Reverse)
}

/// A parsed range request.
enum Span {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Redis's zrangeGenericCommand: `argv[src]` is the source key, followed by min, max and
/// options; `dst` makes it ZRANGESTORE.
fn range_generic(ctx: &mut Ctx, argv: &[Bytes], src: usize, dst: Option<&Bytes>, mut by: By, mut dir: Dir) -> CmdResult {
    let (mut withscores, mut offset, mut limit) = (false, 0i64, -1i64);
    // 1. options after <src> <min> <max>
    let mut j = src + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if dst.is_none() && is(a, "withscores") {
            withscores = true;
        } else if is(a, "limit") && left >= 2 {
            offset = args::int(&argv[j + 1])?;
            limit = args::int(&argv[j + 2])?;
            j += 2;
        } else if dir == Dir::Auto && is(a, "rev") {
            dir = Dir::Reverse;
        } else if by == By::Auto && is(a, "bylex") {
            by = By::Lex;
        } else if by == By::Auto && is(a, "byscore") {
            by = By::Score;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let by = if by == By::Auto { By::Rank } else { by };
    let rev = dir == Dir::Reverse;
    if limit != -1 && by == By::Rank {
        return Err(CmdError::err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
    }
    if withscores && by == By::Lex {
        return Err(CmdError::err("syntax error, WITHSCORES not supported in combination with BYLEX"));
    }
    // 2. the range (score and lex ranges are given as max, min when reversed)
    let (mut lo, mut hi) = (&argv[src + 1], &argv[src + 2]);
    if rev && by != By::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let span = match by {
        By::Score => Span::Score(parse_score_range(lo, hi)?),
        By::Lex => Span::Lex(parse_lex_range(lo, hi)?),
        _ => Span::Rank(args::int(lo)?, args::int(hi)?),
    };
    // 3. the source
    let resp3 = resp3(ctx);
    let withscores = withscores || dst.is_some();
    let z = ctx.read_zset(&argv[src])?;
    let Some(dst) = dst else {
        return Ok(match z {
            None => Reply::Array(Vec::new()),
            Some(z) => with_range(z, &span, rev, offset, limit, |it| members_reply(it, withscores, resp3)),
        });
    };
    let mut entries: Vec<Entry> = match z {
        None => Vec::new(),
        Some(z) => with_range(z, &span, rev, offset, limit, |it| it.map(|(m, s)| Entry { member: SmallBytes::new(m), score: s }).collect()),
    };
    if rev {
        entries.reverse();
    }
    Ok(store_result(ctx, dst, entries, "zrangestore"))
}

/// Runs `f` over the members a range request selects, in reply order.
fn with_range<'z, T>(z: &'z ZSet, span: &Span, rev: bool, offset: i64, limit: i64, f: impl FnOnce(&mut dyn Iterator<Item = (&'z [u8], f64)>) -> T) -> T {
    let len = z.len();
    let empty = || z.range(1, 0);
    match span {
        Span::Rank(start, end) => match clamp_ranks(*start, *end, len) {
            None => f(&mut empty()),
            Some((s, e)) if rev => f(&mut z.range(len - 1 - e, len - 1 - s).rev()),
            Some((s, e)) => f(&mut z.range(s, e)),
        },
        Span::Score(r) => walk_range(z, r, rev, offset, limit, f),
        Span::Lex(r) => walk_range(z, r, rev, offset, limit, f),
    }
}

/// Redis's score/lex range walk: from the first (last, if reversed) member in range,
/// skip `offset`, then emit while in range, at most `limit` (negative: no limit).
fn walk_range<'z, R: Range, T>(z: &'z ZSet, r: &R, rev: bool, offset: i64, limit: i64, f: impl FnOnce(&mut dyn Iterator<Item = (&'z [u8], f64)>) -> T) -> T {
    let len = z.len();
    let take = if limit < 0 { usize::MAX } else { limit as usize };
    let empty = || z.range(1, 0);
    // A negative offset walks off the end in Redis: nothing is returned.
    if offset < 0 || (offset > 0 && offset as usize >= len) {
        return f(&mut empty());
    }
    let offset = offset as usize;
    if rev {
        match z.last_in(r) {
            Some(last) if last >= offset => f(&mut z.range(0, last - offset).rev().take_while(|(m, s)| r.gte_min(m, *s)).take(take)),
            _ => f(&mut empty()),
        }
    } else {
        match z.first_in(r) {
            Some(first) => f(&mut z.range(first + offset, len).take_while(|(m, s)| r.lte_max(m, *s)).take(take)),
            None => f(&mut empty()),
        }
    }
}

/// The end of every *STORE command: an empty result deletes `dst`, anything else
/// replaces it (dropping its TTL), encoded by size as Redis does.
fn store_result(ctx: &mut Ctx, dst: &[u8], entries: Vec<Entry>, event: &'static str) -> Reply {
    if entries.is_empty() {
        if ctx.delete(dst) {
            ctx.modified(dst);
            ctx.notify(notify::GENERIC, "del", dst);
            ctx.dirty += 1;
        }
        return Reply::Int(0);
    }
    let n = entries.len();
    let z = ZSet::from_sorted(entries, ctx.settings);
    ctx.set_key(dst, Value::ZSet(Box::new(z)), false);
    ctx.modified(dst);
    ctx.notify(notify::ZSET, event, dst);
    ctx.dirty += 1;
    Reply::Int(n as i64)
}

// ---------------------------------------------------------------------------------
// Pops

fn zpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop(ctx, argv, false)
}

fn zpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop(ctx, argv, true)
}

/// ZPOPMIN/ZPOPMAX key [count]
fn zpop(ctx: &mut Ctx, argv: &[Bytes], max: bool) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    // Redis's getPositiveLongFromObjectOrReply: one message for both failures.
    let count = match argv.get(2).map(|a| crate::util::num::parse_i64(a)) {
        None => None,
        Some(Some(v)) if v >= 0 => Some(v as usize),
        Some(_) => return Err(CmdError::err("value is out of range, must be positive")),
    };
    // RESP3 nests [member, score] pairs only when a count was given.
    let nested = resp3(ctx) && count.is_some();
    match pop_first(ctx, &argv[1..2], max, count.unwrap_or(1))? {
        Some((_, popped)) => Ok(entries_reply(&popped, true, nested)),
        None => Ok(Reply::Array(Vec::new())),
    }
}

/// Redis's genericZpopCommand: pops up to `count` members from the first of `keys`
/// that exists (WRONGTYPE if a key before it is not a sorted set). None if no key
/// exists; `count` 0 pops nothing.
fn pop_first<'k>(ctx: &mut Ctx, keys: &'k [Bytes], max: bool, count: usize) -> Result<Option<(&'k Bytes, Vec<Entry>)>, CmdError> {
    for key in keys {
        // A blocked client re-run because some key became ready is served only by a
        // sorted set: Redis 7.0 leaves it blocked when its key now holds another type.
        let serving = ctx.serving_blocked;
        let z = match ctx.write_zset(key) {
            Err(CmdError::WrongType) if serving => continue,
            other => other?,
        };
        let Some(z) = z else { continue };
        if count == 0 || z.is_empty() {
            return Ok(Some((key, Vec::new())));
        }
        let popped = z.pop(count, max);
        ctx.notify(notify::ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
        ctx.dirty += popped.len() as u64;
        return Ok(Some((key, popped)));
    }
    Ok(None)
}

/// ZMPOP numkeys key ... MIN|MAX [COUNT count] from `argv[numkeys_at]` on:
/// (keys, max, count).
fn parse_mpop(argv: &[Bytes], numkeys_at: usize) -> Result<(&[Bytes], bool, usize), CmdError> {
    let numkeys = at_least_one(&argv[numkeys_at], "numkeys should be greater than 0")?;
    let where_at = numkeys_at.checked_add(numkeys).and_then(|v| v.checked_add(1)).filter(|&w| w < argv.len()).ok_or(CmdError::Syntax)?;
    let max = if is(&argv[where_at], "min") {
        false
    } else if is(&argv[where_at], "max") {
        true
    } else {
        return Err(CmdError::Syntax);
    };
    let mut count = None;
    let mut j = where_at + 1;
    while j < argv.len() {
        if count.is_none() && is(&argv[j], "count") && j + 1 < argv.len() {
            count = Some(at_least_one(&argv[j + 1], "count should be greater than 0")?);
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok((&argv[numkeys_at + 1..where_at], max, count.unwrap_or(1)))
}

/// [key, [[member, score], ...]], the ZMPOP/BZMPOP reply in both protocols.
fn mpop_reply(key: &[u8], popped: &[Entry]) -> Reply {
    Reply::Array(vec![Reply::bulk(key), entries_reply(popped, true, true)])
}

fn pop_command(max: bool) -> Bytes {
    Bytes::from_static(if max { b"ZPOPMAX" } else { b"ZPOPMIN" })
}

/// What ZMPOP/BZMPOP propagate: ZPOPMIN/ZPOPMAX with the number actually popped (as
/// Redis does: COUNT 10 on three members replicates as a count of 3).
fn pop_argv(max: bool, key: &Bytes, popped: usize) -> Vec<Bytes> {
    vec![pop_command(max), key.clone(), Bytes::from(popped.to_string())]
}

fn zmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(argv, 1)?;
    match pop_first(ctx, keys, max, count)? {
        Some((key, popped)) => {
            ctx.propagate_as(vec![pop_argv(max, key, popped.len())]);
            Ok(mpop_reply(key, &popped))
        }
        None => Ok(Reply::NilArray),
    }
}

fn bzpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, false)
}

fn bzpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, true)
}

/// Blocks on `keys` (or answers the timeout reply at once where clients may not block).
fn block_on(ctx: &mut Ctx, keys: &[Bytes], timeout_ms: u64) -> Reply {
    if !ctx.may_block {
        return Reply::NilArray;
    }
    let keys = keys.iter().map(|k| SmallBytes::new(k)).collect();
    ctx.block(BlockRequest { keys, timeout_ms, on_timeout: Reply::NilArray })
}

/// BZPOPMIN/BZPOPMAX key [key ...] timeout → [key, member, score]
fn bzpop(ctx: &mut Ctx, argv: &[Bytes], max: bool) -> CmdResult {
    let timeout_ms = args::timeout_ms(&argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    match pop_first(ctx, keys, max, 1)? {
        Some((key, popped)) if !popped.is_empty() => {
            ctx.propagate_as(vec![vec![pop_command(max), key.clone()]]);
            let mut out = Vec::with_capacity(3);
            out.push(Reply::bulk(key));
            for e in &popped {
                out.push(Reply::bulk(&e.member));
                out.push(Reply::Double(e.score));
            }
            Ok(Reply::Array(out))
        }
        _ => Ok(block_on(ctx, keys, timeout_ms)),
    }
}

/// BZMPOP timeout numkeys key ... MIN|MAX [COUNT count]
fn bzmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let timeout_ms = args::timeout_ms(&argv[1])?;
    let (keys, max, count) = parse_mpop(argv, 2)?;
    match pop_first(ctx, keys, max, count)? {
        Some((key, popped)) if !popped.is_empty() => {
            ctx.propagate_as(vec![pop_argv(max, key, popped.len())]);
            Ok(mpop_reply(key, &popped))
        }
        _ => Ok(block_on(ctx, keys, timeout_ms)),
    }
}

// ---------------------------------------------------------------------------------
// ZRANDMEMBER

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() >= 3 {
        let l = args::int(&argv[2])?;
        if l == i64::MIN {
            return Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
        }
        if argv.len() > 4 || (argv.len() == 4 && !is(&argv[3], "withscores")) {
            return Err(CmdError::Syntax);
        }
        let withscores = argv.len() == 4;
        // Redis refuses counts whose reply length (two items each) would overflow.
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return Err(CmdError::err("value is out of range"));
        }
        return zrandmember_count(ctx, &argv[1], l, withscores);
    }
    let Some(z) = ctx.read_zset(&argv[1])? else { return Ok(Reply::Nil) };
    let r = rand::thread_rng().gen_range(0..z.len().max(1));
    Ok(z.get(r).map_or(Reply::Nil, |(m, _)| Reply::bulk(m)))
}

/// Largest sample with repetition one ZRANDMEMBER may ask for. Redis has no bound and
/// would build a reply of up to 2^63 elements until memory runs out; slotd refuses
/// such counts instead (each element costs a reply node, ~100 bytes with its score).
const MAX_SAMPLED_REPLY: usize = 1 << 24;

/// The count forms (Redis's four cases): a negative count samples with repetition; a
/// count at least the size returns the whole set (highest first, as Redis walks it);
/// otherwise `count` distinct members in random order.
fn zrandmember_count(ctx: &mut Ctx, key: &[u8], l: i64, withscores: bool) -> CmdResult {
    let resp3 = resp3(ctx);
    let Some(z) = ctx.read_zset(key)? else { return Ok(Reply::Array(Vec::new())) };
    let size = z.len();
    let (count, unique) = (l.unsigned_abs() as usize, l >= 0);
    if count == 0 || size == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let mut rng = rand::thread_rng();
    // CASE 1: with repetition (or a single member).
    if !unique || count == 1 {
        if count > MAX_SAMPLED_REPLY {
            return Err(CmdError::err("value is out of range"));
        }
        let picks = (0..count).map(|_| z.get(rng.gen_range(0..size)).unwrap_or((b"", 0.0)));
        return Ok(members_reply(picks, withscores, resp3));
    }
    // CASE 2: the whole set.
    if count >= size {
        return Ok(members_reply(z.entries().rev(), withscores, resp3));
    }
    // CASES 3 and 4: distinct members. A partial Fisher-Yates over the ranks when the
    // sample is a large share of the set, else random ranks until enough are distinct.
    let ranks: Vec<usize> = if count * 3 > size {
        let mut all: Vec<usize> = (0..size).collect();
        for i in 0..count {
            let j = rng.gen_range(i..size);
            all.swap(i, j);
        }
        all.truncate(count);
        all
    } else {
        let mut seen = std::collections::HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let r = rng.gen_range(0..size);
            if seen.insert(r) {
                out.push(r);
            }
        }
        out
    };
    let picks = ranks.iter().map(|&r| z.get(r).unwrap_or((b"", 0.0)));
    Ok(members_reply(picks, withscores, resp3))
}

// ---------------------------------------------------------------------------------
// ZSCAN

/// Buckets visited per requested element before a step returns (Redis's `count*10`).
const SCAN_ITERATIONS_PER_COUNT: u64 = 10;

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
fn zscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut cursor = parse_cursor(&argv[2])?;
    // A missing key answers an empty scan before the options are looked at.
    let Some(z) = ctx.read_zset(&argv[1])? else { return Ok(Reply::Array(vec![Reply::bulk(b"0"), Reply::Array(Vec::new())])) };
    let (mut count, mut pattern): (i64, Option<&[u8]>) = (10, None);
    let mut j = 3;
    while j < argv.len() {
        let more = argv.len() - j;
        if is(&argv[j], "count") && more >= 2 {
            count = args::int(&argv[j + 1])?;
            if count < 1 {
                return Err(CmdError::Syntax);
            }
        } else if is(&argv[j], "match") && more >= 2 {
            pattern = Some(&argv[j + 1][..]).filter(|p| *p != b"*");
        } else {
            return Err(CmdError::Syntax);
        }
        j += 2;
    }
    let mut found: Vec<(Vec<u8>, f64)> = Vec::new();
    match z {
        ZSet::Small(_) => {
            z.scan(0, |m, s| found.push((m.to_vec(), s)));
            cursor = 0;
        }
        ZSet::Big(_) => {
            // Redis counts collected keys and values together against COUNT.
            let mut budget = (count as u64).saturating_mul(SCAN_ITERATIONS_PER_COUNT);
            loop {
                cursor = z.scan(cursor, |m, s| found.push((m.to_vec(), s)));
                if cursor == 0 || budget == 0 || found.len() * 2 >= count as usize {
                    break;
                }
                budget -= 1;
            }
        }
    }
    let mut items = Vec::with_capacity(found.len() * 2);
    for (m, s) in found {
        if pattern.is_some_and(|p| !crate::util::glob::glob_match(p, &m, false)) {
            continue;
        }
        items.push(Reply::Bulk(m));
        items.push(Reply::Bulk(fmt_g17(s).into_bytes()));
    }
    Ok(Reply::Array(vec![Reply::Bulk(cursor.to_string().into_bytes()), Reply::Array(items)]))
}

// ---------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF / *STORE / ZINTERCARD

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// Redis's zunionInterAggregate: a sum of +inf and -inf is 0, not NaN.
    #[inline]
    fn apply(self, target: &mut f64, v: f64) {
        match self {
            Aggregate::Sum => {
                *target += v;
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => {
                if v < *target {
                    *target = v;
                }
            }
            Aggregate::Max => {
                if v > *target {
                    *target = v;
                }
            }
        }
    }
}

/// One input: a sorted set, a set (every member scores 1) or a missing key (empty).
struct Source {
    arg: usize,
    len: usize,
    weight: f64,
}

enum SrcRef<'a> {
    Z(&'a ZSet),
    S(&'a Set),
    Empty,
}

impl SrcRef<'_> {
    fn score(&self, m: &[u8]) -> Option<f64> {
        match self {
            SrcRef::Z(z) => z.score(m),
            SrcRef::S(s) => s.contains(m).then_some(1.0),
            SrcRef::Empty => None,
        }
    }

    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            SrcRef::Z(z) => z.entries().for_each(|(m, s)| f(m, s)),
            SrcRef::S(s) => s.for_each(|m| f(m, 1.0)),
            SrcRef::Empty => {}
        }
    }
}

/// Reads an input again (already type-checked and counted as a hit or miss) without
/// touching the keyspace statistics.
fn source<'c>(ctx: &'c mut Ctx, key: &[u8]) -> SrcRef<'c> {
    match ctx.lookup_write(key).map(|o| &o.val) {
        Some(Value::ZSet(z)) => SrcRef::Z(z),
        Some(Value::Set(s)) => SrcRef::S(s),
        _ => SrcRef::Empty,
    }
}

fn zunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, None, 1, SetOp::Union, false)
}

fn zinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, None, 1, SetOp::Inter, false)
}

fn zdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, None, 1, SetOp::Diff, false)
}

fn zunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, Some(1), 2, SetOp::Union, false)
}

fn zinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, Some(1), 2, SetOp::Inter, false)
}

fn zdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, Some(1), 2, SetOp::Diff, false)
}

fn zintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op(ctx, argv, None, 1, SetOp::Inter, true)
}

/// Redis's zunionInterDiffGenericCommand. `dst` is the argument index of the
/// destination (the *STORE forms), `card_only` makes it ZINTERCARD.
fn set_op(ctx: &mut Ctx, argv: &[Bytes], dst: Option<usize>, numkeys_at: usize, op: SetOp, card_only: bool) -> CmdResult {
    // 1. the number of inputs
    let n = args::int(&argv[numkeys_at])?;
    if n < 1 {
        return Err(CmdError::Msg(format!("ERR at least 1 input key is needed for '{}' command", ctx.cmd.name).into()));
    }
    if n as u64 > (argv.len() - numkeys_at - 1) as u64 {
        return Err(CmdError::Syntax);
    }
    let n = n as usize;
    // 2. the inputs (types checked before any option)
    let mut srcs = Vec::with_capacity(n);
    for (arg, key) in argv.iter().enumerate().skip(numkeys_at + 1).take(n) {
        let len = match ctx.lookup_read(key).map(|o| &o.val) {
            None => 0,
            Some(Value::ZSet(z)) => z.len(),
            Some(Value::Set(s)) => s.len(),
            Some(_) => return Err(CmdError::WrongType),
        };
        srcs.push(Source { arg, len, weight: 1.0 });
    }
    // 3. options
    let (mut agg, mut withscores, mut limit) = (Aggregate::Sum, false, 0usize);
    let mut j = numkeys_at + 1 + n;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let a = &argv[j];
        if op != SetOp::Diff && !card_only && remaining > n && is(a, "weights") {
            for (k, src) in srcs.iter_mut().enumerate() {
                src.weight = crate::util::num::parse_f64(&argv[j + 1 + k]).ok_or_else(|| CmdError::err("weight value is not a float"))?;
            }
            j += 1 + n;
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && is(a, "aggregate") {
            let v = &argv[j + 1];
            agg = if is(v, "sum") {
                Aggregate::Sum
            } else if is(v, "min") {
                Aggregate::Min
            } else if is(v, "max") {
                Aggregate::Max
            } else {
                return Err(CmdError::Syntax);
            };
            j += 2;
        } else if dst.is_none() && !card_only && is(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is(a, "limit") {
            limit = match crate::util::num::parse_i64(&argv[j + 1]) {
                Some(v) if v >= 0 => v as usize,
                _ => return Err(CmdError::err("LIMIT can't be negative")),
            };
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    // 4. compute (smallest input first, except for DIFF whose first input is special)
    if op != SetOp::Diff {
        srcs.sort_by_key(|s| s.len);
    }
    let result: Vec<Entry> = match op {
        SetOp::Union => union(ctx, argv, &srcs, agg),
        SetOp::Inter => {
            let found = inter(ctx, argv, &srcs, agg);
            if card_only {
                let n = found.len();
                return Ok(Reply::Int(if limit > 0 { n.min(limit) } else { n } as i64));
            }
            found
        }
        SetOp::Diff => diff(ctx, argv, &srcs),
    };
    let mut result = result;
    result.sort_unstable_by(|a, b| a.score.partial_cmp(&b.score).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.member.cmp(&b.member)));
    // 5. reply or store
    match dst {
        Some(d) => {
            let event = match op {
                SetOp::Union => "zunionstore",
                SetOp::Inter => "zinterstore",
                SetOp::Diff => "zdiffstore",
            };
            Ok(store_result(ctx, &argv[d], result, event))
        }
        None => Ok(entries_reply(&result, withscores, resp3(ctx))),
    }
}

/// Weighted score of one input member (Redis maps a NaN product, 0 × ±inf, to 0).
#[inline]
fn weighted(weight: f64, score: f64) -> f64 {
    let v = weight * score;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

fn union(ctx: &mut Ctx, argv: &[Bytes], srcs: &[Source], agg: Aggregate) -> Vec<Entry> {
    let largest = srcs.last().map_or(0, |s| s.len);
    let mut acc: HashMap<SmallBytes, f64> = HashMap::with_capacity(largest);
    for src in srcs.iter().filter(|s| s.len > 0) {
        source(ctx, &argv[src.arg]).for_each(|m, s| {
            let v = weighted(src.weight, s);
            match acc.get_mut(m) {
                Some(t) => agg.apply(t, v),
                None => {
                    acc.insert(SmallBytes::new(m), v);
                }
            }
        });
    }
    acc.into_iter().map(|(member, score)| Entry { member, score }).collect()
}

/// Members of the smallest input found in every other one, aggregated input by input
/// in the same order as Redis (so sums round the same way).
fn inter(ctx: &mut Ctx, argv: &[Bytes], srcs: &[Source], agg: Aggregate) -> Vec<Entry> {
    let Some(first) = srcs.first().filter(|s| s.len > 0) else { return Vec::new() };
    let mut cand: Vec<Entry> = Vec::with_capacity(first.len);
    source(ctx, &argv[first.arg]).for_each(|m, s| cand.push(Entry { member: SmallBytes::new(m), score: weighted(first.weight, s) }));
    for src in &srcs[1..] {
        let other = source(ctx, &argv[src.arg]);
        cand.retain_mut(|e| match other.score(&e.member) {
            Some(s) => {
                agg.apply(&mut e.score, s * src.weight);
                true
            }
            None => false,
        });
        if cand.is_empty() {
            break;
        }
    }
    cand
}

/// Members of the first input found in no other, with their original scores.
fn diff(ctx: &mut Ctx, argv: &[Bytes], srcs: &[Source]) -> Vec<Entry> {
    let Some(first) = srcs.first().filter(|s| s.len > 0) else { return Vec::new() };
    let mut cand: Vec<Entry> = Vec::with_capacity(first.len);
    source(ctx, &argv[first.arg]).for_each(|m, s| cand.push(Entry { member: SmallBytes::new(m), score: s }));
    for src in srcs[1..].iter().filter(|s| s.len > 0) {
        let other = source(ctx, &argv[src.arg]);
        cand.retain(|e| other.score(&e.member).is_none());
        if cand.is_empty() {
            break;
        }
    }
    cand
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_ends_parse_like_strtod() {
        assert_eq!(strtod_whole(b""), Some(0.0));
        assert_eq!(strtod_whole(b" 1.5"), Some(1.5));
        assert_eq!(strtod_whole(b"1.5 "), None);
        assert_eq!(strtod_whole(b"  "), None);
        assert_eq!(strtod_whole(b"1e400"), Some(f64::INFINITY));
        assert_eq!(strtod_whole(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(strtod_whole(b"+inf"), Some(f64::INFINITY));
        assert_eq!(strtod_whole(b"nan"), None);
        assert_eq!(strtod_whole(b"0x10"), Some(16.0));
        assert_eq!(strtod_whole(b"3\0junk"), Some(3.0));
        let r = parse_score_range(b"(1", b"+inf").unwrap();
        assert!(r.minex && !r.maxex && r.min == 1.0 && r.max == f64::INFINITY);
        assert!(parse_score_range(b"(", b"1").unwrap().minex);
        assert!(parse_score_range(b"x", b"1").is_err());
    }

    #[test]
    fn lex_ends_parse_like_redis() {
        assert_eq!(parse_lex_bound(b"-"), Some(LexBound::Min));
        assert_eq!(parse_lex_bound(b"+"), Some(LexBound::Max));
        assert_eq!(parse_lex_bound(b"+a"), None);
        assert_eq!(parse_lex_bound(b"["), Some(LexBound::Incl(Vec::new())));
        assert_eq!(parse_lex_bound(b"(ab"), Some(LexBound::Excl(b"ab".to_vec())));
        assert_eq!(parse_lex_bound(b"a"), None);
        assert_eq!(parse_lex_bound(b""), None);
    }

    #[test]
    fn scan_cursors_parse_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b"007"), Ok(7));
        assert_eq!(parse_cursor(b"+7"), Ok(7));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b""), Ok(0));
        assert!(parse_cursor(b" 1").is_err());
        assert!(parse_cursor(b"1x").is_err());
        assert!(parse_cursor(b"18446744073709551616").is_err());
    }

    #[test]
    fn rank_bounds_clamp_like_redis() {
        assert_eq!(clamp_ranks(0, -1, 3), Some((0, 2)));
        assert_eq!(clamp_ranks(-100, 100, 3), Some((0, 2)));
        assert_eq!(clamp_ranks(2, 1, 3), None);
        assert_eq!(clamp_ranks(3, 5, 3), None);
        assert_eq!(clamp_ranks(0, -4, 3), None);
        assert_eq!(clamp_ranks(0, 0, 0), None);
    }

    #[test]
    fn aggregate_sum_of_opposite_infinities_is_zero() {
        let mut t = f64::INFINITY;
        Aggregate::Sum.apply(&mut t, f64::NEG_INFINITY);
        assert_eq!(t, 0.0);
        let mut t = 1.0;
        Aggregate::Min.apply(&mut t, f64::NAN);
        assert_eq!(t, 1.0);
        assert_eq!(weighted(0.0, f64::INFINITY), 0.0);
    }
}

/// What commands propagate (to replicas and the AOF), as Redis's replication-stream
/// tests expect it.
#[cfg(test)]
mod propagation_tests {
    use crate::cmd::test_support::{assert_stream, propagated};

    #[test]
    fn zmpop_propagates_as_zpopmin_or_zpopmax_with_the_number_popped() {
        let got = propagated(&[
            "ZADD myzset{t} 1 one 2 two 3 three",
            "ZMPOP 1 myzset{t} MIN COUNT 1",
            "ZMPOP 1 myzset{t} MAX COUNT 1",
            "ZMPOP 2 myzset{t} myzset2{t} MIN COUNT 10",
            "ZMPOP 2 myzset{t} myzset2{t} MIN COUNT 10",
            "ZADD myzset2{t} 1 one 2 two 3 three",
            "ZMPOP 2 myzset{t} myzset2{t} MIN COUNT 2",
            "ZMPOP 2 myzset{t} myzset2{t} MAX COUNT 1",
            "ZADD myzset{t} 1 one 2 two 3 three",
            "ZADD myzset2{t} 4 four 5 five 6 six",
            "ZMPOP 2 myzset{t} myzset2{t} MIN COUNT 10",
            "ZMPOP 2 myzset{t} myzset2{t} MAX COUNT 10",
        ]);
        assert_stream(
            &got,
            &[
                "select *",
                "zadd myzset{t} 1 one 2 two 3 three",
                "zpopmin myzset{t} 1",
                "zpopmax myzset{t} 1",
                "zpopmin myzset{t} 1",
                "zadd myzset2{t} 1 one 2 two 3 three",
                "zpopmin myzset2{t} 2",
                "zpopmax myzset2{t} 1",
                "zadd myzset{t} 1 one 2 two 3 three",
                "zadd myzset2{t} 4 four 5 five 6 six",
                "zpopmin myzset{t} 3",
                "zpopmax myzset2{t} 3",
            ],
        );
    }

    #[test]
    fn bzmpop_propagates_as_zpopmin_or_zpopmax_blocked_or_not() {
        let got = propagated(&[
            "ZADD myzset{t} 1 one 2 two 3 three",
            "ZADD myzset2{t} 4 four 5 five 6 six",
            "BZMPOP 0 1 myzset{t} MIN",
            "BZMPOP 0 2 myzset{t} myzset2{t} MAX COUNT 10",
            "BZMPOP 0 2 myzset{t} myzset2{t} MAX COUNT 10",
            "2> BZMPOP 0 1 myzset{t} MIN COUNT 1",
            "ZADD myzset{t} 1 one",
            "2> BZMPOP 0 2 myzset{t} myzset2{t} MIN COUNT 5",
            "ZADD myzset{t} 1 one 2 two 3 three",
            "2> BZMPOP 0 2 myzset{t} myzset2{t} MAX COUNT 10",
            "ZADD myzset2{t} 4 four 5 five 6 six",
            "SET foo{t} bar",
        ]);
        assert_stream(
            &got,
            &[
                "select *",
                "zadd myzset{t} 1 one 2 two 3 three",
                "zadd myzset2{t} 4 four 5 five 6 six",
                "zpopmin myzset{t} 1",
                "zpopmax myzset{t} 2",
                "zpopmax myzset2{t} 3",
                "zadd myzset{t} 1 one",
                "zpopmin myzset{t} 1",
                "zadd myzset{t} 1 one 2 two 3 three",
                "zpopmin myzset{t} 3",
                "zadd myzset2{t} 4 four 5 five 6 six",
                "zpopmax myzset2{t} 3",
                "set foo{t} bar",
            ],
        );
    }
}
