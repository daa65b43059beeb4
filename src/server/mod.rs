//! The server: shared state (`Server`), start-up, listeners, the cron task, signals and
//! shutdown. Connections live in `conn`.
//!
//! Ownership: `Server` is created once and shared as `Arc<Server>`. Its fields are each
//! guarded for their own access pattern (see the field comments); none is held across
//! an `.await`.
pub mod aof_rewrite;
pub mod blocking;
pub mod client;
pub mod conn;
pub mod evict;
pub mod latency;
pub mod log;
pub mod notify;
pub mod proctitle;
pub mod saving;
pub mod pubsub;
pub mod slowlog;
pub mod stats;

use crate::cmd::table::Table;
use crate::config::{Settings, Store};
use crate::keyspace::Keyspace;
use client::ClientShared;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How often a client's reply buffer peak restarts by default (Redis: 5 s).
pub const REPLY_BUFFER_PEAK_RESET_MS: i64 = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseMode {
    Write,
    All,
}

#[derive(Clone, Copy, Debug)]
pub struct Pause {
    pub mode: PauseMode,
    pub until_ms: i64,
}

/// How SHUTDOWN (or a signal) asked the server to stop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownRequest {
    /// None: save if save points are configured (Redis's default).
    pub save: Option<bool>,
    pub now: bool,
    pub force: bool,
}

pub struct Server {
    /// Running configuration. Written by CONFIG SET/REWRITE under this lock; readers
    /// on the hot path use `settings` instead.
    pub config: Mutex<Store>,
    /// Typed snapshot of `config`, replaced whole after each change. Connections cache
    /// the Arc and re-read it when `settings_gen` moves (one relaxed load per batch).
    settings: RwLock<Arc<Settings>>,
    pub settings_gen: AtomicU64,
    pub ks: Keyspace,
    /// Every applied write, in order (replication and AOF consume it).
    pub propagation: crate::repl::PropagationLog,
    /// The append-only file (its own locking; see persist::aof).
    pub aof: crate::persist::aof::Aof,
    /// Set while the data set loads at start-up (clients get -LOADING).
    pub loading: crate::persist::loading::Loading,
    pub table: Table,
    pub stats: stats::Stats,
    pub pubsub: pubsub::PubSub,
    /// Connected clients by id (CLIENT LIST/KILL, INFO clients).
    pub clients: Mutex<BTreeMap<u64, Arc<ClientShared>>>,
    pub next_client_id: AtomicU64,
    /// MONITOR clients; `has_monitors` spares the gate a lock when there are none.
    pub monitors: Mutex<Vec<Arc<ClientShared>>>,
    pub has_monitors: AtomicBool,
    pub run_id: String,
    pub started: Instant,
    pub started_ms: i64,
    /// CLIENT PAUSE state; `unpaused` wakes waiting connections.
    pub pause: Mutex<Option<Pause>>,
    /// End of the current pause in Unix ms (0: none): lets the gate skip the mutex.
    pub pause_until_ms: AtomicI64,
    pub unpaused: tokio::sync::Notify,
    pub slowlog: Mutex<slowlog::SlowLog>,
    pub latency: Mutex<latency::Latency>,
    /// Error replies by prefix (INFO errorstats).
    pub errorstats: Mutex<BTreeMap<String, u64>>,
    pub instant_ops: Mutex<stats::InstantMetric>,
    pub instant_in: Mutex<stats::InstantMetric>,
    pub instant_out: Mutex<stats::InstantMetric>,
    /// DEBUG SET-ACTIVE-EXPIRE.
    pub active_expire: AtomicBool,
    /// Eviction candidates carried between eviction rounds (see evict.rs).
    pub evict_pool: Mutex<evict::Pool>,
    pub expire_cursor: Mutex<crate::keyspace::expire::Cursor>,
    pub lastsave_secs: AtomicI64,
    /// RDB saving state (SAVE/BGSAVE/save points; see saving.rs).
    pub rdb: saving::RdbState,
    pub replica: AtomicBool,
    pub connected_clients: AtomicUsize,
    pub blocked_clients: AtomicUsize,
    /// Set once to stop the server; the main task waits on `shutdown_notify`.
    pub shutdown_req: Mutex<Option<ShutdownRequest>>,
    pub shutdown_notify: tokio::sync::Notify,
    pub tcp_port: AtomicUsize,
    /// The accept loops of the TCP listeners with their sockets' descriptors, replaced
    /// by CONFIG SET port/bind.
    pub tcp_accept_tasks: Mutex<Vec<(tokio::task::AbortHandle, i32)>>,
    /// The server's own `Arc`, for commands that start tasks (CONFIG SET port spawns
    /// accept loops). Set once by `run`.
    pub this: std::sync::OnceLock<std::sync::Weak<Server>>,
    /// Latency histograms by command id, allocated on a command's first call
    /// (latency-tracking).
    cmd_latency: Box<[std::sync::OnceLock<Box<latency::Histogram>>]>,
    /// DEBUG REPLYBUFFER: how often a client's reply buffer peak restarts (ms; -1:
    /// never), and whether reply buffers are resized at all.
    pub reply_buffer_peak_reset_ms: AtomicI64,
    pub reply_buffer_resizing: AtomicBool,
    /// Bytes of client query buffers and pending replies (maxmemory-clients), as the
    /// connections report them (see conn::MemShare).
    pub client_mem: AtomicUsize,
    /// DEBUG PAUSE-CRON: the cron does nothing while set.
    pub cron_paused: AtomicBool,
    /// A shutdown asked for by a signal, carried out by the cron (SHUTDOWN ABORT can
    /// still cancel it until then).
    pub shutdown_asap: Mutex<Option<ShutdownRequest>>,
    pub executable: String,
}

