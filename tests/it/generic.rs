//! Generic keyspace commands (DEL ... SORT, WAIT), side by side with redis-server 7.0
//! for replies and error texts in RESP2 and RESP3, plus semantics only slotd can be
//! held to on its own (SCAN's guarantee while the keyspace changes).
use crate::harness::*;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const SOON: Duration = Duration::from_secs(5);

/// Runs `script` on both servers after switching both connections to RESP3.
fn assert_same_as_redis_resp3(extra: &[&str], script: &[&str]) {
    let p = Pair::start(extra);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    // HELLO's reply carries the client id, which may differ: not compared.
    a.cmd(&["HELLO", "3"]);
    b.cmd(&["HELLO", "3"]);
    for line in script {
        let args: Vec<&str> = line.split(' ').collect();
        p.same(&mut a, &mut b, &args);
    }
}

/// The bulk strings of an array reply, sorted (for replies in hash order).
fn sorted(r: &Reply) -> Vec<Vec<u8>> {
    let Reply::Array(items) = r else { panic!("expected an array, got {r:?}") };
    let mut v: Vec<Vec<u8>> = items.iter().map(|i| i.as_bytes().expect("bulk").to_vec()).collect();
    v.sort();
    v
}

/// A whole SCAN iteration with the given options; every key returned, in order.
fn scan_all(c: &mut Client, opts: &[&str]) -> Vec<Vec<u8>> {
    let mut cursor = "0".to_string();
    let mut keys = Vec::new();
    for _ in 0..100_000 {
        let mut args = vec!["SCAN", cursor.as_str()];
        args.extend_from_slice(opts);
        let r = c.cmd(&args);
        let Reply::Array(parts) = r else { panic!("SCAN replied {r:?}") };
        let next = String::from_utf8(parts[0].as_bytes().expect("cursor").to_vec()).expect("cursor text");
        let Reply::Array(batch) = &parts[1] else { panic!("SCAN keys {parts:?}") };
        keys.extend(batch.iter().map(|k| k.as_bytes().expect("key").to_vec()));
        if next == "0" {
            return keys;
        }
        cursor = next;
    }
    panic!("SCAN did not finish");
}

fn as_set(keys: Vec<Vec<u8>>) -> BTreeSet<Vec<u8>> {
    keys.into_iter().collect()
}

fn fill(c: &mut Client, prefix: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let mut args = vec!["MSET".to_string()];
        for i in chunk {
            args.push(format!("{prefix}{i}"));
            args.push("v".into());
        }
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        assert_eq!(c.cmd(&a), ok());
    }
}

/// Keyspace events (`__keyevent@<db>__:<event>` → key) a client subscribed with
/// `PSUBSCRIBE __keyevent*` received, up to the `set` of the key `__end__`.
fn events_until_end(sub: &mut Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        let Reply::Array(m) = sub.read() else { panic!("expected a pmessage") };
        let chan = String::from_utf8_lossy(m[2].as_bytes().expect("channel")).into_owned();
        let key = String::from_utf8_lossy(m[3].as_bytes().expect("payload")).into_owned();
        if key == "__end__" {
            return out;
        }
        out.push((chan, key));
    }
}

// ---- DEL, UNLINK, EXISTS, TYPE, TOUCH ------------------------------------------------

#[test]
fn del_unlink_exists_type_and_touch_match_redis() {
    let script = [
        "SET a 1",
        "RPUSH l x",
        "SADD s m",
        "HSET h f v",
        "ZADD z 1 m",
        "EXISTS a a nokey a l",
        "EXISTS nokey",
        "TYPE a",
        "TYPE l",
        "TYPE s",
        "TYPE h",
        "TYPE z",
        "TYPE nokey",
        "TOUCH a a nokey l",
        "TOUCH nokey",
        "DEL a a nokey",
        "DEL a",
        "UNLINK l s nokey",
        "UNLINK l",
        "EXISTS a l s h z",
        "DEL h z",
        "TYPE h",
        "DEL",
        "UNLINK",
        "EXISTS",
        "TOUCH",
        "TYPE",
        "TYPE a b",
    ];
    assert_same_as_redis(&[], &script);
    assert_same_as_redis_resp3(&[], &script);
}

#[test]
fn exists_type_and_touch_do_not_see_expired_keys() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        assert_eq!(c.cmd(&["SET", "gone", "v", "PX", "20"]), ok());
        assert_eq!(c.cmd(&["SET", "kept", "v"]), ok());
        assert!(wait_until(SOON, || c.cmd(&["EXISTS", "gone"]) == int(0)));
    }
    p.same(&mut a, &mut b, &["EXISTS", "gone", "kept", "gone"]);
    p.same(&mut a, &mut b, &["TOUCH", "gone", "kept"]);
    p.same(&mut a, &mut b, &["TYPE", "gone"]);
    p.same(&mut a, &mut b, &["DEL", "gone", "kept"]);
}

#[test]
fn reads_that_must_not_touch_leave_idle_time_alone_and_touch_resets_it() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        assert_eq!(c.cmd(&["SET", "k", "v"]), ok());
    }
    for c in [&mut a, &mut b] {
        assert!(wait_until(SOON, || matches!(c.cmd(&["OBJECT", "IDLETIME", "k"]), Reply::Int(n) if n >= 1)));
    }
    for cmd in [&["EXISTS", "k"][..], &["TYPE", "k"], &["TTL", "k"], &["PTTL", "k"], &["OBJECT", "ENCODING", "k"], &["OBJECT", "REFCOUNT", "k"]] {
        p.same(&mut a, &mut b, cmd);
        for c in [&mut a, &mut b] {
            assert!(matches!(c.cmd(&["OBJECT", "IDLETIME", "k"]), Reply::Int(n) if n >= 1), "{cmd:?} touched the key");
        }
    }
    p.same(&mut a, &mut b, &["TOUCH", "k"]);
    p.same(&mut a, &mut b, &["OBJECT", "IDLETIME", "k"]);
    assert_eq!(a.cmd(&["OBJECT", "IDLETIME", "k"]), int(0));
}

/// (keyspace_hits, keyspace_misses) from INFO stats.
fn hits_and_misses(c: &mut Client) -> (u64, u64) {
    let r = c.cmd(&["INFO", "stats"]);
    let text = String::from_utf8_lossy(r.as_bytes().expect("INFO text")).into_owned();
    let field = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok())).unwrap_or_else(|| panic!("no {name} in INFO"))
    };
    (field("keyspace_hits:"), field("keyspace_misses:"))
}

