//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, SLOWLOG, LATENCY, MEMORY,
//! MONITOR, SHUTDOWN here; COMMAND (`server_command.rs`), CONFIG (`server_config.rs`),
//! INFO (`info.rs`) and DEBUG (`debug.rs`) in their own files.
//!
//! None of these commands touch keys named by their arguments except FLUSH* (which lock
//! every shard) and MEMORY USAGE (its key spec); the rest read server-wide state under
//! that state's own short-held lock.
#[path = "debug.rs"]
mod debug;
#[path = "info.rs"]
pub mod info;
#[path = "server_command.rs"]
mod server_command;
#[path = "server_config.rs"]
mod server_config;
#[path = "../util/sha1.rs"]
pub mod sha1;

use super::args::{self, is};
use super::{def, def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use crate::keyspace::{Obj, Value, SHARDS};
use crate::resp::Reply;
use crate::server::client::flags;
use crate::server::ShutdownRequest;
use bytes::Bytes;
use std::sync::atomic::Ordering;

pub fn defs() -> Vec<Def> {
    let mut v = vec![
        def_lock("dbsize", dbsize, LockPolicy::None),
        def_lock("flushdb", flushdb, LockPolicy::All),
        def_lock("flushall", flushall, LockPolicy::All),
        def_lock("time", time, LockPolicy::None),
        def_lock("lastsave", lastsave, LockPolicy::None),
        def_lock("save", save, LockPolicy::None),
        def_lock("bgsave", bgsave, LockPolicy::None),
        def_lock("bgrewriteaof", bgrewriteaof, LockPolicy::None),
        def_lock("slowlog|get", slowlog_get, LockPolicy::None),
        def_lock("slowlog|len", slowlog_len, LockPolicy::None),
        def_lock("slowlog|reset", slowlog_reset, LockPolicy::None),
        def_lock("slowlog|help", slowlog_help, LockPolicy::None),
        def_lock("latency|latest", latency_latest, LockPolicy::None),
        def_lock("latency|history", latency_history, LockPolicy::None),
        def_lock("latency|reset", latency_reset, LockPolicy::None),
        def_lock("latency|doctor", latency_doctor, LockPolicy::None),
        def_lock("latency|graph", latency_graph, LockPolicy::None),
        def_lock("latency|help", latency_help, LockPolicy::None),
        def_lock("latency|histogram", latency_histogram, LockPolicy::None),
        def("memory|usage", memory_usage),
        def_lock("memory|stats", memory_stats, LockPolicy::None),
        def_lock("memory|doctor", memory_doctor, LockPolicy::None),
        def_lock("memory|malloc-stats", memory_malloc_stats, LockPolicy::None),
        def_lock("memory|purge", memory_purge, LockPolicy::None),
        def_lock("memory|help", memory_help, LockPolicy::None),
        def_lock("monitor", monitor, LockPolicy::None),
        def_lock("shutdown", shutdown, LockPolicy::None),
        def_lock("info", info::info, LockPolicy::None),
        def_lock("debug", debug::debug, LockPolicy::None),
    ];
    v.extend(server_command::defs());
    v.extend(server_config::defs());
    v
}

/// A HELP reply: one status line per line, as Redis's addReplyHelp sends them.
pub(crate) fn help(lines: &[&'static str]) -> Reply {
    Reply::Array(lines.iter().map(|l| Reply::status(l)).collect())
}

fn dbsize(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let db = ctx.sess.db;
    Ok(Reply::Int(key_counts(ctx)[db].0 as i64))
}

/// (keys, keys with a TTL) per database.
///
/// Normally the command holds no shard and each is locked briefly in turn. Inside EXEC
/// the transaction may hold some shards already; locking one of those again would
/// deadlock this thread, so then every shard is read through the command's `Locks`
/// (which reuses held guards and takes the others).
pub(crate) fn key_counts(ctx: &mut Ctx) -> Vec<(usize, usize)> {
    if !(0..SHARDS).any(|i| ctx.locks.holds(i)) {
        return ctx.srv.ks.counts();
    }
    let dbs = ctx.srv.ks.databases;
    let mut out = vec![(0, 0); dbs];
    for i in 0..SHARDS {
        for (db, o) in out.iter_mut().enumerate() {
            let p = ctx.locks.part_of_shard(db, i);
            o.0 += p.keys;
            o.1 += p.volatile;
        }
    }
    out
}

/// `[ASYNC|SYNC]`: both free synchronously here (slotd has no lazy-free thread; the
/// observable result is the same).
fn flush_mode(argv: &[Bytes]) -> Result<(), CmdError> {
    match argv.len() {
        1 => Ok(()),
        2 if is(&argv[1], "async") || is(&argv[1], "sync") => Ok(()),
        _ => Err(CmdError::Syntax),
    }
}

/// Empties one database in every shard (all shards are held); returns the keys removed.
///
/// WATCHes are invalidated for the keys that existed, as Redis 7.0 does (a WATCH of a
/// missing key survives a flush: the key is still missing).
fn flush_db(ctx: &mut Ctx, db: usize) -> usize {
    let mut n = 0;
    for i in 0..SHARDS {
        let part = ctx.locks.part_of_shard(db, i);
        if !part.watched.is_empty() {
            let existing: Vec<crate::keyspace::SmallBytes> = part
                .watched
                .keys()
                .filter(|k| part.table(crate::cluster::slot::key_slot(k)).is_some_and(|t| t.keys.contains_key(k)))
                .cloned()
                .collect();
            for k in existing {
                part.signal_watchers(&k);
            }
        }
        n += part.clear();
    }
    n
}

fn flushdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    flush_mode(argv)?;
    let db = ctx.sess.db;
    let n = flush_db(ctx, db);
    // Redis counts the removed keys and propagates the flush even when there were none.
    ctx.dirty += n as u64;
    ctx.force_propagate = true;
    Ok(Reply::OK)
}

fn flushall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    flush_mode(argv)?;
    let mut n = 0;
    for db in 0..ctx.srv.ks.databases {
        n += flush_db(ctx, db);
    }
    ctx.dirty += n as u64;
    ctx.force_propagate = true;
    // With every shard still held, the keyspace is empty: a running save is called off
    // and (with save points) an empty file written, which leaves nothing unsaved.
    crate::server::saving::after_flushall(ctx.srv, ctx.settings);
    if !ctx.settings.save_points.is_empty() {
        ctx.dirty = 0;
    }
    Ok(Reply::OK)
}

