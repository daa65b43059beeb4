//! Connection commands: PING, ECHO, SELECT, SWAPDB, AUTH, HELLO, RESET, QUIT and CLIENT.
use super::args::{self, is, text};
use super::{def, def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use crate::resp::Reply;
use crate::server::client::{flags, ClientShared, ReplyMode};
use crate::server::{Pause, PauseMode};
use bytes::Bytes;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn defs() -> Vec<Def> {
    vec![
        def("ping", ping),
        def("echo", echo),
        def("select", select),
        def_lock("swapdb", swapdb, LockPolicy::All),
        def("auth", auth),
        def("hello", hello),
        def_lock("reset", reset, LockPolicy::None),
        def("quit", quit),
        def("client|id", client_id),
        def("client|info", client_info),
        def("client|list", client_list),
        def("client|kill", client_kill),
        def("client|setname", client_setname),
        def("client|getname", client_getname),
        def("client|pause", client_pause),
        def("client|unpause", client_unpause),
        def("client|reply", client_reply),
        def("client|no-evict", client_no_evict),
        def("client|unblock", client_unblock),
        def("client|getredir", client_getredir),
        def("client|help", client_help),
    ]
}

fn ping(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 2 {
        return Err(CmdError::WrongArity("ping".into()));
    }
    // In the RESP2 pub/sub context PING answers with a "pong" message array.
    if ctx.sess.resp == 2 && ctx.sess.in_pubsub() {
        let payload = argv.get(1).map(|a| a.to_vec()).unwrap_or_default();
        return Ok(Reply::Array(vec![Reply::bulk(b"pong"), Reply::Bulk(payload)]));
    }
    Ok(match argv.get(1) {
        Some(a) => Reply::bulk(a),
        None => Reply::status("PONG"),
    })
}

fn echo(_ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::bulk(&argv[1]))
}

fn quit(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.sess.close_after_reply = true;
    Ok(Reply::OK)
}

fn select(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let idx = args::int(&argv[1])?;
    if ctx.settings.cluster_enabled && idx != 0 {
        return Err(CmdError::err("SELECT is not allowed in cluster mode"));
    }
    if idx < 0 || idx as usize >= ctx.srv.ks.databases {
        return Err(CmdError::err("DB index is out of range"));
    }
    ctx.sess.db = idx as usize;
    ctx.sess.shared.db.store(idx as usize, Ordering::Relaxed);
    Ok(Reply::OK)
}

fn swapdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.settings.cluster_enabled {
        return Err(CmdError::err("SWAPDB is not allowed in cluster mode"));
    }
    let a = args::int(&argv[1]).map_err(|_| CmdError::err("invalid first DB index"))?;
    let b = args::int(&argv[2]).map_err(|_| CmdError::err("invalid second DB index"))?;
    let n = ctx.srv.ks.databases as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        return Err(CmdError::err("DB index is out of range"));
    }
    let (a, b) = (a as usize, b as usize);
    if a != b {
        // A watched key missing from its database that the swap would replace with a
        // logically expired key is expired first: for the watcher nothing changes (the
        // key stays missing), as Redis treats "missing replaced by stale".
        let now = ctx.now_ms;
        let mut stale: Vec<(usize, crate::keyspace::SmallBytes)> = Vec::new();
        for i in 0..crate::keyspace::SHARDS {
            let sh = ctx.locks.shard(i);
            for (w, o) in [(a, b), (b, a)] {
                for k in sh.dbs[w].watched.keys() {
                    if !present(&sh.dbs[w], k) && stale_in(&sh.dbs[o], k, now) {
                        stale.push((o, k.clone()));
                    }
                }
            }
        }
        for (db, k) in stale {
            ctx.locks.exists(db, &k, now, crate::keyspace::ExpireMode::Delete);
        }
        for i in 0..crate::keyspace::SHARDS {
            let sh = ctx.locks.shard(i);
            sh.dbs.swap(a, b);
            // Blocked clients and WATCHes stay with their database number, as in Redis.
            let (x, y) = if a < b { let (l, r) = sh.dbs.split_at_mut(b); (&mut l[a], &mut r[0]) } else { let (l, r) = sh.dbs.split_at_mut(a); (&mut r[0], &mut l[b]) };
            std::mem::swap(&mut x.blocked, &mut y.blocked);
            std::mem::swap(&mut x.watched, &mut y.watched);
            touch_swapped(x, y);
            touch_swapped(y, x);
        }
        for db in [a, b] {
            for i in 0..crate::keyspace::SHARDS {
                let keys: Vec<crate::keyspace::SmallBytes> = ctx.locks.shard(i).dbs[db].blocked.keys().cloned().collect();
                for k in keys {
                    // As in Redis, a key counts even if it is logically expired: the
                    // waiter's own lookup then expires it (and propagates the DEL).
                    let is_ready = ctx.locks.lookup(db, &k, ctx.now_ms, crate::keyspace::ExpireMode::Ignore).is_some_and(|o| matches!(o.val, crate::keyspace::Value::List(_) | crate::keyspace::Value::ZSet(_)));
                    if is_ready {
                        ctx.ready.push((db, k));
                    }
                }
            }
        }
    }
    ctx.dirty += 1;
    Ok(Reply::OK)
}

