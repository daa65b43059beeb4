//! RDB version 10 (Redis 7.0): the value codec (shared with DUMP/RESTORE and, later,
//! MIGRATE and replication) and the whole-file writer and reader.
//!
//! - `encode`  — a value as Redis 7.0 writes it (`encode_object`), byte for byte for
//!   the same value in the same encoding;
//! - `decode`  — every type and encoding a 7.0 reader accepts (`decode_object`),
//!   converted to the encoding slotd chooses under the current settings;
//! - `file`    — `Writer` (magic, AUX fields, SELECTDB/RESIZEDB, per-key
//!   EXPIRETIME_MS/IDLE/FREQ, EOF, CRC64 trailer) and the streaming `load`;
//! - `listpack`, `ziplist`, `intset`, `zipmap` — the packed encodings inside values;
//! - `lzf`, `crc64` — compression of long strings and the checksum.
//!
//! A DUMP payload is `encode_object`'s bytes, then the RDB version (u16 LE), then the
//! CRC64 of everything before it (u64 LE). Nothing here touches the keyspace: callers
//! hand values in and take values out.
pub mod crc64;
mod decode;
mod encode;
mod file;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod ziplist;
pub mod zipmap;

pub use encode::{encode_object, encode_payload, type_byte, write_len, write_string};
pub use file::{load, load_prefix, Aux, LoadInfo, Loaded, ReplInfo, Writer};

use crate::config::Settings;
use crate::keyspace::Obj;
use std::fmt;

/// The RDB format version Redis 7.0 writes (and the newest it reads).
pub const RDB_VERSION: u16 = 10;

// Opcodes that may appear where a value type is expected (rdb.h).
pub(crate) const OP_FUNCTION2: u8 = 245;
pub(crate) const OP_FUNCTION: u8 = 246;
pub(crate) const OP_MODULE_AUX: u8 = 247;
pub(crate) const OP_IDLE: u8 = 248;
pub(crate) const OP_FREQ: u8 = 249;
pub(crate) const OP_AUX: u8 = 250;
pub(crate) const OP_RESIZEDB: u8 = 251;
pub(crate) const OP_EXPIRETIME_MS: u8 = 252;
pub(crate) const OP_EXPIRETIME: u8 = 253;
pub(crate) const OP_SELECTDB: u8 = 254;
pub(crate) const OP_EOF: u8 = 255;

// Value types (rdb.h). 8 was never used; 20 and 21 are Redis 7.2's.
pub(crate) const TYPE_STRING: u8 = 0;
pub(crate) const TYPE_LIST: u8 = 1;
pub(crate) const TYPE_SET: u8 = 2;
pub(crate) const TYPE_ZSET: u8 = 3;
pub(crate) const TYPE_HASH: u8 = 4;
pub(crate) const TYPE_ZSET_2: u8 = 5;
pub(crate) const TYPE_MODULE: u8 = 6;
pub(crate) const TYPE_MODULE_2: u8 = 7;
pub(crate) const TYPE_HASH_ZIPMAP: u8 = 9;
pub(crate) const TYPE_LIST_ZIPLIST: u8 = 10;
pub(crate) const TYPE_SET_INTSET: u8 = 11;
pub(crate) const TYPE_ZSET_ZIPLIST: u8 = 12;
pub(crate) const TYPE_HASH_ZIPLIST: u8 = 13;
pub(crate) const TYPE_LIST_QUICKLIST: u8 = 14;
pub(crate) const TYPE_STREAM_LISTPACKS: u8 = 15;
pub(crate) const TYPE_HASH_LISTPACK: u8 = 16;
pub(crate) const TYPE_ZSET_LISTPACK: u8 = 17;
pub(crate) const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub(crate) const TYPE_STREAM_LISTPACKS_2: u8 = 19;
pub(crate) const TYPE_STREAM_LISTPACKS_3: u8 = 21;

// Length field markers: the top two bits of the first byte say how it continues.
/// `10000000`: a 32-bit big-endian length follows.
pub(crate) const LEN_32BIT: u8 = 0x80;
/// `10000001`: a 64-bit big-endian length follows.
pub(crate) const LEN_64BIT: u8 = 0x81;
/// `11xxxxxx`: not a length but a special string encoding in the low six bits.
pub(crate) const LEN_ENCVAL: u8 = 0xc0;
pub(crate) const ENC_INT8: u8 = 0;
pub(crate) const ENC_INT16: u8 = 1;
pub(crate) const ENC_INT32: u8 = 2;
pub(crate) const ENC_LZF: u8 = 3;

