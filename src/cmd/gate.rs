//! The gate: the one path every client command takes (Redis's processCommand + call).
//!
//! Checks, in Redis 7.0's order:
//!  1. lookup (unknown command / subcommand),
//!  2. arity,
//!  3. protected commands (DEBUG without enable-debug-command),
//!  4. authentication (NOAUTH),
//!  5. [cluster routing — the cluster issue plugs in here],
//!  6. out of memory (denyoom commands evict first, then OOM),
//!  6b. disk errors (MISCONF): a failed background save (with
//!     stop-writes-on-bgsave-error), then an AOF that cannot be written,
//!  7. RESP2 pub/sub context (only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET),
//!     then loading (only commands flagged `loading` while the data set loads),
//!  8. CLIENT PAUSE,
//!  9. MULTI queueing (+QUEUED; refusals above mark the transaction for EXECABORT),
//!
//! then `call`: lock the command's shards, run the handler, and while still locked
//! account lazily expired keys, serve clients blocked on keys the command made ready,
//! propagate the write, and register a blocking request. A transaction's writes are
//! propagated together at its end, wrapped in MULTI/EXEC when there are several (as is a
//! command that propagates as several), like Redis 7.0's propagatePendingCommands.
use super::ctx::{BlockRequest, Ctx};
use super::error::unknown_command;
use super::meta::flag;
use super::table::Command;
use super::{CmdError, LockPolicy};
use crate::config::Settings;
use crate::keyspace::{Keyspace, Locks, SmallBytes, Waiter, SHARDS};
use crate::resp::reply::encode;
use crate::resp::Reply;
use crate::server::blocking::{BlockedHandle, Served};
use crate::server::client::{ReplyMode, Session};
use crate::server::Server;
use bytes::Bytes;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// What the connection does after a command.
pub enum Outcome {
    Continue,
    /// Write what is pending, then close.
    Close,
    /// The client waits; its reply comes through the handle (or the timeout).
    Blocked { handle: Arc<BlockedHandle>, req: BlockRequest },
    /// CLIENT PAUSE applies: wait for the pause to end, then run the command again.
    Paused,
}

/// Commands allowed in the RESP2 pub/sub context.
fn allowed_in_pubsub(name: &str) -> bool {
    matches!(name, "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe" | "punsubscribe" | "quit" | "reset")
}

/// Commands that run immediately inside MULTI instead of being queued.
fn runs_inside_multi(name: &str) -> bool {
    matches!(name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

/// Writes a reply unless CLIENT REPLY suppresses it. Pub/sub pushes (subscribe
/// confirmations) go out regardless, in RESP2 as in RESP3, as Redis 7.0 sends them
/// (its CLIENT_PUSHING flag).
pub fn emit(sess: &Session, reply: &Reply, out: &mut Vec<u8>) {
    if matches!(sess.reply_mode, ReplyMode::On) || is_push(reply) {
        encode(reply, sess.resp, out);
    }
}

fn is_push(r: &Reply) -> bool {
    match r {
        Reply::Push(_) => true,
        Reply::Seq(items) => !items.is_empty() && items.iter().all(is_push),
        _ => false,
    }
}

fn reject(srv: &Server, sess: &mut Session, cmd: Option<&Command>, e: CmdError, out: &mut Vec<u8>) {
    if let Some(c) = cmd {
        c.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
    }
    // EXEC itself refused (out of memory ...): the transaction is discarded and the
    // reason given behind EXECABORT, as Redis's execCommandAbort does.
    if cmd.is_some_and(|c| c.name == "exec") && sess.multi.is_some() {
        sess.multi = None;
        sess.shared.multi_count.store(-1, Ordering::Relaxed);
        sess.shared.set_flag(crate::server::client::flags::MULTI, false);
        super::tx::unwatch_all(srv, sess);
        srv.record_error("EXECABORT");
        let text = format!("EXECABORT Transaction discarded because of: {}", e);
        emit(sess, &Reply::Error(text.into()), out);
        return;
    }
    srv.record_error(&e.prefix());
    if let Some(m) = sess.multi.as_mut() {
        m.aborted = true;
    }
    emit(sess, &Reply::from(e), out);
}

/// Resolves argv to a command, or the error Redis gives.
pub fn lookup<'t>(srv: &'t Server, argv: &[Bytes]) -> Result<&'t Command, (Option<&'t Command>, CmdError)> {
    let Some(top) = srv.table.get(&argv[0]) else {
        return Err((None, unknown_command(&argv[0], &argv[1..])));
    };
    let cmd = if top.is_container() && argv.len() >= 2 {
        let sub = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
        match top.subcommands.get(&sub) {
            Some(c) => c,
            None => {
                let parent = String::from_utf8_lossy(&argv[0]).to_ascii_uppercase();
                let shown: String = String::from_utf8_lossy(&argv[1]).chars().take(128).collect();
                return Err((Some(top), CmdError::UnknownSubcommand { sub: shown, parent }));
            }
        }
    } else {
        top
    };
    let arity = cmd.meta.arity;
    let argc = argv.len() as i64;
    if (arity > 0 && argc != arity) || argc < -arity || (cmd.handler.is_none() && argc < 2) {
        return Err((Some(cmd), CmdError::WrongArity(cmd.name.to_string())));
    }
    Ok(cmd)
}

