//! `SmallBytes`: an immutable byte string of 24 bytes that keeps up to 22 bytes inline
//! and longer ones in one exact-size heap allocation.
//!
//! Keys and short values dominate memory use (bytes per key is a tracked benchmark
//! figure), and most are short: inline storage saves an allocation and its malloc header
//! per key. The enum's tag leaves a niche, so `Option<SmallBytes>` and enums that wrap
//! it stay 24 bytes.
use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Longest string stored inline: 24 bytes minus the tag and the length byte.
pub const INLINE_CAP: usize = 22;

#[derive(Clone)]
pub enum SmallBytes {
    Inline { len: u8, buf: [u8; INLINE_CAP] },
    Heap(Box<[u8]>),
}

const _: () = assert!(std::mem::size_of::<SmallBytes>() == 24);
const _: () = assert!(std::mem::size_of::<Option<SmallBytes>>() == 24);

impl SmallBytes {
    pub const EMPTY: SmallBytes = SmallBytes::Inline { len: 0, buf: [0; INLINE_CAP] };

    pub fn new(b: &[u8]) -> SmallBytes {
        if b.len() <= INLINE_CAP {
            let mut buf = [0u8; INLINE_CAP];
            buf[..b.len()].copy_from_slice(b);
            SmallBytes::Inline { len: b.len() as u8, buf }
        } else {
            SmallBytes::Heap(b.into())
        }
    }

    pub fn from_vec(v: Vec<u8>) -> SmallBytes {
        if v.len() <= INLINE_CAP {
            SmallBytes::new(&v)
        } else {
            SmallBytes::Heap(v.into_boxed_slice())
        }
    }

    pub fn from_i64(v: i64) -> SmallBytes {
        let mut buf = [0u8; 20];
        SmallBytes::new(crate::util::num::fmt_i64(v, &mut buf))
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            SmallBytes::Inline { len, buf } => &buf[..*len as usize],
            SmallBytes::Heap(b) => b,
        }
    }

    pub fn into_vec(self) -> Vec<u8> {
        match self {
            SmallBytes::Inline { len, buf } => buf[..len as usize].to_vec(),
            SmallBytes::Heap(b) => b.into_vec(),
        }
    }

    /// Heap bytes this value owns beyond its 24 inline bytes (for MEMORY USAGE).
    pub fn heap_bytes(&self) -> usize {
        match self {
            SmallBytes::Inline { .. } => 0,
            SmallBytes::Heap(b) => b.len(),
        }
    }
}

impl Deref for SmallBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for SmallBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for SmallBytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for SmallBytes {
    fn eq(&self, o: &Self) -> bool {
        self.as_slice() == o.as_slice()
    }
}
impl Eq for SmallBytes {}

impl PartialOrd for SmallBytes {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for SmallBytes {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(o.as_slice())
    }
}

impl Hash for SmallBytes {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_slice().hash(h)
    }
}

impl fmt::Debug for SmallBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

impl From<&[u8]> for SmallBytes {
    fn from(b: &[u8]) -> Self {
        SmallBytes::new(b)
    }
}
impl From<Vec<u8>> for SmallBytes {
    fn from(v: Vec<u8>) -> Self {
        SmallBytes::from_vec(v)
    }
}
impl From<&str> for SmallBytes {
    fn from(s: &str) -> Self {
        SmallBytes::new(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_stay_inline() {
        let s = SmallBytes::new(b"hello");
        assert!(matches!(s, SmallBytes::Inline { .. }));
        assert_eq!(&*s, b"hello");
        let l = SmallBytes::new(&[7u8; 23]);
        assert!(matches!(l, SmallBytes::Heap(_)));
        assert_eq!(l.len(), 23);
        assert_eq!(SmallBytes::from_i64(-42).as_slice(), b"-42");
    }
}
