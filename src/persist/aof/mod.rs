//! Multi-part AOF (Redis 7.0): start-up loading, appending under the fsync policies, the
//! manifest, and the hooks the rewrite uses.
//!
//! - `manifest` — the manifest format, file naming, crash-safe replacement;
//! - `load`     — replaying the base and incremental files at start-up;
//! - `writer`   — the propagation sink, the writer and fsync threads.
//!
//! `Aof` (one per server, `Server::aof`) is the handle: `start_up` loads and opens the
//! AOF before clients are served, `stop` closes it (CONFIG SET appendonly no,
//! shutdown), `wait_durable` is the `appendfsync always` group-commit wait of a
//! connection, and `rewrite_open_new_incr` / `rewrite_done` are the two steps a
//! rewrite takes on the files (see their docs). The handle never touches the keyspace
//! except through `load` at start-up.
//!
//! The rewrite itself (when, and the snapshot that becomes the base) is
//! `server::aof_rewrite`; this module switches files and manifests for it.
pub mod load;
pub mod manifest;
pub mod rewrite_cmds;
pub mod writer;

use crate::server::Server;
use manifest::Manifest;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use writer::{Fsync, Writer};

/// Writes an RDB-format base file (the data set at this moment) to `out`.
pub type BaseWriter = fn(srv: &Server, out: &mut dyn std::io::Write) -> std::io::Result<()>;

/// The RDB writer for base files (`aof-use-rdb-preamble yes`): a snapshot of the data
/// set with `aof-base` 1 in its header.
pub const RDB_BASE_WRITER: Option<BaseWriter> = Some(rdb_base_writer);

fn rdb_base_writer(srv: &Server, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::persist::rdb_file;
    let opts = rdb_file::SaveOptions::from_settings(&srv.settings());
    let pending = rdb_file::begin_with(&srv.ks, &opts, true, || {});
    rdb_file::write_to(&srv.ks, pending, out, &AtomicU64::new(0), &rdb_file::SaveControl::default()).map(|_| ()).map_err(std::io::Error::other)
}

