//! The RDB value decoder: every value type and encoding a Redis 7.0 reader accepts,
//! turned into slotd's own representation under the current `Settings`.
//!
//! BACKGROUND: RDB files from older Redis versions hold encodings 7.0 no longer writes
//! (ziplists, zipmaps, quicklists of ziplists, string scores). Redis converts them on
//! load, and so does slotd: a small value becomes the compact encoding, a large one
//! the table encoding, with Redis's thresholds — which for a packed encoding (listpack,
//! ziplist, intset) look at the element count only, while a table encoding
//! (hash, set, sorted set) is rebuilt element by element and ends up compact when it
//! fits. Anything malformed (truncated, inconsistent headers, duplicate members, NaN
//! scores) is refused with the offset where it was noticed; nothing panics and no
//! declared length is trusted for an allocation before the bytes are there.
use super::listpack::Elem;
use super::{intset, listpack, lzf, ziplist, zipmap, RdbError};
use super::{
    ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, LEN_32BIT, LEN_64BIT, QUICKLIST_PACKED, QUICKLIST_PLAIN, TYPE_HASH, TYPE_HASH_LISTPACK, TYPE_HASH_ZIPLIST, TYPE_HASH_ZIPMAP, TYPE_LIST, TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2,
    TYPE_LIST_ZIPLIST, TYPE_MODULE, TYPE_MODULE_2, TYPE_SET, TYPE_SET_INTSET, TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3, TYPE_STRING, TYPE_ZSET, TYPE_ZSET_2, TYPE_ZSET_LISTPACK, TYPE_ZSET_ZIPLIST,
};
use crate::config::Settings;
use crate::keyspace::dict::Dict;
use crate::keyspace::types::zset::Entry;
use crate::keyspace::types::{hash::Hash, list::List, set::Set, zset::ZSet};
use crate::keyspace::{Obj, SmallBytes, Value};
use crate::util::num::parse_f64;
use std::collections::HashSet;

/// Most elements reserved up front from a declared count: counts come from the input
/// and are only believed as far as the elements actually arrive.
const PREALLOC_MAX: usize = 1024;
/// Redis caps intsets at 2^30 entries whatever set-max-intset-entries says.
const INTSET_HARD_MAX: usize = 1 << 30;
/// Total member bytes a listpack may hold (Redis's lpSafeToAdd limit, 1 GiB).
const LISTPACK_SAFETY_BYTES: usize = 1 << 30;
/// rdbLoadDoubleValue's markers for special values (string-score sorted sets).
const DOUBLE_NEG_INF: u8 = 255;
const DOUBLE_POS_INF: u8 = 254;
const DOUBLE_NAN: u8 = 253;

/// Where RDB bytes come from: a buffer (DUMP payloads) or a stream (files).
pub(crate) trait Input {
    /// Fills `buf` completely or fails with `Truncated`.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RdbError>;
    /// The next `n` bytes. Implementations must not allocate `n` bytes before they
    /// know that many are there.
    fn take(&mut self, n: u64) -> Result<Vec<u8>, RdbError>;
    /// Bytes consumed so far.
    fn offset(&self) -> u64;

    fn byte(&mut self) -> Result<u8, RdbError> {
        let mut b = [0u8; 1];
        self.fill(&mut b)?;
        Ok(b[0])
    }

    fn corrupt(&self, what: impl Into<String>) -> RdbError {
        RdbError::Corrupt { offset: self.offset(), what: what.into() }
    }
}

/// A DUMP payload or any other in-memory RDB fragment.
pub(crate) struct SliceInput<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl Input for SliceInput<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RdbError> {
        let src = self.data.get(self.pos..self.pos + buf.len()).ok_or(RdbError::Truncated { offset: self.data.len() as u64 })?;
        buf.copy_from_slice(src);
        self.pos += buf.len();
        Ok(())
    }

    fn take(&mut self, n: u64) -> Result<Vec<u8>, RdbError> {
        let left = (self.data.len() - self.pos) as u64;
        if n > left {
            return Err(RdbError::Truncated { offset: self.data.len() as u64 });
        }
        let v = self.data[self.pos..self.pos + n as usize].to_vec();
        self.pos += n as usize;
        Ok(v)
    }

    fn offset(&self) -> u64 {
        self.pos as u64
    }
}

