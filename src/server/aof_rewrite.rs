//! When the AOF is rewritten: BGREWRITEAOF, a rewrite scheduled behind a running
//! BGSAVE, and the automatic rewrite (`auto-aof-rewrite-percentage`/`-min-size`).
//!
//! BACKGROUND. Redis forks; the child writes the new base, the parent keeps appending
//! to a new incremental file opened at the fork. slotd does the same without fork: at
//! the snapshot's instant (every shard held, so nothing is applied or propagated) the
//! AOF switches to a new incremental file; a thread then writes the snapshot as the new
//! RDB base, and the manifest swaps bases. Base + new incremental file = the data set.
use super::Server;
use crate::persist::{aof, rdb_file};
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub const IN_PROGRESS: &str = "Background append only file rewriting already in progress";
pub const STARTED: &str = "Background append only file rewriting started";
pub const SCHEDULED: &str = "Background append only file rewriting scheduled";
pub const CANT_START: &str = "Can't execute an AOF background rewriting. Please check the server logs for more information.";

/// BGREWRITEAOF. `locks_held`: the caller (EXEC) holds shards, under which the instant
/// cannot be taken; the rewrite is scheduled for the next cron tick instead.
pub fn bgrewriteaof(srv: &Arc<Server>, locks_held: bool) -> Result<&'static str, &'static str> {
    let rw = &srv.aof.shared.rewrite;
    if rw.in_progress.load(Ordering::Acquire) {
        return Err(IN_PROGRESS);
    }
    if srv.rdb.in_progress.load(Ordering::Acquire) || locks_held {
        rw.scheduled.store(true, Ordering::Relaxed);
        return Ok(SCHEDULED);
    }
    start(srv).map(|_| STARTED).map_err(|_| CANT_START)
}