#[test]
fn keyspace_hits_and_misses_are_counted_as_redis_counts_them() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in [&["SET", "k", "v"][..], &["RPUSH", "l", "1", "2"], &["SET", "w_1", "5"], &["HSET", "g_2", "f", "x"]] {
        p.same(&mut a, &mut b, args);
    }
    for args in [
        &["EXISTS", "k", "nokey", "k"][..],
        &["TYPE", "k"],
        &["TYPE", "nokey"],
        &["TOUCH", "k", "nokey"],
        &["TTL", "k"],
        &["PTTL", "nokey"],
        &["EXPIRETIME", "k"],
        &["OBJECT", "ENCODING", "k"],
        &["OBJECT", "REFCOUNT", "nokey"],
        &["SORT", "l", "BY", "w_*", "GET", "g_*->f", "GET", "#"],
        &["SORT", "nokey"],
        &["SCAN", "0", "MATCH", "k", "TYPE", "string"],
        &["SCAN", "0", "MATCH", "k"],
        &["KEYS", "k"],
        &["RANDOMKEY"],
        &["COPY", "k", "k2"],
        &["COPY", "nokey", "k3"],
        &["RENAME", "k2", "k4"],
        &["MOVE", "k4", "1"],
        &["EXPIRE", "k", "100"],
        &["PERSIST", "k"],
        &["DEL", "k", "nokey"],
    ] {
        let before = (hits_and_misses(&mut a), hits_and_misses(&mut b));
        if args[0] == "RANDOMKEY" {
            assert!(a.cmd(args).as_bytes().is_some());
            assert!(b.cmd(args).as_bytes().is_some());
        } else {
            p.same(&mut a, &mut b, args);
        }
        let after = (hits_and_misses(&mut a), hits_and_misses(&mut b));
        let ours = (after.0 .0 - before.0 .0, after.0 .1 - before.0 .1);
        let theirs = (after.1 .0 - before.1 .0, after.1 .1 - before.1 .1);
        assert_eq!(ours, theirs, "{args:?}: (hits, misses) counted by slotd vs redis-server");
    }
}

// ---- KEYS, SCAN, RANDOMKEY ---------------------------------------------------------

#[test]
fn keys_matches_glob_patterns_like_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let names = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[a]llo", "H", "x", "x1", "x12", "a\\b", "{t}1", "{t}2", "", "é"];
    for c in [&mut a, &mut b] {
        for n in names {
            assert_eq!(c.cmd(&["SET", n, "v"]), ok());
        }
        assert_eq!(c.cmd(&["RPUSH", "list", "v"]), int(1));
    }
    for pat in ["*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "h\\*llo", "h\\?llo", "x?", "x*", "*1*", "{t}*", "", "nomatch*", "[", "h[", "\\", "a\\\\b", "*o", "?", "??"] {
        let (ra, rb) = (a.cmd(&["KEYS", pat]), b.cmd(&["KEYS", pat]));
        assert_eq!(sorted(&ra), sorted(&rb), "KEYS {pat:?}");
    }
    p.same(&mut a, &mut b, &["KEYS"]);
    p.same(&mut a, &mut b, &["KEYS", "a", "b"]);
}

#[test]
fn keys_and_scan_skip_expired_keys_and_scan_deletes_them() {
    let extra = ["--enable-debug-command", "yes"];
    let p = Pair::start(&extra);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), ok());
        for i in 0..20 {
            assert_eq!(c.cmd(&["SET", &format!("dead{i}"), "v", "PX", "1"]), ok());
        }
        assert_eq!(c.cmd(&["SET", "live", "v"]), ok());
        assert_eq!(c.cmd(&["SET", "probe", "v", "PX", "5"]), ok());
        // Once the last one set has expired, all of them have.
        assert!(wait_until(SOON, || c.cmd(&["PTTL", "probe"]) == int(-2)));
    }
    p.same(&mut a, &mut b, &["DBSIZE"]);
    p.same(&mut a, &mut b, &["KEYS", "*"]);
    p.same(&mut a, &mut b, &["KEYS", "dead*"]);
    // KEYS only hides them; SCAN deletes what it meets.
    p.same(&mut a, &mut b, &["DBSIZE"]);
    assert_eq!(scan_all(&mut a, &["COUNT", "1000"]), vec![b"live".to_vec()]);
    assert_eq!(scan_all(&mut b, &["COUNT", "1000"]), vec![b"live".to_vec()]);
    p.same(&mut a, &mut b, &["DBSIZE"]);
}

#[test]
fn scan_argument_errors_match_redis() {
    let script: &[&[&str]] = &[
        &["SET", "a", "1"],
        &["SCAN", "abc"],
        &["SCAN", " 1"],
        &["SCAN", "1 "],
        &["SCAN", "0x1"],
        &["SCAN", "+"],
        &["SCAN", "-"],
        &["SCAN", "18446744073709551616"],
        &["SCAN", "-18446744073709551616"],
        &["SCAN", "abc", "COUNT", "0"],
        &["SCAN", "0", "COUNT", "0"],
        &["SCAN", "0", "COUNT", "-1"],
        &["SCAN", "0", "COUNT", "abc"],
        &["SCAN", "0", "COUNT"],
        &["SCAN", "0", "MATCH"],
        &["SCAN", "0", "TYPE"],
        &["SCAN", "0", "FOO", "bar"],
        &["SCAN", "0", "MATCH", "*", "COUNT"],
        &["SCAN"],
        // Valid cursors spelled the way strtoul reads them.
        &["SCAN", ""],
        &["SCAN", "00"],
        &["SCAN", "-0"],
        &["SCAN", "0", "COUNT", "100", "MATCH", "*", "TYPE", "string"],
        &["SCAN", "0", "type", "STRING"],
        &["SCAN", "0", "TYPE", "nosuchtype"],
        &["SCAN", "0", "MATCH", "b*"],
        &["SCAN", "0", "COUNT", "9223372036854775807"],
    ];
    assert_same_as_redis_args(&[], script);
}