/// Runs one client command through every check; writes its reply into `out`.
pub fn execute(srv: &Server, sess: &mut Session, settings: &Arc<Settings>, argv: &[Bytes], out: &mut Vec<u8>) -> Outcome {
    execute_at(srv, sess, settings, argv, out, crate::util::time::now_ms())
}

/// `execute` with the command time given: a connection reads the clock once per batch
/// of pipelined commands (as Redis caches its time per event-loop turn), so a batch
/// costs one clock read, not one per command.
pub fn execute_at(srv: &Server, sess: &mut Session, settings: &Arc<Settings>, argv: &[Bytes], out: &mut Vec<u8>, now_ms: i64) -> Outcome {
    srv.stats.total_commands_processed.fetch_add(1, Ordering::Relaxed);
    if sess.reply_mode == ReplyMode::SkipNext {
        sess.reply_mode = ReplyMode::Skipping;
    }
    let outcome = execute_inner(srv, sess, settings, argv, out, now_ms, false);
    if sess.reply_mode == ReplyMode::Skipping {
        sess.reply_mode = ReplyMode::On;
    }
    outcome
}

/// Runs a blocked client's command again after its waker could not serve it (the waker
/// did not hold every shard the command needs, see `serve_blocked`). It runs as a
/// served waiter would, and then serves the waiters queued behind it.
pub fn execute_retry(srv: &Server, sess: &mut Session, settings: &Arc<Settings>, argv: &[Bytes], out: &mut Vec<u8>) -> Outcome {
    let now_ms = crate::util::time::now_ms();
    execute_inner(srv, sess, settings, argv, out, now_ms, true)
}