impl Server {
    pub fn new(store: Store) -> Result<Server, String> {
        let settings = Settings::from_store(&store);
        let mut table = Table::build(crate::cmd::all_defs())?;
        rename_commands(&mut table, &store.renames)?;
        let command_count = table.iter().map(|c| c.subcommands.values().map(|s| s.id).chain([c.id]).max().unwrap_or(0)).max().unwrap_or(0) as usize + 1;
        let run_id: String = {
            use rand::Rng;
            let mut r = rand::thread_rng();
            (0..40).map(|_| std::char::from_digit(r.gen_range(0..16), 16).unwrap_or('0')).collect()
        };
        let srv = Server {
            ks: Keyspace::new(if settings.cluster_enabled { 1 } else { settings.databases }),
            propagation: Default::default(),
            aof: Default::default(),
            loading: Default::default(),
            config: Mutex::new(store),
            settings: RwLock::new(Arc::new(settings)),
            settings_gen: AtomicU64::new(0),
            table,
            stats: Default::default(),
            pubsub: Default::default(),
            clients: Mutex::new(BTreeMap::new()),
            next_client_id: AtomicU64::new(1),
            monitors: Mutex::new(Vec::new()),
            has_monitors: AtomicBool::new(false),
            run_id,
            started: Instant::now(),
            started_ms: crate::util::time::now_ms(),
            pause: Mutex::new(None),
            pause_until_ms: AtomicI64::new(0),
            unpaused: tokio::sync::Notify::new(),
            slowlog: Default::default(),
            latency: Default::default(),
            errorstats: Default::default(),
            instant_ops: Default::default(),
            instant_in: Default::default(),
            instant_out: Default::default(),
            active_expire: AtomicBool::new(true),
            evict_pool: Mutex::new(Vec::new()),
            expire_cursor: Default::default(),
            lastsave_secs: AtomicI64::new(crate::util::time::now_secs()),
            rdb: Default::default(),
            replica: AtomicBool::new(false),
            connected_clients: AtomicUsize::new(0),
            blocked_clients: AtomicUsize::new(0),
            shutdown_req: Mutex::new(None),
            shutdown_notify: tokio::sync::Notify::new(),
            tcp_port: AtomicUsize::new(0),
            tcp_accept_tasks: Mutex::new(Vec::new()),
            this: std::sync::OnceLock::new(),
            cmd_latency: (0..command_count).map(|_| std::sync::OnceLock::new()).collect(),
            reply_buffer_peak_reset_ms: AtomicI64::new(REPLY_BUFFER_PEAK_RESET_MS),
            reply_buffer_resizing: AtomicBool::new(true),
            cron_paused: AtomicBool::new(false),
            client_mem: AtomicUsize::new(0),
            shutdown_asap: Mutex::new(None),
            executable: std::env::current_exe().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        srv.apply_settings_side_effects();
        Ok(srv)
    }

    pub fn settings(&self) -> Arc<Settings> {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Rebuilds `Settings` from the store after a change.
    pub fn reload_settings(&self) {
        let s = Settings::from_store(&self.config.lock().unwrap_or_else(|e| e.into_inner()));
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
        self.settings_gen.fetch_add(1, Ordering::Release);
        self.apply_settings_side_effects();
    }

    fn apply_settings_side_effects(&self) {
        crate::persist::rdb_file::KEY_SAVE_DELAY_US.store(self.settings().rdb_key_save_delay, Ordering::Relaxed);
        let s = self.settings();
        self.pubsub.hard_limit.store(s.output_pubsub.hard_bytes, Ordering::Relaxed);
        self.pubsub.soft_limit.store(s.output_pubsub.soft_bytes, Ordering::Relaxed);
        self.pubsub.soft_secs.store(s.output_pubsub.soft_secs, Ordering::Relaxed);
        log::set_level(&s.loglevel);
    }

    pub fn is_replica(&self) -> bool {
        self.replica.load(Ordering::Relaxed)
    }

    pub fn client(&self, id: u64) -> Option<Arc<ClientShared>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    pub fn request_shutdown(&self, req: ShutdownRequest) {
        *self.shutdown_req.lock().unwrap_or_else(|e| e.into_inner()) = Some(req);
        self.shutdown_notify.notify_waiters();
        self.shutdown_notify.notify_one();
    }

    pub fn record_error(&self, prefix: &str) {
        self.stats.total_error_replies.fetch_add(1, Ordering::Relaxed);
        let mut m = self.errorstats.lock().unwrap_or_else(|e| e.into_inner());
        // Redis caps distinct error prefixes at 128 to bound memory.
        if m.len() < 128 || m.contains_key(prefix) {
            *m.entry(prefix.to_string()).or_insert(0) += 1;
        }
    }

    /// Whether clients are paused for a command with these flags (CLIENT PAUSE).
    pub fn paused_for(&self, is_write: bool, now_ms: i64) -> bool {
        if self.pause_until_ms.load(Ordering::Relaxed) <= now_ms {
            return false;
        }
        let p = *self.pause.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Some(p) if p.until_ms > now_ms => p.mode == PauseMode::All || is_write,
            _ => false,
        }
    }

    /// The latency histogram of command `id` (allocated on first use).
    pub fn command_latency(&self, id: u32) -> &latency::Histogram {
        match self.cmd_latency.get(id as usize) {
            Some(h) => h.get_or_init(Default::default),
            // Ids come from the table this array was sized from.
            None => unreachable_histogram(),
        }
    }

    /// The latency histogram of command `id` if it recorded anything.
    pub fn command_latency_if_any(&self, id: u32) -> Option<latency::Snapshot> {
        let s = self.cmd_latency.get(id as usize)?.get()?.snapshot();
        (s.total > 0).then_some(s)
    }

    /// CONFIG RESETSTAT: forget every command's latencies.
    pub fn reset_command_latency(&self) {
        for h in self.cmd_latency.iter().filter_map(|h| h.get()) {
            h.reset();
        }
    }

    pub fn uptime_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }
}

