//! maxmemory: Redis's approximated eviction.
//!
//! Before a command that may grow memory (`denyoom`), the gate calls `perform` when
//! used memory is above `maxmemory`. With `noeviction` the command is refused with OOM;
//! otherwise keys are sampled (`maxmemory-samples` per round, from random slot tables
//! of random databases) and the best candidate by the policy — oldest access (LRU),
//! lowest frequency (LFU), nearest expiry (volatile-ttl) or any (random) — is deleted,
//! until memory is below the limit or nothing is left to evict. Each eviction publishes
//! `evicted`, counts in `evicted_keys` and is propagated as DEL.
use super::Server;
use crate::config::settings::EvictionPolicy;
use crate::config::Settings;
use crate::keyspace::{lfu_decr_and_return, SmallBytes, FLAG_VOLATILE, SHARDS};

use rand::Rng;
use std::sync::atomic::Ordering;

/// Redis's LRU clock: seconds, 24 bits, wrapping.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

pub fn lru_clock() -> u32 {
    (crate::util::time::now_secs() as u32) & LRU_CLOCK_MAX
}

/// LFU time: minutes, 16 bits.
pub fn lfu_minutes() -> u16 {
    ((crate::util::time::now_secs() / 60) & 0xffff) as u16
}

/// Idle milliseconds of an object given its stored LRU clock.
pub fn idle_ms(lru: u32) -> u64 {
    let now = lru_clock();
    let secs = if now >= lru { now - lru } else { (LRU_CLOCK_MAX - lru) + now };
    secs as u64 * 1000
}

/// The touch mode the current policy needs.
pub fn touch_for(s: &Settings) -> crate::keyspace::Touch {
    touch_at(s, crate::util::time::now_ms())
}

/// `touch_for` at a time the caller already read.
pub fn touch_at(s: &Settings, now_ms: i64) -> crate::keyspace::Touch {
    let secs = now_ms.div_euclid(1000);
    if s.policy.is_lfu() {
        crate::keyspace::Touch::Lfu(((secs / 60) & 0xffff) as u16, s.lfu_log_factor, s.lfu_decay_time)
    } else {
        crate::keyspace::Touch::Lru((secs as u32) & LRU_CLOCK_MAX)
    }
}

pub fn used_memory() -> u64 {
    crate::util::alloc::used_memory() as u64
}

/// Memory is over `maxmemory` and nothing more may be evicted: refuse with OOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

/// Candidates kept between eviction rounds (Redis's EVPOOL_SIZE): the best keys seen
/// by several samplings, so each eviction compares far more keys than one sample.
const POOL_SIZE: usize = 16;

/// (score: higher = better victim, db, key)
pub type Pool = Vec<(u64, usize, SmallBytes)>;

