//! A fast keyed hash for byte strings (hash tables of the keyspace and of values).
//!
//! Redis seeds SipHash-1-2 with a random key so that clients cannot force collisions.
//! SipHash costs about as much as the rest of a GET on short keys, so slotd uses a
//! folded-multiply hash (the construction of aHash's and foldhash's portable paths):
//! each 8-byte word is mixed with the random seed through a 64×64→128-bit multiply whose
//! halves are xored. The seed is chosen at start-up; without it an attacker cannot
//! predict bucket indexes.
use std::sync::OnceLock;

const MULTIPLE: u64 = 0x5851_f42d_4c95_7f2d; // PCG's multiplier: odd, well mixed

#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = (a as u128).wrapping_mul(b as u128);
    (full as u64) ^ ((full >> 64) as u64)
}

struct Seeds {
    k0: u64,
    k1: u64,
}

fn seeds() -> &'static Seeds {
    static S: OnceLock<Seeds> = OnceLock::new();
    S.get_or_init(|| Seeds { k0: rand::random::<u64>() | 1, k1: rand::random() })
}

#[inline(always)]
fn read_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Hashes `data` with the process's random seed.
#[inline]
pub fn hash_bytes(data: &[u8]) -> u64 {
    let s = seeds();
    let mut h = s.k0 ^ (data.len() as u64).wrapping_mul(MULTIPLE);
    let mut rest = data;
    while rest.len() >= 16 {
        let a = read_u64(&rest[..8]);
        let b = read_u64(&rest[8..16]);
        h = folded_multiply(a ^ h, b ^ s.k1);
        rest = &rest[16..];
    }
    if rest.len() >= 8 {
        h = folded_multiply(read_u64(&rest[..8]) ^ h, s.k1 ^ MULTIPLE);
        rest = &rest[8..];
    }
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        h = folded_multiply(u64::from_le_bytes(tail) ^ h, s.k1.rotate_left(17) ^ rest.len() as u64);
    }
    folded_multiply(h, MULTIPLE ^ s.k0.rotate_left(29))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn distinct_inputs_spread_over_buckets() {
        // 100k short keys into 2^17 buckets: an ideal hash fills 1 - e^-0.763 of them, about 69,960.
        let mut used = HashSet::new();
        for i in 0..100_000u32 {
            used.insert(hash_bytes(format!("key:{i}").as_bytes()) & ((1 << 17) - 1));
        }
        assert!(used.len() > 68_500, "only {} buckets used", used.len());
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
        assert_ne!(hash_bytes(b"ab"), hash_bytes(b"ba"));
    }
}
