//! Hash commands side by side with redis-server 7.0: replies in RESP2 and RESP3, error
//! texts, encodings, keyspace events, WATCH; random commands by their properties.
//!
//! Also the script helpers the set tests share (`script`, `events_match`).
use crate::harness::*;
use std::collections::HashSet;

/// How a script line's replies are compared.
fn normalize(r: Reply, mode: &str) -> Reply {
    fn key(r: &Reply) -> String {
        format!("{r:?}")
    }
    match (mode, r) {
        // Order-insensitive (hashtable encodings iterate in hash order).
        ("~", Reply::Array(mut v)) => {
            v.sort_by_key(key);
            Reply::Array(v)
        }
        ("~", Reply::Set(mut v)) => {
            v.sort_by_key(key);
            Reply::Set(v)
        }
        ("~" | "~2", Reply::Map(mut v)) => {
            v.sort_by_key(|(k, _)| key(k));
            Reply::Map(v)
        }
        // Order-insensitive over consecutive pairs (RESP2 field/value lists).
        ("~2", Reply::Array(v)) => {
            let mut pairs: Vec<Vec<Reply>> = v.chunks(2).map(|c| c.to_vec()).collect();
            pairs.sort_by_key(|p| key(&p[0]));
            Reply::Array(pairs.into_iter().flatten().collect())
        }
        (_, r) => r,
    }
}

/// Runs one line on both servers and asserts equal replies. A line may start with `~ `
/// (compare ignoring element order) or `~2 ` (ignoring the order of field/value pairs).
pub(crate) fn same_line(a: &mut Client, b: &mut Client, line: &str) {
    let (mode, rest) = match line.split_once(' ') {
        Some((m @ ("~" | "~2"), rest)) => (m, rest),
        _ => ("", line),
    };
    let args: Vec<&str> = rest.split(' ').collect();
    let ra = normalize(a.cmd(&args), mode);
    let rb = normalize(b.cmd(&args), mode);
    assert_eq!(ra, rb, "command `{rest}`: slotd replied {ra:?}, redis-server replied {rb:?}");
}

/// Runs the script against slotd and redis-server started with `extra`, twice: in RESP2
/// on database 0, then in RESP3 (HELLO 3) on database 1.
pub(crate) fn script(extra: &[&str], lines: &[&str]) {
    let p = Pair::start(extra);
    for resp3 in [false, true] {
        let mut a = p.ours.client();
        let mut b = p.theirs.client();
        if resp3 {
            p.same(&mut a, &mut b, &["SELECT", "1"]);
            a.cmd(&["HELLO", "3"]);
            b.cmd(&["HELLO", "3"]);
        }
        for line in lines {
            same_line(&mut a, &mut b, line);
        }
    }
}

/// Keyspace events published while `lines` run, as (channel, message), in order.
fn events(s: &Server, lines: &[&[&str]]) -> Vec<(String, String)> {
    let mut sub = s.client();
    let r = sub.cmd(&["PSUBSCRIBE", "__key*"]);
    assert!(!r.is_error(), "this test needs PSUBSCRIBE (the pubsub family): {r:?}");
    let mut c = s.client();
    for args in lines {
        c.cmd(args);
    }
    // A last event marks the end, so reading needs no sleep.
    c.cmd(&["SET", "end-of-events", "1"]);
    let mut out = Vec::new();
    loop {
        let (Reply::Push(v) | Reply::Array(v)) = sub.read() else { panic!("not an event") };
        let text = |r: &Reply| String::from_utf8_lossy(r.as_bytes().unwrap_or_default()).into_owned();
        let (chan, msg) = (text(&v[2]), text(&v[3]));
        if msg == "end-of-events" {
            return out;
        }
        if chan.ends_with("end-of-events") {
            continue;
        }
        out.push((chan, msg));
    }
}

/// Asserts that slotd publishes the keyspace events redis-server publishes for `lines`.
pub(crate) fn events_match(lines: &[&[&str]]) {
    let p = Pair::start(&["--notify-keyspace-events", "KEA"]);
    let ours = events(&p.ours, lines);
    let theirs = events(&p.theirs, lines);
    assert!(!theirs.is_empty());
    assert_eq!(ours, theirs);
}

