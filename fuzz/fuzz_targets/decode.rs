#![no_main]
//! Feeds arbitrary bytes to the request decoder: it must never panic, never claim more
//! bytes than it was given, and only return argument ranges inside the buffer.
use libfuzzer_sys::fuzz_target;
use slotd::resp::decode::{decode, Decoded, Limits};

fuzz_target!(|data: &[u8]| {
    let mut ranges = Vec::new();
    for unauthenticated in [false, true] {
        let limits = Limits { max_bulk_bytes: 1 << 20, unauthenticated };
        match decode(data, limits, &mut ranges) {
            Decoded::Request { consumed, .. } => {
                assert!(consumed <= data.len());
                assert!(ranges.iter().all(|r| r.start <= r.end && r.end <= data.len()));
            }
            Decoded::Quoted { consumed, .. } => assert!(consumed <= data.len()),
            Decoded::Incomplete { need_total } => assert!(need_total > data.len()),
            Decoded::Error(_) => {}
        }
    }
});