fn time(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let us = crate::util::time::now_us();
    Ok(Reply::Array(vec![Reply::bulk_i64(us / 1_000_000), Reply::bulk_i64(us % 1_000_000)]))
}

fn lastsave(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.srv.lastsave_secs.load(Ordering::Relaxed)))
}

/// SAVE: the snapshot is on disk when the reply comes (Redis answers a bare `-ERR`
/// when the write fails; the log says why).
fn save(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match crate::server::saving::save(ctx.srv) {
        Ok(()) => Ok(Reply::OK),
        Err(e) if e.starts_with("Background save already") => Err(CmdError::err(e)),
        Err(_) => Ok(Reply::Error("ERR".into())),
    }
}

/// BGSAVE [SCHEDULE].
fn bgsave(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    use crate::server::saving::BgsaveRefusal;
    let schedule = match argv.len() {
        1 => false,
        2 if is(&argv[1], "schedule") => true,
        _ => return Err(CmdError::Syntax),
    };
    let Some(srv) = ctx.srv.this.get().and_then(|w| w.upgrade()) else { return Err(CmdError::err("server is shutting down")) };
    match crate::server::saving::bgsave(&srv, schedule, ctx.locks.holds_any()) {
        Ok(()) => Ok(Reply::status("Background saving started")),
        Err(BgsaveRefusal::InProgress) => Err(CmdError::err("Background save already in progress")),
        Err(BgsaveRefusal::OtherChild { scheduled: true }) => Ok(Reply::status("Background saving scheduled")),
        Err(BgsaveRefusal::OtherChild { scheduled: false }) => Err(CmdError::err("Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")),
    }
}

/// BGREWRITEAOF.
fn bgrewriteaof(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(srv) = ctx.srv.this.get().and_then(|w| w.upgrade()) else { return Err(CmdError::err("server is shutting down")) };
    match crate::server::aof_rewrite::bgrewriteaof(&srv, ctx.locks.holds_any()) {
        Ok(status) => Ok(Reply::status(status)),
        Err(e) => Err(CmdError::err(e)),
    }
}