#[test]
fn scan_on_an_empty_database_finishes_at_once() {
    assert_same_as_redis(&[], &["SCAN 0", "SCAN 0 COUNT 1", "SCAN 0 MATCH x* TYPE list"]);
    assert_same_as_redis_resp3(&[], &["SCAN 0", "SET a 1", "SCAN 0", "SCAN 0 TYPE hash"]);
}

#[test]
fn scan_with_match_count_and_type_returns_what_redis_returns() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        fill(c, "str:", 300);
        for i in 0..40 {
            c.cmd(&["RPUSH", &format!("list:{i}"), "x"]);
            c.cmd(&["SADD", &format!("set:{i}"), "x"]);
            c.cmd(&["HSET", &format!("hash:{i}"), "f", "v"]);
            c.cmd(&["ZADD", &format!("zset:{i}"), "1", "x"]);
        }
    }
    for opts in [
        &[][..],
        &["COUNT", "1"],
        &["COUNT", "7"],
        &["COUNT", "1000"],
        &["MATCH", "str:1*"],
        &["MATCH", "*:3?", "COUNT", "5"],
        &["TYPE", "list"],
        &["TYPE", "HASH", "COUNT", "3"],
        &["TYPE", "zset", "MATCH", "zset:1*"],
        &["TYPE", "set"],
        &["TYPE", "string", "MATCH", "str:2?"],
        &["TYPE", "stream"],
    ] {
        let (ours, theirs) = (scan_all(&mut a, opts), scan_all(&mut b, opts));
        let n = ours.len();
        let ours = as_set(ours);
        assert_eq!(n, ours.len(), "SCAN {opts:?} returned a key twice on a stable keyspace");
        assert_eq!(ours, as_set(theirs), "SCAN {opts:?}");
    }
}

#[test]
fn scan_returns_every_stable_key_while_keys_come_and_go() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let mut w = s.client();
    fill(&mut c, "stable:", 3000);
    // A hash tag puts many keys in one slot, so that slot's table grows and shrinks
    // under the cursor.
    fill(&mut c, "{one}stable:", 500);
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut step = 0;
    loop {
        let r = c.cmd(&["SCAN", &cursor, "COUNT", "50"]);
        let Reply::Array(parts) = r else { panic!("SCAN replied {r:?}") };
        let Reply::Array(batch) = &parts[1] else { panic!() };
        seen.extend(batch.iter().map(|k| k.as_bytes().unwrap().to_vec()));
        cursor = String::from_utf8(parts[0].as_bytes().unwrap().to_vec()).unwrap();
        if cursor == "0" {
            break;
        }
        step += 1;
        assert!(step < 10_000, "SCAN does not finish");
        // Churn: add a batch of keys in many slots and in the crowded slot, delete the
        // previous batch.
        let add: Vec<String> = (0..60).flat_map(|i| [format!("churn:{step}:{i}"), format!("{{one}}churn:{step}:{i}")]).collect();
        let mut mset = vec!["MSET".to_string()];
        for k in &add {
            mset.push(k.clone());
            mset.push("v".into());
        }
        assert_eq!(w.cmd(&mset.iter().map(|s| s.as_str()).collect::<Vec<_>>()), ok());
        if step > 1 {
            let prev: Vec<String> = (0..60).flat_map(|i| [format!("churn:{}:{i}", step - 1), format!("{{one}}churn:{}:{i}", step - 1)]).collect();
            let mut del = vec!["DEL"];
            del.extend(prev.iter().map(|s| s.as_str()));
            assert_eq!(w.cmd(&del), int(120));
        }
    }
    for i in 0..3000 {
        assert!(seen.contains(format!("stable:{i}").as_bytes()), "SCAN missed stable:{i}");
    }
    for i in 0..500 {
        assert!(seen.contains(format!("{{one}}stable:{i}").as_bytes()), "SCAN missed {{one}}stable:{i}");
    }
}

#[test]
fn randomkey_returns_nil_then_a_live_key_never_an_expired_one() {
    let extra = ["--enable-debug-command", "yes"];
    let p = Pair::start(&extra);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["RANDOMKEY"]);
    p.same(&mut a, &mut b, &["SET", "only", "v"]);
    p.same(&mut a, &mut b, &["RANDOMKEY"]);
    p.same(&mut a, &mut b, &["RANDOMKEY", "extra"]);
    for c in [&mut a, &mut b] {
        assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), ok());
        assert_eq!(c.cmd(&["DEL", "only"]), int(1));
        for i in 0..50 {
            assert_eq!(c.cmd(&["SET", &format!("dead{i}"), "v", "PX", "1"]), ok());
        }
        assert_eq!(c.cmd(&["SET", "live", "v"]), ok());
        assert_eq!(c.cmd(&["SET", "probe", "v", "PX", "5"]), ok());
        assert!(wait_until(SOON, || c.cmd(&["PTTL", "probe"]) == int(-2)));
        for _ in 0..20 {
            assert_eq!(c.cmd(&["RANDOMKEY"]), bulk("live"));
        }
    }
    // Only expired keys left: RANDOMKEY deletes them all and answers nil.
    for c in [&mut a, &mut b] {
        assert_eq!(c.cmd(&["DEL", "live"]), int(1));
        for i in 0..20 {
            assert_eq!(c.cmd(&["SET", &format!("more{i}"), "v", "PX", "1"]), ok());
        }
        assert_eq!(c.cmd(&["SET", "probe", "v", "PX", "5"]), ok());
        assert!(wait_until(SOON, || c.cmd(&["PTTL", "probe"]) == int(-2)));
    }
    p.same(&mut a, &mut b, &["RANDOMKEY"]);
    p.same(&mut a, &mut b, &["DBSIZE"]);
}

#[test]
fn randomkey_reaches_every_key_across_slots() {
    let s = Server::start(&[]);
    let mut c = s.client();
    fill(&mut c, "k", 20);
    let mut seen = BTreeSet::new();
    assert!(wait_until(SOON, || {
        seen.insert(c.cmd(&["RANDOMKEY"]).as_bytes().unwrap().to_vec());
        seen.len() == 20
    }));
}

// ---- RENAME, RENAMENX, MOVE, COPY ------------------------------------------------

