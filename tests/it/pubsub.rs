//! Pub/Sub against Debian's redis-server 7.0: subscriptions and their confirmations,
//! delivery across connections, patterns, shard channels, PUBSUB introspection, the
//! RESP2 subscribed-context restriction, RESP3 pushes, keyspace notifications.
use crate::harness::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// Reads `n` replies from both clients and asserts they are equal.
fn same_reads(a: &mut Client, b: &mut Client, n: usize) -> Vec<Reply> {
    (0..n)
        .map(|_| {
            let (ra, rb) = (a.read(), b.read());
            assert_eq!(ra, rb, "slotd sent {ra:?}, redis-server sent {rb:?}");
            ra
        })
        .collect()
}

/// Sends a command on both and compares its `n` replies.
fn same_n(a: &mut Client, b: &mut Client, args: &[&str], n: usize) -> Vec<Reply> {
    a.send(args);
    b.send(args);
    same_reads(a, b, n)
}

/// Reads `n` replies from both and compares them as sets (for replies whose order is
/// Redis's hash-table order).
fn same_reads_unordered(a: &mut Client, b: &mut Client, n: usize) {
    let ra: Vec<String> = (0..n).map(|_| format!("{:?}", a.read())).collect();
    let rb: Vec<String> = (0..n).map(|_| format!("{:?}", b.read())).collect();
    assert_eq!(ra.iter().collect::<BTreeSet<_>>(), rb.iter().collect::<BTreeSet<_>>());
}

/// PUBSUB CHANNELS / SHARDCHANNELS on both, compared as sets (Redis lists channels in
/// its hash-table order).
fn same_channels(a: &mut Client, b: &mut Client, args: &[&str]) {
    let set = |r: Reply| -> BTreeSet<String> {
        match r {
            Reply::Array(v) => v.iter().map(|x| format!("{x:?}")).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(set(a.cmd(args)), set(b.cmd(args)), "{args:?}");
}

#[test]
fn subscribe_publish_and_unsubscribe_match_redis() {
    for proto in ["2", "3"] {
        let p = Pair::start(&[]);
        let (mut sa, mut sb) = (p.ours.client(), p.theirs.client());
        let (mut pa, mut pb) = (p.ours.client(), p.theirs.client());
        sa.cmd(&["HELLO", proto]);
        sb.cmd(&["HELLO", proto]);
        same_n(&mut sa, &mut sb, &["SUBSCRIBE", "a", "b", "a"], 3);
        same_n(&mut sa, &mut sb, &["PSUBSCRIBE", "h*", "n?ws"], 2);
        p.same(&mut pa, &mut pb, &["PUBLISH", "a", "hello"]);
        same_reads(&mut sa, &mut sb, 1);
        p.same(&mut pa, &mut pb, &["PUBLISH", "news", "x"]);
        same_reads(&mut sa, &mut sb, 1);
        p.same(&mut pa, &mut pb, &["PUBLISH", "hat", "y"]);
        same_reads(&mut sa, &mut sb, 1);
        p.same(&mut pa, &mut pb, &["PUBLISH", "nobody", "z"]);
        same_channels(&mut pa, &mut pb, &["PUBSUB", "CHANNELS"]);
        same_channels(&mut pa, &mut pb, &["PUBSUB", "CHANNELS", "a*"]);
        p.same(&mut pa, &mut pb, &["PUBSUB", "NUMSUB", "a", "b", "c"]);
        p.same(&mut pa, &mut pb, &["PUBSUB", "NUMSUB"]);
        p.same(&mut pa, &mut pb, &["PUBSUB", "NUMPAT"]);
        same_n(&mut sa, &mut sb, &["UNSUBSCRIBE", "a", "zzz"], 2);
        p.same(&mut pa, &mut pb, &["PUBLISH", "a", "gone"]);
        // Unsubscribing from everything answers per channel, in hash order.
        sa.send(&["PSUBSCRIBE", "x*"]);
        sb.send(&["PSUBSCRIBE", "x*"]);
        same_reads(&mut sa, &mut sb, 1);
        sa.send(&["PUNSUBSCRIBE"]);
        sb.send(&["PUNSUBSCRIBE"]);
        same_reads_unordered(&mut sa, &mut sb, 3);
        same_n(&mut sa, &mut sb, &["UNSUBSCRIBE"], 1);
        same_n(&mut sa, &mut sb, &["UNSUBSCRIBE"], 1);
        same_n(&mut sa, &mut sb, &["PUNSUBSCRIBE"], 1);
        p.same(&mut pa, &mut pb, &["PUBSUB", "NUMPAT"]);
        same_channels(&mut pa, &mut pb, &["PUBSUB", "CHANNELS"]);
        // Out of the subscribed context again.
        p.same(&mut sa, &mut sb, &["PING"]);
    }
}

#[test]
fn patterns_and_channels_count_each_delivery() {
    let p = Pair::start(&[]);
    let (mut s1a, mut s1b) = (p.ours.client(), p.theirs.client());
    let (mut s2a, mut s2b) = (p.ours.client(), p.theirs.client());
    let (mut pa, mut pb) = (p.ours.client(), p.theirs.client());
    same_n(&mut s1a, &mut s1b, &["SUBSCRIBE", "chan"], 1);
    same_n(&mut s1a, &mut s1b, &["PSUBSCRIBE", "c*", "*n"], 2);
    same_n(&mut s2a, &mut s2b, &["PSUBSCRIBE", "c*"], 1);
    // 1 channel + 2 patterns for s1, 1 pattern for s2.
    assert_eq!(p.same(&mut pa, &mut pb, &["PUBLISH", "chan", "m"]), int(4));
    same_reads(&mut s1a, &mut s1b, 1);
    same_reads_unordered(&mut s1a, &mut s1b, 2);
    same_reads(&mut s2a, &mut s2b, 1);
    p.same(&mut pa, &mut pb, &["PUBSUB", "NUMPAT"]);
}

#[test]
fn resp2_subscribed_clients_may_only_run_pubsub_commands() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    same_n(&mut a, &mut b, &["SUBSCRIBE", "a"], 1);
    same_n(&mut a, &mut b, &["SSUBSCRIBE", "s"], 1);
    p.same(&mut a, &mut b, &["GET", "x"]);
    p.same(&mut a, &mut b, &["SET", "x", "1"]);
    p.same(&mut a, &mut b, &["PUBLISH", "a", "1"]);
    p.same(&mut a, &mut b, &["PING"]);
    p.same(&mut a, &mut b, &["PING", "hi"]);
    same_n(&mut a, &mut b, &["UNSUBSCRIBE"], 1);
    // Still in the context: one shard channel is left.
    p.same(&mut a, &mut b, &["GET", "x"]);
    same_n(&mut a, &mut b, &["SUNSUBSCRIBE"], 1);
    p.same(&mut a, &mut b, &["GET", "x"]);
    p.same(&mut a, &mut b, &["PING"]);
}

#[test]
fn resp3_subscribed_clients_run_other_commands_and_get_pushes() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let (mut pa, mut pb) = (p.ours.client(), p.theirs.client());
    a.cmd(&["HELLO", "3"]);
    b.cmd(&["HELLO", "3"]);
    same_n(&mut a, &mut b, &["SUBSCRIBE", "a"], 1);
    p.same(&mut a, &mut b, &["SET", "x", "1"]);
    p.same(&mut a, &mut b, &["GET", "x"]);
    p.same(&mut a, &mut b, &["PING"]);
    p.same(&mut pa, &mut pb, &["PUBLISH", "a", "payload"]);
    let m = same_reads(&mut a, &mut b, 1);
    assert!(matches!(&m[0], Reply::Push(v) if v.len() == 3), "{m:?}");
    p.same(&mut a, &mut b, &["GET", "x"]);
}