/// A histogram that records into nothing visible, for an id outside the table.
fn unreachable_histogram() -> &'static latency::Histogram {
    static SPARE: std::sync::OnceLock<latency::Histogram> = std::sync::OnceLock::new();
    SPARE.get_or_init(Default::default)
}

/// Applies the config file's `rename-command old new` lines (an empty new name removes
/// the command). The command keeps its own name in statistics and errors, as in Redis.
fn rename_commands(table: &mut Table, renames: &[(String, String)]) -> Result<(), String> {
    for (old, new) in renames {
        let Some(cmd) = table.commands.remove(old.as_str()) else {
            // A Redis command slotd does not implement has nothing to rename.
            if table.all_meta.contains_key(old.as_str()) {
                continue;
            }
            return Err(format!("No such command in rename-command: {old}"));
        };
        if new.is_empty() {
            continue;
        }
        if table.commands.contains_key(new.as_str()) {
            return Err(format!("Target command name already exists in rename-command: {new}"));
        }
        table.commands.insert(new.clone(), cmd);
    }
    Ok(())
}

/// Runs the server until shutdown. Returns the process exit code.
pub async fn run(srv: Arc<Server>) -> i32 {
    let _ = srv.this.set(Arc::downgrade(&srv));
    let settings = srv.settings();
    let listeners = match conn::bind_all(&srv, &settings).await {
        Ok(l) => l,
        Err(e) => {
            for line in e.lines() {
                tracing::warn!("{line}");
            }
            return 1;
        }
    };
    if !settings.cluster_enabled {
        tracing::info!("Server initialized");
    }
    write_pidfile(&srv);
    // Until the data set is loaded and the AOF open, clients get -LOADING (in Redis they
    // are not served at all before then, except with -LOADING while a load runs).
    srv.loading.start(0);
    for l in listeners {
        let s = srv.clone();
        let fd = match &l {
            conn::Listener::Tcp(t) => Some(std::os::fd::AsRawFd::as_raw_fd(t)),
            conn::Listener::Unix(_) => None,
        };
        let task = tokio::spawn(conn::accept_loop(s, l));
        if let Some(fd) = fd {
            srv.tcp_accept_tasks.lock().unwrap_or_else(|e| e.into_inner()).push((task.abort_handle(), fd));
        }
    }
    tokio::spawn(signals(srv.clone()));
    // The data set loads while clients are already served (-LOADING), as in Redis.
    let loader = srv.clone();
    // The RDB file is the source of the data set unless the AOF is on (then the AOF,
    // whose base may itself be an RDB).
    let mut loading = tokio::task::spawn_blocking(move || {
        if !loader.settings().appendonly {
            if let Err(e) = saving::load_at_startup(&loader) {
                for line in e.lines() {
                    tracing::warn!("{line}");
                }
                return Err(crate::persist::aof::Refused);
            }
        }
        loader.aof.start_up(&loader)
    });
    loop {
        tokio::select! {
            r = &mut loading => match r {
                Ok(Ok(())) => {
                    srv.loading.stop();
                    break;
                }
                _ => return 1,
            },
            // A signal while loading stops the server without waiting for the load.
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                if srv.shutdown_asap.lock().unwrap_or_else(|e| e.into_inner()).take().is_some() {
                    return shutdown(&srv).await.unwrap_or(1);
                }
            }
        }
    }
    tokio::spawn(cron(srv.clone()));
    tracing::info!("Ready to accept connections");
    loop {
        let notified = srv.shutdown_notify.notified();
        if srv.shutdown_req.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
            match shutdown(&srv).await {
                Some(code) => return code,
                // The final save failed: keep serving, as Redis does without FORCE.
                None => *srv.shutdown_req.lock().unwrap_or_else(|e| e.into_inner()) = None,
            }
            continue;
        }
        notified.await;
    }
}