fn execute_inner(srv: &Server, sess: &mut Session, settings: &Arc<Settings>, argv: &[Bytes], out: &mut Vec<u8>, now_ms: i64, retry: bool) -> Outcome {
    // QUIT is answered before anything else, as in Redis.
    if argv[0].eq_ignore_ascii_case(b"quit") {
        emit(sess, &Reply::OK, out);
        sess.close_after_reply = true;
        return Outcome::Close;
    }
    // 1-2. lookup and arity
    let cmd = match lookup(srv, argv) {
        Ok(c) => c,
        Err((c, e)) => {
            reject(srv, sess, c, e, out);
            return Outcome::Continue;
        }
    };
    let name = cmd.name;
    // 3. protected
    if (name == "debug" && !local_allowed(settings.enable_debug, sess)) || name == "module" {
        let what = if name == "debug" { "DEBUG" } else { "MODULE" };
        let opt = if name == "debug" { "enable-debug-command" } else { "enable-module-command" };
        reject(srv, sess, Some(cmd), CmdError::Msg(format!("ERR {what} command not allowed. If the {opt} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.").into()), out);
        return Outcome::Continue;
    }
    // 4. authentication
    if !sess.authenticated && settings.requirepass.is_some() && !cmd.meta.has(flag::NO_AUTH) {
        reject(srv, sess, Some(cmd), CmdError::NoAuth, out);
        return Outcome::Continue;
    }
    if sess.multi.is_some() && cmd.meta.has(flag::NO_MULTI) {
        reject(srv, sess, Some(cmd), CmdError::err("Command not allowed inside a transaction"), out);
        return Outcome::Continue;
    }
    // 6. memory
    // Inside MULTI every command but EXEC, DISCARD, QUIT and RESET is refused at the
    // memory limit (queueing itself uses memory), as in Redis.
    let denyoom = cmd.meta.has(flag::DENYOOM)
        || (name == "exec" && sess.multi.as_ref().is_some_and(|m| queued_denyoom(srv, &m.queued)))
        || (sess.multi.is_some() && !matches!(name, "exec" | "discard" | "quit" | "reset"));
    // Client eviction comes before key eviction, as in Redis; a client that evicted
    // itself goes no further.
    if settings.maxmemory_clients > 0 && crate::server::conn::evict_clients(srv, settings) > 0 && sess.shared.is_killed() {
        sess.close_after_reply = true;
        return Outcome::Close;
    }
    if settings.maxmemory > 0 && !sess.is_master_link {
        let evicted_ok = crate::server::evict::perform(srv, settings).is_ok();
        if !evicted_ok && denyoom {
            reject(srv, sess, Some(cmd), CmdError::Oom, out);
            return Outcome::Continue;
        }
    }
    // 6b. disk errors refuse writes (and PING, as in Redis): first a failed background
    // save with stop-writes-on-bgsave-error, then an AOF that cannot be written
    // (Redis's writeCommandsDeniedByDiskError order).
    if !sess.is_master_link {
        let denied = if crate::server::saving::writes_refused(srv, settings) {
            Some(MISCONF.to_string())
        } else {
            srv.aof.write_denied().map(|why| format!("MISCONF Errors writing to the AOF file: {why}"))
        };
        if let Some(msg) = denied {
            let is_write = cmd.meta.has(flag::WRITE) || (name == "exec" && sess.multi.as_ref().is_some_and(|m| queued_has(srv, &m.queued, flag::WRITE)));
            if is_write || name == "ping" {
                reject(srv, sess, Some(cmd), CmdError::Msg(msg.into()), out);
                return Outcome::Continue;
            }
        }
    }
    // 7. pub/sub context
    if sess.resp == 2 && sess.in_pubsub() && !allowed_in_pubsub(cmd.name.split('|').next().unwrap_or("")) {
        let shown = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        reject(srv, sess, Some(cmd), CmdError::Msg(format!("ERR Can't execute '{shown}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context").into()), out);
        return Outcome::Continue;
    }
    // 7b. loading: only commands flagged `loading` (an EXEC only if all it queued are)
    if srv.loading.is_active() {
        let refused = !cmd.meta.has(flag::LOADING) || (name == "exec" && sess.multi.as_ref().is_some_and(|m| m.queued.iter().any(|a| srv.table.resolve(a).is_some_and(|c| !c.meta.has(flag::LOADING)))));
        if refused {
            reject(srv, sess, Some(cmd), CmdError::raw("LOADING Redis is loading the dataset in memory"), out);
            return Outcome::Continue;
        }
    }
    // 8. CLIENT PAUSE
    if !sess.is_master_link && srv.pause_until_ms.load(Ordering::Relaxed) > now_ms && !matches!(name, "client|unpause") {
        let is_write = may_write(cmd) || (name == "exec" && sess.multi.as_ref().is_some_and(|m| queued_write(srv, &m.queued)));
        if srv.paused_for(is_write, now_ms) {
            return Outcome::Paused;
        }
    }
    // 9. MULTI
    if let Some(m) = sess.multi.as_mut() {
        if !runs_inside_multi(name) {
            m.queued.push(argv.to_vec());
            sess.shared.multi_count.store(m.queued.len() as i64, Ordering::Relaxed);
            emit(sess, &Reply::status("QUEUED"), out);
            return Outcome::Continue;
        }
    }
    // A retried blocked command was shown to monitors when it first ran. EXEC is shown
    // after the commands it runs, as Redis shows each command once it ran.
    let monitored = !retry && srv.has_monitors.load(Ordering::Relaxed) && !cmd.meta.has(flag::SKIP_MONITOR) && !cmd.meta.has(flag::ADMIN);
    if monitored && name != "exec" {
        feed_monitors(srv, sess, argv);
    }
    sess.shared.last_cmd.store(cmd.id, Ordering::Relaxed);
    let mut locks = lock_for(&srv.ks, cmd, argv);
    locks.touch = if sess.no_touch { crate::keyspace::Touch::None } else { crate::server::evict::touch_at(settings, now_ms) };
    let r = call_inner(srv, sess, settings, &mut locks, cmd, argv, true, retry, now_ms);
    if monitored && name == "exec" {
        feed_monitors(srv, sess, argv);
    }
    let CallResult { reply, block } = r;
    if let Some(req) = block {
        let handle = Arc::new(BlockedHandle::new(sess.id, sess.db, argv.to_vec()));
        register_waiter(&mut locks, sess.db, &req.keys, &handle);
        drop(locks);
        srv.blocked_clients.fetch_add(1, Ordering::Relaxed);
        // A CLIENT UNBLOCK that arrived after this client's previous block ended is
        // stale; one for this block can only come once the flag below is set.
        sess.shared.unblock.store(0, Ordering::Release);
        sess.shared.set_flag(crate::server::client::flags::BLOCKED, true);
        return Outcome::Blocked { handle, req };
    }
    drop(locks);
    emit(sess, &reply, out);
    if sess.close_after_reply {
        return Outcome::Close;
    }
    Outcome::Continue
}