/// CONFIG SET appendonly yes: appending starts at once, on a new incremental file,
/// and a rewrite writes the current data set as the base (Redis's startAppendOnly; a
/// running BGSAVE delays nothing here, the snapshot does not fork).
pub fn enable_at_runtime(srv: &Arc<Server>) -> Result<(), String> {
    if srv.aof.is_on() {
        return Ok(());
    }
    if srv.aof.shared.rewrite.in_progress.load(Ordering::Acquire) {
        tracing::warn!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        return Err(aof::CANT_ENABLE.into());
    }
    start_mode(srv, Mode::Enable).map_err(|_| {
        tracing::warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        aof::CANT_ENABLE.to_string()
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// The AOF is on: switch to a new incremental file at the instant.
    Online,
    /// The AOF is off: write a base and a manifest only.
    Offline,
    /// CONFIG SET appendonly yes: open the AOF at the instant.
    Enable,
}

/// Starts a rewrite now. Fails if one runs or the new incremental file cannot be made.
pub fn start(srv: &Arc<Server>) -> Result<(), ()> {
    start_mode(srv, if srv.aof.is_on() { Mode::Online } else { Mode::Offline })
}

fn start_mode(srv: &Arc<Server>, mode: Mode) -> Result<(), ()> {
    let rw = &srv.aof.shared.rewrite;
    if rw.in_progress.swap(true, Ordering::AcqRel) {
        return Err(());
    }
    rw.scheduled.store(false, Ordering::Relaxed);
    rw.started_secs.store(crate::util::time::now_secs(), Ordering::Relaxed);
    let s = srv.settings();
    let online = mode != Mode::Offline;
    let opts = rdb_file::SaveOptions::from_settings(&s);
    let mut switched = Ok(());
    // aof-use-rdb-preamble decides the base's format, as in Redis.
    let rdb = s.aof_use_rdb_preamble;
    let format = if rdb { rdb_file::Format::Rdb } else { rdb_file::Format::Aof };
    let pending = rdb_file::begin_format(&srv.ks, &opts, true, format, || {
        switched = match mode {
            Mode::Online => srv.aof.rewrite_open_new_incr().map(|_| ()),
            Mode::Enable => srv.aof.open_for_runtime(srv),
            Mode::Offline => Ok(()),
        };
    });
    if let Err(e) = switched {
        srv.ks.cow_end();
        tracing::warn!("Can't open new incr AOF for background rewrite: {}", aof::strerror(&e));
        if mode == Mode::Enable {
            srv.aof.stop(srv);
        }
        finish(srv, false);
        return Err(());
    }
    tracing::info!("Background append only file rewriting started by pid {}", std::process::id());
    let srv2 = srv.clone();
    let spawned = std::thread::Builder::new().name("slotd-aofrw".into()).spawn(move || {
        let ok = run(&srv2, pending, online, rdb);
        if !ok && mode == Mode::Enable {
            // The manifest never named the new incremental file: appending to it would
            // lose writes at the next start. Stop instead.
            tracing::warn!("The AOF could not be turned on: the background rewrite failed");
            srv2.aof.stop(&srv2);
        }
        finish(&srv2, ok);
    });
    if spawned.is_err() {
        srv.ks.cow_end();
        finish(srv, false);
        return Err(());
    }
    Ok(())
}

/// The thread's work: the base to a temp file in the AOF directory, then the swap.
fn run(srv: &Server, pending: rdb_file::PendingSave, online: bool, rdb: bool) -> bool {
    let s = srv.settings();
    let dir = aof::aof_dir(&s);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        srv.ks.cow_end();
        tracing::warn!("Can't open or create append-only dir {}: {}", s.appenddirname, aof::strerror(&e));
        return false;
    }
    let tmp = dir.join(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
    let written = (|| -> Result<(), String> {
        let file = std::fs::File::create(&tmp).map_err(|e| format!("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {}", aof::strerror(&e)))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        if let Err(e) = rdb_file::write_to(&srv.ks, pending, &mut w, &std::sync::atomic::AtomicU64::new(0), &rdb_file::SaveControl::default()) {
            return Err(e);
        }
        let file = w.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        Ok(())
    })();
    if let Err(e) = written {
        tracing::warn!("Background AOF rewrite failed: {e}");
        let _ = std::fs::remove_file(&tmp);
        return false;
    }
    tracing::info!("Successfully created the temporary AOF base file {}", tmp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    tracing::info!("Background AOF rewrite terminated with success");
    let done = if online { srv.aof.rewrite_done(&tmp, rdb) } else { aof::rewrite_done_offline(&s, &tmp, rdb) };
    match done {
        Ok(()) => {
            tracing::info!("Background AOF rewrite finished successfully");
            true
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!("Background AOF rewrite failed: {}", aof::strerror(&e));
            false
        }
    }
}

fn finish(srv: &Server, ok: bool) {
    let rw = &srv.aof.shared.rewrite;
    let now = crate::util::time::now_secs();
    rw.last_time_secs.store(now - rw.started_secs.load(Ordering::Relaxed), Ordering::Relaxed);
    rw.last_ok.store(ok, Ordering::Relaxed);
    if ok {
        rw.count.fetch_add(1, Ordering::Relaxed);
        rw.consecutive_failures.store(0, Ordering::Relaxed);
    } else {
        rw.consecutive_failures.fetch_add(1, Ordering::Relaxed);
    }
    rw.in_progress.store(false, Ordering::Release);
}

/// The cron's part: a scheduled rewrite once no save runs, and the automatic rewrite
/// when the AOF grew by `auto-aof-rewrite-percentage` over its base and is past
/// `auto-aof-rewrite-min-size`.
pub fn cron(srv: &Arc<Server>) {
    let rw = &srv.aof.shared.rewrite;
    if rw.in_progress.load(Ordering::Acquire) || srv.rdb.in_progress.load(Ordering::Acquire) {
        return;
    }
    if rw.scheduled.load(Ordering::Relaxed) {
        let _ = start(srv);
        return;
    }
    let s = srv.settings();
    if !srv.aof.is_on() || s.auto_aof_rewrite_percentage <= 0 {
        return;
    }
    let info = srv.aof.info();
    let base = info.base_size.max(1);
    if info.current_size > s.auto_aof_rewrite_min_size {
        let growth = (info.current_size as i128 * 100 / base as i128) - 100;
        if growth >= s.auto_aof_rewrite_percentage as i128 {
            tracing::info!("Starting automatic rewriting of AOF on {growth}% growth");
            let _ = start(srv);
        }
    }
}
