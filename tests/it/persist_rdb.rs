//! RDB interoperability with redis-server 7.0: DUMP/RESTORE payloads both ways and byte
//! for byte, RESTORE's errors side by side, every older encoding a 7.0 reader accepts,
//! garbage payloads, and whole files written by one side and read by the other (the
//! library's `load` and `Writer` against redis-server's SAVE and start-up loading).
use crate::harness::*;
use slotd::config::settings::EvictionPolicy;
use slotd::config::{Settings, Store};
use slotd::persist::rdb::{self, crc64::crc64, LruField, SaveOpts};
use std::collections::BTreeMap;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);
/// DEBUG is off by default in both servers; the digests need it.
const DEBUG: [&str; 2] = ["--enable-debug-command", "yes"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = DEBUG.to_vec();
    v.extend_from_slice(extra);
    v
}

fn bytes_of(r: &Reply) -> Vec<u8> {
    r.as_bytes().unwrap_or_else(|| panic!("expected a bulk reply, got {r:?}")).to_vec()
}

/// Deterministic pseudo-random bytes (xorshift64*), so a failure replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// One key of every type and encoding Redis 7.0 writes, including the big encodings,
/// binary keys and values, integers of every width, LZF-compressible and
/// incompressible strings, and TTLs. Sent the same way to either server.
fn populate(c: &mut Client) {
    let mut rng = Rng(0x5eed);
    let mut cmd = |args: Vec<Vec<u8>>| {
        let a: Vec<&[u8]> = args.iter().map(|v| v.as_slice()).collect();
        let r = c.cmd_bin(&a);
        assert!(!matches!(r, Reply::Error(_)), "{:?} failed: {r:?}", String::from_utf8_lossy(&args[0]));
    };
    let v = |s: &str| s.as_bytes().to_vec();
    // Strings.
    for (k, val) in [("s:int8", "-100"), ("s:int16", "30000"), ("s:int32", "-2000000000"), ("s:int64", "1234567890123456789"), ("s:zero", "0"), ("s:lead0", "0123"), ("s:short", "hello"), ("s:empty", ""), ("s:float", "3.14")] {
        cmd(vec![v("SET"), v(k), v(val)]);
    }
    cmd(vec![v("SET"), v("s:lzf"), "abc".repeat(200).into_bytes()]);
    cmd(vec![v("SET"), v("s:lzf21"), vec![b'a'; 21]]);
    cmd(vec![v("SET"), v("s:random"), rng.bytes(3000)]);
    cmd(vec![v("SET"), b"s:bin\x00\r\n\xff".to_vec(), rng.bytes(40)]);
    cmd(vec![v("SET"), v("s:big"), "0123456789".repeat(20_000).into_bytes()]);
    cmd(vec![v("SET"), v("s:appended"), v("12")]);
    cmd(vec![v("APPEND"), v("s:appended"), v("3")]);
    // Lists: small, several nodes, big elements, binary.
    cmd(vec![v("RPUSH"), v("l:small"), v("a"), v("1"), v("-5"), v("1000"), v("70000"), v("5000000000"), vec![b'x'; 70], v("")]);
    let mut many = vec![v("RPUSH"), v("l:multi")];
    many.extend((0..5000).map(|i| format!("element-{i}").into_bytes()));
    cmd(many);
    let mut big = vec![v("RPUSH"), v("l:big")];
    big.extend((0..12).map(|i| vec![b'a' + i as u8; 300 * (i + 1) * (i + 1)]));
    cmd(big);
    cmd(vec![v("RPUSH"), b"l:bin\x00".to_vec(), rng.bytes(100), rng.bytes(5)]);
    // Hashes: listpack, hashtable by count, hashtable by value size.
    cmd(vec![v("HSET"), v("h:small"), v("f"), v("v"), v("n"), v("12"), v("neg"), v("-99999"), b"bin\x00".to_vec(), rng.bytes(20)]);
    let mut hbig = vec![v("HSET"), v("h:table")];
    for i in 0..300 {
        hbig.push(format!("field:{i}").into_bytes());
        hbig.push(format!("{}", i * 7919).into_bytes());
    }
    cmd(hbig);
    cmd(vec![v("HSET"), v("h:long"), v("f"), vec![b'q'; 100]]);
    // Sets: intset (narrow and wide), hashtable.
    cmd(vec![v("SADD"), v("set:ints"), v("1"), v("2"), v("3"), v("-7")]);
    cmd(vec![v("SADD"), v("set:wide"), v("1"), v("9223372036854775807"), v("-9223372036854775808")]);
    cmd(vec![v("SADD"), v("set:table"), v("a"), v("b"), v("1"), b"\x00\xff".to_vec()]);
    let mut sbig = vec![v("SADD"), v("set:manyints")];
    sbig.extend((0..600).map(|i| (i * 3).to_string().into_bytes()));
    cmd(sbig);
    // Sorted sets: listpack with special scores, skiplist by count and by length.
    cmd(vec![v("ZADD"), v("z:small"), v("1"), v("a"), v("2.5"), v("b"), v("-0.1"), v("c"), v("inf"), v("d"), v("-inf"), v("e"), v("4611686018427387904"), v("f"), v("1e300"), v("g")]);
    let mut zbig = vec![v("ZADD"), v("z:skip")];
    for i in 0..400 {
        zbig.push(format!("{}", (i as f64) * 0.37 - 50.0).into_bytes());
        zbig.push(format!("member:{i}").into_bytes());
    }
    cmd(zbig);
    cmd(vec![v("ZADD"), v("z:long"), v("1"), vec![b'm'; 100]]);
    // TTLs on several types.
    cmd(vec![v("SET"), v("t:str"), v("v"), v("PX"), v("500000")]);
    cmd(vec![v("RPUSH"), v("t:list"), v("a")]);
    cmd(vec![v("PEXPIREAT"), v("t:list"), v("4102444800000")]);
    cmd(vec![v("HSET"), v("t:hash"), v("f"), v("v")]);
    cmd(vec![v("EXPIRE"), v("t:hash"), v("100000")]);
}

