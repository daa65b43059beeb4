//! The "loading" state: set from the moment clients can connect until the data set is
//! read from disk (AOF or RDB) and persistence is open, during which clients get
//! `-LOADING` for every command without the `loading` flag and INFO persistence shows
//! the progress (Redis's startLoading / loadingAbsProgress / stopLoading).
//!
//! Written only by the one loader thread; read by connections (the gate's check, one
//! relaxed load per command) and INFO. Plain atomics: the fields are independent
//! figures, a reader seeing one slightly older than another is harmless.
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

#[derive(Default)]
pub struct Loading {
    active: AtomicBool,
    /// Unix seconds when loading began.
    start_secs: AtomicI64,
    total_bytes: AtomicU64,
    loaded_bytes: AtomicU64,
    /// The `used-mem` aux field of an RDB being loaded (an estimate of its size when
    /// the total is unknown); 0 for AOF.
    rdb_used_mem: AtomicU64,
}

impl Loading {
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Loading begins; `total_bytes` is what will be read (0 if unknown).
    pub fn start(&self, total_bytes: u64) {
        self.start_secs.store(crate::util::time::now_secs(), Ordering::Relaxed);
        self.total_bytes.store(total_bytes, Ordering::Relaxed);
        self.loaded_bytes.store(0, Ordering::Relaxed);
        self.rdb_used_mem.store(0, Ordering::Relaxed);
        self.active.store(true, Ordering::Release);
    }

    /// `loaded` bytes have been read so far in total.
    pub fn set_loaded(&self, loaded: u64) {
        self.loaded_bytes.store(loaded, Ordering::Relaxed);
    }

    pub fn add_loaded(&self, delta: u64) {
        self.loaded_bytes.fetch_add(delta, Ordering::Relaxed);
    }

    pub fn loaded(&self) -> u64 {
        self.loaded_bytes.load(Ordering::Relaxed)
    }

    pub fn set_rdb_used_mem(&self, bytes: u64) {
        self.rdb_used_mem.store(bytes, Ordering::Relaxed);
    }

    pub fn stop(&self) {
        self.active.store(false, Ordering::Release);
    }

    /// The `loading_*` lines of INFO persistence (only while loading), with Redis's
    /// percentage and ETA arithmetic.
    pub fn info_lines(&self, now_secs: i64) -> String {
        let total = self.total_bytes.load(Ordering::Relaxed);
        let loaded = self.loaded_bytes.load(Ordering::Relaxed);
        let used_mem = self.rdb_used_mem.load(Ordering::Relaxed);
        let start = self.start_secs.load(Ordering::Relaxed);
        let mut perc = 0.0f64;
        let mut remaining: i64 = 1;
        if total > 0 {
            perc = loaded as f64 / total as f64 * 100.0;
            remaining = total as i64 - loaded as i64;
        } else if used_mem > 0 {
            // used-mem only estimates the file size: never show 100% before the end.
            perc = (loaded as f64 / used_mem as f64 * 100.0).min(99.99);
            remaining = (used_mem as i64 - loaded as i64).max(1);
        }
        let elapsed = now_secs - start;
        // Redis shows a made-up 1 s until a second has passed.
        let eta = if elapsed == 0 { 1 } else { elapsed * remaining / (loaded as i64 + 1) };
        format!(
            "loading_start_time:{start}\r\nloading_total_bytes:{total}\r\nloading_rdb_used_mem:{used_mem}\r\nloading_loaded_bytes:{loaded}\r\nloading_loaded_perc:{perc:.2}\r\nloading_eta_seconds:{eta}\r\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_follow_redis_arithmetic() {
        let l = Loading::default();
        l.start(74176858);
        l.set_loaded(14428498);
        let start = l.start_secs.load(Ordering::Relaxed);
        let text = l.info_lines(start + 1);
        assert!(text.contains("loading_total_bytes:74176858\r\n"));
        assert!(text.contains("loading_loaded_perc:19.45\r\n"));
        assert!(text.contains("loading_eta_seconds:4\r\n"));
        assert!(l.info_lines(start).contains("loading_eta_seconds:1\r\n"));
        assert!(l.is_active());
        l.stop();
        assert!(!l.is_active());
    }
}