fn local_allowed(a: crate::config::settings::Access, sess: &Session) -> bool {
    use crate::config::settings::Access;
    match a {
        Access::Yes => true,
        Access::No => false,
        Access::Local => sess.shared.addr.starts_with("127.") || sess.shared.addr.starts_with("[::1]") || sess.shared.addr.starts_with("::1") || sess.shared.has_flag(crate::server::client::flags::UNIX_SOCKET),
    }
}

/// Redis 7.0's MISCONF text (a fact of the protocol, word for word).
const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

fn queued_denyoom(srv: &Server, q: &[Vec<Bytes>]) -> bool {
    q.iter().any(|a| srv.table.resolve(a).is_some_and(|c| c.meta.has(flag::DENYOOM)))
}

fn queued_has(srv: &Server, q: &[Vec<Bytes>], f: u32) -> bool {
    q.iter().any(|a| srv.table.resolve(a).is_some_and(|c| c.meta.has(f)))
}

fn queued_write(srv: &Server, q: &[Vec<Bytes>]) -> bool {
    q.iter().any(|a| srv.table.resolve(a).is_some_and(may_write))
}

/// Whether a command writes or may add to the replication stream (what CLIENT PAUSE
/// WRITE holds). COMMAND INFO, where the metadata comes from, does not show Redis's
/// may-replicate flag, so the commands that have it are named here.
fn may_write(cmd: &Command) -> bool {
    cmd.meta.has(flag::WRITE) || cmd.meta.has(flag::MAY_REPLICATE) || matches!(cmd.name, "pfcount" | "publish" | "spublish" | "eval" | "evalsha" | "fcall")
}

/// The shards a command needs, as a bit mask (`u32::MAX` = all).
pub fn lock_mask(cmd: &Command, argv: &[Bytes]) -> u32 {
    match cmd.lock {
        LockPolicy::None => 0,
        LockPolicy::All => u32::MAX,
        LockPolicy::Keys if !cmd.meta.has(flag::MOVABLEKEYS) && cmd.meta.first_key > 0 => {
            // Fixed key positions (Redis's legacy first/last/step triple is exact for
            // commands without movable keys): no allocation on the hot path.
            let argc = argv.len() as i64;
            let last = if cmd.meta.last_key < 0 { argc + cmd.meta.last_key } else { cmd.meta.last_key.min(argc - 1) };
            let step = cmd.meta.step.max(1);
            let mut mask = 0u32;
            let mut i = cmd.meta.first_key;
            while i <= last && i < argc {
                mask |= 1 << crate::keyspace::shard_of_slot(crate::cluster::slot::key_slot(&argv[i as usize]));
                i += step;
            }
            mask
        }
        LockPolicy::Keys => match super::keys::key_positions(&cmd.meta, argv) {
            Ok(pos) => Keyspace::mask_for_keys(pos.iter().map(|&i| &argv[i][..])),
            Err(_) => u32::MAX,
        },
    }
}

pub fn lock_with_mask(ks: &Keyspace, mask: u32) -> Locks<'_> {
    if mask == u32::MAX {
        ks.lock_all()
    } else {
        ks.lock_shards(mask & (u32::MAX >> (32 - SHARDS)))
    }
}

fn lock_for<'k>(ks: &'k Keyspace, cmd: &Command, argv: &[Bytes]) -> Locks<'k> {
    // Single-key commands (the common case): hash the key once for both the lock and
    // the handler's lookups.
    if cmd.lock == LockPolicy::Keys && !cmd.meta.has(flag::MOVABLEKEYS) && cmd.meta.first_key == 1 && cmd.meta.last_key == 1 && argv.len() > 1 {
        let slot = crate::cluster::slot::key_slot(&argv[1]);
        let mut l = ks.lock_shards(1 << crate::keyspace::shard_of_slot(slot));
        l.prime_slot(&argv[1], slot);
        return l;
    }
    lock_with_mask(ks, lock_mask(cmd, argv))
}

