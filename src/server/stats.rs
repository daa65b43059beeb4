//! Server-wide counters behind INFO stats (relaxed atomics: exact totals, no ordering
//! needed between them).
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Stats {
    pub total_connections_received: AtomicU64,
    pub total_commands_processed: AtomicU64,
    pub total_net_input_bytes: AtomicU64,
    pub total_net_output_bytes: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub expired_keys: AtomicU64,
    pub expired_stale_perc: AtomicU64,
    pub evicted_keys: AtomicU64,
    pub evicted_clients: AtomicU64,
    pub keyspace_hits: AtomicU64,
    pub keyspace_misses: AtomicU64,
    pub total_error_replies: AtomicU64,
    pub unexpected_error_replies: AtomicU64,
    pub total_reads_processed: AtomicU64,
    pub total_writes_processed: AtomicU64,
    pub client_query_buffer_limit_disconnections: AtomicU64,
    pub client_output_buffer_limit_disconnections: AtomicU64,
    pub blocked_clients: AtomicU64,
    pub dirty: AtomicU64,
    pub total_eviction_exceeded_time_us: AtomicU64,
}

impl Stats {
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }

    /// CONFIG RESETSTAT: zero what Redis zeroes.
    pub fn reset(&self) {
        for c in [
            &self.total_connections_received,
            &self.total_commands_processed,
            &self.total_net_input_bytes,
            &self.total_net_output_bytes,
            &self.rejected_connections,
            &self.expired_keys,
            &self.expired_stale_perc,
            &self.evicted_keys,
            &self.evicted_clients,
            &self.keyspace_hits,
            &self.keyspace_misses,
            &self.total_error_replies,
            &self.unexpected_error_replies,
            &self.total_reads_processed,
            &self.total_writes_processed,
            &self.client_query_buffer_limit_disconnections,
            &self.client_output_buffer_limit_disconnections,
            &self.total_eviction_exceeded_time_us,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// Instantaneous metrics: Redis samples a counter every cron tick into a ring of 16 and
/// reports the average rate.
#[derive(Default)]
pub struct InstantMetric {
    samples: [u64; 16],
    idx: usize,
    last_time_ms: i64,
    last_value: u64,
}


impl InstantMetric {
    pub fn track(&mut self, now_ms: i64, value: u64) {
        if self.last_time_ms == 0 {
            self.last_time_ms = now_ms;
            self.last_value = value;
            return;
        }
        let dt = (now_ms - self.last_time_ms).max(1) as u64;
        let dv = value.saturating_sub(self.last_value);
        self.samples[self.idx] = dv * 1000 / dt;
        self.idx = (self.idx + 1) % 16;
        self.last_time_ms = now_ms;
        self.last_value = value;
    }

    pub fn rate(&self) -> u64 {
        self.samples.iter().sum::<u64>() / 16
    }
}
