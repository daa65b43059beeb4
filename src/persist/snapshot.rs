//! Point-in-time snapshots of the keyspace without fork (DESIGN.md §2).
//!
//! `walk` starts a snapshot with `Keyspace::cow_begin` (the instant all shards are
//! held is the image's point in time), then visits every slot of every shard in small
//! locked steps, serializing the ones that client writes have not already saved
//! through the copy-on-write hook (`keyspace::cow`). Between steps it hands control
//! to the caller (to move the sink's buffer to a file or socket, outside every lock).
//! Writes never wait for the snapshot beyond the serialization of the one slot they
//! touch first; memory beyond the dataset is bounded by what writes save ahead of the
//! walk and the caller has not yet flushed.
//!
//! This module knows nothing of file formats: the sink (an RDB encoder for BGSAVE, AOF
//! rewrite and full sync) decides what the bytes are.
use crate::keyspace::cow::SlotSink;
use crate::keyspace::{Keyspace, SHARDS, SLOTS_PER_SHARD};
use std::sync::Arc;

/// Local slots per locked step: 16 slots of a 1M-key keyspace are ~1000 keys, about a
/// hundred microseconds of encoding — short enough that a client waiting for the same
/// shard does not notice, long enough that locking costs nothing.
const STEP_SLOTS: usize = 16;

/// Takes a snapshot into `sink`. `between` runs after each step with no lock held;
/// an error from it abandons the snapshot (the marks are removed either way).
/// Returns (keys, volatile keys) per database at the snapshot's start.
pub fn walk<E>(ks: &Keyspace, sink: Arc<dyn SlotSink>, begin: impl FnOnce(&[(usize, usize)]) -> Result<(), E>, between: impl FnMut() -> Result<(), E>) -> Result<Vec<(usize, usize)>, E> {
    let counts = start(ks, sink);
    if let Err(e) = begin(&counts) {
        ks.cow_end();
        return Err(e);
    }
    finish(ks, between).map(|_| counts)
}

/// The snapshot's point in time: marks the keyspace (see `walk`). The caller must
/// then call `finish`, possibly on another thread (BGSAVE takes its instant in the
/// command, before it replies, and writes on a thread).
pub fn start(ks: &Keyspace, sink: Arc<dyn SlotSink>) -> Vec<(usize, usize)> {
    ks.cow_begin(sink)
}

/// `start`, running `at_instant` at the point in time itself (all shards held).
pub fn start_with(ks: &Keyspace, sink: Arc<dyn SlotSink>, at_instant: impl FnOnce()) -> Vec<(usize, usize)> {
    ks.cow_begin_with(sink, at_instant)
}

/// Visits every slot not saved yet, then removes the marks.
pub fn finish<E>(ks: &Keyspace, mut between: impl FnMut() -> Result<(), E>) -> Result<(), E> {
    let result = (|| {
        for shard in 0..SHARDS {
            for from in (0..SLOTS_PER_SHARD).step_by(STEP_SLOTS) {
                ks.cow_step(shard, from, from + STEP_SLOTS);
                between()?;
            }
        }
        Ok(())
    })();
    ks.cow_end();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::cow::Detached;
    use crate::keyspace::{SlotTable, Value};
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// Records what the snapshot saw: (db, key) → (string value, expiry).
    #[derive(Default)]
    struct Recorder {
        seen: Mutex<BTreeMap<(usize, Vec<u8>), (Vec<u8>, Option<i64>)>>,
        saved_slots: Mutex<Vec<(usize, u16)>>,
        adopted: Mutex<Vec<Detached>>,
    }

    impl Recorder {
        fn record(&self, db: usize, t: &SlotTable) {
            let mut seen = self.seen.lock().unwrap();
            for (k, o) in t.keys.iter() {
                let Value::Str(v) = &o.val else { panic!("strings only in this test") };
                let prev = seen.insert((db, k.as_slice().to_vec()), (v.as_slice().to_vec(), t.expires.get(k.as_slice()).copied()));
                assert!(prev.is_none(), "key saved twice");
            }
        }
    }

    impl SlotSink for Recorder {
        fn save_slot(&self, db: usize, slot: u16, table: &SlotTable) {
            self.saved_slots.lock().unwrap().push((db, slot));
            self.record(db, table);
        }
        fn adopt(&self, part: Detached) {
            self.adopted.lock().unwrap().push(part);
        }
    }

    fn set(ks: &Keyspace, db: usize, k: &str, v: &str) {
        let mut l = ks.lock_all();
        l.set(db, k.as_bytes(), Value::str(v.as_bytes()), false);
    }

    fn del(ks: &Keyspace, db: usize, k: &str) {
        let mut l = ks.lock_all();
        l.remove(db, k.as_bytes());
    }

    #[test]
    fn the_image_is_the_state_at_the_start_whatever_writes_follow() {
        let ks = Keyspace::new(4);
        for i in 0..2000 {
            set(&ks, i % 3, &format!("k{i}"), &format!("v{i}"));
        }
        {
            let mut l = ks.lock_all();
            l.set_expire(0, b"k0", Some(123_456));
        }
        let mut expected: BTreeMap<(usize, Vec<u8>), (Vec<u8>, Option<i64>)> = (0..2000).map(|i| ((i % 3, format!("k{i}").into_bytes()), (format!("v{i}").into_bytes(), None))).collect();
        expected.get_mut(&(0, b"k0".to_vec())).unwrap().1 = Some(123_456);

        let rec = Arc::new(Recorder::default());
        let mut step = 0;
        let counts = walk::<()>(
            &ks,
            rec.clone(),
            |_| Ok(()),
            || {
                // Writes interleaved with the walk: overwrite, delete, create, expire,
                // swap two databases, flush one.
                step += 1;
                match step {
                    3 => (0..2000).step_by(7).for_each(|i| set(&ks, i % 3, &format!("k{i}"), "changed")),
                    5 => (0..2000).step_by(11).for_each(|i| del(&ks, i % 3, &format!("k{i}"))),
                    7 => (0..500).for_each(|i| set(&ks, 3, &format!("new{i}"), "x")),
                    9 => {
                        let mut l = ks.lock_all();
                        for i in 0..SHARDS {
                            l.shard(i).dbs.swap(1, 2);
                        }
                    }
                    11 => {
                        let mut l = ks.lock_all();
                        for i in 0..SHARDS {
                            l.part_of_shard(0, i).clear();
                        }
                    }
                    _ => {}
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(counts.iter().map(|c| c.0).sum::<usize>(), 2000);
        for d in rec.adopted.lock().unwrap().drain(..) {
            for (_, t) in &d.tables {
                rec.record(d.db, t);
            }
        }
        assert_eq!(*rec.seen.lock().unwrap(), expected);
        // The marks are gone: later writes do not reach the sink.
        let before = rec.saved_slots.lock().unwrap().len();
        set(&ks, 3, "after", "y");
        assert_eq!(rec.saved_slots.lock().unwrap().len(), before);
    }
}
