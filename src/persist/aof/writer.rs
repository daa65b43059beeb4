//! The AOF writer: turns the propagation log into bytes in the current incremental file,
//! under one of Redis's three fsync policies.
//!
//! BACKGROUND: Redis appends every propagated command, as RESP, to an in-memory buffer
//! (`aof_buf`, with a SELECT whenever the database changes: feedAppendOnlyFile), writes
//! the buffer once per event-loop turn, and then
//!  - `always`: fsyncs before any reply of that turn is sent, exiting if it cannot;
//!  - `everysec`: hands an fsync to a background thread at most once per second; while
//!    that fsync still runs, the next write is postponed (a write would block on the
//!    same file) for up to two seconds, then done anyway and counted in
//!    `aof_delayed_fsync`;
//!  - `no`: never fsyncs; the kernel flushes when it likes.
//!
//! Here the buffer (`Pending`) is filled by the propagation sink while the writing
//! command still holds its shard locks, so the file order is the application order.
//! Before a connection sends replies that include writes, their bytes must be in the
//! file, as in Redis (a crash of the process then loses nothing acknowledged):
//!  - `everysec`/`no`: the connection writes the buffer itself (`Handle::write_through`,
//!    a page-cache write of everything pending, its own commands and others');
//!  - `always`: a writer thread writes and fsyncs, and the connection waits for
//!    `Shared::fsynced_seq` to reach its last write's propagation number (group commit:
//!    one fsync covers everything that reached the buffer before it; an fsync must not
//!    block a runtime thread).
//!
//! The writer thread also writes what no connection waits for (expiry, a policy
//! change) within a tick; a second thread does the everysec fsyncs.
//!
//! Lock order: `FileState` before `Pending`. The sink takes only `Pending`, for one
//! encode; the writer takes `FileState` for a write (and, under `always`, its fsync), and
//! `Pending` inside it only to swap the buffer out.
use super::Shared;
use bytes::Bytes;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fsync {
    Always = 0,
    EverySec = 1,
    No = 2,
}

impl Fsync {
    /// The `appendfsync` value (validated by the config table).
    pub fn parse(s: &str) -> Fsync {
        match s {
            "always" => Fsync::Always,
            "no" => Fsync::No,
            _ => Fsync::EverySec,
        }
    }

    pub fn from_u8(v: u8) -> Fsync {
        match v {
            0 => Fsync::Always,
            2 => Fsync::No,
            _ => Fsync::EverySec,
        }
    }
}

/// How often the idle writer looks again (Redis's cron runs at 10 Hz): an everysec fsync
/// owed for data written earlier, a postponed write, a failed write to retry.
const TICK: Duration = Duration::from_millis(100);
/// A write postponed behind a running everysec fsync waits at most this long (s).
const MAX_POSTPONE_SECS: i64 = 2;
/// Write errors are logged at most once per this many seconds (AOF_WRITE_LOG_ERROR_RATE).
const WRITE_ERROR_LOG_SECS: i64 = 30;
/// A buffer that grew past this for a burst is given back once it is drained.
const KEEP_BUFFER_BYTES: usize = 4 << 20;

/// Commands encoded but not yet taken by the writer. Guarded by `PendingCell::m`.
struct Pending {
    buf: Vec<u8>,
    /// Propagation number of the last command in `buf` (or before it).
    last_seq: u64,
    /// The database the file's stream has selected; -1 at the start of a file so that
    /// the first command is preceded by a SELECT (Redis's aof_selected_db).
    selected_db: i64,
    /// The writer waits on the condvar; the sink wakes it (once).
    writer_asleep: bool,
    stop: bool,
}

impl Pending {
    /// Appends one command as RESP, preceded by SELECT when its database is not the
    /// stream's current one (feedAppendOnlyFile).
    fn feed(&mut self, seq: u64, db: usize, argv: &[Bytes]) {
        if db as i64 != self.selected_db {
            let mut n = [0u8; 20];
            let d = crate::util::num::fmt_i64(db as i64, &mut n);
            self.buf.extend_from_slice(b"*2\r\n$6\r\nSELECT\r\n$");
            push_int(&mut self.buf, d.len() as i64);
            self.buf.extend_from_slice(b"\r\n");
            self.buf.extend_from_slice(d);
            self.buf.extend_from_slice(b"\r\n");
            self.selected_db = db as i64;
        }
        encode_command(&mut self.buf, argv);
        self.last_seq = seq;
    }
}

fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut n = [0u8; 20];
    out.extend_from_slice(crate::util::num::fmt_i64(v, &mut n));
}

/// `*<argc>\r\n` then `$<len>\r\n<arg>\r\n` per argument (catAppendOnlyGenericCommand).
pub fn encode_command(out: &mut Vec<u8>, argv: &[Bytes]) {
    out.reserve(16 + argv.iter().map(|a| a.len() + 16).sum::<usize>());
    out.push(b'*');
    push_int(out, argv.len() as i64);
    out.extend_from_slice(b"\r\n");
    for a in argv {
        out.push(b'$');
        push_int(out, a.len() as i64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

struct PendingCell {
    m: Mutex<Pending>,
    cv: Condvar,
}

impl PendingCell {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The open incremental file and what the writer knows about it. Guarded by
/// `Inner::file`; held by the writer for each write (and its fsync under `always`).
struct FileState {
    file: Arc<File>,
    /// Bytes taken from `Pending` and not written yet: a write postponed behind an
    /// everysec fsync, or the rest of a failed write (Redis keeps both in aof_buf).
    carry: Vec<u8>,
    carry_seq: u64,
    /// Size of the incremental file (aof_last_incr_size): where a short write is cut
    /// back to.
    incr_size: u64,
    /// Propagation number of the last command written to the file.
    written_seq: u64,
    /// Propagation number covered by the last fsync done or handed out.
    fsync_seq: u64,
    /// Unix second of the last fsync done or handed out (aof_last_fsync).
    last_fsync_secs: i64,
    /// When the current postponement began (0: none).
    postponed_since_secs: i64,
    last_error_log_secs: i64,
}

/// A job for the everysec fsync thread: fsync this file, then mark `seq` durable.
struct FsyncJob {
    file: Arc<File>,
    seq: u64,
}

struct Inner {
    pending: PendingCell,
    file: Mutex<FileState>,
    shared: Arc<Shared>,
    fsync_tx: Mutex<Option<mpsc::Sender<FsyncJob>>>,
}

/// The writer of one open AOF: created when appending starts, stopped when it ends.
pub struct Writer {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
    fsync_thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts writing to `file` (opened for appending, `size` bytes long already).
    /// `last_seq` is the propagation log's current number.
    pub fn start(file: File, size: u64, last_seq: u64, shared: Arc<Shared>) -> std::io::Result<Writer> {
        let now = crate::util::time::now_secs();
        let inner = Arc::new(Inner {
            pending: PendingCell { m: Mutex::new(Pending { buf: Vec::new(), last_seq, selected_db: -1, writer_asleep: false, stop: false }), cv: Condvar::new() },
            file: Mutex::new(FileState {
                file: Arc::new(file),
                carry: Vec::new(),
                carry_seq: last_seq,
                incr_size: size,
                written_seq: last_seq,
                fsync_seq: last_seq,
                last_fsync_secs: now,
                postponed_since_secs: 0,
                last_error_log_secs: 0,
            }),
            shared,
            fsync_tx: Mutex::new(None),
        });
        inner.shared.fsynced_seq.fetch_max(last_seq, Ordering::AcqRel);
        inner.shared.written_seq.fetch_max(last_seq, Ordering::AcqRel);
        let (tx, rx) = mpsc::channel::<FsyncJob>();
        *inner.fsync_tx.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
        let s2 = inner.shared.clone();
        let fsync_thread = std::thread::Builder::new().name("aof-fsync".into()).spawn(move || fsync_loop(rx, s2))?;
        let i2 = inner.clone();
        let thread = std::thread::Builder::new().name("aof-writer".into()).spawn(move || i2.run())?;
        Ok(Writer { inner, thread: Some(thread), fsync_thread: Some(fsync_thread) })
    }

    /// The propagation sink that feeds this writer. Runs under the writing command's
    /// shard locks: one short mutex hold and, under `always` when the writer sleeps,
    /// one wake-up (otherwise the connection writes, see `Handle::write_through`).
    pub fn sink(&self) -> crate::repl::Sink {
        let inner = self.inner.clone();
        Box::new(move |seq, db, argv| {
            let mut p = inner.pending.lock();
            p.feed(seq, db, argv);
            if p.writer_asleep && inner.shared.policy() == Fsync::Always {
                p.writer_asleep = false;
                inner.pending.cv.notify_one();
            }
        })
    }

    /// A handle for connections (`write_through`), valid while the writer runs.
    pub fn handle(&self) -> Handle {
        Handle(self.inner.clone())
    }


    /// Wakes the writer now (after an fsync policy change).
    pub fn wake(&self) {
        let mut p = self.inner.pending.lock();
        p.writer_asleep = false;
        self.inner.pending.cv.notify_one();
    }

    /// Makes `file` (opened for appending, empty) the file new commands go to, once
    /// everything already in the buffer is written and fsynced to the current one.
    /// The new file starts with a SELECT, as Redis's does. On an error the current file
    /// stays in use (nothing is lost: what could not be written is retried there).
    pub fn switch_to(&self, file: File) -> std::io::Result<()> {
        let inner = &self.inner;
        let mut fs = inner.file.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut p = inner.pending.lock();
            inner.take_pending(&mut fs, &mut p);
            p.selected_db = -1;
        }
        inner.flush(&mut fs, true);
        if !fs.carry.is_empty() {
            return Err(std::io::Error::other(inner.shared.last_error()));
        }
        fs.file.sync_data()?;
        inner.shared.fsynced_seq.fetch_max(fs.written_seq, Ordering::AcqRel);
        inner.shared.synced.notify_waiters();
        fs.file = Arc::new(file);
        fs.incr_size = 0;
        fs.fsync_seq = fs.written_seq;
        Ok(())
    }

    /// Stops the writer: what is buffered is written and fsynced (Redis's
    /// flushAppendOnlyFile(1) + fsync on stop and shutdown). The sink must already be
    /// uninstalled, so nothing new arrives.
    pub fn stop(mut self) {
        {
            let mut p = self.inner.pending.lock();
            p.stop = true;
            self.inner.pending.cv.notify_one();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let inner = &self.inner;
        let mut fs = inner.file.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut p = inner.pending.lock();
            inner.take_pending(&mut fs, &mut p);
        }
        inner.flush(&mut fs, true);
        match fs.file.sync_data() {
            Ok(()) => {
                inner.shared.fsynced_seq.fetch_max(fs.written_seq, Ordering::AcqRel);
            }
            Err(e) => tracing::warn!("Fail to fsync the AOF file: {}", super::strerror(&e)),
        }
        drop(fs);
        inner.shared.synced.notify_waiters();
        // Closing the channel ends the fsync thread once its last job is done.
        inner.fsync_tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = self.fsync_thread.take() {
            let _ = t.join();
        }
    }
}

/// What connections use to write the buffer themselves before replying.
#[derive(Clone)]
pub struct Handle(Arc<Inner>);

impl Handle {
    /// Bytes accepted but not yet written (aof_buffer_length).
    pub fn buffer_len(&self) -> u64 {
        self.0.pending.lock().buf.len() as u64 + self.0.shared.carry_len.load(Ordering::Relaxed)
    }

    /// Makes sure every command up to `seq` is written to the file (not fsynced),
    /// writing what is pending if nobody has yet. Under everysec the write may still be
    /// postponed behind a running fsync, as Redis postpones it (the reply then goes
    /// out before the write, there too).
    pub fn write_through(&self, seq: u64) {
        let inner = &self.0;
        if inner.shared.written_seq.load(Ordering::Acquire) >= seq {
            return;
        }
        let mut fs = inner.file.lock().unwrap_or_else(|e| e.into_inner());
        if fs.written_seq >= seq {
            return;
        }
        {
            let mut p = inner.pending.lock();
            inner.take_pending(&mut fs, &mut p);
        }
        inner.flush(&mut fs, false);
    }
}

impl Inner {
    /// The writer thread: under `always` it writes and fsyncs as soon as commands
    /// arrive; otherwise connections write for themselves and it only looks every tick
    /// (what no connection waits for, owed fsyncs, postponed or failed writes).
    fn run(&self) {
        loop {
            {
                let mut p = self.pending.lock();
                if p.stop {
                    return;
                }
                if p.buf.is_empty() || self.shared.policy() != Fsync::Always {
                    p.writer_asleep = true;
                    p = self.pending.cv.wait_timeout(p, TICK).unwrap_or_else(|e| e.into_inner()).0;
                    p.writer_asleep = false;
                    if p.stop {
                        return;
                    }
                }
            }
            let mut fs = self.file.lock().unwrap_or_else(|e| e.into_inner());
            {
                let mut p = self.pending.lock();
                self.take_pending(&mut fs, &mut p);
            }
            self.flush(&mut fs, false);
        }
    }

    /// Moves the buffered commands behind any carried bytes.
    fn take_pending(&self, fs: &mut FileState, p: &mut Pending) {
        if !p.buf.is_empty() {
            if fs.carry.is_empty() {
                std::mem::swap(&mut fs.carry, &mut p.buf);
            } else {
                fs.carry.extend_from_slice(&p.buf);
                p.buf.clear();
            }
        }
        fs.carry_seq = p.last_seq;
        self.shared.carry_len.store(fs.carry.len() as u64, Ordering::Relaxed);
    }

    /// Redis's flushAppendOnlyFile: writes the carried bytes (unless postponed behind a
    /// running everysec fsync), then fsyncs as the policy says. `force` writes even
    /// while an fsync runs (stop, switch).
    fn flush(&self, fs: &mut FileState, force: bool) {
        let policy = self.shared.policy();
        let now = crate::util::time::now_secs();
        let mut sync_in_progress = false;
        if fs.carry.is_empty() {
            // Nothing to write, but an fsync may still be owed for data written before:
            // everysec fsyncs only in the second after a write otherwise, and a switch
            // to `always` must cover what was written under another policy.
            let owed = fs.written_seq != fs.fsync_seq;
            let due = match policy {
                Fsync::EverySec => owed && now > fs.last_fsync_secs && !self.fsync_in_progress(),
                Fsync::Always => owed,
                Fsync::No => false,
            };
            if due {
                self.fsync_by_policy(fs, policy, now, false);
            }
            return;
        }
        if policy == Fsync::EverySec {
            sync_in_progress = self.fsync_in_progress();
        }
        if policy == Fsync::EverySec && !force && sync_in_progress {
            if fs.postponed_since_secs == 0 {
                fs.postponed_since_secs = now;
                return;
            } else if now - fs.postponed_since_secs < MAX_POSTPONE_SECS {
                return;
            }
            self.shared.delayed_fsync.fetch_add(1, Ordering::Relaxed);
            tracing::info!("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
        }
        let (written, err) = write_fully(&fs.file, &fs.carry);
        fs.postponed_since_secs = 0;
        if written != fs.carry.len() {
            self.write_failed(fs, written, err, policy, now);
            return;
        }
        if self.shared.write_failed.swap(false, Ordering::AcqRel) {
            tracing::warn!("AOF write error looks solved, Redis can write again.");
        }
        self.shared.current_size.fetch_add(written as u64, Ordering::Relaxed);
        fs.incr_size += written as u64;
        fs.written_seq = fs.carry_seq;
        self.shared.written_seq.fetch_max(fs.written_seq, Ordering::AcqRel);
        if fs.carry.capacity() > KEEP_BUFFER_BYTES {
            fs.carry = Vec::new();
        } else {
            fs.carry.clear();
        }
        self.shared.carry_len.store(0, Ordering::Relaxed);
        self.fsync_by_policy(fs, policy, now, sync_in_progress);
    }

    /// A write that failed or wrote short (Redis's error path of flushAppendOnlyFile).
    fn write_failed(&self, fs: &mut FileState, mut written: usize, err: Option<std::io::Error>, policy: Fsync, now: i64) {
        let can_log = now - fs.last_error_log_secs > WRITE_ERROR_LOG_SECS;
        if can_log {
            fs.last_error_log_secs = now;
        }
        let reason;
        if written == 0 {
            let e = err.unwrap_or_else(|| std::io::Error::other("short write"));
            reason = super::strerror(&e);
            if can_log {
                tracing::warn!("Error writing to the AOF file: {reason}");
            }
        } else {
            if can_log {
                tracing::warn!("Short write while writing to the AOF file: (nwritten={written}, expected={})", fs.carry.len());
            }
            // Cut the partial command off so the file stays loadable; if that is not
            // possible the written part stays and is dropped from the buffer.
            match fs.file.set_len(fs.incr_size) {
                Ok(()) => written = 0,
                Err(e) => {
                    if can_log {
                        tracing::warn!("Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {}", super::strerror(&e));
                    }
                }
            }
            reason = "No space left on device".to_string();
        }
        if policy == Fsync::Always {
            tracing::warn!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            std::process::exit(1);
        }
        self.shared.set_error(reason);
        self.shared.write_failed.store(true, Ordering::Release);
        if written > 0 {
            self.shared.current_size.fetch_add(written as u64, Ordering::Relaxed);
            fs.incr_size += written as u64;
            fs.carry.drain(..written);
            self.shared.carry_len.store(fs.carry.len() as u64, Ordering::Relaxed);
        }
    }

    fn fsync_by_policy(&self, fs: &mut FileState, policy: Fsync, now: i64, sync_in_progress: bool) {
        // no-appendfsync-on-rewrite: no fsync while a rewrite writes its own file.
        if self.shared.no_fsync_on_rewrite.load(Ordering::Relaxed) && self.shared.rewrite.in_progress.load(Ordering::Relaxed) {
            return;
        }
        match policy {
            Fsync::Always => {
                if let Err(e) = fs.file.sync_data() {
                    tracing::warn!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...", super::strerror(&e));
                    std::process::exit(1);
                }
                fs.fsync_seq = fs.written_seq;
                fs.last_fsync_secs = now;
                self.shared.fsynced_seq.fetch_max(fs.written_seq, Ordering::AcqRel);
                self.shared.synced.notify_waiters();
            }
            Fsync::EverySec if now > fs.last_fsync_secs => {
                if !sync_in_progress {
                    let tx = self.fsync_tx.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(tx) = tx.as_ref() {
                        self.shared.fsync_jobs.fetch_add(1, Ordering::AcqRel);
                        if tx.send(FsyncJob { file: fs.file.clone(), seq: fs.written_seq }).is_err() {
                            self.shared.fsync_jobs.fetch_sub(1, Ordering::AcqRel);
                        }
                    }
                    fs.fsync_seq = fs.written_seq;
                }
                fs.last_fsync_secs = now;
            }
            _ => {}
        }
    }

    fn fsync_in_progress(&self) -> bool {
        self.shared.fsync_jobs.load(Ordering::Acquire) > 0
    }
}

/// Writes all of `buf`, retrying after short writes and interruptions; returns how much
/// was written and the error that stopped it.
fn write_fully(mut file: &File, buf: &[u8]) -> (usize, Option<std::io::Error>) {
    let mut done = 0;
    while done < buf.len() {
        match file.write(&buf[done..]) {
            Ok(0) => return (done, None),
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (done, Some(e)),
        }
    }
    (done, None)
}

/// The background fsync thread (Redis's BIO_AOF_FSYNC worker).
fn fsync_loop(rx: mpsc::Receiver<FsyncJob>, shared: Arc<Shared>) {
    while let Ok(job) = rx.recv() {
        match job.file.sync_data() {
            Ok(()) => {
                shared.fsync_failed.store(false, Ordering::Release);
                shared.fsynced_seq.fetch_max(job.seq, Ordering::AcqRel);
                shared.synced.notify_waiters();
            }
            Err(e) => {
                let reason = super::strerror(&e);
                if !shared.fsync_failed.swap(true, Ordering::AcqRel) {
                    tracing::warn!("Fail to fsync the AOF file: {reason}");
                }
                shared.set_error(reason);
            }
        }
        shared.fsync_jobs.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Bytes> {
        a.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect()
    }

    #[test]
    fn commands_encode_as_redis_writes_them_with_select_on_db_change() {
        let mut p = Pending { buf: Vec::new(), last_seq: 0, selected_db: -1, writer_asleep: false, stop: false };
        p.feed(1, 0, &args(&["set", "a", "b"]));
        p.feed(2, 3, &args(&["set", "x", "y"]));
        p.feed(3, 3, &args(&["del", "x"]));
        p.feed(4, 12, &args(&["lpush", "l", ""]));
        // Bytes redis-server 7.0.15 wrote for the same commands (SELECT 12 by analogy).
        let want = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nset\r\n$1\r\nx\r\n$1\r\ny\r\n*2\r\n$3\r\ndel\r\n$1\r\nx\r\n*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*3\r\n$5\r\nlpush\r\n$1\r\nl\r\n$0\r\n\r\n";
        assert_eq!(String::from_utf8_lossy(&p.buf), want);
        assert_eq!(p.last_seq, 4);
    }

    #[test]
    fn fsync_policy_names() {
        assert_eq!(Fsync::parse("always"), Fsync::Always);
        assert_eq!(Fsync::parse("everysec"), Fsync::EverySec);
        assert_eq!(Fsync::parse("no"), Fsync::No);
        for p in [Fsync::Always, Fsync::EverySec, Fsync::No] {
            assert_eq!(Fsync::from_u8(p as u8), p);
        }
    }
}