/// A length field, or the special string encoding that stands in its place.
enum Len {
    Plain(u64),
    Encoded(u8),
}

fn read_len_or_enc<I: Input>(inp: &mut I) -> Result<Len, RdbError> {
    let b = inp.byte()?;
    match b >> 6 {
        0 => Ok(Len::Plain((b & 0x3f) as u64)),
        1 => Ok(Len::Plain((((b & 0x3f) as u64) << 8) | inp.byte()? as u64)),
        2 if b == LEN_32BIT => {
            let mut x = [0u8; 4];
            inp.fill(&mut x)?;
            Ok(Len::Plain(u32::from_be_bytes(x) as u64))
        }
        2 if b == LEN_64BIT => {
            let mut x = [0u8; 8];
            inp.fill(&mut x)?;
            Ok(Len::Plain(u64::from_be_bytes(x)))
        }
        2 => Err(inp.corrupt(format!("Unknown length encoding {b} in rdbLoadLen()"))),
        _ => Ok(Len::Encoded(b & 0x3f)),
    }
}

/// A length (element count, database number ...).
pub(crate) fn read_len<I: Input>(inp: &mut I) -> Result<u64, RdbError> {
    match read_len_or_enc(inp)? {
        Len::Plain(n) => Ok(n),
        Len::Encoded(e) => Err(inp.corrupt(format!("string encoding {e} where a length was expected"))),
    }
}

/// A string in any of its encodings, integers rendered in decimal.
pub(crate) fn read_string<I: Input>(inp: &mut I) -> Result<Vec<u8>, RdbError> {
    match read_len_or_enc(inp)? {
        Len::Plain(n) => inp.take(n),
        Len::Encoded(ENC_INT8) => Ok((inp.byte()? as i8).to_string().into_bytes()),
        Len::Encoded(ENC_INT16) => {
            let mut x = [0u8; 2];
            inp.fill(&mut x)?;
            Ok(i16::from_le_bytes(x).to_string().into_bytes())
        }
        Len::Encoded(ENC_INT32) => {
            let mut x = [0u8; 4];
            inp.fill(&mut x)?;
            Ok(i32::from_le_bytes(x).to_string().into_bytes())
        }
        Len::Encoded(ENC_LZF) => {
            let clen = read_len(inp)?;
            let len = read_len(inp)?;
            let at = inp.offset();
            let packed = inp.take(clen)?;
            let len = usize::try_from(len).map_err(|_| inp.corrupt("LZF string length does not fit in memory"))?;
            lzf::decompress(&packed, len).map_err(|e| RdbError::Corrupt { offset: at, what: format!("Invalid LZF compressed string ({e:?})") })
        }
        Len::Encoded(e) => Err(inp.corrupt(format!("Unknown RDB string encoding type {e}"))),
    }
}

/// A count that must be positive: zero means the key is empty, which Redis skips in
/// files and refuses in RESTORE.
fn read_count<I: Input>(inp: &mut I) -> Result<u64, RdbError> {
    match read_len(inp)? {
        0 => Err(RdbError::EmptyKey { offset: inp.offset() }),
        n => Ok(n),
    }
}

/// A string-encoded score of the old ZSET type (rdbLoadDoubleValue).
fn read_text_double<I: Input>(inp: &mut I) -> Result<f64, RdbError> {
    let n = inp.byte()?;
    match n {
        DOUBLE_NEG_INF => Ok(f64::NEG_INFINITY),
        DOUBLE_POS_INF => Ok(f64::INFINITY),
        DOUBLE_NAN => Ok(f64::NAN),
        _ => {
            let text = inp.take(n as u64)?;
            let s = String::from_utf8_lossy(&text);
            let t = s.trim();
            // sscanf("%lg") also reads "nan"/"inf" spellings; parse_f64 refuses NaN,
            // which the caller refuses anyway.
            t.parse::<f64>().ok().or_else(|| parse_f64(t.as_bytes())).ok_or_else(|| inp.corrupt("unparsable sorted set score"))
        }
    }
}

