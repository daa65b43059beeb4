//! Whole RDB files: writing a snapshot of the keyspace to `dbfilename` (temp file,
//! fsync, rename, directory fsync — a crash leaves the old file or the new one, never
//! half of one) and loading one into the keyspace at start-up.
//!
//! The bytes are `rdb`'s; the point-in-time image is `snapshot`'s. Here is the glue:
//! an `RdbSink` that turns saved slot tables into RDB entries in a shared buffer, and
//! a writer that moves that buffer to the file between snapshot steps, computing the
//! CRC64 trailer over everything in file order.
use super::rdb::{self, LruField, SaveOpts};
use crate::config::Settings;
use crate::keyspace::cow::{Detached, SlotSink};
use crate::keyspace::{Keyspace, SlotTable, FLAG_VOLATILE};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Buffered bytes that make the writer flush to the file between snapshot steps.
const FLUSH_BYTES: usize = 1 << 20;

pub struct SaveOptions {
    pub compress: bool,
    pub checksum: bool,
    pub lru: LruMode,
    pub opts: SaveOpts,
    pub settings: Arc<Settings>,
}

/// What per-key access data the file carries (Redis writes IDLE under LRU policies
/// and FREQ under LFU ones, nothing otherwise).
#[derive(Clone, Copy)]
pub enum LruMode {
    None,
    Idle,
    Freq,
}

impl SaveOptions {
    pub fn from_settings(s: &Settings) -> SaveOptions {
        use crate::config::settings::EvictionPolicy as P;
        let lru = match s.policy {
            P::AllkeysLru | P::VolatileLru => LruMode::Idle,
            P::AllkeysLfu | P::VolatileLfu => LruMode::Freq,
            _ => LruMode::None,
        };
        SaveOptions { compress: s.rdbcompression, checksum: s.rdbchecksum, lru, opts: SaveOpts::from_settings(s), settings: Arc::new(s.clone()) }
    }
}

/// Turns slot tables into RDB entries (SELECTDB when the database changes).
struct RdbSink {
    buf: Mutex<SinkBuf>,
    adopted: Mutex<Vec<Detached>>,
    /// Entry encoding options; the checksum is this module's (file order), not the
    /// entry writer's.
    opts: SaveOpts,
    lru: LruMode,
    settings: Arc<Settings>,
    now_ms: i64,
    /// Commands instead of RDB (an AOF base with `aof-use-rdb-preamble no`).
    aof_format: bool,
}

struct SinkBuf {
    out: Vec<u8>,
    db: Option<usize>,
    keys: u64,
}

impl RdbSink {
    fn encode_table(&self, b: &mut SinkBuf, db: usize, t: &SlotTable) {
        if t.keys.is_empty() {
            return;
        }
        if self.aof_format {
            if b.db != Some(db) {
                super::aof::rewrite_cmds::select(&mut b.out, db);
                b.db = Some(db);
            }
            for (k, obj) in t.keys.iter() {
                let expire = if obj.flags & FLAG_VOLATILE != 0 { t.expires.get(k.as_slice()).copied() } else { None };
                super::aof::rewrite_cmds::key_commands(&mut b.out, k.as_slice(), obj, expire);
                b.keys += 1;
            }
            return;
        }
        let mut out = std::mem::take(&mut b.out);
        let mut w = rdb::Writer::new(&mut out, SaveOpts { checksum: false, ..self.opts });
        // Writing to a Vec cannot fail.
        if b.db != Some(db) {
            let _ = w.select_db(db, 0, 0);
            b.db = Some(db);
        }
        for (k, obj) in t.keys.iter() {
            let expire = if obj.flags & FLAG_VOLATILE != 0 { t.expires.get(k.as_slice()).copied() } else { None };
            let lru = match self.lru {
                LruMode::None => LruField::None,
                _ => LruField::for_obj(obj, &self.settings, self.now_ms),
            };
            let _ = w.entry(k.as_slice(), obj, expire, lru);
            b.keys += 1;
        }
        drop(w);
        b.out = out;
    }
}

impl SlotSink for RdbSink {
    fn save_slot(&self, db: usize, _slot: u16, table: &SlotTable) {
        let mut b = self.buf.lock().unwrap_or_else(|e| e.into_inner());
        self.encode_table(&mut b, db, table);
    }