// Quicklist v2 node containers.
pub(crate) const QUICKLIST_PLAIN: u64 = 1;
pub(crate) const QUICKLIST_PACKED: u64 = 2;

/// Why RDB data could not be read. Each variant names what is wrong and, for data
/// errors, the byte offset where it was noticed.
#[derive(Debug)]
pub enum RdbError {
    Io(std::io::Error),
    /// The data ends before the structure it started.
    Truncated { offset: u64 },
    /// The bytes are not valid RDB.
    Corrupt { offset: u64, what: String },
    /// Valid RDB that slotd cannot represent (modules, streams, functions).
    Unsupported { offset: u64, what: String },
    /// An aggregate with no elements: Redis skips such keys in files (older versions
    /// could write them) and refuses them in RESTORE.
    EmptyKey { offset: u64 },
    /// The file does not start with `REDIS`.
    Signature,
    /// An RDB version this reader does not handle.
    Version(u32),
    Checksum { expected: u64, got: u64 },
    /// A SELECTDB beyond the configured number of databases.
    TooManyDbs { db: u64, databases: usize },
    /// Refused by the consumer of loaded keys (e.g. a duplicate key).
    Sink(String),
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbError::Io(e) => write!(f, "I/O error reading RDB data: {e}"),
            RdbError::Truncated { offset } => write!(f, "Short read loading DB: the data ends at offset {offset}"),
            RdbError::Corrupt { offset, what } => write!(f, "Internal error in RDB reading offset {offset}: {what}"),
            RdbError::Unsupported { offset, what } => write!(f, "RDB data at offset {offset} holds {what}, which slotd does not support"),
            RdbError::EmptyKey { offset } => write!(f, "Empty key in RDB data at offset {offset}"),
            RdbError::Signature => f.write_str("Wrong signature trying to load DB from file"),
            RdbError::Version(v) => write!(f, "Can't handle RDB format version {v}"),
            RdbError::Checksum { expected, got } => write!(f, "Wrong RDB checksum expected: ({expected:x}) got: ({got:x}). Aborting now."),
            RdbError::TooManyDbs { db, databases } => write!(f, "Data file was created with a Redis server configured to handle more than {databases} databases (it selects DB {db})"),
            RdbError::Sink(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for RdbError {}

impl From<std::io::Error> for RdbError {
    fn from(e: std::io::Error) -> Self {
        RdbError::Io(e)
    }
}

/// How values are written: Redis's rdbcompression, rdbchecksum and
/// list-max-listpack-size (which decides where list nodes are cut).
#[derive(Clone, Copy, Debug)]
pub struct SaveOpts {
    /// LZF-compress strings longer than 20 bytes when it saves at least 4 bytes.
    pub compress: bool,
    /// Write the file's CRC64 trailer (0 when off, which readers take as "unchecked").
    /// DUMP payloads always carry one.
    pub checksum: bool,
    pub list_fill: i64,
}

impl SaveOpts {
    pub fn from_settings(s: &Settings) -> SaveOpts {
        SaveOpts { compress: s.rdbcompression, checksum: s.rdbchecksum, list_fill: s.list_max_listpack_size }
    }
}

/// Reads a type byte and the value after it from `input` at `*pos`, advancing `*pos`
/// past it. The object's access clock is left at 0 for the caller to set
/// (`lru_for_load`).
pub fn decode_object(input: &[u8], pos: &mut usize, settings: &Settings) -> Result<Obj, RdbError> {
    use decode::Input;
    let mut inp = decode::SliceInput { data: input, pos: *pos };
    let t = inp.byte()?;
    let obj = decode::read_value(&mut inp, t, settings)?;
    *pos = inp.pos;
    Ok(obj)
}

/// Bytes after the value in a DUMP payload: the RDB version and the CRC64.
pub const DUMP_TRAILER_BYTES: usize = 10;

/// A DUMP payload: the value, RDB_VERSION as u16 LE, and the CRC64 of all of that.
pub fn dump_payload(obj: &Obj, opts: SaveOpts) -> Vec<u8> {
    let mut out = Vec::new();
    encode_object(&mut out, obj, opts);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Redis's verifyDumpPayload: long enough for the trailer, a version this reader
/// handles, and a matching CRC64.
pub fn verify_payload(p: &[u8]) -> bool {
    if p.len() < DUMP_TRAILER_BYTES {
        return false;
    }
    let footer = &p[p.len() - DUMP_TRAILER_BYTES..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version > RDB_VERSION {
        return false;
    }
    let crc = crc64::crc64(0, &p[..p.len() - 8]);
    crc.to_le_bytes() == footer[2..]
}

/// What an RDB writes before a key's type about its access history: Redis writes IDLE
/// (seconds) under an LRU maxmemory policy and FREQ (the decayed LFU counter) under an
/// LFU policy, nothing otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LruField {
    None,
    IdleSecs(u64),
    Freq(u8),
}

/// Seconds in the 24-bit LRU clock's range.
const LRU_CLOCK_MAX: u64 = (1 << 24) - 1;

fn lru_clock_at(now_ms: i64) -> u64 {
    (now_ms.div_euclid(1000) as u64) & LRU_CLOCK_MAX
}

fn lfu_minutes_at(now_ms: i64) -> u16 {
    ((now_ms.div_euclid(1000) / 60) & 0xffff) as u16
}

impl LruField {
    /// The field Redis would write for `obj` at `now_ms` under the settings' policy.
    pub fn for_obj(obj: &Obj, s: &Settings, now_ms: i64) -> LruField {
        use crate::config::settings::EvictionPolicy as P;
        match s.policy {
            P::VolatileLru | P::AllkeysLru => {
                let now = lru_clock_at(now_ms);
                let then = obj.lru as u64 & LRU_CLOCK_MAX;
                let idle = if now >= then { now - then } else { now + (LRU_CLOCK_MAX - then) };
                LruField::IdleSecs(idle)
            }
            P::VolatileLfu | P::AllkeysLfu => LruField::Freq(crate::keyspace::lfu_decr_and_return(obj.lru, lfu_minutes_at(now_ms), s.lfu_decay_time) as u8),
            _ => LruField::None,
        }
    }
}

/// The access clock of an object created by loading or RESTORE at `now_ms` (Redis's
/// createObject plus objectSetLRUOrLFU): under an LFU policy the given frequency (or
/// the initial counter); otherwise the LRU clock moved back by the given idle seconds.
pub fn lru_for_load(s: &Settings, now_ms: i64, idle_secs: Option<u64>, freq: Option<u8>) -> u32 {
    if s.policy.is_lfu() {
        let counter = freq.map_or(crate::keyspace::LFU_INIT_VAL, |f| f as u32);
        return ((lfu_minutes_at(now_ms) as u32) << 8) | counter;
    }
    let clock = lru_clock_at(now_ms);
    match idle_secs {
        None => clock as u32,
        Some(idle) => {
            // A clock that would go below zero wraps to halfway into the future, as
            // Redis does, so the key is not evicted first.
            match clock.checked_sub(idle) {
                Some(at) => at as u32,
                None => ((clock + LRU_CLOCK_MAX / 2) % LRU_CLOCK_MAX) as u32,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Value;

    #[test]
    fn payload_trailer_is_version_and_crc() {
        let obj = Obj::new(Value::str(b"hello"));
        let p = dump_payload(&obj, SaveOpts { compress: true, checksum: true, list_fill: -2 });
        assert!(verify_payload(&p));
        let mut bad = p.clone();
        bad[1] ^= 1;
        assert!(!verify_payload(&bad));
        let mut newer = p[..p.len() - DUMP_TRAILER_BYTES].to_vec();
        newer.extend_from_slice(&11u16.to_le_bytes());
        let crc = crc64::crc64(0, &newer);
        newer.extend_from_slice(&crc.to_le_bytes());
        assert!(!verify_payload(&newer), "version 11 is refused");
        assert!(!verify_payload(&p[..9]));
    }

    #[test]
    fn load_clock_follows_the_policy() {
        let mut s = Settings::from_store(&crate::config::Store::new());
        let now = 1_700_000_000_000i64;
        let clock = lru_clock_at(now) as u32;
        assert_eq!(lru_for_load(&s, now, None, Some(9)), clock);
        assert_eq!(lru_for_load(&s, now, Some(10), None), clock - 10);
        assert_eq!(lru_for_load(&s, 5_000, Some(10), None), ((5 + LRU_CLOCK_MAX / 2) % LRU_CLOCK_MAX) as u32);
        s.policy = crate::config::settings::EvictionPolicy::AllkeysLfu;
        assert_eq!(lru_for_load(&s, now, Some(10), Some(9)) & 0xff, 9);
        assert_eq!(lru_for_load(&s, now, None, None) & 0xff, crate::keyspace::LFU_INIT_VAL);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn defaults() -> Settings {
        Settings::from_store(&crate::config::Store::new())
    }

    const OPTS: SaveOpts = SaveOpts { compress: true, checksum: true, list_fill: -2 };

    /// DUMP payloads from redis-server 7.0.15 of the table encodings and of a list cut
    /// into one-element nodes (list-max-listpack-size 1); see the test below for how.
    const ZSET_SKIPLIST: &str = "0502016200000000000004400161000000000000f03f0a00f46eb73919767291";
    const SET_TABLE: &str = "020101780a00ffe880ba760c2f09";
    const HASH_TABLE: &str = "0401016601760a00adf24356b1860efc";
    const LIST_THREE_NODES: &str = "1203020a0a0000000100816102ff020a0a0000000100816202ff020a0a0000000100816302ff0a0092b1534c390d2d60";
    const STRING_I64_MAX: &str = "0013393232333337323033363835343737353830370a003a657e9481e85f22";

    fn decode(payload: &str, s: &Settings) -> Obj {
        let p = hex(payload);
        assert!(verify_payload(&p));
        let mut pos = 0;
        let obj = decode_object(&p, &mut pos, s).unwrap();
        assert_eq!(pos, p.len() - DUMP_TRAILER_BYTES, "the whole value is consumed");
        obj
    }

    fn dump_hex(obj: &Obj, opts: SaveOpts) -> String {
        dump_payload(obj, opts).iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn redis_table_encodings_decode_and_encode_back() {
        use crate::keyspace::types::zset::ZSet;
        use crate::keyspace::Value;
        let s = defaults();
        // ZSET_2 written by a skiplist; small, so it loads as a listpack (as in Redis).
        let z = decode(ZSET_SKIPLIST, &s);
        let Value::ZSet(zs) = &z.val else { panic!("zset") };
        assert_eq!(zs.encoding_name(), "listpack");
        assert_eq!(zs.iter().map(|(m, sc)| (m.to_vec(), sc)).collect::<Vec<_>>(), vec![(b"a".to_vec(), 1.0), (b"b".to_vec(), 2.5)]);
        let big = ZSet::from_sorted_encoded(zs.iter().map(|(m, score)| crate::keyspace::types::zset::Entry { member: crate::keyspace::SmallBytes::new(m), score }).collect(), true);
        assert_eq!(dump_hex(&Obj::new(Value::ZSet(Box::new(big))), OPTS), ZSET_SKIPLIST);
        // A one-member hashtable set and one-field hashtable hash (their order is fixed).
        let st = decode(SET_TABLE, &s);
        assert_eq!(st.encoding_name(), "hashtable");
        assert_eq!(dump_hex(&st, OPTS), SET_TABLE);
        let mut few = defaults();
        few.hash_max_listpack_entries = 0;
        let h = decode(HASH_TABLE, &few);
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(dump_hex(&h, OPTS), HASH_TABLE);
        assert_eq!(decode(HASH_TABLE, &s).encoding_name(), "listpack", "a small plain hash loads compact");
        // Nodes of one element each under list-max-listpack-size 1.
        let l = decode(LIST_THREE_NODES, &s);
        let Value::List(list) = &l.val else { panic!("list") };
        assert_eq!(list.iter().collect::<Vec<_>>(), vec![&b"a"[..], b"b", b"c"]);
        assert_eq!(dump_hex(&l, SaveOpts { list_fill: 1, ..OPTS }), LIST_THREE_NODES);
        // A string beyond the int32 encoding is stored as text.
        let big = decode(STRING_I64_MAX, &s);
        assert_eq!(big.encoding_name(), "int");
        assert_eq!(dump_hex(&big, OPTS), STRING_I64_MAX);
    }

    #[test]
    fn mutated_payloads_never_panic() {
        let s = defaults();
        let seeds: Vec<Vec<u8>> = [ZSET_SKIPLIST, SET_TABLE, HASH_TABLE, LIST_THREE_NODES, STRING_I64_MAX, "11c3242d0e2d0000000600816302942d302e3130e005000f3115816102010181620283322e3504ff0a009508e61f133eadfb", "0b100200000004000000f9ff0100020003000a003bfa4a3923b1fa84"]
            .iter()
            .map(|h| hex(h))
            .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..50_000 {
            let base = &seeds[(next() % seeds.len() as u64) as usize];
            let mut p = base[..base.len() - DUMP_TRAILER_BYTES].to_vec();
            match next() % 3 {
                0 => p.truncate((next() % p.len() as u64) as usize),
                1 => {
                    let i = (next() % p.len() as u64) as usize;
                    p[i] = next() as u8;
                }
                _ => {
                    let i = (next() % p.len() as u64) as usize;
                    p[i] ^= 1 << (next() % 8);
                }
            }
            let _ = decode_object(&p, &mut 0, &s);
        }
    }
}
