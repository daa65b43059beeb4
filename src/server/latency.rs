//! Latency: the LATENCY monitor (per event, the last samples above
//! latency-monitor-threshold) and the per-command latency histograms behind INFO
//! latencystats and LATENCY HISTOGRAM.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Samples kept per event (Redis's LATENCY_TS_LEN).
const HISTORY: usize = 160;

#[derive(Clone, Debug, Default)]
pub struct Series {
    /// (unix seconds, milliseconds), oldest first; one sample per second at most.
    pub samples: Vec<(i64, u64)>,
    pub max_ms: u64,
}

#[derive(Default)]
pub struct Latency {
    pub events: BTreeMap<String, Series>,
}

impl Latency {
    pub fn add(&mut self, event: &str, ms: u64) {
        let now = crate::util::time::now_secs();
        let s = self.events.entry(event.to_string()).or_default();
        s.max_ms = s.max_ms.max(ms);
        if let Some(last) = s.samples.last_mut() {
            if last.0 == now {
                last.1 = last.1.max(ms);
                return;
            }
        }
        s.samples.push((now, ms));
        if s.samples.len() > HISTORY {
            s.samples.remove(0);
        }
    }

    /// LATENCY RESET [event ...]: returns how many series were dropped.
    pub fn reset(&mut self, events: &[String]) -> usize {
        if events.is_empty() {
            let n = self.events.len();
            self.events.clear();
            return n;
        }
        events.iter().filter(|e| self.events.remove(e.as_str()).is_some()).count()
    }
}

/// Per-command latency distribution (INFO latencystats, LATENCY HISTOGRAM).
///
/// BACKGROUND: Redis keeps an HDR histogram per command (lowest 1 ns, highest 1 s, two
/// significant digits) and reports the upper bound of the bucket that holds a
/// percentile. This is the same bucket layout, so slotd reports values of the same
/// precision: 128 linear sub-buckets per power of two above 256 ns (below, 1 ns steps),
/// each an atomic counter, so recording is one relaxed addition and no lock. The
/// counters of one power of two are allocated when it first records (a command's
/// latencies span a few of them: about 1 KiB each instead of 24 KiB up front).
pub struct Histogram {
    ranges: [std::sync::OnceLock<Box<[AtomicU64]>>; RANGES],
}

/// Sub-buckets per power of two (half of HDR's 256 for two significant digits).
const SUB_HALF: usize = 128;
/// log2(SUB_HALF).
const SUB_HALF_BITS: u32 = 7;
/// Values at or below this many ns share bucket 0 (HDR's sub_bucket_mask, 256 - 1).
const SUB_MASK: u64 = 255;
/// Largest recorded value, 1 s in ns (Redis's LATENCY_HISTOGRAM_MAX_VALUE).
pub const HIST_MAX_NS: u64 = 1_000_000_000;
/// Buckets needed to cover HIST_MAX_NS: 256 << 22 > 10^9, plus the first.
const BUCKETS: usize = 23;
/// Counter ranges of SUB_HALF counters each (HDR's counts array, split).
const RANGES: usize = BUCKETS + 1;
const COUNTS_LEN: usize = RANGES * SUB_HALF;

fn bucket_of(v: u64) -> u32 {
    // 64 - leading zeros of (v | mask) = the power of two above v; minus HDR's
    // sub-bucket magnitude (8).
    (64 - (v | SUB_MASK).leading_zeros()) - (SUB_HALF_BITS + 1)
}

fn index_of(v: u64) -> usize {
    let b = bucket_of(v);
    let sub = (v >> b) as usize;
    (((b as usize) + 1) << SUB_HALF_BITS) + sub - SUB_HALF
}

fn value_at(index: usize) -> u64 {
    let mut bucket = (index >> SUB_HALF_BITS) as i64 - 1;
    let mut sub = (index & (SUB_HALF - 1)) + SUB_HALF;
    if bucket < 0 {
        sub -= SUB_HALF;
        bucket = 0;
    }
    (sub as u64) << bucket
}

/// The smallest value in `v`'s bucket.
pub fn lowest_equivalent(v: u64) -> u64 {
    let b = bucket_of(v);
    (v >> b) << b
}

/// The largest value in `v`'s bucket.
pub fn highest_equivalent(v: u64) -> u64 {
    let b = bucket_of(v);
    let sub = v >> b;
    // The top sub-bucket of a range belongs to the next power of two.
    let size_bits = if sub as usize >= 2 * SUB_HALF { b + 1 } else { b };
    lowest_equivalent(v) + (1u64 << size_bits) - 1
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { ranges: std::array::from_fn(|_| std::sync::OnceLock::new()) }
    }
}

