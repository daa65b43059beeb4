//! Loading an AOF at start-up: the base file, then the incremental files, replayed
//! through the command handlers by a loading client (Redis's fake client).
//!
//! BACKGROUND: Redis 7.0 reads each file with `fgets`/`fread` (loadSingleAppendOnlyFile):
//! a line `*<argc>`, then per argument a line `$<len>` and `len` bytes plus two bytes
//! it does not check. Lines starting with `#` are annotations. A file that starts with
//! `REDIS` is RDB (a base written with `aof-use-rdb-preamble yes`, or the preamble of
//! an old single-file AOF) and may be followed by commands. Outcomes:
//!  - a command cut short by the end of the file (a crash mid-write): with
//!    `aof-load-truncated yes`, warn and truncate the file after the last whole command
//!    (only allowed in the last file); otherwise refuse to start;
//!  - a transaction without its EXEC at the end of the file: its commands are not
//!    applied and it is handled as a cut-short command;
//!  - anything that is not the format: refuse to start ("Bad file format").
//!
//! Replay bypasses the gate (no checks, statistics or propagation: Redis calls the
//! command's implementation directly) but counts the dirty changes; keys are never
//! expired while loading.
//!
//! This module never panics on file contents: every malformed byte sequence ends in one
//! of the outcomes above.
use super::manifest::Manifest;
use crate::cmd::gate;
use crate::persist::loading::Loading;
use crate::server::client::{ClientShared, Session};
use crate::server::Server;
use bytes::Bytes;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

/// Loads an RDB-format AOF base (or the RDB preamble of an old-style AOF) from `r`,
/// which is positioned at its first byte (`REDIS`), into `srv`'s keyspace, reporting
/// progress in `loading`. It must consume exactly the RDB, through its checksum, since
/// AOF commands may follow. Err carries the reason, logged after Redis's own line.
pub type BaseLoader = fn(srv: &Server, r: &mut dyn BufRead, loading: &Loading) -> Result<(), String>;

/// The RDB loader for RDB-format base files and old-style preambles: every key goes in
/// as the file has it (expired keys too: the AOF that follows expects them, and the
/// normal expiry removes them after loading, as in Redis).
pub const RDB_BASE_LOADER: BaseLoader = rdb_base;

fn rdb_base(srv: &Server, r: &mut dyn BufRead, loading: &Loading) -> Result<(), String> {
    let settings = srv.settings();
    let info = crate::persist::rdb::load_prefix(r, &settings, i64::MIN, &mut |e| crate::persist::rdb_file::insert_loaded(&srv.ks, e, false, i64::MIN)).map_err(|e| e.to_string())?;
    if let Some(m) = info.used_mem {
        loading.set_rdb_used_mem(m.max(0) as u64);
    }
    tracing::info!("Done loading RDB, keys loaded: {}, keys expired: {}.", info.keys_loaded, info.keys_expired);
    Ok(())
}

/// The outcome of loading one file or the whole AOF (Redis's AOF_* codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The manifest names no files (AOF_NOT_EXIST).
    NotExist,
    /// Every file is empty (AOF_EMPTY).
    Empty,
    /// Loaded, with a cut-short tail removed (AOF_TRUNCATED).
    Truncated,
    /// Refused; the reason was logged (AOF_FAILED / AOF_OPEN_ERR).
    Failed,
}

/// What loading found, for the writer that takes over.
pub struct Loaded {
    pub outcome: Outcome,
    /// Bytes of all base and incremental files (aof_current_size).
    pub total_bytes: u64,
    /// Bytes of the base file (aof_rewrite_base_size).
    pub base_bytes: u64,
}

/// Options that change how a file is read (from the settings).
#[derive(Clone, Copy)]
pub struct Options {
    pub load_truncated: bool,
}

