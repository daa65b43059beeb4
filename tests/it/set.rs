//! Set commands side by side with redis-server 7.0: replies in RESP2 and RESP3, error
//! texts, intset/hashtable encodings, STORE semantics, keyspace events, WATCH; random
//! commands by their properties.
use crate::harness::*;
use crate::hash::{events_match, same_line, script};
use std::collections::HashSet;

fn members(r: &Reply) -> Vec<Vec<u8>> {
    match r {
        Reply::Array(v) | Reply::Set(v) => v.iter().map(|x| x.as_bytes().expect("bulk").to_vec()).collect(),
        other => panic!("expected an array or set, got {other:?}"),
    }
}

fn distinct(r: &Reply) -> HashSet<Vec<u8>> {
    members(r).into_iter().collect()
}

fn scard(c: &mut Client, key: &str) -> usize {
    match c.cmd(&["SCARD", key]) {
        Reply::Int(n) => n as usize,
        other => panic!("SCARD replied {other:?}"),
    }
}

#[test]
fn set_commands_reply_like_redis_in_resp2_and_resp3() {
    script(
        &[],
        &[
            "SADD s 3 1 2 1",
            "SADD s 2",
            "SMEMBERS s",
            "SCARD s",
            "SCARD nokey",
            "SISMEMBER s 1",
            "SISMEMBER s 01",
            "SISMEMBER s 9",
            "SISMEMBER nokey 1",
            "SMISMEMBER s 1 9 3",
            "SMISMEMBER nokey 1 2",
            "SMEMBERS nokey",
            "SREM s 9",
            "SREM s 1 9",
            "SREM nokey 1",
            "SMEMBERS s",
            "SREM s 2 3",
            "SCARD s",
            "SMEMBERS s",
            "SADD t b a c -5 10",
            "~ SMEMBERS t",
            "SISMEMBER t a",
            "SISMEMBER t -5",
            "SMISMEMBER t a -5 zz",
            "SREM t a -5",
            "~ SMEMBERS t",
            "SADD",
            "SADD s",
            "SREM s",
            "SMISMEMBER s",
            "SISMEMBER s",
            "SMEMBERS",
        ],
    );
}

#[test]
fn smove_moves_members_like_redis() {
    script(
        &[],
        &[
            "SADD src 1 2 a",
            "SMOVE src dst 1",
            "SMOVE src dst 1",
            "SMOVE src dst zz",
            "SMEMBERS dst",
            "SMOVE src dst a",
            "SMOVE src src 2",
            "SMOVE src src 9",
            "SADD dst 2",
            "SMOVE src dst 2",
            "SCARD src",
            "~ SMEMBERS dst",
            "SMOVE nokey dst 1",
            "SET str x",
            "SMOVE nokey str 1",
            "SMOVE str dst 1",
            "SMOVE dst str 1",
            "SMOVE dst str zz",
            "~ SMEMBERS dst",
        ],
    );
}

#[test]
fn set_algebra_matches_redis() {
    script(
        &[],
        &[
            "SADD a 1 2 3 4 5",
            "SADD b 3 4 5 6",
            "SADD c 5 4 x",
            "SINTER a b",
            "~ SINTER a b c",
            "SINTER a",
            "SINTER a a",
            "SINTER a nokey",
            "SINTER nokey a",
            "SUNION a b",
            "~ SUNION a c",
            "SUNION a nokey",
            "SUNION nokey",
            "SDIFF a b",
            "SDIFF a b c",
            "SDIFF a nokey",
            "SDIFF nokey a",
            "SDIFF a a",
            "SDIFF a b a",
            "SDIFF c a",
            "SINTERCARD 2 a b",
            "SINTERCARD 3 a b c",
            "SINTERCARD 1 a",
            "SINTERCARD 2 a b LIMIT 1",
            "SINTERCARD 2 a b limit 0",
            "SINTERCARD 2 a b LIMIT 100",
            "SINTERCARD 2 a nokey",
            "SINTERCARD 2 a b LIMIT 1 LIMIT 2",
            "SINTERCARD 0 a",
            "SINTERCARD -1 a",
            "SINTERCARD x a",
            "SINTERCARD 3 a b",
            "SINTERCARD 1 a LIMIT -1",
            "SINTERCARD 1 a LIMIT x",
            "SINTERCARD 1 a LIMIT",
            "SINTERCARD 1 a FOO 1",
            "SINTERCARD 1",
            "SINTERSTORE d a b",
            "SMEMBERS d",
            "SINTERSTORE d a c",
            "SMEMBERS d",
            "SINTERSTORE d a nokey",
            "SCARD d",
            "SINTERSTORE d a nokey",
            "SUNIONSTORE d a b",
            "SMEMBERS d",
            "SUNIONSTORE d a c",
            "~ SMEMBERS d",
            "SUNIONSTORE d nokey",
            "SCARD d",
            "SDIFFSTORE d c a",
            "SMEMBERS d",
            "SDIFFSTORE d a b",
            "SMEMBERS d",
            "SDIFFSTORE d a a",
            "SCARD d",
            "SUNIONSTORE a a b",
            "SMEMBERS a",
            "SDIFFSTORE a a b",
            "SMEMBERS a",
            "SINTERSTORE b b b",
            "SMEMBERS b",
            "SINTER",
            "SINTERSTORE d",
            "SUNIONSTORE d",
            "SDIFFSTORE d",
        ],
    );
}