    fn adopt(&self, part: Detached) {
        self.adopted.lock().unwrap_or_else(|e| e.into_inner()).push(part);
    }
}

/// A file writer that keeps the running CRC64 of everything written.
struct CrcWriter<W: Write> {
    w: W,
    crc: u64,
    checksum: bool,
}

impl<W: Write> CrcWriter<W> {
    fn put(&mut self, data: &[u8]) -> std::io::Result<()> {
        if self.checksum {
            self.crc = rdb::crc64::crc64(self.crc, data);
        }
        self.w.write_all(data)
    }
}

/// A snapshot whose point in time is taken and whose file is still to be written.
pub struct PendingSave {
    sink: Arc<RdbSink>,
    head: Vec<u8>,
    checksum: bool,
    aof_format: bool,
}

/// Takes the snapshot's instant (all shards held briefly) and prepares the header.
/// `complete` must follow, on this thread or another.
pub fn begin(ks: &Keyspace, opts: &SaveOptions) -> PendingSave {
    begin_with(ks, opts, false, || {})
}

/// The file format a snapshot is written in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rdb,
    /// Commands, as an AOF base without RDB preamble.
    Aof,
}

/// `begin` for an AOF base (`aof-base` 1 in the header), running `at_instant` at the
/// snapshot's point in time with every shard held.
pub fn begin_with(ks: &Keyspace, opts: &SaveOptions, aof_base: bool, at_instant: impl FnOnce()) -> PendingSave {
    begin_format(ks, opts, aof_base, Format::Rdb, at_instant)
}

/// `begin_with` in a chosen format.
pub fn begin_format(ks: &Keyspace, opts: &SaveOptions, aof_base: bool, format: Format, at_instant: impl FnOnce()) -> PendingSave {
    let now_ms = crate::util::time::now_ms();
    let aof_format = format == Format::Aof;
    let sink = Arc::new(RdbSink { buf: Mutex::new(SinkBuf { out: Vec::new(), db: None, keys: 0 }), adopted: Mutex::new(Vec::new()), opts: opts.opts, lru: opts.lru, settings: opts.settings.clone(), now_ms, aof_format });
    let _counts = super::snapshot::start_with(ks, sink.clone(), at_instant);
    let mut head = Vec::new();
    if !aof_format {
        let aux = rdb::Aux { ctime_secs: now_ms / 1000, used_mem: crate::server::evict::used_memory(), repl: None, aof_base };
        let _ = rdb::Writer::new(&mut head, SaveOpts { checksum: false, ..opts.opts }).header(&aux);
    }
    PendingSave { sink, head, checksum: opts.checksum && !aof_format, aof_format }
}

/// Lets a running save be called off (FLUSHALL does, as Redis kills its RDB child)
/// and makes "check not called off, then rename into place" one step, so a save
/// called off late never replaces the file written after it.
#[derive(Default)]
pub struct SaveControl {
    pub abort: std::sync::atomic::AtomicBool,
    pub commit: Mutex<()>,
}

/// The error text of a save that was called off.
pub const ABORTED: &str = "aborted";

/// Writes a point-in-time snapshot of `ks` to `path` (`begin` + `complete`).
pub fn save(ks: &Keyspace, path: &Path, opts: &SaveOptions, progress: &AtomicU64, ctl: &SaveControl) -> Result<u64, String> {
    complete(ks, begin(ks, opts), path, progress, ctl)
}

