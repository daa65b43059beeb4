//! Whole RDB files: the `Writer` and the streaming `load`.
//!
//! File layout (Redis 7.0): `REDIS0010`; AUX fields (opcode 0xFA, name, value);
//! per non-empty database SELECTDB (0xFE, number) and RESIZEDB (0xFB, keys, keys with
//! a TTL), then per key: EXPIRETIME_MS (0xFC, i64 LE) if it has a TTL, IDLE (0xF8,
//! seconds) or FREQ (0xF9, one byte) under LRU/LFU maxmemory policies, the value type,
//! the key, the value; finally EOF (0xFF) and the CRC64 of everything before it (u64
//! LE; 0 when the writer had checksums off).
//!
//! Files run to gigabytes: the writer encodes one key at a time into a reused buffer,
//! the reader pulls through a fixed buffer and folds the CRC over it as it goes.
use super::decode::{read_len, read_string, read_value, Input};
use super::encode::{encode_payload, type_byte, write_len, write_string};
use super::{crc64, lru_for_load, LruField, RdbError, SaveOpts};
use super::{OP_AUX, OP_EOF, OP_EXPIRETIME, OP_EXPIRETIME_MS, OP_FREQ, OP_FUNCTION, OP_FUNCTION2, OP_IDLE, OP_MODULE_AUX, OP_RESIZEDB, OP_SELECTDB, RDB_VERSION};
use crate::config::Settings;
use crate::keyspace::Obj;
use bytes::Bytes;
use std::io::{self, BufRead, Read, Write};

/// `REDIS` and four version digits.
const MAGIC_BYTES: usize = 9;
/// The first RDB version with a CRC64 trailer.
const FIRST_CHECKSUM_VERSION: u32 = 5;
/// Read buffer of the loader: large enough that refills are rare, small enough to be
/// irrelevant next to the keyspace being loaded.
const READ_BUF_BYTES: usize = 64 * 1024;
/// Length of a replication ID; a `repl-id` AUX field of another length is ignored, as
/// Redis ignores it.
const REPL_ID_LEN: usize = 40;

/// The replication state a primary records in its RDB (Redis's rdbSaveInfo).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplInfo {
    pub stream_db: i64,
    pub id: String,
    pub offset: i64,
}

/// The AUX fields of a file header. `redis-ver` (7.0.15) and `redis-bits` are fixed.
#[derive(Clone, Debug)]
pub struct Aux {
    pub ctime_secs: i64,
    pub used_mem: u64,
    /// Written as repl-stream-db, repl-id and repl-offset when present.
    pub repl: Option<ReplInfo>,
    /// True for the RDB base of a multi-part AOF.
    pub aof_base: bool,
}

/// Writes an RDB file: `header`, then per database `select_db` and its `entry`s, then
/// `finish`. Give it a buffered writer: it writes one key at a time.
pub struct Writer<W: Write> {
    w: W,
    opts: SaveOpts,
    crc: u64,
    buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    pub fn new(w: W, opts: SaveOpts) -> Writer<W> {
        Writer { w, opts, crc: 0, buf: Vec::with_capacity(4096) }
    }

