//! The AOF manifest: which files make up the append-only log, in Redis 7.0's format.
//!
//! BACKGROUND: a Redis 7.0 AOF is a directory (`appenddirname`) holding one base file
//! (a snapshot: RDB or AOF format), the incremental files written since that snapshot,
//! history files (replaced by a rewrite, deleted soon after) and the manifest naming
//! them. Each manifest line is `file <name> seq <n> type <b|i|h>`; the base comes first,
//! then the history files, then the incremental files in replay order. A name that
//! contains spaces, quotes or unprintable bytes is written double-quoted with escapes
//! (Redis's `sdscatrepr`) and read back with `sdssplitargs` rules.
//!
//! This module owns the parsing, the formatting, the file naming and the crash-safe
//! replacement of the manifest (temp file, fsync, rename, fsync of the directory). It
//! never opens AOF data files.
use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest manifest line Redis reads (MANIFEST_MAX_LINE); a longer one is an error.
const MAX_LINE_BYTES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Base,
    Incr,
    History,
}

impl FileType {
    fn letter(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::Incr => 'i',
            FileType::History => 'h',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofFile {
    pub name: String,
    pub seq: i64,
    pub kind: FileType,
}

/// The files of one AOF, as the manifest lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    /// Replay order (ascending seq).
    pub incrs: Vec<AofFile>,
    /// Most recently retired first, as Redis keeps them.
    pub history: Vec<AofFile>,
    /// Sequence numbers of the newest base and incremental files; new files take the
    /// next one.
    pub base_seq: i64,
    pub incr_seq: i64,
}

/// Why a manifest was refused: Redis's reason text and, when a line was being read, its
/// number and trimmed text (Redis prints both).
#[derive(Debug, PartialEq, Eq)]
pub struct ManifestError {
    pub line: Option<(usize, String)>,
    pub reason: &'static str,
}

impl ManifestError {
    /// The lines Redis logs before exiting, in order.
    pub fn log_lines(&self) -> Vec<String> {
        let mut out = vec!["\n*** FATAL AOF MANIFEST FILE ERROR ***".to_string()];
        if let Some((n, text)) = &self.line {
            out.push(format!("Reading the manifest file, at line {n}"));
            out.push(format!(">>> '{text}'"));
        }
        out.push(self.reason.to_string());
        out
    }
}

/// `atoll`: optional sign and leading digits, anything after ignored; 0 if none.
fn atoll(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut v: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.wrapping_mul(10).wrapping_add((s[i] - b'0') as i64);
        i += 1;
    }
    if neg {
        -v
    } else {
        v
    }
}