/// Evicts until under `maxmemory`. `Err(OutOfMemory)` when the command must be refused.
pub fn perform(srv: &Server, s: &Settings) -> Result<(), OutOfMemory> {
    if s.maxmemory == 0 || used_memory() <= s.maxmemory {
        return Ok(());
    }
    if s.policy == EvictionPolicy::NoEviction || srv.is_replica() {
        return Err(OutOfMemory);
    }
    let volatile_only = matches!(s.policy, EvictionPolicy::VolatileLru | EvictionPolicy::VolatileLfu | EvictionPolicy::VolatileRandom | EvictionPolicy::VolatileTtl);
    let mut rng = rand::thread_rng();
    let started = std::time::Instant::now();
    // Redis's tenacity: 10 (default) → 500 µs per call, each step ×1.15; 100 → no limit.
    let budget_us: u64 = if s.eviction_tenacity >= 100 { u64::MAX } else { (500f64 * 1.15f64.powi(s.eviction_tenacity as i32 - 10)) as u64 };
    let mut pool = srv.evict_pool.lock().unwrap_or_else(|e| e.into_inner());
    while used_memory() > s.maxmemory {
        let Some((db, key)) = next_victim(srv, s, volatile_only, &mut pool, &mut rng) else {
            return Err(OutOfMemory); // nothing left that the policy may evict
        };
        let slot = crate::cluster::slot::key_slot(&key);
        let removed = srv.ks.with_shard(crate::keyspace::shard_of_slot(slot), |sh| {
            let part = &mut sh.dbs[db];
            let Some(t) = part.table_mut(slot) else { return false };
            match t.keys.remove(&key) {
                Some(o) => {
                    if o.flags & FLAG_VOLATILE != 0 {
                        t.expires.remove(&key);
                        part.volatile -= 1;
                    }
                    part.keys -= 1;
                    part.prune(slot);
                    part.signal_watchers(&key);
                    true
                }
                None => false,
            }
        });
        if removed {
            srv.stats.evicted_keys.fetch_add(1, Ordering::Relaxed);
            super::notify::keyspace_event(srv, s, super::notify::EVICTED, "evicted", &key, db);
            crate::cmd::gate::propagate_del(srv, db, &key);
        }
        if started.elapsed().as_micros() as u64 > budget_us {
            // Out of time but still evicting: like Redis (EVICT_RUNNING) the command is
            // not refused; the cron goes on evicting.
            return Ok(());
        }
    }
    Ok(())
}

fn score(s: &Settings, o: &crate::keyspace::Obj, at: Option<i64>, minutes: u16) -> u64 {
    match s.policy {
        EvictionPolicy::VolatileTtl => u64::MAX - at.unwrap_or(i64::MAX).max(0) as u64,
        EvictionPolicy::VolatileRandom | EvictionPolicy::AllkeysRandom => 1,
        EvictionPolicy::VolatileLfu | EvictionPolicy::AllkeysLfu => 255 - lfu_decr_and_return(o.lru, minutes, s.lfu_decay_time) as u64,
        _ => idle_ms(o.lru),
    }
}

/// Refills the pool from a sample of every database that has keys and takes its best
/// candidate (Redis's evictionPoolPopulate + pick).
fn next_victim(srv: &Server, s: &Settings, volatile_only: bool, pool: &mut Pool, rng: &mut impl Rng) -> Option<(usize, SmallBytes)> {
    let minutes = lfu_minutes();
    let random = matches!(s.policy, EvictionPolicy::AllkeysRandom | EvictionPolicy::VolatileRandom);
    for _attempt in 0..4 {
        for db in 0..srv.ks.databases {
            let shard = rng.gen_range(0..SHARDS);
            srv.ks.with_shard(shard, |sh| {
                let part = &sh.dbs[db];
                part.sample_keys(rng, s.maxmemory_samples, volatile_only, |k, o, at| {
                    let sc = score(s, o, at, minutes);
                    if pool.iter().any(|(_, d, pk)| *d == db && pk == k) {
                        return;
                    }
                    if pool.len() < POOL_SIZE {
                        pool.push((sc, db, k.clone()));
                    } else if let Some(worst) = pool.iter_mut().min_by_key(|(psc, _, _)| *psc) {
                        if sc > worst.0 {
                            *worst = (sc, db, k.clone());
                        }
                    }
                });
            });
            if random && !pool.is_empty() {
                break;
            }
        }
        if !pool.is_empty() {
            break;
        }
    }
    if pool.is_empty() {
        return None;
    }
    let best = if random {
        rng.gen_range(0..pool.len())
    } else {
        pool.iter().enumerate().max_by_key(|(_, (sc, _, _))| *sc).map(|(i, _)| i).unwrap_or(0)
    };
    let (_, db, key) = pool.swap_remove(best);
    Some((db, key))
}

/// Called from cron: keeps evicting when above the limit even without commands.
pub fn cron(srv: &Server, s: &Settings) {
    if s.maxmemory > 0 && used_memory() > s.maxmemory && s.policy != EvictionPolicy::NoEviction {
        let _ = perform(srv, s);
    }
}
