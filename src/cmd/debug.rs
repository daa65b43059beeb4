//! DEBUG: the subcommands test suites and tools use — SLEEP, SET-ACTIVE-EXPIRE, OBJECT,
//! POPULATE, DIGEST, DIGEST-VALUE, CHANGE-REPL-ID, LOG, ERROR, PROTOCOL,
//! QUICKLIST-PACKED-THRESHOLD, HTSTATS-KEY, HELP.
//!
//! DEBUG is registered with no lock (SLEEP must stall only its own connection's worker,
//! not every shard); the subcommands that read or write keys lock what they need
//! themselves (`with_shards`).
//!
//! BACKGROUND (DIGEST): `DEBUG DIGEST` must equal redis-server's for the same data, so
//! test suites can compare a slotd node with a Redis node (or a replica with its
//! primary). Redis's scheme, reproduced here:
//! - `xor(d, bytes)`: d ^= SHA1(bytes); `mix(d, bytes)`: xor(d, bytes), then d = SHA1(d).
//! - per key: d = 0; mix(d, key); mix(d, be32(type)); then by type:
//!   string: mix(d, value); list: mix(d, element) for each, head to tail;
//!   set: xor(d, member) for each; zset: for each member, e = 0; mix(e, member);
//!   mix(e, "%.17g" of score); xor(d, e); hash: for each field, e = 0; mix(e, field);
//!   mix(e, value); xor(d, e). A key with a TTL also gets xor(d, "!!expire!!") (the
//!   time itself is not part of the digest).
//! - dataset: D = 0; for each non-empty db in order: mix(D, be32(db)); then xor(D, d)
//!   for every key (order-independent). An empty dataset is forty zeros.
//!
//! DIGEST-VALUE gives the per-key digest without the key name mixed in.
use super::super::{CmdError, CmdResult, Ctx};
use super::help;
use super::sha1::{hex, Sha1};
use crate::keyspace::{ExpireMode, Keyspace, Locks, Obj, Touch, Value, FLAG_VOLATILE, SHARDS};
use crate::resp::Reply;
use bytes::Bytes;
use std::sync::atomic::Ordering;

type Digest = [u8; 20];

fn xor_digest(d: &mut Digest, data: &[u8]) {
    let mut h = Sha1::new();
    h.update(data);
    for (a, b) in d.iter_mut().zip(h.finish()) {
        *a ^= b;
    }
}

fn mix_digest(d: &mut Digest, data: &[u8]) {
    xor_digest(d, data);
    let mut h = Sha1::new();
    h.update(d);
    *d = h.finish();
}

