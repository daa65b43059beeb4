//! Active expiry: Redis's "slow cycle", run `hz` times a second by the server cron.
//!
//! Each run visits (database, shard) parts that hold volatile keys, resuming where the
//! last run stopped; for each slot table with expiring keys it samples up to `SAMPLE`
//! keys and deletes the expired ones, sampling the same table again while more than
//! `STALE_PERCENT` of a sample was expired. One shard lock is held per part visit and
//! the run stops at its time budget, so writers wait at most one table's work.
use super::{Keyspace, SmallBytes, SHARDS};
use crate::cluster::slot::SLOT_COUNT;
use std::time::{Duration, Instant};

/// Keys sampled per table per round (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
const SAMPLE: usize = 20;
/// Resample a table while more than this share of its sample was expired
/// (ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE).
const STALE_PERCENT: usize = 10;
/// Slot tables of one shard (the slots s with s % SHARDS == shard).
const LOCAL_SLOTS: usize = SLOT_COUNT / SHARDS;

/// Where the next run resumes.
#[derive(Default, Clone, Copy, Debug)]
pub struct Cursor {
    pub db: usize,
    pub shard: usize,
    /// Index among the shard's slots (`slot / SHARDS`).
    pub local: usize,
}

/// Runs one cycle; returns the keys it deleted as (db, key).
pub fn cycle(ks: &Keyspace, cursor: &mut Cursor, now_ms: i64, budget: Duration, rng: &mut impl rand::Rng) -> Vec<(usize, SmallBytes)> {
    let start = Instant::now();
    let mut out = Vec::new();
    let parts = ks.databases * SHARDS;
    for _ in 0..=parts {
        if cursor.db >= ks.databases {
            *cursor = Cursor::default();
        }
        let (db, shard) = (cursor.db, cursor.shard);
        let finished_part = ks.with_shard(shard, |s| {
            let part = &mut s.dbs[db];
            while cursor.local < LOCAL_SLOTS {
                if part.volatile == 0 {
                    return true;
                }
                let slot = (cursor.local * SHARDS + shard) as u16;
                if part.table(slot).is_some_and(|t| !t.expires.is_empty()) {
                    loop {
                        let (sampled, dead) = part.expire_round(slot, now_ms, SAMPLE, rng);
                        let n = dead.len();
                        out.extend(dead.into_iter().map(|k| (db, k)));
                        if sampled == 0 || n * 100 / sampled <= STALE_PERCENT || start.elapsed() >= budget {
                            break;
                        }
                    }
                    if start.elapsed() >= budget {
                        cursor.local += 1;
                        return false;
                    }
                }
                cursor.local += 1;
            }
            true
        });
        if finished_part {
            cursor.local = 0;
            cursor.shard += 1;
            if cursor.shard >= SHARDS {
                cursor.shard = 0;
                cursor.db += 1;
            }
        }
        if start.elapsed() >= budget {
            break;
        }
    }
    out
}