pub struct CallResult {
    pub reply: Reply,
    pub block: Option<BlockRequest>,
}

/// Runs a command's handler with its shards held and does what must happen before they
/// are released, including serving the clients blocked on keys it made ready. Used by
/// the gate and scripts.
#[allow(clippy::too_many_arguments)]
pub fn call(srv: &Server, sess: &mut Session, settings: &Settings, locks: &mut Locks<'_>, cmd: &Command, argv: &[Bytes], may_block: bool, now_ms: i64) -> CallResult {
    call_inner(srv, sess, settings, locks, cmd, argv, may_block, false, now_ms)
}

/// `call`; `retry` marks the re-run of a blocked client's command (`execute_retry`).
#[allow(clippy::too_many_arguments)]
fn call_inner(srv: &Server, sess: &mut Session, settings: &Settings, locks: &mut Locks<'_>, cmd: &Command, argv: &[Bytes], may_block: bool, retry: bool, now_ms: i64) -> CallResult {
    let mut ready = Vec::new();
    let r = run(srv, sess, settings, locks, cmd, argv, may_block, retry, now_ms, &mut ready);
    if retry && r.block.is_none() {
        // The waker stopped at this client to keep arrival order: the waiters behind it
        // on its keys are served from here, under this command's locks.
        if let Ok(pos) = super::keys::key_positions(&cmd.meta, argv) {
            for i in pos {
                let k = (sess.db, SmallBytes::new(&argv[i]));
                if !ready.contains(&k) {
                    ready.push(k);
                }
            }
        }
    }
    if !ready.is_empty() {
        serve_blocked(srv, settings, locks, ready);
    }
    r
}

/// `call` without serving blocked clients: the keys the command made ready are added to
/// `ready` (without repeats) for the caller to serve once it is done, as Redis serves
/// them only after the whole command (EXEC included) ran.
#[allow(clippy::too_many_arguments)]
fn run(srv: &Server, sess: &mut Session, settings: &Settings, locks: &mut Locks<'_>, cmd: &Command, argv: &[Bytes], may_block: bool, serving_blocked: bool, now_ms: i64, ready_out: &mut Vec<(usize, SmallBytes)>) -> CallResult {
    let Some(handler) = cmd.handler else {
        return CallResult { reply: Reply::from(CmdError::WrongArity(cmd.name.to_string())), block: None };
    };
    // Within a batch the previous command's end is this one's start (Session::chain_ns);
    // a waiter served for another client starts its own clock.
    let started = if sess.chain_ns != 0 && !serving_blocked { sess.chain_ns } else { crate::util::time::mono_ns() };
    let mut ctx = Ctx {
        srv,
        sess,
        locks,
        settings,
        cmd,
        now_ms,
        dirty: 0,
        ready: Vec::new(),
        block: None,
        may_block,
        serving_blocked,
        rewritten: None,
        force_propagate: false,
    };
    let result = handler(&mut ctx, argv);
    let Ctx { dirty, ready, block, rewritten, force_propagate, .. } = ctx;
    let ended = crate::util::time::mono_ns();
    let elapsed_ns = ended.saturating_sub(started);
    let elapsed_us = elapsed_ns / 1000;
    let reply = match result {
        Ok(r) => r,
        Err(e) => {
            srv.record_error(&e.prefix());
            cmd.stats.failed_calls.fetch_add(1, Ordering::Relaxed);
            Reply::from(e)
        }
    };
    // A command that blocks is counted once, when it ends (served, timed out or
    // unblocked), as in Redis.
    if !(may_block && block.is_some()) {
        cmd.stats.calls.fetch_add(1, Ordering::Relaxed);
        cmd.stats.usec.fetch_add(elapsed_us, Ordering::Relaxed);
        if settings.latency_tracking {
            srv.command_latency(cmd.id).record(elapsed_ns);
        }
    }
    sess.shared.commands.fetch_add(1, Ordering::Relaxed);
    if !serving_blocked {
        sess.chain_ns = ended;
    }
    let expired = std::mem::take(&mut locks.expired);
    if !expired.is_empty() {
        account_expired(srv, settings, &expired);
    }
    if dirty > 0 || force_propagate {
        srv.stats.dirty.fetch_add(dirty, Ordering::Relaxed);
        if srv.propagation.is_active() {
            propagate(srv, sess, argv, rewritten);
        }
    }
    for k in ready {
        if !ready_out.contains(&k) {
            ready_out.push(k);
        }
    }
    let slow = settings.slowlog_slower_than_us;
    if slow >= 0 && elapsed_us as i64 >= slow && !cmd.meta.has(flag::SKIP_SLOWLOG) && block.is_none() {
        srv.slowlog.lock().unwrap_or_else(|e| e.into_inner()).push(argv, elapsed_us, &sess.shared.addr, &sess.shared.name(), settings.slowlog_max_len);
    }
    if settings.latency_monitor_threshold_ms > 0 && elapsed_us / 1000 >= settings.latency_monitor_threshold_ms {
        let ev = if cmd.meta.has(flag::FAST) { "fast-command" } else { "command" };
        srv.latency.lock().unwrap_or_else(|e| e.into_inner()).add(ev, elapsed_us / 1000);
    }
    let block = if may_block { block } else { None };
    CallResult { reply, block }
}

