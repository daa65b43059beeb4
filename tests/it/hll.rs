//! HyperLogLog side by side with redis-server 7.0: after the same PFADDs, GET must return
//! the same bytes (sparse and dense) and PFCOUNT the same numbers; PFMERGE, PFDEBUG,
//! invalid HLL strings and hll-sparse-max-bytes behave the same.
use crate::harness::*;
use crate::string::{lines, same_in_both_protocols};

/// Adds `count` elements `<prefix><i>` in batches, checking GET, PFCOUNT and the
/// encoding match redis-server after every batch.
fn add_and_compare(p: &Pair, a: &mut Client, b: &mut Client, key: &str, prefix: &str, count: usize, batch: usize) {
    let mut i = 0;
    while i < count {
        let n = batch.min(count - i);
        let elements: Vec<String> = (i..i + n).map(|j| format!("{prefix}{j}")).collect();
        let mut args = vec!["PFADD", key];
        args.extend(elements.iter().map(|s| s.as_str()));
        p.same(a, b, &args);
        p.same(a, b, &["GET", key]);
        p.same(a, b, &["PFCOUNT", key]);
        p.same(a, b, &["GET", key]);
        p.same(a, b, &["PFDEBUG", "ENCODING", key]);
        i += n;
    }
}

#[test]
fn pfadd_builds_the_same_sparse_bytes_as_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["PFADD", "h"]);
    p.same(&mut a, &mut b, &["GET", "h"]);
    p.same(&mut a, &mut b, &["PFADD", "h"]);
    p.same(&mut a, &mut b, &["PFADD", "h", "a", "b", "c", "a"]);
    p.same(&mut a, &mut b, &["PFADD", "h", "a"]);
    p.same(&mut a, &mut b, &["PFDEBUG", "DECODE", "h"]);
    // Small batches walk the sparse encoding through splits, merges and finally the
    // promotion to dense at hll-sparse-max-bytes.
    add_and_compare(&p, &mut a, &mut b, "h", "e", 4000, 7);
}

#[test]
fn pfadd_builds_the_same_dense_bytes_as_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    add_and_compare(&p, &mut a, &mut b, "d", "", 20_000, 2000);
    p.same(&mut a, &mut b, &["PFDEBUG", "GETREG", "d"]);
}

#[test]
fn pfcount_matches_redis_up_to_100000_elements() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let mut next = 1;
    for checkpoint in [10, 100, 1000, 5000, 10_000, 30_000, 60_000, 100_000] {
        while next <= checkpoint {
            let end = (next + 999).min(checkpoint);
            let elements: Vec<String> = (next..=end).map(|i| i.to_string()).collect();
            let mut args = vec!["PFADD", "big"];
            args.extend(elements.iter().map(|s| s.as_str()));
            p.same(&mut a, &mut b, &args);
            next = end + 1;
        }
        let ours = p.same(&mut a, &mut b, &["PFCOUNT", "big"]);
        let Reply::Int(n) = ours else { panic!("PFCOUNT replied {ours:?}") };
        let err = (n - checkpoint as i64).abs() as f64 / checkpoint as f64;
        assert!(err < 0.05, "estimate {n} for {checkpoint} elements");
    }
    p.same(&mut a, &mut b, &["GET", "big"]);
    // The cached cardinality: a second PFCOUNT answers from the header.
    p.same(&mut a, &mut b, &["PFCOUNT", "big"]);
    p.same(&mut a, &mut b, &["GET", "big"]);
}

#[test]
fn pfcount_and_pfmerge_of_several_keys_match_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    add_and_compare(&p, &mut a, &mut b, "s1", "x", 300, 100);
    add_and_compare(&p, &mut a, &mut b, "s2", "y", 200, 100);
    add_and_compare(&p, &mut a, &mut b, "dense", "z", 6000, 3000);
    for cmd in [
        &["PFCOUNT", "s1", "s2"][..],
        &["PFCOUNT", "s1", "s2", "missing"],
        &["PFCOUNT", "s1", "dense"],
        &["PFCOUNT", "missing1", "missing2"],
        &["PFMERGE", "m", "s1", "s2"],
        &["GET", "m"],
        &["PFCOUNT", "m"],
        &["PFMERGE", "m", "s1"],
        &["GET", "m"],
        &["PFMERGE", "md", "s1", "dense"],
        &["GET", "md"],
        &["PFCOUNT", "md"],
        &["PFMERGE", "s1", "s2"],
        &["GET", "s1"],
        &["PFMERGE", "empty"],
        &["GET", "empty"],
        &["PFMERGE", "empty2", "missing"],
        &["GET", "empty2"],
        &["PFCOUNT", "s1", "s2", "dense", "m", "md"],
    ] {
        p.same(&mut a, &mut b, cmd);
    }
}