fn present(part: &crate::keyspace::DbPart, k: &[u8]) -> bool {
    part.table(crate::cluster::slot::key_slot(k)).is_some_and(|t| t.keys.contains_key(k))
}

fn stale_in(part: &crate::keyspace::DbPart, k: &[u8], now_ms: i64) -> bool {
    part.table(crate::cluster::slot::key_slot(k)).is_some_and(|t| t.keys.contains_key(k) && t.expires.get(k).is_some_and(|&at| at <= now_ms))
}

/// After SWAPDB: the watchers of `part`'s database see a change for the keys that
/// were there before (now in `before`) or are there now.
fn touch_swapped(part: &mut crate::keyspace::DbPart, before: &crate::keyspace::DbPart) {
    let touched: Vec<crate::keyspace::SmallBytes> = part.watched.keys().filter(|k| present(part, k) || present(before, k)).cloned().collect();
    for k in touched {
        part.signal_watchers(&k);
    }
}

fn check_password(ctx: &Ctx, user: Option<&[u8]>, pass: &[u8]) -> Result<(), CmdError> {
    let wrong = || CmdError::raw("WRONGPASS invalid username-password pair or user is disabled.");
    if let Some(u) = user {
        if u != b"default" {
            return Err(wrong());
        }
    }
    match &ctx.settings.requirepass {
        Some(p) if p.as_bytes() == pass => Ok(()),
        None => Ok(()),
        _ => Err(wrong()),
    }
}

