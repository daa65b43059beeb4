//! The keyspace: every database's keys, split by hash slot into tables and grouped into
//! a fixed number of lock shards.
//!
//! BACKGROUND: Redis runs commands one at a time on one thread. slotd runs connections
//! on several threads, so it must give each command the same isolation: a command locks
//! the shard(s) of the slot(s) of its keys for its whole run, and commands that touch
//! everything (FLUSHALL, SWAPDB, KEYS, EXEC of arbitrary commands ...) lock all shards in
//! ascending order. Slot `s` lives in shard `s % SHARDS`, so a cluster-mode command,
//! whose keys share one slot, always takes exactly one lock.
//!
//! Invariants:
//! - shard locks are `std::sync::Mutex`, taken in ascending index order, held for the
//!   duration of one command (microseconds) and never across `.await`;
//! - each slot has its own table (`SlotTable`), allocated on its first key: key counts
//!   per slot, GETKEYSINSLOT and slot migration walk one small table;
//! - expired keys are removed lazily on access (reported through `Locks::expired` so the
//!   caller counts, notifies and propagates them) and actively by `expire::cycle`.
pub mod cow;
pub mod dict;
pub mod expire;
pub mod smallbytes;
pub mod types;
pub mod value;

use crate::cluster::slot::{key_slot, SLOT_COUNT};
use dict::Dict;
pub use smallbytes::SmallBytes;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
pub use value::{Obj, Value, FLAG_EMBSTR, FLAG_RAW, FLAG_VOLATILE};

/// Number of lock shards: enough that two worker threads rarely meet on one lock, few
/// enough that locking all of them (FLUSHALL, EXEC) stays cheap. A power of two.
pub const SHARDS: usize = 16;
pub const SLOTS_PER_SHARD: usize = SLOT_COUNT / SHARDS;

/// Keys and their expiry times for one hash slot of one database.
#[derive(Default)]
pub struct SlotTable {
    pub keys: Dict<Obj>,
    /// Absolute expiry time in Unix milliseconds, for volatile keys only.
    pub expires: Dict<i64>,
}

/// A client blocked on a key (BLPOP and friends), waiting to be served in FIFO order.
pub struct Waiter {
    pub client_id: u64,
    /// Wakes the blocked connection; it re-runs its command to take the data.
    pub wake: Arc<crate::server::blocking::BlockedHandle>,
}

/// Local slots per chunk of table pointers (32 pointers = 256 bytes).
const CHUNK: usize = 32;
const CHUNKS: usize = SLOTS_PER_SHARD / CHUNK;

/// Pointers to the slot tables of `CHUNK` consecutive local slots, and how many are set.
struct Chunk {
    tables: [Option<Box<SlotTable>>; CHUNK],
    used: usize,
}

/// One database's part of one shard.
///
/// Slot tables are reached through two small levels — a fixed array of chunk pointers
/// here, then a chunk of table pointers — and each table is allocated on its slot's
/// first key and freed with its last. A sparse or small database then costs a few
/// hundred bytes per occupied slot rather than one table per slot up front, which keeps
/// `used_memory` honest for maxmemory with small headroom; a dense one pays two
/// cache-resident pointer hops.
#[derive(Default)]
pub struct DbPart {
    chunks: [Option<Box<Chunk>>; CHUNKS],
    pub keys: usize,
    pub volatile: usize,
    /// Clients blocked on keys of this part, per key, in arrival order.
    pub blocked: HashMap<SmallBytes, VecDeque<Waiter>>,
    /// WATCHing clients per key: the flag is set when the key changes.
    pub watched: HashMap<SmallBytes, Vec<Arc<crate::server::client::WatchFlag>>>,
    /// Set while a snapshot runs: slots it has not saved yet are saved before they
    /// change (see `cow`). None otherwise, which costs one branch per access.
    pub cow: Option<Box<cow::PartCow>>,
}

