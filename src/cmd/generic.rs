//! Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME,
//! RENAMENX, MOVE, COPY, TOUCH, the EXPIRE and TTL families, PERSIST, OBJECT, WAIT, and
//! SORT/SORT_RO (in `sort.rs`).
//!
//! Each handler reads keys the way Redis 7.0 does for that command — with or without
//! hit/miss accounting, `keymiss` events and LRU/LFU touching — because all three are
//! observable (INFO keyspace_hits, notifications, OBJECT IDLETIME/FREQ). Handlers never
//! iterate the keyspace without holding every shard (KEYS, SCAN, RANDOMKEY, SORT are
//! registered with `LockPolicy::All`).
use super::args::{self, is};
use super::ctx::BlockRequest;
use super::{def, def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use crate::cluster::slot::SLOT_COUNT;
use crate::keyspace::{Obj, SmallBytes, Touch, Value, FLAG_RAW, FLAG_VOLATILE, SHARDS};
use crate::resp::Reply;
use crate::server::notify;
use crate::util::glob::glob_match;
use bytes::Bytes;
use std::sync::atomic::Ordering;

#[path = "sort.rs"]
mod sort;

pub fn defs() -> Vec<Def> {
    vec![
        def("del", del),
        def("unlink", del),
        def("exists", exists),
        def("type", type_cmd),
        def_lock("keys", keys, LockPolicy::All),
        def_lock("scan", scan, LockPolicy::All),
        def_lock("randomkey", randomkey, LockPolicy::All),
        def("rename", rename),
        def("renamenx", renamenx),
        def("move", move_cmd),
        def("copy", copy),
        def("touch", touch),
        def("expire", expire),
        def("pexpire", pexpire),
        def("expireat", expireat),
        def("pexpireat", pexpireat),
        def("ttl", ttl),
        def("pttl", pttl),
        def("expiretime", expiretime),
        def("pexpiretime", pexpiretime),
        def("persist", persist),
        def("object|encoding", object_encoding),
        def("object|refcount", object_refcount),
        def("object|idletime", object_idletime),
        def("object|freq", object_freq),
        def_lock("object|help", object_help, LockPolicy::None),
        def_lock("wait", wait, LockPolicy::None),
        // BY and GET patterns read arbitrary keys, which may live in any shard.
        def_lock("sort", sort::sort, LockPolicy::All),
        def_lock("sort_ro", sort::sort_ro, LockPolicy::All),
    ]
}

/// How a read that must not touch the key's access clock is accounted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Miss {
    /// Counts a hit or a miss and publishes `keymiss` (EXISTS, TYPE, TTL ...).
    Notify,
    /// Counts a hit or a miss, publishes nothing (OBJECT).
    Quiet,
}

/// Redis's `lookupKeyReadWithFlags(LOOKUP_NOTOUCH [| LOOKUP_NONOTIFY])`: finds a live
/// key (lazily expiring it) without updating its LRU/LFU clock, and hands it to `f`.
fn peek<R>(ctx: &mut Ctx, key: &[u8], miss: Miss, f: impl FnOnce(&Obj) -> R) -> Option<R> {
    let saved = std::mem::replace(&mut ctx.locks.touch, Touch::None);
    let r = match miss {
        Miss::Notify => ctx.lookup_read(key).map(|o| f(o)),
        Miss::Quiet => {
            let r = ctx.lookup_write(key).map(|o| f(o));
            let stat = if r.is_some() { &ctx.srv.stats.keyspace_hits } else { &ctx.srv.stats.keyspace_misses };
            stat.fetch_add(1, Ordering::Relaxed);
            r
        }
    };
    ctx.locks.touch = saved;
    r
}