/// BGREWRITEAOF with the AOF off (Redis writes a base and a manifest, no incremental
/// file): `temp_base` becomes the next base of the directory's manifest and the old
/// base goes to history (deleted unless aof-disable-auto-gc).
pub fn rewrite_done_offline(s: &crate::config::Settings, temp_base: &Path, rdb: bool) -> std::io::Result<()> {
    let dir = aof_dir(s);
    let prefix = s.appendfilename.clone();
    let mut m = manifest::load(&dir, &prefix).map_err(|lines| std::io::Error::other(lines.join("; ")))?.unwrap_or_default();
    let name = m.new_base(&prefix, rdb);
    std::fs::rename(temp_base, dir.join(&name))?;
    tracing::info!("Successfully renamed the temporary AOF base file {} into {name}", temp_base.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    m.mark_rewritten_incrs_as_history(false);
    manifest::persist(&dir, &prefix, &m)?;
    if !s.aof_disable_auto_gc {
        for f in std::mem::take(&mut m.history) {
            tracing::info!("Removing the history file {} in the background", f.name);
            let _ = std::fs::remove_file(dir.join(&f.name));
        }
        manifest::persist(&dir, &prefix, &m)?;
    }
    Ok(())
}

/// CONFIG SET appendonly yes when no rewrite can start (Redis's reply text).
pub const CANT_ENABLE: &str = "Unable to turn on AOF. Check server logs.";

/// Start-up was refused; the reasons are already logged (Redis exits with status 1).
#[derive(Debug)]
pub struct Refused;

/// `strerror` text of an I/O error, as Redis prints it (without Rust's "(os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// State of the AOF rewrite as INFO shows it. Written by the rewrite (the lead's code),
/// read by INFO and the writer (no-appendfsync-on-rewrite).
pub struct RewriteStats {
    pub in_progress: AtomicBool,
    pub scheduled: AtomicBool,
    /// Duration of the last rewrite (s); -1: none yet.
    pub last_time_secs: AtomicI64,
    /// Unix second the running rewrite started.
    pub started_secs: AtomicI64,
    pub last_ok: AtomicBool,
    pub count: AtomicU64,
    pub consecutive_failures: AtomicU64,
}

impl Default for RewriteStats {
    fn default() -> Self {
        RewriteStats {
            in_progress: AtomicBool::new(false),
            scheduled: AtomicBool::new(false),
            last_time_secs: AtomicI64::new(-1),
            started_secs: AtomicI64::new(0),
            last_ok: AtomicBool::new(true),
            count: AtomicU64::new(0),
            consecutive_failures: AtomicU64::new(0),
        }
    }
}

/// What the writer, connections, the gate and INFO share. Atomics, each written by the
/// one party its comment names.
#[derive(Default)]
pub struct Shared {
    /// Appending (Redis's aof_state == AOF_ON). Written by start/stop.
    pub on: AtomicBool,
    /// `Fsync` as u8. Written by start and CONFIG SET appendfsync.
    policy: AtomicU8,
    /// Propagation number up to which the file is fsynced. Written by the writer and
    /// fsync threads; connections wait on `synced` for it.
    pub fsynced_seq: AtomicU64,
    pub synced: tokio::sync::Notify,
    /// Propagation number up to which the file is written (page cache). Written by
    /// whoever writes (writer thread or a connection, under the file lock).
    pub written_seq: AtomicU64,
    /// aof_current_size / aof_base_size.
    pub current_size: AtomicU64,
    pub base_size: AtomicU64,
    /// Bytes held by the writer between a failed or postponed write and the next try.
    pub carry_len: AtomicU64,
    /// Background fsyncs queued or running (aof_pending_bio_fsync).
    pub fsync_jobs: AtomicU64,
    pub delayed_fsync: AtomicU64,
    /// The last write failed / the last background fsync failed: writes are refused
    /// with MISCONF until one succeeds.
    pub write_failed: AtomicBool,
    pub fsync_failed: AtomicBool,
    last_error: Mutex<String>,
    /// no-appendfsync-on-rewrite.
    pub no_fsync_on_rewrite: AtomicBool,
    pub rewrite: RewriteStats,
}

impl Shared {
    pub fn policy(&self) -> Fsync {
        Fsync::from_u8(self.policy.load(Ordering::Relaxed))
    }

    fn set_error(&self, why: String) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = why;
    }

    fn last_error(&self) -> String {
        self.last_error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The open AOF. Guarded by `Aof::open`, which only start/stop, CONFIG SET and the
/// rewrite take (never the write path).
struct Open {
    /// `<dir>/<appenddirname>`, absolute as of opening (a later CONFIG SET dir does not
    /// move an open AOF).
    dir: PathBuf,
    /// `appendfilename`: the prefix of every file name.
    prefix: String,
    manifest: Manifest,
    /// The incremental file being written.
    incr_name: String,
    writer: Writer,
    disable_auto_gc: bool,
}

#[derive(Default)]
pub struct Aof {
    pub shared: Arc<Shared>,
    open: Mutex<Option<Open>>,
    /// The running writer, for connections that write before replying; read-locked
    /// once per reply batch with writes, written by start/stop.
    writer: std::sync::RwLock<Option<writer::Handle>>,
}

/// What must happen before replies that include writes are sent.
#[derive(Debug, PartialEq, Eq)]
pub enum BeforeReply {
    Nothing,
    /// everysec/no: the commands must be written to the file (`write_through`).
    Write,
    /// always: they must be fsynced (`wait_durable`).
    Fsync,
}

/// INFO persistence's AOF fields.
pub struct Info {
    pub enabled: bool,
    pub current_size: u64,
    pub base_size: u64,
    pub buffer_length: u64,
    pub pending_bio_fsync: u64,
    pub delayed_fsync: u64,
    pub last_write_ok: bool,
}

/// `<dir>/<appenddirname>`
pub fn aof_dir(s: &crate::config::Settings) -> PathBuf {
    Path::new(&s.dir).join(&s.appenddirname)
}

impl Aof {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Open>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_on(&self) -> bool {
        self.shared.on.load(Ordering::Acquire)
    }

    /// CONFIG SET appendfsync.
    pub fn set_policy(&self, p: Fsync) {
        self.shared.policy.store(p as u8, Ordering::Relaxed);
        if let Some(o) = self.lock().as_ref() {
            o.writer.wake();
        }
    }

    pub fn set_no_fsync_on_rewrite(&self, on: bool) {
        self.shared.no_fsync_on_rewrite.store(on, Ordering::Relaxed);
    }

    /// What replies to a client whose last write is `seq` wait for.
    pub fn before_reply(&self, seq: u64) -> BeforeReply {
        if seq > self.shared.written_seq.load(Ordering::Acquire) && self.is_on() {
            return if self.shared.policy() == Fsync::Always { BeforeReply::Fsync } else { BeforeReply::Write };
        }
        if self.must_wait(seq) {
            return BeforeReply::Fsync;
        }
        BeforeReply::Nothing
    }

    /// Whether a reply to a client whose last write is `seq` must wait for an fsync
    /// (`appendfsync always` and not fsynced that far yet).
    pub fn must_wait(&self, seq: u64) -> bool {
        seq > self.shared.fsynced_seq.load(Ordering::Acquire) && self.is_on() && self.shared.policy() == Fsync::Always
    }

    /// Writes every command up to `seq` to the file on the calling thread (a page-cache
    /// write, as Redis's main thread does before replying).
    pub fn write_through(&self, seq: u64) {
        let w = self.writer.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(w) = w {
            w.write_through(seq);
        }
    }

    /// Waits until the AOF holds, fsynced, every command up to `seq` (or is no longer
    /// under `always`). Many connections wait on the same fsync: group commit.
    pub async fn wait_durable(&self, seq: u64) {
        loop {
            let synced = self.shared.synced.notified();
            if !self.must_wait(seq) {
                return;
            }
            synced.await;
        }
    }

    /// Why writes are refused (MISCONF), if the AOF cannot be written.
    pub fn write_denied(&self) -> Option<String> {
        let failed = self.shared.write_failed.load(Ordering::Relaxed) || self.shared.fsync_failed.load(Ordering::Relaxed);
        (failed && self.is_on()).then(|| self.shared.last_error())
    }

    pub fn info(&self) -> Info {
        let sh = &self.shared;
        // Not the `open` lock: a rewrite may hold it through a write and an fsync.
        let buffer_length = self.writer.read().unwrap_or_else(|e| e.into_inner()).as_ref().map_or(0, |w| w.buffer_len());
        Info {
            enabled: self.is_on(),
            current_size: sh.current_size.load(Ordering::Relaxed),
            base_size: sh.base_size.load(Ordering::Relaxed),
            buffer_length,
            pending_bio_fsync: sh.fsync_jobs.load(Ordering::Relaxed),
            delayed_fsync: sh.delayed_fsync.load(Ordering::Relaxed),
            last_write_ok: !sh.write_failed.load(Ordering::Relaxed) && !sh.fsync_failed.load(Ordering::Relaxed),
        }
    }

    /// Start-up with `appendonly yes` (Redis's aofLoadManifestFromDisk, loadDataFromDisk,
    /// aofOpenIfNeededOnServerStart, aofDelHistoryFiles): load what the manifest names,
    /// then open the incremental file for appending — creating the directory, a base
    /// and an incremental file on a first start. Blocking; runs before the server is
    /// ready, while clients get -LOADING. Err: refused, the reason is logged, the
    /// process must exit with status 1.
    pub fn start_up(&self, srv: &Server) -> Result<(), Refused> {
        let s = srv.settings();
        self.shared.policy.store(Fsync::parse(&s.appendfsync) as u8, Ordering::Relaxed);
        self.shared.no_fsync_on_rewrite.store(s.no_appendfsync_on_rewrite, Ordering::Relaxed);
        if !s.appendonly {
            return Ok(());
        }
        let dir = aof_dir(&s);
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        let prefix = s.appendfilename.clone();
        let mut m = match manifest::load(&dir, &prefix) {
            Ok(m) => m.unwrap_or_default(),
            Err(lines) => {
                for l in lines {
                    tracing::warn!("{l}");
                }
                return Err(Refused);
            }
        };
        upgrade_old_style(&s, &dir, &prefix, &mut m)?;
        let started = std::time::Instant::now();
        let loaded = load::load_all(srv, &dir, &prefix, &m, load::Options { load_truncated: s.aof_load_truncated });
        match loaded.outcome {
            load::Outcome::Failed => return Err(Refused),
            load::Outcome::NotExist => {}
            _ => tracing::info!("DB loaded from append only file: {:.3} seconds", started.elapsed().as_secs_f64()),
        }
        self.open_on_start(srv, &s, dir, prefix, m)
    }

    /// aofOpenIfNeededOnServerStart + aofDelHistoryFiles.
    fn open_on_start(&self, srv: &Server, s: &crate::config::Settings, dir: PathBuf, prefix: String, mut m: Manifest) -> Result<(), Refused> {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            tracing::warn!("Can't open or create append-only dir {}: {}", s.appenddirname, strerror(&e));
            return Err(Refused);
        }
        let had_incr = !m.incrs.is_empty();
        let had_files = !m.is_empty();
        if m.is_empty() {
            // A first start: the base is the (empty) data set, as Redis writes one.
            let rdb = s.aof_use_rdb_preamble && RDB_BASE_WRITER.is_some();
            let name = m.new_base(&prefix, rdb);
            write_base(srv, &dir, &name, rdb)?;
            tracing::info!("Creating AOF base file {name} on server start");
        }
        let incr_name = m.last_incr(&prefix);
        let file = match open_append(&dir.join(&incr_name)) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!("Can't open the append-only file {incr_name}: {}", strerror(&e));
                return Err(Refused);
            }
        };
        manifest::persist(&dir, &prefix, &m).map_err(|_| Refused)?;
        let incr_size = file.metadata().map(|md| md.len()).unwrap_or(0);
        if had_incr {
            tracing::info!("Opening AOF incr file {incr_name} on server start");
        } else {
            tracing::info!("Creating AOF incr file {incr_name} on server start");
        }
        // Redis counts the files only when it loaded them: the base a first start
        // creates is not in aof_current_size / aof_base_size until the next start.
        let (total, base) = if had_files { sizes(&dir, &m) } else { (incr_size, 0) };
        self.shared.current_size.store(total, Ordering::Relaxed);
        self.shared.base_size.store(base, Ordering::Relaxed);
        let writer = match Writer::start(file, incr_size, srv.propagation.seq(), self.shared.clone()) {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!("Can't start the AOF writer: {}", strerror(&e));
                return Err(Refused);
            }
        };
        srv.propagation.set_sink(Some(writer.sink()));
        *self.writer.write().unwrap_or_else(|e| e.into_inner()) = Some(writer.handle());
        self.shared.on.store(true, Ordering::Release);
        let mut open = Open { dir, prefix, manifest: m, incr_name, writer, disable_auto_gc: s.aof_disable_auto_gc };
        delete_history_files(&mut open);
        *self.lock() = Some(open);
        Ok(())
    }

    /// Stops appending (CONFIG SET appendonly no; shutdown): what is buffered is written
    /// and fsynced, the file closed (Redis's stopAppendOnly).
    pub fn stop(&self, srv: &Server) {
        let Some(open) = self.lock().take() else { return };
        srv.propagation.set_sink(None);
        self.writer.write().unwrap_or_else(|e| e.into_inner()).take();
        open.writer.stop();
        self.shared.on.store(false, Ordering::Release);
        // Anyone still waiting has nothing left to wait for.
        self.shared.synced.notify_waiters();
    }

    /// At shutdown (prepareForShutdown): the last writes reach the disk.
    pub fn shutdown(&self, srv: &Server) {
        if self.is_on() {
            tracing::info!("Calling fsync() on the AOF file.");
            self.stop(srv);
        }
    }

    /// CONFIG SET appendonly yes, step 1 (startAppendOnly), called by the rewrite at
    /// its point in time (all shard locks held): a new incremental file is opened and
    /// appending starts. The manifest on disk does not name the file yet: until the
    /// rewrite's base is in place (`rewrite_done`) a crash leaves the old AOF state,
    /// as Redis's temporary incremental file does.
    pub fn open_for_runtime(&self, srv: &Server) -> std::io::Result<()> {
        let s = srv.settings();
        let dir = aof_dir(&s);
        std::fs::create_dir_all(&dir)?;
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        let prefix = s.appendfilename.clone();
        let mut m = manifest::load(&dir, &prefix).map_err(|lines| std::io::Error::other(lines.join("; ")))?.unwrap_or_default();
        let incr_name = m.new_incr(&prefix);
        let file = open_append(&dir.join(&incr_name))?;
        let writer = Writer::start(file, 0, srv.propagation.seq(), self.shared.clone())?;
        srv.propagation.set_sink(Some(writer.sink()));
        *self.writer.write().unwrap_or_else(|e| e.into_inner()) = Some(writer.handle());
        self.shared.on.store(true, Ordering::Release);
        tracing::info!("Creating AOF incr file {incr_name} on background rewrite");
        *self.lock() = Some(Open { dir, prefix, manifest: m, incr_name, writer, disable_auto_gc: s.aof_disable_auto_gc });
        Ok(())
    }

    /// Rewrite step 1 (openNewIncrAofForAppend), at the rewrite's point in time: a new
    /// incremental file is created and listed in the manifest, and every command
    /// propagated after this call goes there, every one before it to the previous file
    /// (written and fsynced before the switch). Call it while no command can propagate
    /// (all shard locks held), right where the snapshot that becomes the new base is
    /// taken. Blocks for one write and fsync. Returns the new file's name.
    pub fn rewrite_open_new_incr(&self) -> std::io::Result<String> {
        let mut g = self.lock();
        let Some(o) = g.as_mut() else { return Err(std::io::Error::other("the AOF is off")) };
        let mut m = o.manifest.clone();
        let name = m.new_incr(&o.prefix);
        let path = o.dir.join(&name);
        let file = open_append(&path).inspect_err(|e| tracing::warn!("Can't open the append-only file {name}: {}", strerror(e)))?;
        if let Err(e) = manifest::persist(&o.dir, &o.prefix, &m) {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        if let Err(e) = o.writer.switch_to(file) {
            // The manifest names a new file that stays empty: harmless, and the next
            // successful rewrite retires it.
            o.manifest = m;
            return Err(e);
        }
        o.manifest = m;
        o.incr_name = name.clone();
        tracing::info!("Creating AOF incr file {name} on background rewrite");
        Ok(name)
    }

    /// Rewrite step 2 (backgroundRewriteDoneHandler): `temp_base` (in the AOF directory,
    /// fsynced, holding the data set as of step 1) becomes the new base; the previous
    /// base and the incremental files before step 1 become history, deleted unless
    /// aof-disable-auto-gc. `rdb`: the base is RDB (named `.base.rdb`) or AOF.
    pub fn rewrite_done(&self, temp_base: &Path, rdb: bool) -> std::io::Result<()> {
        let mut g = self.lock();
        let Some(o) = g.as_mut() else { return Err(std::io::Error::other("the AOF is off")) };
        let mut m = o.manifest.clone();
        let name = m.new_base(&o.prefix, rdb);
        let temp_name = temp_base.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::rename(temp_base, o.dir.join(&name)).inspect_err(|e| {
            tracing::warn!("Error trying to rename the temporary AOF base file {temp_name} into {name}: {}", strerror(e));
        })?;
        tracing::info!("Successfully renamed the temporary AOF base file {temp_name} into {name}");
        m.mark_rewritten_incrs_as_history(true);
        if let Err(e) = manifest::persist(&o.dir, &o.prefix, &m) {
            let _ = std::fs::remove_file(o.dir.join(&name));
            return Err(e);
        }
        o.manifest = m;
        let (total, base) = sizes(&o.dir, &o.manifest);
        self.shared.current_size.store(total, Ordering::Relaxed);
        self.shared.base_size.store(base, Ordering::Relaxed);
        delete_history_files(o);
        Ok(())
    }

    /// The AOF directory and the manifest as they are now (for the rewrite and tests).
    pub fn manifest(&self) -> Option<(PathBuf, Manifest)> {
        self.lock().as_ref().map(|o| (o.dir.clone(), o.manifest.clone()))
    }
}

