//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queueing happens in the gate; EXEC runs the queue through `gate::exec_queued`, which
//! locks every shard the queued commands need once, so the transaction is isolated as
//! in Redis. WATCH registers a flag under the key's shard lock; any change to the key
//! (or a flush/swap of its database, or its expiry) sets it and EXEC then answers nil.
use super::{def, def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use crate::keyspace::{Keyspace, SmallBytes};
use crate::resp::Reply;
use crate::server::client::{flags, Multi, Session};
use crate::server::Server;
use bytes::Bytes;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn defs() -> Vec<Def> {
    vec![
        def_lock("multi", multi, LockPolicy::None),
        def_lock("exec", exec, LockPolicy::None),
        def_lock("discard", discard, LockPolicy::None),
        def("watch", watch),
        def_lock("unwatch", unwatch, LockPolicy::None),
    ]
}

fn multi(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.sess.multi.is_some() {
        return Err(CmdError::err("MULTI calls can not be nested"));
    }
    ctx.sess.multi = Some(Multi::default());
    ctx.sess.shared.multi_count.store(0, Ordering::Relaxed);
    ctx.sess.shared.set_flag(flags::MULTI, true);
    Ok(Reply::OK)
}

fn end_multi(sess: &mut Session) -> Option<Multi> {
    sess.shared.multi_count.store(-1, Ordering::Relaxed);
    sess.shared.set_flag(flags::MULTI, false);
    sess.multi.take()
}

fn exec(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(m) = end_multi(ctx.sess) else {
        return Err(CmdError::NotInMulti("EXEC"));
    };
    let srv = ctx.srv;
    if m.aborted {
        unwatch_all(srv, ctx.sess);
        return Err(CmdError::raw("EXECABORT Transaction discarded because of previous errors."));
    }
    let dirty = ctx.sess.watch_flag.is_set() || watched_expired(ctx);
    unwatch_all(srv, ctx.sess);
    if dirty {
        return Ok(Reply::NilArray);
    }
    let settings = ctx.settings;
    let now = ctx.now_ms;
    Ok(super::gate::exec_queued(srv, ctx.sess, settings, m.queued, now))
}

/// Redis 7.0 also fails EXEC when a WATCHed key has logically expired since WATCH.
fn watched_expired(ctx: &mut Ctx) -> bool {
    let watched = ctx.sess.watched.clone();
    let now = ctx.now_ms;
    let mask = Keyspace::mask_for_keys(watched.iter().map(|(_, k)| &k[..]));
    let mut locks = ctx.srv.ks.lock_shards(mask);
    watched.iter().any(|(db, k)| locks.expire_at(*db, k).is_some_and(|at| at <= now))
}

fn discard(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if end_multi(ctx.sess).is_none() {
        return Err(CmdError::NotInMulti("DISCARD"));
    }
    unwatch_all(ctx.srv, ctx.sess);
    Ok(Reply::OK)
}

fn watch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.sess.multi.is_some() {
        return Err(CmdError::err("WATCH inside MULTI is not allowed"));
    }
    let db = ctx.sess.db;
    for k in &argv[1..] {
        if ctx.sess.watched.iter().any(|(d, w)| *d == db && w.as_slice() == &k[..]) {
            continue;
        }
        // A key that is already logically expired is expired now, before the watch
        // is registered: Redis treats WATCH of a stale key as WATCH of a missing key
        // (its later deletion, a flush or a swap that removes it is no change).
        ctx.locks.exists(db, k, ctx.now_ms, crate::keyspace::ExpireMode::Delete);
        let flag = ctx.sess.watch_flag.clone();
        let slot = crate::cluster::slot::key_slot(k);
        ctx.locks.part(db, slot).watched.entry(SmallBytes::new(k)).or_default().push(flag);
        ctx.sess.watched.push((db, SmallBytes::new(k)));
    }
    Ok(Reply::OK)
}

fn unwatch(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    unwatch_all(ctx.srv, ctx.sess);
    Ok(Reply::OK)
}

/// Drops every WATCH of a session and clears its flag.
pub fn unwatch_all(srv: &Server, sess: &mut Session) {
    if sess.watched.is_empty() {
        sess.watch_flag.clear();
        return;
    }
    let watched = std::mem::take(&mut sess.watched);
    let mask = Keyspace::mask_for_keys(watched.iter().map(|(_, k)| &k[..]));
    let mut locks = srv.ks.lock_shards(mask);
    for (db, k) in &watched {
        let slot = crate::cluster::slot::key_slot(k);
        let part = locks.part(*db, slot);
        if let Some(list) = part.watched.get_mut(k.as_slice()) {
            list.retain(|f| !Arc::ptr_eq(f, &sess.watch_flag));
            if list.is_empty() {
                part.watched.remove(k.as_slice());
            }
        }
    }
    drop(locks);
    sess.watch_flag = Arc::new(Default::default());
}
