//! Key → hash slot: CRC16-XMODEM of the key, or of its first non-empty `{hash tag}`,
//! modulo 16384 (Redis Cluster specification, "Keys distribution model").
//!
//! Pure functions only; used by the keyspace (which is addressed by slot even in
//! standalone mode) and by cluster routing.

/// Number of hash slots. Fixed by the cluster specification: every tool assumes it.
pub const SLOT_COUNT: usize = 16384;

/// The part of `key` that is hashed: the bytes between the first `{` and the next `}`
/// when that span is non-empty, else the whole key.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{') {
        if let Some(len) = key[open + 1..].iter().position(|&b| b == b'}') {
            if len > 0 {
                return &key[open + 1..open + 1 + len];
            }
        }
    }
    key
}

/// CRC16 as Redis uses it (XMODEM: poly 0x1021, init 0, no reflection).
pub fn crc16(data: &[u8]) -> u16 {
    crc16::State::<crc16::XMODEM>::calculate(data)
}

/// The hash slot of `key`.
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) & (SLOT_COUNT as u16 - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_matches_the_specification_vector() {
        // The cluster specification gives 0x31C3 for "123456789".
        assert_eq!(crc16(b"123456789"), 0x31c3);
    }

    #[test]
    fn slots_match_redis() {
        // Values from CLUSTER KEYSLOT on redis-server 7.0.
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b""), 0);
    }

    #[test]
    fn hash_tags_follow_the_first_non_empty_braces() {
        assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"{}"), b"{}");
        assert_eq!(hash_tag(b"{a"), b"{a");
        assert_eq!(key_slot(b"{user1}.a"), key_slot(b"user1"));
    }
}
