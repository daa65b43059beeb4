//! List commands side by side with redis-server 7.0 (replies and error texts in RESP2
//! and RESP3), and the semantics of blocking pops, each scenario run against both
//! servers so that the expectations are Redis's own.
use crate::harness::*;
use std::time::{Duration, Instant};

/// Runs `script` against slotd and redis-server in RESP2 (db 0) and in RESP3 (db 1),
/// asserting identical replies. Commands are split on spaces.
fn same_in_both_protocols(script: &[&str]) {
    let lines: Vec<Vec<String>> = script.iter().map(|l| l.split(' ').map(str::to_string).collect()).collect();
    same_args_in_both_protocols(&lines);
}

fn same_args_in_both_protocols(script: &[Vec<String>]) {
    let p = Pair::start(&[]);
    for (proto, db) in [("2", "0"), ("3", "1")] {
        let mut a = p.ours.client();
        let mut b = p.theirs.client();
        if proto == "3" {
            a.cmd(&["HELLO", "3"]);
            b.cmd(&["HELLO", "3"]);
        }
        p.same(&mut a, &mut b, &["SELECT", db]);
        for line in script {
            let args: Vec<&str> = line.iter().map(String::as_str).collect();
            let ra = a.cmd(&args);
            let rb = b.cmd(&args);
            assert_eq!(ra, rb, "RESP{proto} command {args:?}: slotd replied {ra:?}, redis-server replied {rb:?}");
        }
    }
}

/// Runs a scenario against slotd, then against redis-server: both must pass it.
fn on_both(scenario: impl Fn(&Server)) {
    on_both_with(&[], scenario);
}

/// `on_both` with extra server arguments.
fn on_both_with(extra: &[&str], scenario: impl Fn(&Server)) {
    let ours = Server::start(extra);
    scenario(&ours);
    drop(ours);
    let theirs = Server::start_redis(extra);
    scenario(&theirs);
}

/// Number of clients CLIENT LIST shows as blocked (flag `b`).
fn blocked_count(c: &mut Client) -> usize {
    let r = c.cmd(&["CLIENT", "LIST"]);
    let text = match &r {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("CLIENT LIST replied {other:?}"),
    };
    text.lines().filter(|l| l.split(' ').any(|f| f.strip_prefix("flags=").is_some_and(|v| v.contains('b')))).count()
}

fn wait_blocked(c: &mut Client, n: usize, kind: &str) {
    assert!(wait_until(Duration::from_secs(5), || blocked_count(c) == n), "{kind}: expected {n} blocked clients");
}

fn client_id(c: &mut Client) -> String {
    match c.cmd(&["CLIENT", "ID"]) {
        Reply::Int(i) => i.to_string(),
        other => panic!("CLIENT ID replied {other:?}"),
    }
}

// ---- side by side: every command, option and error --------------------------------

#[test]
fn pushes_match_redis() {
    same_in_both_protocols(&[
        "LPUSH l a",
        "LPUSH l b c d",
        "RPUSH l e f",
        "LRANGE l 0 -1",
        "LPUSHX l x y",
        "RPUSHX l z",
        "LPUSHX missing a",
        "RPUSHX missing a b",
        "LRANGE l 0 -1",
        "LLEN l",
        "SET s v",
        "LPUSH s a",
        "RPUSH s a",
        "LPUSHX s a",
        "RPUSHX s a",
        "LPUSH",
        "LPUSH l",
        "RPUSHX l",
        "DEL l s",
    ]);
}

#[test]
fn linsert_matches_redis() {
    same_in_both_protocols(&[
        "RPUSH l a b c b",
        "LINSERT l BEFORE b x",
        "LINSERT l after b y",
        "LINSERT l AFTER c z",
        "LINSERT l before a first",
        "LINSERT l before missing q",
        "LRANGE l 0 -1",
        "LINSERT l middle a q",
        "LINSERT nokey before a b",
        "LINSERT nokey middle a b",
        "SET s v",
        "LINSERT s before a b",
        "LINSERT s sideways a b",
        "LINSERT l before a",
        "DEL l s",
    ]);
}

#[test]
fn llen_lindex_and_lset_match_redis() {
    same_in_both_protocols(&[
        "RPUSH l a b c",
        "LLEN l",
        "LLEN nokey",
        "LINDEX l 0",
        "LINDEX l 2",
        "LINDEX l 3",
        "LINDEX l -1",
        "LINDEX l -3",
        "LINDEX l -4",
        "LINDEX l abc",
        "LINDEX l 9223372036854775807",
        "LINDEX l -9223372036854775808",
        "LINDEX l 9223372036854775808",
        "LINDEX nokey abc",
        "LINDEX nokey 0",
        "LSET l 0 A",
        "LSET l -1 C",
        "LSET l 3 x",
        "LSET l -4 x",
        "LSET l abc x",
        "LSET l -9223372036854775808 x",
        "LSET nokey 0 x",
        "LSET nokey abc x",
        "LRANGE l 0 -1",
        "SET s v",
        "LLEN s",
        "LINDEX s 0",
        "LINDEX s abc",
        "LSET s 0 x",
        "LSET s abc x",
        "DEL l s",
    ]);
}