/// DEL and UNLINK (values are freed inline either way: dropping is cheap next to the
/// network round trip, and there is no background free thread to hand them to).
fn del(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut n = 0;
    for k in &argv[1..] {
        if ctx.delete(k) {
            ctx.changed(k, notify::GENERIC, "del");
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}

/// Counts every argument, so a key named twice counts twice (as Redis).
fn exists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut n = 0;
    for k in &argv[1..] {
        if peek(ctx, k, Miss::Notify, |_| ()).is_some() {
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}

fn type_cmd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = peek(ctx, &argv[1], Miss::Notify, |o| o.type_name()).unwrap_or("none");
    Ok(Reply::status(name))
}

/// Like EXISTS, but a normal read: it refreshes the keys' access clocks.
fn touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut n = 0;
    for k in &argv[1..] {
        if ctx.lookup_read(k).is_some() {
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}

/// Every live key matching the pattern, in slot order. Expired keys are skipped but
/// left for the expiry cycle (Redis's KEYS does not delete them either).
fn keys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let pattern = &argv[1][..];
    let all = pattern == b"*";
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut out = Vec::new();
    for slot in 0..SLOT_COUNT as u16 {
        let Some(table) = ctx.locks.part(db, slot).table(slot) else { continue };
        for (key, obj) in table.keys.iter() {
            if !all && !glob_match(pattern, key, false) {
                continue;
            }
            if obj.flags & FLAG_VOLATILE != 0 && table.expires.get(key).is_some_and(|&at| at <= now) {
                continue;
            }
            out.push(Reply::bulk(key));
        }
    }
    Ok(Reply::Array(out))
}

// BACKGROUND: the keyspace is one table per hash slot, so a SCAN cursor names a slot
// and a position inside that slot's table. The slot sits in the low 14 bits and the
// table's own reverse-binary cursor (`Dict::scan`) above them. Slots are walked in
// ascending order and each table with Redis's dictScan algorithm, so a key present
// for the whole iteration is returned at least once even if tables grow, shrink, or
// are dropped and re-created between calls.

/// Bits of a SCAN cursor that hold the slot.
const SCAN_SLOT_BITS: u32 = 14;
const _: () = assert!(1 << SCAN_SLOT_BITS == SLOT_COUNT);
/// Redis's default SCAN COUNT.
const SCAN_DEFAULT_COUNT: usize = 10;
/// Buckets a SCAN call may visit per requested key before returning fewer keys
/// (Redis's `maxiterations = count * 10`), so sparse tables cannot stall one call.
const SCAN_EMPTY_VISITS_PER_KEY: usize = 10;
/// Most keys reserved up front for a reply, whatever COUNT says (COUNT is a hint and
/// a client-chosen huge value must not allocate).
const SCAN_MAX_PREALLOC: usize = 1024;

/// Redis 7.0 parses SCAN cursors with `strtoul`: optional sign (a minus negates modulo
/// 2^64), decimal digits, nothing after them; leading space, overflow or no digits at
/// all are invalid, while the empty string is cursor 0.
fn parse_cursor(a: &[u8]) -> Result<u64, CmdError> {
    let invalid = || CmdError::err("invalid cursor");
    // The C string ends at the first NUL.
    let a = a.iter().position(|&c| c == 0).map_or(a, |n| &a[..n]);
    if a.is_empty() {
        return Ok(0);
    }
    let (neg, digits) = match a[0] {
        b'-' => (true, &a[1..]),
        b'+' => (false, &a[1..]),
        _ => (false, a),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(invalid());
        }
        v = v.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as u64)).ok_or_else(invalid)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

fn scan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[1])?;
    let mut count = SCAN_DEFAULT_COUNT;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut i = 2;
    while i < argv.len() {
        let has_value = i + 1 < argv.len();
        if is(&argv[i], "count") && has_value {
            let c = args::int(&argv[i + 1])?;
            if c < 1 {
                return Err(CmdError::Syntax);
            }
            count = usize::try_from(c).unwrap_or(usize::MAX);
        } else if is(&argv[i], "match") && has_value {
            // "*" matches everything: skip the matcher.
            pattern = Some(&argv[i + 1][..]).filter(|p| *p != b"*");
        } else if is(&argv[i], "type") && has_value {
            type_name = Some(&argv[i + 1][..]);
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }

    // 1. Collect keys from whole buckets until COUNT is reached or the visit budget
    //    runs out.
    let db = ctx.db();
    let mut found: Vec<SmallBytes> = Vec::with_capacity(count.min(SCAN_MAX_PREALLOC));
    let mut slot = (cursor & (SLOT_COUNT as u64 - 1)) as usize;
    let mut pos = cursor >> SCAN_SLOT_BITS;
    let mut budget = count.saturating_mul(SCAN_EMPTY_VISITS_PER_KEY);
    while slot < SLOT_COUNT {
        let s = slot as u16;
        match ctx.locks.part(db, s).table(s).filter(|t| !t.keys.is_empty()) {
            Some(t) => {
                pos = t.keys.scan(pos, |k, _| found.push(k.clone()));
                budget -= 1;
            }
            // Empty slots cost nothing worth budgeting: step over them.
            None => pos = 0,
        }
        if pos == 0 {
            slot += 1;
        }
        if found.len() >= count || budget == 0 {
            break;
        }
    }
    let next = if slot >= SLOT_COUNT { 0 } else { (pos << SCAN_SLOT_BITS) | slot as u64 };

    // 2. Filter: pattern, then expiry (expired keys are deleted now, as Redis does),
    //    then type.
    let mut out = Vec::with_capacity(found.len());
    for key in found {
        if pattern.is_some_and(|p| !glob_match(p, &key, false)) {
            continue;
        }
        if !ctx.exists(&key) {
            continue;
        }
        if let Some(want) = type_name {
            // Redis reads the type with a counted (but not touching) lookup.
            if !peek(ctx, &key, Miss::Quiet, |o| want.eq_ignore_ascii_case(o.type_name().as_bytes())).unwrap_or(false) {
                continue;
            }
        }
        out.push(Reply::Bulk(key.into_vec()));
    }
    Ok(Reply::Array(vec![Reply::bulk(next.to_string().as_bytes()), Reply::Array(out)]))
}