/// Carries out a requested shutdown; None if it was refused (a failed final save
/// without FORCE) and the server keeps running.
async fn shutdown(srv: &Server) -> Option<i32> {
    let req = srv.shutdown_req.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or_default();
    tracing::warn!("User requested shutdown...");
    let s = srv.settings();
    // SAVE, or save points configured and no NOSAVE: write the snapshot first. A failed
    // save is logged; FORCE exits anyway (slotd cannot take back the SHUTDOWN reply).
    if req.save.unwrap_or(!s.save_points.is_empty()) {
        tracing::warn!("Saving the final RDB snapshot before exiting.");
        if let Err(e) = saving::save(srv) {
            tracing::warn!("Error trying to save the DB, can't exit. ({e})");
            if !req.force {
                return None;
            }
        }
    }
    // Past the last point where the shutdown can be refused: flush and fsync the AOF.
    srv.aof.shutdown(srv);
    if !s.unixsocket.is_empty() {
        let _ = std::fs::remove_file(&s.unixsocket);
    }
    let pidfile = srv.config.lock().unwrap_or_else(|e| e.into_inner()).get("pidfile").unwrap_or("").to_string();
    if !pidfile.is_empty() {
        let _ = std::fs::remove_file(&pidfile);
    }
    tracing::warn!("slotd is now ready to exit, bye bye...");
    Some(0)
}