#[test]
fn store_commands_replace_other_types_and_drop_the_ttl() {
    script(
        &[],
        &[
            "SADD a 1 2",
            "SET str x",
            "EXPIRE str 100",
            "SUNIONSTORE str a",
            "SMEMBERS str",
            "TTL str",
            "SADD d 9",
            "EXPIRE d 100",
            "SINTERSTORE d a",
            "TTL d",
            "EXPIRE d 100",
            "SDIFFSTORE d a nokey",
            "TTL d",
            "SET str2 x",
            "SINTERSTORE str2 a nokey",
            "SCARD str2",
            "SET str3 x",
            "SDIFFSTORE str3 nokey",
            "SCARD str3",
        ],
    );
}

#[test]
fn set_encoding_follows_the_intset_rules() {
    script(
        &["--set-max-intset-entries", "4"],
        &[
            "SADD s 1 2 3 4",
            "OBJECT ENCODING s",
            "SADD s 5",
            "OBJECT ENCODING s",
            "SREM s 1 2 3 4",
            "OBJECT ENCODING s",
            "SADD t 1",
            "SADD t 01",
            "OBJECT ENCODING t",
            "SADD u 9223372036854775807 -9223372036854775808",
                "SMEMBERS u",
            "SADD v 9223372036854775808",
            "OBJECT ENCODING v",
            "SADD w a",
            "OBJECT ENCODING w",
            "SADD x 1 2 3",
            "SADD y 4 5 6",
            "SUNIONSTORE z x y",
            "OBJECT ENCODING z",
            "SINTERSTORE z x x",
            "OBJECT ENCODING z",
            "SDIFFSTORE z s x",
            "OBJECT ENCODING z",
            "SADD w 1 2",
            "SREM w a",
            "~ SMEMBERS w",
            "SUNION w",
            "SUNIONSTORE z w",
            "OBJECT ENCODING z",
            "SINTERSTORE z w",
            "OBJECT ENCODING z",
            "SPOP w 5",
        ],
    );
    script(&["--set-max-intset-entries", "0"], &["SADD s 1", "OBJECT ENCODING s"]);
}

#[test]
fn big_sets_hold_the_same_members_as_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let ints: Vec<String> = (0..600).map(|i| (i * 7).to_string()).collect();
    let mut args = vec!["SADD", "ints"];
    args.extend(ints.iter().map(String::as_str));
    p.same(&mut a, &mut b, &args);
    let words: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    let mut args = vec!["SADD", "words"];
    args.extend(words.iter().map(String::as_str));
    p.same(&mut a, &mut b, &args);
    for line in [
        "~ SMEMBERS ints",
        "~ SMEMBERS words",
        "~ SINTER ints words",
        "~ SUNION ints words",
        "~ SDIFF ints words",
        "SINTERCARD 2 ints ints LIMIT 10",
        "SUNIONSTORE u ints words",
        "SCARD u",
        "SDIFFSTORE u u words",
        "SCARD u",
        "SISMEMBER ints 4193",
        "SMISMEMBER words m1 m300",
    ] {
        same_line(&mut a, &mut b, line);
    }
}