impl DbPart {
    fn local(slot: u16) -> usize {
        slot as usize / SHARDS
    }

    pub fn table(&self, slot: u16) -> Option<&SlotTable> {
        let l = Self::local(slot);
        self.chunks[l / CHUNK].as_deref()?.tables[l % CHUNK].as_deref()
    }

    pub fn table_mut(&mut self, slot: u16) -> Option<&mut SlotTable> {
        let l = Self::local(slot);
        if self.cow.is_some() {
            self.save_before_write(l);
        }
        self.chunks[l / CHUNK].as_deref_mut()?.tables[l % CHUNK].as_deref_mut()
    }

    pub fn table_or_create(&mut self, slot: u16) -> &mut SlotTable {
        let l = Self::local(slot);
        if self.cow.is_some() {
            self.save_before_write(l);
        }
        let chunk = self.chunks[l / CHUNK].get_or_insert_with(|| Box::new(Chunk { tables: Default::default(), used: 0 }));
        let t = &mut chunk.tables[l % CHUNK];
        if t.is_none() {
            chunk.used += 1;
        }
        t.get_or_insert_with(Default::default)
    }

    /// Frees the slot's table if it holds no keys (and its chunk if that was the last).
    /// Called after removals.
    pub fn prune(&mut self, slot: u16) {
        let l = Self::local(slot);
        let (c, i) = (l / CHUNK, l % CHUNK);
        let Some(chunk) = self.chunks[c].as_deref_mut() else { return };
        if chunk.tables[i].as_ref().is_some_and(|t| t.keys.is_empty() && t.expires.is_empty()) {
            chunk.tables[i] = None;
            chunk.used -= 1;
            if chunk.used == 0 {
                self.chunks[c] = None;
            }
        }
    }