fn write_pidfile(srv: &Server) {
    let pidfile = srv.config.lock().unwrap_or_else(|e| e.into_inner()).get("pidfile").unwrap_or("").to_string();
    if !pidfile.is_empty() {
        if let Err(e) = std::fs::write(&pidfile, format!("{}\n", std::process::id())) {
            tracing::warn!("Failed to write PID file: {e}");
        }
    }
}

async fn signals(srv: Arc<Server>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        tracing::warn!("could not install signal handlers");
        return;
    };
    loop {
        let which = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        let s = srv.settings();
        let how = if which == "SIGTERM" { &s.shutdown_on_sigterm } else { &s.shutdown_on_sigint };
        tracing::warn!("Received {which} scheduling shutdown...");
        let mut req = ShutdownRequest::default();
        for w in how.split_whitespace() {
            match w {
                "save" => req.save = Some(true),
                "nosave" => req.save = Some(false),
                "now" => req.now = true,
                "force" => req.force = true,
                _ => {}
            }
        }
        *srv.shutdown_asap.lock().unwrap_or_else(|e| e.into_inner()) = Some(req);
    }
}

/// The periodic task (Redis's serverCron): active expiry, instantaneous metrics, client
/// pause expiry. Runs `hz` times a second.
async fn cron(srv: Arc<Server>) {
    let mut rng = rand::rngs::StdRng::from_entropy();
    use rand::SeedableRng;
    loop {
        let s = srv.settings();
        let period = Duration::from_millis((1000 / s.hz.max(1)) as u64);
        tokio::time::sleep(period).await;
        if srv.cron_paused.load(Ordering::Relaxed) {
            continue;
        }
        let now = crate::util::time::now_ms();
        // A signal's shutdown happens here, as in Redis's serverCron.
        let asap = srv.shutdown_asap.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(req) = asap {
            srv.request_shutdown(req);
        }
        // During CLIENT PAUSE keys are not expired (a paused primary must not change
        // its data set), only hidden when logically expired.
        let paused = srv.pause_until_ms.load(Ordering::Relaxed) > now;
        if srv.active_expire.load(Ordering::Relaxed) && !srv.is_replica() && !paused {
            // Redis gives the slow cycle 25% of each cron period (more with effort).
            let budget = period * (25 + 2 * s.active_expire_effort.saturating_sub(1)) / 100;
            let mut cursor = *srv.expire_cursor.lock().unwrap_or_else(|e| e.into_inner());
            let srv2 = srv.clone();
            let expired = crate::keyspace::expire::cycle(&srv2.ks, &mut cursor, now, budget, &mut rng);
            *srv.expire_cursor.lock().unwrap_or_else(|e| e.into_inner()) = cursor;
            if !expired.is_empty() {
                crate::cmd::gate::after_expire(&srv, &s, &expired);
            }
        }
        srv.instant_ops.lock().unwrap_or_else(|e| e.into_inner()).track(now, srv.stats.total_commands_processed.load(Ordering::Relaxed));
        srv.instant_in.lock().unwrap_or_else(|e| e.into_inner()).track(now, srv.stats.total_net_input_bytes.load(Ordering::Relaxed));
        srv.instant_out.lock().unwrap_or_else(|e| e.into_inner()).track(now, srv.stats.total_net_output_bytes.load(Ordering::Relaxed));
        let mut p = srv.pause.lock().unwrap_or_else(|e| e.into_inner());
        if p.is_some_and(|p| p.until_ms <= now) {
            *p = None;
            srv.pause_until_ms.store(0, Ordering::Relaxed);
            srv.unpaused.notify_waiters();
        }
        drop(p);
        evict::cron(&srv, &s);
        saving::cron(&srv, now / 1000);
        aof_rewrite::cron(&srv);
        conn::close_idle_clients(&srv, &s, now);
        conn::resize_client_buffers(&srv, now);
        conn::evict_clients(&srv, &s);
        let closed = srv.pubsub.check_soft_limits(now, |id| srv.client(id));
        srv.stats.client_output_buffer_limit_disconnections.fetch_add(closed as u64, Ordering::Relaxed);
    }
}

