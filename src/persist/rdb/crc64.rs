//! CRC-64/Jones as Redis computes it for RDB files and DUMP payloads: polynomial
//! 0xad93d23594c935a9, bit-reflected input and output, initial value 0, no final xor.
//!
//! RDB files run to gigabytes and the checksum covers every byte, so the update works
//! eight bytes at a time ("slicing by 8": eight derived tables, one lookup per input
//! byte, no per-bit work).

/// The Jones polynomial, bit-reversed (the reflected algorithm shifts right).
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// `TABLES[0]` is the classic byte table; `TABLES[k][b]` is the CRC of byte `b` followed
/// by `k` zero bytes, which lets eight input bytes be folded in with independent lookups.
static TABLES: [[u64; 256]; 8] = build_tables();

const fn build_tables() -> [[u64; 256]; 8] {
    let mut t = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u64;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY_REFLECTED } else { c >> 1 };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = t[0][(prev & 0xff) as usize] ^ (prev >> 8);
            i += 1;
        }
        k += 1;
    }
    t
}

/// Continues a CRC over `data` (start with 0), as Redis's `crc64(crc, p, len)`.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let x = crc ^ u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        crc = TABLES[7][(x & 0xff) as usize]
            ^ TABLES[6][((x >> 8) & 0xff) as usize]
            ^ TABLES[5][((x >> 16) & 0xff) as usize]
            ^ TABLES[4][((x >> 24) & 0xff) as usize]
            ^ TABLES[3][((x >> 32) & 0xff) as usize]
            ^ TABLES[2][((x >> 40) & 0xff) as usize]
            ^ TABLES[1][((x >> 48) & 0xff) as usize]
            ^ TABLES[0][(x >> 56) as usize];
    }
    for &b in chunks.remainder() {
        crc = TABLES[0][((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference, straight from the definition.
    fn slow(mut crc: u64, data: &[u8]) -> u64 {
        for &b in data {
            crc ^= b as u64;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
            }
        }
        crc
    }

    #[test]
    fn check_value_matches_redis() {
        // The vector Redis's own crc64 self-test uses.
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
        assert_eq!(crc64(0, b""), 0);
    }

    #[test]
    fn sliced_update_equals_the_bitwise_definition_at_every_split() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        assert_eq!(crc64(0, &data), slow(0, &data));
        for split in [0, 1, 7, 8, 9, 500, 999] {
            let (a, b) = data.split_at(split);
            assert_eq!(crc64(crc64(0, a), b), slow(0, &data), "split at {split}");
        }
    }

    #[test]
    fn dump_payload_trailer_from_redis_verifies() {
        // `DUMP` of SET s1 hello on redis-server 7.0.15: value, version 10, CRC64 LE.
        let p = hex("000568656c6c6f0a006372df766534200a");
        let (body, crc) = p.split_at(p.len() - 8);
        assert_eq!(crc64(0, body).to_le_bytes(), crc);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