#[test]
fn rename_and_renamenx_match_redis() {
    let script = [
        "RENAME nokey b",
        "RENAMENX nokey b",
        "SET a 1",
        "RENAME a a",
        "RENAMENX a a",
        "RENAME a b",
        "GET a",
        "GET b",
        "SET c 2",
        "RENAMENX b c",
        "GET b",
        "RENAME b c",
        "GET c",
        "EXISTS b",
        "RPUSH l x y",
        "RENAME l c",
        "TYPE c",
        "LRANGE c 0 -1",
        "SET t v EX 100",
        "RENAME t t2",
        "TTL t2",
        "SET t3 v",
        "RENAME t2 t3",
        "TTL t3",
        "SET t4 v EX 100",
        "SET t5 v",
        "RENAME t5 t4",
        "TTL t4",
        "RENAMENX t4 t6",
        "TTL t6",
        "RENAME a",
        "RENAME a b c",
    ];
    assert_same_as_redis(&[], &script);
    assert_same_as_redis_resp3(&[], &script);
}

#[test]
fn move_matches_redis() {
    let script = [
        "SET a 1",
        "MOVE a 0",
        "MOVE a 16",
        "MOVE a -1",
        "MOVE a abc",
        "MOVE a 99999999999",
        "MOVE a 2147483647",
        "MOVE a -2147483649",
        "MOVE nokey 1",
        "MOVE nokey abc",
        "SET t v EX 100",
        "MOVE t 1",
        "EXISTS t",
        "MOVE a 1",
        "EXISTS a",
        "SELECT 1",
        "GET a",
        "TTL t",
        "SET b here",
        "SELECT 0",
        "SET b there",
        "MOVE b 1",
        "GET b",
        "SELECT 1",
        "GET b",
        "MOVE a 0",
        "SELECT 0",
        "GET a",
        "MOVE a",
    ];
    assert_same_as_redis(&[], &script);
    assert_same_as_redis_resp3(&[], &script);
}

#[test]
fn copy_matches_redis_for_every_type_and_option() {
    let script = [
        "SET s v EX 100",
        "COPY s s",
        "COPY s s DB 0",
        "COPY nokey d",
        "COPY s d DB 16",
        "COPY s d DB -1",
        "COPY s d DB abc",
        "COPY s d DB 99999999999999999999",
        "COPY s d DB 4294967296",
        "COPY s d FOO",
        "COPY s d REPLACE DB",
        "COPY s d DB",
        "COPY s d",
        "GET d",
        "TTL d",
        "COPY s d",
        "SET s v2",
        "COPY s d REPLACE",
        "GET d",
        "TTL d",
        "COPY s s DB 1",
        "COPY s s db 1 replace",
        "SELECT 1",
        "GET s",
        "SELECT 0",
        "RPUSH l a b c",
        "COPY l l2",
        "RPUSH l2 d",
        "LRANGE l 0 -1",
        "LRANGE l2 0 -1",
        "HSET h f v",
        "COPY h h2",
        "HSET h2 f w",
        "HGET h f",
        "HGET h2 f",
        "SADD st 1 2 3",
        "COPY st st2",
        "SADD st2 4",
        "SCARD st",
        "SCARD st2",
        "ZADD z 1 a 2 b",
        "COPY z z2",
        "ZADD z2 3 c",
        "ZRANGE z 0 -1 WITHSCORES",
        "ZRANGE z2 0 -1 WITHSCORES",
        "OBJECT ENCODING z2",
        "SET n 123",
        "COPY n n2",
        "OBJECT ENCODING n2",
        "SET r abc",
        "APPEND r def",
        "OBJECT ENCODING r",
        "COPY r r2",
        "OBJECT ENCODING r2",
        "GET r2",
        "COPY l s REPLACE",
        "TYPE s",
        "TTL s",
        "COPY a",
    ];
    assert_same_as_redis(&[], &script);
    assert_same_as_redis_resp3(&[], &script);
}

#[test]
fn rename_move_and_copy_wake_clients_blocked_on_the_destination() {
    let p = Pair::start(&[]);
    for (srv, kind) in [(&p.ours, "slotd"), (&p.theirs, "redis")] {
        let mut c = srv.client();
        let mut waiter = srv.client();
        // RENAME onto the key a client waits for.
        waiter.send(&["BLPOP", "dst", "5"]);
        assert!(wait_until(SOON, || c.cmd(&["CLIENT", "LIST"]).as_bytes().is_some_and(|l| String::from_utf8_lossy(l).contains("cmd=blpop"))));
        assert_eq!(c.cmd(&["RPUSH", "src", "a"]), int(1));
        assert_eq!(c.cmd(&["RENAME", "src", "dst"]), ok());
        assert_eq!(waiter.read(), bulks(&["dst", "a"]), "{kind}: RENAME");
        // COPY creates it.
        waiter.send(&["BLPOP", "copy", "5"]);
        assert!(wait_until(SOON, || c.cmd(&["CLIENT", "LIST"]).as_bytes().is_some_and(|l| String::from_utf8_lossy(l).contains("cmd=blpop"))));
        assert_eq!(c.cmd(&["RPUSH", "orig", "b"]), int(1));
        assert_eq!(c.cmd(&["COPY", "orig", "copy"]), int(1));
        assert_eq!(waiter.read(), bulks(&["copy", "b"]), "{kind}: COPY");
        assert_eq!(c.cmd(&["LRANGE", "orig", "0", "-1"]), bulks(&["b"]));
        // MOVE brings it into the waiter's database.
        assert_eq!(waiter.cmd(&["SELECT", "1"]), ok());
        waiter.send(&["BLPOP", "orig", "5"]);
        assert!(wait_until(SOON, || c.cmd(&["CLIENT", "LIST"]).as_bytes().is_some_and(|l| String::from_utf8_lossy(l).contains("cmd=blpop"))));
        assert_eq!(c.cmd(&["MOVE", "orig", "1"]), int(1));
        assert_eq!(waiter.read(), bulks(&["orig", "b"]), "{kind}: MOVE");
    }
}

// ---- EXPIRE family, TTL family, PERSIST --------------------------------------------