/// Redis's object type numbers (OBJ_STRING ... OBJ_HASH), which the digest mixes in.
fn type_code(v: &Value) -> u32 {
    match v {
        Value::Str(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
    }
}

/// Mixes one value (and its TTL marker) into a key's digest.
pub fn value_digest(d: &mut Digest, v: &Value, has_expire: bool) {
    mix_digest(d, &type_code(v).to_be_bytes());
    match v {
        Value::Str(s) => mix_digest(d, s),
        Value::List(l) => {
            for e in l.iter() {
                mix_digest(d, e);
            }
        }
        Value::Set(s) => s.for_each(|m| xor_digest(d, m)),
        Value::ZSet(z) => {
            for (m, score) in z.iter() {
                let mut e = [0u8; 20];
                mix_digest(&mut e, m);
                mix_digest(&mut e, crate::util::num::fmt_g17(score).as_bytes());
                xor_digest(d, &e);
            }
        }
        Value::Hash(h) => {
            for (f, v) in h.iter() {
                let mut e = [0u8; 20];
                mix_digest(&mut e, f);
                mix_digest(&mut e, v);
                xor_digest(d, &e);
            }
        }
    }
    if has_expire {
        xor_digest(d, b"!!expire!!");
    }
}

/// The digest of one key and its value, as the dataset digest XORs it in.
pub fn key_digest(key: &[u8], v: &Value, has_expire: bool) -> Digest {
    let mut d = [0u8; 20];
    mix_digest(&mut d, key);
    value_digest(&mut d, v, has_expire);
    d
}

/// Folds one non-empty database into the dataset digest.
pub fn mix_db(total: &mut Digest, db: usize, key_digests: impl Iterator<Item = Digest>) {
    mix_digest(total, &(db as u32).to_be_bytes());
    for k in key_digests {
        xor_digest(total, &k);
    }
}

/// Runs `f` with the shards of `mask` locked.
///
/// DEBUG runs with no lock policy (so that SLEEP stalls nothing else), so normally the
/// command holds no shard: they are locked here, in ascending order, for the duration
/// of `f`, and keys found expired meanwhile are reported as the gate would. Inside EXEC
/// the transaction may already hold some shards; locking one again would deadlock this
/// thread, so then the command's own `Locks` is used, which reuses held guards (and the
/// gate reports expired keys).
fn with_shards<R>(ctx: &mut Ctx, mask: u32, f: impl FnOnce(&mut Locks<'_>) -> R) -> R {
    if (0..SHARDS).any(|i| ctx.locks.holds(i)) {
        for i in (0..SHARDS).filter(|i| mask & (1 << i) != 0) {
            ctx.locks.shard(i);
        }
        return f(ctx.locks);
    }
    let mut locks = ctx.srv.ks.lock_shards(mask);
    let r = f(&mut locks);
    let expired = std::mem::take(&mut locks.expired);
    if !expired.is_empty() {
        crate::cmd::gate::after_expire(ctx.srv, ctx.settings, &expired);
    }
    r
}

/// Every shard.
const ALL_SHARDS: u32 = u32::MAX >> (32 - SHARDS);

/// DEBUG DIGEST over the whole keyspace.
fn dataset_digest(locks: &mut Locks<'_>, databases: usize) -> Digest {
    let mut total = [0u8; 20];
    for db in 0..databases {
        let nonempty = (0..SHARDS).any(|i| locks.part_of_shard(db, i).keys > 0);
        if !nonempty {
            continue;
        }
        let mut keys: Vec<Digest> = Vec::new();
        for i in 0..SHARDS {
            let part = locks.part_of_shard(db, i);
            let slots: Vec<u16> = part.slots_with_tables(i).collect();
            for slot in slots {
                let Some(t) = part.table(slot) else { continue };
                for (k, obj) in t.keys.iter() {
                    keys.push(key_digest(k, &obj.val, obj.flags & FLAG_VOLATILE != 0));
                }
            }
        }
        mix_db(&mut total, db, keys.into_iter());
    }
    total
}

pub fn debug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let sub = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
    let n = argv.len();
    match (sub.as_str(), n) {
        ("help", 2) => Ok(debug_help()),
        ("sleep", 3) => {
            // Redis reads the seconds with strtod: junk is 0.
            let secs = crate::util::num::parse_f64(&argv[2]).unwrap_or(0.0);
            if secs > 0.0 && secs.is_finite() {
                // Stalling is the point of DEBUG SLEEP; only this worker thread stops.
                std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e6)));
            }
            Ok(Reply::OK)
        }
        ("set-active-expire", 3) => {
            let on = crate::util::num::parse_i64(&argv[2]).unwrap_or(0) != 0;
            ctx.srv.active_expire.store(on, Ordering::Relaxed);
            Ok(Reply::OK)
        }
        ("object", 3) => object(ctx, &argv[2]),
        ("populate", 3..=5) => populate(ctx, argv),
        ("digest", 2) => {
            let dbs = ctx.srv.ks.databases;
            let d = with_shards(ctx, ALL_SHARDS, |l| dataset_digest(l, dbs));
            Ok(Reply::Status(hex(&d).into()))
        }
        ("digest-value", _) => {
            let mut out = Vec::with_capacity(n - 2);
            for k in &argv[2..] {
                let d = with_key(ctx, k, |o, has_expire| {
                    let mut d = [0u8; 20];
                    value_digest(&mut d, &o.val, has_expire);
                    d
                })
                .unwrap_or([0u8; 20]);
                out.push(Reply::Status(hex(&d).into()));
            }
            Ok(Reply::Array(out))
        }
        ("change-repl-id", 2) => {
            super::info::change_replid();
            tracing::info!("Changing replication IDs after receiving DEBUG change-repl-id");
            Ok(Reply::OK)
        }
        ("protocol", 3) => protocol(ctx, &argv[2]),
        ("pause-cron", 3) => {
            let on = crate::util::num::parse_i64(&argv[2]).unwrap_or(0) != 0;
            ctx.srv.cron_paused.store(on, Ordering::Relaxed);
            Ok(Reply::OK)
        }
        ("replybuffer", 4) => {
            let what = String::from_utf8_lossy(&argv[2]).to_ascii_lowercase();
            let val = String::from_utf8_lossy(&argv[3]).to_ascii_lowercase();
            match what.as_str() {
                "peak-reset-time" => {
                    let ms = match val.as_str() {
                        "never" => -1,
                        "reset" => crate::server::REPLY_BUFFER_PEAK_RESET_MS,
                        v => v.parse::<i64>().map_err(|_| CmdError::NotInteger)?,
                    };
                    ctx.srv.reply_buffer_peak_reset_ms.store(ms, Ordering::Relaxed);
                }
                "resizing" => {
                    let on = crate::util::num::parse_i64(&argv[3]).ok_or(CmdError::NotInteger)? != 0;
                    ctx.srv.reply_buffer_resizing.store(on, Ordering::Relaxed);
                }
                _ => return Err(CmdError::err("Syntax error, DEBUG REPLYBUFFER [PEAK-RESET-TIME <milliseconds>|RESIZING <0|1>]")),
            }
            Ok(Reply::OK)
        }
        ("config-rewrite-force-all", 2) => {
            let store = ctx.srv.config.lock().unwrap_or_else(|e| e.into_inner());
            let Some(path) = store.file.clone() else {
                return Err(CmdError::err("The server is running without a config file"));
            };
            match crate::config::load::rewrite(&store, &path, true) {
                Ok(()) => Ok(Reply::OK),
                Err(e) => Err(CmdError::err(format!("CONFIG-REWRITE-FORCE-ALL failed: {e}"))),
            }
        }
        ("quicklist-packed-threshold", 3) => packed_threshold(&argv[2]),
        ("log", 3) => {
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&argv[2]));
            Ok(Reply::OK)
        }
        ("reload", _) => reload(ctx, &argv[2..]),
        ("loadaof", 2) => loadaof(ctx),
        ("error", 3) => Err(CmdError::Msg(String::from_utf8_lossy(&argv[2]).into_owned().into())),
        _ => Err(CmdError::err(format!("unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.", String::from_utf8_lossy(&argv[1])))),
    }
}