    /// Every allocated table with its local index, in ascending order.
    fn tables_iter(&self) -> impl Iterator<Item = (usize, &SlotTable)> + '_ {
        self.chunks
            .iter()
            .enumerate()
            .filter_map(|(c, ch)| ch.as_deref().map(move |ch| (c, ch)))
            .flat_map(|(c, ch)| ch.tables.iter().enumerate().filter_map(move |(i, t)| t.as_deref().map(|t| (c * CHUNK + i, t))))
    }

    /// Slots (global numbers) of this shard that have keys, in ascending order.
    pub fn slots_with_tables(&self, shard: usize) -> impl Iterator<Item = u16> + '_ {
        self.tables_iter().filter(|(_, t)| !t.keys.is_empty()).map(move |(i, _)| (i * SHARDS + shard) as u16)
    }

    /// A running snapshot's hook: serializes local slot `l` if the snapshot still
    /// needs it (see `cow`). The table's pointer is read-only here.
    #[cold]
    fn save_before_write(&mut self, l: usize) {
        let Some(cow) = self.cow.as_deref_mut() else { return };
        if cow.is_saved(l) {
            return;
        }
        cow.mark_saved(l);
        if let Some(t) = self.chunks[l / CHUNK].as_deref().and_then(|c| c.tables[l % CHUNK].as_deref()) {
            cow.sink.save_slot(cow.db, cow.slot(l), t);
        }
    }

    /// The snapshot driver's step: saves the unsaved slots among local indexes
    /// `from..to` (a no-op without a snapshot). Returns the bytes of work done, roughly
    /// (keys saved), so the caller can bound its lock hold time.
    pub fn cow_save_range(&mut self, from: usize, to: usize) -> usize {
        let mut keys = 0;
        for l in from..to.min(SLOTS_PER_SHARD) {
            let Some(slot) = self.cow.as_deref().filter(|c| !c.is_saved(l)).map(|c| c.slot(l)) else { continue };
            keys += self.table(slot).map_or(0, |t| t.keys.len());
            self.save_before_write(l);
        }
        keys
    }

    /// Drops every key; returns how many there were.
    pub fn clear(&mut self) -> usize {
        let n = self.keys;
        let chunks = std::mem::take(&mut self.chunks);
        if let Some(cow) = self.cow.as_deref_mut() {
            // Hand what the snapshot has not saved yet over to it whole: no copy, no
            // stall, and the image still holds the keys.
            let mut tables = Vec::new();
            for (c, chunk) in chunks.into_iter().enumerate() {
                let Some(chunk) = chunk else { continue };
                for (i, t) in chunk.tables.into_iter().enumerate() {
                    let l = c * CHUNK + i;
                    if let Some(t) = t.filter(|_| !cow.is_saved(l)) {
                        tables.push((cow.slot(l), t));
                    }
                }
            }
            for l in 0..SLOTS_PER_SHARD {
                cow.mark_saved(l);
            }
            if !tables.is_empty() {
                cow.sink.adopt(cow::Detached { db: cow.db, tables });
            }
        }
        self.keys = 0;
        self.volatile = 0;
        n
    }

    /// One active-expiry round on a slot table: samples up to `count` volatile keys and
    /// deletes the expired ones. Returns (sampled, deleted keys).
    pub fn expire_round(&mut self, slot: u16, now_ms: i64, count: usize, rng: &mut impl rand::Rng) -> (usize, Vec<SmallBytes>) {
        let Some(table) = self.table_mut(slot) else { return (0, Vec::new()) };
        let mut sampled = 0;
        let mut dead: Vec<SmallBytes> = Vec::new();
        table.expires.sample(rng, count, |k, &at| {
            sampled += 1;
            if at <= now_ms {
                dead.push(k.clone());
            }
        });
        let mut removed = 0;
        for k in &dead {
            table.expires.remove(k);
            if table.keys.remove(k).is_some() {
                removed += 1;
            }
        }
        self.keys -= removed;
        self.volatile -= dead.len();
        self.prune(slot);
        for k in &dead {
            self.signal_watchers(k);
        }
        (sampled, dead)
    }

    /// Calls `f` for up to `count` keys (or volatile keys) near a random slot table:
    /// the tables are walked from a random start, as Redis's dictGetSomeKeys walks
    /// buckets. Used for eviction sampling.
    pub fn sample_keys(&self, rng: &mut impl rand::Rng, count: usize, volatile: bool, mut f: impl FnMut(&SmallBytes, &Obj, Option<i64>)) {
        if count == 0 || (volatile && self.volatile == 0) || self.keys == 0 {
            return;
        }
        let n = SLOTS_PER_SHARD;
        let start = rng.gen_range(0..n);
        let mut got = 0;
        for step in 0..n {
            let l = (start + step) % n;
            let Some(t) = self.chunks[l / CHUNK].as_deref().and_then(|c| c.tables[l % CHUNK].as_deref()) else { continue };
            if volatile {
                if t.expires.is_empty() {
                    continue;
                }
                t.expires.sample(rng, count - got, |k, &at| {
                    if let Some(o) = t.keys.get(k) {
                        f(k, o, Some(at));
                        got += 1;
                    }
                });
            } else {
                if t.keys.is_empty() {
                    continue;
                }
                t.keys.sample(rng, count - got, |k, o| {
                    f(k, o, None);
                    got += 1;
                });
            }
            if got >= count {
                return;
            }
        }
    }

    pub fn signal_watchers(&mut self, key: &[u8]) {
        if self.watched.is_empty() {
            return;
        }
        if let Some(list) = self.watched.get(key) {
            for w in list {
                w.set();
            }
        }
    }

    pub fn signal_all_watchers(&mut self) {
        for list in self.watched.values() {
            for w in list {
                w.set();
            }
        }
    }
}

pub struct Shard {
    pub dbs: Vec<DbPart>,
}

pub struct Keyspace {
    shards: Box<[Mutex<Shard>]>,
    pub databases: usize,
}

pub fn shard_of_slot(slot: u16) -> usize {
    slot as usize & (SHARDS - 1)
}