fn all_keys(c: &mut Client) -> Vec<Vec<u8>> {
    let Reply::Array(keys) = c.cmd(&["KEYS", "*"]) else { panic!("KEYS") };
    let mut keys: Vec<Vec<u8>> = keys.iter().map(bytes_of).collect();
    keys.sort();
    keys
}

fn digest(c: &mut Client, key: &[u8]) -> Reply {
    c.cmd_bin(&[b"DEBUG", b"DIGEST-VALUE", key])
}

fn encoding(c: &mut Client, key: &[u8]) -> Reply {
    c.cmd_bin(&[b"OBJECT", b"ENCODING", key])
}

/// Redis's hashtable encodings iterate in an order that depends on a random hash seed;
/// every other encoding's bytes are deterministic.
fn deterministic(enc: &Reply) -> bool {
    enc != &Reply::Bulk(b"hashtable".to_vec())
}

/// DUMPs every key of `from`, RESTOREs it (with its TTL) into `to`, and checks value
/// and TTL there, and that the encoding is the one Redis gives the same payload
/// (`redis`; a RESTOREd string is re-encoded, so "raw" after APPEND becomes "int").
fn copy_all_and_compare(from: &mut Client, to: &mut Client, redis: &mut Client) {
    let keys = all_keys(from);
    assert!(keys.len() > 25, "populated");
    for k in &keys {
        let payload = bytes_of(&from.cmd_bin(&[b"DUMP", k]));
        let Reply::Int(pttl) = from.cmd_bin(&[b"PEXPIRETIME", k]) else { panic!("PEXPIRETIME") };
        let ttl = if pttl > 0 { pttl.to_string() } else { "0".into() };
        let r = to.cmd_bin(&[b"RESTORE", k, ttl.as_bytes(), &payload, b"ABSTTL"]);
        assert_eq!(r, ok(), "RESTORE {:?}", String::from_utf8_lossy(k));
        assert_eq!(digest(to, k), digest(from, k), "value of {:?}", String::from_utf8_lossy(k));
        let mut copy = b"copy:".to_vec();
        copy.extend_from_slice(k);
        assert_eq!(redis.cmd_bin(&[b"RESTORE", &copy, b"0", &payload]), ok());
        assert_eq!(encoding(to, k), encoding(redis, &copy), "encoding of {:?}", String::from_utf8_lossy(k));
        redis.cmd_bin(&[b"DEL", &copy]);
        assert_eq!(to.cmd_bin(&[b"PEXPIRETIME", k]), Reply::Int(pttl), "TTL of {:?}", String::from_utf8_lossy(k));
    }
}

#[test]
fn redis_dumps_restore_into_slotd_with_the_same_values_and_encodings() {
    let p = Pair::start(&args(&[]));
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    populate(&mut b);
    let redis = Server::start_redis(&args(&[]));
    copy_all_and_compare(&mut b, &mut a, &mut redis.client());
}

#[test]
fn restored_values_take_the_encoding_the_current_limits_give() {
    let small = ["--hash-max-listpack-entries", "3", "--hash-max-listpack-value", "4", "--zset-max-listpack-entries", "3", "--zset-max-listpack-value", "4", "--set-max-intset-entries", "3", "--list-max-listpack-size", "3"];
    let source = Server::start_redis(&args(&[]));
    let mut b = source.client();
    populate(&mut b);
    let ours = Server::start(&args(&small));
    let redis = Server::start_redis(&args(&small));
    copy_all_and_compare(&mut b, &mut ours.client(), &mut redis.client());
}

#[test]
fn slotd_dumps_restore_into_redis_with_the_same_values_and_encodings() {
    let p = Pair::start(&args(&[]));
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    populate(&mut a);
    let redis = Server::start_redis(&args(&[]));
    copy_all_and_compare(&mut a, &mut b, &mut redis.client());
}

#[test]
fn dump_payloads_are_byte_identical_to_redis() {
    for compression in ["yes", "no"] {
        let p = Pair::start(&args(&["--rdbcompression", compression]));
        let (mut a, mut b) = (p.ours.client(), p.theirs.client());
        populate(&mut a);
        populate(&mut b);
        let keys = all_keys(&mut b);
        assert_eq!(all_keys(&mut a), keys);
        let mut compared = 0;
        for k in &keys {
            let enc = encoding(&mut b, k);
            assert_eq!(encoding(&mut a, k), enc);
            if deterministic(&enc) {
                assert_eq!(a.cmd_bin(&[b"DUMP", k]), b.cmd_bin(&[b"DUMP", k]), "DUMP {:?} (rdbcompression {compression})", String::from_utf8_lossy(k));
                compared += 1;
            }
        }
        assert!(compared >= 20);
        p.same(&mut a, &mut b, &["DUMP", "nosuchkey"]);
    }
}

#[test]
fn list_nodes_are_cut_like_redis_under_every_fill() {
    let p = Pair::start(&args(&[]));
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let mut rng = Rng(42);
    for fill in ["-1", "-2", "-3", "-5", "-6", "0", "1", "7", "128", "100000"] {
        p.same(&mut a, &mut b, &["CONFIG", "SET", "list-max-listpack-size", fill]);
        for shape in 0..3 {
            p.same(&mut a, &mut b, &["DEL", "l"]);
            let mut push: Vec<Vec<u8>> = vec![b"RPUSH".to_vec(), b"l".to_vec()];
            for _ in 0..600 {
                let len = match shape {
                    0 => rng.below(12),
                    1 => rng.below(600),
                    _ => [10, 300, 5000, 17000][rng.below(4)],
                };
                let e = if rng.below(3) == 0 { (rng.next() as i64 >> rng.below(60)).to_string().into_bytes() } else { vec![b'a' + rng.below(3) as u8; len] };
                push.push(e);
            }
            let refs: Vec<&[u8]> = push.iter().map(|v| v.as_slice()).collect();
            assert_eq!(a.cmd_bin(&refs), b.cmd_bin(&refs));
            assert_eq!(a.cmd(&["DUMP", "l"]), b.cmd(&["DUMP", "l"]), "list-max-listpack-size {fill}, shape {shape}");
        }
    }
}