    fn emit(&mut self) -> io::Result<()> {
        if self.opts.checksum {
            self.crc = crc64::crc64(self.crc, &self.buf);
        }
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn aux(&mut self, name: &str, value: &[u8]) {
        self.buf.push(OP_AUX);
        write_string(&mut self.buf, name.as_bytes(), self.opts.compress);
        write_string(&mut self.buf, value, self.opts.compress);
    }

    /// The magic and the AUX fields in Redis 7.0's order.
    pub fn header(&mut self, aux: &Aux) -> io::Result<()> {
        self.buf.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
        self.aux("redis-ver", crate::REDIS_VERSION.as_bytes());
        self.aux("redis-bits", (usize::BITS).to_string().as_bytes());
        self.aux("ctime", aux.ctime_secs.to_string().as_bytes());
        self.aux("used-mem", aux.used_mem.to_string().as_bytes());
        if let Some(r) = &aux.repl {
            self.aux("repl-stream-db", r.stream_db.to_string().as_bytes());
            self.aux("repl-id", r.id.as_bytes());
            self.aux("repl-offset", r.offset.to_string().as_bytes());
        }
        self.aux("aof-base", if aux.aof_base { b"1" } else { b"0" });
        self.emit()
    }

    /// Starts a database: SELECTDB and the RESIZEDB size hints.
    pub fn select_db(&mut self, db: usize, keys: u64, expires: u64) -> io::Result<()> {
        self.buf.push(OP_SELECTDB);
        write_len(&mut self.buf, db as u64);
        self.buf.push(OP_RESIZEDB);
        write_len(&mut self.buf, keys);
        write_len(&mut self.buf, expires);
        self.emit()
    }

    /// One key: its TTL (absolute Unix ms), its access field, type, key and value.
    pub fn entry(&mut self, key: &[u8], obj: &Obj, expire_ms: Option<i64>, lru: LruField) -> io::Result<()> {
        if let Some(at) = expire_ms {
            self.buf.push(OP_EXPIRETIME_MS);
            self.buf.extend_from_slice(&at.to_le_bytes());
        }
        match lru {
            LruField::None => {}
            LruField::IdleSecs(s) => {
                self.buf.push(OP_IDLE);
                write_len(&mut self.buf, s);
            }
            LruField::Freq(f) => self.buf.extend_from_slice(&[OP_FREQ, f]),
        }
        self.buf.push(type_byte(obj));
        write_string(&mut self.buf, key, self.opts.compress);
        encode_payload(&mut self.buf, obj, self.opts);
        self.emit()
    }

    /// EOF and the checksum; flushes and hands the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.push(OP_EOF);
        self.emit()?;
        let crc = if self.opts.checksum { self.crc } else { 0 };
        self.w.write_all(&crc.to_le_bytes())?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// A key read from a file.
pub struct Loaded {
    pub db: usize,
    pub key: Bytes,
    /// The value, its access clock set from the file's IDLE/FREQ (or fresh).
    pub obj: Obj,
    pub expire_ms: Option<i64>,
}

/// What a file said about itself, and what loading it did.
#[derive(Clone, Debug, Default)]
pub struct LoadInfo {
    pub rdb_version: u32,
    pub redis_ver: Option<String>,
    pub redis_bits: Option<i64>,
    pub ctime_secs: Option<i64>,
    pub used_mem: Option<i64>,
    pub repl_stream_db: Option<i64>,
    /// Only a 40-character ID is taken.
    pub repl_id: Option<String>,
    pub repl_offset: Option<i64>,
    pub aof_base: bool,
    /// Keys handed to the sink.
    pub keys_loaded: u64,
    /// Keys skipped because their TTL had passed.
    pub keys_expired: u64,
    /// Empty aggregates skipped (older Redis versions could write them).
    pub empty_keys_skipped: u64,
    /// Bytes read, trailer included.
    pub bytes: u64,
    /// False when the file carried no checksum (version < 5, or written without one)
    /// or rdbchecksum is off.
    pub checksum_verified: bool,
}

/// C's `atoi` on the version digits: leading digits, 0 if none.
fn leading_number(b: &[u8]) -> u32 {
    b.iter().take_while(|c| c.is_ascii_digit()).fold(0u32, |n, &c| n.saturating_mul(10).saturating_add((c - b'0') as u32))
}

/// An AUX value read as `strtoll` would: leading integer, 0 if none.
fn aux_int(v: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(v);
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(|c| c.is_ascii_digit()).fold(0i64, |n, c| n.saturating_mul(10).saturating_add((c - b'0') as i64));
    if neg {
        -n
    } else {
        n
    }
}

/// Reads an RDB file from `r` (versions 1..=10, as Redis 7.0 does), handing each key to
/// `sink` in file order. Keys whose TTL is before `now_ms` are skipped, as a primary
/// does; pass `i64::MIN` to keep them all (a replica, or an AOF's RDB base, which the
/// AOF tail expects complete). The CRC64 trailer is checked when `rdbchecksum` is on
/// and the file has a non-zero one.
pub fn load(r: &mut impl Read, settings: &Settings, now_ms: i64, sink: &mut dyn FnMut(Loaded) -> Result<(), RdbError>) -> Result<LoadInfo, RdbError> {
    let mut r = std::io::BufReader::with_capacity(READ_BUF_BYTES, r);
    load_prefix(&mut r, settings, now_ms, sink)
}

/// `load` from a buffered reader, consuming exactly the RDB (through its checksum):
/// what follows stays in `r` (an AOF with an RDB preamble goes on with commands).
pub fn load_prefix(r: &mut dyn BufRead, settings: &Settings, now_ms: i64, sink: &mut dyn FnMut(Loaded) -> Result<(), RdbError>) -> Result<LoadInfo, RdbError> {
    let mut inp = PrefixInput { r, buf: Vec::new(), start: 0, crc_from: 0, crc: 0, base: 0 };
    let result = load_from(&mut inp, settings, now_ms, sink);
    // Hand back what was looked at but not used.
    inp.r.consume(inp.start);
    result
}

/// Reads through a `BufRead`'s own buffer, copying what it shows but consuming from
/// it only what the parser has used, so nothing past the RDB is taken.
struct PrefixInput<'r> {
    r: &'r mut dyn BufRead,
    /// A copy of the reader's current buffer; `start` bytes of it are used.
    buf: Vec<u8>,
    start: usize,
    crc_from: usize,
    crc: u64,
    /// Bytes consumed before `buf[0]`.
    base: u64,
}

impl PrefixInput<'_> {
    fn refill(&mut self) -> Result<(), RdbError> {
        self.crc = crc64::crc64(self.crc, &self.buf[self.crc_from..self.start]);
        self.r.consume(self.start);
        self.base += self.start as u64;
        self.start = 0;
        self.crc_from = 0;
        self.buf.clear();
        loop {
            match self.r.fill_buf() {
                Ok([]) => return Err(RdbError::Truncated { offset: self.base }),
                Ok(b) => {
                    self.buf.extend_from_slice(b);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RdbError::Io(e)),
            }
        }
    }
}

