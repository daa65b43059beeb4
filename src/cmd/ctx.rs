//! `Ctx`: everything a handler may use while its shards are locked.
//!
//! Handlers read and write keys through these helpers so that Redis's bookkeeping
//! happens in one place: lazy expiry, keyspace hit/miss counters, WRONGTYPE checks,
//! WATCH invalidation, keyspace notifications, the dirty counter that decides
//! propagation, and "key ready" signals for blocked clients.
use super::table::Command;
use super::CmdError;
use crate::config::Settings;
use crate::keyspace::types::{hash::Hash, list::List, set::Set, zset::ZSet};
use crate::keyspace::{ExpireMode, Locks, Obj, SmallBytes, Value};
use crate::server::client::Session;
use crate::server::notify;
use crate::server::Server;
use bytes::Bytes;
use std::sync::atomic::Ordering;

/// What a handler asks for when it has nothing to return yet (BLPOP on empty lists).
#[derive(Debug, Clone)]
pub struct BlockRequest {
    /// Keys to wait on, in the current database.
    pub keys: Vec<SmallBytes>,
    /// 0 = forever.
    pub timeout_ms: u64,
    /// Reply when the timeout passes (`*-1` for BLPOP, `$-1` for BLMOVE ...).
    pub on_timeout: crate::resp::Reply,
}

pub struct Ctx<'a, 'l> {
    pub srv: &'a Server,
    pub sess: &'a mut Session,
    pub locks: &'a mut Locks<'l>,
    pub settings: &'a Settings,
    pub cmd: &'a Command,
    pub now_ms: i64,
    /// Changes made (Redis's server.dirty delta): > 0 means propagate.
    pub dirty: u64,
    /// Keys that may unblock clients (became lists/zsets).
    pub ready: Vec<(usize, SmallBytes)>,
    /// Set by a blocking handler that found nothing.
    pub block: Option<BlockRequest>,
    /// False inside MULTI/EXEC and scripts: blocking commands must not block there.
    pub may_block: bool,
    /// Running on behalf of a blocked client being served by another command.
    pub serving_blocked: bool,
    /// Commands to propagate instead of the original argv (e.g. BLPOP → LPOP).
    pub rewritten: Option<Vec<Vec<Bytes>>>,
    /// Propagate even with no change counted (Redis's forceCommandPropagation:
    /// FLUSHALL/FLUSHDB of an empty keyspace still reach replicas and the AOF).
    pub force_propagate: bool,
}

macro_rules! typed_access {
    ($read:ident, $write:ident, $create:ident, $variant:ident, $ty:ty, $new:expr) => {
        /// The key's value of this type for reading; WRONGTYPE if another type.
        pub fn $read(&mut self, key: &[u8]) -> Result<Option<&$ty>, CmdError> {
            match self.lookup_read(key) {
                None => Ok(None),
                Some(o) => match &o.val {
                    Value::$variant(v) => Ok(Some(&**v)),
                    _ => Err(CmdError::WrongType),
                },
            }
        }

        /// The key's value of this type for writing; WRONGTYPE if another type.
        pub fn $write(&mut self, key: &[u8]) -> Result<Option<&mut $ty>, CmdError> {
            match self.lookup_write(key) {
                None => Ok(None),
                Some(o) => match &mut o.val {
                    Value::$variant(v) => Ok(Some(&mut **v)),
                    _ => Err(CmdError::WrongType),
                },
            }
        }

        /// The key's value of this type, created empty if the key is absent.
        pub fn $create(&mut self, key: &[u8]) -> Result<&mut $ty, CmdError> {
            let exists = match self.lookup_write(key) {
                None => false,
                Some(o) => match &o.val {
                    Value::$variant(_) => true,
                    _ => return Err(CmdError::WrongType),
                },
            };
            if !exists {
                let v: $ty = $new(self.settings);
                self.add_new_key(key, Value::$variant(Box::new(v)));
            }
            match self.lookup_write(key).map(|o| &mut o.val) {
                Some(Value::$variant(v)) => Ok(&mut **v),
                _ => Err(CmdError::err("internal error: created key vanished")),
            }
        }
    };
}

impl<'a, 'l> Ctx<'a, 'l> {
    pub fn db(&self) -> usize {
        self.sess.db
    }

    fn expire_mode(&self) -> ExpireMode {
        if self.sess.is_master_link || self.sess.loading_client {
            ExpireMode::Ignore
        } else if self.srv.is_replica() || self.srv.pause_until_ms.load(Ordering::Relaxed) > self.now_ms {
            // A replica, or a server under CLIENT PAUSE, hides expired keys without
            // deleting them.
            ExpireMode::HideOnly
        } else {
            ExpireMode::Delete
        }
    }