/// `O_WRONLY|O_APPEND|O_CREAT`, mode 0644.
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().append(true).create(true).mode(0o644).open(path)
}

/// Total size of the base and incremental files, and the base's.
fn sizes(dir: &Path, m: &Manifest) -> (u64, u64) {
    let size = |n: &str| std::fs::metadata(dir.join(n)).map(|md| md.len()).unwrap_or(0);
    let base = m.base.as_ref().map_or(0, |b| size(&b.name));
    (base + m.incrs.iter().map(|f| size(&f.name)).sum::<u64>(), base)
}

/// Writes the base of a first start (rewriteAppendOnlyFile on an empty data set): to a
/// temp file, fsynced, renamed into place.
fn write_base(srv: &Server, dir: &Path, name: &str, rdb: bool) -> Result<(), Refused> {
    let tmp = dir.join(format!("temp-rewriteaof-{}.aof", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp).inspect_err(|e| tracing::warn!("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {}", strerror(e)))?;
        match RDB_BASE_WRITER {
            Some(w) if rdb => w(srv, &mut f)?,
            _ => {
                // An AOF-format base of the data set; this path only runs on a first
                // start, where the data set is empty.
                if srv.ks.counts().iter().any(|c| c.0 > 0) {
                    return Err(std::io::Error::other("the data set is not empty and this build cannot write it as an AOF base"));
                }
            }
        }
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name)).inspect_err(|e| tracing::warn!("Error moving temp append only file on the final destination: {}", strerror(e)))?;
        manifest::fsync_dir(dir)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        tracing::warn!("Write error writing append only file on disk: {}", strerror(&e));
        Refused
    })
}

