//! Replication and the propagation log.
//!
//! Every write a command applies is appended here, in application order, while the
//! command still holds its shard locks (DESIGN.md §2). Consumers — the replication
//! backlog and the AOF, added by the persistence and replication issues — subscribe
//! with `set_sink`; with no consumer an append costs one relaxed load.
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Receives (db, command) pairs in order.
pub type Sink = Box<dyn FnMut(usize, &[Bytes]) + Send>;

#[derive(Default)]
pub struct PropagationLog {
    active: AtomicBool,
    sink: Mutex<Option<Sink>>,
}

impl PropagationLog {
    pub fn set_sink(&self, sink: Option<Sink>) {
        let mut s = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        self.active.store(sink.is_some(), Ordering::Release);
        *s = sink;
    }

    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// Appends one command applied to `db`.
    pub fn append(&self, db: usize, argv: &[Bytes]) {
        if !self.is_active() {
            return;
        }
        if let Some(sink) = self.sink.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            sink(db, argv);
        }
    }
}
