//! String commands side by side with redis-server 7.0: every command and option, the
//! error texts, RESP2 and RESP3 shapes, and the semantics replies alone do not show
//! (TTL kept or dropped, keyspace events, OBJECT ENCODING).
use crate::harness::*;
use std::time::Duration;

/// Runs `script` on slotd and redis-server twice — in RESP2 on db 0, then in RESP3
/// (after HELLO 3) on db 9 — and asserts identical replies to every command.
pub(crate) fn same_in_both_protocols(extra: &[&str], script: &[Vec<&str>]) {
    let p = Pair::start(extra);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in script {
        p.same(&mut a, &mut b, args);
    }
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        assert!(!c.cmd(&["HELLO", "3"]).is_error());
        assert_eq!(c.cmd(&["SELECT", "9"]), ok());
    }
    for args in script {
        let ra = a.cmd(args);
        let rb = b.cmd(args);
        assert_eq!(ra, rb, "RESP3 command {args:?}: slotd replied {ra:?}, redis-server replied {rb:?}");
    }
}

/// Space-separated command lines as argument vectors.
pub(crate) fn lines<'a>(script: &[&'a str]) -> Vec<Vec<&'a str>> {
    script.iter().map(|l| l.split(' ').collect()).collect()
}

#[test]
fn set_and_get_with_every_option_match_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "GET k",
            "SET k v",
            "GET k",
            "SET k v2 GET",
            "SET k v3 get GET",
            "SET fresh v GET",
            "SET k v NX",
            "SET k v XX",
            "SET nx1 v NX",
            "SET nx1 v2 NX GET",
            "SET xx1 v XX",
            "SET xx1 v XX GET",
            "GET xx1",
            "SET k v NX NX",
            "SET k v XX xx",
            "SET k v NX XX",
            "SET k v XX NX",
            "SET k v KEEPTTL",
            "SET k v KEEPTTL GET XX",
            "SET k v FOO",
            "SET k v GET FOO",
            "SET k v PERSIST",
            "SET k 12345678901234567890123",
            "GET k",
            "SET k -0",
            "GET k",
        ]),
    );
}

#[test]
fn set_expiry_arguments_and_their_errors_match_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "SET k v EX 100",
            "SET k v PX 100000",
            "SET k v EXAT 99999999999",
            "SET k v PXAT 99999999999999",
            "SET k v EX 10 EX 20",
            "SET k v EX 10 PX 20",
            "SET k v PX 10 EXAT 20",
            "SET k v EXAT 10 PXAT 20",
            "SET k v KEEPTTL EX 10",
            "SET k v EX 10 KEEPTTL",
            "SET k v EX",
            "SET k v PX",
            "SET k v EX 0",
            "SET k v EX -1",
            "SET k v PX 0",
            "SET k v EXAT 0",
            "SET k v PXAT -5",
            "SET k v EX abc",
            "SET k v PX 1.5",
            "SET k v EX 9223372036854775807",
            "SET k v EX 9223372036854775",
            "SET k v PX 9223372036854775807",
            "SET k v EXAT 9223372036854775807",
            "SET k v PXAT 9223372036854775807",
            "SET k v EX 9223372036854775808",
            "SET k v NX EX 10 GET",
            "SET k v XX PX 10000 GET",
            "GET k",
        ]),
    );
}

#[test]
fn setnx_setex_psetex_getset_and_getdel_match_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "SETNX a 1",
            "SETNX a 2",
            "GET a",
            "SETEX b 100 v",
            "SETEX b 0 v",
            "SETEX b -10 v",
            "SETEX b abc v",
            "SETEX b 9223372036854775807 v",
            "PSETEX c 100000 v",
            "PSETEX c 0 v",
            "PSETEX c 9223372036854775807 v",
            "PSETEX c x v",
            "GET b",
            "GET c",
            "GETSET a new",
            "GETSET missing new",
            "GET missing",
            "GETDEL a",
            "GETDEL a",
            "GET a",
            "GETDEL nothing",
        ]),
    );
}