#[test]
fn every_set_command_refuses_other_types() {
    script(
        &[],
        &[
            "SET s x",
            "SADD a 1",
            "SADD s 1",
            "SREM s 1",
            "SCARD s",
            "SISMEMBER s 1",
            "SMISMEMBER s 1",
            "SMEMBERS s",
            "SRANDMEMBER s",
            "SRANDMEMBER s 2",
            "SRANDMEMBER s x",
            "SRANDMEMBER s 0",
            "SPOP s",
            "SPOP s 2",
            "SPOP s 0",
            "SPOP s x",
            "SINTER a s",
            "SINTER nokey s",
            "SINTERCARD 2 nokey s",
            "SINTERSTORE d a s",
            "SUNION a s",
            "SUNIONSTORE d s",
            "SDIFF a s",
            "SDIFF nokey s",
            "SDIFFSTORE d nokey s",
            "SCARD d",
            "SSCAN s 0",
            "SSCAN s x",
            "GET s",
        ],
    );
}

#[test]
fn srandmember_and_spop_errors_and_whole_set_replies_match_redis() {
    script(
        &[],
        &[
            "SRANDMEMBER nokey",
            "SRANDMEMBER nokey 5",
            "SRANDMEMBER nokey -5",
            "SPOP nokey",
            "SPOP nokey 3",
            "SADD s 5 1 3",
            "SRANDMEMBER s 0",
            "SRANDMEMBER s 3",
            "SRANDMEMBER s 10",
            "SRANDMEMBER s x",
            "SRANDMEMBER s 1 2",
            "SRANDMEMBER s -9223372036854775808",
            "SPOP s 0",
            "SPOP s -1",
            "SPOP s x",
            "SPOP s 1 2",
            "SPOP s 3",
            "SCARD s",
            "SADD t 5 1 3",
            "SPOP t 100",
            "SCARD t",
        ],
    );
}

#[test]
fn srandmember_counts_pick_distinct_or_repeated_members() {
    let s = Server::start(&["--set-max-intset-entries", "64"]);
    let mut c = s.client();
    for (key, n, prefix) in [("ints", 40usize, ""), ("bigints", 200, ""), ("words", 200, "w")] {
        let all: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
        let mut args = vec!["SADD", key];
        args.extend(all.iter().map(String::as_str));
        c.cmd(&args);
        let all: HashSet<Vec<u8>> = all.into_iter().map(String::into_bytes).collect();
        let one = c.cmd(&["SRANDMEMBER", key]);
        assert!(all.contains(one.as_bytes().unwrap()));
        for count in [1, 2, n / 4, n / 2, n - 1] {
            let r = c.cmd(&["SRANDMEMBER", key, &count.to_string()]);
            assert_eq!(members(&r).len(), count);
            assert_eq!(distinct(&r).len(), count, "positive counts give distinct members");
            assert!(distinct(&r).is_subset(&all));
        }
        let r = c.cmd(&["SRANDMEMBER", key, &(n * 2).to_string()]);
        assert_eq!(distinct(&r), all, "a count above the size returns the whole set");
        let r = c.cmd(&["SRANDMEMBER", key, "-1000"]);
        assert_eq!(members(&r).len(), 1000);
        assert!(distinct(&r).len() < 1000 && distinct(&r).is_subset(&all));
        assert_eq!(scard(&mut c, key), n, "SRANDMEMBER removes nothing");
    }
    // RESP3: SRANDMEMBER with a count is an array (it may repeat), not a set.
    c.cmd(&["HELLO", "3"]);
    assert!(matches!(c.cmd(&["SRANDMEMBER", "words", "-3"]), Reply::Array(v) if v.len() == 3));
    assert!(matches!(c.cmd(&["SRANDMEMBER", "words", "3"]), Reply::Array(v) if v.len() == 3));
}