/// `RESTORE key ttl <payload> [opts]` on both servers with the payload spliced in.
fn restore_both(p: &Pair, a: &mut Client, b: &mut Client, key: &str, ttl: &str, payload: &[u8], opts: &[&str]) -> Reply {
    let mut argv: Vec<&[u8]> = vec![b"RESTORE", key.as_bytes(), ttl.as_bytes(), payload];
    argv.extend(opts.iter().map(|o| o.as_bytes()));
    let ra = a.cmd_bin(&argv);
    let rb = b.cmd_bin(&argv);
    assert_eq!(ra, rb, "RESTORE {key} {ttl} <payload> {opts:?}");
    let _ = p;
    ra
}

/// A payload with a correct trailer around an arbitrary body.
fn with_trailer(body: &[u8], version: u16) -> Vec<u8> {
    let mut p = body.to_vec();
    p.extend_from_slice(&version.to_le_bytes());
    let crc = crc64(0, &p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

#[test]
fn restore_errors_match_redis() {
    let p = Pair::start(&args(&[]));
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["SET", "src", "hello"]);
    p.same(&mut a, &mut b, &["SET", "exists", "x"]);
    let good = bytes_of(&b.cmd(&["DUMP", "src"]));
    let body = &good[..good.len() - 10];
    let mut bad_crc = good.clone();
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 1;
    let cases: Vec<(&str, &str, Vec<u8>, Vec<&str>)> = vec![
        ("exists", "0", good.clone(), vec![]),
        ("exists", "abc", good.clone(), vec![]),
        ("k", "abc", good.clone(), vec![]),
        ("k", "-1", good.clone(), vec![]),
        ("k", "0", b"garbage".to_vec(), vec![]),
        ("k", "0", b"".to_vec(), vec![]),
        ("k", "0", bad_crc, vec![]),
        ("k", "0", with_trailer(body, 11), vec![]),
        ("k", "0", with_trailer(body, 9), vec![]),
        ("k", "0", with_trailer(b"\x00\x80\xff\xff\xff\xff", 10), vec![]),
        ("k", "0", with_trailer(b"\x08\x00", 10), vec![]),
        ("k", "0", with_trailer(b"\x12\x00", 10), vec![]),
        ("k", "0", with_trailer(b"\x02\x00", 10), vec![]),
        ("k", "0", with_trailer(b"", 10), vec![]),
        ("k", "0", good.clone(), vec!["IDLETIME", "-1"]),
        ("k", "0", good.clone(), vec!["IDLETIME", "x"]),
        ("k", "0", good.clone(), vec!["FREQ", "256"]),
        ("k", "0", good.clone(), vec!["FREQ", "-1"]),
        ("k", "0", good.clone(), vec!["IDLETIME", "1", "FREQ", "1"]),
        ("k", "0", good.clone(), vec!["FREQ", "1", "IDLETIME", "1"]),
        ("k", "0", good.clone(), vec!["IDLETIME"]),
        ("k", "0", good.clone(), vec!["BOGUS"]),
        ("exists", "0", good.clone(), vec!["BOGUS"]),
        ("exists", "0", good.clone(), vec!["REPLACE", "IDLETIME", "10"]),
        ("k2", "0", good.clone(), vec!["FREQ", "7", "replace", "absttl"]),
        ("k3", "9223372036854775807", good.clone(), vec![]),
        ("k4", "1", good.clone(), vec!["ABSTTL"]),
        ("k5", "100000", good.clone(), vec![]),
    ];
    for (key, ttl, payload, opts) in &cases {
        restore_both(&p, &mut a, &mut b, key, ttl, payload, opts);
    }
    for k in ["exists", "k", "k2", "k3", "k4", "k5"] {
        p.same(&mut a, &mut b, &["GET", k]);
        p.same(&mut a, &mut b, &["OBJECT", "ENCODING", k]);
    }
    p.same(&mut a, &mut b, &["OBJECT", "FREQ", "k2"]);
    let Reply::Int(ttl) = a.cmd(&["PTTL", "k5"]) else { panic!("PTTL") };
    assert!(ttl > 90_000 && ttl <= 100_000, "relative TTL kept: {ttl}");
    // A past TTL with REPLACE deletes the old key.
    restore_both(&p, &mut a, &mut b, "exists", "1", &good, &["REPLACE", "ABSTTL"]);
    p.same(&mut a, &mut b, &["EXISTS", "exists"]);
    p.same(&mut a, &mut b, &["DUMP", "exists"]);
}

#[test]
fn values_slotd_cannot_hold_are_refused_by_name() {
    let p = Pair::start(&args(&[]));
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    b.cmd(&["XADD", "st", "1-1", "f", "v"]);
    let stream = bytes_of(&b.cmd(&["DUMP", "st"]));
    let r = a.cmd_bin(&[b"RESTORE", b"st", b"0", &stream]);
    assert_eq!(err_text(&r), "ERR Bad data format: the payload holds a stream (RDB type 19), which slotd does not support");
    assert_eq!(a.cmd(&["EXISTS", "st"]), int(0));
}

#[test]
fn restore_honours_idletime_and_freq_under_each_policy() {
    let p = Pair::start(&args(&["--maxmemory-policy", "allkeys-lfu"]));
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    p.same(&mut a, &mut b, &["SET", "src", "v"]);
    let payload = bytes_of(&b.cmd(&["DUMP", "src"]));
    restore_both(&p, &mut a, &mut b, "f", "0", &payload, &["FREQ", "100"]);
    restore_both(&p, &mut a, &mut b, "i", "0", &payload, &["IDLETIME", "1000"]);
    p.same(&mut a, &mut b, &["OBJECT", "FREQ", "f"]);
    p.same(&mut a, &mut b, &["OBJECT", "FREQ", "i"]);
    p.same(&mut a, &mut b, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    restore_both(&p, &mut a, &mut b, "i2", "0", &payload, &["IDLETIME", "1000"]);
    let Reply::Int(idle) = a.cmd(&["OBJECT", "IDLETIME", "i2"]) else { panic!("IDLETIME") };
    assert!((1000..1005).contains(&idle), "idle {idle}");
}

#[test]
fn restore_notifies_signals_watchers_and_wakes_blocked_clients() {
    let s = Server::start(&args(&["--notify-keyspace-events", "KEgln"]));
    let theirs = Server::start_redis(&args(&["--notify-keyspace-events", "KEgln"]));
    let mut src = theirs.client();
    src.cmd(&["RPUSH", "src", "a", "b"]);
    let list = bytes_of(&src.cmd(&["DUMP", "src"]));
    for server in [&s, &theirs] {
        let mut c = server.client();
        let mut sub = server.client();
        sub.cmd(&["PSUBSCRIBE", "__keyevent@0__:*"]);
        // A client blocked on the key is served by the restored list.
        let mut blocked = server.client();
        blocked.send(&["BLPOP", "q", "0"]);
        assert!(wait_until(SOON, || matches!(c.cmd(&["CLIENT", "LIST"]), Reply::Bulk(l) if String::from_utf8_lossy(&l).contains("cmd=blpop"))));
        // A WATCHed key changed by RESTORE makes EXEC fail.
        let mut w = server.client();
        w.cmd(&["WATCH", "q"]);
        assert_eq!(c.cmd_bin(&[b"RESTORE", b"q", b"0", &list]), ok());
        assert_eq!(blocked.read(), arr(vec![bulk("q"), bulk("a")]), "{} served the blocked client", server.kind);
        w.cmd(&["MULTI"]);
        w.cmd(&["GET", "x"]);
        assert_eq!(w.cmd(&["EXEC"]), Reply::NilArray, "{}: WATCH invalidated", server.kind);
        assert_eq!(c.cmd(&["LRANGE", "q", "0", "-1"]), bulks(&["b"]));
        let mut events = Vec::new();
        while events.len() < 3 {
            let Reply::Array(m) = sub.read() else { panic!("pmessage") };
            if m.len() < 4 {
                continue; // the PSUBSCRIBE confirmation
            }
            let name = String::from_utf8_lossy(&bytes_of(&m[2])).into_owned();
            events.push(name.rsplit(':').next().unwrap_or_default().to_string());
        }
        assert_eq!(events, ["new", "restore", "lpop"], "{} events", server.kind);
    }
}

// ---- older encodings, crafted as Redis 2.x-6.x wrote them --------------------------

fn put_len(out: &mut Vec<u8>, n: usize) {
    rdb::write_len(out, n as u64);
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    put_len(out, s.len());
    out.extend_from_slice(s);
}

/// A ziplist of the elements (integers in their integer encodings, as Redis stored
/// them).
fn ziplist(elems: &[&[u8]]) -> Vec<u8> {
    let mut z = vec![0u8; 10];
    let mut prev = 0usize;
    let mut tail = 10;
    for e in elems {
        let mut ent = Vec::new();
        if prev < 254 {
            ent.push(prev as u8);
        } else {
            ent.push(254);
            ent.extend_from_slice(&(prev as u32).to_le_bytes());
        }
        let as_int = std::str::from_utf8(e).ok().and_then(|s| s.parse::<i64>().ok()).filter(|v| v.to_string().as_bytes() == *e);
        match as_int {
            Some(v) if (0..=12).contains(&v) => ent.push(0xf1 + v as u8),
            Some(v) if i8::try_from(v).is_ok() => ent.extend_from_slice(&[0xfe, v as u8]),
            Some(v) if i16::try_from(v).is_ok() => {
                ent.push(0xc0);
                ent.extend_from_slice(&(v as i16).to_le_bytes());
            }
            Some(v) if (-(1 << 23)..(1 << 23)).contains(&v) => {
                ent.push(0xf0);
                ent.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            Some(v) if i32::try_from(v).is_ok() => {
                ent.push(0xd0);
                ent.extend_from_slice(&(v as i32).to_le_bytes());
            }
            Some(v) => {
                ent.push(0xe0);
                ent.extend_from_slice(&v.to_le_bytes());
            }
            None if e.len() < 64 => {
                ent.push(e.len() as u8);
                ent.extend_from_slice(e);
            }
            None if e.len() < 16384 => {
                ent.push(0x40 | (e.len() >> 8) as u8);
                ent.push(e.len() as u8);
                ent.extend_from_slice(e);
            }
            None => {
                ent.push(0x80);
                ent.extend_from_slice(&(e.len() as u32).to_be_bytes());
                ent.extend_from_slice(e);
            }
        }
        tail = z.len();
        prev = ent.len();
        z.extend_from_slice(&ent);
    }
    z.push(0xff);
    let total = z.len() as u32;
    z[0..4].copy_from_slice(&total.to_le_bytes());
    z[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
    z[8..10].copy_from_slice(&(elems.len().min(65535) as u16).to_le_bytes());
    z
}

fn zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut z = vec![pairs.len().min(254) as u8];
    let len = |z: &mut Vec<u8>, n: usize| {
        if n < 254 {
            z.push(n as u8);
        } else {
            z.push(254);
            z.extend_from_slice(&(n as u32).to_le_bytes());
        }
    };
    for (f, v) in pairs {
        len(&mut z, f.len());
        z.extend_from_slice(f);
        len(&mut z, v.len());
        z.push(1);
        z.extend_from_slice(v);
        z.push(0);
    }
    z.push(0xff);
    z
}

/// Values in every older encoding, as (name, type byte + value) bodies.
fn legacy_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let mut v = Vec::new();
    let elems: Vec<Vec<u8>> = ["a", "0", "12", "-100", "300", "-70000", "5000000", "-3000000000", "bbb"].iter().map(|s| s.as_bytes().to_vec()).chain([vec![b'L'; 300], vec![b'M'; 20000]]).collect();
    let er: Vec<&[u8]> = elems.iter().map(|e| e.as_slice()).collect();
    // 1: plain list.
    let mut b = vec![1];
    put_len(&mut b, er.len());
    er.iter().for_each(|e| put_str(&mut b, e));
    v.push(("list-plain", b));
    // 10: list as one ziplist.
    let mut b = vec![10];
    put_str(&mut b, &ziplist(&er));
    v.push(("list-ziplist", b));
    // 14: quicklist of ziplists.
    let mut b = vec![14];
    put_len(&mut b, 2);
    put_str(&mut b, &ziplist(&er[..4]));
    put_str(&mut b, &ziplist(&er[4..]));
    v.push(("list-quicklist", b));
    // 18: quicklist v2 with a plain node between listpack nodes.
    let mut b = vec![18];
    put_len(&mut b, 3);
    for (container, blob) in [(2, lp(&er[..3])), (1, b"a plain node".to_vec()), (2, lp(&er[3..]))] {
        put_len(&mut b, container);
        rdb::write_string(&mut b, &blob, true);
    }
    v.push(("list-quicklist2-plain", b));
    // 2: plain sets, all integers (becomes an intset) and mixed.
    for (name, members) in [("set-plain-ints", vec!["5", "-3", "100000", "7"]), ("set-plain-mixed", vec!["x", "1", "y"])] {
        let mut b = vec![2];
        put_len(&mut b, members.len());
        members.iter().for_each(|m| put_str(&mut b, m.as_bytes()));
        v.push((name, b));
    }
    // 3: sorted set with text scores, including the inf markers.
    let mut b = vec![3];
    put_len(&mut b, 4);
    for (m, score) in [(&b"a"[..], &b"1.5"[..]), (b"b", b"-2"), (b"c", b"\xfe"), (b"d", b"\xff")] {
        put_str(&mut b, m);
        if score.len() == 1 && score[0] >= 253 {
            b.push(score[0]);
        } else {
            b.push(score.len() as u8);
            b.extend_from_slice(score);
        }
    }
    v.push(("zset-text-scores", b));
    // 5: ZSET_2 small enough for a listpack.
    let mut b = vec![5];
    put_len(&mut b, 3);
    for (m, s) in [("z", 3.0f64), ("y", 2.0), ("x", 0.25)] {
        put_str(&mut b, m.as_bytes());
        b.extend_from_slice(&s.to_le_bytes());
    }
    v.push(("zset2-small", b));
    // 12: sorted set ziplist.
    let mut b = vec![12];
    put_str(&mut b, &ziplist(&[b"a", b"1", b"b", b"2.5", b"c", b"1000000"]));
    v.push(("zset-ziplist", b));
    // 4: plain hash.
    let mut b = vec![4];
    put_len(&mut b, 3);
    for (f, x) in [("f1", "v1"), ("f2", "2"), ("f3", "")] {
        put_str(&mut b, f.as_bytes());
        put_str(&mut b, x.as_bytes());
    }
    v.push(("hash-plain", b));
    // 9: zipmap (one big value, which converts it to a hashtable).
    let mut b = vec![9];
    put_str(&mut b, &zipmap(&[(b"name", b"zipmap"), (b"n", b"12")]));
    v.push(("hash-zipmap", b));
    let mut b = vec![9];
    let long = vec![b'v'; 300];
    put_str(&mut b, &zipmap(&[(b"name", &long), (b"n", b"12")]));
    v.push(("hash-zipmap-long", b));
    // 13: hash ziplist.
    let mut b = vec![13];
    put_str(&mut b, &ziplist(&[b"f", b"v", b"n", b"-12", b"big", &[b'B'; 100]]));
    v.push(("hash-ziplist", b));
    v
}

fn lp(elems: &[&[u8]]) -> Vec<u8> {
    let mut b = rdb::listpack::Builder::new();
    elems.iter().for_each(|e| b.push(e));
    b.finish()
}

#[test]
fn older_encodings_restore_like_redis() {
    // Small limits too, so that conversions on load are exercised both ways.
    for extra in [vec![], vec!["--hash-max-listpack-entries", "2", "--zset-max-listpack-entries", "2", "--set-max-intset-entries", "2", "--hash-max-listpack-value", "4", "--zset-max-listpack-value", "4"]] {
        let p = Pair::start(&args(&extra));
        let (mut a, mut b) = (p.ours.client(), p.theirs.client());
        for (name, body) in legacy_bodies() {
            let payload = with_trailer(&body, 10);
            let r = restore_both(&p, &mut a, &mut b, name, "0", &payload, &[]);
            assert_eq!(r, ok(), "{name}");
            assert_eq!(digest(&mut a, name.as_bytes()), digest(&mut b, name.as_bytes()), "{name} value");
            assert_eq!(encoding(&mut a, name.as_bytes()), encoding(&mut b, name.as_bytes()), "{name} encoding with {extra:?}");
        }
    }
}

#[test]
fn garbage_payloads_get_errors_and_the_server_stays_up() {
    let s = Server::start(&args(&[]));
    let mut c = s.client();
    populate(&mut c);
    let mut payloads: Vec<Vec<u8>> = all_keys(&mut c).iter().map(|k| bytes_of(&c.cmd_bin(&[b"DUMP", k]))).filter(|p| p.len() < 20_000).collect();
    payloads.extend(legacy_bodies().into_iter().map(|(_, b)| with_trailer(&b, 10)));
    let mut rng = Rng(7);
    for round in 0..3000 {
        let base = &payloads[rng.below(payloads.len())];
        let mut body = base[..base.len() - 10].to_vec();
        match rng.below(4) {
            0 => body.truncate(rng.below(body.len())),
            1 => {
                for _ in 0..1 + rng.below(4) {
                    let i = rng.below(body.len());
                    body[i] = rng.next() as u8;
                }
            }
            2 => {
                let i = rng.below(body.len());
                body[i] ^= 1 << rng.below(8);
            }
            _ => {
                let n = rng.below(64);
                body = rng.bytes(n);
            }
        }
        let payload = with_trailer(&body, 10);
        let r = c.cmd_bin(&[b"RESTORE", format!("fuzz{round}").as_bytes(), b"0", &payload]);
        match r {
            Reply::Status(_) => {
                // Accepted: the value must be readable and dump again.
                let d = c.cmd_bin(&[b"DUMP", format!("fuzz{round}").as_bytes()]);
                assert!(d.as_bytes().is_some(), "restored garbage dumps: {d:?}");
            }
            Reply::Error(e) => assert!(e.starts_with("ERR Bad data format"), "round {round}: {e}"),
            other => panic!("round {round}: {other:?}"),
        }
    }
    assert_eq!(c.cmd(&["PING"]), Reply::status("PONG"));
}

// ---- whole files --------------------------------------------------------------------

fn settings() -> Settings {
    Settings::from_store(&Store::new())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64
}

/// Every key of an RDB file, by (db, key).
fn load_file(path: &std::path::Path, s: &Settings) -> (rdb::LoadInfo, BTreeMap<(usize, Vec<u8>), rdb::Loaded>) {
    let mut f = std::io::BufReader::new(std::fs::File::open(path).expect("rdb file"));
    let mut keys = BTreeMap::new();
    let info = rdb::load(&mut f, s, now_ms(), &mut |l: rdb::Loaded| {
        assert!(keys.insert((l.db, l.key.to_vec()), l).is_none(), "duplicate key");
        Ok(())
    })
    .expect("load");
    (info, keys)
}

fn save(c: &mut Client) {
    assert_eq!(c.cmd(&["SAVE"]), ok());
}

#[test]
fn a_dump_rdb_written_by_redis_loads_every_key() {
    let theirs = Server::start_redis(&args(&[]));
    let mut b = theirs.client();
    populate(&mut b);
    b.cmd(&["SELECT", "3"]);
    b.cmd(&["SET", "in-db-3", "x"]);
    b.cmd(&["SELECT", "0"]);
    save(&mut b);
    let s = settings();
    let (info, keys) = load_file(&theirs.dir.join("dump.rdb"), &s);
    assert_eq!(info.rdb_version, 10);
    assert_eq!(info.redis_ver.as_deref(), Some("7.0.15"));
    assert_eq!(info.redis_bits, Some(64));
    assert!(info.checksum_verified);
    assert_eq!(info.keys_loaded as usize, keys.len());
    assert!(keys.contains_key(&(3, b"in-db-3".to_vec())));
    let opts = SaveOpts::from_settings(&s);
    // A second redis-server loading the same file gives the encodings to expect (a
    // loaded string is re-encoded: "raw" after APPEND becomes "int").
    let reloaded = Server::start_redis(&args(&["--dir", theirs.dir.to_str().expect("dir")]));
    let mut r = reloaded.client();
    for ((db, k), l) in &keys {
        b.cmd(&["SELECT", &db.to_string()]);
        r.cmd(&["SELECT", &db.to_string()]);
        let name = String::from_utf8_lossy(k);
        assert_eq!(Reply::Bulk(l.obj.encoding_name().as_bytes().to_vec()), encoding(&mut r, k), "encoding of {name}");
        let Reply::Int(at) = b.cmd_bin(&[b"PEXPIRETIME", k]) else { panic!("PEXPIRETIME") };
        assert_eq!(l.expire_ms.unwrap_or(-1), at, "TTL of {name}");
        if deterministic(&encoding(&mut b, k)) {
            let ours = rdb::dump_payload(&l.obj, opts);
            assert_eq!(Reply::Bulk(ours), b.cmd_bin(&[b"DUMP", k]), "value of {name}");
        }
    }
    // The values themselves, hashtables included: through RESTORE into slotd.
    let ours = Server::start(&args(&[]));
    let mut a = ours.client();
    for ((db, k), l) in &keys {
        a.cmd(&["SELECT", &db.to_string()]);
        b.cmd(&["SELECT", &db.to_string()]);
        let payload = rdb::dump_payload(&l.obj, opts);
        let at = l.expire_ms.map_or("0".to_string(), |t| t.to_string());
        assert_eq!(a.cmd_bin(&[b"RESTORE", k, at.as_bytes(), &payload, b"ABSTTL"]), ok());
        assert_eq!(digest(&mut a, k), digest(&mut b, k), "value of {:?}", String::from_utf8_lossy(k));
    }
    assert_eq!(a.cmd(&["DEBUG", "DIGEST"]), b.cmd(&["DEBUG", "DIGEST"]));
}

/// Writes `keys` with the library's Writer into `dir/name`.
fn write_file(dir: &std::path::Path, name: &str, keys: &BTreeMap<(usize, Vec<u8>), rdb::Loaded>, opts: SaveOpts, lru: impl Fn(&[u8]) -> LruField) {
    let f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).expect("create rdb"));
    let mut w = rdb::Writer::new(f, opts);
    let aux = rdb::Aux { ctime_secs: now_ms() / 1000, used_mem: 1 << 20, repl: Some(rdb::ReplInfo { stream_db: 0, id: "a".repeat(40), offset: 12345 }), aof_base: false };
    w.header(&aux).expect("header");
    let mut dbs: BTreeMap<usize, Vec<(&Vec<u8>, &rdb::Loaded)>> = BTreeMap::new();
    for ((db, k), l) in keys {
        dbs.entry(*db).or_default().push((k, l));
    }
    for (db, entries) in dbs {
        let expires = entries.iter().filter(|(_, l)| l.expire_ms.is_some()).count() as u64;
        w.select_db(db, entries.len() as u64, expires).expect("select");
        for (k, l) in entries {
            w.entry(k, &l.obj, l.expire_ms, lru(k)).expect("entry");
        }
    }
    w.finish().expect("finish");
}

