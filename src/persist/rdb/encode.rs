//! The RDB value encoder: a key's value as Redis 7.0's `rdbSaveObject` writes it, for
//! the same logical value in the same in-memory encoding. DUMP payloads and RDB files
//! are built from these bytes.
//!
//! Where Redis's bytes depend on history slotd does not keep, the encoder writes what
//! Redis writes for a value built by plain additions: list nodes are cut as a run of
//! RPUSHes would cut them, intsets use their narrowest width. Hashtable-encoded hashes
//! and sets follow slotd's own table order (Redis's depends on a random hash seed).
use super::listpack::Builder;
use super::{intset, lzf, SaveOpts};
use super::{
    ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, LEN_32BIT, LEN_64BIT, LEN_ENCVAL, QUICKLIST_PACKED, QUICKLIST_PLAIN, TYPE_HASH, TYPE_HASH_LISTPACK, TYPE_LIST_QUICKLIST_2, TYPE_SET, TYPE_SET_INTSET, TYPE_STRING, TYPE_ZSET_2,
    TYPE_ZSET_LISTPACK,
};
use crate::keyspace::types::{hash::Hash, list::List, set::Set, zset::ZSet};
use crate::keyspace::{Obj, Value};
use crate::util::num::{fmt_g17, parse_i64};

/// Strings shorter than this are never LZF-compressed: Redis skips them (even a run of
/// one byte does not shrink by the 4 bytes it requires below 21 bytes).
const LZF_MIN_LEN: usize = 21;
/// LZF must save at least this many bytes or the string is stored as is.
const LZF_MIN_SAVING: usize = 4;
/// Strings longer than this cannot spell an integer of the int8/16/32 encodings.
const INT_ENCODING_MAX_LEN: usize = 11;
/// Redis's `packed_threshold`: an element this large gets a quicklist node of its own
/// ("plain" container) instead of a listpack.
const PLAIN_NODE_BYTES: usize = 1 << 30;
/// Redis's list-max-listpack-size bounds (quicklistSetFill clamps to them).
const FILL_MIN: i64 = -5;
const FILL_MAX: i64 = (1 << 15) - 1;
/// Byte limits of negative fills -1..=-5.
const FILL_SIZE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Redis's estimate of the bytes an entry adds to a listpack beyond its data (an
/// overestimate: encoding byte(s) plus backlen).
const ENTRY_OVERHEAD_ESTIMATE: usize = 8;
/// A count-limited node (positive fill) still stops growing past this many bytes.
const NODE_SAFETY_LIMIT: usize = 8192;