#[test]
fn spop_removes_what_it_returns() {
    let s = Server::start(&["--set-max-intset-entries", "64"]);
    let mut c = s.client();
    for (key, n, prefix) in [("ints", 40usize, ""), ("words", 200, "w")] {
        let fill = |c: &mut Client| {
            let all: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
            let mut args = vec!["SADD", key];
            args.extend(all.iter().map(String::as_str));
            c.cmd(&args);
            all.into_iter().map(String::into_bytes).collect::<HashSet<_>>()
        };
        let all = fill(&mut c);
        let one = c.cmd(&["SPOP", key]);
        let one = one.as_bytes().unwrap().to_vec();
        assert!(all.contains(&one));
        assert_eq!(c.cmd(&["SISMEMBER", key, std::str::from_utf8(&one).unwrap()]), int(0));
        let mut left = n - 1;
        // A small count pops one by one; a count close to the size keeps the survivors.
        for count in [3, left - 5] {
            let r = c.cmd(&["SPOP", key, &count.to_string()]);
            assert_eq!(members(&r).len(), count);
            assert_eq!(distinct(&r).len(), count);
            for m in members(&r) {
                assert!(all.contains(&m));
                assert_eq!(c.cmd(&["SISMEMBER", key, std::str::from_utf8(&m).unwrap()]), int(0));
            }
            left -= count;
            assert_eq!(scard(&mut c, key), left);
        }
        let r = c.cmd(&["SPOP", key, "1000"]);
        assert_eq!(members(&r).len(), left);
        assert_eq!(c.cmd(&["SPOP", key]), nil(), "popping everything deletes the key");
        // Popping from one key until it is empty.
        fill(&mut c);
        let mut got = HashSet::new();
        for _ in 0..n {
            got.insert(c.cmd(&["SPOP", key]).as_bytes().unwrap().to_vec());
        }
        assert_eq!(got, all);
        assert_eq!(c.cmd(&["SPOP", key]), nil());
    }
    // RESP3: SPOP with a count is a set.
    c.cmd(&["HELLO", "3"]);
    c.cmd(&["SADD", "r3", "a", "b", "c"]);
    assert!(matches!(c.cmd(&["SPOP", "r3", "2"]), Reply::Set(v) if v.len() == 2));
    assert!(matches!(c.cmd(&["SPOP", "r3", "2"]), Reply::Set(v) if v.len() == 1));
}

#[test]
fn spop_of_most_of_a_set_rebuilds_the_survivors_as_redis_does() {
    // With 1 word among 11 integers, SPOP 10 keeps 2 random survivors in a new set:
    // an intset exactly when both survivors are integers (Redis's SPOP case 3).
    let s = Server::start(&[]);
    let mut c = s.client();
    let mut saw = HashSet::new();
    for _ in 0..40 {
        c.cmd(&["DEL", "s"]);
        c.cmd(&["SADD", "s", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "s"]), bulk("hashtable"));
        assert_eq!(members(&c.cmd(&["SPOP", "s", "10"])).len(), 10);
        let left = members(&c.cmd(&["SMEMBERS", "s"]));
        assert_eq!(left.len(), 2);
        let all_ints = left.iter().all(|m| std::str::from_utf8(m).unwrap().parse::<i64>().is_ok());
        let enc = c.cmd(&["OBJECT", "ENCODING", "s"]);
        assert_eq!(enc, bulk(if all_ints { "intset" } else { "hashtable" }));
        saw.insert(all_ints);
    }
    assert!(saw.contains(&true), "the survivors were never all integers in 40 tries");
}

#[test]
fn sscan_matches_redis_for_intsets_and_errors() {
    script(
        &[],
        &[
            "SADD s 10 2 33 4 25",
            "SSCAN s 0",
            "SSCAN s 99 COUNT 1",
            "SSCAN s 0 MATCH 2*",
            "SSCAN s 0 MATCH *3 COUNT 5",
            "SSCAN s 0 COUNT 0",
            "SSCAN s 0 COUNT x",
            "SSCAN s 0 MATCH",
            "SSCAN s 0 TYPE set",
            "SSCAN s -1",
            "SSCAN s x",
            "SSCAN nokey 0",
            "SSCAN nokey 0 bad",
            "SADD small a",
            "SSCAN small 0",
        ],
    );
}

#[test]
fn sscan_of_a_hashtable_walks_every_member_with_a_cursor() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let n = 1000;
    let all: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
    let mut args = vec!["SADD", "s"];
    args.extend(all.iter().map(String::as_str));
    c.cmd(&args);
    for (count, pattern) in [("10", "*"), ("1", "m1*"), ("500", "*9")] {
        let mut seen = HashSet::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let r = c.cmd(&["SSCAN", "s", &cursor, "COUNT", count, "MATCH", pattern]);
            let Reply::Array(parts) = r else { panic!("scan reply") };
            calls += 1;
            cursor = String::from_utf8(parts[0].as_bytes().unwrap().to_vec()).unwrap();
            for m in members(&parts[1]) {
                seen.insert(String::from_utf8(m).unwrap());
            }
            if cursor == "0" {
                break;
            }
        }
        let want: HashSet<String> = all.iter().filter(|m| match pattern {
            "m1*" => m.starts_with("m1"),
            "*9" => m.ends_with('9'),
            _ => true,
        }).cloned().collect();
        assert_eq!(seen, want);
        if count == "1" {
            assert!(calls > 100, "COUNT 1 answered {n} members in {calls} calls");
        }
    }
}