#[test]
fn expire_options_errors_and_overflow_match_redis() {
    let script = [
        "SET a 1",
        "EXPIRE a 100 NX XX",
        "EXPIRE a 100 GT LT",
        "EXPIRE a 100 NX GT",
        "EXPIRE a 100 lt nx",
        "EXPIRE a 100 FOO",
        "EXPIRE a abc",
        "EXPIRE a abc NX XX",
        "EXPIRE a abc FOO",
        "EXPIRE a 1.5",
        "EXPIRE a 9223372036854775807",
        "EXPIRE a 9223372036854775",
        "EXPIRE a 9223372036854776",
        "EXPIRE a -9223372036854775808",
        "PEXPIRE a 9223372036854775807",
        "EXPIREAT a 9223372036854775807",
        "EXPIREAT a 9223372036854776",
        "EXPIREAT a 9223372036854775",
        "EXPIRETIME a",
        "PEXPIREAT a 9223372036854775807",
        "EXPIRETIME a",
        "PEXPIRETIME a",
        "PERSIST a",
        "TTL a",
        "EXPIRE a 100 XX",
        "EXPIRE a 100 GT",
        "EXPIRE a 100 LT",
        "TTL a",
        "EXPIRE a 100 NX",
        "EXPIRE a 200 NX",
        "EXPIRE a 50 GT",
        "EXPIRE a 200 GT",
        "TTL a",
        "EXPIRE a 300 LT",
        "EXPIRE a 150 LT",
        "TTL a",
        "EXPIRE a 300 XX GT",
        "TTL a",
        "EXPIRE a 100 xx lt",
        "TTL a",
        "PEXPIRE a 100000",
        "TTL a", // not PTTL: the two servers read their clocks a millisecond apart
        "EXPIREAT a 100000000000",
        "EXPIRETIME a",
        "PEXPIRETIME a",
        "PEXPIREAT a 99999999991500",
        "EXPIRETIME a",
        "PEXPIREAT a 99999999991499",
        "EXPIRETIME a",
        "PEXPIRETIME a",
        "EXPIRE nokey 100",
        "EXPIRE nokey 100 XX",
        "PEXPIRE nokey 100",
        "EXPIREAT nokey 100",
        "PEXPIREAT nokey 100",
        "TTL nokey",
        "PTTL nokey",
        "EXPIRETIME nokey",
        "PEXPIRETIME nokey",
        "PERSIST nokey",
        "SET b 1",
        "TTL b",
        "PTTL b",
        "EXPIRETIME b",
        "PEXPIRETIME b",
        "EXPIRE b 0",
        "EXISTS b",
        "SET b 1",
        "EXPIRE b -1",
        "EXISTS b",
        "SET b 1",
        "PEXPIRE b -9223372036854775808",
        "EXISTS b",
        "SET b 1",
        "EXPIREAT b 1",
        "EXISTS b",
        "SET b 1",
        "PEXPIREAT b 0",
        "EXISTS b",
        "SET b 1",
        "EXPIRE b 100",
        "EXPIRE b -5 GT",
        "EXPIRE b -5 LT",
        "EXISTS b",
        "SET b 1",
        "EXPIRE b -5 NX",
        "EXISTS b",
        "EXPIRE",
        "EXPIRE a",
        "TTL",
        "TTL a b",
        "PERSIST",
    ];
    assert_same_as_redis(&[], &script);
    assert_same_as_redis_resp3(&[], &script);
}

#[test]
fn keys_expire_after_their_ttl_and_persist_cancels_it() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        assert_eq!(c.cmd(&["SET", "short", "v"]), ok());
        assert_eq!(c.cmd(&["PEXPIRE", "short", "50"]), int(1));
        assert_eq!(c.cmd(&["SET", "saved", "v"]), ok());
        assert_eq!(c.cmd(&["PEXPIRE", "saved", "50"]), int(1));
        assert_eq!(c.cmd(&["PERSIST", "saved"]), int(1));
        assert!(matches!(c.cmd(&["PTTL", "short"]), Reply::Int(n) if (0..=50).contains(&n)));
        let t0 = Instant::now();
        assert!(wait_until(SOON, || c.cmd(&["EXISTS", "short"]) == int(0)));
        assert!(t0.elapsed() >= Duration::from_millis(30), "expired too early");
    }
    p.same(&mut a, &mut b, &["TTL", "short"]);
    p.same(&mut a, &mut b, &["TTL", "saved"]);
    p.same(&mut a, &mut b, &["GET", "saved"]);
}

#[test]
fn keyspace_events_of_generic_commands_match_redis() {
    let extra = ["--notify-keyspace-events", "KEA"];
    let script: &[&[&str]] = &[
        &["SET", "a", "1"],
        &["RENAME", "a", "b"],
        &["RENAME", "b", "b"],
        &["RENAMENX", "b", "c"],
        &["SET", "d", "1"],
        &["RENAMENX", "c", "d"],
        &["RENAME", "c", "d"],
        &["EXPIRE", "d", "100"],
        &["EXPIRE", "d", "100", "NX"],
        &["PERSIST", "d"],
        &["PERSIST", "d"],
        &["PEXPIRE", "d", "-1"],
        &["SET", "e", "1"],
        &["EXPIREAT", "e", "1"],
        &["SET", "a", "1"],
        &["MOVE", "a", "1"],
        &["COPY", "nokey", "x"],
        &["SET", "a", "1"],
        &["COPY", "a", "x"],
        &["COPY", "a", "x"],
        &["COPY", "a", "x", "REPLACE"],
        &["COPY", "a", "x", "DB", "2"],
        &["TOUCH", "a"],
        &["EXISTS", "a"],
        &["TYPE", "a"],
        &["DEL", "a", "x", "nokey"],
        &["UNLINK", "a"],
        &["RPUSH", "l", "1", "3", "2"],
        &["SORT", "l", "STORE", "dst"],
        &["SORT", "l", "LIMIT", "0", "0", "STORE", "dst"],
        &["SORT", "l", "LIMIT", "0", "0", "STORE", "dst"],
        &["SORT", "nokey", "STORE", "l"],
        &["SET", "x", "1", "PX", "1"],
    ];
    let p = Pair::start(&extra);
    let mut subs = [p.ours.client(), p.theirs.client()];
    for s in subs.iter_mut() {
        s.cmd(&["PSUBSCRIBE", "__keyevent*"]);
    }
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in script {
        p.same(&mut a, &mut b, args);
    }
    for c in [&mut a, &mut b] {
        // Reading the key after its TTL passed reports `expired` (lazily or actively).
        assert!(wait_until(SOON, || c.cmd(&["GET", "x"]) == nil()));
        c.cmd(&["SET", "__end__", "1"]);
    }
    let [sa, sb] = &mut subs;
    let (ours, theirs) = (events_until_end(sa), events_until_end(sb));
    assert_eq!(ours, theirs);
    assert!(ours.contains(&("__keyevent@0__:expired".into(), "x".into())));
    assert!(ours.contains(&("__keyevent@0__:del".into(), "d".into())));
}