// ---- SLOWLOG

/// Entries SLOWLOG GET returns without a count.
const SLOWLOG_DEFAULT_COUNT: usize = 10;

fn slowlog_get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::err(format!("unknown subcommand or wrong number of arguments for '{}'. Try SLOWLOG HELP.", String::from_utf8_lossy(&argv[1]))));
    }
    let count = match argv.get(2) {
        None => SLOWLOG_DEFAULT_COUNT,
        Some(a) => match crate::util::num::parse_i64(a) {
            Some(-1) => usize::MAX,
            Some(n) if n >= 0 => n as usize,
            _ => return Err(CmdError::err("count should be greater than or equal to -1")),
        },
    };
    let log = ctx.srv.slowlog.lock().unwrap_or_else(|e| e.into_inner());
    let entries = log
        .entries
        .iter()
        .take(count)
        .map(|e| {
            Reply::Array(vec![
                Reply::Int(e.id as i64),
                Reply::Int(e.time_secs),
                Reply::Int(e.duration_us as i64),
                Reply::Array(e.argv.iter().map(|a| Reply::bulk(a)).collect()),
                Reply::bulk_str(&e.client_addr),
                Reply::bulk_str(&e.client_name),
            ])
        })
        .collect();
    Ok(Reply::Array(entries))
}

fn slowlog_len(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.srv.slowlog.lock().unwrap_or_else(|e| e.into_inner()).entries.len() as i64))
}

fn slowlog_reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.srv.slowlog.lock().unwrap_or_else(|e| e.into_inner()).reset();
    Ok(Reply::OK)
}

fn slowlog_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(help(&[
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    The <count> newest entries (10 by default, -1 for every entry). Each holds:",
        "    id, Unix time, duration in microseconds, arguments, client address, client name.",
        "LEN",
        "    How many entries the slow log holds.",
        "RESET",
        "    Empty the slow log.",
        "HELP",
        "    Show this text.",
    ]))
}

// ---- LATENCY

fn latency_latest(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let lat = ctx.srv.latency.lock().unwrap_or_else(|e| e.into_inner());
    let rows = lat
        .events
        .iter()
        .filter_map(|(name, s)| {
            let (t, ms) = *s.samples.last()?;
            Some(Reply::Array(vec![Reply::bulk_str(name), Reply::Int(t), Reply::Int(ms as i64), Reply::Int(s.max_ms as i64)]))
        })
        .collect();
    Ok(Reply::Array(rows))
}

fn latency_history(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&argv[2]);
    let lat = ctx.srv.latency.lock().unwrap_or_else(|e| e.into_inner());
    let rows = match lat.events.get(name.as_ref()) {
        Some(s) => s.samples.iter().map(|(t, ms)| Reply::Array(vec![Reply::Int(*t), Reply::Int(*ms as i64)])).collect(),
        None => Vec::new(),
    };
    Ok(Reply::Array(rows))
}

fn latency_reset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let events: Vec<String> = argv[2..].iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let n = ctx.srv.latency.lock().unwrap_or_else(|e| e.into_inner()).reset(&events);
    Ok(Reply::Int(n as i64))
}

fn latency_doctor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let text = if ctx.settings.latency_monitor_threshold_ms == 0 {
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".to_string()
    } else {
        let lat = ctx.srv.latency.lock().unwrap_or_else(|e| e.into_inner());
        if lat.events.is_empty() {
            "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n".to_string()
        } else {
            let mut s = String::from("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
            for (i, (name, series)) in lat.events.iter().enumerate() {
                let n = series.samples.len().max(1) as u64;
                let avg = series.samples.iter().map(|(_, m)| *m).sum::<u64>() / n;
                s.push_str(&format!("{}. {}: {} latency spikes (average {}ms, mean deviation 0ms, period 0 sec). Worst all time event {}ms.\n", i + 1, name, series.samples.len(), avg, series.max_ms));
            }
            s.push_str("\nI have a few advices for you:\n\n- Check your system and the latency of the commands you run (SLOWLOG GET).\n");
            s
        }
    };
    Ok(Reply::Verbatim("txt", text.into_bytes()))
}