#[test]
fn getex_options_match_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "GETEX nokey",
            "GETEX nokey EX 10",
            "GETEX nokey EX abc",
            "GETEX nokey FOO",
            "SET k v",
            "GETEX k",
            "GETEX k EX 100",
            "GETEX k PX 100000",
            "GETEX k EXAT 99999999999",
            "GETEX k PXAT 99999999999999",
            "GETEX k PERSIST",
            "GETEX k PERSIST",
            "GETEX k EX 10 PERSIST",
            "GETEX k PERSIST EX 10",
            "GETEX k EX 10 EX 20",
            "GETEX k EX 10 PX 20",
            "GETEX k KEEPTTL",
            "GETEX k NX",
            "GETEX k GET",
            "GETEX k EX",
            "GETEX k EX 0",
            "GETEX k EX -1",
            "GETEX k EX abc",
            "GETEX k PX 9223372036854775807",
            "GETEX k EX 9223372036854775807",
            "GETEX k EXAT 1",
            "GET k",
            "SET k v",
            "GETEX k PXAT 1",
            "GETEX k",
        ]),
    );
}

#[test]
fn mget_mset_and_msetnx_match_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "MSET a 1 b 2 c 3",
            "MGET a b c missing",
            "MSET a 1 b",
            "MSET a",
            "MSET a 10 a 11",
            "GET a",
            "MSETNX a 1 z 2",
            "MGET z",
            "MSETNX y 1 z 2",
            "MGET y z",
            "MSETNX y 1 x",
            "MSETNX q 1 q 2",
            "GET q",
            "MGET",
        ]),
    );
}

#[test]
fn append_strlen_getrange_and_setrange_match_redis() {
    same_in_both_protocols(
        &["--proto-max-bulk-len", "1048576"],
        &lines(&[
            "APPEND s hello",
            "APPEND s _world",
            "GET s",
            "STRLEN s",
            "STRLEN missing",
            "APPEND n 12",
            "APPEND n 34",
            "GET n",
            "GETRANGE s 0 -1",
            "GETRANGE s 0 4",
            "GETRANGE s -5 -1",
            "GETRANGE s -1 -5",
            "GETRANGE s -100 3",
            "GETRANGE s 5 1000",
            "GETRANGE s 100 200",
            "GETRANGE s 3 2",
            "GETRANGE s -9223372036854775808 9223372036854775807",
            "GETRANGE missing 0 -1",
            "GETRANGE s a 1",
            "GETRANGE s 0 b",
            "SUBSTR s 1 3",
            "SUBSTR s -3 -1",
            "SETRANGE s 6 WORLD",
            "GET s",
            "SETRANGE s 20 tail",
            "GET s",
            "SETRANGE s 0 ",
            "SETRANGE s -1 x",
            "SETRANGE s x x",
            "SETRANGE new 5 abc",
            "GET new",
            "SETRANGE empty 0 ",
            "SETRANGE empty 10 ",
            "GET empty",
            "SETRANGE s 1048575 x",
            "SETRANGE s 1048576 x",
            "SETRANGE s 1048570 abcdefgh",
            "SETRANGE s 9223372036854775807 x",
            "SETRANGE big 1048576 x",
            "STRLEN s",
        ]),
    );
}

#[test]
fn append_over_proto_max_bulk_len_is_refused_like_redis() {
    let big = "x".repeat(1024 * 1024 - 3);
    let p = Pair::start(&["--proto-max-bulk-len", "1048576"]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["SET", "k", &big]);
    p.same(&mut a, &mut b, &["APPEND", "k", "abc"]);
    p.same(&mut a, &mut b, &["APPEND", "k", "d"]);
    p.same(&mut a, &mut b, &["STRLEN", "k"]);
    p.same(&mut a, &mut b, &["APPEND", "fresh", &big]);
}

#[test]
fn counters_match_redis_including_overflow() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "INCR c",
            "INCR c",
            "DECR c",
            "INCRBY c 100",
            "DECRBY c 50",
            "INCRBY c -1000",
            "DECRBY c -1000",
            "INCRBY c abc",
            "INCRBY c 1.5",
            "DECRBY c 9223372036854775808",
            "DECRBY c -9223372036854775808",
            "SET m 9223372036854775807",
            "INCR m",
            "INCRBY m 0",
            "DECR m",
            "SET m -9223372036854775808",
            "DECR m",
            "DECRBY m 1",
            "INCRBY m 9223372036854775807",
            "INCRBY m 9223372036854775807",
            "SET s 1.5",
            "INCR s",
            "SET s 01",
            "INCR s",
            "SET s +1",
            "INCR s",
            "SET s abc",
            "DECR s",
            "SET s 99999999999999999999",
            "INCR s",
            "DECRBY missing 9223372036854775807",
            "DECR missing",
        ]),
    );
}