#[test]
fn key_misses_are_published_by_the_commands_redis_publishes_them_for() {
    let extra = ["--notify-keyspace-events", "Em"];
    let p = Pair::start(&extra);
    let mut subs = [p.ours.client(), p.theirs.client()];
    for s in subs.iter_mut() {
        s.cmd(&["PSUBSCRIBE", "__keyevent*"]);
    }
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in [
        &["EXISTS", "m1"][..],
        &["TOUCH", "m2"],
        &["TYPE", "m3"],
        &["TTL", "m4"],
        &["PTTL", "m5"],
        &["EXPIRETIME", "m6"],
        &["OBJECT", "ENCODING", "m7"],
        &["SORT", "m8"],
        &["PERSIST", "m9"],
        &["EXPIRE", "m10", "10"],
        &["RENAME", "m11", "x"],
        &["COPY", "m12", "x"],
        &["MOVE", "m13", "1"],
        &["RPUSH", "l", "1", "2"],
        &["SORT", "l", "BY", "w_*", "GET", "g_*"],
    ] {
        p.same(&mut a, &mut b, args);
    }
    for c in [&mut a, &mut b] {
        // A miss on the sentinel ends the stream.
        c.cmd(&["EXISTS", "__end__"]);
    }
    let [sa, sb] = &mut subs;
    assert_eq!(events_until_end(sa), events_until_end(sb));
}

// ---- OBJECT ---------------------------------------------------------------------------

#[test]
fn object_subcommands_match_redis() {
    let script = [
        "OBJECT FOO",
        "OBJECT",
        "OBJECT ENCODING",
        "OBJECT ENCODING a b",
        "OBJECT ENCODING nokey",
        "OBJECT REFCOUNT nokey",
        "OBJECT IDLETIME nokey",
        "OBJECT FREQ nokey",
        "SET a 1",
        "OBJECT FREQ a",
        "OBJECT IDLETIME a",
        "SET int 12345",
        "OBJECT ENCODING int",
        "SET bigint 12345678901234567890",
        "OBJECT ENCODING bigint",
        "SET neg -5",
        "OBJECT ENCODING neg",
        "SET lead 05",
        "OBJECT ENCODING lead",
        "SET emb aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "OBJECT ENCODING emb",
        "SET raw aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "OBJECT ENCODING raw",
        "SET app abc",
        "APPEND app d",
        "OBJECT ENCODING app",
        "RPUSH l a",
        "OBJECT ENCODING l",
        "HSET h f v",
        "OBJECT ENCODING h",
        "HSET h f2 v f3 v",
        "OBJECT ENCODING h",
        "SADD si 1 2",
        "OBJECT ENCODING si",
        "SADD si 3",
        "OBJECT ENCODING si",
        "SADD ss a",
        "OBJECT ENCODING ss",
        "ZADD z 1 a",
        "OBJECT ENCODING z",
        "ZADD z 2 b 3 c",
        "OBJECT ENCODING z",
        "SET zero 0",
        "SET small 9999",
        "SET notshared 10000",
        "OBJECT REFCOUNT zero",
        "OBJECT REFCOUNT small",
        "OBJECT REFCOUNT notshared",
        "OBJECT REFCOUNT neg",
        "OBJECT REFCOUNT emb",
        "OBJECT REFCOUNT l",
        "OBJECT REFCOUNT h",
    ];
    let extra = ["--hash-max-listpack-entries", "2", "--set-max-intset-entries", "2", "--zset-max-listpack-entries", "2"];
    assert_same_as_redis(&extra, &script);
    assert_same_as_redis_resp3(&extra, &script);
}

#[test]
fn object_freq_and_idletime_follow_the_lfu_policy() {
    let script = [
        "SET s abc",
        "OBJECT FREQ s",
        "GET s",
        "OBJECT FREQ s",
        "OBJECT IDLETIME s",
        "OBJECT FREQ nokey",
        "OBJECT IDLETIME nokey",
        "SET i 5",
        "OBJECT REFCOUNT i",
    ];
    assert_same_as_redis(&["--maxmemory-policy", "allkeys-lfu"], &script);
    assert_same_as_redis(&["--maxmemory-policy", "volatile-lfu"], &script);
}

#[test]
fn small_integers_are_not_shared_under_lru_or_lfu_with_maxmemory() {
    let script = ["SET i 5", "OBJECT REFCOUNT i", "OBJECT ENCODING i", "OBJECT IDLETIME i"];
    for policy in ["allkeys-lru", "volatile-lru", "allkeys-random", "volatile-ttl", "noeviction"] {
        assert_same_as_redis(&["--maxmemory", "100mb", "--maxmemory-policy", policy], &script);
    }
}

// ---- WAIT -----------------------------------------------------------------------------

#[test]
fn wait_validates_like_redis_and_returns_zero_without_replicas() {
    let script = [
        "WAIT",
        "WAIT 0",
        "WAIT 0 0",
        "WAIT -1 0",
        "WAIT 0 -1",
        "WAIT abc 0",
        "WAIT 0 abc",
        "WAIT 0 1.5",
        "WAIT 1.5 0",
        "WAIT 0 9223372036854775807",
        "WAIT 0 0 0",
        "SET k v",
        "WAIT 0 100",
        "MULTI",
        "WAIT 5 0",
        "EXEC",
    ];
    assert_same_as_redis(&[], &script);
    assert_same_as_redis_resp3(&[], &script);
}

#[test]
fn wait_for_replicas_blocks_until_its_timeout() {
    let p = Pair::start(&[]);
    for srv in [&p.ours, &p.theirs] {
        let mut c = srv.client();
        let t0 = Instant::now();
        assert_eq!(c.cmd(&["WAIT", "1", "150"]), int(0));
        let took = t0.elapsed();
        assert!(took >= Duration::from_millis(140), "{}: WAIT returned after {took:?}", srv.kind);
        assert!(took < Duration::from_secs(3), "{}: WAIT returned after {took:?}", srv.kind);
    }
}

// ---- SORT -----------------------------------------------------------------------------

