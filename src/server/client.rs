//! Per-client state.
//!
//! `Session` is what commands see and change (database, protocol, MULTI queue, WATCHed
//! keys, subscriptions ...). It is owned by the client's connection task; nothing else
//! touches it.
//!
//! `ClientShared` is the part other tasks need: CLIENT LIST/KILL/INFO read it, PUBLISH
//! delivers into its mailbox. Its fields are atomics or short-held mutexes; the
//! connection task is the only writer of all but `killed` and `pending_bytes`.
use crate::keyspace::SmallBytes;
use crate::resp::Reply;
use bytes::Bytes;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Set when a WATCHed key changes (or the watched database is flushed/swapped).
#[derive(Default, Debug)]
pub struct WatchFlag(AtomicBool);

impl WatchFlag {
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    pub fn clear(&self) {
        self.0.store(false, Ordering::Relaxed)
    }
}

/// Messages delivered to a connection task from elsewhere.
#[derive(Debug)]
pub enum ClientMsg {
    /// A pub/sub message or other out-of-band reply (pushed in RESP3).
    Push(Reply),
    /// A MONITOR line, already formatted.
    Monitor(Bytes),
    /// CLIENT KILL or an output limit: close now.
    Kill,
    /// From the cron: the query or reply buffer may need resizing (idle, far above or
    /// at its recent peak); the connection decides and resizes (conn::Buffers).
    ResizeBuffers,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the next command's reply.
    SkipNext,
    /// Skipping this command's reply (set from SkipNext when the command starts).
    Skipping,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Normal,
    Replica,
    Master,
    PubSub,
}

/// Client flags as CLIENT LIST prints them.
pub mod flags {
    pub const MULTI: u32 = 1 << 0;
    pub const BLOCKED: u32 = 1 << 1;
    pub const PUBSUB: u32 = 1 << 2;
    pub const MONITOR: u32 = 1 << 3;
    pub const READONLY: u32 = 1 << 4;
    pub const NO_EVICT: u32 = 1 << 5;
    pub const REPLICA: u32 = 1 << 6;
    pub const MASTER: u32 = 1 << 7;
    pub const DIRTY_CAS: u32 = 1 << 8;
    pub const CLOSE_AFTER_REPLY: u32 = 1 << 9;
    pub const UNIX_SOCKET: u32 = 1 << 10;
    pub const NO_TOUCH: u32 = 1 << 11;
}

pub struct ClientShared {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub fd: i32,
    pub created_ms: i64,
    pub last_interaction_ms: AtomicI64,
    pub db: AtomicUsize,
    pub flags: AtomicU32,
    pub resp: AtomicU32,
    pub sub_count: AtomicUsize,
    pub psub_count: AtomicUsize,
    pub ssub_count: AtomicUsize,
    pub multi_count: AtomicI64,
    /// Name of the last command (full name, e.g. `client|list`).
    /// Id of the last command (`cmd::table::name_of` gives its full name).
    pub last_cmd: AtomicU32,
    pub name: Mutex<Option<String>>,
    pub lib_name: Mutex<Option<String>>,
    pub lib_ver: Mutex<Option<String>>,
    pub user: Mutex<String>,
    pub qbuf_bytes: AtomicUsize,
    /// Size of the query buffer (used + free), as of the last batch.
    pub qbuf_size: AtomicUsize,
    /// Reply buffer size and its peak use since the last peak reset (CLIENT LIST rbs,
    /// rbp), and when the peak was last reset (ms).
    pub rbuf_size: AtomicUsize,
    pub rbuf_peak: AtomicUsize,
    pub rbuf_peak_reset_ms: AtomicI64,
    /// Memory of this client's buffers as last added to `Server::client_mem` (query
    /// buffer and pending replies; mailbox bytes are counted apart, in PubSub).
    pub mem_bytes: AtomicUsize,
    /// A ResizeBuffers message is on its way (the cron sends at most one).
    pub resize_sent: AtomicBool,
    pub obuf_bytes: AtomicUsize,
    /// Bytes queued in the mailbox and not yet written (output buffer accounting).
    pub pending_bytes: AtomicUsize,
    pub killed: AtomicBool,
    pub net_in_bytes: AtomicU64,
    pub net_out_bytes: AtomicU64,
    pub commands: AtomicU64,
    pub tx: mpsc::UnboundedSender<ClientMsg>,
    /// Wakes the connection when it is blocked (kill, CLIENT UNBLOCK).
    pub notify: tokio::sync::Notify,
    /// Set by CLIENT UNBLOCK: 1 = as timeout, 2 = with an error.
    pub unblock: AtomicU32,
}

