//! What a key holds: `Obj` (the value plus Redis's per-object LRU/LFU clock and flags)
//! and `Value`, one variant per data type.
use super::smallbytes::SmallBytes;
use super::types::{hash::Hash, list::List, set::Set, zset::ZSet};

pub enum Value {
    Str(SmallBytes),
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<Set>),
    ZSet(Box<ZSet>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 24);

/// Flag: the string was modified in place (APPEND, SETRANGE, SETBIT ...), so Redis would
/// report its encoding as `raw` whatever it looks like.
pub const FLAG_RAW: u32 = 1;
/// Flag: the key has an entry in its table's expires dict (saves a lookup otherwise).
pub const FLAG_VOLATILE: u32 = 2;
/// Flag: a string Redis stores as a plain string even if it looks like an integer
/// (INCRBYFLOAT results are created with createStringObject, never int-encoded).
pub const FLAG_EMBSTR: u32 = 4;

pub struct Obj {
    pub val: Value,
    /// Redis's `robj.lru`: with an LRU policy (or none) the LRU clock in seconds modulo
    /// 2^24 at last access; with an LFU policy, 16 bits of minutes since the epoch
    /// (last decrement time) above an 8-bit logarithmic access counter.
    pub lru: u32,
    pub flags: u32,
}

impl Obj {
    pub fn new(val: Value) -> Obj {
        Obj { val, lru: 0, flags: 0 }
    }

    /// The name TYPE prints.
    pub fn type_name(&self) -> &'static str {
        self.val.type_name()
    }

    /// The name OBJECT ENCODING prints, following Redis 7.0's conversion rules.
    pub fn encoding_name(&self) -> &'static str {
        match &self.val {
            Value::Str(s) => {
                if self.flags & FLAG_RAW != 0 {
                    "raw"
                } else if self.flags & FLAG_EMBSTR != 0 {
                    if s.len() <= 44 {
                        "embstr"
                    } else {
                        "raw"
                    }
                } else if s.len() <= 20 && crate::util::num::parse_i64(s).is_some() {
                    "int"
                } else if s.len() <= 44 {
                    "embstr"
                } else {
                    "raw"
                }
            }
            other => other.encoding_name(),
        }
    }
}

impl Value {
    pub fn str(b: &[u8]) -> Value {
        Value::Str(SmallBytes::new(b))
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "embstr",
            Value::List(l) => l.encoding_name(),
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::ZSet(z) => z.encoding_name(),
        }
    }

    /// Whether this is an aggregate that became empty (Redis deletes such keys).
    pub fn is_empty_aggregate(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::List(l) => l.is_empty(),
            Value::Hash(h) => h.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::ZSet(z) => z.is_empty(),
        }
    }

    /// Approximate heap bytes owned (MEMORY USAGE, eviction accounting).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_bytes(),
            Value::List(l) => l.heap_bytes(),
            Value::Hash(h) => h.heap_bytes(),
            Value::Set(s) => s.heap_bytes(),
            Value::ZSet(z) => z.heap_bytes(),
        }
    }

    pub fn deep_clone(&self) -> Value {
        match self {
            Value::Str(s) => Value::Str(s.clone()),
            Value::List(l) => Value::List(Box::new((**l).clone())),
            Value::Hash(h) => Value::Hash(Box::new((**h).clone())),
            Value::Set(s) => Value::Set(Box::new((**s).clone())),
            Value::ZSet(z) => Value::ZSet(Box::new((**z).clone())),
        }
    }
}