/// Runs `f` on a live key of the client's database (no access-time update); None if
/// the key does not exist. A key found expired is deleted and reported by the gate.
fn with_key<R>(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(&Obj, bool) -> R) -> Option<R> {
    let (db, now) = (ctx.sess.db, ctx.now_ms);
    let mode = if ctx.srv.is_replica() { ExpireMode::HideOnly } else { ExpireMode::Delete };
    with_shards(ctx, Keyspace::mask_for_keys([key]), |locks| {
        let saved = std::mem::replace(&mut locks.touch, Touch::None);
        let r = locks.lookup(db, key, now, mode).map(|o| {
            let has_expire = o.flags & FLAG_VOLATILE != 0;
            f(o, has_expire)
        });
        locks.touch = saved;
        r
    })
}

/// Bytes of an RDB length prefix.
fn rdb_len_bytes(n: usize) -> usize {
    match n {
        0..=63 => 1,
        64..=16383 => 2,
        _ if n <= u32::MAX as usize => 5,
        _ => 9,
    }
}

/// Approximate bytes of a string in an RDB file (integers in 8/16/32 bits get Redis's
/// special encodings; LZF compression is not modelled).
fn rdb_string_len(s: &[u8]) -> usize {
    if s.len() <= 11 {
        if let Some(v) = crate::util::num::parse_i64(s) {
            if (i8::MIN as i64..=i8::MAX as i64).contains(&v) {
                return 2;
            }
            if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
                return 3;
            }
            if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
                return 5;
            }
        }
    }
    rdb_len_bytes(s.len()) + s.len()
}