fn auth(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    if argv.len() == 2 && ctx.settings.requirepass.is_none() {
        return Err(CmdError::err("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
    }
    let (user, pass) = if argv.len() == 3 { (Some(&argv[1][..]), &argv[2][..]) } else { (None, &argv[1][..]) };
    if argv.len() == 3 && ctx.settings.requirepass.is_none() && user == Some(b"default") {
        ctx.sess.authenticated = true;
        return Ok(Reply::OK);
    }
    check_password(ctx, user, pass)?;
    ctx.sess.authenticated = true;
    Ok(Reply::OK)
}

fn hello(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut proto = ctx.sess.resp;
    let mut i = 1;
    if argv.len() >= 2 {
        let v = args::int(&argv[1]).map_err(|_| CmdError::err("Protocol version is not an integer or out of range"))?;
        if !(2..=3).contains(&v) {
            return Err(CmdError::raw("NOPROTO unsupported protocol version"));
        }
        proto = v as u8;
        i = 2;
    }
    let mut name: Option<Bytes> = None;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        if is(&argv[i], "auth") && more >= 2 {
            check_password(ctx, Some(&argv[i + 1]), &argv[i + 2])?;
            ctx.sess.authenticated = true;
            i += 3;
        } else if is(&argv[i], "setname") && more >= 1 {
            validate_name(&argv[i + 1])?;
            name = Some(argv[i + 1].clone());
            i += 2;
        } else {
            return Err(CmdError::Msg(format!("ERR Syntax error in HELLO option '{}'", text(&argv[i])).into()));
        }
    }
    if !ctx.sess.authenticated && ctx.settings.requirepass.is_some() {
        return Err(CmdError::raw("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
    }
    if let Some(n) = name {
        set_name(&ctx.sess.shared, &n);
    }
    ctx.sess.resp = proto;
    ctx.sess.shared.resp.store(proto as u32, Ordering::Relaxed);
    let role = if ctx.srv.is_replica() { "replica" } else { "master" };
    let mode = if ctx.settings.cluster_enabled { "cluster" } else { "standalone" };
    Ok(Reply::Map(vec![
        (Reply::bulk(b"server"), Reply::bulk(b"redis")),
        (Reply::bulk(b"version"), Reply::bulk_str(crate::REDIS_VERSION)),
        (Reply::bulk(b"proto"), Reply::Int(proto as i64)),
        (Reply::bulk(b"id"), Reply::Int(ctx.sess.id as i64)),
        (Reply::bulk(b"mode"), Reply::bulk_str(mode)),
        (Reply::bulk(b"role"), Reply::bulk_str(role)),
        (Reply::bulk(b"modules"), Reply::Array(vec![])),
    ]))
}

fn reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let srv = ctx.srv;
    ctx.sess.multi = None;
    ctx.sess.shared.multi_count.store(-1, Ordering::Relaxed);
    super::tx::unwatch_all(srv, ctx.sess);
    srv.pubsub.remove_client(ctx.sess.id);
    ctx.sess.channels.clear();
    ctx.sess.patterns.clear();
    ctx.sess.shard_channels.clear();
    for c in [&ctx.sess.shared.sub_count, &ctx.sess.shared.psub_count, &ctx.sess.shared.ssub_count] {
        c.store(0, Ordering::Relaxed);
    }
    if ctx.sess.monitor {
        let mut m = srv.monitors.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|c| c.id != ctx.sess.id);
        srv.has_monitors.store(!m.is_empty(), Ordering::Relaxed);
        ctx.sess.monitor = false;
    }
    ctx.sess.db = 0;
    ctx.sess.shared.db.store(0, Ordering::Relaxed);
    ctx.sess.resp = 2;
    ctx.sess.shared.resp.store(2, Ordering::Relaxed);
    ctx.sess.reply_mode = ReplyMode::On;
    ctx.sess.readonly = false;
    ctx.sess.asking = false;
    ctx.sess.no_evict = false;
    ctx.sess.no_touch = false;
    *ctx.sess.shared.name.lock().unwrap_or_else(|e| e.into_inner()) = None;
    ctx.sess.authenticated = ctx.settings.requirepass.is_none();
    ctx.sess.shared.set_flag(flags::PUBSUB | flags::MONITOR | flags::READONLY | flags::NO_EVICT | flags::MULTI, false);
    Ok(Reply::status("RESET"))
}

fn client_id(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.sess.id as i64))
}

fn client_getredir(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(-1))
}

fn validate_name(n: &[u8]) -> Result<(), CmdError> {
    if n.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::err("Client names cannot contain spaces, newlines or special characters."));
    }
    Ok(())
}

fn set_name(shared: &ClientShared, n: &[u8]) {
    let v = if n.is_empty() { None } else { Some(String::from_utf8_lossy(n).into_owned()) };
    *shared.name.lock().unwrap_or_else(|e| e.into_inner()) = v;
}

fn client_setname(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    validate_name(&argv[2])?;
    set_name(&ctx.sess.shared, &argv[2]);
    Ok(Reply::OK)
}

fn client_getname(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = ctx.sess.shared.name.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(n.map_or(Reply::Nil, |n| Reply::Bulk(n.into_bytes())))
}

/// What only the calling client knows about itself while its command runs: the query
/// buffer bytes (this command's frame included) and the bytes of its arguments.
#[derive(Clone, Copy)]
pub struct Current {
    pub qbuf: usize,
    pub argv_mem: usize,
}