const SORT_SCRIPT: &[&str] = &[
    "RPUSH l 3 1 2 10",
    "SORT l",
    "SORT l DESC",
    "SORT l ALPHA",
    "SORT l ALPHA DESC",
    "SORT l ASC DESC",
    "SORT l DESC ASC",
    "SORT l LIMIT 1 2",
    "SORT l LIMIT 1",
    "SORT l LIMIT a b",
    "SORT l LIMIT 1 b",
    "SORT l LIMIT -1 2",
    "SORT l LIMIT 1 -1",
    "SORT l LIMIT 10 2",
    "SORT l LIMIT 0 0",
    "SORT l LIMIT 0 -5",
    "SORT l LIMIT 9223372036854775807 9223372036854775807",
    "SORT l LIMIT 1 9223372036854775807",
    "SORT l LIMIT -9223372036854775808 2",
    "SORT l LIMIT 0 1 LIMIT 2 1",
    "SORT l FOO",
    "SORT l BY",
    "SORT l GET",
    "SORT l STORE",
    "SORT",
    "RPUSH m a b 1",
    "SORT m",
    "SORT m LIMIT 0 0",
    "SORT m ALPHA",
    "SORT m ALPHA DESC LIMIT 1 1",
    "SORT nokey",
    "SORT nokey ALPHA LIMIT 0 5",
    "SET s x",
    "SORT s",
    "SORT s FOO",
    "SORT s LIMIT a b",
    "SORT s BY nosort",
    "HSET hs f v",
    "SORT hs",
    "SORT l BY nosort",
    "SORT l BY nosort DESC",
    "SORT l BY nosort LIMIT 1 2",
    "SORT l BY nosort DESC LIMIT 1 2",
    "SORT l BY nosort LIMIT 5 2",
    "SORT l BY nosort LIMIT -3 -3",
    "SORT l BY nosort ALPHA",
    "SORT l BY w_*",
    "MSET w_3 1 w_1 3 w_2 2 w_10 0",
    "SORT l BY w_*",
    "SORT l BY w_* DESC",
    "SORT l BY w_* LIMIT 1 2",
    "SORT l BY w_* DESC LIMIT 1 2",
    "SORT l BY w_* GET # GET w_*",
    "SORT l BY w_* GET nothing_*",
    "SORT l BY w_* GET nofixedkey",
    "SORT l GET #",
    "SORT l LIMIT 1 2 GET # GET w_*",
    "SORT l BY w_*x",
    "SORT l BY *",
    "SORT l BY w_* ALPHA",
    "MSET v_3 b v_1 a v_10 c",
    "SORT l BY v_* ALPHA",
    "SORT l BY v_* ALPHA DESC",
    "SORT l BY v_*",
    "HSET h_1 f 100 g x",
    "HSET h_3 f 50 g y",
    "HSET h_2 f 75",
    "SORT l BY h_*->f",
    "SORT l BY h_*->f DESC",
    "SORT l BY h_*->g ALPHA",
    "SORT l GET h_*->f",
    "SORT l GET h_*->g GET #",
    "SORT l GET h_*->",
    "SORT l GET h_*->nofield",
    "SORT l GET w_*->f",
    "SORT l BY h_*->nofield",
    "SET h_10 str",
    "SORT l GET h_*->f",
    "SORT l BY w_* STORE dst",
    "LRANGE dst 0 -1",
    "TYPE dst",
    "SORT l BY w_* GET h_*->f STORE dst",
    "LRANGE dst 0 -1",
    "SORT l LIMIT 0 0 STORE dst",
    "EXISTS dst",
    "SORT nokey STORE dst",
    "SET dst x EX 100",
    "SORT l STORE dst",
    "TTL dst",
    "SORT l STORE l",
    "LRANGE l 0 -1",
    "SORT_RO l STORE dst",
    "SORT_RO l BY w_* GET #",
    "SORT_RO l LIMIT 1 1",
    "SORT_RO nokey",
    "SORT_RO",
    "SADD st 5 3 9",
    "SORT st",
    "SORT st DESC",
    "SORT st BY nosort",
    "SORT st BY nosort STORE dst",
    "LRANGE dst 0 -1",
    "SADD st2 b a c",
    "SORT st2 ALPHA",
    "SORT st2 BY nosort STORE dst",
    "LRANGE dst 0 -1",
    "SORT st2 ALPHA DESC LIMIT 1 5",
    "SORT st2",
    "ZADD z 3 c 1 a 2 b",
    "SORT z BY nosort",
    "SORT z BY nosort DESC",
    "SORT z BY nosort LIMIT 1 1",
    "SORT z BY nosort DESC LIMIT 1 1",
    "SORT z BY nosort DESC LIMIT 1 5",
    "SORT z BY nosort LIMIT 3 1",
    "SORT z BY nosort ALPHA DESC LIMIT 0 2",
    "SORT z BY nosort STORE dst",
    "LRANGE dst 0 -1",
    "SORT z ALPHA",
    "SORT z ALPHA DESC",
    "SORT z",
    "MSET w_a 3 w_b 1 w_c 2",
    "SORT z BY w_*",
    "SORT z BY w_* GET # GET w_*",
    "ZADD zn 1 10 2 9 3 8",
    "SORT zn",
    "SORT zn BY nosort",
    "RPUSH n9 -0 0 -0.0",
    "SORT n9",
    "SORT n9 DESC",
    "RPUSH nums 0x10 inf -inf +3 .5 1. 1e3 INFINITY 0x1p3 -0x1 1.e2",
    "SORT nums",
    "SORT nums DESC",
    "RPUSH bad 5x",
    "SORT bad",
    "RPUSH bad2 nan",
    "SORT bad2",
    "RPUSH bad3 1e",
    "SORT bad3",
    "RPUSH bad4 0x",
    "SORT bad4",
    "RPUSH dup b a b a",
    "SORT dup ALPHA",
    "SORT dup ALPHA LIMIT 1 2",
];

#[test]
fn sort_matches_redis_with_every_option() {
    assert_same_as_redis(&[], SORT_SCRIPT);
}

#[test]
fn sort_matches_redis_in_resp3() {
    assert_same_as_redis_resp3(&[], SORT_SCRIPT);
}

