//! INFO: Redis 7.0's sections and fields, in Redis's order, with `\r\n` line ends and
//! `# Section` headers, so that tools that parse INFO (redis-cli --cluster, exporters,
//! client libraries, test suites) read slotd as they read redis-server.
//!
//! Values are truthful for what slotd has: counters come from `server::stats`, memory
//! from the counting allocator and /proc, CPU from /proc/self/stat. Features slotd does
//! not have yet (RDB saves, replication, modules, client tracking) report Redis's
//! idle values (`rdb_bgsave_in_progress:0`, `connected_slaves:0` ...).
use super::super::{CmdResult, Ctx};
use crate::resp::Reply;
use crate::server::Server;
use bytes::Bytes;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock};

/// Every section in output order. `default` marks those INFO prints without arguments.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

static STARTUP_MEMORY: OnceLock<u64> = OnceLock::new();

/// Records the memory in use before any data exists (Redis's used_memory_startup).
/// Called while the command table is built, i.e. during server start-up.
pub fn record_startup_memory() {
    let _ = STARTUP_MEMORY.set(crate::server::evict::used_memory());
}

pub fn startup_memory() -> u64 {
    *STARTUP_MEMORY.get().unwrap_or(&0)
}

/// The replication ID (master_replid). A process runs one server, so it lives here until
/// replication gives it a home; DEBUG CHANGE-REPL-ID replaces it.
static REPLID: Mutex<String> = Mutex::new(String::new());

pub fn replid() -> String {
    let mut r = REPLID.lock().unwrap_or_else(|e| e.into_inner());
    if r.is_empty() {
        *r = random_hex40();
    }
    r.clone()
}

pub fn change_replid() {
    *REPLID.lock().unwrap_or_else(|e| e.into_inner()) = random_hex40();
}

fn random_hex40() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..40).map(|_| std::char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0')).collect()
}

/// Redis's bytesToHuman.
pub fn human_bytes(n: u64) -> String {
    let f = n as f64;
    const K: f64 = 1024.0;
    if n < 1024 {
        format!("{n}B")
    } else if f < K * K {
        format!("{:.2}K", f / K)
    } else if f < K * K * K {
        format!("{:.2}M", f / (K * K))
    } else if f < K * K * K * K {
        format!("{:.2}G", f / (K * K * K))
    } else if f < K * K * K * K * K {
        format!("{:.2}T", f / (K * K * K * K))
    } else {
        format!("{:.2}P", f / (K * K * K * K * K))
    }
}

/// Which sections the arguments ask for.
fn wanted(argv: &[Bytes]) -> Vec<&'static str> {
    if argv.len() <= 1 {
        return SECTIONS.iter().filter(|s| s.1).map(|s| s.0).collect();
    }
    let mut out: Vec<&'static str> = Vec::new();
    for a in &argv[1..] {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "all" | "everything" => out.extend(SECTIONS.iter().map(|s| s.0)),
            "default" => out.extend(SECTIONS.iter().filter(|s| s.1).map(|s| s.0)),
            name => {
                if let Some(s) = SECTIONS.iter().find(|s| s.0 == name) {
                    out.push(s.0);
                }
            }
        }
    }
    out
}

pub fn info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let want = wanted(argv);
    let counts = if want.contains(&"keyspace") { super::key_counts(ctx) } else { Vec::new() };
    let mut parts: Vec<String> = Vec::new();
    for (name, _) in SECTIONS {
        if want.contains(name) {
            parts.push(section(ctx, name, &counts));
        }
    }
    Ok(Reply::Verbatim("txt", parts.join("\r\n").into_bytes()))
}