/// A length as `rdbSaveLen` writes it: 6 bits, 14 bits, or a marker and 32/64 bits big
/// endian.
pub fn write_len(out: &mut Vec<u8>, n: u64) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u32::MAX as u64 {
        out.push(LEN_32BIT);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(LEN_64BIT);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// The int8/16/32 encoding of a string that is the canonical decimal form of such an
/// integer (Redis's rdbTryIntegerEncoding).
fn write_int_encoded(out: &mut Vec<u8>, s: &[u8]) -> bool {
    if s.len() > INT_ENCODING_MAX_LEN {
        return false;
    }
    let Some(v) = parse_i64(s) else { return false };
    if let Ok(b) = i8::try_from(v) {
        out.extend_from_slice(&[LEN_ENCVAL | ENC_INT8, b as u8]);
    } else if let Ok(h) = i16::try_from(v) {
        out.push(LEN_ENCVAL | ENC_INT16);
        out.extend_from_slice(&h.to_le_bytes());
    } else if let Ok(w) = i32::try_from(v) {
        out.push(LEN_ENCVAL | ENC_INT32);
        out.extend_from_slice(&w.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// A string as `rdbSaveRawString` writes it: integer-encoded if it spells a small
/// integer, else LZF-compressed if allowed and worth it, else length + bytes.
pub fn write_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if write_int_encoded(out, s) {
        return;
    }
    if compress && s.len() >= LZF_MIN_LEN {
        if let Some(c) = lzf::compress(s, s.len() - LZF_MIN_SAVING) {
            out.push(LEN_ENCVAL | ENC_LZF);
            write_len(out, c.len() as u64);
            write_len(out, s.len() as u64);
            out.extend_from_slice(&c);
            return;
        }
    }
    write_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// The type byte and payload of a value (Redis's rdbSaveObjectType + rdbSaveObject):
/// a DUMP payload before its trailer.
pub fn encode_object(out: &mut Vec<u8>, obj: &Obj, opts: SaveOpts) {
    out.push(type_byte(obj));
    encode_payload(out, obj, opts);
}

/// The RDB type Redis writes for the value's encoding.
pub fn type_byte(obj: &Obj) -> u8 {
    match &obj.val {
        Value::Str(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Hash(h) => match **h {
            Hash::Listpack(_) => TYPE_HASH_LISTPACK,
            Hash::Table(_) => TYPE_HASH,
        },
        Value::Set(s) => match **s {
            Set::Ints(_) => TYPE_SET_INTSET,
            Set::Table(_) => TYPE_SET,
        },
        Value::ZSet(z) => match **z {
            ZSet::Small(_) => TYPE_ZSET_LISTPACK,
            ZSet::Big(_) => TYPE_ZSET_2,
        },
    }
}

/// The value after its type byte (in an RDB file the key sits between the two).
pub fn encode_payload(out: &mut Vec<u8>, obj: &Obj, opts: SaveOpts) {
    match &obj.val {
        Value::Str(s) => write_string(out, s, opts.compress),
        Value::List(l) => encode_list(out, l, opts),
        Value::Hash(h) => encode_hash(out, h, opts.compress),
        Value::Set(s) => encode_set(out, s, opts.compress),
        Value::ZSet(z) => encode_zset(out, z, opts.compress),
    }
}

/// Whether Redis's quicklist would append an element of `sz` bytes to a node of
/// `node_bytes` listpack bytes holding `count` elements (_quicklistNodeAllowInsert):
/// the node's size plus the element plus a fixed overestimate of the entry overhead
/// must stay within the fill's byte limit (negative fills) or within the safety limit
/// and the element count (positive fills).
fn node_allows(node_bytes: usize, count: usize, fill: i64, sz: usize) -> bool {
    let new_sz = node_bytes + sz + ENTRY_OVERHEAD_ESTIMATE;
    if fill < 0 {
        return new_sz <= FILL_SIZE_LIMITS[(-fill - 1) as usize];
    }
    new_sz <= NODE_SAFETY_LIMIT && (count as i64) < fill
}

/// One quicklist node as it would be written.
enum Node {
    Packed(Builder),
    Plain(Vec<u8>),
}

/// Lists are quicklists of listpack nodes (type 18), cut the way a run of RPUSHes into
/// a new list cuts them under `list-max-listpack-size`.
fn encode_list(out: &mut Vec<u8>, l: &List, opts: SaveOpts) {
    let fill = opts.list_fill.clamp(FILL_MIN, FILL_MAX);
    let mut nodes: Vec<Node> = Vec::new();
    for e in l.iter() {
        if e.len() >= PLAIN_NODE_BYTES {
            nodes.push(Node::Plain(e.to_vec()));
            continue;
        }
        match nodes.last_mut() {
            Some(Node::Packed(b)) if node_allows(b.bytes(), b.count(), fill, e.len()) => b.push(e),
            _ => {
                let mut b = Builder::new();
                b.push(e);
                nodes.push(Node::Packed(b));
            }
        }
    }
    write_len(out, nodes.len() as u64);
    for n in nodes {
        match n {
            Node::Packed(b) => {
                write_len(out, QUICKLIST_PACKED);
                write_string(out, &b.finish(), opts.compress);
            }
            Node::Plain(e) => {
                write_len(out, QUICKLIST_PLAIN);
                write_string(out, &e, opts.compress);
            }
        }
    }
}

fn encode_hash(out: &mut Vec<u8>, h: &Hash, compress: bool) {
    match h {
        Hash::Listpack(pairs) => {
            let mut b = Builder::new();
            for (f, v) in pairs {
                b.push(f);
                b.push(v);
            }
            write_string(out, &b.finish(), compress);
        }
        Hash::Table(d) => {
            write_len(out, d.len() as u64);
            for (f, v) in d.iter() {
                write_string(out, f, compress);
                write_string(out, v, compress);
            }
        }
    }
}

fn encode_set(out: &mut Vec<u8>, s: &Set, compress: bool) {
    match s {
        Set::Ints(v) => {
            write_string(out, &intset::encode(v), compress);
        }
        Set::Table(d) => {
            write_len(out, d.len() as u64);
            for (m, _) in d.iter() {
                write_string(out, m, compress);
            }
        }
    }
}

/// Integral scores within this magnitude are stored as listpack integers (Redis's
/// double2ll range: LLONG_MAX / 2 as a double, i.e. 2^62).
const SCORE_INT_MAX: f64 = (i64::MAX / 2) as f64;

/// Appends a score as Redis 7.0 stores it in a listpack: an integral score within
/// ±2^62 as an integer (so -0 becomes 0), anything else as `%.17g` text.
fn push_score(b: &mut Builder, score: f64) {
    if (-SCORE_INT_MAX..=SCORE_INT_MAX).contains(&score) && score.fract() == 0.0 {
        b.push_int(score as i64);
    } else {
        b.push(fmt_g17(score).as_bytes());
    }
}

/// Small sorted sets are listpacks of member, score pairs in order (type 17); big ones
/// ZSET_2 (type 5) with binary scores, written from the highest to the lowest as
/// Redis walks its skiplist backwards (so that loading inserts at the head).
fn encode_zset(out: &mut Vec<u8>, z: &ZSet, compress: bool) {
    match z {
        ZSet::Small(entries) => {
            let mut b = Builder::new();
            for e in entries {
                b.push(&e.member);
                push_score(&mut b, e.score);
            }
            write_string(out, &b.finish(), compress);
        }
        ZSet::Big(_) => {
            write_len(out, z.len() as u64);
            for (m, score) in z.entries().rev() {
                write_string(out, m, compress);
                out.extend_from_slice(&score.to_le_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn opts(compress: bool) -> SaveOpts {
        SaveOpts { compress, checksum: true, list_fill: -2 }
    }

    fn settings() -> Settings {
        Settings::from_store(&crate::config::Store::new())
    }

    /// The DUMP payload of `obj` (value + version + CRC64), as DUMP builds it.
    fn dump(obj: &Obj, compress: bool) -> String {
        super::super::dump_payload(obj, opts(compress)).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn string(s: &[u8]) -> Obj {
        Obj::new(Value::str(s))
    }

    #[test]
    fn lengths_use_redis_widths() {
        for (n, want) in [(0u64, "00"), (63, "3f"), (64, "4040"), (16383, "7fff"), (16384, "8000004000"), (u32::MAX as u64, "80ffffffff"), (1 << 32, "810000000100000000")] {
            let mut out = Vec::new();
            write_len(&mut out, n);
            assert_eq!(out, hex(want), "length {n}");
        }
    }

    #[test]
    fn strings_dump_like_redis() {
        // Payloads captured with DUMP from redis-server 7.0.15 (rdbcompression yes).
        assert_eq!(dump(&string(b"hello"), true), "000568656c6c6f0a006372df766534200a");
        assert_eq!(dump(&string(b"123"), true), "00c07b0a0048e253e1007a67b9");
        assert_eq!(dump(&string(b"-40000"), true), "00c2c063ffff0a00ab5d46751b1daa83");
        assert_eq!(dump(&string(b"12345678901"), true), "000b31323334353637383930310a00304e52d727176510");
        assert_eq!(dump(&string(&[b'a'; 100]), true), "00c3094064016161e057000161610a00e8a3b507b06df271");
    }

    #[test]
    fn aggregates_dump_like_redis() {
        let s = settings();
        let mut l = List::new();
        for e in [&b"a"[..], b"b", b"1", b"-5", b"1000", &[b'x'; 70]] {
            l.push_back(e);
        }
        let list = Obj::new(Value::List(Box::new(l)));
        assert_eq!(dump(&list, true), "120102c31e405e165e00000006008161028162020101dffb02c3e802e04678e03c000148ff0a00e0dcebfcb547720b");
        let mut h = Hash::new();
        h.insert(b"f", b"v", &s);
        h.insert(b"n", b"12", &s);
        assert_eq!(dump(&Obj::new(Value::Hash(Box::new(h))), true), "1012120000000400816602817602816e020c01ff0a0001369481d35b8974");
        let mut st = Set::new();
        for m in ["1", "2", "3", "-7"] {
            st.insert(m.as_bytes(), &s);
        }
        assert_eq!(dump(&Obj::new(Value::Set(Box::new(st))), true), "0b100200000004000000f9ff0100020003000a003bfa4a3923b1fa84");
        let mut z = ZSet::new();
        z.insert(b"a", 1.0, &s);
        z.insert(b"b", 2.5, &s);
        z.insert(b"c", -0.1, &s);
        assert_eq!(dump(&Obj::new(Value::ZSet(Box::new(z))), true), "11c3242d0e2d0000000600816302942d302e3130e005000f3115816102010181620283322e3504ff0a009508e61f133eadfb");
    }
}
