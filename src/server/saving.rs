//! When RDB snapshots are taken and what the server remembers about them: SAVE,
//! BGSAVE [SCHEDULE], the `save` points checked by the cron, MISCONF after a failed
//! background save, loading `dbfilename` at start-up, and the `rdb_*` fields of INFO
//! persistence. How a file is written or read is `persist::rdb_file`'s business.
//!
//! BACKGROUND. Redis forks for BGSAVE and reaps the child in serverCron. slotd runs the
//! fork-less snapshot (`persist::snapshot`) on a plain thread instead; the thread leaves
//! its result in `RdbState::finished`, and the cron takes it from there exactly where
//! Redis would reap the child, so the observable order (LASTSAVE, dirty counter, log
//! lines, status fields) is the same.
use super::Server;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this
/// long before trying again, so a full disk is not hammered.
const BGSAVE_RETRY_DELAY_SECS: i64 = 5;

/// What the server knows about RDB saving. Written by SAVE/BGSAVE and the cron, read
/// by INFO and the gate (MISCONF); plain atomics because every field is independent.
pub struct RdbState {
    /// A background save is running (at most one).
    pub in_progress: AtomicBool,
    /// Unix seconds when the running save started.
    pub started_secs: AtomicI64,
    /// `stats.dirty` when the running save started: what a success subtracts.
    dirty_at_start: AtomicU64,
    /// Outcome of the last background save (INFO rdb_last_bgsave_status; MISCONF).
    pub last_bgsave_ok: AtomicBool,
    /// Duration of the last background save in seconds, -1 before the first.
    pub last_bgsave_secs: AtomicI64,
    /// Unix seconds of the last BGSAVE attempt (for BGSAVE_RETRY_DELAY_SECS).
    last_try_secs: AtomicI64,
    /// Successful saves since start-up (INFO rdb_saves).
    pub saves: AtomicU64,
    /// BGSAVE SCHEDULE asked for a save while another background job ran.
    pub scheduled: AtomicBool,
    /// Keys written so far / in total by the running save.
    pub keys_processed: AtomicU64,
    pub keys_total: AtomicU64,
    /// Keys loaded / skipped as expired by the last load.
    pub last_load_keys_loaded: AtomicU64,
    pub last_load_keys_expired: AtomicU64,
    /// The background thread's result, collected by the cron.
    finished: Mutex<Option<Result<(), String>>>,
    /// Calls off the running save (FLUSHALL) and orders renames.
    pub ctl: crate::persist::rdb_file::SaveControl,
}

impl Default for RdbState {
    fn default() -> Self {
        RdbState {
            in_progress: AtomicBool::new(false),
            started_secs: AtomicI64::new(0),
            dirty_at_start: AtomicU64::new(0),
            last_bgsave_ok: AtomicBool::new(true),
            last_bgsave_secs: AtomicI64::new(-1),
            last_try_secs: AtomicI64::new(0),
            saves: AtomicU64::new(0),
            scheduled: AtomicBool::new(false),
            keys_processed: AtomicU64::new(0),
            keys_total: AtomicU64::new(0),
            last_load_keys_loaded: AtomicU64::new(0),
            last_load_keys_expired: AtomicU64::new(0),
            finished: Mutex::new(None),
            ctl: Default::default(),
        }
    }
}

/// The RDB file's path: `dbfilename` inside `dir`.
pub fn rdb_path(srv: &Server) -> PathBuf {
    let s = srv.settings();
    if s.dir.is_empty() {
        PathBuf::from(&s.dbfilename)
    } else {
        std::path::Path::new(&s.dir).join(&s.dbfilename)
    }
}

/// Why a BGSAVE did not start.
pub enum BgsaveRefusal {
    InProgress,
    /// Another background job (an AOF rewrite) runs; the save was scheduled if asked.
    OtherChild { scheduled: bool },
}

/// SAVE: writes the snapshot now and answers when it is on disk. Other clients keep
/// running meanwhile (the snapshot is still the state at the moment SAVE began).
pub fn save(srv: &Server) -> Result<(), String> {
    save_counted(srv, true)
}

/// A synchronous save; `count` says whether it shows in INFO rdb_saves (SAVE and
/// SHUTDOWN do; the saves inside FLUSHALL and DEBUG RELOAD do not, as in Redis).
pub fn save_counted(srv: &Server, count: bool) -> Result<(), String> {
    if srv.rdb.in_progress.swap(true, Ordering::AcqRel) {
        return Err("Background save already in progress".into());
    }
    srv.rdb.ctl.abort.store(false, Ordering::Release);
    let dirty = srv.stats.dirty.load(Ordering::Relaxed);
    let r = write_now(srv);
    srv.rdb.in_progress.store(false, Ordering::Release);
    match &r {
        Ok(()) => {
            tracing::warn!("DB saved on disk");
            record_success(srv, dirty, crate::util::time::now_secs(), count);
        }
        Err(e) => tracing::warn!("Error saving DB on disk: {e}"),
    }
    r
}