#[test]
fn hll_sparse_max_bytes_decides_promotion_like_redis() {
    for limit in ["0", "60", "500"] {
        let p = Pair::start(&["--hll-sparse-max-bytes", limit]);
        let (mut a, mut b) = (p.ours.client(), p.theirs.client());
        add_and_compare(&p, &mut a, &mut b, "h", "k", 400, 3);
        add_and_compare(&p, &mut a, &mut b, "g", "q", 50, 1);
        p.same(&mut a, &mut b, &["PFMERGE", "m", "g"]);
        p.same(&mut a, &mut b, &["GET", "m"]);
    }
}

#[test]
fn pfdebug_matches_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "PFADD h a b c",
            "PFDEBUG ENCODING h",
            "PFDEBUG DECODE h",
            "PFDEBUG decode h",
            "PFDEBUG GETREG h",
            "PFDEBUG ENCODING h",
            "PFDEBUG DECODE h",
            "PFDEBUG TODENSE h",
            "PFADD h2 x",
            "PFDEBUG TODENSE h2",
            "PFDEBUG TODENSE h2",
            "GET h2",
            "PFCOUNT h2",
            "PFDEBUG FOO h2",
            "PFDEBUG GETREG h2 extra",
            "PFDEBUG DECODE h2 extra",
            "PFDEBUG ENCODING h2 extra",
            "PFDEBUG TODENSE h2 extra",
            "PFDEBUG FOO h2 extra",
            "PFDEBUG ENCODING missing",
            "PFDEBUG FOO missing",
            "SET s notanhll",
            "PFDEBUG ENCODING s",
            "LPUSH l a",
            "PFDEBUG ENCODING l",
        ]),
    );
}

#[test]
fn invalid_hll_strings_are_refused_like_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let header = |enc: u8| {
        let mut h = b"HYLL".to_vec();
        h.push(enc);
        h.extend_from_slice(&[0; 11]);
        h
    };
    let mut bad_registers = header(1);
    bad_registers.extend_from_slice(&[0x7f, 0xfe]); // 16383 registers
    let mut too_many = header(1);
    too_many.extend_from_slice(&[0x7f, 0xff, 0x80]); // one VAL past the end
    let mut short_dense = header(0);
    short_dense.extend_from_slice(b"abc");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain", b"hello world, not an hll".to_vec()),
        ("short", b"HYLL".to_vec()),
        ("badmagic", [&b"HYLX"[..], &header(1)[4..], &[0x7f, 0xff]].concat()),
        ("badenc", header(2)),
        ("shortdense", short_dense),
        ("badregs", bad_registers),
        ("toomany", too_many),
    ];
    p.same(&mut a, &mut b, &["PFADD", "ok", "x"]);
    for (key, value) in &cases {
        for c in [&mut a, &mut b] {
            assert_eq!(c.cmd_bin(&[b"SET", key.as_bytes(), value]), ok());
        }
        for cmd in [
            &["PFCOUNT", key][..],
            &["PFCOUNT", key, "ok"],
            &["PFMERGE", "dest", key],
            &["PFMERGE", key, "ok"],
            &["PFDEBUG", "GETREG", key],
            &["PFDEBUG", "DECODE", key],
            &["PFDEBUG", "TODENSE", key],
            &["PFADD", key, "a", "b", "c"],
            &["GET", key],
        ] {
            p.same(&mut a, &mut b, cmd);
        }
    }
    for cmd in [&["LPUSH", "l", "a"][..], &["PFADD", "l", "a"], &["PFCOUNT", "l"], &["PFCOUNT", "ok", "l"], &["PFMERGE", "l", "ok"], &["PFMERGE", "ok", "l"]] {
        p.same(&mut a, &mut b, cmd);
    }
}

#[test]
fn hll_values_made_by_redis_are_used_as_they_are() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for (key, n) in [("sparse", 50), ("dense", 5000)] {
        let elements: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
        let mut args = vec!["PFADD", key];
        args.extend(elements.iter().map(|s| s.as_str()));
        b.cmd(&args);
        let Reply::Bulk(bytes) = b.cmd(&["GET", key]) else { panic!("GET of an HLL") };
        assert_eq!(a.cmd_bin(&[b"SET", key.as_bytes(), &bytes]), ok());
    }
    for cmd in [
        &["PFCOUNT", "sparse"][..],
        &["PFCOUNT", "dense"],
        &["PFADD", "sparse", "more", "and", "more"],
        &["GET", "sparse"],
        &["PFMERGE", "sparse", "dense"],
        &["GET", "sparse"],
        &["PFCOUNT", "sparse", "dense"],
    ] {
        let ra = a.cmd(cmd);
        let rb = b.cmd(cmd);
        assert_eq!(ra, rb, "command {cmd:?}");
    }
}

#[test]
fn pfselftest_passes() {
    let s = Server::start(&[]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["PFSELFTEST"]), ok());
    assert_eq!(err_text(&c.cmd(&["PFSELFTEST", "x"])), "ERR wrong number of arguments for 'pfselftest' command");
}