fn bulk_set(r: &Reply) -> HashSet<Vec<u8>> {
    match r {
        Reply::Array(v) | Reply::Set(v) => v.iter().map(|x| x.as_bytes().expect("bulk").to_vec()).collect(),
        other => panic!("expected an array, got {other:?}"),
    }
}

fn items(r: Reply) -> Vec<Reply> {
    match r {
        Reply::Array(v) | Reply::Set(v) => v,
        other => panic!("expected an array, got {other:?}"),
    }
}

#[test]
fn hash_commands_reply_like_redis_in_resp2_and_resp3() {
    script(
        &[],
        &[
            "HSET h f1 v1 f2 v2 f3 v3",
            "HSET h f1 new f4 v4",
            "HSET h f1",
            "HSET h f1 v f2",
            "HMSET h f5 v5 f6 v6",
            "HMSET h f5 v5 f6",
            "HSETNX h f1 other",
            "HSETNX h f7 v7",
            "HSETNX fresh f v",
            "HGET h f1",
            "HGET h nofield",
            "HGET nokey f",
            "HMGET h f1 nofield f2",
            "HMGET nokey a b",
            "HLEN h",
            "HLEN nokey",
            "HSTRLEN h f1",
            "HSTRLEN h nofield",
            "HSTRLEN nokey f",
            "HEXISTS h f1",
            "HEXISTS h nofield",
            "HEXISTS nokey f",
            "HKEYS h",
            "HVALS h",
            "HGETALL h",
            "HKEYS nokey",
            "HVALS nokey",
            "HGETALL nokey",
            "HDEL h f2 nofield f3",
            "HDEL h nofield",
            "HDEL nokey f",
            "HGETALL h",
            "HDEL h f1 f4 f5 f6 f7",
            "HLEN h",
            "HGETALL h",
            "HSET n 1 100 -2 -200",
            "HSTRLEN n 1",
            "HSTRLEN n -2",
            "HGETALL n",
            "HGET",
            "HMGET h",
            "HDEL h",
            "HSETNX h f",
        ],
    );
}

#[test]
fn hash_increments_match_redis_digits_and_errors() {
    script(
        &[],
        &[
            "HINCRBY h i 5",
            "HINCRBY h i -12",
            "HINCRBY h i x",
            "HINCRBY h i 1.5",
            "HINCRBY h i 9223372036854775808",
            "HSET h big 9223372036854775807 small -9223372036854775808 s abc sp 01",
            "HINCRBY h big 1",
            "HINCRBY h big 0",
            "HINCRBY h small -1",
            "HINCRBY h small 1",
            "HINCRBY h s 1",
            "HINCRBY h sp 1",
            "HINCRBYFLOAT h f 10.5",
            "HINCRBYFLOAT h f 0.1",
            "HINCRBYFLOAT h f -10.6",
            "HINCRBYFLOAT h f 5.0e3",
            "HINCRBYFLOAT h f 1e4000",
            "HINCRBYFLOAT h i 1.25",
            "HINCRBYFLOAT h big 1",
            "HINCRBYFLOAT h s 1",
            "HINCRBYFLOAT h f abc",
            "HINCRBYFLOAT h f nan",
            "HINCRBYFLOAT h f inf",
            "HINCRBYFLOAT h f -Infinity",
            "HINCRBYFLOAT h f 0x10",
            "HSET h edge 1e4931",
            "HINCRBYFLOAT h edge 1e4931",
            "HGET h edge",
            "HSET h inf inf",
            "HINCRBYFLOAT h inf 1",
            "HINCRBY h i 1 2",
            "~2 HGETALL h",
            "HINCRBYFLOAT nokey2 f x",
            "HLEN nokey2",
        ],
    );
}