/// Builds the runtime and runs the server (the binary's whole job after parsing argv).
/// One worker thread per CPU this process may use (`taskset` is honoured); with one,
/// a current-thread runtime avoids cross-thread scheduling costs.
pub fn start(store: Store, argv: &[String]) -> i32 {
    let logfile = store.get("logfile").unwrap_or("").to_string();
    let level = store.get("loglevel").unwrap_or("notice").to_string();
    if let Err(e) = log::init(&logfile, &level) {
        eprintln!("{e}");
        return 1;
    }
    let pid = std::process::id();
    tracing::warn!("oO0OoO0OoO0Oo slotd is starting oO0OoO0OoO0Oo");
    tracing::warn!("slotd version={}, redis_version={}, bits=64, pid={pid}, just started", crate::VERSION, crate::REDIS_VERSION);
    if store.file.is_none() && argv.is_empty() {
        tracing::warn!("Warning: no config file specified, using the default config. In order to specify a config file use slotd /path/to/redis.conf");
    } else {
        tracing::warn!("Configuration loaded");
    }
    // Redis works inside `dir` (it chdirs when the directive is read): data files
    // with relative names land there.
    if let Some(dir) = store.get("dir").filter(|d| !d.is_empty()) {
        if let Err(e) = std::env::set_current_dir(dir) {
            tracing::warn!("Can't chdir to '{dir}': {e}");
            return 1;
        }
    }
    let show_logo = store.get_bool("always-show-logo");
    let cluster = store.get_bool("cluster-enabled");
    let port = store.get_i64("port");
    proctitle::init();
    if store.get_bool("set-proc-title") {
        proctitle::update(&store);
    }
    let srv = match Server::new(store) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            tracing::warn!("Fatal: {e}");
            return 1;
        }
    };
    // Everything start-up allocates is in place and no data exists yet: Redis's
    // used_memory_startup.
    crate::cmd::server_cmds::info::record_startup_memory();
    log::set_role(b'M');
    let mode = if cluster { "cluster" } else { "standalone" };
    if show_logo {
        // The banner's lines carry what harnesses wait for (" PID: <pid>").
        let banner = format!(
            "\n    slotd {} (Redis {} compatible) 64 bit\n\n    Running in {} mode\n    Port: {}\n    PID: {}\n\n",
            crate::VERSION, crate::REDIS_VERSION, mode, port, pid
        );
        tracing::info!("{banner}");
    } else {
        tracing::info!("Running mode={mode}, port={port}.");
    }
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let rt = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    };
    let rt = match rt {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("Fatal: cannot start the runtime: {e}");
            return 1;
        }
    };
    rt.block_on(run(srv))
}