/// Tries a replica makes when every key is volatile: there, expired keys are only
/// hidden (the primary deletes them), so without a bound the loop could spin forever.
const RANDOMKEY_REPLICA_TRIES: u32 = 100;

/// A random live key: a random key position picks a shard and a slot table in
/// proportion to their sizes, then `Dict::random` picks inside the table. Expired keys
/// met on the way are deleted and another key is drawn, as Redis does.
fn randomkey(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    use rand::Rng;
    let db = ctx.db();
    let mut rng = rand::thread_rng();
    let mut tries = RANDOMKEY_REPLICA_TRIES;
    loop {
        let (mut total, mut volatile) = (0usize, 0usize);
        for sh in 0..SHARDS {
            let p = ctx.locks.part_of_shard(db, sh);
            total += p.keys;
            volatile += p.volatile;
        }
        if total == 0 {
            return Ok(Reply::Nil);
        }
        let Some((key, is_volatile)) = pick_random_key(ctx, db, rng.gen_range(0..total), &mut rng) else {
            return Ok(Reply::Nil);
        };
        if is_volatile {
            if total == volatile && ctx.srv.is_replica() {
                tries -= 1;
                if tries == 0 {
                    return Ok(Reply::Bulk(key.into_vec()));
                }
            }
            if !ctx.exists(&key) {
                continue;
            }
        }
        return Ok(Reply::Bulk(key.into_vec()));
    }
}

/// The table holding the `nth` key of the database (shards, then slots, in order),
/// and a random key of it with whether it has a TTL.
fn pick_random_key(ctx: &mut Ctx, db: usize, mut nth: usize, rng: &mut impl rand::Rng) -> Option<(SmallBytes, bool)> {
    for sh in 0..SHARDS {
        let part = ctx.locks.part_of_shard(db, sh);
        if nth >= part.keys {
            nth -= part.keys;
            continue;
        }
        for slot in part.slots_with_tables(sh) {
            let table = part.table(slot)?;
            let n = table.keys.len();
            if nth >= n {
                nth -= n;
                continue;
            }
            let (k, o) = table.keys.random(rng)?;
            return Some((k.clone(), o.flags & FLAG_VOLATILE != 0));
        }
        return None;
    }
    None
}

fn rename(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, false)
}

fn renamenx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, true)
}

/// The object itself moves (its access clock and TTL go with it); an existing
/// destination is deleted silently first (RENAME) or stops the command (RENAMENX).
fn rename_generic(ctx: &mut Ctx, argv: &[Bytes], nx: bool) -> CmdResult {
    let (src, dst) = (&argv[1][..], &argv[2][..]);
    if ctx.lookup_write(src).is_none() {
        return Err(CmdError::NoSuchKey);
    }
    let done = if nx { Reply::Int(1) } else { Reply::OK };
    if src == dst {
        return Ok(if nx { Reply::Int(0) } else { Reply::OK });
    }
    if ctx.exists(dst) {
        if nx {
            return Ok(Reply::Int(0));
        }
        ctx.delete(dst);
    }
    let db = ctx.db();
    let Some((obj, at)) = ctx.take(db, src) else { return Err(CmdError::NoSuchKey) };
    insert_moved(ctx, db, dst, obj, at);
    ctx.modified(src);
    ctx.modified(dst);
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    ctx.dirty += 1;
    Ok(done)
}