impl Keyspace {
    pub fn new(databases: usize) -> Keyspace {
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(Shard { dbs: (0..databases).map(|_| DbPart::default()).collect() }))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        Keyspace { shards, databases }
    }

    fn lock_shard(&self, i: usize) -> MutexGuard<'_, Shard> {
        // A panic while a shard was held leaves it poisoned; the data is still
        // consistent at command granularity far more often than not, and refusing all
        // further service would be worse, so take the guard anyway.
        self.shards[i].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks nothing yet; shards are added with `lock`.
    pub fn locks(&self) -> Locks<'_> {
        Locks { ks: self, first: None, more: Vec::new(), expired: Vec::new(), touch: Touch::None, slot_cache: SlotCache { len: u8::MAX, key: [0; SLOT_CACHE_KEY], slot: 0 } }
    }

    /// Locks the given shards (any order, duplicates allowed) in ascending order.
    pub fn lock_shards(&self, mut want: u32) -> Locks<'_> {
        let mut l = self.locks();
        while want != 0 {
            let i = want.trailing_zeros() as usize;
            want &= want - 1;
            l.push_guard(i, self.lock_shard(i));
        }
        l
    }

    /// Warms the CPU cache for the first keys of a pipelined batch before it runs.
    ///
    /// A lookup in a big keyspace is three dependent cache misses (slot table header,
    /// bucket, node); one at a time they dominate a pipeline of point commands.
    /// Walking all keys one level per pass lets the misses of different keys overlap
    /// (Valkey 8 does the same for its batches). Only hints: nothing is changed, and a
    /// key that is absent, or a batch that changes between here and execution, merely
    /// costs the wasted prefetch.
    pub fn prefetch(&self, db: usize, keys: &[&[u8]]) {
        const MAX: usize = 32;
        let n = keys.len().min(MAX);
        if n < 2 || db >= self.databases {
            return;
        }
        let mut slots = [0u16; MAX];
        let mut hashes = [0u64; MAX];
        let mut mask = 0u32;
        for (i, k) in keys[..n].iter().enumerate() {
            slots[i] = key_slot(k);
            hashes[i] = dict::hash_bytes(k);
            mask |= 1 << shard_of_slot(slots[i]);
        }
        let locks = self.lock_shards(mask);
        let mut tables: [Option<&SlotTable>; MAX] = [None; MAX];
        for i in 0..n {
            tables[i] = locks.held(shard_of_slot(slots[i])).and_then(|s| s.dbs[db].table(slots[i]));
            if let Some(t) = tables[i] {
                crate::util::prefetch(t as *const SlotTable as *const u8);
            }
        }
        for i in 0..n {
            if let Some(a) = tables[i].and_then(|t| t.keys.bucket_addr(hashes[i])) {
                crate::util::prefetch(a);
            }
        }
        for i in 0..n {
            if let Some(a) = tables[i].and_then(|t| t.keys.chain_head_addr(hashes[i])) {
                crate::util::prefetch(a);
            }
        }
    }

    /// Starts a snapshot (see `cow`): marks every database part of every shard, all
    /// shards held at once so that this call is the image's point in time. Returns the
    /// (keys, volatile keys) of each database at that instant. The caller runs at most
    /// one snapshot at a time.
    pub fn cow_begin(&self, sink: Arc<dyn cow::SlotSink>) -> Vec<(usize, usize)> {
        self.cow_begin_with(sink, || {})
    }

    /// `cow_begin`, running `at_instant` while every shard is held: nothing can be
    /// applied or propagated meanwhile (an AOF rewrite switches its incremental file
    /// there, so the file and the image meet exactly).
    pub fn cow_begin_with(&self, sink: Arc<dyn cow::SlotSink>, at_instant: impl FnOnce()) -> Vec<(usize, usize)> {
        let mut all = self.lock_all();
        at_instant();
        let mut counts = vec![(0, 0); self.databases];
        for i in 0..SHARDS {
            for (db, part) in all.shard(i).dbs.iter_mut().enumerate() {
                debug_assert!(part.cow.is_none(), "two snapshots at once");
                counts[db].0 += part.keys;
                counts[db].1 += part.volatile;
                part.cow = Some(Box::new(cow::PartCow::new(sink.clone(), db, i)));
            }
        }
        counts
    }

    /// Saves the unsaved slots of local indexes `from..to` of shard `shard`, in every
    /// database, holding that shard's lock only for this range. Returns keys saved.
    pub fn cow_step(&self, shard: usize, from: usize, to: usize) -> usize {
        let mut s = self.lock_shard(shard);
        s.dbs.iter_mut().map(|p| p.cow_save_range(from, to)).sum()
    }

    /// Ends the snapshot: removes the marks (after `cow_step` has covered every slot,
    /// or to abandon it).
    pub fn cow_end(&self) {
        let mut all = self.lock_all();
        for i in 0..SHARDS {
            for part in all.shard(i).dbs.iter_mut() {
                part.cow = None;
            }
        }
    }

    pub fn lock_all(&self) -> Locks<'_> {
        self.lock_shards(u32::MAX >> (32 - SHARDS))
    }

    /// The shard mask for a set of keys.
    pub fn mask_for_keys<'k>(keys: impl IntoIterator<Item = &'k [u8]>) -> u32 {
        keys.into_iter().fold(0, |m, k| m | 1 << shard_of_slot(key_slot(k)))
    }

    /// Number of keys in `db` (locks each shard briefly in turn).
    pub fn db_size(&self, db: usize) -> usize {
        (0..SHARDS).map(|i| self.lock_shard(i).dbs.get(db).map_or(0, |p| p.keys)).sum()
    }

    /// (keys, volatile keys) per database.
    pub fn counts(&self) -> Vec<(usize, usize)> {
        let mut out = vec![(0, 0); self.databases];
        for i in 0..SHARDS {
            let s = self.lock_shard(i);
            for (d, p) in s.dbs.iter().enumerate() {
                out[d].0 += p.keys;
                out[d].1 += p.volatile;
            }
        }
        out
    }

    pub fn with_shard<R>(&self, i: usize, f: impl FnOnce(&mut Shard) -> R) -> R {
        f(&mut self.lock_shard(i))
    }
}

