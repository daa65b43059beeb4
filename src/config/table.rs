//! The directive table: every configuration directive Redis 7.0 knows, with its type,
//! bounds, default and flags. One table serves redis.conf, `--name value`, TOML files
//! and CONFIG GET/SET/REWRITE.
//!
//! Directives that slotd does not act on (TLS, io-threads, defrag ...) are still here so
//! that any stock redis.conf starts and CONFIG GET reports what was set; the doc line of
//! each says "accepted" rather than describing an effect. Defaults are Redis 7.0.15's as
//! `CONFIG GET *` reports them on a fresh server (Debian build).

/// Cannot change at run time (CONFIG SET answers "can't set immutable config").
pub const IMMUTABLE: u8 = 1;
/// Value is a secret (never logged).
pub const SENSITIVE: u8 = 2;
/// Not matched by CONFIG GET globs, only by its exact name (Redis's HIDDEN_CONFIG, used
/// by test suites: rdb-key-save-delay, key-load-delay ...).
pub const HIDDEN: u8 = 4;
/// Settable only with enable-protected-configs (CONFIG SET dir ...).
pub const PROTECTED: u8 = 8;
/// In a config file, takes several arguments (save 900 1, bind a b ...).
pub const MULTI_ARG: u8 = 16;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Bool,
    /// Plain integer within bounds.
    Int(i64, i64),
    /// Integer that also accepts memory units (1k, 1kb, 1m, 1mb, 1g, 1gb).
    Mem(i64, i64),
    /// A memory value or a percentage (maxmemory-clients).
    MemOrPercent,
    Enum(&'static [&'static str]),
    Str,
    /// Octal file mode (unixsocketperm).
    Octal,
    /// Parsed by a dedicated function in `config::special`.
    Special(Special),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Save,
    Bind,
    ClientOutputBufferLimit,
    NotifyKeyspaceEvents,
    OomScoreAdjValues,
    LatencyPercentiles,
    ReplicaOf,
    Dir,
    /// `hz`: any non-negative int, clamped to 1..=500 when applied.
    Hz,
}

#[derive(Debug)]
pub struct Directive {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub kind: Kind,
    pub default: &'static str,
    pub flags: u8,
    pub doc: &'static str,
}

const INT_MAX: i64 = i32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const UINT_MAX: i64 = u32::MAX as i64;

const YES_NO: &[&str] = &["no", "yes"];

macro_rules! d {
    ($name:literal, $kind:expr, $default:literal, $flags:expr, $doc:literal) => {
        Directive { name: $name, alias: None, kind: $kind, default: $default, flags: $flags, doc: $doc }
    };
    ($name:literal / $alias:literal, $kind:expr, $default:literal, $flags:expr, $doc:literal) => {
        Directive { name: $name, alias: Some($alias), kind: $kind, default: $default, flags: $flags, doc: $doc }
    };
}

use Kind::*;