/// Writes the snapshot `begin` started to a temp file next to `path`, then renames it
/// into place. `progress` counts keys written. Returns the number of keys saved.
pub fn complete(ks: &Keyspace, p: PendingSave, path: &Path, progress: &AtomicU64, ctl: &SaveControl) -> Result<u64, String> {
    let tmp = temp_path(path);
    let r = write_file(ks, p, &tmp, progress, ctl).and_then(|n| commit(&tmp, path, ctl).map(|_| n));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// Writes a file with no keys (FLUSHALL with save points). Needs no snapshot: the
/// caller holds every shard of an empty keyspace.
pub fn save_empty(path: &Path, opts: &SaveOptions, ctl: &SaveControl) -> Result<(), String> {
    let tmp = temp_path(path);
    let io = |e: std::io::Error| format!("Write error saving DB on disk: {e}");
    let r = (|| {
        let file = std::fs::File::create(&tmp).map_err(io)?;
        let mut w = rdb::Writer::new(std::io::BufWriter::new(file), opts.opts);
        w.header(&rdb::Aux { ctime_secs: crate::util::time::now_secs(), used_mem: crate::server::evict::used_memory(), repl: None, aof_base: false }).map_err(io)?;
        let file = w.finish().map_err(io)?.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        let _g = ctl.commit.lock().unwrap_or_else(|e| e.into_inner());
        rename_into_place(&tmp, path)
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

fn temp_path(path: &Path) -> std::path::PathBuf {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    dir.join(format!("temp-{}-{}.rdb", std::process::id(), TEMP_SEQ.fetch_add(1, Ordering::Relaxed)))
}

fn commit(tmp: &Path, path: &Path, ctl: &SaveControl) -> Result<(), String> {
    let _g = ctl.commit.lock().unwrap_or_else(|e| e.into_inner());
    if ctl.abort.load(Ordering::Acquire) {
        return Err(ABORTED.into());
    }
    rename_into_place(tmp, path)
}

/// Rename, then fsync the directory so the new name survives a crash.
fn rename_into_place(tmp: &Path, path: &Path) -> Result<(), String> {
    std::fs::rename(tmp, path).map_err(|e| format!("Error moving temp DB file {} on the final destination {} (in server root dir {}): {e}", tmp.display(), path.display(), cwd()))?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// rdb-key-save-delay, read by every step of a background write so that CONFIG SET
/// takes effect during a save (one server per process: a process-wide setting).
pub static KEY_SAVE_DELAY_US: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// The pause rdb-key-save-delay asks for after `keys` more keys were written.
fn key_save_delay(keys: u64) -> std::time::Duration {
    let d = KEY_SAVE_DELAY_US.load(Ordering::Relaxed);
    let us = match d {
        0 => 0,
        d if d > 0 => keys.saturating_mul(d as u64),
        d => keys / d.unsigned_abs(),
    };
    std::time::Duration::from_micros(us)
}

/// RDB's end-of-file opcode.
const OPCODE_EOF: u8 = 255;

/// Distinguishes the temp files of a SAVE and a BGSAVE of the same process.
static TEMP_SEQ: AtomicU64 = AtomicU64::new(0);

fn cwd() -> String {
    std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default()
}

fn write_file(ks: &Keyspace, p: PendingSave, tmp: &Path, progress: &AtomicU64, ctl: &SaveControl) -> Result<u64, String> {
    let file = match std::fs::File::create(tmp) {
        Ok(f) => f,
        Err(e) => {
            ks.cow_end();
            return Err(format!("Failed opening the temp RDB file {} (in server root dir {}) for saving: {e}", tmp.display(), cwd()));
        }
    };
    let io = |e: std::io::Error| format!("Write error saving DB on disk: {e}");
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    let keys = write_to(ks, p, &mut w, progress, ctl)?;
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(keys)
}

/// Writes the snapshot `begin` started to `out` (header, every slot, EOF, CRC64).
/// Returns the number of keys written. `out` is flushed, not synced.
pub fn write_to(ks: &Keyspace, p: PendingSave, out: &mut dyn Write, progress: &AtomicU64, ctl: &SaveControl) -> Result<u64, String> {
    let sink = p.sink;
    let mut w = CrcWriter { w: out, crc: 0, checksum: p.checksum };
    let io = |e: std::io::Error| format!("Write error saving DB on disk: {e}");
    let mut paced = 0u64;
    let mut flush = |w: &mut CrcWriter<&mut dyn Write>, force: bool| -> Result<(), String> {
        if ctl.abort.load(Ordering::Acquire) {
            return Err(ABORTED.into());
        }
        // rdb-key-save-delay: this writer's pace, applied with no lock held (clients
        // that save a slot themselves are never slowed).
        let keys = sink.buf.lock().unwrap_or_else(|e| e.into_inner()).keys;
        let pause = key_save_delay(keys - paced);
        paced = keys;
        // Slept in short naps so that calling the save off is not delayed by it.
        let until = std::time::Instant::now() + pause;
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()).filter(|d| !d.is_zero()) {
            std::thread::sleep(left.min(std::time::Duration::from_millis(10)));
            if ctl.abort.load(Ordering::Acquire) {
                return Err(ABORTED.into());
            }
        }
        let chunk = {
            let mut b = sink.buf.lock().unwrap_or_else(|e| e.into_inner());
            if !force && b.out.len() < FLUSH_BYTES {
                return Ok(());
            }
            progress.store(b.keys, Ordering::Relaxed);
            std::mem::take(&mut b.out)
        };
        w.put(&chunk).map_err(io)
    };
    if let Err(e) = w.put(&p.head) {
        ks.cow_end();
        return Err(io(e));
    }
    super::snapshot::finish(ks, || flush(&mut w, false))?;
    // Tables a flush handed over during the walk; nothing else can reach them now.
    let adopted = std::mem::take(&mut *sink.adopted.lock().unwrap_or_else(|e| e.into_inner()));
    for d in adopted {
        for (_, t) in &d.tables {
            let mut b = sink.buf.lock().unwrap_or_else(|e| e.into_inner());
            sink.encode_table(&mut b, d.db, t);
        }
        flush(&mut w, false)?;
    }
    flush(&mut w, true)?;
    if !p.aof_format {
        w.put(&[OPCODE_EOF]).map_err(io)?;
        let crc = if p.checksum { w.crc } else { 0 };
        w.w.write_all(&crc.to_le_bytes()).map_err(io)?;
    }
    w.w.flush().map_err(io)?;
    let keys = sink.buf.lock().unwrap_or_else(|e| e.into_inner()).keys;
    progress.store(keys, Ordering::Relaxed);
    Ok(keys)
}

/// What loading a file found.
pub struct LoadInfo {
    pub keys_loaded: u64,
    pub keys_expired: u64,
}

/// The log lines Redis 7.0 writes when a load fails this way (tools and test suites
/// look for them: "Short read", "CRC error", "Internal error in RDB").
fn load_error_text(e: &rdb::RdbError) -> String {
    use rdb::RdbError as E;
    match e {
        E::Truncated { .. } | E::Io(_) => format!("Short read or OOM loading DB. Unrecoverable error, aborting now. ({e})"),
        E::Checksum { .. } => format!("{e}\nInternal error in RDB reading offset 0, function at rdb.c:0 -> RDB CRC error"),
        E::Signature | E::Version(_) => format!("{e}\nFatal error loading the DB: Invalid argument. Exiting."),
        E::Corrupt { offset, what } => format!("Internal error in RDB reading offset {offset}, function at rdb.c:0 -> {what}"),
        _ => format!("Internal error in RDB reading offset 0, function at rdb.c:0 -> {e}"),
    }
}

/// Puts one key read from a file into the keyspace (see `load` for `merge`).
pub fn insert_loaded(ks: &Keyspace, e: rdb::Loaded, merge: bool, now_ms: i64) -> Result<(), rdb::RdbError> {
    if e.db >= ks.databases {
        return Err(rdb::RdbError::TooManyDbs { db: e.db as u64, databases: ks.databases });
    }
    let mut l = ks.lock_shards(Keyspace::mask_for_keys([&e.key[..]]));
    if merge {
        l.remove(e.db, &e.key);
    } else if l.exists(e.db, &e.key, now_ms, crate::keyspace::ExpireMode::Ignore) {
        return Err(rdb::RdbError::Sink(format!("RDB has duplicated key '{}' in DB {}", String::from_utf8_lossy(&e.key), e.db)));
    }
    l.insert_obj(e.db, &e.key, e.obj, e.expire_ms);
    Ok(())
}

/// Loads an RDB file into the keyspace. A key already present is an error, unless
/// `merge` (DEBUG RELOAD MERGE), where the file's value replaces it.
pub fn load(ks: &Keyspace, path: &Path, settings: &Settings, merge: bool) -> Result<LoadInfo, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("Fatal error loading the DB: {e}. Exiting."))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let mut loaded = 0u64;
    let now = crate::util::time::now_ms();
    let info = rdb::load(&mut r, settings, now, &mut |e: rdb::Loaded| {
        insert_loaded(ks, e, merge, now)?;
        loaded += 1;
        Ok(())
    })
    .map_err(|e| load_error_text(&e))?;
    Ok(LoadInfo { keys_loaded: loaded, keys_expired: info.keys_expired })
}