/// How a read updates the object's access clock (Redis's LRU/LFU bookkeeping).
#[derive(Clone, Copy, Debug)]
pub enum Touch {
    /// Leave it (OBJECT, TYPE ... and replicas' internal reads).
    None,
    /// Store the LRU clock.
    Lru(u32),
    /// Increment the LFU counter: (minutes clock, lfu-log-factor, lfu-decay-time).
    Lfu(u16, u32, u32),
}

/// Whether a lookup may delete an expired key or must only hide it (replicas wait for
/// their primary's DEL, as in Redis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpireMode {
    Delete,
    HideOnly,
    /// Keys are returned even if logically expired (the primary link applying writes).
    Ignore,
}

/// Longest key the slot cache keeps (longer keys are rare and just rehashed).
const SLOT_CACHE_KEY: usize = 32;

struct SlotCache {
    /// u8::MAX: empty.
    len: u8,
    key: [u8; SLOT_CACHE_KEY],
    slot: u16,
}

/// The shards a command holds, and what its reads found expired.
pub struct Locks<'a> {
    ks: &'a Keyspace,
    /// The held guards: most commands hold exactly one, kept inline; the rest (multi-
    /// shard commands) in `more`, which does not allocate until used.
    first: Option<(usize, MutexGuard<'a, Shard>)>,
    more: Vec<(usize, MutexGuard<'a, Shard>)>,
    /// Keys deleted because they had expired: (db, key). The caller counts them,
    /// publishes `expired` events and propagates DELs.
    pub expired: Vec<(usize, SmallBytes)>,
    pub touch: Touch,
    /// The last short key hashed and its slot: a command usually asks for the same
    /// key's slot several times (lookup, write, WATCH signal). Compared by content.
    slot_cache: SlotCache,
}

impl<'a> Locks<'a> {
    pub fn keyspace(&self) -> &'a Keyspace {
        self.ks
    }

    fn push_guard(&mut self, i: usize, g: MutexGuard<'a, Shard>) {
        if self.first.is_none() {
            self.first = Some((i, g));
        } else {
            self.more.push((i, g));
        }
    }

    /// Seeds the slot cache with a slot the caller already computed.
    pub fn prime_slot(&mut self, key: &[u8], slot: u16) {
        if key.len() <= SLOT_CACHE_KEY {
            let c = &mut self.slot_cache;
            c.len = key.len() as u8;
            c.key[..key.len()].copy_from_slice(key);
            c.slot = slot;
        }
    }

    /// The hash slot of `key`, remembering the last short key computed.
    #[inline]
    pub fn slot_of(&mut self, key: &[u8]) -> u16 {
        let c = &mut self.slot_cache;
        // (The empty cache's length, u8::MAX, exceeds the buffer: check the bound first.)
        if key.len() <= SLOT_CACHE_KEY && key.len() == c.len as usize && c.key[..key.len()] == *key {
            return c.slot;
        }
        let s = key_slot(key);
        if key.len() <= SLOT_CACHE_KEY {
            c.len = key.len() as u8;
            c.key[..key.len()].copy_from_slice(key);
            c.slot = s;
        }
        s
    }

    pub fn holds(&self, shard: usize) -> bool {
        self.first.as_ref().is_some_and(|(i, _)| *i == shard) || self.more.iter().any(|(i, _)| *i == shard)
    }

    /// A shard this set already holds, read-only.
    fn held(&self, shard: usize) -> Option<&Shard> {
        match &self.first {
            Some((i, g)) if *i == shard => Some(g),
            _ => self.more.iter().find(|(i, _)| *i == shard).map(|(_, g)| &**g),
        }
    }

    /// Whether any shard is held (a snapshot cannot start under held shards).
    pub fn holds_any(&self) -> bool {
        self.first.is_some()
    }

    pub fn holds_all(&self) -> bool {
        self.first.is_some() as usize + self.more.len() == SHARDS
    }

    /// The shard, locked now if the command did not declare it (a bug, logged once:
    /// locking out of order can deadlock against another thread).
    pub fn shard(&mut self, i: usize) -> &mut Shard {
        if !self.holds(i) {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| tracing::error!(shard = i, "command touched a shard it did not lock"));
            let g = self.ks.lock_shard(i);
            self.push_guard(i, g);
        }
        if let Some((j, g)) = self.first.as_mut() {
            if *j == i {
                return g;
            }
        }
        &mut self.more.iter_mut().find(|(j, _)| *j == i).expect("locked above").1
    }

    pub fn part(&mut self, db: usize, slot: u16) -> &mut DbPart {
        &mut self.shard(shard_of_slot(slot)).dbs[db]
    }

    pub fn part_of_shard(&mut self, db: usize, shard: usize) -> &mut DbPart {
        &mut self.shard(shard).dbs[db]
    }

    /// Looks a key up, applying lazy expiry. Returns the object if it is live.
    pub fn lookup(&mut self, db: usize, key: &[u8], now_ms: i64, mode: ExpireMode) -> Option<&mut Obj> {
        let slot = self.slot_of(key);
        let touch = self.touch;
        let hash = dict::hash_bytes(key);
        let part = self.part(db, slot);
        let table = part.table_mut(slot)?;
        let flags = table.keys.get_hashed(hash, key)?.flags;
        if flags & FLAG_VOLATILE != 0 && mode != ExpireMode::Ignore {
            let when = table.expires.get(key).copied().unwrap_or(i64::MAX);
            if when <= now_ms {
                if mode == ExpireMode::HideOnly {
                    return None;
                }
                self.delete_slot_key(db, slot, key);
                self.part(db, slot).signal_watchers(key);
                self.expired.push((db, SmallBytes::new(key)));
                return None;
            }
        }
        let obj = self.part(db, slot).table_mut(slot)?.keys.get_mut_hashed(hash, key)?;
        apply_touch(obj, touch);
        Some(obj)
    }

    /// Whether the key exists (after lazy expiry), without touching its clock.
    pub fn exists(&mut self, db: usize, key: &[u8], now_ms: i64, mode: ExpireMode) -> bool {
        let saved = std::mem::replace(&mut self.touch, Touch::None);
        let r = self.lookup(db, key, now_ms, mode).is_some();
        self.touch = saved;
        r
    }

    /// Adds or replaces a key's value. A replaced key loses its TTL unless `keep_ttl`
    /// (Redis's setKey semantics). Returns true if the key was new.
    pub fn set(&mut self, db: usize, key: &[u8], val: Value, keep_ttl: bool) -> bool {
        let slot = self.slot_of(key);
        let touch = self.touch;
        let part = self.part(db, slot);
        let table = part.table_or_create(slot);
        if let Some(obj) = table.keys.get_mut(key) {
            obj.val = val;
            obj.flags &= !(FLAG_RAW | FLAG_EMBSTR);
            apply_touch(obj, touch);
            if !keep_ttl && obj.flags & FLAG_VOLATILE != 0 {
                obj.flags &= !FLAG_VOLATILE;
                table.expires.remove(key);
                part.volatile -= 1;
            }
            false
        } else {
            let mut obj = Obj::new(val);
            init_clock(&mut obj, touch);
            table.keys.insert_new(SmallBytes::new(key), obj);
            part.keys += 1;
            true
        }
    }

    /// `set` for a command at time `now_ms`: a key that is present but logically expired
    /// is first expired (reported through `expired`, watchers signalled) and then
    /// written as a new key — Redis's setKey, which looks the key up for writing first —
    /// without a separate lookup in the common case. Returns true if the key was new.
    pub fn set_at(&mut self, db: usize, key: &[u8], val: Value, keep_ttl: bool, now_ms: i64, mode: ExpireMode) -> bool {
        if mode == ExpireMode::Delete {
            let slot = self.slot_of(key);
            let stale = self.part(db, slot).table(slot).is_some_and(|t| {
                t.keys.get(key).is_some_and(|o| o.flags & FLAG_VOLATILE != 0) && t.expires.get(key).is_some_and(|&at| at <= now_ms)
            });
            if stale {
                self.remove_in_slot(db, slot, key);
                self.part(db, slot).signal_watchers(key);
                self.expired.push((db, SmallBytes::new(key)));
            }
        }
        self.set(db, key, val, keep_ttl)
    }

    /// Inserts a whole object (RESTORE, MOVE, RENAME) under a key known to be absent.
    pub fn insert_obj(&mut self, db: usize, key: &[u8], obj: Obj, expire_at_ms: Option<i64>) {
        let slot = self.slot_of(key);
        let part = self.part(db, slot);
        let mut obj = obj;
        obj.flags &= !FLAG_VOLATILE;
        if expire_at_ms.is_some() {
            obj.flags |= FLAG_VOLATILE;
            part.volatile += 1;
        }
        let table = part.table_or_create(slot);
        if let Some(at) = expire_at_ms {
            table.expires.insert(SmallBytes::new(key), at);
        }
        let prev = table.keys.insert(SmallBytes::new(key), obj);
        debug_assert!(prev.is_none(), "insert_obj over an existing key");
        if prev.is_none() {
            part.keys += 1;
        }
    }

    /// Removes a key; returns its object and expiry time.
    pub fn remove(&mut self, db: usize, key: &[u8]) -> Option<(Obj, Option<i64>)> {
        let slot = self.slot_of(key);
        self.remove_in_slot(db, slot, key)
    }

    fn remove_in_slot(&mut self, db: usize, slot: u16, key: &[u8]) -> Option<(Obj, Option<i64>)> {
        let part = self.part(db, slot);
        let table = part.table_mut(slot)?;
        let obj = table.keys.remove(key)?;
        let mut at = None;
        if obj.flags & FLAG_VOLATILE != 0 {
            at = table.expires.remove(key);
            part.volatile -= 1;
        }
        part.keys -= 1;
        part.prune(slot);
        Some((obj, at))
    }

    fn delete_slot_key(&mut self, db: usize, slot: u16, key: &[u8]) {
        self.remove_in_slot(db, slot, key);
    }

    /// The key's absolute expiry in Unix ms, if it has one.
    pub fn expire_at(&mut self, db: usize, key: &[u8]) -> Option<i64> {
        let slot = self.slot_of(key);
        let table = self.part(db, slot).table(slot)?;
        table.expires.get(key).copied()
    }

    /// Sets (Some) or clears (None) a live key's expiry. Returns false if the key is absent.
    pub fn set_expire(&mut self, db: usize, key: &[u8], at_ms: Option<i64>) -> bool {
        let slot = self.slot_of(key);
        let part = self.part(db, slot);
        let Some(table) = part.table_mut(slot) else { return false };
        let Some(obj) = table.keys.get_mut(key) else { return false };
        let was = obj.flags & FLAG_VOLATILE != 0;
        match at_ms {
            Some(at) => {
                obj.flags |= FLAG_VOLATILE;
                table.expires.insert(SmallBytes::new(key), at);
                if !was {
                    part.volatile += 1;
                }
            }
            None => {
                obj.flags &= !FLAG_VOLATILE;
                if was {
                    table.expires.remove(key);
                    part.volatile -= 1;
                }
            }
        }
        true
    }
}

