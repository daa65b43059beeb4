//! Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN ...).
//!
//! BACKGROUND: Redis serves a blocked client inside the command that made its key ready,
//! before that command's reply is sent: `LPUSH k a` followed by `LRANGE k 0 -1` from the
//! pushing client never sees the element a blocked `BLPOP k` took. slotd keeps that
//! guarantee: a blocked client is registered (under the key's shard lock) with its
//! command's arguments; a writer that creates a list/zset key with waiters re-runs each
//! waiter's command, in arrival order, while it still holds the lock, and hands the
//! reply to the waiter's connection through its `BlockedHandle`.
//!
//! A handle is finished exactly once — served, timed out, unblocked or disconnected — by
//! whoever wins the `done` flag, always while holding the lock of the key's shard, so a
//! reply is never lost or delivered twice.
use crate::resp::Reply;
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

pub struct BlockedHandle {
    pub client_id: u64,
    pub db: usize,
    /// The blocked command, re-run to serve the client.
    pub argv: Vec<Bytes>,
    done: AtomicBool,
    /// The reply once served; `Retry` asks the client to run its command again itself
    /// (when the serving command could not lock all the shards it needs).
    outcome: Mutex<Option<Served>>,
    notify: tokio::sync::Notify,
}

#[derive(Debug, Clone)]
pub enum Served {
    Reply(Reply),
    Retry,
}

impl BlockedHandle {
    pub fn new(client_id: u64, db: usize, argv: Vec<Bytes>) -> BlockedHandle {
        BlockedHandle { client_id, db, argv, done: AtomicBool::new(false), outcome: Mutex::new(None), notify: tokio::sync::Notify::new() }
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Claims the handle; true for exactly one caller.
    pub fn claim(&self) -> bool {
        self.done.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Completes a claimed handle and wakes its connection.
    pub fn complete(&self, s: Served) {
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(s);
        self.notify.notify_one();
    }

    pub fn take(&self) -> Option<Served> {
        self.outcome.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    pub async fn wait(&self) {
        self.notify.notified().await
    }
}
