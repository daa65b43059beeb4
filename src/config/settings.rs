//! `Settings`: the typed view of the configuration that commands and connections read.
//! Rebuilt from the `Store` after start-up and after every CONFIG SET.
use super::Store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionPolicy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    NoEviction,
}

impl EvictionPolicy {
    pub fn is_lfu(self) -> bool {
        matches!(self, EvictionPolicy::VolatileLfu | EvictionPolicy::AllkeysLfu)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct OutputLimit {
    pub hard_bytes: u64,
    pub soft_bytes: u64,
    pub soft_secs: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    No,
    Yes,
    Local,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub port: u16,
    pub bind: Vec<String>,
    pub unixsocket: String,
    pub unixsocketperm: u32,
    pub protected_mode: bool,
    pub maxclients: u64,
    pub requirepass: Option<String>,
    pub timeout_secs: u64,
    pub tcp_keepalive_secs: u64,
    pub proto_max_bulk_len: i64,
    pub client_query_buffer_limit: usize,
    pub output_normal: OutputLimit,
    pub output_replica: OutputLimit,
    pub output_pubsub: OutputLimit,
    /// The smallest non-zero output limit of any class (u64::MAX if none): pending
    /// replies below it need no limit check.
    pub output_limit_min: u64,
    pub databases: usize,
    pub hz: u32,
    pub maxmemory: u64,
    /// maxmemory-clients in bytes (a percentage is of maxmemory); 0: no client eviction.
    pub maxmemory_clients: u64,
    pub policy: EvictionPolicy,
    pub maxmemory_samples: usize,
    pub eviction_tenacity: u32,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    pub active_expire_effort: u32,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub list_max_listpack_size: i64,
    pub hll_sparse_max_bytes: usize,
    pub notify_flags: u32,
    pub slowlog_slower_than_us: i64,
    pub slowlog_max_len: usize,
    pub latency_monitor_threshold_ms: u64,
    pub latency_tracking: bool,
    pub latency_percentiles: Vec<f64>,
    pub enable_debug: Access,
    pub enable_protected_configs: Access,
    pub cluster_enabled: bool,
    pub loglevel: String,
    pub replica_read_only: bool,
    pub replica_serve_stale_data: bool,
    pub shutdown_timeout_secs: u64,
    pub shutdown_on_sigint: String,
    pub shutdown_on_sigterm: String,
    pub save_points: Vec<(u64, u64)>,
    pub dir: String,
    pub dbfilename: String,
    pub appendonly: bool,
    pub stop_writes_on_bgsave_error: bool,
    /// LZF-compress long strings in RDB files and DUMP payloads.
    pub rdbcompression: bool,
    /// Write the RDB CRC64 trailer and verify it on load.
    pub rdbchecksum: bool,
    pub appendfilename: String,
    pub appenddirname: String,
    pub appendfsync: String,
    pub no_appendfsync_on_rewrite: bool,
    pub aof_load_truncated: bool,
    pub aof_use_rdb_preamble: bool,
    pub aof_disable_auto_gc: bool,
    /// key-load-delay: microseconds to sleep per command or key loaded (test suites use
    /// it to make loading observable); negative: sleep 1 µs every -n.
    pub key_load_delay: i64,
    pub auto_aof_rewrite_percentage: i64,
    /// rdb-key-save-delay: microseconds a background save waits per key (test suites
    /// slow saves down with it to observe them); negative: 1 µs every -n keys.
    pub rdb_key_save_delay: i64,
    pub auto_aof_rewrite_min_size: u64,
}

fn access(s: Option<&str>) -> Access {
    match s {
        Some("yes") => Access::Yes,
        Some("local") => Access::Local,
        _ => Access::No,
    }
}

fn limits(store: &Store) -> (OutputLimit, OutputLimit, OutputLimit) {
    let mut n = OutputLimit::default();
    let mut r = OutputLimit::default();
    let mut p = OutputLimit::default();
    let v = store.get("client-output-buffer-limit").unwrap_or("").to_string();
    let w: Vec<&str> = v.split_whitespace().collect();
    for c in w.chunks(4) {
        if c.len() < 4 {
            continue;
        }
        let l = OutputLimit {
            hard_bytes: c[1].parse().unwrap_or(0),
            soft_bytes: c[2].parse().unwrap_or(0),
            soft_secs: c[3].parse().unwrap_or(0),
        };
        match c[0] {
            "normal" => n = l,
            "slave" => r = l,
            "pubsub" => p = l,
            _ => {}
        }
    }
    (n, r, p)
}

impl Settings {
    pub fn from_store(s: &Store) -> Settings {
        let int = |n: &str| s.get_i64(n);
        let (output_normal, output_replica, output_pubsub) = limits(s);
        let policy = match s.get("maxmemory-policy").unwrap_or("noeviction") {
            "volatile-lru" => EvictionPolicy::VolatileLru,
            "volatile-lfu" => EvictionPolicy::VolatileLfu,
            "volatile-random" => EvictionPolicy::VolatileRandom,
            "volatile-ttl" => EvictionPolicy::VolatileTtl,
            "allkeys-lru" => EvictionPolicy::AllkeysLru,
            "allkeys-lfu" => EvictionPolicy::AllkeysLfu,
            "allkeys-random" => EvictionPolicy::AllkeysRandom,
            _ => EvictionPolicy::NoEviction,
        };
        let save_words: Vec<u64> = s.get("save").unwrap_or("").split_whitespace().filter_map(|w| w.parse().ok()).collect();
        Settings {
            port: int("port") as u16,
            bind: s.get("bind").unwrap_or("").split_whitespace().map(String::from).collect(),
            unixsocket: s.get("unixsocket").unwrap_or("").to_string(),
            unixsocketperm: u32::from_str_radix(s.get("unixsocketperm").unwrap_or("0"), 8).unwrap_or(0),
            protected_mode: s.get_bool("protected-mode"),
            maxclients: int("maxclients") as u64,
            requirepass: s.get("requirepass").filter(|p| !p.is_empty()).map(String::from),
            timeout_secs: int("timeout") as u64,
            tcp_keepalive_secs: int("tcp-keepalive") as u64,
            proto_max_bulk_len: int("proto-max-bulk-len"),
            client_query_buffer_limit: int("client-query-buffer-limit") as usize,
            output_limit_min: [output_normal, output_replica, output_pubsub].iter().flat_map(|l| [l.hard_bytes, l.soft_bytes]).filter(|&b| b > 0).min().unwrap_or(u64::MAX),
            output_normal,
            output_replica,
            output_pubsub,
            databases: int("databases").max(1) as usize,
            hz: int("hz").clamp(1, 500) as u32,
            maxmemory: int("maxmemory").max(0) as u64,
            maxmemory_clients: match s.get("maxmemory-clients").unwrap_or("0").strip_suffix('%') {
                Some(p) => p.parse::<u64>().unwrap_or(0) * int("maxmemory").max(0) as u64 / 100,
                None => int("maxmemory-clients").max(0) as u64,
            },
            policy,
            maxmemory_samples: int("maxmemory-samples").max(1) as usize,
            eviction_tenacity: int("maxmemory-eviction-tenacity") as u32,
            lfu_log_factor: int("lfu-log-factor") as u32,
            lfu_decay_time: int("lfu-decay-time") as u32,
            active_expire_effort: int("active-expire-effort") as u32,
            hash_max_listpack_entries: int("hash-max-listpack-entries") as usize,
            hash_max_listpack_value: int("hash-max-listpack-value") as usize,
            set_max_intset_entries: int("set-max-intset-entries") as usize,
            zset_max_listpack_entries: int("zset-max-listpack-entries") as usize,
            zset_max_listpack_value: int("zset-max-listpack-value") as usize,
            list_max_listpack_size: int("list-max-listpack-size"),
            hll_sparse_max_bytes: int("hll-sparse-max-bytes") as usize,
            notify_flags: crate::server::notify::parse_flags(s.get("notify-keyspace-events").unwrap_or("")).unwrap_or(0),
            slowlog_slower_than_us: int("slowlog-log-slower-than"),
            slowlog_max_len: int("slowlog-max-len") as usize,
            latency_monitor_threshold_ms: int("latency-monitor-threshold") as u64,
            latency_tracking: s.get_bool("latency-tracking"),
            latency_percentiles: s.get("latency-tracking-info-percentiles").unwrap_or("").split_whitespace().filter_map(|w| w.parse().ok()).collect(),
            enable_debug: access(s.get("enable-debug-command")),
            enable_protected_configs: access(s.get("enable-protected-configs")),
            cluster_enabled: s.get_bool("cluster-enabled"),
            loglevel: s.get("loglevel").unwrap_or("notice").to_string(),
            replica_read_only: s.get_bool("replica-read-only"),
            replica_serve_stale_data: s.get_bool("replica-serve-stale-data"),
            shutdown_timeout_secs: int("shutdown-timeout") as u64,
            shutdown_on_sigint: s.get("shutdown-on-sigint").unwrap_or("default").to_string(),
            shutdown_on_sigterm: s.get("shutdown-on-sigterm").unwrap_or("default").to_string(),
            save_points: save_words.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0], c[1])).collect(),
            dir: s.get("dir").unwrap_or("").to_string(),
            dbfilename: s.get("dbfilename").unwrap_or("dump.rdb").to_string(),
            appendonly: s.get_bool("appendonly"),
            stop_writes_on_bgsave_error: s.get_bool("stop-writes-on-bgsave-error"),
            rdbcompression: s.get_bool("rdbcompression"),
            rdbchecksum: s.get_bool("rdbchecksum"),
            appendfilename: s.get("appendfilename").unwrap_or("appendonly.aof").to_string(),
            appenddirname: s.get("appenddirname").unwrap_or("appendonlydir").to_string(),
            appendfsync: s.get("appendfsync").unwrap_or("everysec").to_string(),
            no_appendfsync_on_rewrite: s.get_bool("no-appendfsync-on-rewrite"),
            aof_load_truncated: s.get_bool("aof-load-truncated"),
            aof_use_rdb_preamble: s.get_bool("aof-use-rdb-preamble"),
            aof_disable_auto_gc: s.get_bool("aof-disable-auto-gc"),
            key_load_delay: int("key-load-delay"),
            auto_aof_rewrite_percentage: int("auto-aof-rewrite-percentage"),
            rdb_key_save_delay: int("rdb-key-save-delay"),
            auto_aof_rewrite_min_size: int("auto-aof-rewrite-min-size") as u64,
        }
    }
}