#[test]
fn incrbyfloat_prints_the_digits_redis_prints() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "INCRBYFLOAT f 10.5",
            "INCRBYFLOAT f 0.1",
            "INCRBYFLOAT f -10.6",
            "INCRBYFLOAT f 5.0e3",
            "INCRBYFLOAT f 1.1",
            "INCRBYFLOAT f -0.000000000000000001",
            "INCRBYFLOAT f 3e-5",
            "INCRBYFLOAT f 0x10",
            "INCRBYFLOAT f 1e308",
            "INCRBYFLOAT f 1e308",
            "INCRBYFLOAT f inf",
            "INCRBYFLOAT f -inf",
            "INCRBYFLOAT f nan",
            "INCRBYFLOAT f abc",
            "INCRBYFLOAT f 1e400",
            "GET f",
            "SET i 3",
            "INCRBYFLOAT i 2",
            "SET i 1.5e3",
            "INCRBYFLOAT i 1",
            "SET i abc",
            "INCRBYFLOAT i 1",
            "SET i 1e5000",
            "INCRBYFLOAT i 1",
            "INCRBYFLOAT n -0",
            "INCRBYFLOAT n -5",
            "INCRBYFLOAT n 5",
        ]),
    );
}

#[test]
fn lcs_outputs_match_redis() {
    same_in_both_protocols(
        &["--proto-max-bulk-len", "1048576"],
        &lines(&[
            "MSET a ohmytext b mynewtext",
            "LCS a b",
            "LCS a b LEN",
            "LCS a b IDX",
            "LCS a b IDX WITHMATCHLEN",
            "LCS a b IDX MINMATCHLEN 4",
            "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN",
            "LCS a b IDX MINMATCHLEN -4 WITHMATCHLEN",
            "LCS a b len IdX",
            "LCS a b MINMATCHLEN",
            "LCS a b MINMATCHLEN x",
            "LCS a b FOO",
            "LCS a b LEN MINMATCHLEN 2",
            "LCS a missing",
            "LCS missing1 missing2 IDX",
            "LCS a a IDX WITHMATCHLEN",
            "MSET x ACCGGTCGAGTGCGCGGAAGCCGGCCGAA y GTCGTTCGGAATGCCGTTGCTCTGTAAA",
            "LCS x y",
            "LCS x y IDX WITHMATCHLEN",
            "LCS x y IDX MINMATCHLEN 3 WITHMATCHLEN",
        ]),
    );
}

#[test]
fn lcs_refuses_tables_larger_than_proto_max_bulk_len() {
    let s = "a".repeat(1000);
    let p = Pair::start(&["--proto-max-bulk-len", "1048576"]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["MSET", "x", &s, "y", &s]);
    p.same(&mut a, &mut b, &["LCS", "x", "y", "LEN"]);
    p.same(&mut a, &mut b, &["SET", "y", &s[..200]]);
    p.same(&mut a, &mut b, &["LCS", "x", "y", "LEN"]);
}

#[test]
fn string_commands_refuse_other_types_like_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "LPUSH l a",
            "GET l",
            "SET l v GET",
            "SET l v NX GET",
            "LRANGE l 0 -1",
            "GETSET l v",
            "LRANGE l 0 -1",
            "GETDEL l",
            "GETEX l",
            "GETEX l EX abc",
            "MGET l",
            "APPEND l x",
            "STRLEN l",
            "GETRANGE l 0 1",
            "GETRANGE l a 1",
            "SETRANGE l 0 x",
            "SETRANGE l -1 x",
            "SETRANGE l 0 ",
            "INCR l",
            "DECRBY l 1",
            "DECRBY l x",
            "INCRBYFLOAT l 1",
            "INCRBYFLOAT l x",
            "LCS l missing",
            "LCS missing l",
            "MSETNX l 1",
            "SET l v",
            "TYPE l",
        ]),
    );
}