#[test]
fn lrange_and_ltrim_match_redis() {
    same_in_both_protocols(&[
        "RPUSH l 0 1 2 3 4 5 6 7 8 9",
        "LRANGE l 0 -1",
        "LRANGE l 2 4",
        "LRANGE l -3 -1",
        "LRANGE l -100 100",
        "LRANGE l 5 2",
        "LRANGE l 10 20",
        "LRANGE l -1 -2",
        "LRANGE l -9223372036854775808 9223372036854775807",
        "LRANGE l a 1",
        "LRANGE l 1 b",
        "LRANGE nokey 0 -1",
        "LRANGE nokey a b",
        "LTRIM l 1 -2",
        "LRANGE l 0 -1",
        "LTRIM l -3 100",
        "LRANGE l 0 -1",
        "LTRIM l 0 -1",
        "LTRIM l a 1",
        "LTRIM nokey 0 1",
        "LTRIM nokey a b",
        "LTRIM l 2 1",
        "LLEN l",
        "RPUSH l a b",
        "LTRIM l 5 10",
        "LLEN l",
        "SET s v",
        "LRANGE s 0 1",
        "LRANGE s a b",
        "LTRIM s 0 1",
        "LTRIM s a 1",
        "DEL l s",
    ]);
}

#[test]
fn lrem_matches_redis() {
    same_in_both_protocols(&[
        "RPUSH l a b a c a b a",
        "LREM l 1 a",
        "LRANGE l 0 -1",
        "LREM l -2 a",
        "LRANGE l 0 -1",
        "LREM l 0 b",
        "LRANGE l 0 -1",
        "LREM l 0 zz",
        "LREM l -9223372036854775808 a",
        "LRANGE l 0 -1",
        "LREM l 0 c",
        "LLEN l",
        "LREM l abc a",
        "LREM nokey 0 a",
        "LREM nokey abc a",
        "SET s v",
        "LREM s 0 a",
        "LREM s abc a",
        "DEL s",
    ]);
}

#[test]
fn lpos_matches_redis() {
    same_in_both_protocols(&[
        "RPUSH l a b c 1 2 3 c c a",
        "LPOS l a",
        "LPOS l c",
        "LPOS l zz",
        "LPOS l c RANK 2",
        "LPOS l c RANK -1",
        "LPOS l c RANK -3",
        "LPOS l c RANK 4",
        "LPOS l c RANK 0",
        "LPOS l c rank abc",
        "LPOS l c RANK 9223372036854775807",
        "LPOS l c RANK -9223372036854775807",
        "LPOS l c RANK -9223372036854775808",
        "LPOS l c RANK -9223372036854775808 COUNT 2",
        "LPOS l c COUNT 0",
        "LPOS l c COUNT 2",
        "LPOS l c COUNT 2 RANK -1",
        "LPOS l c COUNT 0 RANK 2",
        "LPOS l c COUNT 2 RANK 3",
        "LPOS l c COUNT -1",
        "LPOS l c COUNT abc",
        "LPOS l zz COUNT 0",
        "LPOS l c MAXLEN 3",
        "LPOS l c MAXLEN 2",
        "LPOS l c MAXLEN 8 COUNT 0",
        "LPOS l c MAXLEN 2 RANK -1 COUNT 0",
        "LPOS l c MAXLEN -1",
        "LPOS l c MAXLEN abc",
        "LPOS l c RANK",
        "LPOS l c COUNT",
        "LPOS l c RANK 1 bogus",
        "LPOS l c bogus 1",
        "LPOS nokey a",
        "LPOS nokey a COUNT 1",
        "LPOS nokey a RANK 0",
        "LPOS nokey a bogus",
        "SET s v",
        "LPOS s a",
        "LPOS s a RANK 0",
        "LPOS s a COUNT -1",
        "LPOS s a COUNT 1",
        "DEL l s",
    ]);
}

#[test]
fn lpop_and_rpop_match_redis() {
    same_in_both_protocols(&[
        "RPUSH l a b c d e f",
        "LPOP l",
        "RPOP l",
        "LPOP l 2",
        "RPOP l 1",
        "LPOP l 0",
        "RPOP l 0",
        "LPOP l -1",
        "LPOP l abc",
        "RPOP l 100",
        "LLEN l",
        "LPOP l",
        "LPOP l 1",
        "RPOP nokey",
        "RPOP nokey 2",
        "LPOP nokey 0",
        "LPOP nokey -1",
        "LPOP nokey abc",
        "LPOP l 1 2",
        "RPOP",
        "SET s v",
        "LPOP s",
        "RPOP s 2",
        "LPOP s 0",
        "LPOP s -1",
        "DEL s",
    ]);
}

#[test]
fn rpoplpush_and_lmove_match_redis() {
    same_in_both_protocols(&[
        "RPUSH src a b c d",
        "RPOPLPUSH src dst",
        "LMOVE src dst LEFT RIGHT",
        "LMOVE src dst right left",
        "LMOVE src dst Left Left",
        "LRANGE src 0 -1",
        "LRANGE dst 0 -1",
        "LLEN src",
        "RPOPLPUSH src dst",
        "RPUSH self x y z",
        "RPOPLPUSH self self",
        "LMOVE self self LEFT RIGHT",
        "LMOVE self self LEFT LEFT",
        "LMOVE self self RIGHT RIGHT",
        "LRANGE self 0 -1",
        "RPUSH one only",
        "RPOPLPUSH one one",
        "LRANGE one 0 -1",
        "LMOVE src dst middle left",
        "LMOVE src dst left up",
        "LMOVE nokey dst left right",
        "RPOPLPUSH nokey dst",
        "SET s v",
        "RPOPLPUSH s dst",
        "RPOPLPUSH dst s",
        "LRANGE dst 0 -1",
        "LMOVE dst s left right",
        "LMOVE s dst left right",
        "RPOPLPUSH nokey s",
        "LMOVE nokey s left right",
        "LMOVE nokey s left middle",
        "DEL src dst self one s",
    ]);
}