#[test]
fn hash_encoding_follows_the_listpack_limits() {
    script(
        &["--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "8"],
        &[
            "HSET h a 1 b 2 c 3 d 4",
            "OBJECT ENCODING h",
            "HSET h e 5",
            "OBJECT ENCODING h",
            "HDEL h a b c d",
            "OBJECT ENCODING h",
            "HGETALL h",
            // A long value converts even when it only updates an existing field.
            "HSET v f 1",
            "HSET v f 123456789",
            "OBJECT ENCODING v",
            // A long field name converts too, through every writer.
            "HSET w field-long-9 1",
            "OBJECT ENCODING w",
            "HSETNX x f 1",
            "HSETNX x f 123456789",
            "OBJECT ENCODING x",
            "HSETNX x field-long-9 1",
            "OBJECT ENCODING x",
            "HINCRBY y field-long-9 1",
            "OBJECT ENCODING y",
            "HINCRBYFLOAT z f 1e20",
            "OBJECT ENCODING z",
            "HINCRBYFLOAT z2 f 1.5",
            "OBJECT ENCODING z2",
            "HMSET m a 1 b 2 c 3 d 4 e 5",
            "OBJECT ENCODING m",
            "~ HKEYS m",
            "~ HVALS m",
            "~ HGETALL m",
            "HMGET m a e zz",
        ],
    );
    script(&["--hash-max-listpack-entries", "0"], &["HSET h a 1", "OBJECT ENCODING h"]);
}

#[test]
fn big_hashes_hold_the_same_fields_as_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for i in 0..700 {
        let (f, v) = (format!("field:{i}"), format!("value:{i}"));
        p.same(&mut a, &mut b, &["HSET", "h", &f, &v]);
    }
    for line in ["HLEN h", "~ HKEYS h", "~ HVALS h", "~2 HGETALL h", "HGET h field:699", "HDEL h field:0 field:1", "HEXISTS h field:0", "HSTRLEN h field:600"] {
        same_line(&mut a, &mut b, line);
    }
    a.cmd(&["HELLO", "3"]);
    b.cmd(&["HELLO", "3"]);
    same_line(&mut a, &mut b, "~ HGETALL h");
}

#[test]
fn every_hash_command_refuses_other_types() {
    script(
        &[],
        &[
            "SET s x",
            "HSET s f v",
            "HMSET s f v",
            "HSETNX s f v",
            "HGET s f",
            "HMGET s f",
            "HDEL s f",
            "HLEN s",
            "HSTRLEN s f",
            "HEXISTS s f",
            "HKEYS s",
            "HVALS s",
            "HGETALL s",
            "HINCRBY s f 1",
            "HINCRBY s f x",
            "HINCRBYFLOAT s f 1",
            "HINCRBYFLOAT s f x",
            "HRANDFIELD s",
            "HRANDFIELD s 2",
            "HRANDFIELD s x",
            "HRANDFIELD s 1 WITHVALUES",
            "HSCAN s 0",
            "HSCAN s x",
            "HSCAN s 0 COUNT 0",
            "GET s",
        ],
    );
}

#[test]
fn hrandfield_errors_and_whole_hash_replies_match_redis() {
    script(
        &[],
        &[
            "HRANDFIELD nokey",
            "HRANDFIELD nokey 3",
            "HRANDFIELD nokey -3 WITHVALUES",
            "HSET h a 1 b 2 c 3",
            "HRANDFIELD h 0",
            "HRANDFIELD h 0 WITHVALUES",
            "HRANDFIELD h 3",
            "HRANDFIELD h 10",
            "HRANDFIELD h 10 WITHVALUES",
            "HRANDFIELD h 10 withvalues",
            "HRANDFIELD h x",
            "HRANDFIELD h 1.5",
            "HRANDFIELD h 1 WITHVALUE",
            "HRANDFIELD h 1 WITHVALUES x",
            "HRANDFIELD h x WITHVALUES x",
            "HRANDFIELD h -9223372036854775808",
            "HRANDFIELD h -9223372036854775807 WITHVALUES",
            "HRANDFIELD h 4611686018427387904 WITHVALUES",
            "HRANDFIELD h -4611686018427387904 WITHVALUES",
        ],
    );
}

