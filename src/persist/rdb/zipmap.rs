//! Zipmap, the small-hash encoding of RDB files from Redis 2.x (type 9). Read only.
//!
//! Layout: a count byte (254 or more: "count it"), then per pair: field length, field,
//! value length, a "free" byte, value, `free` unused bytes; then 0xFF. A length is one
//! byte below 254, or 254 followed by a u32 (little endian, as every Redis host was).

const END: u8 = 0xff;
const BIG_LEN: u8 = 254;

/// (field, value) pairs borrowed from the zipmap.
pub type Pairs<'a> = Vec<(&'a [u8], &'a [u8])>;

/// Decodes and validates a zipmap into (field, value) pairs.
pub fn decode(z: &[u8]) -> Result<Pairs<'_>, &'static str> {
    let short = "zipmap runs past its end";
    let mut p = 1usize;
    if z.is_empty() {
        return Err(short);
    }
    let declared = z[0];
    let mut out = Vec::new();
    let len_at = |p: &mut usize| -> Result<Option<usize>, &'static str> {
        let b = *z.get(*p).ok_or(short)?;
        if b == END {
            return Ok(None);
        }
        if b < BIG_LEN {
            *p += 1;
            return Ok(Some(b as usize));
        }
        let raw = z.get(*p + 1..*p + 5).ok_or(short)?;
        *p += 5;
        Ok(Some(u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize))
    };
    while let Some(flen) = len_at(&mut p)? {
        let field = z.get(p..p.saturating_add(flen)).ok_or(short)?;
        p += flen;
        let vlen = len_at(&mut p)?.ok_or("zipmap field without a value")?;
        let free = *z.get(p).ok_or(short)? as usize;
        p += 1;
        let value = z.get(p..p.saturating_add(vlen)).ok_or(short)?;
        p += vlen + free;
        out.push((field, value));
    }
    if p + 1 != z.len() {
        return Err("zipmap has bytes after its terminator");
    }
    if declared < BIG_LEN && declared as usize != out.len() {
        return Err("zipmap count differs from its entries");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_and_skips_free_space() {
        // {"foo": "bar", "hello": "world"} with two free bytes after "bar".
        let mut z = vec![2, 3];
        z.extend_from_slice(b"foo");
        z.extend_from_slice(&[3, 2]);
        z.extend_from_slice(b"bar\0\0");
        z.push(5);
        z.extend_from_slice(b"hello");
        z.extend_from_slice(&[5, 0]);
        z.extend_from_slice(b"world");
        z.push(0xff);
        assert_eq!(decode(&z).unwrap(), vec![(&b"foo"[..], &b"bar"[..]), (&b"hello"[..], &b"world"[..])]);
        for cut in 0..z.len() {
            assert!(decode(&z[..cut]).is_err());
        }
        let mut big = vec![1, 254];
        big.extend_from_slice(&300u32.to_le_bytes());
        big.extend_from_slice(&[b'f'; 300]);
        big.extend_from_slice(&[1, 0, b'v', 0xff]);
        assert_eq!(decode(&big).unwrap()[0].0.len(), 300);
    }
}