#[test]
fn lmpop_matches_redis() {
    same_in_both_protocols(&[
        "RPUSH l1 a b c",
        "RPUSH l2 d e",
        "LMPOP 2 nokey l1 LEFT",
        "LMPOP 2 l2 l1 right",
        "LMPOP 2 l2 l1 RIGHT COUNT 10",
        "LMPOP 1 l1 LEFT COUNT 1",
        "LMPOP 2 l1 l2 LEFT COUNT 5",
        "LMPOP 2 l1 l2 LEFT",
        "RPUSH l1 a",
        "LMPOP 0 l1 LEFT",
        "LMPOP -1 l1 LEFT",
        "LMPOP abc l1 LEFT",
        "LMPOP 2 l1 LEFT",
        "LMPOP 9223372036854775807 l1 LEFT",
        "LMPOP 1 l1 MIDDLE",
        "LMPOP 1 l1 LEFT COUNT",
        "LMPOP 1 l1 LEFT COUNT 0",
        "LMPOP 1 l1 LEFT COUNT -1",
        "LMPOP 1 l1 LEFT COUNT abc",
        "LMPOP 1 l1 LEFT COUNT 1 COUNT 1",
        "LMPOP 1 l1 LEFT bogus",
        "LMPOP 1 l1",
        "LMPOP 1 nokey LEFT COUNT 2",
        "SET s v",
        "LMPOP 2 s l1 LEFT",
        "LMPOP 2 l1 s LEFT",
        "LMPOP 1 s LEFT",
        "DEL l1 l2 s",
    ]);
}

#[test]
fn blocking_commands_that_find_data_or_bad_arguments_match_redis() {
    same_in_both_protocols(&[
        "RPUSH l1 a b c",
        "RPUSH l2 x y",
        "BLPOP nokey l1 l2 0",
        "BRPOP nokey l2 l1 1.5",
        "BLMPOP 0 2 nokey l1 RIGHT COUNT 5",
        "BLMPOP 0 1 l2 LEFT",
        "RPUSH src a b",
        "BRPOPLPUSH src dst 0",
        "BLMOVE src dst LEFT LEFT 0",
        "LRANGE dst 0 -1",
        "BLMOVE dst dst right left 0",
        "LRANGE dst 0 -1",
        "BLPOP l1 abc",
        "BLPOP l1 -1",
        "BLPOP l1 nan",
        "BLPOP l1 inf",
        "BLPOP l1 1e400",
        "BLPOP l1 1e5000",
        "BLPOP l1 9223372036854775808",
        "BRPOP l1 -0.5",
        "BRPOPLPUSH src dst abc",
        "BRPOPLPUSH src dst -1",
        "BLMOVE src dst LEFT MIDDLE 0",
        "BLMOVE src dst LEFT RIGHT abc",
        "BLMOVE src dst LEFT RIGHT -1",
        "BLMPOP abc 1 l1 LEFT",
        "BLMPOP -1 1 l1 LEFT",
        "BLMPOP 0 0 l1 LEFT",
        "BLMPOP abc 0 l1 LEFT",
        "BLMPOP 0 2 l1 LEFT",
        "BLMPOP 0 1 l1 MIDDLE",
        "BLMPOP 0 1 l1 LEFT COUNT 0",
        "BLMPOP 0 1 l1 LEFT COUNT 1 bogus",
        "SET s v",
        "BLPOP s 0",
        "BLPOP nokey s 0",
        "BRPOPLPUSH s dst 0",
        "BRPOPLPUSH dst s 0",
        "BLMOVE dst s LEFT RIGHT 0",
        "BLMPOP 0 1 s LEFT",
        "BLPOP l1",
        "BLMOVE a b LEFT RIGHT",
        "DEL l1 l2 src dst s",
    ]);
}

#[test]
fn blocking_commands_inside_multi_answer_like_a_timeout() {
    same_in_both_protocols(&[
        "MULTI",
        "BLPOP nokey 0",
        "BRPOP nokey 0",
        "BRPOPLPUSH nokey dst 0",
        "BLMOVE nokey dst LEFT RIGHT 0",
        "BLMPOP 0 1 nokey LEFT",
        "RPUSH l a",
        "BLPOP l 0",
        "EXEC",
        "MULTI",
        "BLPOP l abc",
        "EXEC",
    ]);
}

#[test]
fn timed_out_blocking_commands_answer_like_redis() {
    same_in_both_protocols(&["BLPOP nokey 0.01", "BRPOP nokey other 0.01", "BRPOPLPUSH nokey dst 0.01", "BLMOVE nokey dst LEFT RIGHT 0.01", "BLMPOP 0.01 2 nokey other LEFT COUNT 3", "BLPOP nokey 1e-10"]);
}

#[test]
fn lists_of_many_elements_of_mixed_sizes_match_redis() {
    // Enough elements, some large, to span many packed nodes and exercise splits,
    // merges and big single-element nodes.
    let mut seed: u64 = 0x1234_5678_9abc_def1;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let value = |next: &mut dyn FnMut(u64) -> u64| -> String {
        let len = match next(20) {
            0 => 9000 + next(5000),
            1..=3 => 100 + next(400),
            _ => next(8),
        } as usize;
        let c = (b'a' + next(3) as u8) as char;
        std::iter::repeat_n(c, len).collect()
    };
    let mut script: Vec<Vec<String>> = Vec::new();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for _ in 0..600 {
        let v = value(&mut next);
        let cmd = if next(2) == 0 { "RPUSH" } else { "LPUSH" };
        script.push(s(&[cmd, "big", &v]));
    }
    for _ in 0..300 {
        let op = next(9);
        let i = (next(1400) as i64 - 700).to_string();
        let j = (next(1400) as i64 - 700).to_string();
        let v = value(&mut next);
        let w = value(&mut next);
        script.push(match op {
            0 => s(&["LINDEX", "big", &i]),
            1 => s(&["LSET", "big", &i, &v]),
            2 => s(&["LINSERT", "big", if next(2) == 0 { "BEFORE" } else { "AFTER" }, &v, &w]),
            3 => s(&["LREM", "big", &(next(5) as i64 - 2).to_string(), &v]),
            4 => s(&["LRANGE", "big", &i, &j]),
            5 => s(&["LPOS", "big", &v, "RANK", &(next(6) as i64 - 3).max(1).to_string(), "COUNT", &next(4).to_string()]),
            6 => s(&[if next(2) == 0 { "LPOP" } else { "RPOP" }, "big", &next(4).to_string()]),
            7 => s(&["LMOVE", "big", "big", if next(2) == 0 { "LEFT" } else { "RIGHT" }, if next(2) == 0 { "LEFT" } else { "RIGHT" }]),
            _ => s(&["RPUSH", "big", &v]),
        });
    }
    script.push(s(&["LRANGE", "big", "0", "-1"]));
    script.push(s(&["LTRIM", "big", "100", "-100"]));
    script.push(s(&["LRANGE", "big", "0", "-1"]));
    script.push(s(&["LLEN", "big"]));
    script.push(s(&["DEL", "big"]));
    same_args_in_both_protocols(&script);
}

