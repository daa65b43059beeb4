//! Ziplist, the packed sequence of RDB files written before Redis 7.0 (hashes, sorted
//! sets and list nodes up to RDB version 9). Read only: Redis 7.0 never writes one.
//!
//! Layout: total bytes (u32 LE), offset of the last entry (u32 LE), element count (u16
//! LE, 65535 = "count it"), entries, 0xFF. An entry is the previous entry's size (1
//! byte, or 0xFE and a u32 LE), an encoding and the data:
//!
//! | encoding                  | meaning                             |
//! |---------------------------|-------------------------------------|
//! | `00pppppp`                | string, 6-bit length                |
//! | `01pppppp qqqqqqqq`       | string, 14-bit big-endian length    |
//! | `10000000` + 4 bytes      | string, 32-bit big-endian length    |
//! | `0xC0` / `0xD0` / `0xE0`  | i16 / i32 / i64, little endian      |
//! | `0xF0` / `0xFE`           | i24 / i8                            |
//! | `0xF1..=0xFD`             | immediate 0..=12 (low nibble - 1)   |
use super::listpack::Elem;

const HEADER_BYTES: usize = 10;
const END: u8 = 0xff;
/// A previous-entry size of this byte means a 4-byte size follows.
const BIG_PREVLEN: u8 = 0xfe;

/// Decodes and validates a ziplist: sizes, the tail offset, each entry's record of the
/// previous entry's size, the terminator and the count.
pub fn decode(zl: &[u8]) -> Result<Vec<Elem<'_>>, &'static str> {
    if zl.len() < HEADER_BYTES + 1 {
        return Err("ziplist shorter than its header");
    }
    let total = u32::from_le_bytes([zl[0], zl[1], zl[2], zl[3]]) as usize;
    let tail = u32::from_le_bytes([zl[4], zl[5], zl[6], zl[7]]) as usize;
    let declared = u16::from_le_bytes([zl[8], zl[9]]);
    if total != zl.len() {
        return Err("ziplist header length differs from its size");
    }
    if zl[zl.len() - 1] != END {
        return Err("ziplist does not end with its terminator");
    }
    let end = zl.len() - 1;
    let mut out = Vec::with_capacity((declared as usize).min(end / 2));
    let mut p = HEADER_BYTES;
    let mut prev_size = 0usize;
    let mut last_start = HEADER_BYTES;
    while p < end {
        let b = &zl[p..end];
        let (prevlen, h) = if b[0] < BIG_PREVLEN {
            (b[0] as usize, 1)
        } else if b[0] == BIG_PREVLEN && b.len() >= 5 {
            (u32::from_le_bytes([b[1], b[2], b[3], b[4]]) as usize, 5)
        } else {
            return Err("ziplist entry has a bad previous-entry size");
        };
        if prevlen != prev_size {
            return Err("ziplist entry disagrees with the previous entry's size");
        }
        let (elem, size) = body(&b[h..])?;
        last_start = p;
        prev_size = h + size;
        p += h + size;
        out.push(elem);
    }
    if tail != last_start {
        return Err("ziplist tail offset does not point at the last entry");
    }
    if declared != u16::MAX && declared as usize != out.len() {
        return Err("ziplist header count differs from its entries");
    }
    Ok(out)
}

/// Decodes an entry's encoding and data: the element and the bytes they take.
fn body(b: &[u8]) -> Result<(Elem<'_>, usize), &'static str> {
    let short = "ziplist entry runs past the end";
    let first = *b.first().ok_or(short)?;
    let need = |n: usize| if b.len() >= n { Ok(()) } else { Err(short) };
    let int = |n: usize| -> i64 {
        let mut v: u64 = 0;
        for i in 0..n {
            v |= (b[1 + i] as u64) << (8 * i);
        }
        let shift = 64 - 8 * n as u32;
        ((v << shift) as i64) >> shift
    };
    match first >> 6 {
        0 => {
            let n = (first & 0x3f) as usize;
            need(1 + n)?;
            return Ok((Elem::Str(&b[1..1 + n]), 1 + n));
        }
        1 => {
            need(2)?;
            let n = (((first & 0x3f) as usize) << 8) | b[1] as usize;
            need(2 + n)?;
            return Ok((Elem::Str(&b[2..2 + n]), 2 + n));
        }
        2 => {
            need(5)?;
            let n = u32::from_be_bytes([b[1], b[2], b[3], b[4]]) as usize;
            need(5usize.saturating_add(n))?;
            return Ok((Elem::Str(&b[5..5 + n]), 5 + n));
        }
        _ => {}
    }
    match first {
        0xc0 => need(3).map(|_| (Elem::Int(int(2)), 3)),
        0xd0 => need(5).map(|_| (Elem::Int(int(4)), 5)),
        0xe0 => need(9).map(|_| (Elem::Int(int(8)), 9)),
        0xf0 => need(4).map(|_| (Elem::Int(int(3)), 4)),
        0xfe => need(2).map(|_| (Elem::Int(int(1)), 2)),
        0xf1..=0xfd => Ok((Elem::Int((first & 0x0f) as i64 - 1), 1)),
        _ => Err("ziplist entry has an unknown encoding"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RPUSH l a 2 -300 70000 5000000000 <'x' x 70> as a ziplist: each entry is the
    /// previous entry's size, the encoding and the data.
    fn sample() -> Vec<u8> {
        let mut z = hex("00000000000000000600");
        z.extend(hex("000161")); // "a"
        z.extend(hex("03f3")); // immediate 2
        z.extend(hex("02c0d4fe")); // i16 -300
        z.extend(hex("04f0701101")); // i24 70000
        z.extend(hex("05e000f2052a01000000")); // i64 5000000000
        let tail = z.len();
        z.extend(hex("0a4046")); // 14-bit string length 70
        z.extend_from_slice(&[b'x'; 70]);
        z.push(0xff);
        let total = z.len() as u32;
        z[0..4].copy_from_slice(&total.to_le_bytes());
        z[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
        z
    }

    #[test]
    fn decodes_every_encoding() {
        let z = sample();
        let v = decode(&z).unwrap();
        assert_eq!(v[..5], [Elem::Str(b"a"), Elem::Int(2), Elem::Int(-300), Elem::Int(70000), Elem::Int(5_000_000_000)]);
        assert_eq!(v[5], Elem::Str(&[b'x'; 70]));
    }

    #[test]
    fn corrupt_ziplists_are_refused() {
        let z = sample();
        for cut in 0..z.len() {
            assert!(decode(&z[..cut]).is_err());
        }
        for i in 0..z.len() {
            for x in [0x00, 0x3f, 0x40, 0x80, 0xc0, 0xf5, 0xfe, 0xff] {
                let mut bad = z.clone();
                bad[i] = x;
                let _ = decode(&bad);
            }
        }
    }
}