/// The text of one section (header included); `counts` are the per-database key counts
/// the keyspace section prints.
pub fn section(ctx: &Ctx, name: &str, counts: &[(usize, usize)]) -> String {
    let mut s = String::new();
    let title = match name {
        "cpu" => "CPU".to_string(),
        other => {
            let mut t = other.to_string();
            t[..1].make_ascii_uppercase();
            t
        }
    };
    let _ = write!(s, "# {title}\r\n");
    let srv = ctx.srv;
    match name {
        "server" => server(ctx, &mut s),
        "clients" => clients(ctx, &mut s),
        "memory" => memory(ctx, &mut s),
        "persistence" => persistence(srv, ctx.settings.appendonly, &mut s),
        "stats" => stats(srv, &mut s),
        "replication" => replication(ctx, &mut s),
        "cpu" => cpu(&mut s),
        "commandstats" => commandstats(srv, &mut s),
        "errorstats" => errorstats(srv, &mut s),
        "latencystats" => latencystats(ctx, &mut s),
        "cluster" => {
            let _ = write!(s, "cluster_enabled:{}\r\n", ctx.settings.cluster_enabled as u8);
        }
        "keyspace" => keyspace(counts, &mut s),
        _ => {}
    }
    s
}

macro_rules! line {
    ($s:expr, $($arg:tt)*) => {{
        let _ = write!($s, $($arg)*);
        $s.push_str("\r\n");
    }};
}

fn os_line() -> String {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()).unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/ostype").map(|s| s.trim().to_string()).unwrap_or_else(|_| "Linux".into());
    format!("{kernel} {release} {}", std::env::consts::ARCH)
}

fn server(ctx: &Ctx, s: &mut String) {
    let srv = ctx.srv;
    let st = ctx.settings;
    let store = srv.config.lock().unwrap_or_else(|e| e.into_inner());
    let config_file = store.file.as_ref().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    drop(store);
    let uptime = srv.uptime_secs();
    line!(s, "redis_version:{}", crate::REDIS_VERSION);
    line!(s, "slotd_version:{}", crate::VERSION);
    line!(s, "redis_git_sha1:00000000");
    line!(s, "redis_git_dirty:0");
    line!(s, "redis_build_id:{}", build_id());
    line!(s, "redis_mode:{}", if st.cluster_enabled { "cluster" } else { "standalone" });
    line!(s, "os:{}", os_line());
    line!(s, "arch_bits:{}", usize::BITS);
    line!(s, "monotonic_clock:POSIX clock_gettime");
    line!(s, "multiplexing_api:epoll");
    line!(s, "atomicvar_api:c11-builtin");
    line!(s, "gcc_version:0.0.0");
    line!(s, "process_id:{}", std::process::id());
    line!(s, "process_supervised:no");
    line!(s, "run_id:{}", srv.run_id);
    line!(s, "tcp_port:{}", srv.tcp_port.load(Ordering::Relaxed));
    line!(s, "server_time_usec:{}", crate::util::time::now_us());
    line!(s, "uptime_in_seconds:{uptime}");
    line!(s, "uptime_in_days:{}", uptime / 86400);
    line!(s, "hz:{}", st.hz);
    line!(s, "configured_hz:{}", st.hz);
    line!(s, "lru_clock:{}", crate::server::evict::lru_clock());
    line!(s, "executable:{}", srv.executable);
    line!(s, "config_file:{config_file}");
    line!(s, "io_threads_active:0");
}

/// A stable 16-hex-digit build id derived from the version (Redis hashes its build).
fn build_id() -> String {
    let h = super::sha1::sha1(format!("slotd-{}", crate::VERSION).as_bytes());
    super::sha1::hex(&h[..8])
}

fn clients(ctx: &Ctx, s: &mut String) {
    let srv = ctx.srv;
    let (mut max_in, mut max_out, mut pubsub_clients) = (0usize, 0usize, 0usize);
    for c in srv.clients.lock().unwrap_or_else(|e| e.into_inner()).values() {
        max_in = max_in.max(c.qbuf_bytes.load(Ordering::Relaxed));
        max_out = max_out.max(c.obuf_bytes.load(Ordering::Relaxed).max(c.pending_bytes.load(Ordering::Relaxed)));
        if c.has_flag(crate::server::client::flags::PUBSUB) {
            pubsub_clients += 1;
        }
    }
    let _ = pubsub_clients;
    line!(s, "connected_clients:{}", srv.connected_clients.load(Ordering::Relaxed));
    line!(s, "cluster_connections:0");
    line!(s, "maxclients:{}", ctx.settings.maxclients);
    line!(s, "client_recent_max_input_buffer:{max_in}");
    line!(s, "client_recent_max_output_buffer:{max_out}");
    line!(s, "blocked_clients:{}", srv.blocked_clients.load(Ordering::Relaxed));
    line!(s, "tracking_clients:0");
    line!(s, "clients_in_timeout_table:0");
}

fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<u64>().ok()))
        .map_or(0, |kb| kb * 1024)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn memory(ctx: &Ctx, s: &mut String) {
    let st = ctx.settings;
    let used = crate::server::evict::used_memory();
    let peak = (crate::util::alloc::peak_memory() as u64).max(used);
    let rss = super::rss_bytes();
    let startup = startup_memory().min(used);
    let overhead = startup;
    let dataset = used - overhead;
    let sys = total_system_memory();
    let policy = ctx.srv.config.lock().unwrap_or_else(|e| e.into_inner()).get("maxmemory-policy").unwrap_or("noeviction").to_string();
    line!(s, "used_memory:{used}");
    line!(s, "used_memory_human:{}", human_bytes(used));
    line!(s, "used_memory_rss:{rss}");
    line!(s, "used_memory_rss_human:{}", human_bytes(rss));
    line!(s, "used_memory_peak:{peak}");
    line!(s, "used_memory_peak_human:{}", human_bytes(peak));
    line!(s, "used_memory_peak_perc:{:.2}%", ratio(used, peak) * 100.0);
    line!(s, "used_memory_overhead:{overhead}");
    line!(s, "used_memory_startup:{startup}");
    line!(s, "used_memory_dataset:{dataset}");
    line!(s, "used_memory_dataset_perc:{:.2}%", ratio(dataset, used - startup) * 100.0);
    line!(s, "allocator_allocated:{used}");
    line!(s, "allocator_active:{used}");
    line!(s, "allocator_resident:{rss}");
    line!(s, "total_system_memory:{sys}");
    line!(s, "total_system_memory_human:{}", human_bytes(sys));
    line!(s, "used_memory_lua:0");
    line!(s, "used_memory_vm_eval:0");
    line!(s, "used_memory_lua_human:0B");
    line!(s, "used_memory_scripts_eval:0");
    line!(s, "number_of_cached_scripts:0");
    line!(s, "number_of_functions:0");
    line!(s, "number_of_libraries:0");
    line!(s, "used_memory_vm_functions:0");
    line!(s, "used_memory_vm_total:0");
    line!(s, "used_memory_vm_total_human:0B");
    line!(s, "used_memory_functions:0");
    line!(s, "used_memory_scripts:0");
    line!(s, "used_memory_scripts_human:0B");
    line!(s, "maxmemory:{}", st.maxmemory);
    line!(s, "maxmemory_human:{}", human_bytes(st.maxmemory));
    line!(s, "maxmemory_policy:{policy}");
    line!(s, "allocator_frag_ratio:1.00");
    line!(s, "allocator_frag_bytes:0");
    line!(s, "allocator_rss_ratio:{:.2}", ratio(rss, used));
    line!(s, "allocator_rss_bytes:{}", rss as i64 - used as i64);
    line!(s, "rss_overhead_ratio:1.00");
    line!(s, "rss_overhead_bytes:0");
    line!(s, "mem_fragmentation_ratio:{:.2}", ratio(rss, used));
    line!(s, "mem_fragmentation_bytes:{}", rss as i64 - used as i64);
    line!(s, "mem_not_counted_for_evict:0");
    line!(s, "mem_replication_backlog:0");
    line!(s, "mem_total_replication_buffers:0");
    line!(s, "mem_clients_slaves:0");
    line!(s, "mem_clients_normal:{}", ctx.srv.client_mem.load(Ordering::Relaxed) + ctx.srv.pubsub.pending_total.load(Ordering::Relaxed));
    line!(s, "mem_cluster_links:0");
    line!(s, "mem_aof_buffer:{}", ctx.srv.aof.info().buffer_length);
    line!(s, "mem_allocator:libc");
    line!(s, "active_defrag_running:0");
    line!(s, "lazyfree_pending_objects:0");
    line!(s, "lazyfreed_objects:0");
}