#[test]
fn set_writes_publish_redis_keyspace_events() {
    events_match(&[
        &["SADD", "s", "1", "2", "3"],
        &["SADD", "s", "1"],
        &["SREM", "s", "9"],
        &["SREM", "s", "1"],
        &["SMOVE", "s", "s", "2"],
        &["SMOVE", "s", "t", "2"],
        &["SMOVE", "s", "t", "3"],
        &["SMOVE", "t", "u", "9"],
        &["SADD", "p", "a", "b", "c", "d"],
        &["SPOP", "p", "0"],
        &["SPOP", "p", "1"],
        &["SPOP", "p"],
        &["SPOP", "p", "10"],
        &["SADD", "p", "a"],
        &["SPOP", "p"],
        &["SADD", "d", "x"],
        &["SINTERSTORE", "d", "t", "u"],
        &["SINTERSTORE", "d", "t", "nokey"],
        &["SINTERSTORE", "d", "t", "nokey"],
        &["SUNIONSTORE", "d", "t"],
        &["SDIFFSTORE", "d", "t", "t"],
        &["SDIFFSTORE", "d", "t"],
        &["SREM", "t", "2", "3"],
        &["SINTER", "d", "t"],
    ]);
}

#[test]
fn set_writes_invalidate_watch_and_no_ops_do_not() {
    let p = Pair::start(&[]);
    for cmd in [
        vec!["SADD", "s", "1"],
        vec!["SADD", "s", "9"],
        vec!["SREM", "s", "9"],
        vec!["SREM", "s", "1"],
        vec!["SPOP", "s"],
        vec!["SPOP", "s", "1"],
        vec!["SPOP", "s", "0"],
        vec!["SMOVE", "s", "s", "1"],
        vec!["SMOVE", "s", "t", "9"],
        vec!["SMOVE", "o", "s", "1"],
        vec!["SINTERSTORE", "s", "o"],
        vec!["SUNIONSTORE", "s", "nokey"],
        vec!["SDIFFSTORE", "nokey2", "nokey"],
    ] {
        let (mut a, mut b) = (p.ours.client(), p.theirs.client());
        let (mut a2, mut b2) = (p.ours.client(), p.theirs.client());
        p.same(&mut a, &mut b, &["DEL", "s", "t", "o"]);
        p.same(&mut a, &mut b, &["SADD", "s", "1", "2"]);
        p.same(&mut a, &mut b, &["SADD", "o", "1", "5"]);
        p.same(&mut a, &mut b, &["WATCH", "s", "nokey2"]);
        // SPOP picks differ between the servers; only EXEC's answer is compared.
        a2.cmd(&cmd);
        b2.cmd(&cmd);
        p.same(&mut a, &mut b, &["MULTI"]);
        p.same(&mut a, &mut b, &["SCARD", "s"]);
        p.same(&mut a, &mut b, &["EXEC"]);
    }
}

/// INFO's count of changes since the last save (Redis's dirty counter).
fn changes(c: &mut Client) -> u64 {
    let r = c.cmd(&["INFO", "persistence"]);
    let text = String::from_utf8_lossy(r.as_bytes().expect("INFO text")).into_owned();
    text.lines().find_map(|l| l.strip_prefix("rdb_changes_since_last_save:")).and_then(|v| v.trim().parse().ok()).expect("rdb_changes_since_last_save")
}

#[test]
fn spop_with_a_count_counts_one_change_per_member_popped() {
    for s in [Server::start(&[]), Server::start_redis(&[])] {
        let mut c = s.client();
        c.cmd(&["SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
        for (count, popped) in [("2", 2), ("0", 0), ("100", 8)] {
            let before = changes(&mut c);
            c.cmd(&["SPOP", "s", count]);
            assert_eq!(changes(&mut c) - before, popped, "{}: SPOP s {count}", s.kind);
        }
    }
}