/// The random replies of HRANDFIELD, checked by their properties in both encodings and
/// both protocols.
#[test]
fn hrandfield_counts_pick_distinct_or_repeated_fields() {
    let s = Server::start(&["--hash-max-listpack-entries", "16"]);
    let mut c = s.client();
    for (key, n) in [("small", 10), ("big", 100)] {
        for i in 0..n {
            c.cmd(&["HSET", key, &format!("f{i}"), &format!("v{i}")]);
        }
        let fields: HashSet<Vec<u8>> = (0..n).map(|i| format!("f{i}").into_bytes()).collect();
        let one = c.cmd(&["HRANDFIELD", key]);
        assert!(fields.contains(one.as_bytes().unwrap()));
        for count in [1, 3, n / 2, n - 1] {
            let r = items(c.cmd(&["HRANDFIELD", key, &count.to_string()]));
            assert_eq!(r.len(), count, "positive count gives that many fields");
            let got = bulk_set(&Reply::Array(r));
            assert_eq!(got.len(), count, "positive count gives distinct fields");
            assert!(got.is_subset(&fields));
        }
        let all = c.cmd(&["HRANDFIELD", key, &(n + 5).to_string()]);
        assert_eq!(bulk_set(&all), fields, "a count above the size returns the whole hash");
        // Negative counts repeat: with 2000 picks of at most 100 fields, some repeat.
        let r = c.cmd(&["HRANDFIELD", key, "-2000"]);
        let picks = items(r.clone());
        assert_eq!(picks.len(), 2000);
        let distinct = bulk_set(&r);
        assert!(distinct.len() < 2000 && distinct.is_subset(&fields));
        // WITHVALUES: RESP2 flat field/value list, values belonging to their fields.
        let flat = items(c.cmd(&["HRANDFIELD", key, "-50", "WITHVALUES"]));
        assert_eq!(flat.len(), 100);
        for pair in flat.chunks(2) {
            let f = String::from_utf8(pair[0].as_bytes().unwrap().to_vec()).unwrap();
            assert_eq!(pair[1], bulk(&f.replace('f', "v")));
        }
        let flat = items(c.cmd(&["HRANDFIELD", key, "5", "WITHVALUES"]));
        assert_eq!(flat.len(), 10);
    }
    // RESP3: WITHVALUES gives an array of [field, value] pairs.
    c.cmd(&["HELLO", "3"]);
    for key in ["small", "big"] {
        for count in ["-7", "7", "500"] {
            let pairs = items(c.cmd(&["HRANDFIELD", key, count, "WITHVALUES"]));
            assert!(!pairs.is_empty());
            for p in pairs {
                let Reply::Array(p) = p else { panic!("expected a pair array") };
                assert_eq!(p.len(), 2);
                let f = String::from_utf8(p[0].as_bytes().unwrap().to_vec()).unwrap();
                assert_eq!(p[1], bulk(&f.replace('f', "v")));
            }
        }
        assert_eq!(c.cmd(&["HRANDFIELD", "nokey"]), Reply::Nil);
    }
}

#[test]
fn hscan_of_a_listpack_answers_at_once_like_redis() {
    script(
        &[],
        &[
            "HSET h a 1 b 2 c 3 ab 4 abc 5",
            "HSCAN h 0",
            "HSCAN h 0 COUNT 1",
            "HSCAN h 7 COUNT 2",
            "HSCAN h 0 MATCH a*",
            "HSCAN h 0 match a?? count 100",
            "HSCAN h 0 MATCH *",
            "HSCAN h 0 MATCH zz*",
            "HSCAN h 0 COUNT 0",
            "HSCAN h 0 COUNT -1",
            "HSCAN h 0 COUNT x",
            "HSCAN h 0 COUNT",
            "HSCAN h 0 MATCH",
            "HSCAN h 0 TYPE string",
            "HSCAN h 0 foo bar",
            "HSCAN h -1",
            "HSCAN h +3",
            "HSCAN h 007",
            "HSCAN h x",
            "HSCAN h 1.5",
            "HSCAN h 18446744073709551616",
            "HSCAN h 18446744073709551615",
            "HSCAN nokey 0",
            "HSCAN nokey 0 COUNT 0",
            "HSCAN nokey x",
        ],
    );
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["HSET", "h", "a", "1"]);
    p.same(&mut a, &mut b, &["HSCAN", "h", ""]);
    p.same(&mut a, &mut b, &["HSCAN", "h", " 1"]);
}