fn latency_graph(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&argv[2]).into_owned();
    let lat = ctx.srv.latency.lock().unwrap_or_else(|e| e.into_inner());
    let Some(series) = lat.events.get(&name) else {
        return Err(CmdError::err(format!("No samples available for event '{name}'")));
    };
    // A compact rendering: one line per sample (Redis draws an ASCII chart; tools do not
    // parse it).
    let mut s = format!("{name} - high {} ms, low {} ms (all time high {} ms)\n", series.samples.iter().map(|x| x.1).max().unwrap_or(0), series.samples.iter().map(|x| x.1).min().unwrap_or(0), series.max_ms);
    s.push_str(&"-".repeat(80));
    s.push('\n');
    let now = crate::util::time::now_secs();
    for (t, ms) in &series.samples {
        s.push_str(&format!("{:>6}s ago: {} ms\n", now - t, ms));
    }
    Ok(Reply::Verbatim("txt", s.into_bytes()))
}

/// LATENCY HISTOGRAM [command ...]: per command, its calls and cumulative latency
/// distribution. A container command stands for its subcommands; unknown names and
/// commands never called are left out.
fn latency_histogram(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let srv = ctx.srv;
    let mut chosen: Vec<&crate::cmd::table::Command> = Vec::new();
    if argv.len() == 2 {
        chosen = info::all_commands(srv);
    } else {
        for a in &argv[2..] {
            let name = String::from_utf8_lossy(a).to_ascii_lowercase();
            let (parent, sub) = match name.split_once('|') {
                Some((p, s)) => (p, Some(s)),
                None => (name.as_str(), None),
            };
            let Some(c) = srv.table.get(parent.as_bytes()) else { continue };
            match sub {
                Some(s) => chosen.extend(c.subcommands.get(s)),
                None => {
                    chosen.push(c);
                    let mut subs: Vec<_> = c.subcommands.values().collect();
                    subs.sort_by_key(|s| s.name);
                    chosen.extend(subs);
                }
            }
        }
    }
    let mut out = Vec::new();
    for c in chosen {
        let Some(h) = srv.command_latency_if_any(c.id) else { continue };
        let cdf = h.cumulative_usec().into_iter().map(|(us, n)| (Reply::Int(us as i64), Reply::Int(n as i64))).collect();
        out.push((Reply::bulk_str(c.name), Reply::Map(vec![(Reply::bulk(b"calls"), Reply::Int(h.total as i64)), (Reply::bulk(b"histogram_usec"), Reply::Map(cdf))])));
    }
    Ok(Reply::Map(out))
}

fn latency_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(help(&[
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    A plain-text reading of the recorded latency events.",
        "GRAPH <event>",
        "    A text chart of the samples of <event>.",
        "HISTORY <event>",
        "    The (time, latency) samples kept for <event>.",
        "LATEST",
        "    The newest sample of every event.",
        "RESET [<event> ...]",
        "    Forget the samples of the named events, or of all events.",
        "HISTOGRAM [COMMAND ...]",
        "    Per-command cumulative latency histograms (every command when none is named).",
        "HELP",
        "    Show this text.",
    ]))
}

// ---- MEMORY

/// Bytes Redis 7.0 charges a key beyond its value: the dict entry (24 B), the key sds
/// header and the robj (16 B), with jemalloc rounding. Calibrated so that a short
/// string key costs what Redis reports for it (MEMORY USAGE of "a"="hello" is 64).
const KEY_OVERHEAD_BYTES: usize = 40;

/// Approximate MEMORY USAGE of a key and its value.
pub(crate) fn object_memory(key: &[u8], obj: &Obj) -> usize {
    let value = match &obj.val {
        Value::Str(s) => {
            if obj.encoding_name() == "int" {
                0
            } else {
                // embstr/raw: the sds header and terminator, rounded up like jemalloc.
                round_alloc(s.len() + 3 + 16) - 16
            }
        }
        v => v.heap_bytes() + 16,
    };
    round_alloc(key.len() + 3) + KEY_OVERHEAD_BYTES + value
}