fn read_binary_double<I: Input>(inp: &mut I) -> Result<f64, RdbError> {
    let mut x = [0u8; 8];
    inp.fill(&mut x)?;
    Ok(f64::from_le_bytes(x))
}

/// Reads a value of the given RDB type (the type byte already consumed).
pub(crate) fn read_value<I: Input>(inp: &mut I, rdb_type: u8, s: &Settings) -> Result<Obj, RdbError> {
    let val = match rdb_type {
        TYPE_STRING => Value::Str(SmallBytes::from_vec(read_string(inp)?)),
        TYPE_LIST => {
            let n = read_count(inp)?;
            let mut l = List::new();
            for _ in 0..n {
                l.push_back(&read_string(inp)?);
            }
            Value::List(Box::new(l))
        }
        TYPE_LIST_ZIPLIST => {
            let blob = read_string(inp)?;
            let elems = ziplist::decode(&blob).map_err(|e| inp.corrupt(e))?;
            let mut l = List::new();
            push_elems(&mut l, &elems);
            if l.is_empty() {
                return Err(RdbError::EmptyKey { offset: inp.offset() });
            }
            Value::List(Box::new(l))
        }
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => Value::List(Box::new(read_quicklist(inp, rdb_type == TYPE_LIST_QUICKLIST_2)?)),
        TYPE_SET => Value::Set(Box::new(read_set(inp, s)?)),
        TYPE_SET_INTSET => {
            let blob = read_string(inp)?;
            let v = intset::decode(&blob).map_err(|e| inp.corrupt(e))?;
            if v.is_empty() {
                return Err(RdbError::EmptyKey { offset: inp.offset() });
            }
            let mut set = Set::Ints(v);
            if set.len() > s.set_max_intset_entries.min(INTSET_HARD_MAX) {
                set = to_table_set(set);
            }
            Value::Set(Box::new(set))
        }
        TYPE_ZSET | TYPE_ZSET_2 => Value::ZSet(Box::new(read_zset(inp, rdb_type == TYPE_ZSET_2, s)?)),
        TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
            let blob = read_string(inp)?;
            let elems = if rdb_type == TYPE_ZSET_LISTPACK { listpack::decode(&blob) } else { ziplist::decode(&blob) }.map_err(|e| inp.corrupt(e))?;
            Value::ZSet(Box::new(zset_from_packed(&elems, s).map_err(|e| match e {
                Packed::Empty => RdbError::EmptyKey { offset: inp.offset() },
                Packed::Bad(what) => inp.corrupt(what),
            })?))
        }
        TYPE_HASH => Value::Hash(Box::new(read_hash(inp, s)?)),
        TYPE_HASH_ZIPMAP | TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            let blob = read_string(inp)?;
            let h = match rdb_type {
                TYPE_HASH_ZIPMAP => {
                    let pairs = zipmap::decode(&blob).map_err(|e| inp.corrupt(e))?;
                    let pairs: Vec<(Vec<u8>, Vec<u8>)> = pairs.into_iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
                    // Zipmaps predate the value limit being checked only on writes:
                    // Redis converts them by the longest field or value as well.
                    let longest = pairs.iter().map(|(f, v)| f.len().max(v.len())).max().unwrap_or(0);
                    hash_from_pairs(pairs, s, longest > s.hash_max_listpack_value)
                }
                _ => {
                    let elems = if rdb_type == TYPE_HASH_LISTPACK { listpack::decode(&blob) } else { ziplist::decode(&blob) }.map_err(|e| inp.corrupt(e))?;
                    if !elems.len().is_multiple_of(2) {
                        return Err(inp.corrupt("hash listpack with an odd number of elements"));
                    }
                    let pairs: Vec<(Vec<u8>, Vec<u8>)> = elems.chunks_exact(2).map(|c| (c[0].to_vec(), c[1].to_vec())).collect();
                    hash_from_pairs(pairs, s, false)
                }
            };
            Value::Hash(Box::new(h.map_err(|e| match e {
                Packed::Empty => RdbError::EmptyKey { offset: inp.offset() },
                Packed::Bad(what) => inp.corrupt(what),
            })?))
        }
        TYPE_MODULE | TYPE_MODULE_2 => return Err(RdbError::Unsupported { offset: inp.offset(), what: format!("a module value (RDB type {rdb_type})") }),
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => return Err(RdbError::Unsupported { offset: inp.offset(), what: format!("a stream (RDB type {rdb_type})") }),
        other => return Err(inp.corrupt(format!("Unknown RDB encoding type {other}"))),
    };
    Ok(Obj::new(val))
}