impl Manifest {
    /// Parses manifest text with Redis 7.0's rules (aofLoadManifestFromFile).
    pub fn parse(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut max_incr_seq = 0i64;
        let mut linenum = 0usize;
        let mut rest = text;
        loop {
            if rest.is_empty() {
                if linenum == 0 {
                    return Err(ManifestError { line: None, reason: "Found an empty AOF manifest" });
                }
                return Ok(m);
            }
            // fgets: up to MAX_LINE_BYTES bytes or through the newline.
            let take = match rest.iter().take(MAX_LINE_BYTES).position(|&b| b == b'\n') {
                Some(p) => p + 1,
                None => rest.len().min(MAX_LINE_BYTES),
            };
            let raw = &rest[..take];
            rest = &rest[take..];
            linenum += 1;
            if raw[0] == b'#' {
                continue;
            }
            if !raw.contains(&b'\n') {
                return Err(ManifestError { line: None, reason: "The AOF manifest file contains too long line" });
            }
            let trimmed = trim(raw);
            let shown = String::from_utf8_lossy(trimmed).into_owned();
            let fail = |reason| Err(ManifestError { line: Some((linenum, shown.clone())), reason });
            if trimmed.is_empty() {
                return fail("Invalid AOF manifest file format");
            }
            let argv = match crate::resp::decode::split_args(trimmed) {
                Some(a) if a.len() >= 6 && a.len() % 2 == 0 => a,
                _ => return fail("Invalid AOF manifest file format"),
            };
            let (mut name, mut seq, mut kind) = (None::<String>, 0i64, 0u8);
            for pair in argv.chunks(2) {
                let key = &pair[0];
                if key.eq_ignore_ascii_case(b"file") {
                    let n = String::from_utf8_lossy(&pair[1]).into_owned();
                    if n.contains('/') || n.contains('\\') {
                        return fail("File can't be a path, just a filename");
                    }
                    name = Some(n);
                } else if key.eq_ignore_ascii_case(b"seq") {
                    seq = atoll(&pair[1]);
                } else if key.eq_ignore_ascii_case(b"type") {
                    kind = pair[1].first().copied().unwrap_or(0);
                }
                // Other keys are ignored: room for later versions' fields.
            }
            let name = match name {
                Some(n) if !n.is_empty() && seq != 0 && kind != 0 => n,
                _ => return fail("Invalid AOF manifest file format"),
            };
            match kind {
                b'b' => {
                    if m.base.is_some() {
                        return fail("Found duplicate base file information");
                    }
                    m.base = Some(AofFile { name, seq, kind: FileType::Base });
                    m.base_seq = seq;
                }
                b'h' => m.history.push(AofFile { name, seq, kind: FileType::History }),
                b'i' => {
                    if seq <= max_incr_seq {
                        return fail("Found a non-monotonic sequence number");
                    }
                    m.incrs.push(AofFile { name, seq, kind: FileType::Incr });
                    m.incr_seq = seq;
                    max_incr_seq = seq;
                }
                _ => return fail("Unknown AOF file type"),
            }
        }
    }

    /// The manifest text (getAofManifestAsString): base, history, incremental files.
    pub fn format(&self) -> String {
        let mut out = String::new();
        for f in self.base.iter().chain(&self.history).chain(&self.incrs) {
            let name = if needs_repr(f.name.as_bytes()) { String::from_utf8_lossy(&crate::cmd::gate::repr(f.name.as_bytes())).into_owned() } else { f.name.clone() };
            out.push_str(&format!("file {} seq {} type {}\n", name, f.seq, f.kind.letter()));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incrs.is_empty()
    }

    /// Names a new base file (`<prefix>.<seq>.base.rdb|aof`) and retires the current one
    /// to history (getNewBaseFileNameAndMarkPreAsHistory). The new base is recorded.
    pub fn new_base(&mut self, prefix: &str, rdb: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.insert(0, old);
        }
        self.base_seq += 1;
        let name = format!("{prefix}.{}.base.{}", self.base_seq, if rdb { "rdb" } else { "aof" });
        self.base = Some(AofFile { name: name.clone(), seq: self.base_seq, kind: FileType::Base });
        name
    }

    /// Names a new incremental file (`<prefix>.<seq>.incr.aof`) and appends it to the
    /// replay order (getNewIncrAofName).
    pub fn new_incr(&mut self, prefix: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{prefix}.{}.incr.aof", self.incr_seq);
        self.incrs.push(AofFile { name: name.clone(), seq: self.incr_seq, kind: FileType::Incr });
        name
    }

    /// The incremental file writes go to: the last one, created if there is none
    /// (getLastIncrAofName).
    pub fn last_incr(&mut self, prefix: &str) -> String {
        match self.incrs.last() {
            Some(f) => f.name.clone(),
            None => self.new_incr(prefix),
        }
    }

    /// After a rewrite: every incremental file but the one being written (the last,
    /// when the AOF is on) becomes history (markRewrittenIncrAofAsHistory).
    pub fn mark_rewritten_incrs_as_history(&mut self, keep_last: bool) {
        let keep = if keep_last { self.incrs.pop() } else { None };
        // Redis walks from the newest and pushes each at the head of history, which
        // leaves the retired incremental files oldest first.
        for mut f in self.incrs.drain(..).rev() {
            f.kind = FileType::History;
            self.history.insert(0, f);
        }
        self.incrs.extend(keep);
    }
}