/// jemalloc's small size classes (8, 16, 32, 48, 64, 80, 96, 112, 128, then 16-byte
/// steps up to 256 and 32 above): MEMORY USAGE reports allocated sizes.
fn round_alloc(n: usize) -> usize {
    match n {
        0..=8 => 8,
        9..=128 => n.div_ceil(16) * 16,
        129..=256 => n.div_ceil(32) * 32,
        257..=512 => n.div_ceil(64) * 64,
        _ => n.div_ceil(128) * 128,
    }
}

fn memory_usage(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut i = 3;
    while i < argv.len() {
        if is(&argv[i], "samples") && i + 1 < argv.len() {
            let n = args::int(&argv[i + 1])?;
            if n < 0 {
                return Err(CmdError::Syntax);
            }
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let key = &argv[2];
    let (db, now) = (ctx.sess.db, ctx.now_ms);
    // MEMORY USAGE does not touch the key's access time (Redis uses LOOKUP_NOTOUCH).
    let saved = std::mem::replace(&mut ctx.locks.touch, crate::keyspace::Touch::None);
    let r = ctx.locks.lookup(db, key, now, crate::keyspace::ExpireMode::Delete).map(|o| object_memory(key, o));
    ctx.locks.touch = saved;
    Ok(r.map_or(Reply::Nil, |n| Reply::Int(n as i64)))
}

/// Resident set size in bytes, from /proc/self/statm (second field, in pages).
pub(crate) fn rss_bytes() -> u64 {
    /// Linux's page size on the platforms slotd targets (x86-64, aarch64 with 4K pages).
    const PAGE_BYTES: u64 = 4096;
    std::fs::read_to_string("/proc/self/statm").ok().and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok())).map_or(0, |p| p * PAGE_BYTES)
}

fn memory_stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let used = crate::server::evict::used_memory();
    let peak = crate::util::alloc::peak_memory() as u64;
    let startup = info::startup_memory();
    let rss = rss_bytes();
    let counts = key_counts(ctx);
    let keys: usize = counts.iter().map(|c| c.0).sum();
    let overhead = startup;
    let dataset = used.saturating_sub(overhead);
    let mut m: Vec<(Reply, Reply)> = Vec::new();
    let mut put = |k: &str, v: Reply| m.push((Reply::bulk_str(k), v));
    put("peak.allocated", Reply::Int(peak as i64));
    put("total.allocated", Reply::Int(used as i64));
    put("startup.allocated", Reply::Int(startup as i64));
    put("replication.backlog", Reply::Int(0));
    put("clients.slaves", Reply::Int(0));
    put("clients.normal", Reply::Int(0));
    put("cluster.links", Reply::Int(0));
    put("aof.buffer", Reply::Int(0));
    put("lua.caches", Reply::Int(0));
    put("functions.caches", Reply::Int(0));
    for (db, (n, vol)) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        // Redis reports its dict bucket arrays; ours are per-slot tables, about one
        // 8-byte bucket per key.
        put(
            &format!("db.{db}"),
            Reply::Map(vec![
                (Reply::bulk_str("overhead.hashtable.main"), Reply::Int((*n * 8) as i64)),
                (Reply::bulk_str("overhead.hashtable.expires"), Reply::Int((*vol * 8) as i64)),
                (Reply::bulk_str("overhead.hashtable.slot-to-keys"), Reply::Int(0)),
            ]),
        );
    }
    put("overhead.total", Reply::Int(overhead as i64));
    put("keys.count", Reply::Int(keys as i64));
    put("keys.bytes-per-key", Reply::Int(if keys > 0 { (used.saturating_sub(startup) / keys as u64) as i64 } else { 0 }));
    put("dataset.bytes", Reply::Int(dataset as i64));
    let pct = |a: u64, b: u64| if b > 0 { a as f64 * 100.0 / b as f64 } else { 0.0 };
    put("dataset.percentage", Reply::Double(pct(dataset, used.saturating_sub(startup).max(1))));
    put("peak.percentage", Reply::Double(pct(used, peak)));
    put("allocator.allocated", Reply::Int(used as i64));
    put("allocator.active", Reply::Int(used as i64));
    put("allocator.resident", Reply::Int(rss as i64));
    put("allocator-fragmentation.ratio", Reply::Double(1.0));
    put("allocator-fragmentation.bytes", Reply::Int(0));
    let rss_ratio = if used > 0 { rss as f64 / used as f64 } else { 0.0 };
    put("allocator-rss.ratio", Reply::Double(rss_ratio));
    put("allocator-rss.bytes", Reply::Int(rss as i64 - used as i64));
    put("rss-overhead.ratio", Reply::Double(1.0));
    put("rss-overhead.bytes", Reply::Int(0));
    put("fragmentation", Reply::Double(rss_ratio));
    put("fragmentation.bytes", Reply::Int(rss as i64 - used as i64));
    Ok(Reply::Map(m))
}