fn persistence(srv: &Server, appendonly: bool, s: &mut String) {
    let rdb = &srv.rdb;
    let saving = rdb.in_progress.load(Ordering::Relaxed);
    let loading = srv.loading.is_active();
    let aof = srv.aof.info();
    let rw = &srv.aof.shared.rewrite;
    let now = crate::util::time::now_secs();
    line!(s, "loading:{}", loading as u8);
    line!(s, "async_loading:0");
    // No fork: no copy-on-write pages to report.
    line!(s, "current_cow_peak:0");
    line!(s, "current_cow_size:0");
    line!(s, "current_cow_size_age:0");
    line!(s, "current_fork_perc:0.00");
    line!(s, "current_save_keys_processed:{}", if saving { rdb.keys_processed.load(Ordering::Relaxed) } else { 0 });
    line!(s, "current_save_keys_total:{}", if saving { rdb.keys_total.load(Ordering::Relaxed) } else { 0 });
    line!(s, "rdb_changes_since_last_save:{}", srv.stats.dirty.load(Ordering::Relaxed));
    line!(s, "rdb_bgsave_in_progress:{}", saving as u8);
    line!(s, "rdb_last_save_time:{}", srv.lastsave_secs.load(Ordering::Relaxed));
    line!(s, "rdb_last_bgsave_status:{}", if rdb.last_bgsave_ok.load(Ordering::Relaxed) { "ok" } else { "err" });
    line!(s, "rdb_last_bgsave_time_sec:{}", rdb.last_bgsave_secs.load(Ordering::Relaxed));
    line!(s, "rdb_current_bgsave_time_sec:{}", if saving { now - rdb.started_secs.load(Ordering::Relaxed) } else { -1 });
    line!(s, "rdb_saves:{}", rdb.saves.load(Ordering::Relaxed));
    line!(s, "rdb_last_cow_size:0");
    line!(s, "rdb_last_load_keys_expired:{}", rdb.last_load_keys_expired.load(Ordering::Relaxed));
    line!(s, "rdb_last_load_keys_loaded:{}", rdb.last_load_keys_loaded.load(Ordering::Relaxed));
    let in_progress = rw.in_progress.load(Ordering::Relaxed);
    line!(s, "aof_enabled:{}", aof.enabled as u8);
    line!(s, "aof_rewrite_in_progress:{}", in_progress as u8);
    line!(s, "aof_rewrite_scheduled:{}", rw.scheduled.load(Ordering::Relaxed) as u8);
    line!(s, "aof_last_rewrite_time_sec:{}", rw.last_time_secs.load(Ordering::Relaxed));
    line!(s, "aof_current_rewrite_time_sec:{}", if in_progress { now - rw.started_secs.load(Ordering::Relaxed) } else { -1 });
    line!(s, "aof_last_bgrewrite_status:{}", if rw.last_ok.load(Ordering::Relaxed) { "ok" } else { "err" });
    line!(s, "aof_rewrites:{}", rw.count.load(Ordering::Relaxed));
    line!(s, "aof_rewrites_consecutive_failures:{}", rw.consecutive_failures.load(Ordering::Relaxed));
    line!(s, "aof_last_write_status:{}", if aof.last_write_ok { "ok" } else { "err" });
    // No fork: nothing is ever copied on write.
    line!(s, "aof_last_cow_size:0");
    line!(s, "module_fork_in_progress:0");
    line!(s, "module_fork_last_cow_size:0");
    // Shown when appendonly is configured, even while the AOF is still loading.
    if appendonly {
        line!(s, "aof_current_size:{}", aof.current_size);
        line!(s, "aof_base_size:{}", aof.base_size);
        line!(s, "aof_pending_rewrite:{}", rw.scheduled.load(Ordering::Relaxed) as u8);
        line!(s, "aof_buffer_length:{}", aof.buffer_length);
        line!(s, "aof_pending_bio_fsync:{}", aof.pending_bio_fsync);
        line!(s, "aof_delayed_fsync:{}", aof.delayed_fsync);
    }
    if loading {
        s.push_str(&srv.loading.info_lines(now));
    }
}