/// aofDelHistoryFiles: history files leave the manifest, then the disk.
fn delete_history_files(o: &mut Open) {
    if o.disable_auto_gc || o.manifest.history.is_empty() {
        return;
    }
    let gone = std::mem::take(&mut o.manifest.history);
    for f in &gone {
        tracing::info!("Removing the history file {} in the background", f.name);
    }
    if manifest::persist(&o.dir, &o.prefix, &o.manifest).is_err() {
        // Still listed on disk: keep them listed here too, to retry later.
        o.manifest.history = gone;
        return;
    }
    let dir = o.dir.clone();
    let names: Vec<String> = gone.into_iter().map(|f| f.name).collect();
    let _ = std::thread::Builder::new().name("aof-unlink".into()).spawn(move || {
        for n in names {
            let _ = std::fs::remove_file(dir.join(n));
        }
    });
}

/// aofUpgradePrepare: a Redis < 7 single-file AOF (`<dir>/<appendfilename>`) is moved
/// into the AOF directory as its base, when there is no multi-part AOF yet.
fn upgrade_old_style(s: &crate::config::Settings, dir: &Path, prefix: &str, m: &mut Manifest) -> Result<(), Refused> {
    let old = Path::new(&s.dir).join(prefix);
    if !old.is_file() {
        return Ok(());
    }
    let base_is_old_name = m.base.as_ref().is_some_and(|b| b.name == prefix) && m.incrs.is_empty() && !dir.join(prefix).exists();
    if dir.is_dir() && !m.is_empty() && !base_is_old_name {
        return Ok(());
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        tracing::warn!("Can't open or create append-only dir {}: {}", s.appenddirname, strerror(&e));
        return Err(Refused);
    }
    m.base = Some(manifest::AofFile { name: prefix.to_string(), seq: 1, kind: manifest::FileType::Base });
    m.base_seq = 1;
    manifest::persist(dir, prefix, m).map_err(|_| Refused)?;
    if let Err(e) = std::fs::rename(&old, dir.join(prefix)) {
        tracing::warn!("Error trying to move the old AOF file {prefix} into dir {}: {}", s.appenddirname, strerror(&e));
        return Err(Refused);
    }
    tracing::info!("Successfully migrated an old-style AOF file ({prefix}) into the AOF directory ({}).", s.appenddirname);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_drops_the_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(28);
        assert_eq!(strerror(&e), "No space left on device");
    }
}