/// Approximate serialized length of a value (DEBUG OBJECT's serializedlength).
fn serialized_len(v: &Value) -> usize {
    match v {
        Value::Str(s) => rdb_string_len(s),
        Value::List(l) => {
            let body: usize = l.iter().map(|e| 1 + e.len() + 1).sum::<usize>() + 7;
            rdb_len_bytes(1) + rdb_len_bytes(body) + body
        }
        Value::Set(s) => {
            let mut n = rdb_len_bytes(s.len());
            s.for_each(|m| n += rdb_string_len(m));
            n
        }
        Value::ZSet(z) => rdb_len_bytes(z.len()) + z.iter().map(|(m, _)| rdb_string_len(m) + 8).sum::<usize>(),
        Value::Hash(h) => rdb_len_bytes(h.len()) + h.iter().map(|(f, v)| rdb_string_len(f) + rdb_string_len(v)).sum::<usize>(),
    }
}

fn object(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let list_max = ctx.settings.list_max_listpack_size;
    let line = with_key(ctx, key, |o, _| {
        let idle = crate::server::evict::idle_ms(o.lru) / 1000;
        let mut s = format!(
            "Value at:{:p} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
            o as *const Obj,
            o.encoding_name(),
            serialized_len(&o.val),
            o.lru,
            idle
        );
        if let Value::List(l) = &o.val {
            // Redis's quicklist details: nodes of at most 8 KB (list-max-listpack-size -2).
            let size: usize = l.iter().map(|e| e.len() + 2).sum::<usize>() + 7;
            let node_bytes = match list_max {
                n if n < 0 => 4096usize << ((-n).clamp(1, 5) - 1),
                _ => usize::MAX,
            };
            let nodes = if list_max > 0 { l.len().div_ceil(list_max as usize) } else { size.div_ceil(node_bytes) }.max(1);
            s.push_str(&format!(" ql_nodes:{nodes} ql_avg_node:{:.2} ql_listpack_max:{list_max} ql_compressed:0 ql_uncompressed_size:{size}", l.len() as f64 / nodes as f64));
        }
        s
    });
    match line {
        Some(l) => Ok(Reply::Status(l.into())),
        None => Err(CmdError::NoSuchKey),
    }
}

/// Redis's getPositiveLongFromObjectOrReply: one message for junk and negatives.
fn positive(a: &[u8]) -> Result<i64, CmdError> {
    match crate::util::num::parse_i64(a) {
        Some(v) if v >= 0 => Ok(v),
        _ => Err(CmdError::err("value is out of range, must be positive")),
    }
}

/// DEBUG POPULATE <count> [prefix] [size]: adds `prefix:N` = `value:N` (padded with NUL
/// bytes or cut to `size`) for N in 0..count, skipping keys that exist. Not propagated,
/// as in Redis.
fn populate(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = positive(&argv[2])? as u64;
    let prefix: &[u8] = argv.get(3).map_or(b"key", |p| &p[..]);
    let size = match argv.get(4) {
        Some(a) => Some(positive(a)? as usize),
        None => None,
    };
    let (db, now) = (ctx.sess.db, ctx.now_ms);
    let touch = crate::server::evict::touch_for(ctx.settings);
    with_shards(ctx, ALL_SHARDS, |locks| {
        let saved = std::mem::replace(&mut locks.touch, touch);
        let mut key = Vec::with_capacity(prefix.len() + 21);
        for j in 0..count {
            key.clear();
            key.extend_from_slice(prefix);
            key.push(b':');
            key.extend_from_slice(j.to_string().as_bytes());
            if locks.exists(db, &key, now, ExpireMode::Delete) {
                continue;
            }
            let mut val = format!("value:{j}").into_bytes();
            if let Some(n) = size {
                val.resize(n, 0);
            }
            locks.set(db, &key, Value::str(&val), false);
        }
        locks.touch = saved;
    });
    Ok(Reply::OK)
}

