//! Keyspace notifications (`notify-keyspace-events`): event classes, their flag letters,
//! and publishing `__keyspace@<db>__:<key>` / `__keyevent@<db>__:<event>` messages.
use super::Server;
use crate::config::Settings;

pub const KEYSPACE: u32 = 1 << 0; // K
pub const KEYEVENT: u32 = 1 << 1; // E
pub const GENERIC: u32 = 1 << 2; // g
pub const STRING: u32 = 1 << 3; // $
pub const LIST: u32 = 1 << 4; // l
pub const SET: u32 = 1 << 5; // s
pub const HASH: u32 = 1 << 6; // h
pub const ZSET: u32 = 1 << 7; // z
pub const EXPIRED: u32 = 1 << 8; // x
pub const EVICTED: u32 = 1 << 9; // e
pub const STREAM: u32 = 1 << 10; // t
pub const KEY_MISS: u32 = 1 << 11; // m
pub const MODULE: u32 = 1 << 13; // d
pub const NEW: u32 = 1 << 14; // n
/// `A`: every class except key misses and new-key events (Redis 7.0's NOTIFY_ALL).
pub const ALL: u32 = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Parses a flag string; None if a character is not a known class.
pub fn parse_flags(s: &str) -> Option<u32> {
    let mut f = 0;
    for c in s.chars() {
        f |= match c {
            'A' => ALL,
            'g' => GENERIC,
            '$' => STRING,
            'l' => LIST,
            's' => SET,
            'h' => HASH,
            'z' => ZSET,
            'x' => EXPIRED,
            'e' => EVICTED,
            'K' => KEYSPACE,
            'E' => KEYEVENT,
            't' => STREAM,
            'm' => KEY_MISS,
            'd' => MODULE,
            'n' => NEW,
            _ => return None,
        };
    }
    Some(f)
}

/// The stored form of a flag set: what CONFIG GET prints, plus `n` after `A` when new-key
/// events are on (Redis's printed form drops it; parsing this gives the flags back).
pub fn flags_to_stored(f: u32) -> String {
    let mut s = flags_to_string(f);
    if f & ALL == ALL && f & NEW != 0 {
        s.push('n');
    }
    s
}

/// The canonical string CONFIG GET prints for a flag set.
pub fn flags_to_string(f: u32) -> String {
    let mut s = String::new();
    if f & ALL == ALL {
        s.push('A');
    } else {
        for (bit, c) in [(GENERIC, 'g'), (STRING, '$'), (LIST, 'l'), (SET, 's'), (HASH, 'h'), (ZSET, 'z'), (EXPIRED, 'x'), (EVICTED, 'e'), (STREAM, 't'), (MODULE, 'd'), (NEW, 'n')] {
            if f & bit != 0 {
                s.push(c);
            }
        }
    }
    if f & KEYSPACE != 0 {
        s.push('K');
    }
    if f & KEYEVENT != 0 {
        s.push('E');
    }
    if f & KEY_MISS != 0 {
        s.push('m');
    }
    s
}

/// Publishes one event if its class and K/E are enabled.
pub fn keyspace_event(srv: &Server, settings: &Settings, class: u32, event: &str, key: &[u8], db: usize) {
    let flags = settings.notify_flags;
    if flags & class == 0 {
        return;
    }
    if flags & KEYSPACE != 0 {
        let mut chan = format!("__keyspace@{db}__:").into_bytes();
        chan.extend_from_slice(key);
        srv.pubsub.publish(&chan, event.as_bytes());
    }
    if flags & KEYEVENT != 0 {
        let chan = format!("__keyevent@{db}__:{event}").into_bytes();
        srv.pubsub.publish(&chan, key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip_as_redis_prints_them() {
        assert_eq!(flags_to_string(parse_flags("KEA").unwrap()), "AKE");
        assert_eq!(flags_to_string(parse_flags("Elg").unwrap()), "glE");
        assert_eq!(flags_to_string(parse_flags("").unwrap()), "");
        assert!(parse_flags("@").is_none());
    }
}