/// Puts a moved object under an absent key and wakes clients blocked on it.
fn insert_moved(ctx: &mut Ctx, db: usize, key: &[u8], obj: Obj, at: Option<i64>) {
    let wakes = matches!(obj.val, Value::List(_) | Value::ZSet(_));
    ctx.locks.insert_obj(db, key, obj, at);
    if wakes {
        ctx.signal_ready_in(db, key);
    }
}

/// An argument Redis reads as a C `int`.
fn int32(a: &[u8]) -> Result<i64, CmdError> {
    let v = args::int(a)?;
    if i32::try_from(v).is_err() {
        return Err(CmdError::err("value is out of range, value must between -2147483648 and 2147483647"));
    }
    Ok(v)
}

/// A database index as `selectDb` takes it: an int, then bounds-checked.
fn db_index(ctx: &Ctx, id: i64) -> Result<usize, CmdError> {
    if id < 0 || id as usize >= ctx.srv.ks.databases {
        return Err(CmdError::err("DB index is out of range"));
    }
    Ok(id as usize)
}

fn move_cmd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.settings.cluster_enabled {
        return Err(CmdError::err("MOVE is not allowed in cluster mode"));
    }
    let (src, dst) = (ctx.db(), db_index(ctx, int32(&argv[2])?)?);
    if src == dst {
        return Err(CmdError::err("source and destination objects are the same"));
    }
    let key = &argv[1][..];
    if ctx.lookup_write(key).is_none() || ctx.exists_in(dst, key) {
        return Ok(Reply::Int(0));
    }
    let Some((obj, at)) = ctx.take(src, key) else { return Ok(Reply::Int(0)) };
    insert_moved(ctx, dst, key, obj, at);
    ctx.modified_in(src, key);
    ctx.modified_in(dst, key);
    ctx.notify_in(src, notify::GENERIC, "move_from", key);
    ctx.notify_in(dst, notify::GENERIC, "move_to", key);
    ctx.dirty += 1;
    Ok(Reply::Int(1))
}

fn copy(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let src_db = ctx.db();
    let mut dst_db = src_db;
    let mut requested_db = src_db as i64;
    let mut replace = false;
    let mut i = 3;
    while i < argv.len() {
        if is(&argv[i], "replace") {
            replace = true;
        } else if is(&argv[i], "db") && i + 1 < argv.len() {
            requested_db = int32(&argv[i + 1])?;
            dst_db = db_index(ctx, requested_db)?;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if ctx.settings.cluster_enabled && (src_db != 0 || requested_db != 0) {
        return Err(CmdError::err("Copying to another database is not allowed in cluster mode"));
    }
    let (key, newkey) = (&argv[1][..], &argv[2][..]);
    if src_db == dst_db && key == newkey {
        return Err(CmdError::err("source and destination objects are the same"));
    }
    let Some((val, raw)) = ctx.lookup_read(key).map(|o| (o.val.deep_clone(), o.flags & FLAG_RAW)) else {
        return Ok(Reply::Int(0));
    };
    let at = ctx.expire_at(key);
    if ctx.exists_in(dst_db, newkey) {
        if !replace {
            return Ok(Reply::Int(0));
        }
        ctx.delete_in(dst_db, newkey);
    }
    ctx.set_key_in(dst_db, newkey, val, false);
    if raw != 0 {
        // A string modified in place stays `raw` in its copy, as Redis duplicates the
        // encoding along with the bytes.
        let slot = crate::cluster::slot::key_slot(newkey);
        if let Some(o) = ctx.locks.part(dst_db, slot).table_mut(slot).and_then(|t| t.keys.get_mut(newkey)) {
            o.flags |= FLAG_RAW;
        }
    }
    if at.is_some() {
        ctx.set_expire_in(dst_db, newkey, at);
    }
    ctx.modified_in(dst_db, newkey);
    ctx.notify_in(dst_db, notify::GENERIC, "copy_to", newkey);
    ctx.dirty += 1;
    Ok(Reply::Int(1))
}

/// EXPIRE's NX/XX/GT/LT conditions.
#[derive(Default, Clone, Copy)]
struct ExpireCond {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl ExpireCond {
    fn parse(opts: &[Bytes]) -> Result<ExpireCond, CmdError> {
        let mut c = ExpireCond::default();
        for o in opts {
            if is(o, "nx") {
                c.nx = true;
            } else if is(o, "xx") {
                c.xx = true;
            } else if is(o, "gt") {
                c.gt = true;
            } else if is(o, "lt") {
                c.lt = true;
            } else {
                // Redis prints the option as a C string: up to its first NUL.
                let shown = o.split(|&b| b == 0).next().unwrap_or_default();
                return Err(CmdError::Msg(format!("ERR Unsupported option {}", String::from_utf8_lossy(shown)).into()));
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(CmdError::err("NX and XX, GT or LT options at the same time are not compatible"));
        }
        if c.gt && c.lt {
            return Err(CmdError::err("GT and LT options at the same time are not compatible"));
        }
        Ok(c)
    }

    /// Whether the new expiry `when` may replace `current` (None = no TTL, which GT
    /// treats as infinite and LT as "anything is lower").
    fn allows(self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|c| when <= c) {
            return false;
        }
        if self.lt && current.is_some_and(|c| when >= c) {
            return false;
        }
        true
    }
}

fn expire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    expire_generic(ctx, argv, now, true, "expire")
}

fn pexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    expire_generic(ctx, argv, now, false, "pexpire")
}

fn expireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, true, "expireat")
}