/// Largest DEBUG QUICKLIST-PACKED-THRESHOLD Redis accepts: 4 GiB less the 1 MiB it
/// keeps for a listpack's own overhead.
const PACKED_THRESHOLD_MAX: i64 = (1 << 32) - (1 << 20);

/// DEBUG QUICKLIST-PACKED-THRESHOLD <size>: in Redis, elements of at least this size get
/// a quicklist node of their own ("plain" nodes). slotd's list nodes already hold a
/// large element alone, so the setting has nothing to change: it is validated as Redis
/// does and accepted.
fn packed_threshold(arg: &[u8]) -> CmdResult {
    let v = std::str::from_utf8(arg).ok().and_then(crate::config::value::parse_memory);
    match v {
        Some(n) if (0..=PACKED_THRESHOLD_MAX).contains(&n) => Ok(Reply::OK),
        _ => Err(CmdError::err("argument must be a memory value bigger than 1 and smaller than 4gb")),
    }
}

/// DEBUG PROTOCOL <type>: a sample reply of each RESP3 type (client libraries test their
/// parsers with it). `attrib` is an attribute followed by the reply it annotates (RESP2
/// clients get the reply only).
fn protocol(ctx: &mut Ctx, name: &[u8]) -> CmdResult {
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let ints = || (0..3).map(Reply::Int).collect::<Vec<_>>();
    Ok(match name.as_str() {
        "string" => Reply::bulk(b"Hello World"),
        "integer" => Reply::Int(12345),
        // Redis's DEBUG PROTOCOL answers this literal, not PI.
        #[allow(clippy::approx_constant)]
        "double" => Reply::Double(3.141),
        "bignum" => Reply::BigNumber("1234567999999999999999999999999999999".into()),
        "null" => Reply::Nil,
        "array" => Reply::Array(ints()),
        "set" => Reply::Set(ints()),
        "map" => Reply::Map((0..3).map(|i| (Reply::Int(i), Reply::Bool(i == 1))).collect()),
        "attrib" => Reply::Seq(vec![
            Reply::Attribute(vec![(Reply::bulk(b"key-popularity"), Reply::Array(vec![Reply::bulk(b"key:123"), Reply::Int(90)]))]),
            Reply::bulk(b"Some real reply following the attribute"),
        ]),
        "push" => {
            if ctx.sess.resp < 3 {
                return Err(CmdError::err("RESP2 is not supported by this command"));
            }
            Reply::Seq(vec![Reply::Push(vec![Reply::bulk(b"server-cpu-usage"), Reply::Int(42)]), Reply::bulk(b"Some real reply following the push reply")])
        }
        "verbatim" => Reply::Verbatim("txt", b"This is a verbatim\nstring".to_vec()),
        "true" => Reply::Bool(true),
        "false" => Reply::Bool(false),
        _ => return Err(CmdError::err("Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")),
    })
}