#[test]
fn big_values_replacing_and_inserted_among_small_ones_match_redis() {
    // Redis's regression test for quicklist issue #3343.
    let x = |n: usize, tail: &str| format!("{}{tail}", "x".repeat(n));
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    same_args_in_both_protocols(&[
        s(&["LPUSH", "mylist", "401"]),
        s(&["LPUSH", "mylist", "392"]),
        s(&["RPUSH", "mylist", &x(5105, "799")]),
        s(&["LSET", "mylist", "-1", &x(1014, "702")]),
        s(&["LPOP", "mylist"]),
        s(&["LSET", "mylist", "-1", &x(4149, "852")]),
        s(&["LINSERT", "mylist", "before", "401", &x(9927, "12")]),
        s(&["LRANGE", "mylist", "0", "-1"]),
        s(&["LINSERT", "mylist", "after", &x(9927, "12"), "small"]),
        s(&["LSET", "mylist", "0", "tiny"]),
        s(&["LRANGE", "mylist", "0", "-1"]),
        s(&["LREM", "mylist", "0", &x(4149, "852")]),
        s(&["LRANGE", "mylist", "0", "-1"]),
        s(&["DEL", "mylist"]),
    ]);
}

#[test]
fn debug_quicklist_packed_threshold_validates_its_size_like_redis() {
    // Redis's list tests switch "plain" nodes on with it before pushing big elements.
    assert_same_as_redis(
        &["--enable-debug-command", "yes"],
        &[
            "DEBUG QUICKLIST-PACKED-THRESHOLD 1b",
            "RPUSH l aa bb xxxxxxxxxxx",
            "LSET l 0 yyyyyyyyyyyy",
            "LRANGE l 0 -1",
            "DEBUG QUICKLIST-PACKED-THRESHOLD 0",
            "DEBUG QUICKLIST-PACKED-THRESHOLD 4000mb",
            "DEBUG QUICKLIST-PACKED-THRESHOLD 4gb",
            "DEBUG QUICKLIST-PACKED-THRESHOLD -1",
            "DEBUG QUICKLIST-PACKED-THRESHOLD 1x",
            "DEBUG QUICKLIST-PACKED-THRESHOLD",
            "DEBUG QUICKLIST-PACKED-THRESHOLD 1 2",
        ],
    );
}

#[test]
fn binary_and_empty_elements_round_trip() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let bin: &[u8] = b"\x00\xff\r\n\x80zero";
    assert_eq!(c.cmd_bin(&[b"RPUSH", b"l", bin, b"", b"x"]), int(3));
    assert_eq!(c.cmd_bin(&[b"LRANGE", b"l", b"0", b"-1"]), arr(vec![Reply::Bulk(bin.to_vec()), bulk(""), bulk("x")]));
    assert_eq!(c.cmd_bin(&[b"LPOS", b"l", b""]), int(1));
    assert_eq!(c.cmd_bin(&[b"LREM", b"l", b"0", bin]), int(1));
    assert_eq!(c.cmd(&["LPOP", "l"]), bulk(""));
}

// ---- blocking semantics (Redis's own test cases, against both servers) ------------

#[test]
fn blpop_with_variadic_lpush_gets_the_last_pushed_element() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.send(&["BLPOP", "blist", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        assert_eq!(c.cmd(&["LPUSH", "blist", "foo", "bar"]), int(2), "{}", s.kind);
        assert_eq!(rd.read(), bulks(&["blist", "bar"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "blist", "0", "-1"]), bulks(&["foo"]), "{}", s.kind);
    });
}

#[test]
fn blocked_clients_are_served_in_arrival_order() {
    on_both(|s| {
        let mut c = s.client();
        let mut rds: Vec<Client> = (0..3).map(|_| s.client()).collect();
        for (i, rd) in rds.iter_mut().enumerate() {
            rd.send(&["BRPOP", "q", "0"]);
            wait_blocked(&mut c, i + 1, s.kind);
        }
        assert_eq!(c.cmd(&["LPUSH", "q", "a", "b", "c", "d"]), int(4), "{}", s.kind);
        assert_eq!(rds[0].read(), bulks(&["q", "a"]), "{}", s.kind);
        assert_eq!(rds[1].read(), bulks(&["q", "b"]), "{}", s.kind);
        assert_eq!(rds[2].read(), bulks(&["q", "c"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "q", "0", "-1"]), bulks(&["d"]), "{}", s.kind);
        wait_blocked(&mut c, 0, s.kind);
    });
}