#[test]
fn shard_channels_match_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let (mut pa, mut pb) = (p.ours.client(), p.theirs.client());
    same_n(&mut a, &mut b, &["SSUBSCRIBE", "s1", "s2"], 2);
    same_n(&mut a, &mut b, &["SUBSCRIBE", "c"], 1);
    p.same(&mut pa, &mut pb, &["SPUBLISH", "s1", "m"]);
    same_reads(&mut a, &mut b, 1);
    p.same(&mut pa, &mut pb, &["PUBLISH", "s1", "m"]);
    p.same(&mut pa, &mut pb, &["SPUBLISH", "c", "m"]);
    same_channels(&mut pa, &mut pb, &["PUBSUB", "SHARDCHANNELS"]);
    same_channels(&mut pa, &mut pb, &["PUBSUB", "SHARDCHANNELS", "*1"]);
    p.same(&mut pa, &mut pb, &["PUBSUB", "SHARDNUMSUB", "s1", "s3"]);
    same_channels(&mut pa, &mut pb, &["PUBSUB", "CHANNELS"]);
    same_n(&mut a, &mut b, &["SUNSUBSCRIBE", "s1"], 1);
    same_n(&mut a, &mut b, &["SUNSUBSCRIBE"], 1);
    same_n(&mut a, &mut b, &["SUNSUBSCRIBE"], 1);
    same_channels(&mut pa, &mut pb, &["PUBSUB", "SHARDCHANNELS"]);
}