#[test]
fn an_rdb_written_by_slotd_loads_into_redis_with_identical_data() {
    let theirs = Server::start_redis(&args(&[]));
    let mut b = theirs.client();
    populate(&mut b);
    b.cmd(&["SELECT", "5"]);
    populate(&mut b);
    save(&mut b);
    let s = settings();
    let (_, keys) = load_file(&theirs.dir.join("dump.rdb"), &s);
    let dir = tmpdir("rdb-written");
    for (name, compress, checksum) in [("c.rdb", true, true), ("plain.rdb", false, false)] {
        write_file(&dir, name, &keys, SaveOpts { compress, checksum, list_fill: -2 }, |_| LruField::None);
        let loaded = Server::start_redis(&args(&["--dir", dir.to_str().expect("dir"), "--dbfilename", name]));
        let mut c = loaded.client();
        assert_eq!(c.cmd(&["DEBUG", "DIGEST"]), b.cmd(&["DEBUG", "DIGEST"]), "{name}");
        assert!(loaded.log().contains("DB loaded from disk"), "{}", loaded.log());
        // And back through slotd's own reader.
        let (info, again) = load_file(&dir.join(name), &s);
        assert_eq!(again.len(), keys.len());
        assert_eq!(info.repl_id.as_deref(), Some("a".repeat(40).as_str()));
        assert_eq!(info.repl_offset, Some(12345));
        assert_eq!(info.checksum_verified, checksum);
    }
}