impl ClientShared {
    pub fn new(id: u64, addr: String, laddr: String, fd: i32, tx: mpsc::UnboundedSender<ClientMsg>) -> ClientShared {
        let now = crate::util::time::now_ms();
        ClientShared {
            id,
            addr,
            laddr,
            fd,
            created_ms: now,
            last_interaction_ms: AtomicI64::new(now),
            db: AtomicUsize::new(0),
            flags: AtomicU32::new(0),
            resp: AtomicU32::new(2),
            sub_count: AtomicUsize::new(0),
            psub_count: AtomicUsize::new(0),
            ssub_count: AtomicUsize::new(0),
            multi_count: AtomicI64::new(-1),
            last_cmd: AtomicU32::new(u32::MAX),
            name: Mutex::new(None),
            lib_name: Mutex::new(None),
            lib_ver: Mutex::new(None),
            user: Mutex::new("default".into()),
            qbuf_bytes: AtomicUsize::new(0),
            qbuf_size: AtomicUsize::new(0),
            rbuf_size: AtomicUsize::new(crate::server::conn::REPLY_CHUNK_BYTES),
            rbuf_peak: AtomicUsize::new(crate::server::conn::REPLY_CHUNK_BYTES),
            rbuf_peak_reset_ms: AtomicI64::new(now),
            resize_sent: AtomicBool::new(false),
            mem_bytes: AtomicUsize::new(0),
            obuf_bytes: AtomicUsize::new(0),
            pending_bytes: AtomicUsize::new(0),
            killed: AtomicBool::new(false),
            net_in_bytes: AtomicU64::new(0),
            net_out_bytes: AtomicU64::new(0),
            commands: AtomicU64::new(0),
            tx,
            notify: tokio::sync::Notify::new(),
            unblock: AtomicU32::new(0),
        }
    }

    pub fn has_flag(&self, f: u32) -> bool {
        self.flags.load(Ordering::Relaxed) & f != 0
    }
    pub fn set_flag(&self, f: u32, on: bool) {
        if on {
            self.flags.fetch_or(f, Ordering::Relaxed);
        } else {
            self.flags.fetch_and(!f, Ordering::Relaxed);
        }
    }

    pub fn kill(&self) {
        self.killed.store(true, Ordering::Relaxed);
        let _ = self.tx.send(ClientMsg::Kill);
        self.notify.notify_one();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Relaxed)
    }

    pub fn name(&self) -> String {
        self.name.lock().unwrap_or_else(|e| e.into_inner()).clone().unwrap_or_default()
    }
}

/// State of a MULTI block.
#[derive(Default)]
pub struct Multi {
    pub queued: Vec<Vec<Bytes>>,
    /// A queued command was refused: EXEC will answer EXECABORT.
    pub aborted: bool,
}

pub struct Session {
    pub id: u64,
    pub db: usize,
    pub resp: u8,
    pub authenticated: bool,
    pub multi: Option<Multi>,
    pub watched: Vec<(usize, SmallBytes)>,
    pub watch_flag: Arc<WatchFlag>,
    pub reply_mode: ReplyMode,
    pub channels: BTreeSet<Vec<u8>>,
    pub patterns: BTreeSet<Vec<u8>>,
    pub shard_channels: BTreeSet<Vec<u8>>,
    pub shared: Arc<ClientShared>,
    /// READONLY (cluster replica reads).
    pub readonly: bool,
    /// ASKING: the next command may touch an importing slot.
    pub asking: bool,
    pub monitor: bool,
    /// Close the connection once pending replies are written (QUIT, protocol error).
    pub close_after_reply: bool,
    /// Set on the client that is the replication link to our primary.
    pub is_master_link: bool,
    pub no_evict: bool,
    pub no_touch: bool,
    /// Bytes of the query buffer while the current command runs: its own frame and
    /// whatever follows it (CLIENT LIST/INFO's qbuf for the calling client).
    pub qbuf_now: usize,
    /// When the previous command of the running batch ended (monotonic ns; 0 between
    /// batches and after any wait): the next command's start, which saves one clock
    /// read per pipelined command. Includes the few ns of decoding in between.
    pub chain_ns: u64,
    /// The AOF loading client (Redis's fake client): keys are never expired while it
    /// replays, as Redis does not expire anything while loading.
    pub loading_client: bool,
    /// Propagation number of this client's last write (or later): before its reply is
    /// sent under `appendfsync always`, the AOF must have fsynced up to here.
    pub prop_seq: u64,
    /// While a transaction runs: the commands it propagates, appended together at EXEC
    /// (`PropagationLog::append_unit`) so they are wrapped in MULTI/EXEC as one unit.
    pub prop_unit: Option<Vec<(usize, Vec<Bytes>)>>,
}

impl Session {
    pub fn new(shared: Arc<ClientShared>, authenticated: bool) -> Session {
        Session {
            id: shared.id,
            db: 0,
            resp: 2,
            authenticated,
            multi: None,
            watched: Vec::new(),
            watch_flag: Arc::new(WatchFlag::default()),
            reply_mode: ReplyMode::On,
            channels: BTreeSet::new(),
            patterns: BTreeSet::new(),
            shard_channels: BTreeSet::new(),
            shared,
            readonly: false,
            asking: false,
            monitor: false,
            close_after_reply: false,
            is_master_link: false,
            no_evict: false,
            no_touch: false,
            qbuf_now: 0,
            chain_ns: 0,
            loading_client: false,
            prop_seq: 0,
            prop_unit: None,
        }
    }

    pub fn subscriptions(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    pub fn in_pubsub(&self) -> bool {
        !self.channels.is_empty() || !self.patterns.is_empty() || !self.shard_channels.is_empty()
    }
}