#[test]
fn pubsub_introspection_errors_match_redis() {
    assert_same_as_redis(
        &[],
        &["PUBSUB foo", "PUBSUB CHANNELS a b", "PUBSUB SHARDCHANNELS a b", "PUBSUB NUMPAT x", "PUBSUB", "PUBLISH a", "SPUBLISH a", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"],
    );
}

#[test]
fn client_list_shows_subscription_counts_and_the_pubsub_flag() {
    let s = Server::start(&[]);
    let mut sub = s.client();
    let mut c = s.client();
    sub.cmd(&["CLIENT", "SETNAME", "listener"]);
    sub.send(&["SUBSCRIBE", "a", "b"]);
    sub.read();
    sub.read();
    sub.send(&["PSUBSCRIBE", "p*"]);
    sub.read();
    sub.send(&["SSUBSCRIBE", "s"]);
    sub.read();
    let line = |c: &mut Client| -> String {
        let Reply::Bulk(b) = c.cmd(&["CLIENT", "LIST"]) else { panic!() };
        String::from_utf8(b).unwrap().lines().find(|l| l.contains("name=listener")).unwrap().to_string()
    };
    let l = line(&mut c);
    assert!(l.contains(" flags=P ") && l.contains(" sub=2 ") && l.contains(" psub=1 ") && l.contains(" ssub=1 "), "{l}");
    sub.send(&["UNSUBSCRIBE"]);
    sub.read();
    sub.read();
    sub.send(&["PUNSUBSCRIBE"]);
    sub.read();
    sub.send(&["SUNSUBSCRIBE"]);
    sub.read();
    let l = line(&mut c);
    assert!(l.contains(" flags=N ") && l.contains(" sub=0 ") && l.contains(" psub=0 ") && l.contains(" ssub=0 "), "{l}");
}

#[test]
fn keyspace_notifications_match_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let (mut sa, mut sb) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
    p.same(&mut a, &mut b, &["CONFIG", "GET", "notify-keyspace-events"]);
    same_n(&mut sa, &mut sb, &["PSUBSCRIBE", "__key*__:*"], 1);
    p.same(&mut a, &mut b, &["SET", "k", "v"]);
    same_reads(&mut sa, &mut sb, 2);
    p.same(&mut a, &mut b, &["DEL", "k", "missing"]);
    same_reads(&mut sa, &mut sb, 2);
    p.same(&mut a, &mut b, &["SELECT", "2"]);
    p.same(&mut a, &mut b, &["SET", "k2", "v"]);
    same_reads(&mut sa, &mut sb, 2);
    // Only key events (E) for the string class ($).
    p.same(&mut a, &mut b, &["CONFIG", "SET", "notify-keyspace-events", "E$"]);
    p.same(&mut a, &mut b, &["DEL", "k2"]);
    p.same(&mut a, &mut b, &["SET", "k3", "v"]);
    same_reads(&mut sa, &mut sb, 1);
    // `A` does not include `n`: KEAn prints as AKE yet still publishes `new` events.
    p.same(&mut a, &mut b, &["CONFIG", "SET", "notify-keyspace-events", "KEAn"]);
    p.same(&mut a, &mut b, &["CONFIG", "GET", "notify-keyspace-events"]);
    p.same(&mut a, &mut b, &["SET", "k5", "v"]);
    same_reads(&mut sa, &mut sb, 4);
    // Nothing else is pending on either side.
    p.same(&mut a, &mut b, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    p.same(&mut a, &mut b, &["SET", "k4", "v"]);
    same_n(&mut sa, &mut sb, &["PING"], 1);
}

#[test]
fn reset_and_disconnect_drop_subscriptions() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let mut p = s.client();
    c.send(&["SUBSCRIBE", "a"]);
    c.read();
    c.send(&["PSUBSCRIBE", "a*"]);
    c.read();
    assert_eq!(p.cmd(&["PUBLISH", "a", "1"]), int(2));
    c.read();
    c.read();
    assert_eq!(c.cmd(&["RESET"]), Reply::status("RESET"));
    assert_eq!(p.cmd(&["PUBLISH", "a", "1"]), int(0));
    assert_eq!(p.cmd(&["PUBSUB", "NUMPAT"]), int(0));
    let mut d = s.client();
    d.send(&["SUBSCRIBE", "b"]);
    d.read();
    assert_eq!(p.cmd(&["PUBSUB", "NUMSUB", "b"]), arr(vec![bulk("b"), int(1)]));
    drop(d);
    assert!(wait_until(std::time::Duration::from_secs(5), || p.cmd(&["PUBSUB", "NUMSUB", "b"]) == arr(vec![bulk("b"), int(0)])));
}

#[test]
fn subscribe_inside_a_transaction_and_monitor_refusal_match_redis() {
    assert_same_as_redis(&[], &["MULTI", "MONITOR", "EXEC", "MULTI", "SUBSCRIBE x", "EXEC", "PING"]);
}