fn pexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, false, "pexpireat")
}

/// The EXPIRE family. `base_ms` is added to the argument (now for relative forms, 0 for
/// absolute ones). A time already past deletes the key (on a primary); otherwise the
/// command is propagated as PEXPIREAT with the absolute time, so replicas and the AOF
/// agree whatever their clocks say.
fn expire_generic(ctx: &mut Ctx, argv: &[Bytes], base_ms: i64, seconds: bool, name: &'static str) -> CmdResult {
    let cond = ExpireCond::parse(&argv[3..])?;
    let mut when = args::int(&argv[2])?;
    if seconds {
        when = when.checked_mul(1000).ok_or(CmdError::InvalidExpire(name))?;
    }
    if when > i64::MAX - base_ms {
        return Err(CmdError::InvalidExpire(name));
    }
    when += base_ms;
    let key = &argv[1][..];
    if ctx.lookup_write(key).is_none() {
        return Ok(Reply::Int(0));
    }
    if !cond.allows(ctx.expire_at(key), when) {
        return Ok(Reply::Int(0));
    }
    // Replicas keep past TTLs and wait for the primary's DEL, and so does loading (the
    // file may go on writing to the key), as Redis's checkAlreadyExpired.
    if when <= ctx.now_ms && !ctx.srv.is_replica() && !ctx.sess.loading_client {
        ctx.delete(key);
        ctx.propagate_as(vec![vec![Bytes::from_static(b"DEL"), argv[1].clone()]]);
        ctx.changed(key, notify::GENERIC, "del");
        return Ok(Reply::Int(1));
    }
    ctx.set_expire(key, Some(when));
    let mut rewritten = Vec::with_capacity(argv.len());
    rewritten.push(Bytes::from_static(b"PEXPIREAT"));
    rewritten.push(argv[1].clone());
    rewritten.push(Bytes::from(when.to_string()));
    rewritten.extend(argv[3..].iter().cloned());
    ctx.propagate_as(vec![rewritten]);
    ctx.changed(key, notify::GENERIC, "expire");
    Ok(Reply::Int(1))
}

fn ttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, false)
}

fn pttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, false)
}

fn expiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, true)
}

fn pexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, true)
}

/// -2 for a missing key, -1 without TTL, else the remaining (or absolute) time; seconds
/// are rounded to the nearest, as Redis does.
fn ttl_generic(ctx: &mut Ctx, argv: &[Bytes], millis: bool, absolute: bool) -> CmdResult {
    let key = &argv[1][..];
    if peek(ctx, key, Miss::Notify, |_| ()).is_none() {
        return Ok(Reply::Int(-2));
    }
    let Some(at) = ctx.expire_at(key) else { return Ok(Reply::Int(-1)) };
    let t = if absolute { at } else { at.saturating_sub(ctx.now_ms) }.max(0);
    Ok(Reply::Int(if millis { t } else { ((t as i128 + 500) / 1000) as i64 }))
}

