//! Replication and the propagation log.
//!
//! Every write a command applies is appended here, in application order, while the
//! command still holds its shard locks (DESIGN.md §2). Consumers — the replication
//! backlog and the AOF — subscribe with `set_sink`; with no consumer an append costs one
//! relaxed load.
//!
//! Each appended command gets the next number of the log (`seq`), so a consumer can say
//! how far it got (the AOF: which commands are fsynced) and a connection can wait for
//! the number of its own last write.
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Receives (seq, db, command) in order; seq counts up by one per command.
pub type Sink = Box<dyn FnMut(u64, usize, &[Bytes]) + Send>;

#[derive(Default)]
pub struct PropagationLog {
    active: AtomicBool,
    /// Number of the last command appended; written under `sink`'s lock.
    seq: AtomicU64,
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

    /// Number of the last command appended (0: none yet).
    pub fn seq(&self) -> u64 {
        self.seq.load(Ordering::Acquire)
    }

    /// Appends one command applied to `db`.
    pub fn append(&self, db: usize, argv: &[Bytes]) {
        if !self.is_active() {
            return;
        }
        let mut guard = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sink) = guard.as_mut() {
            let seq = self.seq.load(Ordering::Relaxed) + 1;
            sink(seq, db, argv);
            self.seq.store(seq, Ordering::Release);
        }
    }

    /// Appends the commands of one execution unit (a transaction, or a command that
    /// propagates as several) so that nothing else interleaves. More than one command is
    /// wrapped in MULTI (in the first command's db) ... EXEC (in the last one's), as
    /// Redis 7.0's propagatePendingCommands does; one command goes alone.
    pub fn append_unit(&self, ops: &[(usize, Vec<Bytes>)]) {
        if !self.is_active() || ops.is_empty() {
            return;
        }
        let mut guard = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        let Some(sink) = guard.as_mut() else { return };
        let mut seq = self.seq.load(Ordering::Relaxed);
        let wrap = ops.len() > 1;
        if wrap {
            seq += 1;
            sink(seq, ops[0].0, &[Bytes::from_static(b"MULTI")]);
        }
        for (db, argv) in ops {
            seq += 1;
            sink(seq, *db, argv);
        }
        if wrap {
            seq += 1;
            sink(seq, ops[ops.len() - 1].0, &[Bytes::from_static(b"EXEC")]);
        }
        self.seq.store(seq, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn units_of_several_commands_are_wrapped_in_multi_exec() {
        let log = PropagationLog::default();
        let seen: Arc<Mutex<Vec<(u64, usize, String)>>> = Default::default();
        let s2 = seen.clone();
        log.set_sink(Some(Box::new(move |seq, db, argv| {
            let words: Vec<String> = argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            s2.lock().unwrap().push((seq, db, words.join(" ")));
        })));
        let cmd = |w: &str| w.split(' ').map(|s| Bytes::copy_from_slice(s.as_bytes())).collect::<Vec<_>>();
        log.append(0, &cmd("SET a 1"));
        log.append_unit(&[(5, cmd("SET k4 v4")), (6, cmd("SET k5 v5"))]);
        log.append_unit(&[(6, cmd("SET k6 v6"))]);
        let got = seen.lock().unwrap().clone();
        let want: Vec<(u64, usize, String)> = vec![
            (1, 0, "SET a 1".into()),
            (2, 5, "MULTI".into()),
            (3, 5, "SET k4 v4".into()),
            (4, 6, "SET k5 v5".into()),
            (5, 6, "EXEC".into()),
            (6, 6, "SET k6 v6".into()),
        ];
        assert_eq!(got, want);
        assert_eq!(log.seq(), 6);
    }
}