fn stats(srv: &Server, s: &mut String) {
    let st = &srv.stats;
    let g = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    let ops = srv.instant_ops.lock().unwrap_or_else(|e| e.into_inner()).rate();
    let kin = srv.instant_in.lock().unwrap_or_else(|e| e.into_inner()).rate() as f64 / 1024.0;
    let kout = srv.instant_out.lock().unwrap_or_else(|e| e.into_inner()).rate() as f64 / 1024.0;
    line!(s, "total_connections_received:{}", g(&st.total_connections_received));
    line!(s, "total_commands_processed:{}", g(&st.total_commands_processed));
    line!(s, "instantaneous_ops_per_sec:{ops}");
    line!(s, "total_net_input_bytes:{}", g(&st.total_net_input_bytes));
    line!(s, "total_net_output_bytes:{}", g(&st.total_net_output_bytes));
    line!(s, "total_net_repl_input_bytes:0");
    line!(s, "total_net_repl_output_bytes:0");
    line!(s, "instantaneous_input_kbps:{kin:.2}");
    line!(s, "instantaneous_output_kbps:{kout:.2}");
    line!(s, "instantaneous_input_repl_kbps:0.00");
    line!(s, "instantaneous_output_repl_kbps:0.00");
    line!(s, "rejected_connections:{}", g(&st.rejected_connections));
    line!(s, "sync_full:0");
    line!(s, "sync_partial_ok:0");
    line!(s, "sync_partial_err:0");
    line!(s, "expired_keys:{}", g(&st.expired_keys));
    line!(s, "expired_stale_perc:{:.2}", g(&st.expired_stale_perc) as f64 / 100.0);
    line!(s, "expired_time_cap_reached_count:0");
    line!(s, "expire_cycle_cpu_milliseconds:0");
    line!(s, "evicted_keys:{}", g(&st.evicted_keys));
    line!(s, "evicted_clients:{}", g(&st.evicted_clients));
    line!(s, "total_eviction_exceeded_time:{}", g(&st.total_eviction_exceeded_time_us) / 1000);
    line!(s, "current_eviction_exceeded_time:0");
    line!(s, "keyspace_hits:{}", g(&st.keyspace_hits));
    line!(s, "keyspace_misses:{}", g(&st.keyspace_misses));
    line!(s, "pubsub_channels:{}", srv.pubsub.channel_count());
    line!(s, "pubsub_patterns:{}", srv.pubsub.numpat());
    line!(s, "pubsubshard_channels:{}", srv.pubsub.shard_channel_count());
    line!(s, "latest_fork_usec:0");
    line!(s, "total_forks:0");
    line!(s, "migrate_cached_sockets:0");
    line!(s, "slave_expires_tracked_keys:0");
    line!(s, "active_defrag_hits:0");
    line!(s, "active_defrag_misses:0");
    line!(s, "active_defrag_key_hits:0");
    line!(s, "active_defrag_key_misses:0");
    line!(s, "total_active_defrag_time:0");
    line!(s, "current_active_defrag_time:0");
    line!(s, "tracking_total_keys:0");
    line!(s, "tracking_total_items:0");
    line!(s, "tracking_total_prefixes:0");
    line!(s, "unexpected_error_replies:{}", g(&st.unexpected_error_replies));
    line!(s, "total_error_replies:{}", g(&st.total_error_replies));
    line!(s, "dump_payload_sanitizations:0");
    line!(s, "total_reads_processed:{}", g(&st.total_reads_processed));
    line!(s, "total_writes_processed:{}", g(&st.total_writes_processed));
    line!(s, "io_threaded_reads_processed:0");
    line!(s, "io_threaded_writes_processed:0");
    line!(s, "reply_buffer_shrinks:0");
    line!(s, "reply_buffer_expands:0");
}

fn replication(ctx: &Ctx, s: &mut String) {
    let backlog = ctx.srv.config.lock().unwrap_or_else(|e| e.into_inner()).get_i64("repl-backlog-size");
    line!(s, "role:{}", if ctx.srv.is_replica() { "slave" } else { "master" });
    line!(s, "connected_slaves:0");
    line!(s, "master_failover_state:no-failover");
    line!(s, "master_replid:{}", replid());
    line!(s, "master_replid2:0000000000000000000000000000000000000000");
    line!(s, "master_repl_offset:0");
    line!(s, "second_repl_offset:-1");
    line!(s, "repl_backlog_active:0");
    line!(s, "repl_backlog_size:{backlog}");
    line!(s, "repl_backlog_first_byte_offset:0");
    line!(s, "repl_backlog_histlen:0");
}