/// Empties every database before a reload (Redis's emptyData): WATCHes are broken.
fn empty_all(srv: &crate::server::Server) {
    let mut all = srv.ks.lock_all();
    for db in 0..srv.ks.databases {
        for i in 0..SHARDS {
            let part = all.part_of_shard(db, i);
            part.signal_all_watchers();
            part.clear();
        }
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the dataset, empty memory, load the
/// file back. NOFLUSH without MERGE meets duplicate keys and fails (Redis crashes
/// there; slotd answers the load error and keeps what it has).
fn reload(ctx: &mut Ctx, opts: &[Bytes]) -> CmdResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for o in opts {
        match o.to_ascii_lowercase().as_slice() {
            b"merge" => merge = true,
            b"noflush" => flush = false,
            b"nosave" => save = false,
            _ => return Err(CmdError::err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")),
        }
    }
    // Saving and flushing take every shard: impossible under shards a transaction holds.
    if ctx.locks.holds_any() {
        return Err(CmdError::err("DEBUG RELOAD can't run inside a transaction holding keys"));
    }
    if save && crate::server::saving::save_counted(ctx.srv, false).is_err() {
        return Ok(Reply::Error("ERR".into()));
    }
    if flush {
        empty_all(ctx.srv);
    }
    let path = crate::server::saving::rdb_path(ctx.srv);
    if let Err(e) = crate::persist::rdb_file::load(&ctx.srv.ks, &path, ctx.settings, merge) {
        tracing::warn!("{e}");
        return Err(CmdError::err("Error trying to load the RDB dump"));
    }
    tracing::warn!("DB reloaded by DEBUG RELOAD");
    Ok(Reply::OK)
}

/// DEBUG LOADAOF: write out what the AOF buffers, empty memory, and load the data set
/// back from the AOF files the manifest on disk names. As in Redis, a load that fails
/// ends the process (memory is already empty: serving on would serve nothing).
fn loadaof(ctx: &mut Ctx) -> CmdResult {
    if ctx.locks.holds_any() {
        return Err(CmdError::err("DEBUG LOADAOF can't run inside a transaction holding keys"));
    }
    let srv = ctx.srv;
    if srv.aof.is_on() {
        srv.aof.write_through(srv.propagation.seq());
    }
    empty_all(srv);
    let s = ctx.settings;
    let dir = crate::persist::aof::aof_dir(s);
    let m = match crate::persist::aof::manifest::load(&dir, &s.appendfilename) {
        Ok(m) => m.unwrap_or_default(),
        Err(lines) => {
            for l in lines {
                tracing::warn!("{l}");
            }
            std::process::exit(1);
        }
    };
    let loaded = crate::persist::aof::load::load_all(srv, &dir, &s.appendfilename, &m, crate::persist::aof::load::Options { load_truncated: s.aof_load_truncated });
    srv.loading.stop();
    use crate::persist::aof::load::Outcome;
    if !matches!(loaded.outcome, Outcome::Ok | Outcome::Empty | Outcome::Truncated | Outcome::NotExist) {
        tracing::warn!("DEBUG LOADAOF failed to load the AOF; exiting");
        std::process::exit(1);
    }
    srv.stats.dirty.store(0, Ordering::Relaxed);
    tracing::warn!("Append Only File loaded by DEBUG LOADAOF");
    Ok(Reply::OK)
}

fn debug_help() -> Reply {
    help(&[
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANGE-REPL-ID",
        "    Pick new replication ids (for replication tests only).",
        "CONFIG-REWRITE-FORCE-ALL",
        "    CONFIG REWRITE, writing every option including defaults.",
        "DIGEST",
        "    A hex fingerprint of the whole dataset (all zeros when empty).",
        "DIGEST-VALUE <key> [<key> ...]",
        "    A hex fingerprint of each named key's value.",
        "ERROR <string>",
        "    Answer with an error reply carrying <string> (for client tests).",
        "LOADAOF",
        "    Write out the AOF buffer, empty memory and load the data set from the AOF.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Internal details of <key>'s value: encoding, refcount, size.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Add <count> string keys <prefix>:<n> (prefix 'key' by default), values",
        "    'value:<n>' or <size> bytes; not propagated, slot ownership ignored.",
        "PAUSE-CRON <0|1>",
        "    Suspend (1) or resume (0) the periodic background tasks.",
        "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
        "    How often (ms) reply buffer peaks are reset; NEVER keeps them, RESET",
        "    restores the default.",
        "REPLYBUFFER RESIZING <0|1>",
        "    Turn reply buffer resizing off (0) or on (1).",
        "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
        "    Save the dataset to the RDB file, empty memory and load the file back;",
        "    MERGE keeps the file's value on duplicates, NOFLUSH keeps memory, NOSAVE",
        "    loads the existing file.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Element size above which list elements are stored as plain nodes",
        "    (0 restores the default of 1GB; at most 4GB).",
        "PROTOCOL <type>",
        "    A sample reply of <type>: string, integer, double, bignum, null, array,",
        "    set, map, attrib, push, verbatim, true or false.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Stop (0) or restart (1) the background expiry of keys nobody reads.",
        "SLEEP <seconds>",
        "    Block the server for <seconds> (fractions allowed).",
        "HELP",
        "    Show this text.",
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Settings, Store};
    use crate::keyspace::types::{hash::Hash, list::List, set::Set, zset::ZSet};

    fn settings() -> Settings {
        Settings::from_store(&Store::new())
    }

    fn dataset(dbs: &[(usize, Vec<Digest>)]) -> String {
        let mut total = [0u8; 20];
        for (db, keys) in dbs {
            mix_db(&mut total, *db, keys.iter().copied());
        }
        hex(&total)
    }

    // Golden values below were produced by redis-server 7.0.15 (DEBUG DIGEST and
    // DEBUG DIGEST-VALUE after the writes named in each comment).
    #[test]
    fn string_digests_match_redis() {
        // SET k v
        assert_eq!(dataset(&[(0, vec![key_digest(b"k", &Value::str(b"v"), false)])]), "264ccf65edec66bccfa7cc659414ccca432057d2");
        // SET k v; PEXPIRE k <any>
        assert_eq!(dataset(&[(0, vec![key_digest(b"k", &Value::str(b"v"), true)])]), "bf83f210388eea94f06fb90d517490e16a08d7dd");
        assert_eq!(dataset(&[]), "0000000000000000000000000000000000000000");
    }

    #[test]
    fn aggregate_digests_match_redis() {
        let s = settings();
        // ZADD z 1.5 a 2 b 3.1 c
        let mut z = ZSet::new();
        for (m, sc) in [("a", 1.5), ("b", 2.0), ("c", 3.1)] {
            z.insert(m.as_bytes(), sc, &s);
        }
        assert_eq!(dataset(&[(0, vec![key_digest(b"z", &Value::ZSet(Box::new(z)), false)])]), "341418bed90cda9b4bd2013e9c5d675e8af90dae");
        // SET a hello; LPUSH l a b
        let mut l = List::new();
        l.push_back(b"b");
        l.push_back(b"a");
        let l = Value::List(Box::new(l));
        assert_eq!(dataset(&[(0, vec![key_digest(b"a", &Value::str(b"hello"), false), key_digest(b"l", &l, false)])]), "abf66d109c251387ae3624b133e7cf04d95fcce7");
        let mut d = [0u8; 20];
        value_digest(&mut d, &l, false);
        assert_eq!(hex(&d), "332bd4d2165f2dd7611ec5bfb352131693765663");
        // SADD s 1 2 x; HSET h f v f2 v2; SELECT 1; SET k v
        let mut set = Set::new();
        for m in ["1", "2", "x"] {
            set.insert(m.as_bytes(), &s);
        }
        let mut h = Hash::new();
        h.insert(b"f", b"v", &s);
        h.insert(b"f2", b"v2", &s);
        let (set, h) = (Value::Set(Box::new(set)), Value::Hash(Box::new(h)));
        let mut d = [0u8; 20];
        value_digest(&mut d, &set, false);
        assert_eq!(hex(&d), "4c6eef6b7853d1b76391c849d71b0d35d3faf18f");
        let mut d = [0u8; 20];
        value_digest(&mut d, &h, false);
        assert_eq!(hex(&d), "e10e1521ae1a86ad572969ec981152f56b33afcf");
        let got = dataset(&[(0, vec![key_digest(b"s", &set, false), key_digest(b"h", &h, false)]), (1, vec![key_digest(b"k", &Value::str(b"v"), false)])]);
        assert_eq!(got, "c912f387f509271d958abf04d090389aba872850");
    }
}
