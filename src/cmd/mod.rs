//! Commands: one table, one gate.
//!
//! - `meta`: Redis 7.0's facts about every command (arity, flags, key specs, docs);
//! - `table`: the lookup of implemented commands, built from the families' handler lists
//!   and `meta`;
//! - `gate`: `execute`, the single path every command takes (Redis's processCommand
//!   checks in their documented order, then the handler, then side effects);
//! - `ctx`: what a handler gets: the keyspace through its locked shards, the session,
//!   and helpers that keep Redis's bookkeeping (notifications, WATCH, dirty count);
//! - one file per command family. A handler is a plain function
//!   `fn(&mut Ctx, &[Bytes]) -> Result<Reply, CmdError>` that never repeats the gate's
//!   checks.
pub mod args;
pub mod ctx;
pub mod error;
pub mod gate;
pub mod keys;
pub mod meta;
pub mod table;

pub mod bitmap;
pub mod connection;
pub mod dump;
pub mod generic;
pub mod hash;
pub mod hll;
pub mod list;
pub mod pubsub;
pub mod server_cmds;
pub mod set;
pub mod string;
#[cfg(test)]
pub(crate) mod test_support;
pub mod tx;
pub mod zset;

pub use ctx::Ctx;
pub use error::CmdError;

use crate::resp::Reply;
use bytes::Bytes;

pub type CmdResult = Result<Reply, CmdError>;
pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

/// Which shards a command locks before its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockPolicy {
    /// The shards of the keys its key specs name (most commands).
    Keys,
    /// Every shard (FLUSHALL, KEYS, SCAN, SWAPDB, SORT with patterns ...).
    All,
    /// None: the handler does not touch the keyspace, or locks for itself (INFO,
    /// DBSIZE count shard by shard).
    None,
}

/// One implemented command as a family declares it.
pub struct Def {
    /// Lower-case name; subcommands as `parent|sub`.
    pub name: &'static str,
    pub handler: Handler,
    pub lock: LockPolicy,
}

pub const fn def(name: &'static str, handler: Handler) -> Def {
    Def { name, handler, lock: LockPolicy::Keys }
}

pub const fn def_lock(name: &'static str, handler: Handler, lock: LockPolicy) -> Def {
    Def { name, handler, lock }
}

/// Every family's definitions.
pub fn all_defs() -> Vec<Def> {
    let mut v = Vec::new();
    v.extend(connection::defs());
    v.extend(tx::defs());
    v.extend(string::defs());
    v.extend(bitmap::defs());
    v.extend(hll::defs());
    v.extend(list::defs());
    v.extend(hash::defs());
    v.extend(set::defs());
    v.extend(zset::defs());
    v.extend(generic::defs());
    v.extend(dump::defs());
    v.extend(pubsub::defs());
    v.extend(server_cmds::defs());
    v
}