impl Current {
    pub fn of(ctx: &Ctx, argv: &[Bytes]) -> Current {
        Current { qbuf: ctx.sess.qbuf_now, argv_mem: argv.iter().map(|a| a.len()).sum() }
    }
}

/// One CLIENT LIST line, with Redis 7.0's fields in Redis's order. `current` is given
/// for the calling client.
pub fn client_line(srv: &crate::server::Server, c: &ClientShared, now_ms: i64, current: Option<Current>) -> String {
    let f = c.flags.load(Ordering::Relaxed);
    let mut fl = String::new();
    for (bit, ch) in [(flags::REPLICA, 'S'), (flags::MASTER, 'M'), (flags::PUBSUB, 'P'), (flags::MULTI, 'x'), (flags::BLOCKED, 'b'), (flags::DIRTY_CAS, 'd'), (flags::CLOSE_AFTER_REPLY, 'c'), (flags::UNIX_SOCKET, 'U'), (flags::READONLY, 'r'), (flags::NO_EVICT, 'e'), (flags::NO_TOUCH, 'T')] {
        if f & bit != 0 {
            fl.push(ch);
        }
    }
    if f & flags::MONITOR != 0 {
        fl.push('O');
    }
    if fl.is_empty() {
        fl.push('N');
    }
    let _ = srv;
    let qbuf = current.map_or_else(|| c.qbuf_bytes.load(Ordering::Relaxed), |cur| cur.qbuf);
    let argv_mem = current.map_or(0, |cur| cur.argv_mem);
    let omem = c.pending_bytes.load(Ordering::Relaxed);
    let cmd = crate::cmd::table::name_of(c.last_cmd.load(Ordering::Relaxed));
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem=0 rbs={} rbp={} obl=0 oll=0 omem={} tot-mem={} events=r cmd={} user={} redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        c.name(),
        (now_ms - c.created_ms).max(0) / 1000,
        (now_ms - c.last_interaction_ms.load(Ordering::Relaxed)).max(0) / 1000,
        fl,
        c.db.load(Ordering::Relaxed),
        c.sub_count.load(Ordering::Relaxed),
        c.psub_count.load(Ordering::Relaxed),
        c.ssub_count.load(Ordering::Relaxed),
        c.multi_count.load(Ordering::Relaxed),
        qbuf,
        c.qbuf_size.load(Ordering::Relaxed).saturating_sub(qbuf),
        argv_mem,
        c.rbuf_size.load(Ordering::Relaxed),
        c.rbuf_peak.load(Ordering::Relaxed),
        omem,
        32768 + qbuf + omem + argv_mem,
        cmd,
        c.user.lock().unwrap_or_else(|e| e.into_inner()),
        c.resp.load(Ordering::Relaxed),
    )
}

fn client_info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut line = client_line(ctx.srv, &ctx.sess.shared, ctx.now_ms, Some(Current::of(ctx, argv)));
    line.push('\n');
    Ok(Reply::Verbatim("txt", line.into_bytes()))
}

fn client_kind(c: &ClientShared) -> &'static str {
    let f = c.flags.load(Ordering::Relaxed);
    if f & flags::MASTER != 0 {
        "master"
    } else if f & flags::REPLICA != 0 {
        "replica"
    } else if f & flags::PUBSUB != 0 {
        "pubsub"
    } else {
        "normal"
    }
}

fn parse_type(a: &[u8]) -> Result<&'static str, CmdError> {
    Ok(match String::from_utf8_lossy(a).to_ascii_lowercase().as_str() {
        "normal" => "normal",
        "master" => "master",
        "replica" | "slave" => "replica",
        "pubsub" => "pubsub",
        _ => return Err(CmdError::Msg(format!("ERR Unknown client type '{}'", text(a)).into())),
    })
}

fn all_clients(ctx: &Ctx) -> Vec<Arc<ClientShared>> {
    ctx.srv.clients.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
}