impl Histogram {
    /// Records one duration in ns (clamped to 1 ns ..= 1 s, as Redis does).
    pub fn record(&self, ns: u64) {
        let i = index_of(ns.clamp(1, HIST_MAX_NS));
        let range = self.ranges[i / SUB_HALF].get_or_init(|| (0..SUB_HALF).map(|_| AtomicU64::new(0)).collect());
        range[i % SUB_HALF].fetch_add(1, Ordering::Relaxed);
    }

    pub fn reset(&self) {
        for c in self.ranges.iter().filter_map(|r| r.get()).flat_map(|r| r.iter()) {
            c.store(0, Ordering::Relaxed);
        }
    }

    /// A consistent-enough copy to report from while recording goes on.
    pub fn snapshot(&self) -> Snapshot {
        let mut counts = vec![0u64; COUNTS_LEN];
        for (r, range) in self.ranges.iter().enumerate() {
            if let Some(range) = range.get() {
                for (j, c) in range.iter().enumerate() {
                    counts[r * SUB_HALF + j] = c.load(Ordering::Relaxed);
                }
            }
        }
        let total = counts.iter().sum();
        Snapshot { counts, total }
    }
}

pub struct Snapshot {
    counts: Vec<u64>,
    pub total: u64,
}

impl Snapshot {
    /// HDR's value at percentile: the upper end of the bucket holding the value of
    /// that rank (the lower end for the 0th percentile).
    pub fn value_at_percentile(&self, pct: f64) -> u64 {
        let p = pct.min(100.0);
        let want = ((((p / 100.0) * self.total as f64) + 0.5) as u64).max(1);
        let mut seen = 0;
        let mut v = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                v = value_at(i);
                break;
            }
        }
        if pct == 0.0 {
            lowest_equivalent(v)
        } else {
            highest_equivalent(v)
        }
    }

    /// LATENCY HISTOGRAM's cumulative distribution: (upper bound in µs, values up to
    /// it) at power-of-two reporting levels from 1024 ns, as HDR's logarithmic
    /// iterator reports them; levels that add nothing are left out.
    pub fn cumulative_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut level: u64 = 1024;
        let mut level_low = lowest_equivalent(level);
        let mut next = 0usize; // index of the next bucket to take in
        let mut value = 0u64;
        let mut cumulative = 0u64;
        let mut previous = 0u64;
        loop {
            let peek_beyond = next < self.counts.len() && value_at(next) > level_low;
            if cumulative >= self.total && !peek_beyond {
                break;
            }
            loop {
                if value >= level_low {
                    break;
                }
                if next >= self.counts.len() {
                    break;
                }
                cumulative += self.counts[next];
                value = value_at(next);
                next += 1;
            }
            if cumulative > previous {
                out.push((highest_equivalent(value) / 1000, cumulative));
            }
            previous = cumulative;
            if next >= self.counts.len() || level > HIST_MAX_NS * 2 {
                break;
            }
            level *= 2;
            level_low = lowest_equivalent(level);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_hdr_two_significant_digits() {
        // Values Redis 7.0 reports (µs × 1000): 7.007, 8.031, 12.031, 25.087.
        assert_eq!(highest_equivalent(7000), 7007);
        assert_eq!(highest_equivalent(8000), 8031);
        assert_eq!(highest_equivalent(12000), 12031);
        assert_eq!(highest_equivalent(25000), 25087);
        assert_eq!(highest_equivalent(100), 100);
        assert_eq!(highest_equivalent(131072), 132095);
        for v in [1u64, 255, 256, 1000, 4096, 65535, 1 << 20, HIST_MAX_NS] {
            assert_eq!(value_at(index_of(v)), lowest_equivalent(v), "{v}");
            assert!(index_of(v) < COUNTS_LEN);
        }
    }

    #[test]
    fn percentiles_and_cumulative_levels() {
        let h = Histogram::default();
        for v in [3000u64, 5000, 6000] {
            h.record(v);
        }
        let s = h.snapshot();
        assert_eq!(s.total, 3);
        assert_eq!(s.value_at_percentile(50.0), highest_equivalent(5000));
        assert_eq!(s.value_at_percentile(100.0), highest_equivalent(6000));
        assert_eq!(s.value_at_percentile(0.0), lowest_equivalent(3000));
        // Like Redis: "4 -> 1, 8 -> 3".
        assert_eq!(s.cumulative_usec(), vec![(4, 1), (8, 3)]);
        h.reset();
        assert_eq!(h.snapshot().total, 0);
        assert!(h.snapshot().cumulative_usec().is_empty());
    }
}