#[cfg(test)]
mod rewrite_tests {
    use crate::config::load::{from_args, Invocation};
    use crate::server::Server;
    use bytes::Bytes;

    fn server(dir: &std::path::Path) -> Server {
        let args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", &dir.to_string_lossy()].map(String::from);
        let store = match from_args(&args, || Ok(String::new())) {
            Invocation::Run(store) => *store,
            _ => panic!("test server arguments rejected"),
        };
        Server::new(store).expect("server")
    }

    fn cmd(words: &str) -> Vec<Bytes> {
        words.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect()
    }

    /// The two rewrite steps the lead's BGREWRITEAOF takes, on real files: commands
    /// before step 1 stay in the old incremental file, those after go to the new one
    /// (which starts with a SELECT), and step 2 retires the old files as Redis does.
    #[test]
    fn a_rewrite_switches_incremental_files_and_retires_the_old_ones() {
        let dir = std::env::temp_dir().join(format!("slotd-aof-rewrite-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let srv = server(&dir);
        srv.aof.start_up(&srv).expect("start-up");
        let aof = dir.join("appendonlydir");
        srv.propagation.append(2, &cmd("SET before 1"));
        assert_eq!(srv.aof.rewrite_open_new_incr().unwrap(), "appendonly.aof.2.incr.aof");
        srv.propagation.append(2, &cmd("SET after 2"));
        let manifest = std::fs::read_to_string(aof.join("appendonly.aof.manifest")).unwrap();
        assert_eq!(manifest, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        let temp = aof.join("temp-rewriteaof-bg-1.aof");
        std::fs::write(&temp, "*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$1\r\n1\r\n").unwrap();
        srv.aof.rewrite_done(&temp, false).unwrap();
        let manifest = std::fs::read_to_string(aof.join("appendonly.aof.manifest")).unwrap();
        assert_eq!(manifest, "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        srv.aof.stop(&srv);
        let read = |n: &str| std::fs::read_to_string(aof.join(n)).unwrap();
        assert_eq!(read("appendonly.aof.2.incr.aof"), "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n2\r\n");
        assert!(read("appendonly.aof.2.base.aof").contains("before"));
        // History files are unlinked by a background thread.
        let gone = |n: &str| !aof.join(n).exists();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !(gone("appendonly.aof.1.incr.aof") && gone("appendonly.aof.1.base.rdb")) {
            assert!(std::time::Instant::now() < deadline, "history files not removed");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