fn client_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut want_type = None;
    let mut ids: Option<Vec<u64>> = None;
    let mut i = 2;
    while i < argv.len() {
        if is(&argv[i], "type") && i + 1 < argv.len() {
            want_type = Some(parse_type(&argv[i + 1])?);
            i += 2;
        } else if is(&argv[i], "id") && i + 1 < argv.len() {
            let mut v = Vec::new();
            for a in &argv[i + 1..] {
                match crate::util::num::parse_i64(a) {
                    Some(n) if n > 0 => v.push(n as u64),
                    _ => return Err(CmdError::err("Invalid client ID")),
                }
            }
            ids = Some(v);
            i = argv.len();
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut out = String::new();
    for c in all_clients(ctx) {
        if want_type.is_some_and(|t| client_kind(&c) != t) {
            continue;
        }
        if ids.as_ref().is_some_and(|v| !v.contains(&c.id)) {
            continue;
        }
        let current = (c.id == ctx.sess.id).then(|| Current::of(ctx, argv));
        out.push_str(&client_line(ctx.srv, &c, ctx.now_ms, current));
        out.push('\n');
    }
    Ok(Reply::Verbatim("txt", out.into_bytes()))
}

fn client_kill(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Old form: CLIENT KILL addr
    if argv.len() == 3 {
        let addr = text(&argv[2]);
        let victim = all_clients(ctx).into_iter().find(|c| c.addr == addr);
        return match victim {
            Some(c) => {
                kill_client(ctx, &c);
                Ok(Reply::OK)
            }
            None => Err(CmdError::err("No such client")),
        };
    }
    if !argv.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    let mut id = None;
    let mut addr = None;
    let mut laddr = None;
    let mut ty = None;
    let mut user = None;
    let mut skipme = true;
    let mut i = 2;
    while i + 1 < argv.len() {
        let (k, v) = (&argv[i], &argv[i + 1]);
        if is(k, "id") {
            match crate::util::num::parse_i64(v) {
                Some(n) if n > 0 => id = Some(n as u64),
                _ => return Err(CmdError::err("client-id should be greater than 0")),
            }
        } else if is(k, "type") {
            ty = Some(parse_type(v)?);
        } else if is(k, "addr") {
            addr = Some(text(v));
        } else if is(k, "laddr") {
            laddr = Some(text(v));
        } else if is(k, "user") {
            // Only the default user exists until ACL users come.
            if &v[..] != b"default" {
                return Err(CmdError::Msg(format!("ERR No such user '{}'", text(v)).into()));
            }
            user = Some(text(v));
        } else if is(k, "skipme") {
            if is(v, "yes") {
                skipme = true;
            } else if is(v, "no") {
                skipme = false;
            } else {
                return Err(CmdError::Syntax);
            }
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    let mut n = 0;
    for c in all_clients(ctx) {
        if id.is_some_and(|x| x != c.id)
            || addr.as_ref().is_some_and(|a| *a != c.addr)
            || laddr.as_ref().is_some_and(|a| *a != c.laddr)
            || ty.is_some_and(|t| client_kind(&c) != t)
            || user.as_ref().is_some_and(|u| *u != *c.user.lock().unwrap_or_else(|e| e.into_inner()))
        {
            continue;
        }
        if skipme && c.id == ctx.sess.id {
            continue;
        }
        kill_client(ctx, &c);
        n += 1;
    }
    Ok(Reply::Int(n))
}

fn kill_client(ctx: &mut Ctx, c: &ClientShared) {
    if c.id == ctx.sess.id {
        ctx.sess.close_after_reply = true;
    } else {
        c.kill();
    }
}

fn client_pause(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let ms = match crate::util::num::parse_i64(&argv[2]) {
        Some(v) if v >= 0 => v,
        Some(_) => return Err(CmdError::err("timeout is negative")),
        None => return Err(CmdError::err("timeout is not an integer or out of range")),
    };
    let mode = match argv.get(3) {
        None => PauseMode::All,
        Some(a) if is(a, "all") => PauseMode::All,
        Some(a) if is(a, "write") => PauseMode::Write,
        Some(_) => return Err(CmdError::err("CLIENT PAUSE mode must be WRITE or ALL")),
    };
    if argv.len() > 4 {
        return Err(CmdError::Syntax);
    }
    let until = ctx.now_ms + ms;
    let mut p = ctx.srv.pause.lock().unwrap_or_else(|e| e.into_inner());
    // A new pause never shortens or weakens one in force (Redis keeps the stricter).
    let new = match *p {
        Some(old) if old.until_ms > ctx.now_ms => Pause { mode: if old.mode == PauseMode::All || mode == PauseMode::All { PauseMode::All } else { PauseMode::Write }, until_ms: old.until_ms.max(until) },
        _ => Pause { mode, until_ms: until },
    };
    *p = Some(new);
    ctx.srv.pause_until_ms.store(new.until_ms, Ordering::Relaxed);
    Ok(Reply::OK)
}

fn client_unpause(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    *ctx.srv.pause.lock().unwrap_or_else(|e| e.into_inner()) = None;
    ctx.srv.pause_until_ms.store(0, Ordering::Relaxed);
    ctx.srv.unpaused.notify_waiters();
    Ok(Reply::OK)
}

fn client_reply(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = &argv[2];
    if is(a, "on") {
        ctx.sess.reply_mode = ReplyMode::On;
        Ok(Reply::OK)
    } else if is(a, "off") {
        ctx.sess.reply_mode = ReplyMode::Off;
        Ok(Reply::OK)
    } else if is(a, "skip") {
        if ctx.sess.reply_mode != ReplyMode::Off {
            ctx.sess.reply_mode = ReplyMode::SkipNext;
        }
        Ok(Reply::OK)
    } else {
        Err(CmdError::Syntax)
    }
}

fn client_no_evict(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if is(&argv[2], "on") {
        ctx.sess.no_evict = true;
    } else if is(&argv[2], "off") {
        ctx.sess.no_evict = false;
    } else {
        return Err(CmdError::Syntax);
    }
    ctx.sess.shared.set_flag(flags::NO_EVICT, ctx.sess.no_evict);
    Ok(Reply::OK)
}

fn client_unblock(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let id = args::int(&argv[2])?;
    let how = match argv.get(3) {
        None => 1,
        Some(a) if is(a, "timeout") => 1,
        Some(a) if is(a, "error") => 2,
        Some(_) => return Err(CmdError::err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    };
    let Some(c) = ctx.srv.client(id as u64) else { return Ok(Reply::Int(0)) };
    if !c.has_flag(flags::BLOCKED) {
        return Ok(Reply::Int(0));
    }
    c.unblock.store(how, Ordering::Release);
    c.notify.notify_one();
    Ok(Reply::Int(1))
}

// Subcommand list in Redis's HELP layout (first and last lines are the fixed frame
// every Redis HELP uses); the descriptions are slotd's own.
const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETREDIR",
    "    Tracking redirection target (always -1: tracking is not implemented).",
    "GETNAME",
    "    This connection's name.",
    "ID",
    "    This connection's id.",
    "INFO",
    "    One CLIENT LIST line for this connection.",
    "KILL <ip:port>",
    "    Close the connection from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Close every connection matching all filters:",
    "    * ID <client-id>",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "    * USER <username>",
    "    * SKIPME (YES|NO)  (default yes: spare this connection)",
    "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <id> ...]",
    "    One line per connection.",
    "UNPAUSE",
    "    End a CLIENT PAUSE.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Hold commands from clients (all, or only writes) for <timeout> ms.",
    "REPLY (ON|OFF|SKIP)",
    "    Turn this connection's replies on or off, or skip the next one.",
    "SETNAME <name>",
    "    Name this connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    End another client's blocking command now.",
    "NO-EVICT (ON|OFF)",
    "    Exempt this connection from client eviction.",
    "HELP",
    "    Print this help.",
];

fn client_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(CLIENT_HELP))
}

/// A HELP reply: status lines, as Redis's addReplyHelp sends them.
pub fn help_reply(lines: &[&'static str]) -> Reply {
    Reply::Array(lines.iter().map(|l| Reply::status(l)).collect())
}
