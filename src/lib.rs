//! slotd: a Redis Cluster node. One process serves RESP on its client port, owns a share
//! of the 16384 hash slots, and (in later stages) gossips on the cluster bus, replicates
//! and persists in Redis 7.0's own formats.
//!
//! # Codemap
//! - `config`   — directive table, redis.conf/TOML/command-line loading, CONFIG semantics
//! - `resp`     — request decoding, reply tree and its RESP2/RESP3 encodings
//! - `server`   — shared server state, listeners, connection tasks, clients, pub/sub,
//!   blocking, eviction, logging, cron
//! - `cmd`      — command metadata, the table, the gate (`cmd::gate::execute`), handler
//!   context, one file per command family
//! - `keyspace` — per-slot tables grouped in lock shards, values and their types, expiry
//! - `cluster`  — slot math (cluster mode itself is a later stage)
//! - `persist`  — RDB and AOF in Redis 7.0's formats, fork-less snapshots
//! - `repl`     — the propagation log every write goes through
//! - `util`     — number parsing/formatting, glob, time, the counting allocator
//!
//! # Invariants
//! - Who owns what: a connection task owns its `Session`; the keyspace is owned by its
//!   shard mutexes; `Server` fields are each guarded as their comments say.
//! - No lock is held across `.await`. Shard locks are taken in ascending order and held
//!   for one command.
//! - Propagation order = application order: a write is appended to the propagation log
//!   while its shard locks are still held.
//! - With the AOF on, a reply to a write leaves only after the write is in the AOF file
//!   (and fsynced under `appendfsync always`): see `server::conn::durable`.
//! - Every client command goes through `cmd::gate::execute`; handlers never repeat its
//!   checks.
//! - Input never panics the process: malformed frames get Redis's protocol errors,
//!   bad arguments get Redis's error replies.
pub mod cluster {
    pub mod slot;
}
pub mod cmd;
pub mod config;
pub mod keyspace;
pub mod persist;
pub mod repl;
pub mod resp;
pub mod server;
pub mod util;

/// The Redis version slotd is compatible with: what INFO and HELLO report, and what
/// clients gate features on.
pub const REDIS_VERSION: &str = "7.0.15";
/// slotd's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