#[test]
fn blpop_lpush_and_del_in_a_transaction_does_not_wake_the_client() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.send(&["BLPOP", "list", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["MULTI"]);
        c.cmd(&["LPUSH", "list", "a"]);
        c.cmd(&["DEL", "list"]);
        c.cmd(&["SET", "list", "foo"]);
        assert_eq!(c.cmd(&["EXEC"]), arr(vec![int(1), int(1), ok()]), "{}", s.kind);
        assert_eq!(blocked_count(&mut c), 1, "{}: still blocked", s.kind);
        c.cmd(&["DEL", "list"]);
        c.cmd(&["LPUSH", "list", "b"]);
        assert_eq!(rd.read(), bulks(&["list", "b"]), "{}", s.kind);
    });
}

#[test]
fn a_key_that_expired_during_its_exec_wakes_nobody() {
    // The waiters are served after EXEC, at the time of serving: the key pushed and
    // given a 100 ms TTL inside the transaction is gone by then.
    on_both_with(&["--enable-debug-command", "yes"], |s| {
        let mut c = s.client();
        let mut rd = s.client();
        let id = client_id(&mut rd);
        c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
        rd.send(&["BRPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["MULTI"]);
        c.cmd(&["RPUSH", "k", "hello"]);
        c.cmd(&["PEXPIRE", "k", "100"]);
        c.cmd(&["DEBUG", "SLEEP", "0.2"]);
        assert_eq!(c.cmd(&["EXEC"]), arr(vec![int(1), int(1), ok()]), "{}", s.kind);
        assert_eq!(blocked_count(&mut c), 1, "{}: still blocked", s.kind);
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), int(1), "{}", s.kind);
        assert_eq!(rd.read(), Reply::NilArray, "{}", s.kind);
        assert_eq!(c.cmd(&["EXISTS", "k"]), int(0), "{}", s.kind);
    });
}

#[test]
fn multi_exec_is_isolated_from_the_point_of_view_of_blpop() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.send(&["BLPOP", "blist", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["MULTI"]);
        for e in ["a", "b", "c"] {
            c.cmd(&["LPUSH", "blist", e]);
        }
        c.cmd(&["EXEC"]);
        assert_eq!(rd.read(), bulks(&["blist", "c"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "blist", "0", "-1"]), bulks(&["b", "a"]), "{}", s.kind);
    });
}

#[test]
fn blpop_with_the_same_key_several_times_works() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        let cmd = ["BLPOP", "list1", "list2", "list2", "list1", "0"];
        rd.send(&cmd);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["LPUSH", "list1", "a"]);
        assert_eq!(rd.read(), bulks(&["list1", "a"]), "{}", s.kind);
        rd.send(&cmd);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["LPUSH", "list2", "b"]);
        assert_eq!(rd.read(), bulks(&["list2", "b"]), "{}", s.kind);
        // Data already there: the first key given wins.
        c.cmd(&["LPUSH", "list1", "a"]);
        c.cmd(&["LPUSH", "list2", "b"]);
        assert_eq!(rd.cmd(&cmd), bulks(&["list1", "a"]), "{}", s.kind);
        assert_eq!(rd.cmd(&cmd), bulks(&["list2", "b"]), "{}", s.kind);
    });
}

#[test]
fn a_blocked_client_is_served_from_its_list_even_if_another_of_its_keys_became_a_string() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.send(&["BLPOP", "k1", "k2", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["SET", "k1", "str"]);
        c.cmd(&["RPUSH", "k2", "x"]);
        assert_eq!(rd.read(), bulks(&["k2", "x"]), "{}", s.kind);
    });
}

#[test]
fn a_list_created_by_lmove_wakes_its_waiters() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.send(&["BLPOP", "dst", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "src", "x", "y"]);
        assert_eq!(c.cmd(&["LMOVE", "src", "dst", "LEFT", "RIGHT"]), bulk("x"), "{}", s.kind);
        assert_eq!(rd.read(), bulks(&["dst", "x"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LLEN", "dst"]), int(0), "{}", s.kind);
    });
}

#[test]
fn blmove_with_a_client_blpoping_the_target_list_chains_the_wake_ups() {
    on_both(|s| {
        for (from, to) in [("LEFT", "LEFT"), ("LEFT", "RIGHT"), ("RIGHT", "LEFT"), ("RIGHT", "RIGHT")] {
            let mut c = s.client();
            let mut rd = s.client();
            let mut rd2 = s.client();
            rd2.send(&["BLPOP", "target", "0"]);
            wait_blocked(&mut c, 1, s.kind);
            rd.send(&["BLMOVE", "blist", "target", from, to, "0"]);
            wait_blocked(&mut c, 2, s.kind);
            c.cmd(&["RPUSH", "blist", "foo"]);
            assert_eq!(rd.read(), bulk("foo"), "{}", s.kind);
            assert_eq!(rd2.read(), bulks(&["target", "foo"]), "{}", s.kind);
            assert_eq!(c.cmd(&["LLEN", "target"]), int(0), "{}", s.kind);
            assert_eq!(c.cmd(&["LLEN", "blist"]), int(0), "{}", s.kind);
        }
    });
}