fn memory_doctor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    /// Below this much memory Redis declines to diagnose (its "empty instance" report).
    const MIN_DIAGNOSE_BYTES: u64 = 5 * 1024 * 1024;
    let used = crate::server::evict::used_memory();
    let text = if used < MIN_DIAGNOSE_BYTES {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
    } else {
        let _ = ctx;
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."
    };
    Ok(Reply::Verbatim("txt", text.as_bytes().to_vec()))
}

fn memory_malloc_stats(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    // Redis answers this for allocators without statistics (libc malloc).
    Ok(Reply::Verbatim("txt", b"Stats not supported for the current allocator".to_vec()))
}

fn memory_purge(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::OK)
}

fn memory_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(help(&[
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    A plain-text reading of the memory figures.",
        "MALLOC-STATS",
        "    The allocator's own statistics.",
        "PURGE",
        "    Ask the allocator to hand unused pages back.",
        "STATS",
        "    The server's memory figures, field by field.",
        "USAGE <key> [SAMPLES <count>]",
        "    Bytes held by <key> and its value; collections are estimated from",
        "    <count> sampled elements (5 by default, 0 for all).",
        "HELP",
        "    Show this text.",
    ]))
}

// ---- MONITOR, SHUTDOWN

fn monitor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    // Inside EXEC (or a script) every command must answer once; a monitor never stops.
    if !ctx.may_block {
        return Err(CmdError::err("MONITOR isn't allowed for DENY BLOCKING client"));
    }
    if ctx.sess.monitor {
        return Ok(Reply::OK);
    }
    ctx.sess.monitor = true;
    ctx.sess.shared.set_flag(flags::MONITOR, true);
    let mut m = ctx.srv.monitors.lock().unwrap_or_else(|e| e.into_inner());
    m.push(ctx.sess.shared.clone());
    ctx.srv.has_monitors.store(true, Ordering::Relaxed);
    Ok(Reply::OK)
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].
///
/// slotd has no persistence yet, so SAVE (explicit or from configured save points)
/// has nothing to write: the server stops either way. There are no replicas to wait
/// for, so NOW and FORCE change nothing observable. ABORT cancels a shutdown a signal
/// asked for that the cron has not carried out yet.
fn shutdown(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut req = ShutdownRequest::default();
    let mut abort = false;
    for a in &argv[1..] {
        if is(a, "nosave") {
            req.save = Some(false);
        } else if is(a, "save") {
            req.save = Some(true);
        } else if is(a, "now") {
            req.now = true;
        } else if is(a, "force") {
            req.force = true;
        } else if is(a, "abort") {
            abort = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let nosave_and_save = argv[1..].iter().any(|a| is(a, "nosave")) && argv[1..].iter().any(|a| is(a, "save"));
    if nosave_and_save || (abort && argv.len() > 2) {
        return Err(CmdError::Syntax);
    }
    if abort {
        // A signal's shutdown waits for the cron; until then it can be called off.
        if ctx.srv.shutdown_asap.lock().unwrap_or_else(|e| e.into_inner()).take().is_some() {
            tracing::warn!("Shutdown manually aborted.");
            return Ok(Reply::OK);
        }
        return Err(CmdError::err("No shutdown in progress."));
    }
    ctx.srv.request_shutdown(req);
    // Redis does not answer a successful SHUTDOWN: the connection just closes.
    ctx.sess.close_after_reply = true;
    Ok(Reply::Seq(Vec::new()))
}