    /// Accounts keys that lookups found expired (stats, `expired` events, DEL
    /// propagation). Called before the command publishes its own events, so the
    /// `expired` events come first, as in Redis (which publishes them at lookup time).
    pub fn flush_expired(&mut self) {
        if !self.locks.expired.is_empty() {
            let expired = std::mem::take(&mut self.locks.expired);
            super::gate::after_expire(self.srv, self.settings, &expired);
        }
    }

    /// Redis's lookupKeyRead: counts a hit or a miss.
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Obj> {
        let (db, now, mode) = (self.sess.db, self.now_ms, self.expire_mode());
        match self.locks.lookup(db, key, now, mode) {
            Some(o) => {
                self.srv.stats.keyspace_hits.fetch_add(1, Ordering::Relaxed);
                Some(o)
            }
            None => {
                self.srv.stats.keyspace_misses.fetch_add(1, Ordering::Relaxed);
                if self.settings.notify_flags & notify::KEY_MISS != 0 {
                    notify::keyspace_event(self.srv, self.settings, notify::KEY_MISS, "keymiss", key, db);
                }
                None
            }
        }
    }

    /// Redis's lookupKeyWrite: no hit/miss accounting.
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Obj> {
        let (db, now, mode) = (self.sess.db, self.now_ms, self.expire_mode());
        self.locks.lookup(db, key, now, mode)
    }

    /// Whether a key exists (no stats, no clock update).
    pub fn exists(&mut self, key: &[u8]) -> bool {
        let (db, now, mode) = (self.sess.db, self.now_ms, self.expire_mode());
        let r = self.locks.exists(db, key, now, mode);
        self.flush_expired();
        r
    }

    /// Same as `exists` in another database.
    pub fn exists_in(&mut self, db: usize, key: &[u8]) -> bool {
        let (now, mode) = (self.now_ms, self.expire_mode());
        let r = self.locks.exists(db, key, now, mode);
        self.flush_expired();
        r
    }