pub static DIRECTIVES: &[Directive] = &[
    // ---- network and clients (honoured)
    d!("port", Int(0, 65535), "6379", 0, "TCP port for clients; 0 disables TCP"),
    d!("bind", Special(Special::Bind), "* -::*", MULTI_ARG, "addresses to listen on; a leading '-' makes one optional"),
    d!("unixsocket", Str, "", IMMUTABLE, "path of a Unix socket to listen on too"),
    d!("unixsocketperm", Octal, "0", IMMUTABLE, "permissions of the Unix socket (octal)"),
    d!("protected-mode", Kind::Bool, "yes", 0, "refuse non-local clients when no password is set and no bind address is given"),
    d!("tcp-backlog", Int(0, INT_MAX), "511", IMMUTABLE, "listen(2) backlog"),
    d!("tcp-keepalive", Int(0, INT_MAX), "300", 0, "TCP keepalive period in seconds; 0 disables"),
    d!("timeout", Int(0, INT_MAX), "0", 0, "close clients idle this many seconds; 0 never"),
    d!("maxclients", Int(1, UINT_MAX), "10000", 0, "most simultaneous clients"),
    d!("requirepass", Str, "", SENSITIVE, "password of the default user"),
    d!("proto-max-bulk-len", Mem(1024 * 1024, LONG_MAX), "536870912", 0, "largest bulk string a client may send"),
    d!("client-query-buffer-limit", Mem(1024 * 1024, LONG_MAX), "1073741824", 0, "largest query buffer per client"),
    d!("client-output-buffer-limit", Special(Special::ClientOutputBufferLimit), "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", MULTI_ARG, "per-class output buffer hard limit, soft limit, soft seconds"),
    d!("maxmemory-clients", MemOrPercent, "0", 0, "close the clients using the most memory when all clients' buffers pass this"),
    d!("tracking-table-max-keys", Mem(0, LONG_MAX), "1000000", 0, "accepted; client tracking is not implemented"),
    d!("bind-source-addr", Str, "", 0, "source address for outgoing connections"),
    d!("socket-mark-id", Int(0, UINT_MAX), "0", 0, "accepted"),
    // ---- general
    d!("daemonize", Kind::Bool, "no", IMMUTABLE, "accepted; slotd always runs in the foreground"),
    d!("supervised", Enum(&["upstart", "systemd", "auto", "no"]), "no", IMMUTABLE, "accepted"),
    d!("pidfile", Str, "", IMMUTABLE, "file the process id is written to"),
    d!("loglevel", Enum(&["debug", "verbose", "notice", "warning"]), "notice", 0, "log verbosity"),
    d!("logfile", Str, "", IMMUTABLE, "log file; empty means standard output"),
    d!("syslog-enabled", Kind::Bool, "no", IMMUTABLE, "accepted"),
    d!("syslog-ident", Str, "redis", IMMUTABLE, "accepted"),
    d!("syslog-facility", Enum(&["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]), "local0", IMMUTABLE, "accepted"),
    d!("crash-log-enabled", Kind::Bool, "yes", 0, "accepted"),
    d!("crash-memcheck-enabled", Kind::Bool, "yes", 0, "accepted"),
    d!("databases", Int(1, INT_MAX), "16", IMMUTABLE, "number of databases (cluster mode uses only 0)"),
    d!("always-show-logo", Kind::Bool, "no", IMMUTABLE, "print the start-up banner with the PID line even when not on a terminal"),
    d!("set-proc-title", Kind::Bool, "yes", IMMUTABLE, "accepted"),
    d!("proc-title-template", Str, "{title} {listen-addr} {server-mode}", 0, "accepted"),
    d!("hz", Special(Special::Hz), "10", 0, "background task frequency (expiry, statistics), clamped to 1..500"),
    d!("dynamic-hz", Kind::Bool, "yes", 0, "accepted"),
    d!("enable-protected-configs", Enum(&["no", "yes", "local"]), "no", IMMUTABLE, "allow CONFIG SET of protected directives (dir ...)"),
    d!("enable-debug-command", Enum(&["no", "yes", "local"]), "no", IMMUTABLE, "allow DEBUG"),
    d!("enable-module-command", Enum(&["no", "yes", "local"]), "no", IMMUTABLE, "accepted; modules are not supported"),
    d!("io-threads", Int(1, 128), "1", IMMUTABLE, "accepted; slotd sizes its worker threads from the CPUs it may use"),
    d!("io-threads-do-reads", Kind::Bool, "no", IMMUTABLE, "accepted"),
    d!("server_cpulist", Str, "", IMMUTABLE, "accepted"),
    d!("bio_cpulist", Str, "", IMMUTABLE, "accepted"),
    d!("aof_rewrite_cpulist", Str, "", IMMUTABLE, "accepted"),
    d!("bgsave_cpulist", Str, "", IMMUTABLE, "accepted"),
    d!("ignore-warnings", Str, "", 0, "accepted"),
    d!("disable-thp", Kind::Bool, "yes", IMMUTABLE, "accepted"),
    d!("jemalloc-bg-thread", Kind::Bool, "yes", 0, "accepted"),
    d!("oom-score-adj", Enum(&["no", "yes", "relative", "absolute"]), "no", 0, "accepted"),
    d!("oom-score-adj-values", Special(Special::OomScoreAdjValues), "0 200 800", MULTI_ARG, "accepted"),
    d!("shutdown-on-sigint", Enum(&["default", "save", "nosave", "now", "force"]), "default", MULTI_ARG, "what SIGINT does"),
    d!("shutdown-on-sigterm", Enum(&["default", "save", "nosave", "now", "force"]), "default", MULTI_ARG, "what SIGTERM does"),
    d!("shutdown-timeout", Int(0, INT_MAX), "10", 0, "seconds SHUTDOWN waits for replicas to catch up"),
    d!("busy-reply-threshold" / "lua-time-limit", Int(0, LONG_MAX), "5000", 0, "accepted; scripting comes later"),
    d!("propagation-error-behavior", Enum(&["ignore", "panic", "panic-on-replicas"]), "ignore", 0, "accepted"),
    // ---- memory
    d!("maxmemory", Mem(0, LONG_MAX), "0", 0, "memory limit in bytes; 0 means none"),
    d!("maxmemory-policy", Enum(&["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]), "noeviction", 0, "what to do at the memory limit"),
    d!("maxmemory-samples", Int(1, INT_MAX), "5", 0, "keys sampled per eviction"),
    d!("maxmemory-eviction-tenacity", Int(0, 100), "10", 0, "how long one eviction pass may run"),
    d!("lfu-log-factor", Int(0, INT_MAX), "10", 0, "LFU counter logarithm factor"),
    d!("lfu-decay-time", Int(0, INT_MAX), "1", 0, "minutes per LFU counter decrement"),
    d!("active-expire-effort", Int(1, 10), "1", 0, "active expiry effort"),
    d!("lazyfree-lazy-eviction", Kind::Bool, "no", 0, "accepted"),
    d!("lazyfree-lazy-expire", Kind::Bool, "no", 0, "accepted"),
    d!("lazyfree-lazy-server-del", Kind::Bool, "no", 0, "accepted"),
    d!("lazyfree-lazy-user-del", Kind::Bool, "no", 0, "accepted"),
    d!("lazyfree-lazy-user-flush", Kind::Bool, "no", 0, "accepted"),
    d!("activerehashing", Kind::Bool, "yes", 0, "accepted"),
    d!("activedefrag", Kind::Bool, "no", 0, "accepted"),
    d!("active-defrag-ignore-bytes", Mem(1, LONG_MAX), "104857600", 0, "accepted"),
    d!("active-defrag-threshold-lower", Int(0, 1000), "10", 0, "accepted"),
    d!("active-defrag-threshold-upper", Int(0, 1000), "100", 0, "accepted"),
    d!("active-defrag-cycle-min", Int(1, 99), "1", 0, "accepted"),
    d!("active-defrag-cycle-max", Int(1, 99), "25", 0, "accepted"),
    d!("active-defrag-max-scan-fields", Int(1, LONG_MAX), "1000", 0, "accepted"),
    // ---- encodings
    d!("hash-max-listpack-entries" / "hash-max-ziplist-entries", Int(0, LONG_MAX), "512", 0, "hashes with at most this many fields use listpack"),
    d!("hash-max-listpack-value" / "hash-max-ziplist-value", Int(0, LONG_MAX), "64", 0, "hashes whose fields and values are at most this long use listpack"),
    d!("list-max-listpack-size" / "list-max-ziplist-size", Int(i32::MIN as i64, INT_MAX), "-2", 0, "quicklist node size"),
    d!("list-compress-depth", Int(0, INT_MAX), "0", 0, "accepted"),
    d!("set-max-intset-entries", Int(0, LONG_MAX), "512", 0, "integer sets with at most this many members use intset"),
    d!("zset-max-listpack-entries" / "zset-max-ziplist-entries", Int(0, LONG_MAX), "128", 0, "sorted sets with at most this many members use listpack"),
    d!("zset-max-listpack-value" / "zset-max-ziplist-value", Int(0, LONG_MAX), "64", 0, "sorted sets whose members are at most this long use listpack"),
    d!("hll-sparse-max-bytes", Mem(0, LONG_MAX), "3000", 0, "HyperLogLog sparse representation limit"),
    d!("stream-node-max-bytes", Mem(0, LONG_MAX), "4096", 0, "accepted; streams come later"),
    d!("stream-node-max-entries", Int(0, LONG_MAX), "100", 0, "accepted; streams come later"),
    // ---- notifications, slowlog, latency
    d!("notify-keyspace-events", Special(Special::NotifyKeyspaceEvents), "", 0, "keyspace event classes to publish"),
    d!("slowlog-log-slower-than", Int(-1, LONG_MAX), "10000", 0, "microseconds above which a command is logged; -1 disables"),
    d!("slowlog-max-len", Int(0, LONG_MAX), "128", 0, "slow log length"),
    d!("latency-monitor-threshold", Int(0, LONG_MAX), "0", 0, "milliseconds above which latency events are recorded"),
    d!("latency-tracking", Kind::Bool, "yes", 0, "per-command latency percentiles in INFO latencystats"),
    d!("latency-tracking-info-percentiles", Special(Special::LatencyPercentiles), "50 99 99.9", MULTI_ARG, "percentiles INFO latencystats reports"),
    // ---- ACL (later issue) and modules
    d!("aclfile", Str, "", IMMUTABLE, "accepted; ACL users come later"),
    d!("acllog-max-len", Int(0, LONG_MAX), "128", 0, "accepted"),
    d!("acl-pubsub-default", Enum(&["allchannels", "resetchannels"]), "resetchannels", 0, "accepted"),
    // ---- persistence (persistence issue)
    d!("save", Special(Special::Save), "3600 1 300 100 60 10000", MULTI_ARG, "snapshot after N seconds if M changes"),
    d!("dbfilename", Str, "dump.rdb", PROTECTED, "RDB file name"),
    d!("dir", Special(Special::Dir), "", PROTECTED, "working directory for data files"),
    d!("rdbcompression", Kind::Bool, "yes", 0, "LZF-compress strings in RDB files"),
    d!("rdbchecksum", Kind::Bool, "yes", IMMUTABLE, "write and check the RDB CRC64"),
    d!("rdb-del-sync-files", Kind::Bool, "no", 0, "accepted"),
    d!("rdb-save-incremental-fsync", Kind::Bool, "yes", 0, "accepted"),
    d!("stop-writes-on-bgsave-error", Kind::Bool, "yes", 0, "refuse writes after a failed background save"),
    d!("sanitize-dump-payload", Enum(&["no", "yes", "clients"]), "no", 0, "accepted"),
    d!("appendonly", Kind::Bool, "no", 0, "append-only file persistence"),
    d!("appendfilename", Str, "appendonly.aof", IMMUTABLE, "AOF base name"),
    d!("appenddirname", Str, "appendonlydir", IMMUTABLE, "AOF directory"),
    d!("appendfsync", Enum(&["everysec", "always", "no"]), "everysec", 0, "AOF fsync policy"),
    d!("no-appendfsync-on-rewrite", Kind::Bool, "no", 0, "accepted"),
    d!("auto-aof-rewrite-percentage", Int(0, INT_MAX), "100", 0, "rewrite the AOF when it grew by this percentage"),
    d!("auto-aof-rewrite-min-size", Mem(0, LONG_MAX), "67108864", 0, "smallest AOF that is rewritten automatically"),
    d!("aof-load-truncated", Kind::Bool, "yes", 0, "load an AOF with a truncated tail"),
    d!("aof-use-rdb-preamble", Kind::Bool, "yes", 0, "AOF base file in RDB format"),
    d!("aof-rewrite-incremental-fsync", Kind::Bool, "yes", 0, "accepted"),
    d!("aof-timestamp-enabled", Kind::Bool, "no", 0, "accepted"),
    d!("aof-disable-auto-gc", Kind::Bool, "no", 0, "accepted"),
    d!("rdb-key-save-delay", Int(i32::MIN as i64, INT_MAX), "0", HIDDEN, "microseconds to sleep per key saved (tests)"),
    d!("key-load-delay", Int(i32::MIN as i64, INT_MAX), "0", HIDDEN, "microseconds to sleep per key or AOF command loaded (tests)"),
    d!("loading-process-events-interval-bytes", Int(1024, INT_MAX), "2097152", HIDDEN, "accepted"),
    // ---- replication (replication issue)
    d!("replicaof" / "slaveof", Special(Special::ReplicaOf), "", IMMUTABLE | MULTI_ARG, "primary to replicate from: host port"),
    d!("masterauth", Str, "", SENSITIVE, "password for the primary"),
    d!("masteruser", Str, "", 0, "user for the primary"),
    d!("replica-serve-stale-data" / "slave-serve-stale-data", Kind::Bool, "yes", 0, "serve reads while the link to the primary is down"),
    d!("replica-read-only" / "slave-read-only", Kind::Bool, "yes", 0, "refuse writes from clients on a replica"),
    d!("repl-diskless-sync", Kind::Bool, "yes", 0, "send full syncs without a file"),
    d!("repl-diskless-sync-delay", Int(0, INT_MAX), "5", 0, "seconds to wait for more replicas before a diskless sync"),
    d!("repl-diskless-sync-max-replicas", Int(0, INT_MAX), "0", 0, "start a diskless sync early at this many replicas"),
    d!("repl-diskless-load", Enum(&["disabled", "on-empty-db", "swapdb"]), "disabled", 0, "how replicas load a full sync"),
    d!("repl-ping-replica-period" / "repl-ping-slave-period", Int(1, INT_MAX), "10", 0, "seconds between pings to replicas"),
    d!("repl-timeout", Int(1, INT_MAX), "60", 0, "replication timeout in seconds"),
    d!("repl-disable-tcp-nodelay", Kind::Bool, "no", 0, "accepted"),
    d!("repl-backlog-size", Mem(1, LONG_MAX), "1048576", 0, "replication backlog bytes"),
    d!("repl-backlog-ttl", Int(0, INT_MAX), "3600", 0, "seconds before a replica-less backlog is freed"),
    d!("replica-priority" / "slave-priority", Int(0, INT_MAX), "100", 0, "failover priority"),
    d!("replica-announced", Kind::Bool, "yes", 0, "accepted"),
    d!("replica-announce-ip" / "slave-announce-ip", Str, "", 0, "address replicas announce"),
    d!("replica-announce-port" / "slave-announce-port", Int(0, 65535), "0", 0, "port replicas announce"),
    d!("replica-ignore-maxmemory" / "slave-ignore-maxmemory", Kind::Bool, "yes", 0, "replicas do not evict"),
    d!("replica-lazy-flush" / "slave-lazy-flush", Kind::Bool, "no", 0, "accepted"),
    d!("replica-ignore-disk-write-errors", Kind::Bool, "no", 0, "accepted"),
    d!("min-replicas-to-write" / "min-slaves-to-write", Int(0, INT_MAX), "0", 0, "refuse writes with fewer good replicas"),
    d!("min-replicas-max-lag" / "min-slaves-max-lag", Int(0, INT_MAX), "10", 0, "lag in seconds of a good replica"),
    // ---- cluster (cluster issue)
    d!("cluster-enabled", Kind::Bool, "no", IMMUTABLE, "run as a cluster node"),
    d!("cluster-config-file", Str, "nodes.conf", IMMUTABLE, "cluster state file"),
    d!("cluster-node-timeout", Int(0, LONG_MAX), "15000", 0, "milliseconds before a node is suspected"),
    d!("cluster-port", Int(0, 65535), "0", IMMUTABLE, "cluster bus port; 0 means port + 10000"),
    d!("cluster-announce-ip", Str, "", 0, "address announced to the cluster"),
    d!("cluster-announce-hostname", Str, "", 0, "hostname announced to the cluster"),
    d!("cluster-announce-port", Int(0, 65535), "0", 0, "client port announced to the cluster"),
    d!("cluster-announce-bus-port", Int(0, 65535), "0", 0, "bus port announced to the cluster"),
    d!("cluster-announce-tls-port", Int(0, 65535), "0", 0, "accepted"),
    d!("cluster-require-full-coverage", Kind::Bool, "yes", 0, "refuse queries while a slot is uncovered"),
    d!("cluster-allow-reads-when-down", Kind::Bool, "no", 0, "serve reads while the cluster is down"),
    d!("cluster-allow-pubsubshard-when-down", Kind::Bool, "yes", 0, "serve shard pub/sub while the cluster is down"),
    d!("cluster-replica-validity-factor" / "cluster-slave-validity-factor", Int(0, INT_MAX), "10", 0, "how stale a replica may be to fail over"),
    d!("cluster-migration-barrier", Int(0, INT_MAX), "1", 0, "replicas a primary keeps before one migrates"),
    d!("cluster-allow-replica-migration", Kind::Bool, "yes", 0, "replicas may migrate to orphaned primaries"),
    d!("cluster-replica-no-failover" / "cluster-slave-no-failover", Kind::Bool, "no", 0, "this replica never fails over automatically"),
    d!("cluster-link-sendbuf-limit", Mem(0, LONG_MAX), "0", 0, "per-link send buffer limit"),
    d!("cluster-preferred-endpoint-type", Enum(&["ip", "hostname", "unknown-endpoint"]), "ip", 0, "endpoint clients are given in redirects"),
    // ---- TLS: accepted, not implemented
    d!("tls-port", Int(0, 65535), "0", 0, "accepted; TLS is not implemented"),
    d!("tls-cert-file", Str, "", 0, "accepted"),
    d!("tls-key-file", Str, "", 0, "accepted"),
    d!("tls-key-file-pass", Str, "", SENSITIVE, "accepted"),
    d!("tls-client-cert-file", Str, "", 0, "accepted"),
    d!("tls-client-key-file", Str, "", 0, "accepted"),
    d!("tls-client-key-file-pass", Str, "", SENSITIVE, "accepted"),
    d!("tls-dh-params-file", Str, "", 0, "accepted"),
    d!("tls-ca-cert-file", Str, "", 0, "accepted"),
    d!("tls-ca-cert-dir", Str, "", 0, "accepted"),
    d!("tls-protocols", Str, "", 0, "accepted"),
    d!("tls-ciphers", Str, "", 0, "accepted"),
    d!("tls-ciphersuites", Str, "", 0, "accepted"),
    d!("tls-prefer-server-ciphers", Kind::Bool, "no", 0, "accepted"),
    d!("tls-session-caching", Kind::Bool, "yes", 0, "accepted"),
    d!("tls-session-cache-size", Int(0, INT_MAX), "20480", 0, "accepted"),
    d!("tls-session-cache-timeout", Int(0, INT_MAX), "300", 0, "accepted"),
    d!("tls-cluster", Kind::Bool, "no", 0, "accepted"),
    d!("tls-replication", Kind::Bool, "no", 0, "accepted"),
    d!("tls-auth-clients", Enum(&["no", "yes", "optional"]), "yes", 0, "accepted"),
];

/// Config-file-only directives that are not CONFIG GET parameters.
pub const FILE_ONLY: &[&str] = &["include", "rename-command", "user", "loadmodule", "sentinel", "list-max-ziplist-entries", "list-max-ziplist-value"];

pub fn find(name: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|d| d.name.eq_ignore_ascii_case(name) || d.alias.is_some_and(|a| a.eq_ignore_ascii_case(name)))
}

#[allow(dead_code)]
fn _unused() -> &'static [&'static str] {
    YES_NO
}