#[test]
fn hscan_of_a_hashtable_walks_every_field_with_a_cursor() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let n = 1000;
    for i in 0..n {
        c.cmd(&["HSET", "h", &format!("f{i}"), &format!("v{i}")]);
    }
    for (count, pattern) in [(10, None), (1, None), (100, Some("f1*"))] {
        let mut seen = HashSet::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let mut args = vec!["HSCAN", "h", cursor.as_str(), "COUNT"];
            let cs = count.to_string();
            args.push(&cs);
            if let Some(p) = pattern {
                args.extend(["MATCH", p]);
            }
            let r = items(c.cmd(&args));
            calls += 1;
            let next = String::from_utf8(r[0].as_bytes().unwrap().to_vec()).unwrap();
            let page = items(r[1].clone());
            assert!(page.len().is_multiple_of(2));
            for pair in page.chunks(2) {
                let f = String::from_utf8(pair[0].as_bytes().unwrap().to_vec()).unwrap();
                assert_eq!(pair[1], bulk(&f.replace('f', "v")));
                if let Some(p) = pattern {
                    assert!(f.starts_with(&p[..2]));
                }
                seen.insert(f);
            }
            cursor = next;
            if cursor == "0" {
                break;
            }
        }
        let want = (0..n).map(|i| format!("f{i}")).filter(|f| pattern.is_none_or(|p| f.starts_with(&p[..2]))).count();
        assert_eq!(seen.len(), want);
        if pattern.is_none() {
            // COUNT bounds a page (fields and values count alike), so small counts take
            // many calls.
            assert!(calls > n / (count + 8), "{calls} calls with COUNT {count}");
        }
    }
}

#[test]
fn hash_writes_publish_redis_keyspace_events() {
    events_match(&[
        &["HSET", "h", "a", "1", "b", "2"],
        &["HSET", "h", "a", "1"],
        &["HMSET", "h", "c", "3"],
        &["HSETNX", "h", "a", "9"],
        &["HSETNX", "h", "d", "4"],
        &["HDEL", "h", "zz"],
        &["HDEL", "h", "a", "b"],
        &["HINCRBY", "h", "n", "1"],
        &["HINCRBY", "h", "a", "x"],
        &["HINCRBYFLOAT", "h", "n", "1.5"],
        &["HDEL", "h", "c", "d", "n"],
        &["HGET", "h", "a"],
        &["HINCRBYFLOAT", "h2", "f", "2"],
    ]);
}

#[test]
fn hash_writes_invalidate_watch_and_no_ops_do_not() {
    let p = Pair::start(&[]);
    for (setup, cmd) in [
        (vec!["HSET", "h", "a", "1"], vec!["HSET", "h", "a", "2"]),
        (vec!["HSET", "h", "a", "1"], vec!["HSETNX", "h", "a", "2"]),
        (vec!["HSET", "h", "a", "1"], vec!["HDEL", "h", "zz"]),
        (vec!["HSET", "h", "a", "1"], vec!["HDEL", "h", "a"]),
        (vec!["HSET", "h", "a", "1"], vec!["HINCRBY", "h", "a", "1"]),
        (vec!["HSET", "h", "a", "1"], vec!["HINCRBYFLOAT", "h", "a", "1"]),
        (vec!["HSET", "h", "a", "1"], vec!["HINCRBY", "h", "a", "x"]),
    ] {
        let (mut a, mut b) = (p.ours.client(), p.theirs.client());
        let (mut a2, mut b2) = (p.ours.client(), p.theirs.client());
        p.same(&mut a, &mut b, &["DEL", "h"]);
        p.same(&mut a, &mut b, &setup);
        p.same(&mut a, &mut b, &["WATCH", "h"]);
        p.same(&mut a2, &mut b2, &cmd);
        p.same(&mut a, &mut b, &["MULTI"]);
        p.same(&mut a, &mut b, &["HLEN", "h"]);
        p.same(&mut a, &mut b, &["EXEC"]);
    }
}
