//! Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB.
//!
//! A client's subscriptions live in two places kept in step here: its `Session`
//! (channels, patterns, shard channels — what it answers from) and the server registry
//! `srv.pubsub` (what PUBLISH delivers from). Counts shown to other clients
//! (`ClientShared::sub_count`, CLIENT LIST's `sub=`/`psub=`/`ssub=`) and the PUBSUB
//! client flag follow every change.
//!
//! Confirmations are one reply per channel: push messages in RESP3, arrays in RESP2
//! (`Reply::Push` encodes both). The RESP2 rule that a subscribed client may only run
//! (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET is the gate's.
use super::{def_lock, CmdResult, Ctx, Def, LockPolicy};
use crate::resp::Reply;
use crate::server::client::{flags, Session};
use bytes::Bytes;
use std::sync::atomic::Ordering;

pub fn defs() -> Vec<Def> {
    // No keyspace access: the registry has its own lock.
    vec![
        def_lock("subscribe", subscribe, LockPolicy::None),
        def_lock("unsubscribe", unsubscribe, LockPolicy::None),
        def_lock("psubscribe", psubscribe, LockPolicy::None),
        def_lock("punsubscribe", punsubscribe, LockPolicy::None),
        def_lock("ssubscribe", ssubscribe, LockPolicy::None),
        def_lock("sunsubscribe", sunsubscribe, LockPolicy::None),
        def_lock("publish", publish, LockPolicy::None),
        def_lock("spublish", spublish, LockPolicy::None),
        def_lock("pubsub|channels", pubsub_channels, LockPolicy::None),
        def_lock("pubsub|numsub", pubsub_numsub, LockPolicy::None),
        def_lock("pubsub|numpat", pubsub_numpat, LockPolicy::None),
        def_lock("pubsub|shardchannels", pubsub_shardchannels, LockPolicy::None),
        def_lock("pubsub|shardnumsub", pubsub_shardnumsub, LockPolicy::None),
        def_lock("pubsub|help", pubsub_help, LockPolicy::None),
    ]
}

/// The three kinds of subscription.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    fn sub_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }

    fn unsub_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"unsubscribe",
            Kind::Pattern => b"punsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }

    fn set(self, sess: &mut Session) -> &mut std::collections::BTreeSet<Vec<u8>> {
        match self {
            Kind::Channel => &mut sess.channels,
            Kind::Pattern => &mut sess.patterns,
            Kind::Shard => &mut sess.shard_channels,
        }
    }

    /// The count a confirmation shows: channels and patterns together, shard channels
    /// on their own (as Redis 7.0).
    fn shown_count(self, sess: &Session) -> i64 {
        match self {
            Kind::Shard => sess.shard_channels.len() as i64,
            _ => (sess.channels.len() + sess.patterns.len()) as i64,
        }
    }
}

/// Publishes the session's counts and the PUBSUB flag for CLIENT LIST and friends.
fn sync_shared(sess: &Session) {
    let sh = &sess.shared;
    sh.sub_count.store(sess.channels.len(), Ordering::Relaxed);
    sh.psub_count.store(sess.patterns.len(), Ordering::Relaxed);
    sh.ssub_count.store(sess.shard_channels.len(), Ordering::Relaxed);
    sh.set_flag(flags::PUBSUB, sess.in_pubsub());
}

fn confirm(word: &'static [u8], name: Reply, count: i64) -> Reply {
    Reply::Push(vec![Reply::bulk(word), name, Reply::Int(count)])
}

fn do_subscribe(ctx: &mut Ctx, argv: &[Bytes], kind: Kind) -> CmdResult {
    let srv = ctx.srv;
    let mut out = Vec::with_capacity(argv.len() - 1);
    for name in &argv[1..] {
        if kind.set(ctx.sess).insert(name.to_vec()) {
            let sh = &ctx.sess.shared;
            match kind {
                Kind::Channel => srv.pubsub.subscribe(sh, name),
                Kind::Pattern => srv.pubsub.psubscribe(sh, name),
                Kind::Shard => srv.pubsub.ssubscribe(sh, name),
            };
        }
        out.push(confirm(kind.sub_word(), Reply::bulk(name), kind.shown_count(ctx.sess)));
    }
    sync_shared(ctx.sess);
    Ok(Reply::Seq(out))
}

