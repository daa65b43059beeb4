//! Persistence: everything that turns the keyspace into files and back, in Redis 7.0's
//! own formats (DESIGN.md §1: a `dump.rdb` or an `appendonlydir` moves between
//! redis-server and slotd unchanged).
//!
//! - `rdb`      — RDB version 10: the value codec (also the DUMP/RESTORE payload) and
//!               whole-file writer and reader with the CRC64 trailer.
//! - `aof`      — multi-part AOF: manifest, base and incremental files, the fsync
//!               policies, loading at start-up.
//! - `rdb_file` — whole RDB files: save a snapshot to `dbfilename`, load one.
//! - `snapshot` — point-in-time images without fork: slot by slot, a slot serialized
//!               before the first write that would change it.
//! - `loading`  — the "loading" state clients see (-LOADING) and INFO reports.
//!
//! Nothing here decides *when* to save (that is the server's cron and commands); these
//! modules only know how.
pub mod aof;
pub mod loading;
pub mod rdb;
pub mod rdb_file;
pub mod snapshot;