/// Loads every file the manifest names, in order (loadAppendOnlyFiles). `prefix` is
/// `appendfilename`: a base of exactly that name is an old-style single-file AOF.
pub fn load_all(srv: &Server, dir: &Path, prefix: &str, m: &Manifest, opts: Options) -> Loaded {
    let mut loaded = Loaded { outcome: Outcome::Ok, total_bytes: 0, base_bytes: 0 };
    if m.is_empty() {
        loaded.outcome = Outcome::NotExist;
        return loaded;
    }
    let files: Vec<&super::manifest::AofFile> = m.base.iter().chain(&m.incrs).collect();
    // Sizes first: loading_total_bytes, and a listed file that is missing is fatal.
    for f in &files {
        match std::fs::metadata(dir.join(&f.name)) {
            Ok(md) => loaded.total_bytes += md.len(),
            Err(e) => {
                tracing::warn!("Unable to obtain the AOF file {} length. stat: {}", f.name, super::strerror(&e));
                loaded.outcome = Outcome::Failed;
                return loaded;
            }
        }
    }
    if loaded.total_bytes == 0 {
        loaded.outcome = Outcome::Empty;
        return loaded;
    }
    srv.loading.start(loaded.total_bytes);
    let mut client = LoadingClient::new();
    let mut offset = 0u64;
    let total = files.len();
    for (i, f) in files.iter().enumerate() {
        let last = i + 1 == total;
        let is_base = i == 0 && m.base.is_some();
        if is_base {
            loaded.base_bytes = std::fs::metadata(dir.join(&f.name)).map(|m| m.len()).unwrap_or(0);
        }
        let started = std::time::Instant::now();
        let (mut r, size) = load_file(srv, &mut client, dir, &f.name, f.name == prefix, offset, opts);
        offset += size;
        if r == Outcome::Ok || (r == Outcome::Truncated && last) {
            let kind = if is_base { "base" } else { "incr" };
            tracing::info!("DB loaded from {kind} file {}: {:.3} seconds", f.name, started.elapsed().as_secs_f64());
        }
        // At least one file has data, so an empty one is fine.
        if r == Outcome::Empty {
            r = Outcome::Ok;
        }
        if r == Outcome::Truncated && !last {
            tracing::warn!("Fatal error: the truncated file is not the last file");
            r = Outcome::Failed;
        }
        if r == Outcome::Failed {
            loaded.outcome = Outcome::Failed;
            return loaded;
        }
        if r == Outcome::Truncated {
            loaded.outcome = Outcome::Truncated;
        }
    }
    // The loading state ends when the whole start-up does (server::run).
    loaded
}

/// Replays commands as Redis's fake client does: its own transaction queue and
/// database, no connection behind it.
struct LoadingClient {
    sess: Session,
    /// Commands queued since MULTI (None: not in a transaction).
    multi: Option<Vec<Vec<Bytes>>>,
}

/// Redis's fake client id (UINT64_MAX); it is never registered among the clients.
const LOADING_CLIENT_ID: u64 = u64::MAX;

impl LoadingClient {
    fn new() -> LoadingClient {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(ClientShared::new(LOADING_CLIENT_ID, "?:0".into(), "?:0".into(), -1, tx));
        let mut sess = Session::new(shared, true);
        sess.loading_client = true;
        LoadingClient { sess, multi: None }
    }

    /// Runs (or queues) one command; refuses one it cannot run (the caller logs).
    fn run(&mut self, srv: &Server, settings: &crate::config::Settings, argv: Vec<Bytes>) -> Result<(), Stop> {
        let cmd = match gate::lookup(srv, &argv) {
            Ok(c) => c,
            // Handlers rely on the arity check: a command with the wrong number of
            // arguments is not run (Redis would run it blindly).
            Err((Some(c), crate::cmd::CmdError::WrongArity(_))) => return Err(Stop::Arity(c.name.to_string())),
            Err(_) => return Err(Stop::Unknown(argv[0].to_vec())),
        };
        let now_ms = crate::util::time::now_ms();
        if let Some(q) = self.multi.as_mut() {
            if cmd.name != "exec" {
                q.push(argv);
                return Ok(());
            }
            // EXEC: every queued command under one set of locks, as a transaction.
            let queued = self.multi.take().unwrap_or_default();
            let mut mask = 0u32;
            let cmds: Vec<_> = queued.iter().map(|a| gate::lookup(srv, a).ok()).collect();
            for (a, c) in queued.iter().zip(&cmds) {
                if let Some(c) = c {
                    mask |= gate::lock_mask(c, a);
                }
            }
            let mut locks = gate::lock_with_mask(&srv.ks, mask);
            for (a, c) in queued.iter().zip(cmds) {
                if let Some(c) = c {
                    gate::replay(srv, &mut self.sess, settings, &mut locks, c, a, now_ms);
                }
            }
            return Ok(());
        }
        if cmd.name == "multi" {
            self.multi = Some(Vec::new());
            return Ok(());
        }
        let mut locks = gate::lock_with_mask(&srv.ks, gate::lock_mask(cmd, &argv));
        gate::replay(srv, &mut self.sess, settings, &mut locks, cmd, &argv, now_ms);
        Ok(())
    }
}

