//! Pub/Sub registry: who is subscribed to which channel, pattern and shard channel, and
//! delivery of messages into subscribers' mailboxes.
//!
//! One mutex guards the registry; PUBLISH holds it while it enqueues (no I/O happens
//! under it: delivery is a channel send). Mailboxes are unbounded channels whose queued
//! bytes are counted per client and capped by the `pubsub` class of
//! client-output-buffer-limit (a client over the hard limit, or over the soft limit for
//! longer than its seconds, is disconnected, as in Redis) — a byte cap rather than a
//! message-count cap because that is the limit Redis users configure.
use super::client::{ClientMsg, ClientShared};
use crate::resp::Reply;
use crate::util::glob::glob_match;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

type Subscribers = BTreeMap<u64, Arc<ClientShared>>;

#[derive(Default)]
struct Registry {
    channels: HashMap<Vec<u8>, Subscribers>,
    patterns: HashMap<Vec<u8>, Subscribers>,
    shard_channels: HashMap<Vec<u8>, Subscribers>,
}

#[derive(Default)]
pub struct PubSub {
    reg: Mutex<Registry>,
    /// client-output-buffer-limit pubsub: hard bytes, soft bytes, soft seconds.
    pub hard_limit: AtomicU64,
    pub soft_limit: AtomicU64,
    pub soft_secs: AtomicU64,
    /// Per client id: when it first went over the soft limit (ms), for the soft rule.
    soft_since: Mutex<HashMap<u64, i64>>,
    pub messages_published: AtomicI64,
    /// Bytes delivered to mailboxes and not written yet, over all clients (client
    /// eviction); each connection takes its share off when it writes.
    pub pending_total: std::sync::atomic::AtomicUsize,
}

fn bulk(b: &[u8]) -> Reply {
    Reply::Bulk(b.to_vec())
}