impl Input for PrefixInput<'_> {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), RdbError> {
        let mut got = 0;
        while got < out.len() {
            if self.start == self.buf.len() {
                self.refill()?;
            }
            let n = (out.len() - got).min(self.buf.len() - self.start);
            out[got..got + n].copy_from_slice(&self.buf[self.start..self.start + n]);
            self.start += n;
            got += n;
        }
        Ok(())
    }

    fn take(&mut self, n: u64) -> Result<Vec<u8>, RdbError> {
        let n = usize::try_from(n).map_err(|_| self.corrupt("string length does not fit in memory"))?;
        let mut v = Vec::with_capacity(n.min(READ_BUF_BYTES));
        while v.len() < n {
            if self.start == self.buf.len() {
                self.refill()?;
            }
            let k = (n - v.len()).min(self.buf.len() - self.start);
            v.extend_from_slice(&self.buf[self.start..self.start + k]);
            self.start += k;
        }
        Ok(v)
    }

    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }
}

impl PrefixInput<'_> {
    /// The CRC of everything consumed so far.
    fn checksum(&mut self) -> u64 {
        self.crc = crc64::crc64(self.crc, &self.buf[self.crc_from..self.start]);
        self.crc_from = self.start;
        self.crc
    }
}

fn load_from(inp: &mut PrefixInput<'_>, settings: &Settings, now_ms: i64, sink: &mut dyn FnMut(Loaded) -> Result<(), RdbError>) -> Result<LoadInfo, RdbError> {
    let mut info = LoadInfo::default();
    let mut magic = [0u8; MAGIC_BYTES];
    inp.fill(&mut magic)?;
    if &magic[..5] != b"REDIS" {
        return Err(RdbError::Signature);
    }
    let version = leading_number(&magic[5..]);
    if version < 1 || version > RDB_VERSION as u32 {
        return Err(RdbError::Version(version));
    }
    info.rdb_version = version;

    // Key attributes set by opcodes before the key's type.
    let mut db = 0usize;
    let mut expire: Option<i64> = None;
    let mut idle: Option<u64> = None;
    let mut freq: Option<u8> = None;
    loop {
        let op = inp.byte()?;
        match op {
            OP_EXPIRETIME => {
                let mut x = [0u8; 4];
                inp.fill(&mut x)?;
                expire = Some(i32::from_le_bytes(x) as i64 * 1000);
            }
            OP_EXPIRETIME_MS => {
                let mut x = [0u8; 8];
                inp.fill(&mut x)?;
                expire = Some(i64::from_le_bytes(x));
            }
            OP_FREQ => freq = Some(inp.byte()?),
            OP_IDLE => idle = Some(read_len(&mut *inp)?),
            OP_EOF => break,
            OP_SELECTDB => {
                let n = read_len(&mut *inp)?;
                if n >= settings.databases as u64 {
                    return Err(RdbError::TooManyDbs { db: n, databases: settings.databases });
                }
                db = n as usize;
            }
            OP_RESIZEDB => {
                read_len(&mut *inp)?;
                read_len(&mut *inp)?;
            }
            OP_AUX => {
                let name = read_string(&mut *inp)?;
                let value = read_string(&mut *inp)?;
                apply_aux(&mut info, &name, &value);
            }
            OP_MODULE_AUX => return Err(RdbError::Unsupported { offset: inp.offset(), what: "module auxiliary data".into() }),
            OP_FUNCTION | OP_FUNCTION2 => return Err(RdbError::Unsupported { offset: inp.offset(), what: "function libraries".into() }),
            rdb_type => {
                let key = read_string(&mut *inp)?;
                let obj = match read_value(&mut *inp, rdb_type, settings) {
                    Ok(o) => Some(o),
                    Err(RdbError::EmptyKey { .. }) => {
                        info.empty_keys_skipped += 1;
                        None
                    }
                    Err(e) => return Err(e),
                };
                if let Some(mut obj) = obj {
                    if expire.is_some_and(|at| at < now_ms) {
                        info.keys_expired += 1;
                    } else {
                        obj.lru = lru_for_load(settings, now_ms.max(0), idle, freq);
                        info.keys_loaded += 1;
                        sink(Loaded { db, key: Bytes::from(key), obj, expire_ms: expire })?;
                    }
                }
                expire = None;
                idle = None;
                freq = None;
            }
        }
    }
    if version >= FIRST_CHECKSUM_VERSION {
        let expected = inp.checksum();
        let mut x = [0u8; 8];
        inp.fill(&mut x)?;
        let got = u64::from_le_bytes(x);
        if settings.rdbchecksum && got != 0 {
            if got != expected {
                return Err(RdbError::Checksum { expected, got });
            }
            info.checksum_verified = true;
        }
    }
    info.bytes = inp.offset();
    Ok(info)
}