#[test]
fn linked_circular_and_self_referential_moves_work() {
    on_both(|s| {
        let mut c = s.client();
        // Linked: list1 -> list2 -> list3.
        let mut rd1 = s.client();
        let mut rd2 = s.client();
        rd1.send(&["BLMOVE", "list1", "list2", "RIGHT", "LEFT", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        rd2.send(&["BLMOVE", "list2", "list3", "LEFT", "RIGHT", "0"]);
        wait_blocked(&mut c, 2, s.kind);
        c.cmd(&["RPUSH", "list1", "foo"]);
        assert_eq!(rd1.read(), bulk("foo"), "{}", s.kind);
        assert_eq!(rd2.read(), bulk("foo"), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "list3", "0", "-1"]), bulks(&["foo"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LLEN", "list2"]), int(0), "{}", s.kind);
        c.cmd(&["DEL", "list3"]);
        // Circular: list1 -> list2 -> list1.
        rd1.send(&["BRPOPLPUSH", "list1", "list2", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        rd2.send(&["BRPOPLPUSH", "list2", "list1", "0"]);
        wait_blocked(&mut c, 2, s.kind);
        c.cmd(&["RPUSH", "list1", "foo"]);
        assert_eq!(rd1.read(), bulk("foo"), "{}", s.kind);
        assert_eq!(rd2.read(), bulk("foo"), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "list1", "0", "-1"]), bulks(&["foo"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LLEN", "list2"]), int(0), "{}", s.kind);
        c.cmd(&["DEL", "list1"]);
        // Self-referential.
        rd1.send(&["BRPOPLPUSH", "blist", "blist", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "blist", "foo"]);
        assert_eq!(rd1.read(), bulk("foo"), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "blist", "0", "-1"]), bulks(&["foo"]), "{}", s.kind);
        wait_blocked(&mut c, 0, s.kind);
    });
}

#[test]
fn brpoplpush_with_a_wrong_destination_type_fails_and_keeps_the_element() {
    on_both(|s| {
        let mut c = s.client();
        c.cmd(&["SET", "target", "nolist"]);
        c.cmd(&["LPUSH", "blist", "foo"]);
        assert!(err_text(&c.cmd(&["BRPOPLPUSH", "blist", "target", "1"])).starts_with("WRONGTYPE"), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "blist", "0", "-1"]), bulks(&["foo"]), "{}", s.kind);
        c.cmd(&["DEL", "blist"]);
        // Blocked, then woken: the error goes to the blocked client and the pushed
        // elements stay, in order.
        let mut rd = s.client();
        rd.send(&["BRPOPLPUSH", "blist", "target", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "blist", "a", "b", "c"]);
        assert!(err_text(&rd.read()).starts_with("WRONGTYPE"), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "blist", "0", "-1"]), bulks(&["a", "b", "c"]), "{}", s.kind);
        wait_blocked(&mut c, 0, s.kind);
    });
}

#[test]
fn brpoplpush_with_several_blocked_clients_serves_the_next_after_a_failure() {
    on_both(|s| {
        let mut c = s.client();
        c.cmd(&["SET", "target1", "nolist"]);
        let mut rd1 = s.client();
        let mut rd2 = s.client();
        rd1.send(&["BRPOPLPUSH", "blist", "target1", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        rd2.send(&["BRPOPLPUSH", "blist", "target2", "0"]);
        wait_blocked(&mut c, 2, s.kind);
        c.cmd(&["LPUSH", "blist", "foo"]);
        assert!(err_text(&rd1.read()).starts_with("WRONGTYPE"), "{}", s.kind);
        assert_eq!(rd2.read(), bulk("foo"), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "target2", "0", "-1"]), bulks(&["foo"]), "{}", s.kind);
    });
}

#[test]
fn blmpop_serves_up_to_count_elements_when_woken() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.send(&["BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "b", "1", "2", "3"]);
        assert_eq!(rd.read(), arr(vec![bulk("b"), bulks(&["3", "2"])]), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", "b", "0", "-1"]), bulks(&["1"]), "{}", s.kind);
    });
}

#[test]
fn blocked_pops_do_not_cross_databases() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.cmd(&["SELECT", "1"]);
        rd.send(&["BLPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "k", "db0"]);
        assert_eq!(c.cmd(&["LLEN", "k"]), int(1), "{}", s.kind);
        c.cmd(&["SELECT", "1"]);
        c.cmd(&["RPUSH", "k", "db1"]);
        assert_eq!(rd.read(), bulks(&["k", "db1"]), "{}", s.kind);
    });
}