fn do_unsubscribe(ctx: &mut Ctx, argv: &[Bytes], kind: Kind) -> CmdResult {
    let srv = ctx.srv;
    let id = ctx.sess.id;
    let names: Vec<Vec<u8>> = if argv.len() > 1 { argv[1..].iter().map(|a| a.to_vec()).collect() } else { kind.set(ctx.sess).iter().cloned().collect() };
    if names.is_empty() {
        return Ok(Reply::Seq(vec![confirm(kind.unsub_word(), Reply::Nil, kind.shown_count(ctx.sess))]));
    }
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if kind.set(ctx.sess).remove(&name) {
            match kind {
                Kind::Channel => srv.pubsub.unsubscribe(id, &name),
                Kind::Pattern => srv.pubsub.punsubscribe(id, &name),
                Kind::Shard => srv.pubsub.sunsubscribe(id, &name),
            };
        }
        out.push(confirm(kind.unsub_word(), Reply::Bulk(name), kind.shown_count(ctx.sess)));
    }
    sync_shared(ctx.sess);
    Ok(Reply::Seq(out))
}

fn subscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    do_subscribe(ctx, argv, Kind::Channel)
}

fn unsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    do_unsubscribe(ctx, argv, Kind::Channel)
}

fn psubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    do_subscribe(ctx, argv, Kind::Pattern)
}

fn punsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    do_unsubscribe(ctx, argv, Kind::Pattern)
}

fn ssubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    do_subscribe(ctx, argv, Kind::Shard)
}

fn sunsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    do_unsubscribe(ctx, argv, Kind::Shard)
}

fn publish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.srv.pubsub.publish(&argv[1], &argv[2]) as i64))
}

fn spublish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.srv.pubsub.spublish(&argv[1], &argv[2]) as i64))
}

/// Channel names, sorted (Redis gives its hash-table order; any order is valid).
fn channels(ctx: &mut Ctx, argv: &[Bytes], shard: bool) -> CmdResult {
    if argv.len() > 3 {
        return Err(super::CmdError::err(format!("unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.", String::from_utf8_lossy(&argv[1]))));
    }
    let pat = argv.get(2).map(|p| &p[..]);
    Ok(Reply::array_of_bulks(ctx.srv.pubsub.channels(pat, shard)))
}

fn numsub(ctx: &mut Ctx, argv: &[Bytes], shard: bool) -> CmdResult {
    // A flat array even in RESP3, as Redis 7.0 sends it.
    let mut out = Vec::with_capacity(2 * argv.len().saturating_sub(2));
    for c in &argv[2..] {
        out.push(Reply::bulk(c));
        out.push(Reply::Int(ctx.srv.pubsub.numsub(c, shard) as i64));
    }
    Ok(Reply::Array(out))
}

fn pubsub_channels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    channels(ctx, argv, false)
}

fn pubsub_shardchannels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    channels(ctx, argv, true)
}

fn pubsub_numsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub(ctx, argv, false)
}

fn pubsub_shardnumsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub(ctx, argv, true)
}

fn pubsub_numpat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.srv.pubsub.numpat() as i64))
}

fn pubsub_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(super::server_cmds::help(&[
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Channels with at least one subscriber, filtered by <pattern> (all by default).",
        "NUMPAT",
        "    How many pattern subscriptions exist, over all clients.",
        "NUMSUB [<channel> ...]",
        "    Each channel with its count of direct (non-pattern) subscribers.",
        "SHARDCHANNELS [<pattern>]",
        "    Shard channels with at least one subscriber, filtered by <pattern>.",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Each shard channel with its count of subscribers.",
        "HELP",
        "    Show this text.",
    ]))
}
