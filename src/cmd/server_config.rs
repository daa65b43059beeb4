//! CONFIG GET/SET/REWRITE/RESETSTAT/HELP over the running `config::Store`.
//!
//! CONFIG SET validates every pair before changing anything (atomic, as Redis), then
//! rebuilds `Settings` so the change takes effect on the next command of every
//! connection, then applies the few side effects that are not just a value: `dir`
//! changes the working directory, `maxmemory` evicts at once if now over the limit,
//! `appendonly` opens or closes the AOF, `appendfsync` changes its fsync policy.
use super::super::{def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use super::help;
use crate::config::settings::Access;
use crate::resp::Reply;
use crate::server::client::flags;
use crate::config::table::Directive;
use crate::config::Store;
use crate::server::Server;
use bytes::Bytes;

pub fn defs() -> Vec<Def> {
    vec![
        def_lock("config|get", get, LockPolicy::None),
        def_lock("config|set", set, LockPolicy::None),
        def_lock("config|rewrite", rewrite, LockPolicy::None),
        def_lock("config|resetstat", resetstat, LockPolicy::None),
        def_lock("config|help", config_help, LockPolicy::None),
    ]
}

fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let pats: Vec<&[u8]> = argv[2..].iter().map(|a| &a[..]).collect();
    let store = ctx.srv.config.lock().unwrap_or_else(|e| e.into_inner());
    let pairs = store.matching(&pats);
    Ok(Reply::Map(pairs.into_iter().map(|(k, v)| (Reply::Bulk(k.into_bytes()), Reply::Bulk(v.into_bytes()))).collect()))
}

/// Whether this client may change protected directives (enable-protected-configs).
fn protected_allowed(ctx: &Ctx) -> bool {
    match ctx.settings.enable_protected_configs {
        Access::Yes => true,
        Access::No => false,
        Access::Local => {
            let a = &ctx.sess.shared.addr;
            a.starts_with("127.") || a.starts_with("[::1]") || a.starts_with("::1") || ctx.sess.shared.has_flag(flags::UNIX_SOCKET)
        }
    }
}

fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if !argv.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = argv[2..].chunks(2).map(|c| (&c[0][..], &c[1][..])).collect();
    let protected_ok = protected_allowed(ctx);
    let srv = ctx.srv;
    let changed = {
        let mut store = srv.config.lock().unwrap_or_else(|e| e.into_inner());
        let before = store.clone();
        let changed = store.set_many(&pairs, protected_ok).map_err(CmdError::raw)?;
        // Side effects that can fail undo the whole CONFIG SET, as in Redis.
        if let Err((name, why)) = apply_before_reload(srv, &store, &before, &changed, ctx.locks.holds_any()) {
            *store = before;
            let typed = pairs.iter().map(|(n, _)| String::from_utf8_lossy(n)).find(|n| n.eq_ignore_ascii_case(name)).map_or(name.to_string(), |n| n.into_owned());
            return Err(CmdError::Msg(format!("ERR CONFIG SET failed (possibly related to argument '{typed}') - {why}").into()));
        }
        changed
    };
    srv.reload_settings();
    apply_after_reload(srv, &changed);
    Ok(Reply::OK)
}