impl PubSub {
    fn reg(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.reg.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn subscribe(&self, c: &Arc<ClientShared>, chan: &[u8]) -> bool {
        self.reg().channels.entry(chan.to_vec()).or_default().insert(c.id, c.clone()).is_none()
    }
    pub fn unsubscribe(&self, id: u64, chan: &[u8]) -> bool {
        remove(&mut self.reg().channels, id, chan)
    }
    pub fn psubscribe(&self, c: &Arc<ClientShared>, pat: &[u8]) -> bool {
        self.reg().patterns.entry(pat.to_vec()).or_default().insert(c.id, c.clone()).is_none()
    }
    pub fn punsubscribe(&self, id: u64, pat: &[u8]) -> bool {
        remove(&mut self.reg().patterns, id, pat)
    }
    pub fn ssubscribe(&self, c: &Arc<ClientShared>, chan: &[u8]) -> bool {
        self.reg().shard_channels.entry(chan.to_vec()).or_default().insert(c.id, c.clone()).is_none()
    }
    pub fn sunsubscribe(&self, id: u64, chan: &[u8]) -> bool {
        remove(&mut self.reg().shard_channels, id, chan)
    }

    /// PUBLISH: delivers to channel subscribers, then pattern subscribers; returns the
    /// number of deliveries.
    pub fn publish(&self, chan: &[u8], msg: &[u8]) -> usize {
        let reg = self.reg();
        let mut n = 0;
        if let Some(subs) = reg.channels.get(chan) {
            for c in subs.values() {
                self.deliver(c, Reply::Push(vec![bulk(b"message"), bulk(chan), bulk(msg)]));
                n += 1;
            }
        }
        for (pat, subs) in reg.patterns.iter() {
            if glob_match(pat, chan, false) {
                for c in subs.values() {
                    self.deliver(c, Reply::Push(vec![bulk(b"pmessage"), bulk(pat), bulk(chan), bulk(msg)]));
                    n += 1;
                }
            }
        }
        self.messages_published.fetch_add(1, Ordering::Relaxed);
        n
    }

    /// SPUBLISH within this node.
    pub fn spublish(&self, chan: &[u8], msg: &[u8]) -> usize {
        let reg = self.reg();
        let mut n = 0;
        if let Some(subs) = reg.shard_channels.get(chan) {
            for c in subs.values() {
                self.deliver(c, Reply::Push(vec![bulk(b"smessage"), bulk(chan), bulk(msg)]));
                n += 1;
            }
        }
        n
    }

    fn deliver(&self, c: &Arc<ClientShared>, msg: Reply) {
        let size = approx_size(&msg);
        let pending = c.pending_bytes.fetch_add(size, Ordering::Relaxed) + size;
        self.pending_total.fetch_add(size, Ordering::Relaxed);
        let hard = self.hard_limit.load(Ordering::Relaxed) as usize;
        let soft = self.soft_limit.load(Ordering::Relaxed) as usize;
        if hard > 0 && pending > hard {
            tracing::warn!(client = c.id, addr = %c.addr, "Client scheduled to be closed ASAP for overcoming of output buffer limits.");
            c.kill();
            return;
        }
        if soft > 0 && pending > soft {
            let now = crate::util::time::now_ms();
            let mut since = self.soft_since.lock().unwrap_or_else(|e| e.into_inner());
            let t0 = *since.entry(c.id).or_insert(now);
            if now - t0 > self.soft_secs.load(Ordering::Relaxed) as i64 * 1000 {
                tracing::warn!(client = c.id, addr = %c.addr, "Client scheduled to be closed ASAP for overcoming of output buffer limits.");
                c.kill();
                return;
            }
        } else if soft > 0 {
            self.soft_since.lock().unwrap_or_else(|e| e.into_inner()).remove(&c.id);
        }
        let _ = c.tx.send(ClientMsg::Push(msg));
    }

    /// Cron: closes subscribers that stayed over the soft output limit longer than its
    /// seconds without a new message to trigger the check (Redis checks in its cron).
    pub fn check_soft_limits(&self, now_ms: i64, client: impl Fn(u64) -> Option<Arc<ClientShared>>) -> usize {
        let soft = self.soft_limit.load(Ordering::Relaxed) as usize;
        let secs = self.soft_secs.load(Ordering::Relaxed) as i64;
        let mut since = self.soft_since.lock().unwrap_or_else(|e| e.into_inner());
        if since.is_empty() {
            return 0;
        }
        let mut closed = 0;
        since.retain(|id, t0| {
            let Some(c) = client(*id) else { return false };
            if soft == 0 || c.pending_bytes.load(Ordering::Relaxed) <= soft {
                return false;
            }
            if now_ms - *t0 > secs * 1000 {
                tracing::warn!(client = c.id, addr = %c.addr, "Client scheduled to be closed ASAP for overcoming of output buffer limits.");
                c.kill();
                closed += 1;
                return false;
            }
            true
        });
        closed
    }

    /// Drops every subscription of a client (on disconnect or RESET).
    pub fn remove_client(&self, id: u64) {
        let mut reg = self.reg();
        let reg = &mut *reg;
        for map in [&mut reg.channels, &mut reg.patterns, &mut reg.shard_channels] {
            map.retain(|_, subs| {
                subs.remove(&id);
                !subs.is_empty()
            });
        }
        self.soft_since.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }

    /// PUBSUB CHANNELS [pattern] (and SHARDCHANNELS with `shard`).
    pub fn channels(&self, pattern: Option<&[u8]>, shard: bool) -> Vec<Vec<u8>> {
        let reg = self.reg();
        let map = if shard { &reg.shard_channels } else { &reg.channels };
        let mut v: Vec<Vec<u8>> = map.keys().filter(|c| pattern.is_none_or(|p| glob_match(p, c, false))).cloned().collect();
        v.sort();
        v
    }

    pub fn numsub(&self, chan: &[u8], shard: bool) -> usize {
        let reg = self.reg();
        let map = if shard { &reg.shard_channels } else { &reg.channels };
        map.get(chan).map_or(0, |s| s.len())
    }

    pub fn numpat(&self) -> usize {
        self.reg().patterns.len()
    }

    pub fn channel_count(&self) -> usize {
        self.reg().channels.len()
    }

    pub fn shard_channel_count(&self) -> usize {
        self.reg().shard_channels.len()
    }
}

fn remove(map: &mut HashMap<Vec<u8>, Subscribers>, id: u64, name: &[u8]) -> bool {
    let mut removed = false;
    if let Some(subs) = map.get_mut(name) {
        removed = subs.remove(&id).is_some();
        if subs.is_empty() {
            map.remove(name);
        }
    }
    removed
}

/// Bytes a reply takes on the wire, near enough for output-buffer accounting.
pub fn approx_size(r: &Reply) -> usize {
    match r {
        Reply::Bulk(b) => b.len() + 16,
        Reply::SmallBulk(b) => b.len() + 16,
        Reply::Array(v) | Reply::Push(v) | Reply::Set(v) => 8 + v.iter().map(approx_size).sum::<usize>(),
        Reply::Map(v) => 8 + v.iter().map(|(a, b)| approx_size(a) + approx_size(b)).sum::<usize>(),
        _ => 16,
    }
}
