//! The copy-on-write hook behind fork-less snapshots (DESIGN.md §2).
//!
//! BACKGROUND. Redis takes a point-in-time image by forking: the child sees the memory
//! as it was, the kernel copies pages the parent writes. slotd gets the same guarantee
//! per hash slot instead of per page: when a snapshot starts, every database part of
//! every shard is marked with a `PartCow` (all shards locked at once: that instant is
//! the snapshot's point in time). From then on, the first mutable access to a slot
//! table that the snapshot has not saved yet serializes that table first, through the
//! snapshot's `SlotSink`, and marks it saved; the snapshot's own driver walks the
//! remaining slots in the background. Every slot is serialized exactly once, either way,
//! and always as it was at the start.
//!
//! What this module must never do: let a mutation reach a slot table without passing
//! through `DbPart::table_mut`, `table_or_create` or `clear` — those are the only three
//! doors, and each one checks the mark. (Reads that go through `table_mut` also trigger
//! the save: harmless, it only moves work earlier.)
use super::{SlotTable, SLOTS_PER_SHARD};
use std::sync::Arc;

/// Where a snapshot's slots go. Called with the slot's shard locked, from whichever
/// thread touched the slot first: implementations append to their own buffer under
/// their own short lock and never take a shard lock (lock order: shard, then sink).
pub trait SlotSink: Send + Sync {
    /// Serialize `table`, the contents of `slot` in database `db` at the snapshot's start.
    fn save_slot(&self, db: usize, slot: u16, table: &SlotTable);
    /// A whole database part left the keyspace (FLUSHDB/FLUSHALL) before the snapshot
    /// saved all of it: the unsaved tables are handed over to be serialized later,
    /// outside any lock, instead of stalling the flush.
    fn adopt(&self, part: Detached);
}

/// The mark a running snapshot puts on one database part of one shard.
pub struct PartCow {
    pub sink: Arc<dyn SlotSink>,
    /// The database this part's data belonged to at the snapshot's start. SWAPDB moves
    /// parts between database numbers; the mark travels with the data, so the image
    /// still shows each database's original contents under its original number.
    pub db: usize,
    pub shard: usize,
    saved: Box<[u64; SLOTS_PER_SHARD / 64]>,
}

impl PartCow {
    pub fn new(sink: Arc<dyn SlotSink>, db: usize, shard: usize) -> PartCow {
        PartCow { sink, db, shard, saved: Box::new([0; SLOTS_PER_SHARD / 64]) }
    }

    pub fn is_saved(&self, local: usize) -> bool {
        self.saved[local / 64] & (1 << (local % 64)) != 0
    }

    pub fn mark_saved(&mut self, local: usize) {
        self.saved[local / 64] |= 1 << (local % 64);
    }

    /// The global slot number of a local index of this part's shard.
    pub fn slot(&self, local: usize) -> u16 {
        (local * super::SHARDS + self.shard) as u16
    }
}

/// Slot tables taken out of the keyspace by a flush while a snapshot still needed them.
pub struct Detached {
    pub db: usize,
    /// (slot, table) pairs not yet saved, in ascending slot order.
    pub tables: Vec<(u16, Box<SlotTable>)>,
}