fn push_elems(l: &mut List, elems: &[Elem<'_>]) {
    for e in elems {
        match e {
            Elem::Str(b) => l.push_back(b),
            Elem::Int(i) => l.push_back(i.to_string().as_bytes()),
        }
    }
}

/// Quicklists: v2 nodes are a container kind (plain element or listpack) and a blob;
/// v1 nodes are ziplists. Empty nodes are skipped; a list left empty is an empty key.
fn read_quicklist<I: Input>(inp: &mut I, v2: bool) -> Result<List, RdbError> {
    let nodes = read_count(inp)?;
    let mut l = List::new();
    for _ in 0..nodes {
        let container = if v2 { read_len(inp)? } else { QUICKLIST_PACKED };
        if container != QUICKLIST_PACKED && container != QUICKLIST_PLAIN {
            return Err(inp.corrupt("Quicklist integrity check failed."));
        }
        let blob = read_string(inp)?;
        if blob.is_empty() {
            return Err(inp.corrupt("empty quicklist node"));
        }
        if container == QUICKLIST_PLAIN {
            l.push_back(&blob);
            continue;
        }
        let elems = if v2 { listpack::decode(&blob) } else { ziplist::decode(&blob) };
        let elems = elems.map_err(|e| inp.corrupt(format!("Quicklist node integrity check failed: {e}")))?;
        push_elems(&mut l, &elems);
    }
    if l.is_empty() {
        return Err(RdbError::EmptyKey { offset: inp.offset() });
    }
    Ok(l)
}

fn to_table_set(set: Set) -> Set {
    match set {
        Set::Ints(v) => {
            let mut d = Dict::with_capacity(v.len());
            for i in v {
                d.insert_new(SmallBytes::from_i64(i), ());
            }
            Set::Table(d)
        }
        t => t,
    }
}

/// Plain sets (type 2) are rebuilt member by member, so an all-integer set within
/// set-max-intset-entries becomes an intset again, as in Redis.
fn read_set<I: Input>(inp: &mut I, s: &Settings) -> Result<Set, RdbError> {
    let n = read_count(inp)?;
    let max_ints = s.set_max_intset_entries.min(INTSET_HARD_MAX) as u64;
    let mut set = if n > max_ints { Set::Table(Dict::with_capacity((n as usize).min(PREALLOC_MAX))) } else { Set::new() };
    for _ in 0..n {
        let m = read_string(inp)?;
        if !set.insert(&m, s) {
            return Err(inp.corrupt("Duplicate set members detected"));
        }
    }
    Ok(set)
}

/// Plain hashes (type 4): a listpack while the entries allow, converting to a table as
/// soon as a field or value is too long (Redis's load loop); more entries than
/// hash-max-listpack-entries start as a table.
fn read_hash<I: Input>(inp: &mut I, s: &Settings) -> Result<Hash, RdbError> {
    let n = read_count(inp)?;
    let mut h = if n > s.hash_max_listpack_entries as u64 { Hash::Table(Dict::with_capacity((n as usize).min(PREALLOC_MAX))) } else { Hash::new() };
    for _ in 0..n {
        let f = read_string(inp)?;
        let v = read_string(inp)?;
        if h.contains(&f) {
            return Err(inp.corrupt("Duplicate hash fields detected"));
        }
        h.insert(&f, &v, s);
    }
    Ok(h)
}

/// Sorted sets stored member by member (types 3 and 5) are collected, checked (no NaN,
/// no duplicates), sorted and encoded by their size, as Redis converts after loading.
fn read_zset<I: Input>(inp: &mut I, binary: bool, s: &Settings) -> Result<ZSet, RdbError> {
    let n = read_count(inp)?;
    let mut entries: Vec<Entry> = Vec::with_capacity((n as usize).min(PREALLOC_MAX));
    let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity((n as usize).min(PREALLOC_MAX));
    let mut total = 0usize;
    for _ in 0..n {
        let m = read_string(inp)?;
        let score = if binary { read_binary_double(inp)? } else { read_text_double(inp)? };
        if score.is_nan() {
            return Err(inp.corrupt("Zset with NAN score detected"));
        }
        if !seen.insert(m.clone()) {
            return Err(inp.corrupt("Duplicate zset fields detected"));
        }
        total += m.len();
        entries.push(Entry { member: SmallBytes::from_vec(m), score });
    }
    sort_entries(&mut entries);
    let small = total < LISTPACK_SAFETY_BYTES;
    let longest = entries.iter().map(|e| e.member.len()).max().unwrap_or(0);
    let big = !small || entries.len() > s.zset_max_listpack_entries || longest > s.zset_max_listpack_value;
    Ok(ZSet::from_sorted_encoded(entries, big))
}

fn sort_entries(entries: &mut [Entry]) {
    entries.sort_by(|a, b| a.score.partial_cmp(&b.score).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.member.as_slice().cmp(b.member.as_slice())));
}

