//! In-place editing of a string value's bytes (`SmallBytes`) for the commands that
//! modify strings without replacing them: APPEND, SETRANGE, SETBIT, BITFIELD and the
//! HyperLogLog writers.
//!
//! `SmallBytes` is built as an immutable value, but its variants are plain data: bytes
//! can be changed where they are, and a heap string grows with one `realloc` (through
//! `Vec`, keeping the exact-size allocation `SmallBytes` relies on for its memory
//! figures). Nothing here changes a value's length except `grow_zero`, `append` and
//! `replace_vec`.
use crate::keyspace::SmallBytes;
use crate::keyspace::smallbytes::INLINE_CAP;

/// The bytes of a string value, writable.
pub fn bytes_mut(s: &mut SmallBytes) -> &mut [u8] {
    match s {
        SmallBytes::Inline { len, buf } => &mut buf[..*len as usize],
        SmallBytes::Heap(b) => b,
    }
}

/// Extends the value with zero bytes up to `new_len` (no-op if it is already as long).
pub fn grow_zero(s: &mut SmallBytes, new_len: usize) {
    let len = s.len();
    if new_len <= len {
        return;
    }
    match s {
        SmallBytes::Inline { len: l, buf } if new_len <= INLINE_CAP => {
            buf[len..new_len].fill(0);
            *l = new_len as u8;
        }
        _ => {
            let mut v = take_vec(s, new_len - len);
            v.resize(new_len, 0);
            *s = SmallBytes::Heap(v.into_boxed_slice());
        }
    }
}

/// Appends `data` to the value.
pub fn append(s: &mut SmallBytes, data: &[u8]) {
    let len = s.len();
    let new_len = len + data.len();
    match s {
        SmallBytes::Inline { len: l, buf } if new_len <= INLINE_CAP => {
            buf[len..new_len].copy_from_slice(data);
            *l = new_len as u8;
        }
        _ => {
            let mut v = take_vec(s, data.len());
            v.extend_from_slice(data);
            *s = SmallBytes::Heap(v.into_boxed_slice());
        }
    }
}

/// Moves the bytes out as a `Vec` with room for exactly `extra` more bytes, so that the
/// `into_boxed_slice` that follows a fill to capacity does not reallocate again.
fn take_vec(s: &mut SmallBytes, extra: usize) -> Vec<u8> {
    let mut v = std::mem::replace(s, SmallBytes::EMPTY).into_vec();
    v.reserve_exact(extra);
    v
}

/// Takes the whole value out for an edit that changes its length in several steps
/// (the sparse HyperLogLog); give it back with `replace_vec`.
pub fn take(s: &mut SmallBytes) -> Vec<u8> {
    std::mem::replace(s, SmallBytes::EMPTY).into_vec()
}

/// Stores `v` as the value (the counterpart of `take`).
pub fn replace_vec(s: &mut SmallBytes, v: Vec<u8>) {
    *s = SmallBytes::from_vec(v);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growing_crosses_from_inline_to_heap_with_zero_fill() {
        let mut s = SmallBytes::new(b"ab");
        grow_zero(&mut s, 5);
        assert_eq!(&*s, b"ab\0\0\0");
        assert!(matches!(s, SmallBytes::Inline { .. }));
        grow_zero(&mut s, 30);
        assert_eq!(s.len(), 30);
        assert!(s[2..].iter().all(|&b| b == 0));
        assert!(matches!(s, SmallBytes::Heap(_)));
        grow_zero(&mut s, 3);
        assert_eq!(s.len(), 30, "growing to a shorter length keeps the value");
    }

    #[test]
    fn appending_keeps_the_prefix() {
        let mut s = SmallBytes::new(b"hello");
        append(&mut s, b" world");
        assert_eq!(&*s, b"hello world");
        append(&mut s, &[b'x'; 20]);
        assert_eq!(s.len(), 31);
        assert_eq!(&s[..11], b"hello world");
        append(&mut s, b"");
        assert_eq!(s.len(), 31);
    }

    #[test]
    fn bytes_can_be_changed_in_place() {
        let mut s = SmallBytes::new(b"abc");
        bytes_mut(&mut s)[1] = b'X';
        assert_eq!(&*s, b"aXc");
        let mut h = SmallBytes::new(&[0u8; 40]);
        bytes_mut(&mut h)[39] = 1;
        assert_eq!(h[39], 1);
    }

    #[test]
    fn take_and_replace_round_trip() {
        let mut s = SmallBytes::new(&[7u8; 50]);
        let mut v = take(&mut s);
        v.push(8);
        replace_vec(&mut s, v);
        assert_eq!(s.len(), 51);
        assert_eq!(s[50], 8);
    }
}