#[test]
fn idle_and_freq_fields_cross_in_both_directions() {
    // slotd writes FREQ / IDLE; redis-server under the matching policy reads them.
    let dir = tmpdir("rdb-lru");
    let s = settings();
    let mut keys = BTreeMap::new();
    for k in ["a", "b"] {
        let obj = rdb::decode_object(&with_trailer(&[0, 1, b'v'], 10), &mut 0, &s).expect("value");
        keys.insert((0, k.as_bytes().to_vec()), rdb::Loaded { db: 0, key: k.as_bytes().to_vec().into(), obj, expire_ms: None });
    }
    let opts = SaveOpts { compress: true, checksum: true, list_fill: -2 };
    write_file(&dir, "lfu.rdb", &keys, opts, |k| LruField::Freq(if k == b"a" { 42 } else { 200 }));
    write_file(&dir, "lru.rdb", &keys, opts, |k| LruField::IdleSecs(if k == b"a" { 1000 } else { 50_000 }));
    let lfu = Server::start_redis(&args(&["--dir", dir.to_str().expect("dir"), "--dbfilename", "lfu.rdb", "--maxmemory-policy", "allkeys-lfu"]));
    let mut c = lfu.client();
    assert_eq!(c.cmd(&["OBJECT", "FREQ", "a"]), int(42));
    assert_eq!(c.cmd(&["OBJECT", "FREQ", "b"]), int(200));
    let lru = Server::start_redis(&args(&["--dir", dir.to_str().expect("dir"), "--dbfilename", "lru.rdb", "--maxmemory-policy", "allkeys-lru"]));
    let mut c = lru.client();
    let Reply::Int(idle) = c.cmd(&["OBJECT", "IDLETIME", "b"]) else { panic!("IDLETIME") };
    assert!((50_000..50_005).contains(&idle), "idle {idle}");

    // redis-server writes them; the loader applies them and LruField gives them back.
    for (policy, want) in [("allkeys-lfu", LruField::Freq(42)), ("allkeys-lru", LruField::IdleSecs(1000))] {
        let src = if policy == "allkeys-lfu" { "lfu.rdb" } else { "lru.rdb" };
        let r = Server::start_redis(&args(&["--dir", dir.to_str().expect("dir"), "--dbfilename", src, "--maxmemory-policy", policy]));
        let mut c = r.client();
        // SAVE rewrites the file it loaded, now with the fields redis-server writes.
        save(&mut c);
        let mut s = settings();
        s.policy = if policy == "allkeys-lfu" { EvictionPolicy::AllkeysLfu } else { EvictionPolicy::AllkeysLru };
        let (_, loaded) = load_file(&dir.join(src), &s);
        let a = &loaded[&(0, b"a".to_vec())];
        let got = LruField::for_obj(&a.obj, &s, now_ms());
        match (got, want) {
            (LruField::IdleSecs(g), LruField::IdleSecs(w)) => assert!((w..w + 5).contains(&g), "idle {g}"),
            _ => assert_eq!(got, want, "{policy}"),
        }
    }
}