/// Sets a new object's access clock as Redis's createObject does (LFU starts at
/// LFU_INIT_VAL = 5 so new keys are not evicted first).
fn init_clock(obj: &mut Obj, touch: Touch) {
    match touch {
        Touch::None => {}
        Touch::Lru(clock) => obj.lru = clock,
        Touch::Lfu(minutes, _, _) => obj.lru = ((minutes as u32) << 8) | LFU_INIT_VAL,
    }
}

pub const LFU_INIT_VAL: u32 = 5;

fn apply_touch(obj: &mut Obj, touch: Touch) {
    match touch {
        Touch::None => {}
        Touch::Lru(clock) => obj.lru = clock,
        Touch::Lfu(minutes, log_factor, decay_time) => {
            let counter = lfu_decr_and_return(obj.lru, minutes, decay_time);
            let counter = lfu_log_incr(counter, log_factor);
            obj.lru = ((minutes as u32) << 8) | counter;
        }
    }
}

/// Minutes elapsed since `then` on the 16-bit minutes clock (wraps like Redis's).
pub fn lfu_time_elapsed(now: u16, then: u16) -> u32 {
    if now >= then {
        (now - then) as u32
    } else {
        65535 - then as u32 + now as u32
    }
}

/// Decays the counter by one per `decay_time` minutes elapsed (Redis's LFUDecrAndReturn).
pub fn lfu_decr_and_return(lru: u32, now_minutes: u16, decay_time: u32) -> u32 {
    let then = (lru >> 8) as u16;
    let counter = lru & 255;
    let periods = lfu_time_elapsed(now_minutes, then).checked_div(decay_time).unwrap_or(0);
    if periods > 0 {
        counter.saturating_sub(periods)
    } else {
        counter
    }
}

/// Logarithmic increment (Redis's LFULogIncr): the higher the counter, the less likely.
pub fn lfu_log_incr(counter: u32, log_factor: u32) -> u32 {
    if counter == 255 {
        return 255;
    }
    let r: f64 = rand::random();
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}
