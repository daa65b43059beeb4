//! Clocks. Expiry and LASTSAVE use wall-clock milliseconds since the Unix epoch, as Redis
//! does (TTLs survive restarts and cross replicas as absolute times).
use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

pub fn now_secs() -> i64 {
    now_ms() / 1000
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC) for measuring command durations: cheaper than
/// `Instant::elapsed`, whose normalisation costs as much as a small command.
#[inline]
pub fn mono_ns() -> u64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clk: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_MONOTONIC: i32 = 1;
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: valid pointer to a properly laid out timespec (64-bit Linux).
    unsafe { clock_gettime(CLOCK_MONOTONIC, &mut ts) };
    ts.sec as u64 * 1_000_000_000 + ts.nsec as u64
}