/// A buffered file reader that knows its offset (Redis's ftello).
struct Reader {
    inner: BufReader<std::fs::File>,
    pos: u64,
    size: u64,
}

impl Reader {
    /// `fgets` into `line` with Redis's buffer size: up to `max - 1` bytes, or through
    /// the newline. Ok(false) at the end of the file with nothing read.
    fn fgets(&mut self, line: &mut Vec<u8>, max: usize) -> std::io::Result<bool> {
        line.clear();
        while line.len() < max - 1 {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            let room = max - 1 - line.len();
            let chunk = &avail[..avail.len().min(room)];
            let (n, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(p) => (p + 1, true),
                None => (chunk.len(), false),
            };
            line.extend_from_slice(&chunk[..n]);
            self.inner.consume(n);
            self.pos += n as u64;
            if done {
                break;
            }
        }
        Ok(!line.is_empty())
    }

    /// `fread` of exactly `n` bytes; false at the end of the file (a short read).
    fn read_exact_into(&mut self, out: &mut Vec<u8>, n: usize) -> std::io::Result<bool> {
        out.clear();
        // A length beyond the end of the file cannot be read: do not allocate it.
        if n as u64 > self.size.saturating_sub(self.pos) {
            let rest = self.size.saturating_sub(self.pos);
            let mut sink = Vec::new();
            let got = (&mut self.inner).take(rest).read_to_end(&mut sink)?;
            self.pos += got as u64;
            return Ok(false);
        }
        out.resize(n, 0);
        match self.inner.read_exact(out) {
            Ok(()) => {
                self.pos += n as u64;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn at_eof(&mut self) -> bool {
        self.inner.fill_buf().map(|b| b.is_empty()).unwrap_or(false)
    }
}

/// Redis's command-line buffer (AOF_ANNOTATION_LINE_MAX_LEN): `fgets` reads at most
/// one byte less per call.
const LINE_MAX: usize = 1024;
/// Commands between two progress updates (Redis reports every 1024 too).
const PROGRESS_EVERY: u64 = 1024;

/// `atoi`/`strtol`: optional spaces and sign, leading digits; 0 if none. Saturates
/// instead of overflowing.
fn c_atol(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-') | Some(b'+')) {
        i += 1;
    }
    let mut v: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add((s[i] - b'0') as i64);
        i += 1;
    }
    if neg {
        -v
    } else {
        v
    }
}

/// How reading a file stopped early.
enum Stop {
    /// The file ends inside a command (or a transaction): readerr at EOF / uxeof.
    ShortRead,
    /// An I/O error that is not the end of the file.
    Io(std::io::Error),
    /// Not the AOF format.
    Format,
    /// A command slotd does not know.
    Unknown(Vec<u8>),
    /// A known command with the wrong number of arguments.
    Arity(String),
}

/// Loads one file. Returns the outcome and the file's size (for progress across
/// files). `start_offset` is where this file begins in the total.
fn load_file(srv: &Server, client: &mut LoadingClient, dir: &Path, name: &str, old_style: bool, start_offset: u64, opts: Options) -> (Outcome, u64) {
    let path = dir.join(name);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            if e.kind() == std::io::ErrorKind::NotFound {
                tracing::warn!("The append log file {name} doesn't exist: {}", super::strerror(&e));
            } else {
                tracing::warn!("Fatal error: can't open the append log file {name} for reading: {}", super::strerror(&e));
            }
            return (Outcome::Failed, 0);
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return (Outcome::Empty, 0);
    }
    let mut r = Reader { inner: BufReader::with_capacity(256 * 1024, file), pos: 0, size };
    // Offset after the last whole command (kept only when truncation is allowed).
    let mut valid_up_to: u64 = 0;
    let mut valid_before_multi: u64 = 0;
    let settings = srv.settings();
    // RDB base or preamble?
    let is_rdb = r.inner.fill_buf().map(|b| b.len() >= 5 && &b[..5] == b"REDIS").unwrap_or(false);
    if is_rdb {
        if old_style {
            tracing::info!("Reading RDB preamble from AOF file...");
        } else {
            tracing::info!("Reading RDB base file on AOF loading...");
        }
        let mut counted = CountingRead { inner: &mut r.inner, n: 0 };
        if let Err(why) = RDB_BASE_LOADER(srv, &mut counted, &srv.loading) {
            if old_style {
                tracing::warn!("Error reading the RDB preamble of the AOF file {name}, AOF loading aborted");
            } else {
                tracing::warn!("Error reading the RDB base file {name}, AOF loading aborted");
            }
            tracing::warn!("{why}");
            return (Outcome::Failed, size);
        }
        r.pos += counted.n;
        srv.loading.set_loaded(start_offset + r.pos);
        if old_style {
            tracing::info!("Reading the remaining AOF tail...");
        }
    }
    let mut line = Vec::with_capacity(LINE_MAX);
    let mut loops = 0u64;
    let mut last_report = r.pos;
    let stop = loop {
        if loops.is_multiple_of(PROGRESS_EVERY) {
            srv.loading.add_loaded(r.pos - last_report);
            last_report = r.pos;
        }
        loops += 1;
        match r.fgets(&mut line, LINE_MAX) {
            Ok(true) => {}
            Ok(false) => break None,
            Err(e) => break Some(Stop::Io(e)),
        }
        if line[0] == b'#' {
            continue;
        }
        if line[0] != b'*' {
            break Some(Stop::Format);
        }
        if line.len() == 1 {
            // `*` and then the end of the file.
            break Some(Stop::ShortRead);
        }
        let argc = c_atol(&line[1..]);
        if argc < 1 {
            break Some(Stop::Format);
        }
        // A corrupt count must not reserve memory: arguments are read one by one.
        let mut argv: Vec<Bytes> = Vec::with_capacity((argc as usize).min(1024));
        let mut failed = None;
        let mut arg = Vec::new();
        for _ in 0..argc {
            match r.fgets(&mut line, LINE_MAX) {
                Ok(true) if line[0] == b'$' => {}
                Ok(true) => {
                    failed = Some(Stop::Format);
                    break;
                }
                Ok(false) => {
                    failed = Some(Stop::ShortRead);
                    break;
                }
                Err(e) => {
                    failed = Some(Stop::Io(e));
                    break;
                }
            }
            let len = c_atol(&line[1..]);
            if len < 0 {
                // Redis would try to allocate ~2^64 bytes here and crash.
                failed = Some(Stop::Format);
                break;
            }
            match r.read_exact_into(&mut arg, len as usize) {
                Ok(true) => {}
                Ok(false) => {
                    failed = Some(Stop::ShortRead);
                    break;
                }
                Err(e) => {
                    failed = Some(Stop::Io(e));
                    break;
                }
            }
            argv.push(Bytes::from(std::mem::take(&mut arg)));
            // The CRLF after the bytes is skipped unchecked, as Redis does.
            let mut crlf = Vec::new();
            match r.read_exact_into(&mut crlf, 2) {
                Ok(true) => {}
                Ok(false) => {
                    failed = Some(Stop::ShortRead);
                    break;
                }
                Err(e) => {
                    failed = Some(Stop::Io(e));
                    break;
                }
            }
        }
        if let Some(f) = failed {
            break Some(f);
        }
        // Redis notes the offset at every MULTI, even one queued inside a transaction.
        if argv[0].eq_ignore_ascii_case(b"multi") {
            valid_before_multi = valid_up_to;
        }
        if let Err(e) = client.run(srv, &settings, argv) {
            break Some(e);
        }
        if opts.load_truncated {
            valid_up_to = r.pos;
        }
        if settings.key_load_delay != 0 {
            debug_delay(settings.key_load_delay, loops);
        }
    };
    srv.loading.add_loaded(r.pos - last_report);
    let stop = match stop {
        None if client.multi.is_some() => {
            // The file ends inside a transaction: drop it and treat the end as cut short.
            tracing::warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
            client.multi = None;
            valid_up_to = valid_before_multi;
            Some(Stop::ShortRead)
        }
        s => s,
    };
    let outcome = match stop {
        None => Outcome::Ok,
        Some(Stop::Unknown(cmd)) => {
            tracing::warn!("Unknown command '{}' reading the append only file {name}", String::from_utf8_lossy(&cmd));
            Outcome::Failed
        }
        Some(Stop::Arity(cmd)) => {
            // The detail first: tools read Redis's line as the last one.
            tracing::warn!("wrong number of arguments for '{cmd}' before offset {} of {name}", r.pos);
            tracing::warn!("Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
            Outcome::Failed
        }
        Some(Stop::Format) => {
            // Beyond Redis's line, and before it (tools read Redis's as the last line):
            // where the bad bytes are.
            tracing::warn!("The bad format is at or before offset {} of {name}", r.pos);
            tracing::warn!("Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
            Outcome::Failed
        }
        Some(Stop::Io(e)) if !r.at_eof() => {
            tracing::warn!("Unrecoverable error reading the append only file {name}: {}", super::strerror(&e));
            Outcome::Failed
        }
        Some(Stop::Io(_)) | Some(Stop::ShortRead) => short_read(&path, name, valid_up_to, opts),
    };
    (outcome, size)
}

/// key-load-delay (Redis's debugDelay): sleep `usec` µs, or for a negative value 1 µs
/// every `-usec` calls (short sleeps cost a context switch each).
fn debug_delay(usec: i64, call: u64) {
    let us = if usec < 0 { u64::from(call.is_multiple_of(usec.unsigned_abs())) } else { usec as u64 };
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us));
    }
}