/// A version 4 file: no checksum trailer, a seconds-precision EXPIRETIME, ziplist and
/// zipmap values, two databases.
fn old_file() -> Vec<u8> {
    let mut f = b"REDIS0004".to_vec();
    f.extend_from_slice(&[0xfe, 0]);
    f.push(10);
    put_str(&mut f, b"list");
    put_str(&mut f, &ziplist(&[b"a", b"b", b"3"]));
    f.push(0xfd);
    // (The seconds field is a signed 32-bit number: 2033 fits, 2100 would not.)
    f.extend_from_slice(&2_000_000_000i32.to_le_bytes());
    f.push(13);
    put_str(&mut f, b"hash");
    put_str(&mut f, &ziplist(&[b"f", b"v"]));
    f.push(0xfd);
    f.extend_from_slice(&1_000u32.to_le_bytes());
    f.push(0);
    put_str(&mut f, b"expired-long-ago");
    put_str(&mut f, b"x");
    f.extend_from_slice(&[0xfe, 2]);
    f.push(9);
    put_str(&mut f, b"zipmap");
    put_str(&mut f, &zipmap(&[(b"k", b"v")]));
    f.push(12);
    put_str(&mut f, b"zset");
    put_str(&mut f, &ziplist(&[b"m", b"1.5", b"n", b"2"]));
    f.push(0xff);
    f
}