/// FLUSHALL's part, called with every shard held on an emptied keyspace: a running
/// background save is called off (its image is of data that no longer exists), and
/// with save points configured an empty file replaces the old one at once.
pub fn after_flushall(srv: &Server, s: &crate::config::Settings) {
    if srv.rdb.in_progress.load(Ordering::Acquire) {
        srv.rdb.ctl.abort.store(true, Ordering::Release);
    }
    if s.save_points.is_empty() {
        return;
    }
    let opts = crate::persist::rdb_file::SaveOptions::from_settings(s);
    match crate::persist::rdb_file::save_empty(&rdb_path(srv), &opts, &srv.rdb.ctl) {
        Ok(()) => {
            tracing::warn!("DB saved on disk");
            srv.stats.dirty.store(0, Ordering::Relaxed);
            srv.lastsave_secs.store(crate::util::time::now_secs(), Ordering::Relaxed);
        }
        Err(e) => tracing::warn!("Error saving DB on disk: {e}"),
    }
}

fn write_now(srv: &Server) -> Result<(), String> {
    let pending = begin_now(srv);
    complete(srv, pending)
}

/// The snapshot's instant: taken before SAVE or BGSAVE answers, as Redis's fork is.
fn begin_now(srv: &Server) -> crate::persist::rdb_file::PendingSave {
    let s = srv.settings();
    let opts = crate::persist::rdb_file::SaveOptions::from_settings(&s);
    let total = srv.ks.counts().iter().map(|c| c.0 as u64).sum();
    srv.rdb.keys_total.store(total, Ordering::Relaxed);
    srv.rdb.keys_processed.store(0, Ordering::Relaxed);
    crate::persist::rdb_file::begin(&srv.ks, &opts)
}

fn complete(srv: &Server, pending: crate::persist::rdb_file::PendingSave) -> Result<(), String> {
    crate::persist::rdb_file::complete(&srv.ks, pending, &rdb_path(srv), &srv.rdb.keys_processed, &srv.rdb.ctl).map(|_| ())
}

/// BGSAVE [SCHEDULE]: starts a background save on its own thread. `locks_held`: the
/// caller (EXEC running a queued BGSAVE) holds shards, under which the snapshot's
/// instant cannot be taken; the save then starts from the next cron tick instead.
pub fn bgsave(srv: &Arc<Server>, schedule: bool, locks_held: bool) -> Result<(), BgsaveRefusal> {
    if srv.rdb.in_progress.load(Ordering::Acquire) {
        return Err(BgsaveRefusal::InProgress);
    }
    if other_child_active(srv) {
        if schedule {
            srv.rdb.scheduled.store(true, Ordering::Relaxed);
        }
        return Err(BgsaveRefusal::OtherChild { scheduled: schedule });
    }
    if locks_held {
        srv.rdb.scheduled.store(true, Ordering::Relaxed);
        return Ok(());
    }
    if !start_background(srv) {
        return Err(BgsaveRefusal::InProgress);
    }
    Ok(())
}

/// Whether a background job other than an RDB save runs (an AOF rewrite). Saves and
/// rewrites take turns, as Redis's one-child rule makes them.
fn other_child_active(srv: &Server) -> bool {
    srv.aof.shared.rewrite.in_progress.load(Ordering::Acquire)
}

/// Starts a background save; false if one already runs.
fn start_background(srv: &Arc<Server>) -> bool {
    if srv.rdb.in_progress.swap(true, Ordering::AcqRel) {
        return false;
    }
    let now = crate::util::time::now_secs();
    srv.rdb.ctl.abort.store(false, Ordering::Release);
    srv.rdb.started_secs.store(now, Ordering::Relaxed);
    srv.rdb.last_try_secs.store(now, Ordering::Relaxed);
    srv.rdb.dirty_at_start.store(srv.stats.dirty.load(Ordering::Relaxed), Ordering::Relaxed);
    srv.rdb.scheduled.store(false, Ordering::Relaxed);
    let pending = begin_now(srv);
    let srv2 = srv.clone();
    let spawned = std::thread::Builder::new().name("slotd-bgsave".into()).spawn(move || {
        let r = complete(&srv2, pending);
        *srv2.rdb.finished.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    });
    match spawned {
        Ok(_) => tracing::warn!("Background saving started by pid {}", std::process::id()),
        Err(e) => {
            tracing::warn!("Can't save in background: thread: {e}");
            srv.ks.cow_end();
            *srv.rdb.finished.lock().unwrap_or_else(|e| e.into_inner()) = Some(Err(e.to_string()));
        }
    }
    true
}