/// The end of the file came inside a command (Redis's uxeof path).
fn short_read(path: &Path, name: &str, valid_up_to: u64, opts: Options) -> Outcome {
    if opts.load_truncated {
        tracing::warn!("!!! Warning: short read while loading the AOF file {name}!!!");
        tracing::warn!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
        match std::fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(valid_up_to)) {
            Ok(()) => {
                tracing::warn!("AOF {name} loaded anyway because aof-load-truncated is enabled");
                return Outcome::Truncated;
            }
            Err(e) => tracing::warn!("Error truncating the AOF file {name}: {}", super::strerror(&e)),
        }
    }
    tracing::warn!("Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.");
    Outcome::Failed
}

/// Counts the bytes a base loader consumes (so commands after an RDB preamble are read
/// from the right offset and progress is known).
struct CountingRead<'a> {
    inner: &'a mut BufReader<std::fs::File>,
    n: u64,
}

impl Read for CountingRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

impl BufRead for CountingRead<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.n += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_integer_parsing_matches_atoi() {
        assert_eq!(c_atol(b"3\r\n"), 3);
        assert_eq!(c_atol(b" 12abc"), 12);
        assert_eq!(c_atol(b"-1\r\n"), -1);
        assert_eq!(c_atol(b"\r\n"), 0);
        assert_eq!(c_atol(b"99999999999999999999999"), i64::MAX);
    }

    fn reader(bytes: &[u8]) -> Reader {
        let dir = std::env::temp_dir().join(format!("slotd-aof-reader-{}-{}", std::process::id(), bytes.len()));
        std::fs::write(&dir, bytes).unwrap();
        let f = std::fs::File::open(&dir).unwrap();
        let _ = std::fs::remove_file(&dir);
        Reader { inner: BufReader::with_capacity(8, f), pos: 0, size: bytes.len() as u64 }
    }

    #[test]
    fn fgets_stops_at_newline_buffer_size_or_end() {
        let mut r = reader(b"*2\r\nabcdefgh\nxyz");
        let mut line = Vec::new();
        assert!(r.fgets(&mut line, 1024).unwrap());
        assert_eq!(line, b"*2\r\n");
        assert!(r.fgets(&mut line, 5).unwrap());
        assert_eq!(line, b"abcd");
        assert!(r.fgets(&mut line, 1024).unwrap());
        assert_eq!(line, b"efgh\n");
        assert!(r.fgets(&mut line, 1024).unwrap());
        assert_eq!(line, b"xyz");
        assert!(!r.fgets(&mut line, 1024).unwrap());
        assert_eq!(r.pos, 16);
    }

    #[test]
    fn lengths_past_the_end_are_short_reads_without_allocating() {
        let mut r = reader(b"abc");
        let mut out = Vec::new();
        assert!(!r.read_exact_into(&mut out, usize::MAX / 2).unwrap());
        assert!(out.capacity() < 1024);
        assert_eq!(r.pos, 3);
    }
}