#[test]
fn an_old_version_file_loads_like_redis_loads_it() {
    let dir = tmpdir("rdb-old");
    std::fs::write(dir.join("old.rdb"), old_file()).expect("write");
    let theirs = Server::start_redis(&args(&["--dir", dir.to_str().expect("dir"), "--dbfilename", "old.rdb"]));
    let mut b = theirs.client();
    let (info, keys) = load_file(&dir.join("old.rdb"), &settings());
    assert_eq!(info.rdb_version, 4);
    assert_eq!(info.keys_expired, 1);
    assert!(!info.checksum_verified);
    let ours = Server::start(&args(&[]));
    let mut a = ours.client();
    let opts = SaveOpts { compress: true, checksum: true, list_fill: -2 };
    for ((db, k), l) in &keys {
        a.cmd(&["SELECT", &db.to_string()]);
        b.cmd(&["SELECT", &db.to_string()]);
        let at = l.expire_ms.map_or("0".to_string(), |t| t.to_string());
        assert_eq!(a.cmd_bin(&[b"RESTORE", k, at.as_bytes(), &rdb::dump_payload(&l.obj, opts), b"ABSTTL"]), ok());
        assert_eq!(digest(&mut a, k), digest(&mut b, k), "{:?}", String::from_utf8_lossy(k));
        assert_eq!(encoding(&mut a, k), encoding(&mut b, k));
    }
    assert_eq!(a.cmd(&["DEBUG", "DIGEST"]), b.cmd(&["DEBUG", "DIGEST"]));
}