fn listed(c: &mut Client, name: &str) -> Option<String> {
    let l = c.cmd(&["CLIENT", "LIST"]);
    String::from_utf8_lossy(l.as_bytes().unwrap()).lines().find(|l| l.contains(&format!("name={name} "))).map(String::from)
}

fn omem(line: &str) -> usize {
    line.split(' ').find_map(|f| f.strip_prefix("omem=")).unwrap().parse().unwrap()
}

#[test]
fn a_subscriber_that_does_not_read_is_closed_at_the_hard_limit() {
    let s = Server::start(&[]);
    let mut c = s.client();
    c.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "pubsub 100000 0 0"]);
    let mut sub = s.client();
    sub.cmd(&["CLIENT", "SETNAME", "slow"]);
    assert_eq!(sub.cmd(&["SUBSCRIBE", "foo"]), arr(vec![bulk("subscribe"), bulk("foo"), int(1)]));
    let mut last = 0;
    let msg = "x".repeat(1000);
    for _ in 0..100_000 {
        c.cmd(&["PUBLISH", "foo", &msg]);
        match listed(&mut c, "slow") {
            Some(line) => last = omem(&line),
            None => break,
        }
    }
    // Closed as soon as its pending output passed the limit, not much later.
    assert!(listed(&mut c, "slow").is_none(), "the subscriber was never closed");
    assert!((70_000..200_000).contains(&last), "last omem seen {last}");
}

#[test]
fn a_subscriber_over_the_soft_limit_is_closed_when_the_time_is_up_without_more_traffic() {
    let s = Server::start(&[]);
    let mut c = s.client();
    c.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 100000 3"]);
    let mut sub = s.client();
    sub.cmd(&["CLIENT", "SETNAME", "slow"]);
    sub.cmd(&["SUBSCRIBE", "foo"]);
    let msg = "x".repeat(1000);
    // Fill the socket buffers until the server holds more than the soft limit.
    assert!(wait_until(Duration::from_secs(20), || {
        for _ in 0..100 {
            c.cmd(&["PUBLISH", "foo", &msg]);
        }
        listed(&mut c, "slow").is_some_and(|l| omem(&l) > 100_000)
    }));
    // No more messages: not closed before its 3 seconds, then closed by the cron.
    let over = std::time::Instant::now();
    assert!(listed(&mut c, "slow").is_some());
    assert!(wait_until(Duration::from_secs(6), || listed(&mut c, "slow").is_none()), "not closed by the soft limit");
    assert!(over.elapsed() >= Duration::from_millis(2500), "closed too early: {:?}", over.elapsed());
}

#[test]
fn pubsub_replies_pass_client_reply_off_and_skip_in_resp2_and_resp3() {
    let p = Pair::start(&[]);
    for proto in ["2", "3"] {
        for mode in ["OFF", "SKIP"] {
            let (mut a, mut b) = (p.ours.client(), p.theirs.client());
            let (mut pa, mut pb) = (p.ours.client(), p.theirs.client());
            for c in [&mut a, &mut b] {
                c.cmd(&["HELLO", proto]);
                c.send(&["CLIENT", "REPLY", mode]);
            }
            same_n(&mut a, &mut b, &["PSUBSCRIBE", "*"], 1);
            same_n(&mut a, &mut b, &["SSUBSCRIBE", "sch"], 1);
            pa.cmd(&["PUBLISH", "ch", "hi"]);
            pb.cmd(&["PUBLISH", "ch", "hi"]);
            pa.cmd(&["SPUBLISH", "sch", "hey"]);
            pb.cmd(&["SPUBLISH", "sch", "hey"]);
            same_reads(&mut a, &mut b, 2);
            same_n(&mut a, &mut b, &["PUNSUBSCRIBE", "*"], 1);
        }
    }
}

#[test]
fn new_key_events_come_from_every_way_a_key_is_created() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let (mut sa, mut sb) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["CONFIG", "SET", "notify-keyspace-events", "KEn"]);
    same_n(&mut sa, &mut sb, &["PSUBSCRIBE", "*"], 1);
    for cmd in [&["SET", "foo", "bar"][..], &["SET", "foo", "baz"], &["RPUSH", "l", "a"], &["RPUSH", "l", "b"], &["HSET", "h", "f", "v"], &["SADD", "s", "m"], &["ZADD", "z", "1", "m"], &["INCR", "n"], &["COPY", "foo", "foo2"], &["SETEX", "e", "100", "v"]] {
        p.same(&mut a, &mut b, cmd);
    }
    // Two events (keyspace and keyevent) per new key: foo, l, h, s, z, n, foo2, e.
    same_reads(&mut sa, &mut sb, 16);
    same_n(&mut sa, &mut sb, &["PING"], 1);
}