#[test]
fn blocking_timeouts_fire_and_zero_waits_for_ever() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        let t = Instant::now();
        assert_eq!(rd.cmd(&["BLPOP", "nokey", "0.2"]), Reply::NilArray, "{}", s.kind);
        assert!(t.elapsed() >= Duration::from_millis(150), "{}: returned after {:?}", s.kind, t.elapsed());
        assert_eq!(rd.cmd(&["BRPOPLPUSH", "nokey", "dst", "0.05"]), Reply::NilArray, "{}", s.kind);
        assert_eq!(rd.cmd(&["BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "0.05"]), Reply::NilArray, "{}", s.kind);
        assert_eq!(rd.cmd(&["BLMPOP", "0.05", "1", "nokey", "LEFT"]), Reply::NilArray, "{}", s.kind);
        // Timeout 0: still blocked well after any short timeout would have passed.
        rd.send(&["BRPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        std::thread::sleep(Duration::from_millis(300)); // proving a negative: nothing to poll for
        assert_eq!(blocked_count(&mut c), 1, "{}", s.kind);
        c.cmd(&["RPUSH", "k", "v"]);
        assert_eq!(rd.read(), bulks(&["k", "v"]), "{}", s.kind);
        // Huge timeouts are accepted and block.
        rd.send(&["BLPOP", "k", "9223372036854"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "k", "w"]);
        assert_eq!(rd.read(), bulks(&["k", "w"]), "{}", s.kind);
    });
}

#[test]
fn blocked_replies_and_timeouts_use_resp3_shapes() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        rd.cmd(&["HELLO", "3"]);
        rd.send(&["BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "0.05"]);
        let mut raw = [0u8; 3];
        use std::io::Read;
        rd.stream.read_exact(&mut raw).expect("read");
        assert_eq!(&raw, b"_\r\n", "{}", s.kind);
        rd.send(&["BLPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "k", "v"]);
        assert_eq!(rd.read(), bulks(&["k", "v"]), "{}", s.kind);
    });
}

#[test]
fn client_unblock_ends_a_blpop_with_a_timeout_or_an_error() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        let id = client_id(&mut rd);
        rd.send(&["BLPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), int(1), "{}", s.kind);
        assert_eq!(rd.read(), Reply::NilArray, "{}", s.kind);
        rd.send(&["BLMOVE", "k", "d", "LEFT", "LEFT", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id, "TIMEOUT"]), int(1), "{}", s.kind);
        assert_eq!(rd.read(), Reply::NilArray, "{}", s.kind);
        rd.send(&["BRPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]), int(1), "{}", s.kind);
        assert_eq!(err_text(&rd.read()), "UNBLOCKED client unblocked via CLIENT UNBLOCK", "{}", s.kind);
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), int(0), "{}", s.kind);
        // Unblocked clients no longer wait: a push stays in the list.
        c.cmd(&["RPUSH", "k", "v"]);
        assert_eq!(c.cmd(&["LLEN", "k"]), int(1), "{}", s.kind);
    });
}

#[test]
fn a_blocked_client_that_disconnects_takes_nothing() {
    on_both(|s| {
        let mut c = s.client();
        let rd = s.client();
        let mut rd_send = rd;
        rd_send.send(&["BLPOP", "k", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        drop(rd_send);
        wait_blocked(&mut c, 0, s.kind);
        c.cmd(&["RPUSH", "k", "v"]);
        assert_eq!(c.cmd(&["LRANGE", "k", "0", "-1"]), bulks(&["v"]), "{}", s.kind);
    });
}

#[test]
fn a_push_from_a_served_brpoplpush_invalidates_watch() {
    on_both(|s| {
        let mut c = s.client();
        let mut blocked = s.client();
        let mut watching = s.client();
        c.cmd(&["SET", "somekey", "somevalue"]);
        blocked.send(&["BRPOPLPUSH", "srclist", "dstlist", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        watching.cmd(&["WATCH", "dstlist"]);
        watching.cmd(&["MULTI"]);
        watching.cmd(&["GET", "somekey"]);
        c.cmd(&["LPUSH", "srclist", "element"]);
        assert_eq!(blocked.read(), bulk("element"), "{}", s.kind);
        assert_eq!(watching.cmd(&["EXEC"]), Reply::NilArray, "{}", s.kind);
    });
}

#[test]
fn a_still_blocked_brpoplpush_does_not_invalidate_watch() {
    on_both(|s| {
        let mut c = s.client();
        let mut blocked = s.client();
        let mut watching = s.client();
        c.cmd(&["SET", "somekey", "somevalue"]);
        blocked.send(&["BRPOPLPUSH", "srclist", "dstlist", "0"]);
        wait_blocked(&mut c, 1, s.kind);
        watching.cmd(&["WATCH", "dstlist"]);
        watching.cmd(&["MULTI"]);
        watching.cmd(&["GET", "somekey"]);
        assert_eq!(watching.cmd(&["EXEC"]), arr(vec![bulk("somevalue")]), "{}", s.kind);
        c.cmd(&["LPUSH", "srclist", "element"]);
        assert_eq!(blocked.read(), bulk("element"), "{}", s.kind);
    });
}

#[test]
fn a_blocked_client_runs_its_pipelined_commands_after_being_served() {
    on_both(|s| {
        let mut c = s.client();
        let mut rd = s.client();
        let mut pipeline = encode_cmd(&[b"BLPOP", b"k", b"0"]);
        pipeline.extend(encode_cmd(&[b"LLEN", b"k"]));
        rd.send_raw(&pipeline);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", "k", "a", "b"]);
        assert_eq!(rd.read(), bulks(&["k", "a"]), "{}", s.kind);
        assert_eq!(rd.read(), int(1), "{}", s.kind);
    });
}

// ---- keyspace events --------------------------------------------------------------

/// Reads `__keyevent@0__:*` messages from a PSUBSCRIBEd client until `key` shows up
/// with event `last`; returns the (event, key) pairs seen.
fn events_until(sub: &mut Client, last: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    loop {
        let (Reply::Array(parts) | Reply::Push(parts)) = sub.read() else { panic!("not a pub/sub message") };
        let text = |r: &Reply| String::from_utf8_lossy(r.as_bytes().unwrap_or_default()).into_owned();
        let chan = text(&parts[2]);
        let event = chan.rsplit(':').next().unwrap_or_default().to_string();
        let key = text(&parts[3]);
        let done = event == last && key == "end";
        seen.push((event, key));
        if done {
            return seen;
        }
    }
}

#[test]
fn list_commands_publish_redis_keyspace_events() {
    let script: &[&[&str]] = &[
        &["RPUSH", "l", "a", "b", "c"],
        &["LPUSH", "l", "x"],
        &["LPUSHX", "nokey", "x"],
        &["RPUSHX", "l", "y"],
        &["LINSERT", "l", "BEFORE", "zz", "q"],
        &["LINSERT", "l", "BEFORE", "a", "q"],
        &["LSET", "l", "0", "w"],
        &["LTRIM", "l", "0", "-1"],
        &["LREM", "l", "0", "zz"],
        &["LREM", "l", "1", "q"],
        &["LMOVE", "l", "d", "LEFT", "RIGHT"],
        &["RPOPLPUSH", "l", "l"],
        &["LPOP", "l", "0"],
        &["LPOP", "l"],
        &["RPOP", "l", "2"],
        &["LMPOP", "1", "l", "LEFT", "COUNT", "9"],
        &["RPUSH", "t", "a"],
        &["LTRIM", "t", "1", "0"],
        &["BLPOP", "d", "0"],
        &["RPUSH", "end", "x"],
    ];
    let mut transcripts = Vec::new();
    for s in [Server::start(&["--notify-keyspace-events", "KEA"]), Server::start_redis(&["--notify-keyspace-events", "KEA"])] {
        let mut sub = s.client();
        let r = sub.cmd(&["PSUBSCRIBE", "__keyevent@0__:*"]);
        if s.kind == "slotd" && r.is_error() {
            // PSUBSCRIBE belongs to the pub/sub family: until it is merged there is no
            // way to observe events from outside.
            eprintln!("skipping keyspace event comparison: slotd has no PSUBSCRIBE yet ({r:?})");
            return;
        }
        let mut c = s.client();
        for cmd in script {
            c.cmd(cmd);
        }
        transcripts.push(events_until(&mut sub, "rpush"));
    }
    assert_eq!(transcripts[0], transcripts[1], "slotd's events vs redis-server's");
}

/// Two key names whose slots live in different lock shards of slotd, so that a writer
/// of one does not hold the other's lock.
fn keys_in_two_shards() -> (String, String) {
    let shard = |k: &str| slotd::cluster::slot::key_slot(k.as_bytes()) as usize % slotd::keyspace::SHARDS;
    let a = "qa".to_string();
    let b = (0..).map(|i| format!("qb{i}")).find(|k| shard(k) != shard(&a)).expect("some key in another shard");
    (a, b)
}

#[test]
fn waiters_on_keys_in_different_shards_are_served_in_arrival_order() {
    let (qa, qb) = keys_in_two_shards();
    on_both(|s| {
        let mut c = s.client();
        let mut rds: Vec<Client> = (0..3).map(|_| s.client()).collect();
        for (i, rd) in rds.iter_mut().enumerate() {
            rd.send(&["BLPOP", &qa, &qb, "0"]);
            wait_blocked(&mut c, i + 1, s.kind);
        }
        assert_eq!(c.cmd(&["RPUSH", &qa, "1", "2"]), int(2), "{}", s.kind);
        assert_eq!(rds[0].read(), bulks(&[&qa, "1"]), "{}", s.kind);
        assert_eq!(rds[1].read(), bulks(&[&qa, "2"]), "{}", s.kind);
        wait_blocked(&mut c, 1, s.kind);
        c.cmd(&["RPUSH", &qb, "3"]);
        assert_eq!(rds[2].read(), bulks(&[&qb, "3"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LLEN", &qa]), int(0), "{}", s.kind);
    });
}

#[test]
fn a_blmove_across_shards_is_served_and_wakes_the_destination_waiters() {
    let (src, dst) = keys_in_two_shards();
    on_both(|s| {
        let mut c = s.client();
        let mut mover = s.client();
        let mut popper = s.client();
        popper.send(&["BLPOP", &dst, "0"]);
        wait_blocked(&mut c, 1, s.kind);
        mover.send(&["BLMOVE", &src, &dst, "RIGHT", "LEFT", "0"]);
        wait_blocked(&mut c, 2, s.kind);
        c.cmd(&["RPUSH", &src, "x", "y"]);
        assert_eq!(mover.read(), bulk("y"), "{}", s.kind);
        assert_eq!(popper.read(), bulks(&[&dst, "y"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LRANGE", &src, "0", "-1"]), bulks(&["x"]), "{}", s.kind);
        assert_eq!(c.cmd(&["LLEN", &dst]), int(0), "{}", s.kind);
    });
}

#[test]
fn concurrent_producers_and_blocked_consumers_deliver_every_element_once() {
    let (qa, qb) = keys_in_two_shards();
    let s = Server::start(&[]);
    const PER_PRODUCER: usize = 400;
    const CONSUMERS: usize = 6;
    let port = s.port;
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let (qa, qb) = (qa.clone(), qb.clone());
            std::thread::spawn(move || {
                let mut c = Client::connect(port).expect("connect");
                let mut got = Vec::new();
                loop {
                    match c.cmd(&["BLPOP", &qa, &qb, "1"]) {
                        Reply::Array(kv) => match &kv[1] {
                            Reply::Bulk(v) => got.push(String::from_utf8_lossy(v).into_owned()),
                            other => panic!("BLPOP element {other:?}"),
                        },
                        Reply::NilArray => return got,
                        other => panic!("BLPOP replied {other:?}"),
                    }
                }
            })
        })
        .collect();
    let mut c = s.client();
    wait_blocked(&mut c, CONSUMERS, "slotd");
    let producers: Vec<_> = [qa.clone(), qb.clone()]
        .into_iter()
        .map(|q| {
            std::thread::spawn(move || {
                let mut c = Client::connect(port).expect("connect");
                for i in 0..PER_PRODUCER {
                    let v = format!("{q}-{i}");
                    let r = c.cmd(&[if i % 2 == 0 { "RPUSH" } else { "LPUSH" }, &q, &v]);
                    assert!(matches!(r, Reply::Int(_)), "push replied {r:?}");
                }
            })
        })
        .collect();
    for p in producers {
        p.join().expect("producer");
    }
    let mut all: Vec<String> = consumers.into_iter().flat_map(|h| h.join().expect("consumer")).collect();
    all.sort();
    let mut want: Vec<String> = [&qa, &qb].iter().flat_map(|q| (0..PER_PRODUCER).map(move |i| format!("{q}-{i}"))).collect();
    want.sort();
    assert_eq!(all.len(), want.len(), "every element delivered once");
    assert_eq!(all, want);
    assert_eq!(c.cmd(&["LLEN", &qa]), int(0));
    assert_eq!(c.cmd(&["LLEN", &qb]), int(0));
}