#[test]
fn broken_files_are_refused_with_the_offset() {
    let theirs = Server::start_redis(&args(&[]));
    let mut b = theirs.client();
    populate(&mut b);
    save(&mut b);
    let good = std::fs::read(theirs.dir.join("dump.rdb")).expect("dump.rdb");
    let s = settings();
    let load_bytes = |bytes: &[u8]| rdb::load(&mut &bytes[..], &s, now_ms(), &mut |_| Ok(()));
    assert!(load_bytes(&good).is_ok());
    let err = |bytes: &[u8]| load_bytes(bytes).expect_err("refused").to_string();
    assert_eq!(err(b"RUBBISH00"), "Wrong signature trying to load DB from file");
    assert_eq!(err(b"REDIS0011\xff"), "Can't handle RDB format version 11");
    assert!(err(&good[..good.len() / 2]).contains("offset"), "{}", err(&good[..good.len() / 2]));
    let mut flipped = good.clone();
    let i = good.len() - 20;
    flipped[i] ^= 0x40;
    let e = err(&flipped);
    assert!(e.contains("checksum") || e.contains("offset"), "{e}");
    // A zero checksum means "not computed".
    let mut zero = good.clone();
    let n = zero.len();
    zero[n - 8..].copy_from_slice(&[0; 8]);
    assert!(load_bytes(&zero).is_ok());
    // Streams, modules and functions are named.
    let mut stream = b"REDIS0010\xfe\x00\x0f".to_vec();
    put_str(&mut stream, b"s");
    assert!(err(&stream).contains("a stream"), "{}", err(&stream));
    assert!(err(b"REDIS0010\xf5").contains("function"));
    assert!(err(b"REDIS0010\xfe\x20").contains("databases"));
    // Every truncation and many corruptions fail cleanly.
    let mut rng = Rng(3);
    for _ in 0..300 {
        let cut = rng.below(good.len());
        assert!(load_bytes(&good[..cut]).is_err());
        let mut bad = good.clone();
        let i = 9 + rng.below(good.len() - 9);
        bad[i] = rng.next() as u8;
        let _ = load_bytes(&bad);
    }
}

#[test]
fn expired_keys_are_skipped_unless_asked_to_keep_them() {
    let mut f = b"REDIS0010".to_vec();
    f.extend_from_slice(&[0xfe, 0, 0xfb, 2, 1]);
    f.push(0xfc);
    f.extend_from_slice(&1_000i64.to_le_bytes());
    f.push(0);
    put_str(&mut f, b"old");
    put_str(&mut f, b"x");
    f.push(0);
    put_str(&mut f, b"live");
    put_str(&mut f, b"y");
    // An empty list (older versions could write one) is skipped, not an error.
    f.push(18);
    put_str(&mut f, b"empty");
    put_len(&mut f, 0);
    f.push(0xff);
    let crc = crc64(0, &f);
    f.extend_from_slice(&crc.to_le_bytes());
    let s = settings();
    for (now, want) in [(now_ms(), vec!["live"]), (i64::MIN, vec!["live", "old"])] {
        let mut got = Vec::new();
        let info = rdb::load(&mut &f[..], &s, now, &mut |l| {
            got.push(String::from_utf8_lossy(&l.key).into_owned());
            Ok(())
        })
        .expect("load");
        got.sort();
        assert_eq!(got, want);
        assert_eq!(info.empty_keys_skipped, 1);
        assert!(info.checksum_verified);
    }
}