#[test]
fn sort_scores_parse_like_strtod_on_the_whole_string() {
    // Arguments with blanks, NULs and empty strings; out-of-range values go last
    // because redis-server leaves errno set after one (later sorts would fail there).
    let script: &[&[&str]] = &[
        &["RPUSH", "x", " 5", "\t7", "", "1\0a", "\0b", "0X1.8", "7"],
        &["SORT", "x"],
        &["SORT", "x", "DESC"],
        &["RPUSH", "sp", "   "],
        &["SORT", "sp"],
        &["RPUSH", "t", "5 "],
        &["SORT", "t"],
        &["RPUSH", "big", "1e309"],
        &["SORT", "big"],
    ];
    assert_same_as_redis_args(&[], script);
    assert_same_as_redis_args(&[], &[&["RPUSH", "tiny", "1e-310"], &["SORT", "tiny"]]);
}

#[test]
fn sort_by_patterns_reads_keys_with_binary_names() {
    let script: &[&[&str]] = &[
        &["RPUSH", "l", "a b", "c", ""],
        &["SET", "w_a b", "2"],
        &["SET", "w_c", "1"],
        &["SET", "w_", "3"],
        &["SORT", "l", "BY", "w_*"],
        &["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"],
        &["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "STORE", "out"],
        &["LRANGE", "out", "0", "-1"],
        &["HSET", "h:a b", "a field", "x"],
        &["SORT", "l", "ALPHA", "GET", "h:*->a field"],
        &["SORT", "l", "ALPHA", "GET", "h:*->a field", "STORE", "out"],
        &["LRANGE", "out", "0", "-1"],
        &["SORT", "l", "BY", ""],
        &["SORT", "l", "ALPHA", "GET", ""],
        &["SORT", "l", "ALPHA", "GET", "#x"],
    ];
    assert_same_as_redis_args(&[], script);
}

#[test]
fn sort_store_of_a_set_without_sorting_stores_it_sorted() {
    // Redis sorts a set ALPHA when the result is stored, so that replicas agree.
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let members: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    let mut sadd = vec!["SADD", "s"];
    sadd.extend(members.iter().map(|s| s.as_str()));
    p.same(&mut a, &mut b, &sadd);
    p.same(&mut a, &mut b, &["SORT", "s", "BY", "nosort", "STORE", "out"]);
    p.same(&mut a, &mut b, &["LRANGE", "out", "0", "-1"]);
    let (ra, rb) = (a.cmd(&["SORT", "s", "BY", "nosort"]), b.cmd(&["SORT", "s", "BY", "nosort"]));
    assert_eq!(sorted(&ra), sorted(&rb));
}

#[test]
fn sort_of_a_large_list_matches_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let vals: Vec<String> = (0..2000).map(|i| ((i * 7919) % 2003).to_string()).collect();
    for chunk in vals.chunks(500) {
        let mut args = vec!["RPUSH", "big"];
        args.extend(chunk.iter().map(|s| s.as_str()));
        p.same(&mut a, &mut b, &args);
    }
    for cmd in [
        &["SORT", "big"][..],
        &["SORT", "big", "DESC", "LIMIT", "100", "50"],
        &["SORT", "big", "ALPHA", "LIMIT", "0", "30"],
        &["SORT", "big", "BY", "nosort", "DESC", "LIMIT", "1990", "20"],
        &["SORT", "big", "STORE", "sorted"],
        &["LRANGE", "sorted", "0", "20"],
    ] {
        p.same(&mut a, &mut b, cmd);
    }
}

fn used_memory(c: &mut Client) -> u64 {
    let r = c.cmd(&["INFO", "memory"]);
    let text = String::from_utf8_lossy(r.as_bytes().expect("INFO text")).into_owned();
    text.lines().find_map(|l| l.strip_prefix("used_memory:")).and_then(|v| v.trim().parse().ok()).expect("used_memory field")
}

/// Redis's lazyfree test: once a huge set is unlinked, used_memory goes back near where
/// it was, even though the connection that sent the 100k-member SADD stays open (its
/// argument vector and read buffer must not stay pinned).
#[test]
fn unlink_of_a_huge_set_gives_the_memory_back_while_its_sender_stays_connected() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let before = used_memory(&mut c);
    let members: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let mut sadd = vec!["SADD", "myset"];
    sadd.extend(members.iter().map(|m| m.as_str()));
    assert_eq!(c.cmd(&sadd), int(100_000));
    let peak = used_memory(&mut c);
    assert!(peak > before + 1_000_000, "peak {peak} before {before}");
    assert_eq!(c.cmd(&["UNLINK", "myset"]), int(1));
    assert!(wait_until(SOON, || used_memory(&mut c) < before + 512 * 1024), "used_memory stayed at {} (before {before})", used_memory(&mut c));
}

fn cmdline(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).expect("read cmdline");
    let text = String::from_utf8_lossy(&raw).replace('\0', " ");
    text.trim_end_matches(['.', ' ']).to_string()
}

/// unit/other "Process title set as expected": the default template shows
/// "<argv0> <first bind address>:<port>", CONFIG SET proc-title-template rewrites the title at once,
/// and a template with an unknown variable is refused with Redis's text.
/// (Lives here with the keyspace commands for now; it belongs to the server family.)
#[test]
fn the_process_title_follows_proc_title_template() {
    let s = Server::start(&["--unixsocket", "title.sock"]);
    let mut c = s.client();
    let title = cmdline(s.pid());
    assert!(title.ends_with(&format!("slotd 127.0.0.1:{}", s.port)), "title {title:?}");
    let template = "TEST {title} {listen-addr} {port} {tls-port} {unixsocket} {config-file}";
    assert_eq!(c.cmd(&["CONFIG", "SET", "proc-title-template", template]), ok());
    let words: Vec<String> = cmdline(s.pid()).split_whitespace().map(String::from).collect();
    assert_eq!(words[0], "TEST");
    assert!(words[1].ends_with("/slotd"), "{words:?}");
    assert_eq!(words[2], format!("127.0.0.1:{}", s.port));
    assert_eq!(words[3], s.port.to_string());
    assert_eq!(words[4], "0");
    assert_eq!(words[5], "title.sock");
    let r = c.cmd(&["CONFIG", "SET", "proc-title-template", "{invalid-var}"]);
    assert_eq!(err_text(&r), "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables");
    assert_eq!(c.cmd(&["CONFIG", "GET", "proc-title-template"]), bulks(&["proc-title-template", template]));
}