fn persist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    if ctx.lookup_write(key).is_none() || ctx.expire_at(key).is_none() {
        return Ok(Reply::Int(0));
    }
    ctx.set_expire(key, None);
    ctx.changed(key, notify::GENERIC, "persist");
    Ok(Reply::Int(1))
}

fn object_encoding(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(peek(ctx, &argv[2], Miss::Quiet, |o| Reply::bulk_str(o.encoding_name())).unwrap_or(Reply::Nil))
}

/// Redis keeps one shared object for each integer 0..=9999 that SET and friends store
/// (OBJ_SHARED_INTEGERS), and reports its refcount as INT_MAX.
const SHARED_INTEGERS: i64 = 10_000;
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

fn object_refcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Sharing is off when an LRU/LFU policy needs a clock per object.
    let may_share = ctx.settings.maxmemory == 0 || !policy_tracks_access(ctx);
    let r = peek(ctx, &argv[2], Miss::Quiet, |o| match &o.val {
        Value::Str(s) if may_share && o.flags & FLAG_RAW == 0 && crate::util::num::parse_i64(s).is_some_and(|v| (0..SHARED_INTEGERS).contains(&v)) => SHARED_REFCOUNT,
        _ => 1,
    });
    Ok(r.map_or(Reply::Nil, Reply::Int))
}

fn policy_tracks_access(ctx: &Ctx) -> bool {
    use crate::config::settings::EvictionPolicy as P;
    matches!(ctx.settings.policy, P::VolatileLru | P::AllkeysLru | P::VolatileLfu | P::AllkeysLfu)
}

fn object_idletime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some(lru) = peek(ctx, &argv[2], Miss::Quiet, |o| o.lru) else { return Ok(Reply::Nil) };
    if ctx.settings.policy.is_lfu() {
        return Err(CmdError::err("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    Ok(Reply::Int((crate::server::evict::idle_ms(lru) / 1000) as i64))
}

fn object_freq(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some(lru) = peek(ctx, &argv[2], Miss::Quiet, |o| o.lru) else { return Ok(Reply::Nil) };
    if !ctx.settings.policy.is_lfu() {
        return Err(CmdError::err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    // The stored counter is only decayed on access: apply the decay due since then.
    let counter = crate::keyspace::lfu_decr_and_return(lru, crate::server::evict::lfu_minutes(), ctx.settings.lfu_decay_time);
    Ok(Reply::Int(counter as i64))
}

const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    The internal representation of <key>'s value.",
    "FREQ <key>",
    "    <key>'s logarithmic access-frequency counter (LFU policies).",
    "IDLETIME <key>",
    "    Seconds since <key> was last read or written (LRU policies).",
    "REFCOUNT <key>",
    "    The reference count of <key>'s value.",
    "HELP",
    "    Show this text.",
];

fn object_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(OBJECT_HELP.iter().map(|l| Reply::status(l)).collect()))
}

/// Longest WAIT timeout kept as a deadline (about 100 years).
const WAIT_MAX_TIMEOUT_MS: i64 = 100 * 365 * 24 * 3600 * 1000;

/// WAIT numreplicas timeout. There are no replicas yet, so no write is ever
/// acknowledged: 0 at once when nothing is asked for (or inside MULTI), otherwise the
/// client blocks until the timeout (0 = forever) and then gets 0, as a Redis primary
/// without replicas does.
fn wait(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.srv.is_replica() {
        return Err(CmdError::err("WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."));
    }
    let wanted = args::int(&argv[1])?;
    let timeout_ms = crate::util::num::parse_i64(&argv[2]).ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?;
    if timeout_ms < 0 {
        return Err(CmdError::TimeoutNegative);
    }
    // Redis 7.0 accepts any non-negative timeout; one beyond any plausible wait is
    // "forever" here rather than a deadline that overflows the clock.
    let timeout_ms = if timeout_ms > WAIT_MAX_TIMEOUT_MS { 0 } else { timeout_ms as u64 };
    let acked = 0;
    if acked >= wanted || !ctx.may_block {
        return Ok(Reply::Int(acked));
    }
    Ok(ctx.block(BlockRequest { keys: Vec::new(), timeout_ms, on_timeout: Reply::Int(acked) }))
}