/// Redis's sdsneedsrepr: whether a name must be quoted to survive sdssplitargs.
fn needs_repr(s: &[u8]) -> bool {
    s.iter().any(|&c| matches!(c, b'\\' | b'"' | b'\n' | b'\r' | b'\t' | 7 | 8) || !(0x20..=0x7e).contains(&c) || c == b' ')
}

fn trim(s: &[u8]) -> &[u8] {
    let strip = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = s.iter().position(|c| !strip(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !strip(c)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// `<prefix>.manifest`
pub fn manifest_name(prefix: &str) -> String {
    format!("{prefix}.manifest")
}

/// `temp-<prefix>.manifest`: where a new manifest is written before the rename.
pub fn temp_manifest_name(prefix: &str) -> String {
    format!("temp-{prefix}.manifest")
}

/// Reads `<dir>/<prefix>.manifest`. Ok(None) when the directory or the manifest does not
/// exist (a first start); Err(lines to log) when it cannot be read or parsed — Redis
/// exits then.
pub fn load(dir: &Path, prefix: &str) -> Result<Option<Manifest>, Vec<String>> {
    if !dir.is_dir() {
        tracing::debug!("The AOF directory {} doesn't exist", dir.display());
        return Ok(None);
    }
    let path = dir.join(manifest_name(prefix));
    if !path.exists() {
        tracing::debug!("The AOF manifest file {} doesn't exist", manifest_name(prefix));
        return Ok(None);
    }
    let text = std::fs::read(&path).map_err(|e| vec![format!("Fatal error: can't open the AOF manifest file {} for reading: {}", path.display(), super::strerror(&e))])?;
    Manifest::parse(&text).map(Some).map_err(|e| e.log_lines())
}

/// Replaces `<dir>/<prefix>.manifest` crash-safely (writeAofManifestFile): the text goes
/// to a temp file that is fsynced and renamed over the manifest, then the directory is
/// fsynced so the rename (and any new file it names) survives a crash. Errors are
/// logged with Redis's texts.
pub fn persist(dir: &Path, prefix: &str, m: &Manifest) -> std::io::Result<()> {
    let name = manifest_name(prefix);
    let tmp_name = temp_manifest_name(prefix);
    let path = dir.join(&name);
    let tmp = dir.join(&tmp_name);
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp).inspect_err(|e| {
        tracing::warn!("Can't open the AOF manifest file {tmp_name}: {}", super::strerror(e));
    })?;
    f.write_all(m.format().as_bytes()).inspect_err(|e| {
        tracing::warn!("Error trying to write the temporary AOF manifest file {tmp_name}: {}", super::strerror(e));
    })?;
    f.sync_data().inspect_err(|e| tracing::warn!("Fail to fsync the temp AOF file {tmp_name}: {}.", super::strerror(e)))?;
    drop(f);
    std::fs::rename(&tmp, &path).inspect_err(|e| {
        tracing::warn!("Error trying to rename the temporary AOF manifest file {tmp_name} into {name}: {}", super::strerror(e));
    })?;
    fsync_dir(dir).inspect_err(|e| tracing::warn!("Fail to fsync AOF directory {}: {}.", path.display(), super::strerror(e)))
}

/// fsync of a directory: makes renames and new entries in it durable.
pub fn fsync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// `<dir>/<name>`
pub fn file_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What redis-server 7.0.15 wrote on first start with `appendonly yes`.
    const FIRST_START: &str = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
    /// Redis 7.0.15 after two rewrites with aof-disable-auto-gc yes and
    /// `appendfilename 'my "file.aof'`: quoting, and history order.
    const QUOTED_HISTORY: &str = "file \"my \\\"file.aof.3.base.rdb\" seq 3 type b\nfile \"my \\\"file.aof.2.incr.aof\" seq 2 type h\nfile \"my \\\"file.aof.2.base.rdb\" seq 2 type h\nfile \"my \\\"file.aof.1.incr.aof\" seq 1 type h\nfile \"my \\\"file.aof.1.base.rdb\" seq 1 type h\nfile \"my \\\"file.aof.3.incr.aof\" seq 3 type i\n";

    #[test]
    fn redis_manifests_parse_and_format_back_to_the_same_bytes() {
        for text in [FIRST_START, QUOTED_HISTORY] {
            let m = Manifest::parse(text.as_bytes()).unwrap();
            assert_eq!(m.format(), text);
        }
        let m = Manifest::parse(QUOTED_HISTORY.as_bytes()).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "my \"file.aof.3.base.rdb");
        assert_eq!((m.base_seq, m.incr_seq, m.history.len()), (3, 3, 4));
    }

    #[test]
    fn new_files_and_history_follow_redis_naming_and_order() {
        let mut m = Manifest::default();
        assert_eq!(m.new_base("appendonly.aof", true), "appendonly.aof.1.base.rdb");
        assert_eq!(m.last_incr("appendonly.aof"), "appendonly.aof.1.incr.aof");
        assert_eq!(m.format(), FIRST_START);
        // A rewrite: a new incr file opens, then the new base retires the old files.
        let p = "my \"file.aof";
        let mut m = Manifest::default();
        m.new_base(p, true);
        m.new_incr(p);
        for _ in 0..2 {
            m.new_incr(p);
            m.new_base(p, true);
            m.mark_rewritten_incrs_as_history(true);
        }
        assert_eq!(m.format(), QUOTED_HISTORY);
        // Two rewritten incremental files retire oldest first.
        let mut m = Manifest::parse(b"file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\nfile a.3.incr.aof seq 3 type i\n").unwrap();
        m.new_base("a", false);
        m.mark_rewritten_incrs_as_history(true);
        assert_eq!(m.format(), "file a.2.base.aof seq 2 type b\nfile a.1.incr.aof seq 1 type h\nfile a.2.incr.aof seq 2 type h\nfile a.1.base.aof seq 1 type h\nfile a.3.incr.aof seq 3 type i\n");
    }

    #[test]
    fn bad_manifests_are_refused_with_redis_reasons() {
        let reason = |t: &str| Manifest::parse(t.as_bytes()).unwrap_err();
        assert_eq!(reason("").reason, "Found an empty AOF manifest");
        assert_eq!(reason("file a seq 1 type b").reason, "The AOF manifest file contains too long line");
        let e = reason("file a seq 1 type b\n\n");
        assert_eq!(e, ManifestError { line: Some((2, String::new())), reason: "Invalid AOF manifest file format" });
        assert_eq!(reason("file a seq 1\n").reason, "Invalid AOF manifest file format");
        assert_eq!(reason("file a seq x type b\n").reason, "Invalid AOF manifest file format");
        assert_eq!(reason("file \"a seq 1 type b\n").reason, "Invalid AOF manifest file format");
        assert_eq!(reason("file d/a seq 1 type b\n").reason, "File can't be a path, just a filename");
        assert_eq!(reason("file a seq 1 type b\nfile b seq 2 type b\n").reason, "Found duplicate base file information");
        assert_eq!(reason("file a seq 2 type i\nfile b seq 2 type i\n").reason, "Found a non-monotonic sequence number");
        let e = reason("file a seq 1 type x\n");
        assert_eq!(e.log_lines(), vec!["\n*** FATAL AOF MANIFEST FILE ERROR ***", "Reading the manifest file, at line 1", ">>> 'file a seq 1 type x'", "Unknown AOF file type"]);
        assert_eq!(reason(&format!("file {} seq 1 type b\n", "a".repeat(1100))).reason, "The AOF manifest file contains too long line");
    }

    #[test]
    fn comments_and_unknown_keys_are_skipped() {
        let m = Manifest::parse(b"# hello\nfile a seq 1 type b future x\n").unwrap();
        assert_eq!(m.base.unwrap().name, "a");
        // A manifest of comments only is an empty AOF, not an error (Redis counts the
        // comment as a line read).
        assert!(Manifest::parse(b"# only a comment\n").unwrap().is_empty());
    }
}