#[test]
fn set_drops_the_ttl_unless_keepttl_and_other_writes_keep_it() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    // Each step: a command, then whether the key should still have a TTL.
    let steps: &[(&[&str], bool)] = &[
        (&["SET", "k", "1", "EX", "1000"], true),
        (&["SET", "k", "2", "KEEPTTL"], true),
        (&["INCR", "k"], true),
        (&["INCRBYFLOAT", "k", "1.5"], true),
        (&["APPEND", "k", "x"], true),
        (&["SETRANGE", "k", "0", "y"], true),
        (&["SETBIT", "k", "100", "1"], true),
        (&["BITFIELD", "k", "SET", "u8", "0", "7"], true),
        (&["SET", "k", "3", "GET"], false),
        (&["SETEX", "k", "1000", "v"], true),
        (&["GETSET", "k", "w"], false),
        (&["PSETEX", "k", "1000000", "v"], true),
        (&["MSET", "k", "v"], false),
        (&["SET", "k", "v", "PX", "1000000"], true),
        (&["GETEX", "k", "PERSIST"], false),
        (&["GETEX", "k", "EX", "1000"], true),
        (&["SET", "k", "v"], false),
    ];
    for (cmd, volatile) in steps {
        p.same(&mut a, &mut b, cmd);
        for (c, who) in [(&mut a, "slotd"), (&mut b, "redis")] {
            let ttl = match c.cmd(&["TTL", "k"]) {
                Reply::Int(t) => t,
                other => panic!("{who}: TTL replied {other:?}"),
            };
            assert_eq!(ttl > 0, *volatile, "{who}: TTL after {cmd:?} is {ttl}");
        }
    }
}

#[test]
fn keys_set_with_an_expiry_in_the_past_vanish() {
    let s = Server::start(&[]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["SET", "k", "v", "PXAT", "1"]), ok());
    assert_eq!(c.cmd(&["GET", "k"]), nil());
    assert_eq!(c.cmd(&["SET", "k", "v", "PX", "30"]), ok());
    assert!(wait_until(Duration::from_secs(5), || c.cmd(&["GET", "k"]) == nil()));
    assert_eq!(c.cmd(&["SET", "k", "v"]), ok());
    assert_eq!(c.cmd(&["GETEX", "k", "EXAT", "1"]), bulk("v"));
    assert_eq!(c.cmd(&["GET", "k"]), nil());
}

#[test]
fn object_encoding_follows_redis_rules() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let long = "x".repeat(45);
    let steps: &[&[&str]] = &[
        &["SET", "i", "12345"],
        &["SET", "e", "hello"],
        &["SET", "r", &long],
        &["SET", "e44", &long[..44]],
        &["APPEND", "new", "123"],
        &["APPEND", "e", "!"],
        &["SETRANGE", "i", "0", "9"],
        &["SETRANGE", "fresh", "0", "ab"],
        &["SET", "c", "10"],
        &["APPEND", "c", "0"],
        &["INCR", "c"],
        &["INCR", "counter"],
        &["SETBIT", "bits", "1", "1"],
        &["SET", "b2", "a"],
        &["SETBIT", "b2", "1", "1"],
        &["BITOP", "AND", "dest", "e", "i"],
        &["BITFIELD", "bf", "SET", "u8", "0", "1"],
        &["GETSET", "e", "short"],
    ];
    for cmd in steps {
        p.same(&mut a, &mut b, cmd);
    }
    for k in ["i", "e", "r", "e44", "new", "fresh", "c", "counter", "bits", "b2", "dest", "bf"] {
        p.same(&mut a, &mut b, &["OBJECT", "ENCODING", k]);
    }
}