/// Propagates what a command applied: into the running transaction's unit, or now
/// (several commands as one MULTI/EXEC unit). Notes the log position for the client's
/// `appendfsync always` wait.
fn propagate(srv: &Server, sess: &mut Session, argv: &[Bytes], rewritten: Option<Vec<Vec<Bytes>>>) {
    let db = sess.db;
    if let Some(unit) = sess.prop_unit.as_mut() {
        match rewritten {
            Some(cmds) => unit.extend(cmds.into_iter().map(|c| (db, c))),
            None => unit.push((db, argv.to_vec())),
        }
        return;
    }
    match rewritten {
        Some(cmds) if cmds.len() > 1 => {
            let ops: Vec<(usize, Vec<Bytes>)> = cmds.into_iter().map(|c| (db, c)).collect();
            srv.propagation.append_unit(&ops);
        }
        Some(cmds) => {
            for c in cmds {
                srv.propagation.append(db, &c);
            }
        }
        None => srv.propagation.append(db, argv),
    }
    sess.prop_seq = srv.propagation.seq();
}

/// Runs a command for the AOF loading client. Redis's fake client calls the command's
/// implementation directly, outside `call`: none of the checks above, no statistics,
/// slow log, monitors, propagation or blocking; only the dirty counter moves. The
/// caller holds the shards the command needs (`lock_mask`).
pub fn replay(srv: &Server, sess: &mut Session, settings: &Settings, locks: &mut Locks<'_>, cmd: &Command, argv: &[Bytes], now_ms: i64) -> Reply {
    let Some(handler) = cmd.handler else {
        return Reply::from(CmdError::WrongArity(cmd.name.to_string()));
    };
    locks.touch = crate::server::evict::touch_at(settings, now_ms);
    let mut ctx = Ctx {
        srv,
        sess,
        locks,
        settings,
        cmd,
        now_ms,
        dirty: 0,
        ready: Vec::new(),
        block: None,
        may_block: false,
        serving_blocked: false,
        rewritten: None,
        force_propagate: false,
    };
    let result = handler(&mut ctx, argv);
    let dirty = ctx.dirty;
    srv.stats.dirty.fetch_add(dirty, Ordering::Relaxed);
    // Nothing expires while loading; keep the list from growing if a handler reported.
    locks.expired.clear();
    result.unwrap_or_else(Reply::from)
}