/// (user, system, children user, children system) CPU seconds from /proc/self/stat.
fn cpu_times() -> (f64, f64, f64, f64) {
    /// Linux reports these in clock ticks of USER_HZ, which is 100 on every
    /// mainstream architecture.
    const TICKS_PER_SEC: f64 = 100.0;
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return (0.0, 0.0, 0.0, 0.0) };
    // The command name (field 2) may contain spaces; fields after the last ')' are
    // fixed. utime, stime, cutime, cstime are fields 14-17 (1-based).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse::<f64>().unwrap_or(0.0)).collect();
    let get = |i: usize| f.get(i).copied().unwrap_or(0.0) / TICKS_PER_SEC;
    // After ')': field 3 is at index 0, so field n is at index n - 3.
    (get(11), get(12), get(13), get(14))
}

fn cpu(s: &mut String) {
    let (user, sys, cuser, csys) = cpu_times();
    line!(s, "used_cpu_sys:{sys:.6}");
    line!(s, "used_cpu_user:{user:.6}");
    line!(s, "used_cpu_sys_children:{csys:.6}");
    line!(s, "used_cpu_user_children:{cuser:.6}");
    // slotd serves clients on several worker threads; the process totals are the
    // honest figure for "the thread that runs commands".
    line!(s, "used_cpu_sys_main_thread:{sys:.6}");
    line!(s, "used_cpu_user_main_thread:{user:.6}");
}

fn commandstats(srv: &Server, s: &mut String) {
    for c in all_commands(srv) {
        let calls = c.stats.calls.load(Ordering::Relaxed);
        let usec = c.stats.usec.load(Ordering::Relaxed);
        let rejected = c.stats.rejected_calls.load(Ordering::Relaxed);
        let failed = c.stats.failed_calls.load(Ordering::Relaxed);
        if calls == 0 && rejected == 0 && failed == 0 {
            continue;
        }
        let per = if calls > 0 { usec as f64 / calls as f64 } else { 0.0 };
        line!(s, "cmdstat_{}:calls={calls},usec={usec},usec_per_call={per:.2},rejected_calls={rejected},failed_calls={failed}", c.name);
    }
}

/// Every implemented command and subcommand, by name (INFO and LATENCY HISTOGRAM
/// list them in this order).
pub(crate) fn all_commands(srv: &Server) -> Vec<&crate::cmd::table::Command> {
    let mut all: Vec<&crate::cmd::table::Command> = Vec::new();
    for c in srv.table.iter() {
        all.push(c);
        all.extend(c.subcommands.values());
    }
    all.sort_by_key(|c| c.name);
    all
}

fn latencystats(ctx: &Ctx, s: &mut String) {
    let pcts = &ctx.settings.latency_percentiles;
    for c in all_commands(ctx.srv) {
        let Some(h) = ctx.srv.command_latency_if_any(c.id) else { continue };
        let _ = write!(s, "latency_percentiles_usec_{}:", c.name);
        for (i, p) in pcts.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(s, "p{}={:.3}", crate::config::value::fmt_percentile(*p), h.value_at_percentile(*p) as f64 / 1000.0);
        }
        s.push_str("\r\n");
    }
}

fn errorstats(srv: &Server, s: &mut String) {
    for (prefix, n) in srv.errorstats.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        line!(s, "errorstat_{prefix}:count={n}");
    }
}

fn keyspace(counts: &[(usize, usize)], s: &mut String) {
    for (db, &(keys, expires)) in counts.iter().enumerate() {
        if keys > 0 {
            line!(s, "db{db}:keys={keys},expires={expires},avg_ttl=0");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_prints_like_redis() {
        assert_eq!(human_bytes(0), "0B");
        assert_eq!(human_bytes(1023), "1023B");
        assert_eq!(human_bytes(916344), "894.87K");
        assert_eq!(human_bytes(6680576), "6.37M");
        assert_eq!(human_bytes(25276514304), "23.54G");
    }
}