/// Why a packed value could not be used.
enum Packed {
    Empty,
    Bad(&'static str),
}

/// Ziplist/listpack sorted sets: (member, score) pairs. Redis keeps the packed
/// encoding unless there are more entries than zset-max-listpack-entries (long members
/// do not convert here, only on later writes).
fn zset_from_packed(elems: &[Elem<'_>], s: &Settings) -> Result<ZSet, Packed> {
    if elems.is_empty() {
        return Err(Packed::Empty);
    }
    if !elems.len().is_multiple_of(2) {
        return Err(Packed::Bad("sorted set listpack with an odd number of elements"));
    }
    let mut entries = Vec::with_capacity(elems.len() / 2);
    let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(elems.len() / 2);
    for c in elems.chunks_exact(2) {
        let member = c[0].to_vec();
        let score = match c[1] {
            Elem::Int(i) => i as f64,
            Elem::Str(t) => parse_f64(t).ok_or(Packed::Bad("sorted set listpack with an invalid score"))?,
        };
        if !seen.insert(member.clone()) {
            return Err(Packed::Bad("Duplicate zset fields detected"));
        }
        entries.push(Entry { member: SmallBytes::from_vec(member), score });
    }
    sort_entries(&mut entries);
    let big = entries.len() > s.zset_max_listpack_entries;
    Ok(ZSet::from_sorted_encoded(entries, big))
}

/// Packed hashes (zipmap, ziplist, listpack) keep their order; they become a table when
/// there are more pairs than hash-max-listpack-entries, or when `too_long` (zipmaps).
fn hash_from_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>, s: &Settings, too_long: bool) -> Result<Hash, Packed> {
    if pairs.is_empty() {
        return Err(Packed::Empty);
    }
    let mut seen: HashSet<&[u8]> = HashSet::with_capacity(pairs.len());
    for (f, _) in &pairs {
        if !seen.insert(f.as_slice()) {
            return Err(Packed::Bad("Duplicate hash fields detected"));
        }
    }
    drop(seen);
    if pairs.len() > s.hash_max_listpack_entries || too_long {
        let mut d = Dict::with_capacity(pairs.len());
        for (f, v) in pairs {
            d.insert_new(SmallBytes::from_vec(f), SmallBytes::from_vec(v));
        }
        return Ok(Hash::Table(d));
    }
    Ok(Hash::Listpack(pairs.into_iter().map(|(f, v)| (SmallBytes::from_vec(f), SmallBytes::from_vec(v))).collect()))
}