/// The keyspace events a client sees for each command, side by side.
#[test]
fn keyspace_events_match_redis() {
    let p = Pair::start(&["--notify-keyspace-events", "KEA"]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let (mut sa, mut sb) = (p.ours.client(), p.theirs.client());
    for s in [&mut sa, &mut sb] {
        s.send(&["PSUBSCRIBE", "__keyevent@*", "mark"]);
        s.read();
        s.read();
    }
    let script: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["SET", "k", "v", "EX", "100"],
        &["SET", "k", "v", "NX"],
        &["SET", "k", "v", "XX", "KEEPTTL", "GET"],
        &["SETNX", "n", "1"],
        &["SETNX", "n", "1"],
        &["SETEX", "x", "100", "v"],
        &["PSETEX", "x", "100000", "v"],
        &["GETSET", "x", "w"],
        &["GETDEL", "x"],
        &["GETDEL", "x"],
        &["GETEX", "k", "EX", "100"],
        &["GETEX", "k", "PERSIST"],
        &["GETEX", "k", "PERSIST"],
        &["GETEX", "k", "EXAT", "1"],
        &["MSET", "a", "1", "b", "2"],
        &["MSETNX", "a", "1", "c", "2"],
        &["APPEND", "a", "x"],
        &["APPEND", "a", ""],
        &["SETRANGE", "a", "0", "y"],
        &["SETRANGE", "a", "0", ""],
        &["INCR", "i"],
        &["DECRBY", "i", "2"],
        &["INCRBYFLOAT", "i", "1.5"],
        &["SETBIT", "bits", "3", "1"],
        &["SETBIT", "bits", "3", "1"],
        &["SETBIT", "bits", "3", "0"],
        &["SETBIT", "bits", "100", "0"],
        &["BITFIELD", "bits", "SET", "u8", "0", "0"],
        &["BITFIELD", "bits", "SET", "u8", "0", "5"],
        &["BITFIELD", "bits", "SET", "u8", "200", "0"],
        &["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"],
        &["BITOP", "OR", "dest", "bits", "a"],
        &["BITOP", "OR", "dest", "missing"],
        &["PFADD", "h", "a"],
        &["PFADD", "h", "a"],
        &["PFMERGE", "h2", "h"],
        &["PFCOUNT", "h"],
    ];
    for cmd in script {
        p.same(&mut a, &mut b, cmd);
        let ea = events_until_mark(&mut a, &mut sa);
        let eb = events_until_mark(&mut b, &mut sb);
        assert_eq!(ea, eb, "events after {cmd:?}");
    }
}

/// Publishes a marker and collects the (event, key) pairs the subscriber receives
/// before it: everything the previous command published.
fn events_until_mark(c: &mut Client, sub: &mut Client) -> Vec<(String, String)> {
    c.cmd(&["PUBLISH", "mark", "."]);
    let mut out = Vec::new();
    loop {
        let (Reply::Array(items) | Reply::Push(items)) = sub.read() else { continue };
        let (Some(Reply::Bulk(ch)), Some(Reply::Bulk(key))) = (items.get(2), items.get(3)) else { continue };
        if ch == b"mark" {
            return out;
        }
        let ch = String::from_utf8_lossy(ch);
        let event = ch.rsplit(':').next().unwrap_or("").to_string();
        out.push((event, String::from_utf8_lossy(key).into_owned()));
    }
}

#[test]
fn binary_values_round_trip() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let v: Vec<u8> = (0..=255u8).collect();
    assert_eq!(c.cmd_bin(&[b"SET", b"k\0bin", &v]), ok());
    assert_eq!(c.cmd_bin(&[b"GET", b"k\0bin"]), Reply::Bulk(v.clone()));
    assert_eq!(c.cmd_bin(&[b"APPEND", b"k\0bin", b"\0\r\n"]), int(259));
    assert_eq!(c.cmd_bin(&[b"GETRANGE", b"k\0bin", b"-3", b"-1"]), Reply::Bulk(b"\0\r\n".to_vec()));
    // Options compare as C strings: bytes after a NUL do not count, as in Redis.
    assert_eq!(c.cmd_bin(&[b"SET", b"k", b"v", b"nx\0junk"]), ok());
    assert_eq!(c.cmd_bin(&[b"SET", b"k", b"w", b"nx\0junk"]), nil());
}

#[test]
fn string_commands_work_inside_multi() {
    assert_same_as_redis(
        &[],
        &["MULTI", "SET k 1", "INCR k", "APPEND k x", "GET k", "SET k v EX 0", "GETEX k PERSIST", "EXEC", "GET k"],
    );
}