/// A blocked command that ended without being served (timeout, CLIENT UNBLOCK): it
/// is counted now, and an error reply counts as a failed call.
pub fn count_unblocked(srv: &Server, settings: &Settings, argv: &[Bytes], reply: &Reply) {
    let Some(cmd) = srv.table.resolve(argv) else { return };
    cmd.stats.calls.fetch_add(1, Ordering::Relaxed);
    if settings.latency_tracking {
        srv.command_latency(cmd.id).record(1);
    }
    if let Reply::Error(e) = reply {
        srv.record_error(e.split(' ').next().unwrap_or("ERR"));
        cmd.stats.failed_calls.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts keys found expired by lookups, publishes `expired`, propagates DEL.
fn account_expired(srv: &Server, settings: &Settings, expired: &[(usize, SmallBytes)]) {
    srv.stats.expired_keys.fetch_add(expired.len() as u64, Ordering::Relaxed);
    for (db, key) in expired {
        crate::server::notify::keyspace_event(srv, settings, crate::server::notify::EXPIRED, "expired", key, *db);
        propagate_del(srv, *db, key);
    }
}

/// For the active expiry cycle (keys already removed).
pub fn after_expire(srv: &Server, settings: &Settings, expired: &[(usize, SmallBytes)]) {
    account_expired(srv, settings, expired);
}

pub fn propagate_del(srv: &Server, db: usize, key: &[u8]) {
    if srv.propagation.is_active() {
        srv.propagation.append(db, &[Bytes::from_static(b"DEL"), Bytes::copy_from_slice(key)]);
    }
}

fn register_waiter(locks: &mut Locks<'_>, db: usize, keys: &[SmallBytes], handle: &Arc<BlockedHandle>) {
    for k in keys {
        let slot = crate::cluster::slot::key_slot(k);
        let part = locks.part(db, slot);
        let q = part.blocked.entry(k.clone()).or_default();
        if !q.iter().any(|w| Arc::ptr_eq(&w.wake, handle)) {
            q.push_back(Waiter { client_id: handle.client_id, wake: handle.clone() });
        }
    }
}

/// Removes a blocked client's registrations (after it was served, timed out, or left).
pub fn unregister_waiter(ks: &Keyspace, db: usize, keys: &[SmallBytes], handle: &Arc<BlockedHandle>) {
    let mask = Keyspace::mask_for_keys(keys.iter().map(|k| &k[..]));
    let mut locks = ks.lock_shards(mask);
    remove_waiter_locked(&mut locks, db, keys, handle);
}

fn remove_waiter_locked(locks: &mut Locks<'_>, db: usize, keys: &[SmallBytes], handle: &Arc<BlockedHandle>) {
    for k in keys {
        let slot = crate::cluster::slot::key_slot(k);
        let part = locks.part(db, slot);
        if let Some(q) = part.blocked.get_mut(k.as_slice()) {
            q.retain(|w| !Arc::ptr_eq(&w.wake, handle));
            if q.is_empty() {
                part.blocked.remove(k.as_slice());
            }
        }
    }
}

/// Finishes a blocked client by timeout or CLIENT UNBLOCK: claims the handle under the
/// keys' locks. Returns false if a server claimed it first (its reply is then waiting).
pub fn finish_blocked(ks: &Keyspace, db: usize, keys: &[SmallBytes], handle: &Arc<BlockedHandle>) -> bool {
    let mask = Keyspace::mask_for_keys(keys.iter().map(|k| &k[..]));
    let mut locks = ks.lock_shards(mask);
    let won = handle.claim();
    remove_waiter_locked(&mut locks, db, keys, handle);
    won
}

/// Serves clients blocked on keys that became ready, in arrival order, by re-running
/// their commands under the locks the current command holds (see server::blocking).
/// Keys that a served command makes ready in turn (BLMOVE into a list others wait on)
/// join the end of the queue, as in Redis.
///
/// The clock is read afresh, as Redis does before serving: the waiters run after the
/// command (or the whole EXEC) that made the keys ready, so a key that expired
/// meanwhile (MULTI; RPUSH k; PEXPIRE k 100; DEBUG SLEEP 0.2; EXEC) wakes nobody.
fn serve_blocked(srv: &Server, settings: &Settings, locks: &mut Locks<'_>, ready: Vec<(usize, SmallBytes)>) {
    let now_ms = crate::util::time::now_ms();
    let mut queue: std::collections::VecDeque<(usize, SmallBytes)> = ready.into();
    let mut more: Vec<(usize, SmallBytes)> = Vec::new();
    // Bound the work one command can trigger (chains of BLMOVE): every step serves or
    // drops at least one waiter, so this only guards against bugs.
    let mut budget = 100_000;
    while let Some((db, key)) = queue.pop_front() {
        loop {
            budget -= 1;
            if budget == 0 {
                return;
            }
            let slot = crate::cluster::slot::key_slot(&key);
            let part = locks.part(db, slot);
            let Some(q) = part.blocked.get_mut(key.as_slice()) else { break };
            while q.front().is_some_and(|w| w.wake.is_done()) {
                q.pop_front();
            }
            let Some(w) = q.front() else {
                part.blocked.remove(key.as_slice());
                break;
            };
            let handle = w.wake.clone();
            let Some(cmd) = srv.table.resolve(&handle.argv) else { break };
            // Every shard the waiter's command touches must be held.
            let need = lock_mask(cmd, &handle.argv);
            let held = (0..SHARDS).filter(|&i| need & (1 << i) != 0).all(|i| locks.holds(i));
            if !held {
                // It runs its command again itself, under the locks it needs, and then
                // serves the waiters behind it: stopping here keeps them in order.
                if handle.claim() {
                    handle.complete(Served::Retry);
                }
                break;
            }
            let Some(shared) = srv.client(handle.client_id) else {
                handle.claim();
                continue;
            };
            let mut s = Session::new(shared, true);
            s.db = handle.db;
            let r = run(srv, &mut s, settings, locks, cmd, &handle.argv, true, true, now_ms, &mut more);
            // Nothing for it after all (an earlier waiter took the data, or the key is
            // no longer of the waited type): it stays blocked, and so do the waiters
            // behind it. Any other outcome, errors included (BLMOVE onto a key of the
            // wrong type answers WRONGTYPE), is the waiter's reply.
            if r.block.is_some() {
                more.clear();
                break;
            }
            if handle.claim() {
                handle.complete(Served::Reply(r.reply));
            }
            for k in more.drain(..) {
                if !queue.contains(&k) {
                    queue.push_back(k);
                }
            }
        }
    }
}

/// Runs the queued commands of a transaction under one set of locks (EXEC).
pub fn exec_queued(srv: &Server, sess: &mut Session, settings: &Settings, queued: Vec<Vec<Bytes>>, now_ms: i64) -> Reply {
    let mut mask = 0u32;
    let mut cmds = Vec::with_capacity(queued.len());
    for argv in &queued {
        match lookup(srv, argv) {
            Ok(c) => {
                mask |= lock_mask(c, argv);
                cmds.push(Some(c));
            }
            Err(_) => cmds.push(None),
        }
    }
    let mut locks = lock_with_mask(&srv.ks, mask);
    locks.touch = crate::server::evict::touch_at(settings, now_ms);
    let mut replies = Vec::with_capacity(queued.len());
    // The transaction's writes are propagated together, under its locks, at the end.
    sess.prop_unit = srv.propagation.is_active().then(Vec::new);
    // Blocked clients are served after the whole transaction, from its final state:
    // MULTI; LPUSH k a; DEL k; EXEC wakes nobody.
    let mut ready = Vec::new();
    for (argv, c) in queued.iter().zip(cmds) {
        let reply = match c {
            Some(c) => {
                sess.shared.last_cmd.store(c.id, Ordering::Relaxed);
                if srv.has_monitors.load(Ordering::Relaxed) && !c.meta.has(flag::SKIP_MONITOR) && !c.meta.has(flag::ADMIN) {
                    feed_monitors(srv, sess, argv);
                }
                run(srv, sess, settings, &mut locks, c, argv, false, false, now_ms, &mut ready).reply
            }
            None => Reply::from(lookup(srv, argv).err().map(|(_, e)| e).unwrap_or(CmdError::Syntax)),
        };
        replies.push(reply);
    }
    if let Some(unit) = sess.prop_unit.take() {
        if !unit.is_empty() {
            srv.propagation.append_unit(&unit);
            sess.prop_seq = srv.propagation.seq();
        }
    }
    if !ready.is_empty() {
        serve_blocked(srv, settings, &mut locks, ready);
    }
    Reply::Array(replies)
}

/// MONITOR line: `+<secs>.<usecs> [<db> <addr>] "arg" ...`
fn feed_monitors(srv: &Server, sess: &Session, argv: &[Bytes]) {
    let us = crate::util::time::now_us();
    let mut line = format!("+{}.{:06} [{} {}]", us / 1_000_000, us % 1_000_000, sess.db, sess.shared.addr).into_bytes();
    for a in argv {
        line.push(b' ');
        line.extend_from_slice(&repr(a));
    }
    line.extend_from_slice(b"\r\n");
    let line = Bytes::from(line);
    let mons = srv.monitors.lock().unwrap_or_else(|e| e.into_inner());
    for m in mons.iter() {
        if m.id != sess.id {
            let _ = m.tx.send(crate::server::client::ClientMsg::Monitor(line.clone()));
        }
    }
}

/// Redis's sdscatrepr: a double-quoted, escaped rendering of bytes.
pub fn repr(a: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len() + 2);
    out.push(b'"');
    for &c in a {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}