fn apply_aux(info: &mut LoadInfo, name: &[u8], value: &[u8]) {
    let text = || String::from_utf8_lossy(value).into_owned();
    match &name.to_ascii_lowercase()[..] {
        b"repl-stream-db" => info.repl_stream_db = Some(aux_int(value)),
        b"repl-id" if value.len() == REPL_ID_LEN => info.repl_id = Some(text()),
        b"repl-offset" => info.repl_offset = Some(aux_int(value)),
        b"redis-ver" => info.redis_ver = Some(text()),
        b"redis-bits" => info.redis_bits = Some(aux_int(value)),
        b"ctime" => info.ctime_secs = Some(aux_int(value)),
        b"used-mem" => info.used_mem = Some(aux_int(value)),
        b"aof-base" => info.aof_base = aux_int(value) != 0,
        // Unknown fields are skipped, as the AUX contract requires.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Value;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// The dump.rdb redis-server 7.0.15 wrote for SET k v + PEXPIREAT k 4102444800000
    /// (SAVE on a standalone server: no replication fields).
    const GOLDEN: &str = "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65c2c494026bfa08757365642d6d656dc2d87d1500fa08616f662d62617365c000fe00fb0101fc00d8c32cbb03000000016b0176ff136cb7899b18664e";

    #[test]
    fn writer_output_equals_a_file_redis_wrote() {
        let mut w = Writer::new(Vec::new(), SaveOpts { compress: true, checksum: true, list_fill: -2 });
        w.header(&Aux { ctime_secs: 0x6b02_94c4, used_mem: 0x15_7dd8, repl: None, aof_base: false }).unwrap();
        w.select_db(0, 1, 1).unwrap();
        w.entry(b"k", &Obj::new(Value::str(b"v")), Some(4_102_444_800_000), LruField::None).unwrap();
        assert_eq!(w.finish().unwrap(), hex(GOLDEN));
    }

    #[test]
    fn the_golden_file_reads_back() {
        let s = Settings::from_store(&crate::config::Store::new());
        let file = hex(GOLDEN);
        let mut got = Vec::new();
        let info = load(&mut &file[..], &s, 0, &mut |l| {
            got.push((l.db, l.key.to_vec(), l.expire_ms));
            Ok(())
        })
        .unwrap();
        assert_eq!(got, vec![(0, b"k".to_vec(), Some(4_102_444_800_000))]);
        assert_eq!(info.redis_ver.as_deref(), Some("7.0.15"));
        assert_eq!(info.ctime_secs, Some(0x6b02_94c4));
        assert_eq!(info.used_mem, Some(0x15_7dd8));
        assert!(info.checksum_verified && !info.aof_base);
        assert_eq!(info.bytes, file.len() as u64);
    }

    #[test]
    fn checksum_off_writes_zero_and_any_trailer_is_then_accepted() {
        let mut w = Writer::new(Vec::new(), SaveOpts { compress: true, checksum: false, list_fill: -2 });
        w.header(&Aux { ctime_secs: 1, used_mem: 1, repl: None, aof_base: true }).unwrap();
        let f = w.finish().unwrap();
        assert_eq!(f[f.len() - 8..], [0; 8]);
        let mut s = Settings::from_store(&crate::config::Store::new());
        let info = load(&mut &f[..], &s, 0, &mut |_| Ok(())).unwrap();
        assert!(info.aof_base && !info.checksum_verified);
        let mut wrong = hex(GOLDEN);
        let n = wrong.len();
        wrong[n - 1] ^= 1;
        assert!(matches!(load(&mut &wrong[..], &s, 0, &mut |_| Ok(())), Err(RdbError::Checksum { .. })));
        s.rdbchecksum = false;
        assert!(load(&mut &wrong[..], &s, 0, &mut |_| Ok(())).is_ok());
    }

    #[test]
    fn a_sink_error_stops_loading() {
        let s = Settings::from_store(&crate::config::Store::new());
        let file = hex(GOLDEN);
        let r = load(&mut &file[..], &s, 0, &mut |_| Err(RdbError::Sink("duplicate key".into())));
        assert_eq!(r.unwrap_err().to_string(), "duplicate key");
    }
}
