//! Intset, RDB's encoding of small all-integer sets: encoding width (u32 LE: 2, 4 or
//! 8 bytes per value), count (u32 LE), then the values ascending, little endian, all
//! of the one width.
//!
//! Redis widens an intset when a bigger value arrives and never narrows it again, so
//! a set that once held a large integer keeps the wide encoding. slotd does not keep
//! that history: it writes the narrowest width that holds every value, which is what
//! Redis writes for a set built by additions alone.

const HEADER_BYTES: usize = 8;

/// The intset blob of ascending, distinct values.
pub fn encode(values: &[i64]) -> Vec<u8> {
    let width: usize = if values.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if values.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(HEADER_BYTES + width * values.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for &v in values {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// Decodes an intset, checking the width, the size and that values strictly ascend
/// (the set's lookups rely on it).
pub fn decode(b: &[u8]) -> Result<Vec<i64>, &'static str> {
    if b.len() < HEADER_BYTES {
        return Err("intset shorter than its header");
    }
    let width = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let count = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err("intset has an invalid encoding");
    }
    if count.checked_mul(width).and_then(|n| n.checked_add(HEADER_BYTES)) != Some(b.len()) {
        return Err("intset size differs from its count");
    }
    let mut out = Vec::with_capacity(count);
    for c in b[HEADER_BYTES..].chunks_exact(width) {
        let mut raw = [0u8; 8];
        raw[..width].copy_from_slice(c);
        let shift = 64 - 8 * width as u32;
        let v = ((u64::from_le_bytes(raw) << shift) as i64) >> shift;
        if out.last().is_some_and(|&last| last >= v) {
            return Err("intset values are not strictly ascending");
        }
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn matches_redis_bytes() {
        // SADD st 1 2 3 -7 on redis-server 7.0.15, from its DUMP payload.
        let golden = hex("0200000004000000f9ff010002000300");
        assert_eq!(encode(&[-7, 1, 2, 3]), golden);
        assert_eq!(decode(&golden).unwrap(), vec![-7, 1, 2, 3]);
    }

    #[test]
    fn picks_the_narrowest_width() {
        assert_eq!(encode(&[40000])[0], 4);
        assert_eq!(encode(&[-5_000_000_000, 1])[0], 8);
        for v in [vec![i64::MIN, 0, i64::MAX], vec![-70000, 70000], vec![]] {
            assert_eq!(decode(&encode(&v)).unwrap(), v);
        }
    }

    #[test]
    fn corrupt_intsets_are_refused() {
        assert!(decode(&hex("0300000001000000010203")).is_err());
        assert!(decode(&hex("02000000020000000100")).is_err());
        assert!(decode(&hex("0200000002000000020001")).is_err());
        assert!(decode(&hex("020000000200000002000100")).is_err(), "descending");
        assert!(decode(&hex("02000000ffffffff")).is_err());
    }
}