/// Effects that must succeed for the change to stand: the working directory and the
/// listening sockets. On a failure the effects already applied are undone and the
/// failing directive's name and reason are returned.
fn apply_before_reload(srv: &Server, store: &Store, before: &Store, changed: &[&'static Directive], locks_held: bool) -> Result<(), (&'static str, String)> {
    let has = |n: &str| changed.iter().any(|d| d.name == n);
    let differs = |n: &str| store.get(n) != before.get(n);
    let mut dir_changed = false;
    if has("dir") && differs("dir") {
        let dir = store.get("dir").unwrap_or("");
        std::env::set_current_dir(dir).map_err(|e| ("dir", e.to_string()))?;
        dir_changed = true;
    }
    let undo_dir = || {
        if dir_changed {
            let _ = std::env::set_current_dir(before.get("dir").unwrap_or("."));
        }
    };
    // appendonly: turning it on needs a rewrite, which may be refused; turning it off
    // cannot fail (its effect is applied after the reload, see apply_after_reload).
    if has("appendonly") && differs("appendonly") && store.get_bool("appendonly") {
        let this = srv.this.get().and_then(|w| w.upgrade());
        let started = match this {
            Some(this) if !locks_held => crate::server::aof_rewrite::enable_at_runtime(&this),
            _ => Err(crate::persist::aof::CANT_ENABLE.to_string()),
        };
        if let Err(why) = started {
            undo_dir();
            return Err(("appendonly", why));
        }
    }
    if (has("port") && differs("port")) || (has("bind") && differs("bind")) {
        let port = store.get_i64("port") as u16;
        let bind: Vec<String> = store.get("bind").unwrap_or("").split_whitespace().map(String::from).collect();
        let Some(this) = srv.this.get().and_then(|w| w.upgrade()) else {
            undo_dir();
            return Err(("port", "Unable to listen on this port. Check server logs.".into()));
        };
        if crate::server::conn::rebind(&this, port, &bind).is_err() {
            undo_dir();
            return Err(if has("port") && differs("port") { ("port", "Unable to listen on this port. Check server logs.".into()) } else { ("bind", "Failed to bind to specified addresses.".into()) });
        }
    }
    Ok(())
}

fn apply_after_reload(srv: &Server, changed: &[&'static Directive]) {
    let s = srv.settings();
    for d in changed {
        match d.name {
            "maxmemory" => {
                let used = crate::server::evict::used_memory();
                if s.maxmemory > 0 && used > s.maxmemory {
                    tracing::warn!("WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current memory usage ({}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.", s.maxmemory, used);
                }
                let _ = crate::server::evict::perform(srv, &s);
            }
            "proc-title-template" => {
                crate::server::proctitle::update(&srv.config.lock().unwrap_or_else(|e| e.into_inner()));
            }
            "appendonly" if !s.appendonly => srv.aof.stop(srv),
            "appendfsync" => srv.aof.set_policy(crate::persist::aof::writer::Fsync::parse(&s.appendfsync)),
            "no-appendfsync-on-rewrite" => srv.aof.set_no_fsync_on_rewrite(s.no_appendfsync_on_rewrite),
            "slowlog-max-len" => {
                srv.slowlog.lock().unwrap_or_else(|e| e.into_inner()).entries.truncate(s.slowlog_max_len);
            }
            _ => {}
        }
    }
}

fn rewrite(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let store = ctx.srv.config.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = store.file.clone() else {
        return Err(CmdError::err("The server is running without a config file"));
    };
    match crate::config::load::rewrite(&store, &path, false) {
        Ok(()) => {
            tracing::info!("CONFIG REWRITE executed with success.");
            Ok(Reply::OK)
        }
        Err(e) => {
            tracing::warn!("CONFIG REWRITE failed: {e}");
            Err(CmdError::err(format!("Rewriting config file: {}", io_text(&e))))
        }
    }
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Zeroes what Redis's CONFIG RESETSTAT zeroes: the INFO stats counters, per-command
/// statistics, error statistics and the memory peak. The slow log and latency samples
/// stay (they have their own RESET).
pub fn reset_stats(srv: &Server) {
    srv.stats.reset();
    for c in srv.table.iter() {
        c.stats.reset();
        for s in c.subcommands.values() {
            s.stats.reset();
        }
    }
    srv.errorstats.lock().unwrap_or_else(|e| e.into_inner()).clear();
    srv.reset_command_latency();
    srv.pubsub.messages_published.store(0, std::sync::atomic::Ordering::Relaxed);
    crate::util::alloc::reset_peak();
}

fn resetstat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    reset_stats(ctx.srv);
    Ok(Reply::OK)
}

fn config_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(help(&[
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Every parameter whose name matches the glob <pattern>, with its value.",
        "SET <directive> <value>",
        "    Change <directive> to <value> (several pairs are applied together or not at all).",
        "RESETSTAT",
        "    Zero the counters INFO reports.",
        "REWRITE",
        "    Write the running configuration back to the config file.",
        "HELP",
        "    Show this text.",
    ]))
}