    /// The string value of a key (WRONGTYPE for other types).
    pub fn read_str(&mut self, key: &[u8]) -> Result<Option<&[u8]>, CmdError> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(o) => match &o.val {
                Value::Str(s) => Ok(Some(s.as_slice())),
                _ => Err(CmdError::WrongType),
            },
        }
    }

    typed_access!(read_list, write_list, list_or_create, List, List, |_s: &Settings| List::new());
    typed_access!(read_hash, write_hash, hash_or_create, Hash, Hash, |_s: &Settings| Hash::new());
    typed_access!(read_set, write_set, set_or_create, Set, Set, |_s: &Settings| Set::new());
    typed_access!(read_zset, write_zset, zset_or_create, ZSet, ZSet, |_s: &Settings| ZSet::new());

    /// Adds a key that is known to be absent (signals blocked clients for lists and
    /// sorted sets, as Redis's dbAdd does).
    pub fn add_new_key(&mut self, key: &[u8], val: Value) {
        let wakes = matches!(val, Value::List(_) | Value::ZSet(_));
        let db = self.sess.db;
        self.locks.set(db, key, val, false);
        self.notify_new(db, key);
        if wakes {
            self.signal_ready_in(db, key);
        }
    }

    /// The `new` keyspace event (class `n`) of a key just added, as Redis's dbAdd.
    fn notify_new(&mut self, db: usize, key: &[u8]) {
        if self.settings.notify_flags & notify::NEW != 0 {
            self.notify_in(db, notify::NEW, "new", key);
        }
    }

    /// Redis's setKey: add or overwrite; the TTL is dropped unless `keep_ttl`. Like
    /// Redis it looks the key up for writing first, so an expired key is expired (with
    /// its event) rather than overwritten with its old TTL kept.
    pub fn set_key(&mut self, key: &[u8], val: Value, keep_ttl: bool) {
        let wakes = matches!(val, Value::List(_) | Value::ZSet(_));
        let (db, now, mode) = (self.sess.db, self.now_ms, self.expire_mode());
        let created = self.locks.set_at(db, key, val, keep_ttl, now, mode);
        if created {
            self.notify_new(db, key);
        }
        if created && wakes {
            self.signal_ready_in(db, key);
        }
    }

    /// Like `set_key` in another database (MOVE, COPY ... DB).
    pub fn set_key_in(&mut self, db: usize, key: &[u8], val: Value, keep_ttl: bool) {
        let wakes = matches!(val, Value::List(_) | Value::ZSet(_));
        let (now, mode) = (self.now_ms, self.expire_mode());
        let created = self.locks.set_at(db, key, val, keep_ttl, now, mode);
        if created {
            self.notify_new(db, key);
        }
        if created && wakes {
            self.signal_ready_in(db, key);
        }
    }

    pub fn signal_ready_in(&mut self, db: usize, key: &[u8]) {
        let slot = self.locks.slot_of(key);
        let part = self.locks.part(db, slot);
        if !part.blocked.is_empty() && part.blocked.contains_key(key) && !self.ready.iter().any(|(d, k)| *d == db && k.as_slice() == key) {
            self.ready.push((db, SmallBytes::new(key)));
        }
    }

    /// Deletes a key; true if it existed (and was live).
    pub fn delete(&mut self, key: &[u8]) -> bool {
        let db = self.sess.db;
        self.delete_in(db, key)
    }

    pub fn delete_in(&mut self, db: usize, key: &[u8]) -> bool {
        let (now, mode) = (self.now_ms, self.expire_mode());
        if !self.locks.exists(db, key, now, mode) {
            return false;
        }
        self.locks.remove(db, key).is_some()
    }

    /// Removes a key and returns its object and expiry (RENAME, MOVE).
    pub fn take(&mut self, db: usize, key: &[u8]) -> Option<(Obj, Option<i64>)> {
        let (now, mode) = (self.now_ms, self.expire_mode());
        if !self.locks.exists(db, key, now, mode) {
            return None;
        }
        self.locks.remove(db, key)
    }

    /// After a command emptied an aggregate: delete it and publish `del`, as Redis does.
    pub fn delete_if_empty(&mut self, key: &[u8]) -> bool {
        let empty = self.lookup_write(key).is_some_and(|o| o.val.is_empty_aggregate());
        if empty {
            self.delete(key);
            self.notify(notify::GENERIC, "del", key);
        }
        empty
    }

    pub fn expire_at(&mut self, key: &[u8]) -> Option<i64> {
        let db = self.sess.db;
        self.locks.expire_at(db, key)
    }

    pub fn expire_at_in(&mut self, db: usize, key: &[u8]) -> Option<i64> {
        self.locks.expire_at(db, key)
    }

    /// Sets or clears a live key's TTL (absolute Unix ms).
    pub fn set_expire(&mut self, key: &[u8], at_ms: Option<i64>) -> bool {
        let db = self.sess.db;
        self.locks.set_expire(db, key, at_ms)
    }

    pub fn set_expire_in(&mut self, db: usize, key: &[u8], at_ms: Option<i64>) -> bool {
        self.locks.set_expire(db, key, at_ms)
    }

    /// Redis's signalModifiedKey: invalidates WATCHes of `key` in the current database.
    pub fn modified(&mut self, key: &[u8]) {
        let db = self.sess.db;
        self.modified_in(db, key);
    }

    pub fn modified_in(&mut self, db: usize, key: &[u8]) {
        let slot = self.locks.slot_of(key);
        self.locks.part(db, slot).signal_watchers(key);
    }

    /// Publishes a keyspace event for `key` in the current database if enabled.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        self.flush_expired();
        if self.settings.notify_flags & class != 0 {
            notify::keyspace_event(self.srv, self.settings, class, event, key, self.sess.db);
        }
    }

    pub fn notify_in(&mut self, db: usize, class: u32, event: &str, key: &[u8]) {
        self.flush_expired();
        if self.settings.notify_flags & class != 0 {
            notify::keyspace_event(self.srv, self.settings, class, event, key, db);
        }
    }

    /// The usual triple after a write: WATCH invalidation, notification, dirty += 1.
    pub fn changed(&mut self, key: &[u8], class: u32, event: &str) {
        self.modified(key);
        self.notify(class, event, key);
        self.dirty += 1;
    }

    /// Asks the gate to block this client (only when `may_block`).
    pub fn block(&mut self, req: BlockRequest) -> crate::resp::Reply {
        let r = req.on_timeout.clone();
        self.block = Some(req);
        r
    }

    /// Replaces what is propagated to replicas/AOF for this command.
    pub fn propagate_as(&mut self, cmds: Vec<Vec<Bytes>>) {
        self.rewritten = Some(cmds);
    }

    /// Current LRU clock (seconds, 24 bits), for OBJECT IDLETIME and eviction.
    pub fn lru_clock(&self) -> u32 {
        crate::server::evict::lru_clock()
    }
}