/// The cron's part (Redis's serverCron checks): collects a finished background save,
/// starts a scheduled one, and checks the save points.
pub fn cron(srv: &Arc<Server>, now_secs: i64) {
    if let Some(r) = srv.rdb.finished.lock().unwrap_or_else(|e| e.into_inner()).take() {
        finish_background(srv, r, now_secs);
    }
    if srv.rdb.in_progress.load(Ordering::Acquire) || other_child_active(srv) {
        return;
    }
    if srv.rdb.scheduled.load(Ordering::Relaxed) {
        start_background(srv);
        return;
    }
    let s = srv.settings();
    let dirty = srv.stats.dirty.load(Ordering::Relaxed);
    let lastsave = srv.lastsave_secs.load(Ordering::Relaxed);
    let retry_ok = srv.rdb.last_bgsave_ok.load(Ordering::Relaxed) || now_secs - srv.rdb.last_try_secs.load(Ordering::Relaxed) > BGSAVE_RETRY_DELAY_SECS;
    for &(secs, changes) in &s.save_points {
        if dirty >= changes && now_secs - lastsave > secs as i64 && retry_ok {
            tracing::info!("{changes} changes in {secs} seconds. Saving...");
            start_background(srv);
            return;
        }
    }
}

/// A save that completed: the changes it captured (`dirty_before`) are no longer
/// unsaved, LASTSAVE moves, MISCONF lifts; `count`: it shows in INFO rdb_saves.
fn record_success(srv: &Server, dirty_before: u64, now_secs: i64, count: bool) {
    let _ = srv.stats.dirty.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| Some(d.saturating_sub(dirty_before)));
    srv.lastsave_secs.store(now_secs, Ordering::Relaxed);
    srv.rdb.last_bgsave_ok.store(true, Ordering::Relaxed);
    if count {
        srv.rdb.saves.fetch_add(1, Ordering::Relaxed);
    }
}

fn finish_background(srv: &Server, r: Result<(), String>, now_secs: i64) {
    let started = srv.rdb.started_secs.load(Ordering::Relaxed);
    srv.rdb.last_bgsave_secs.store(now_secs - started, Ordering::Relaxed);
    match r {
        Ok(()) => {
            tracing::warn!("Background saving terminated with success");
            record_success(srv, srv.rdb.dirty_at_start.load(Ordering::Relaxed), now_secs, true);
        }
        // Called off by FLUSHALL: not a failure (Redis's killed child is not either).
        Err(e) if e == crate::persist::rdb_file::ABORTED => tracing::warn!("Background saving terminated by FLUSHALL"),
        Err(e) => {
            tracing::warn!("Background saving error: {e}");
            srv.rdb.last_bgsave_ok.store(false, Ordering::Relaxed);
        }
    }
    srv.rdb.in_progress.store(false, Ordering::Release);
}

/// Whether writes are refused with MISCONF: the last background save failed, save
/// points are configured and `stop-writes-on-bgsave-error` is on.
pub fn writes_refused(srv: &Server, s: &crate::config::Settings) -> bool {
    s.stop_writes_on_bgsave_error && !s.save_points.is_empty() && !srv.rdb.last_bgsave_ok.load(Ordering::Relaxed)
}

/// Loads `dbfilename` at start-up if it exists. Returns an error (start-up stops) for a
/// file that exists but cannot be loaded, as Redis does.
pub fn load_at_startup(srv: &Server) -> Result<(), String> {
    let path = rdb_path(srv);
    if !path.exists() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let s = srv.settings();
    let info = crate::persist::rdb_file::load(&srv.ks, &path, &s, false)?;
    srv.rdb.last_load_keys_loaded.store(info.keys_loaded, Ordering::Relaxed);
    srv.rdb.last_load_keys_expired.store(info.keys_expired, Ordering::Relaxed);
    tracing::warn!("Done loading RDB, keys loaded: {}, keys expired: {}.", info.keys_loaded, info.keys_expired);
    tracing::warn!("DB loaded from disk: {:.3} seconds", started.elapsed().as_secs_f64());
    Ok(())
}
