//! The multi-part AOF against redis-server 7.0: directories written by one load in the
//! other, the bytes appended, durability under SIGKILL for `always` and `everysec`,
//! truncated and corrupt files, and -LOADING while a long AOF loads.
use crate::harness::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const START: Duration = Duration::from_secs(20);

fn text(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) | Reply::Error(s) => s.to_string(),
        Reply::Int(i) => i.to_string(),
        Reply::Nil => "(nil)".into(),
        other => format!("{other:?}"),
    }
}

fn strings(r: &Reply) -> Vec<String> {
    match r {
        Reply::Array(items) | Reply::Set(items) => items.iter().map(text).collect(),
        other => panic!("expected an array, got {other:?}"),
    }
}

/// Writes values of every type and encoding, in several databases, with expiries,
/// transactions, and commands that Redis propagates in another form (INCRBYFLOAT,
/// SPOP with a count, LMOVE, GETEX ...).
fn fill(c: &mut Client) {
    let big_value = "v".repeat(10_000);
    let crlf = "line1\r\nline2";
    let mut run = |args: &[&str]| {
        let r = c.cmd(args);
        assert!(!matches!(r, Reply::Error(_)), "{args:?}: {r:?}");
    };
    run(&["SET", "str", "hello"]);
    run(&["APPEND", "str", " world"]);
    run(&["SET", "int", "12345"]);
    run(&["INCR", "int"]);
    run(&["INCRBYFLOAT", "float", "1.5"]);
    run(&["SET", "big", &big_value]);
    run(&["SET", "crlf", crlf]);
    run(&["SET", "", "empty key"]);
    run(&["SET", "empty", ""]);
    run(&["SETEX", "ttl1", "100000", "v"]);
    run(&["SET", "ttl2", "v", "PX", "500000"]);
    run(&["SET", "ttl3", "v"]);
    run(&["EXPIRE", "ttl3", "10000"]);
    run(&["SET", "ttl4", "v", "EX", "1000"]);
    run(&["GETEX", "ttl4", "PERSIST"]);
    run(&["SETBIT", "bits", "100", "1"]);
    run(&["SETRANGE", "str2", "5", "abc"]);
    run(&["RPUSH", "list", "a", "b", "c"]);
    run(&["LPUSH", "list", "z"]);
    run(&["LSET", "list", "1", "A"]);
    let many: Vec<String> = (0..1000).map(|i| format!("element-{i}")).collect();
    let mut args = vec!["RPUSH", "biglist"];
    args.extend(many.iter().map(|s| s.as_str()));
    run(&args);
    run(&["LMOVE", "list", "list2", "LEFT", "RIGHT"]);
    run(&["LREM", "biglist", "1", "element-7"]);
    run(&["LTRIM", "biglist", "0", "900"]);
    run(&["HSET", "hash", "f1", "v1", "f2", "v2"]);
    run(&["HINCRBY", "hash", "n", "5"]);
    run(&["HINCRBYFLOAT", "hash", "x", "2.25"]);
    let fields: Vec<String> = (0..600).map(|i| format!("field-{i}")).collect();
    let mut args = vec!["HSET", "bighash"];
    for f in &fields {
        args.push(f);
        args.push(f);
    }
    run(&args);
    run(&["HDEL", "bighash", "field-3"]);
    run(&["SADD", "intset", "1", "2", "3", "-7"]);
    run(&["SADD", "strset", "a", "b", "c"]);
    let mut args = vec!["SADD", "bigset"];
    args.extend(many.iter().map(|s| s.as_str()));
    run(&args);
    run(&["SREM", "bigset", "element-9"]);
    run(&["SADD", "popset", "1", "2", "3", "4", "5", "6"]);
    run(&["SPOP", "popset", "3"]);
    run(&["SMOVE", "strset", "intset", "a"]);
    run(&["ZADD", "zset", "1", "a", "2", "b", "2.5", "c"]);
    run(&["ZINCRBY", "zset", "10", "a"]);
    let mut args = vec!["ZADD", "bigzset"];
    let scores: Vec<String> = (0..300).map(|i| format!("{}", i as f64 * 1.25)).collect();
    for (s, m) in scores.iter().zip(&many) {
        args.push(s);
        args.push(m);
    }
    run(&args);
    run(&["ZREM", "bigzset", "element-1"]);
    run(&["ZPOPMIN", "zset", "1"]);
    run(&["PFADD", "hll", "a", "b", "c", "d"]);
    run(&["PFADD", "hll2", "x", "y"]);
    run(&["PFMERGE", "hll3", "hll", "hll2"]);
    run(&["MULTI"]);
    c.cmd(&["SET", "tx1", "1"]);
    c.cmd(&["INCR", "tx1"]);
    c.cmd(&["LPUSH", "txlist", "x", "y"]);
    c.cmd(&["SELECT", "4"]);
    c.cmd(&["SET", "tx-in-db4", "yes"]);
    let r = c.cmd(&["EXEC"]);
    assert!(matches!(r, Reply::Array(_)), "{r:?}");
    let mut run = |args: &[&str]| {
        let r = c.cmd(args);
        assert!(!matches!(r, Reply::Error(_)), "{args:?}: {r:?}");
    };
    run(&["SELECT", "1"]);
    run(&["SET", "db1key", "one"]);
    run(&["RPUSH", "db1list", "1", "2"]);
    run(&["SELECT", "9"]);
    run(&["SET", "gone", "x"]);
    run(&["FLUSHDB"]);
    run(&["SET", "after-flush", "y"]);
    run(&["SELECT", "0"]);
    run(&["RENAME", "str2", "renamed"]);
    run(&["DEL", "int"]);
    run(&["GETDEL", "empty"]);
    run(&["MOVE", "crlf", "2"]);
    run(&["COPY", "hash", "hashcopy", "DB", "3"]);
}

/// DEBUG DIGEST, and every key of every database as `db key -> type: value [ttl]`.
type Dump = (String, BTreeMap<String, String>);

/// Every key of every database as `db key -> type: canonical value [ttl]`, plus DEBUG
/// DIGEST.
fn dump(c: &mut Client) -> Dump {
    let digest = text(&c.cmd(&["DEBUG", "DIGEST"]));
    let mut out = BTreeMap::new();
    for db in 0..16 {
        c.cmd(&["SELECT", &db.to_string()]);
        for key in strings(&c.cmd(&["KEYS", "*"])) {
            let ty = text(&c.cmd(&["TYPE", &key]));
            let mut val = match ty.as_str() {
                "string" => vec![text(&c.cmd(&["GET", &key]))],
                "list" => strings(&c.cmd(&["LRANGE", &key, "0", "-1"])),
                "hash" => strings(&c.cmd(&["HGETALL", &key])).chunks(2).map(|p| p.join("=")).collect(),
                "set" => strings(&c.cmd(&["SMEMBERS", &key])),
                "zset" => strings(&c.cmd(&["ZRANGE", &key, "0", "-1", "WITHSCORES"])),
                other => vec![format!("unexpected type {other}")],
            };
            if ty == "hash" || ty == "set" {
                val.sort();
            }
            let ttl = match c.cmd(&["PTTL", &key]) {
                Reply::Int(t) if t >= 0 => " (ttl)",
                _ => "",
            };
            out.insert(format!("{db} {key}"), format!("{ty}: {}{ttl}", val.join(",")));
        }
    }
    c.cmd(&["SELECT", "0"]);
    (digest, out)
}

fn assert_same_data(what: &str, a: &Dump, b: &Dump) {
    let ka: Vec<&String> = a.1.keys().collect();
    let kb: Vec<&String> = b.1.keys().collect();
    assert_eq!(ka, kb, "{what}: key sets differ");
    for (k, v) in &a.1 {
        assert_eq!(Some(v), b.1.get(k), "{what}: key {k} differs");
    }
    assert_eq!(a.0, b.0, "{what}: DEBUG DIGEST differs");
    assert!(a.1.len() >= 30, "{what}: the data set is missing keys: {:?}", a.1.keys());
}

fn shutdown(s: &mut Server) {
    let mut c = s.client();
    c.send(&["SHUTDOWN"]);
    assert_eq!(s.wait_exit(START), Some(0), "{} did not shut down cleanly:\n{}", s.kind, s.log());
}

fn aof_dir(dir: &Path) -> PathBuf {
    dir.join("appendonlydir")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

/// The log's messages without the pid/time prefix (`... # text` / `... * text`); a
/// line without one (the rest of a multi-line message) as it is.
fn messages(log: &str) -> Vec<String> {
    log.lines().filter(|l| !l.is_empty()).map(|l| l.split_once(" # ").or_else(|| l.split_once(" * ")).map_or(l, |(_, m)| m).to_string()).collect()
}

const DEBUG: &[&str] = &["--enable-debug-command", "yes"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = DEBUG.to_vec();
    v.extend_from_slice(extra);
    v
}

#[test]
fn an_aof_written_by_redis_loads_into_slotd_with_identical_data() {
    let dir = tmpdir("aof-from-redis");
    let mut redis = Server::launch(Bin::Redis, &dir, "redis.log", &args(&["--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always"]));
    assert!(redis.wait_ready(START), "redis-server did not start:\n{}", redis.log());
    let mut c = redis.client();
    fill(&mut c);
    let want = dump(&mut c);
    drop(c);
    shutdown(&mut redis);
    let manifest = std::fs::read_to_string(aof_dir(&dir).join("appendonly.aof.manifest")).expect("manifest");
    assert_eq!(manifest, "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    let ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let got = dump(&mut ours.client());
    assert_same_data("slotd after loading redis-server's AOF", &want, &got);
    let log = messages(&ours.log());
    for line in ["DB loaded from incr file appendonly.aof.1.incr.aof", "DB loaded from append only file", "Opening AOF incr file appendonly.aof.1.incr.aof on server start"] {
        assert!(log.iter().any(|l| l.starts_with(line)), "missing log line {line:?} in {log:?}");
    }
    drop(ours);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_aof_written_by_slotd_loads_into_redis_with_identical_data() {
    let dir = tmpdir("aof-to-redis");
    let mut ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let mut c = ours.client();
    fill(&mut c);
    let want = dump(&mut c);
    drop(c);
    shutdown(&mut ours);
    let redis = Server::launch(Bin::Redis, &dir, "redis.log", &args(&["--appendonly", "yes"]));
    assert!(redis.wait_ready(START), "redis-server did not load slotd's AOF:\n{}", redis.log());
    let got = dump(&mut redis.client());
    assert_same_data("redis-server after loading slotd's AOF", &want, &got);
    // And back: slotd loads the directory after redis-server appended to it.
    let mut rc = redis.client();
    assert_eq!(rc.cmd(&["SET", "written-by", "redis"]), ok());
    let want = dump(&mut rc);
    drop(rc);
    let mut redis = redis;
    shutdown(&mut redis);
    let ours = Server::launch(Bin::Slotd, &dir, "slotd2.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start again:\n{}", ours.log());
    assert_same_data("slotd after a round trip", &want, &dump(&mut ours.client()));
    drop(ours);
    std::fs::remove_dir_all(&dir).ok();
}

/// Commands whose propagated form does not depend on the time or on randomness, so that
/// the two files must be byte-identical.
const DETERMINISTIC: &[&[&str]] = &[
    &["SET", "a", "1"],
    &["INCRBYFLOAT", "f", "2.5"],
    &["SET", "k", "v", "PXAT", "99999999999999"],
    &["EXPIREAT", "a", "99999999999"],
    &["RPUSH", "l", "x", "y", "z"],
    &["LMOVE", "l", "l2", "LEFT", "RIGHT"],
    &["SELECT", "3"],
    &["HSET", "h", "f", "v"],
    &["HINCRBYFLOAT", "h", "n", "1.5"],
    &["MULTI"],
    &["SET", "t1", "1"],
    &["SELECT", "5"],
    &["SET", "t2", "2"],
    &["GET", "t2"],
    &["EXEC"],
    &["MULTI"],
    &["SET", "one", "write"],
    &["GET", "one"],
    &["EXEC"],
    &["GET", "nothing-propagated"],
    &["DEL", "no-such-key"],
    &["SELECT", "0"],
    &["ZADD", "z", "1", "m"],
    &["ZPOPMIN", "z"],
    &["SET", "s", "v", "PXAT", "99999999999998"],
    &["PERSIST", "s"],
    &["SPOP", "s-absent", "2"],
    &["SADD", "one-member", "m"],
    &["SPOP", "one-member", "5"],
    &["SET", "foo4", "bar", "pxat", "99999999999999"],
    &["SET", "foo5", "bar", "GET", "PXAT", "99999999999999"],
    &["FLUSHALL"],
];

#[test]
fn slotd_appends_the_same_bytes_as_redis() {
    let p = Pair::start(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    for cmd in DETERMINISTIC {
        let ra = a.cmd(cmd);
        let rb = b.cmd(cmd);
        assert_eq!(ra, rb, "{cmd:?}");
    }
    let read = |s: &Server| std::fs::read(aof_dir(&s.dir).join("appendonly.aof.1.incr.aof")).expect("incr file");
    let (ours, theirs) = (read(&p.ours), read(&p.theirs));
    assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
    // INFO persistence: the same fields, the same sizes.
    let info = |c: &mut Client| -> BTreeMap<String, String> {
        text(&c.cmd(&["INFO", "persistence"])).lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let (ia, ib) = (info(&mut a), info(&mut b));
    assert_eq!(ia.keys().collect::<Vec<_>>(), ib.keys().collect::<Vec<_>>());
    for k in ["aof_enabled", "aof_current_size", "aof_base_size", "aof_pending_rewrite", "aof_buffer_length", "aof_last_write_status", "aof_rewrites", "aof_delayed_fsync", "loading"] {
        assert_eq!(ia.get(k), ib.get(k), "INFO persistence {k}");
    }
    assert_eq!(ia["aof_current_size"], ours.len().to_string());
}

#[test]
fn config_set_changes_the_fsync_policy_and_turns_the_aof_off() {
    let dir = tmpdir("aof-config");
    let s = Server::launch(Bin::Slotd, &dir, "slotd.log", &["--appendonly", "yes"]);
    assert!(s.wait_ready(START), "{}", s.log());
    let mut c = s.client();
    for policy in ["always", "no", "everysec", "always"] {
        assert_eq!(c.cmd(&["CONFIG", "SET", "appendfsync", policy]), ok());
        assert_eq!(c.cmd(&["SET", policy, "x"]), ok());
    }
    let incr = aof_dir(&dir).join("appendonly.aof.1.incr.aof");
    let len_on = std::fs::metadata(&incr).expect("incr file").len();
    assert!(len_on > 0);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "no"]), ok());
    assert_eq!(strings(&c.cmd(&["CONFIG", "GET", "appendonly"])), ["appendonly", "no"]);
    assert!(text(&c.cmd(&["INFO", "persistence"])).contains("aof_enabled:0\r\n"));
    assert_eq!(c.cmd(&["SET", "after-off", "x"]), ok());
    assert_eq!(std::fs::metadata(&incr).expect("incr file").len(), len_on, "written after appendonly no");
    // On again: a rewrite makes the current data set the new base, and appending resumes.
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), ok());
    assert!(text(&c.cmd(&["INFO", "persistence"])).contains("aof_enabled:1\r\n"));
    wait_rewrites(&mut c, 1);
    drop(c);
    drop(s);
    std::fs::remove_dir_all(&dir).ok();
}

/// One writer connection's progress: iteration i is INCR c:t (→ i), RPUSH l:t i,
/// SET k:t:i i, each acknowledged before the next is sent.
struct Progress {
    acked: Vec<Instant>,
    sent: u64,
}

fn write_until_killed(port: u16, t: usize) -> Progress {
    let mut p = Progress { acked: Vec::new(), sent: 0 };
    let Ok(mut c) = Client::connect(port) else { return p };
    c.set_timeout(Duration::from_secs(5));
    let (ck, lk) = (format!("c:{t}"), format!("l:{t}"));
    for i in 1u64.. {
        let v = i.to_string();
        p.sent = i;
        let k = format!("k:{t}:{i}");
        if c.try_cmd(&["INCR", &ck]) != Some(Reply::Int(i as i64)) {
            return p;
        }
        if c.try_cmd(&["RPUSH", &lk, &v]) != Some(Reply::Int(i as i64)) {
            return p;
        }
        if c.try_cmd(&["SET", &k, &v]) != Some(ok()) {
            return p;
        }
        p.acked.push(Instant::now());
    }
    p
}

/// Writers run until slotd is SIGKILLed at a random moment; slotd restarts on the same
/// files. Returns (acknowledged iterations, lost iterations, ms of acknowledged writes
/// lost) over all writers, after checking what survived is consistent.
fn crash_and_count(policy: &str, writers: usize) -> (usize, usize, u128) {
    use rand::Rng;
    let dir = tmpdir(&format!("aof-crash-{policy}"));
    let mut s = Server::launch(Bin::Slotd, &dir, "slotd1.log", &["--appendonly", "yes", "--appendfsync", policy]);
    assert!(s.wait_ready(START), "{}", s.log());
    let port = s.port;
    let threads: Vec<_> = (0..writers).map(|t| std::thread::spawn(move || write_until_killed(port, t))).collect();
    // Kill once a random amount of work was acknowledged (polling INFO's counter).
    let target = rand::thread_rng().gen_range(3_000..12_000u64);
    let mut probe = s.client();
    let done = wait_until(Duration::from_secs(60), || {
        let info = text(&probe.cmd(&["INFO", "stats"]));
        info.lines().find_map(|l| l.strip_prefix("total_commands_processed:")).and_then(|v| v.trim().parse::<u64>().ok()).is_some_and(|n| n >= target)
    });
    assert!(done, "the writers made no progress:\n{}", s.log());
    drop(probe);
    s.kill();
    let killed_at = Instant::now();
    let progress: Vec<Progress> = threads.into_iter().map(|t| t.join().expect("writer thread")).collect();
    let s2 = Server::launch(Bin::Slotd, &dir, "slotd2.log", &["--appendonly", "yes", "--appendfsync", policy]);
    assert!(s2.wait_ready(START), "slotd did not restart on its AOF:\n{}", s2.log());
    let mut c = s2.client();
    let (mut acked, mut lost, mut lost_ms) = (0usize, 0usize, 0u128);
    for (t, p) in progress.iter().enumerate() {
        let counter = match c.cmd(&["GET", &format!("c:{t}")]) {
            Reply::Bulk(b) => String::from_utf8_lossy(&b).parse::<u64>().expect("counter"),
            _ => 0,
        };
        let list: Vec<u64> = strings(&c.cmd(&["LRANGE", &format!("l:{t}"), "0", "-1"])).iter().map(|v| v.parse().expect("list element")).collect();
        // What survived is a prefix of what was sent, never more, never out of order.
        assert!(counter <= p.sent, "writer {t}: counter {counter} > sent {}", p.sent);
        assert_eq!(list, (1..=list.len() as u64).collect::<Vec<_>>(), "writer {t}: list is not 1..n");
        assert!(list.len() as u64 <= p.sent);
        // Iterations whose SET survived: keys 1..=n all present.
        let mut sets = 0u64;
        for chunk in (1..=p.sent).collect::<Vec<_>>().chunks(500) {
            let keys: Vec<String> = chunk.iter().map(|i| format!("k:{t}:{i}")).collect();
            let mut cmd = vec!["MGET"];
            cmd.extend(keys.iter().map(|k| k.as_str()));
            for (i, v) in chunk.iter().zip(strings(&c.cmd(&cmd))) {
                if v == i.to_string() && sets + 1 == *i {
                    sets = *i;
                }
            }
        }
        let survived = counter.min(list.len() as u64).min(sets) as usize;
        acked += p.acked.len();
        if survived < p.acked.len() {
            lost += p.acked.len() - survived;
            lost_ms = lost_ms.max(killed_at.duration_since(p.acked[survived]).as_millis());
        }
    }
    drop(c);
    drop(s2);
    std::fs::remove_dir_all(&dir).ok();
    (acked, lost, lost_ms)
}

#[test]
fn with_appendfsync_always_every_acknowledged_write_survives_sigkill() {
    let (acked, lost, lost_ms) = crash_and_count("always", 4);
    println!("appendfsync always: {acked} acknowledged iterations, {lost} lost ({lost_ms} ms)");
    assert!(acked > 0);
    assert_eq!(lost, 0, "acknowledged writes lost under appendfsync always ({lost_ms} ms worth)");
}

#[test]
fn with_appendfsync_everysec_at_most_about_a_second_of_writes_is_lost() {
    let (acked, lost, lost_ms) = crash_and_count("everysec", 4);
    println!("appendfsync everysec: {acked} acknowledged iterations, {lost} lost ({lost_ms} ms worth)");
    assert!(acked > 0);
    // Redis's bound: one second between fsyncs, plus up to two seconds of a write
    // postponed behind a slow fsync.
    assert!(lost_ms <= 2_000, "{lost} acknowledged iterations lost, {lost_ms} ms worth");
}

/// With `appendfsync no` nothing is fsynced explicitly, but every acknowledged write was
/// handed to the kernel before its reply: a killed process (unlike a lost machine)
/// loses none of them.
#[test]
fn with_appendfsync_no_a_killed_process_loses_no_acknowledged_write() {
    let (acked, lost, lost_ms) = crash_and_count("no", 4);
    println!("appendfsync no: {acked} acknowledged iterations, {lost} lost ({lost_ms} ms)");
    assert!(acked > 0);
    assert_eq!(lost, 0, "acknowledged writes lost under appendfsync no after SIGKILL ({lost_ms} ms worth)");
}

/// An AOF directory written by slotd: some commands, the last one a transaction, then
/// a clean shutdown. Returns the incr file's path.
fn written_aof(dir: &Path) -> PathBuf {
    let mut s = Server::launch(Bin::Slotd, dir, "writer.log", &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"]);
    assert!(s.wait_ready(START), "{}", s.log());
    let mut c = s.client();
    for i in 0..20 {
        assert_eq!(c.cmd(&["SET", &format!("key:{i}"), &format!("value:{i}")]), ok());
    }
    assert_eq!(c.cmd(&["MULTI"]), ok());
    c.cmd(&["SET", "tx:a", "1"]);
    c.cmd(&["SET", "tx:b", "2"]);
    assert_eq!(c.cmd(&["EXEC"]), arr(vec![ok(), ok()]));
    assert_eq!(c.cmd(&["RPUSH", "last", "x"]), int(1));
    drop(c);
    shutdown(&mut s);
    aof_dir(dir).join("appendonly.aof.1.incr.aof")
}

/// Starts slotd and redis-server on two copies of `dir`, each with `extra`: both must
/// start (Some(dumps)) or both refuse (None); the log messages containing any of
/// `expect` must be identical, and present.
fn both_on_copies(dir: &Path, extra: &[&str], expect: &[&str]) -> Option<(Dump, Dump, u64, u64)> {
    let (da, db) = (dir.with_extension("slotd"), dir.with_extension("redis"));
    copy_dir(dir, &da);
    copy_dir(dir, &db);
    let mut all = vec!["--appendonly", "yes"];
    all.extend_from_slice(DEBUG);
    all.extend_from_slice(extra);
    let mut ours = Server::launch(Bin::Slotd, &da, "slotd.log", &all);
    let mut theirs = Server::launch(Bin::Redis, &db, "redis.log", &all);
    // Started (None) or exited (Some(status)).
    let outcome = |s: &mut Server| -> Option<i32> {
        let mut exit = None;
        let settled = wait_until(START, || {
            exit = s.wait_exit(Duration::from_millis(1));
            exit.is_some() || s.try_client().is_some_and(|mut c| c.try_cmd(&["PING"]) == Some(Reply::status("PONG")))
        });
        assert!(settled, "{} neither started nor exited:\n{}", s.kind, s.log());
        exit
    };
    let (exit_a, exit_b) = (outcome(&mut ours), outcome(&mut theirs));
    let (up_a, up_b) = (exit_a.is_none(), exit_b.is_none());
    let pick = |log: &str| -> Vec<String> { messages(log).into_iter().filter(|m| expect.iter().any(|e| m.contains(e))).collect() };
    let (la, lb) = (pick(&ours.log()), pick(&theirs.log()));
    assert_eq!(la, lb, "log lines differ; slotd:\n{}\nredis-server:\n{}", ours.log(), theirs.log());
    for e in expect {
        assert!(la.iter().any(|l| l.contains(e)), "no log line with {e:?}:\n{}", ours.log());
    }
    assert_eq!(up_a, up_b, "slotd {} but redis-server {}", if up_a { "started" } else { "refused" }, if up_b { "started" } else { "refused" });
    if !up_a {
        assert_eq!((exit_a, exit_b), (Some(1), Some(1)), "exit statuses");
        drop((ours, theirs));
        std::fs::remove_dir_all(&da).ok();
        std::fs::remove_dir_all(&db).ok();
        return None;
    }
    let size = |d: &Path| std::fs::metadata(aof_dir(d).join("appendonly.aof.1.incr.aof")).map(|m| m.len()).unwrap_or(0);
    let out = (dump(&mut ours.client()), dump(&mut theirs.client()), size(&da), size(&db));
    drop(ours);
    drop(theirs);
    std::fs::remove_dir_all(&da).ok();
    std::fs::remove_dir_all(&db).ok();
    Some(out)
}

#[test]
fn a_truncated_tail_is_cut_off_or_refused_as_redis_does() {
    let dir = tmpdir("aof-truncated");
    let incr = written_aof(&dir);
    let full = std::fs::metadata(&incr).expect("incr").len();
    // Cut inside the last command (RPUSH last x).
    std::fs::OpenOptions::new().write(true).open(&incr).expect("open").set_len(full - 3).expect("truncate");
    let refused = both_on_copies(&dir, &["--aof-load-truncated", "no"], &["Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"]);
    assert!(refused.is_none());
    let (ours, theirs, size_a, size_b) = both_on_copies(&dir, &["--aof-load-truncated", "yes"], &["short read while loading", "Truncating the AOF", "loaded anyway"]).expect("both load a truncated tail");
    assert_eq!(size_a, size_b, "truncated to different offsets");
    assert_eq!(ours.1, theirs.1);
    assert_eq!(ours.0, theirs.0, "DEBUG DIGEST");
    assert!(ours.1.contains_key("0 tx:b") && !ours.1.contains_key("0 last"), "{:?}", ours.1.keys());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_transaction_cut_short_is_reverted_as_redis_does() {
    let dir = tmpdir("aof-cut-multi");
    let incr = written_aof(&dir);
    let bytes = std::fs::read(&incr).expect("incr");
    // Drop the RPUSH after the transaction and the transaction's EXEC.
    let exec = bytes.windows(14).rposition(|w| w == b"*1\r\n$4\r\nEXEC\r\n").expect("EXEC in the file");
    std::fs::write(&incr, &bytes[..exec]).expect("write");
    let (ours, theirs, size_a, size_b) = both_on_copies(&dir, &["--aof-load-truncated", "yes"], &["Revert incomplete MULTI/EXEC transaction", "Truncating the AOF"]).expect("both load");
    assert_eq!(size_a, size_b);
    assert_eq!(ours.1, theirs.1);
    assert!(ours.1.contains_key("0 key:19") && !ours.1.contains_key("0 tx:a"), "{:?}", ours.1.keys());
    let refused = both_on_copies(&dir, &["--aof-load-truncated", "no"], &["Revert incomplete MULTI/EXEC transaction", "Unexpected end of file"]);
    assert!(refused.is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn garbage_in_the_middle_refuses_start_up_as_redis_does() {
    let dir = tmpdir("aof-corrupt");
    let incr = written_aof(&dir);
    let mut bytes = std::fs::read(&incr).expect("incr");
    let at = bytes.len() / 2;
    bytes[at..at + 8].copy_from_slice(b"garbage!");
    std::fs::write(&incr, &bytes).expect("write");
    for truncated in ["yes", "no"] {
        let r = both_on_copies(&dir, &["--aof-load-truncated", truncated], &["Bad file format reading the append only file appendonly.aof.1.incr.aof"]);
        assert!(r.is_none());
    }
    // A command slotd and Redis do not know.
    let unknown = b"*2\r\n$7\r\nNOSUCHC\r\n$1\r\nx\r\n";
    std::fs::write(&incr, [&b"*1\r\n$4\r\nPING\r\n"[..], &unknown[..]].concat()).expect("write");
    let r = both_on_copies(&dir, &[], &["Unknown command 'NOSUCHC' reading the append only file appendonly.aof.1.incr.aof"]);
    assert!(r.is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_manifest_refuses_start_up_as_redis_does() {
    let dir = tmpdir("aof-bad-manifest");
    written_aof(&dir);
    let m = aof_dir(&dir).join("appendonly.aof.manifest");
    std::fs::write(&m, "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type x\n").expect("write");
    assert!(both_on_copies(&dir, &[], &["FATAL AOF MANIFEST FILE ERROR", "Reading the manifest file, at line 2", ">>> 'file appendonly.aof.1.incr.aof seq 1 type x'", "Unknown AOF file type"]).is_none());
    // A listed file that is missing.
    std::fs::write(&m, "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.7.incr.aof seq 7 type i\n").expect("write");
    assert!(both_on_copies(&dir, &[], &["Unable to obtain the AOF file appendonly.aof.7.incr.aof length. stat: No such file or directory"]).is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn clients_get_loading_while_a_long_aof_loads() {
    let dir = tmpdir("aof-loading");
    let incr = written_aof(&dir);
    // A few thousand more commands, appended as a client would have written them.
    let mut bytes = std::fs::read(&incr).expect("incr");
    let n = 3000;
    for i in 0..n {
        let (k, v) = (format!("bulk:{i}"), format!("{i}"));
        bytes.extend_from_slice(format!("*3\r\n$3\r\nSET\r\n${}\r\n{k}\r\n${}\r\n{v}\r\n", k.len(), v.len()).as_bytes());
    }
    std::fs::write(&incr, &bytes).expect("write");
    let total = bytes.len();
    // key-load-delay (µs per command, as in Redis's own tests) makes loading last ~1.5 s.
    let s = Server::launch(Bin::Slotd, &dir, "slotd.log", &["--appendonly", "yes", "--key-load-delay", "500"]);
    let mut c = None;
    assert!(wait_until(START, || {
        c = s.try_client();
        c.is_some()
    }));
    let mut c = c.expect("client");
    let first = c.cmd(&["PING"]);
    assert_eq!(first, Reply::Error("LOADING Redis is loading the dataset in memory".into()), "{}", s.log());
    assert_eq!(c.cmd(&["GET", "key:1"]), Reply::Error("LOADING Redis is loading the dataset in memory".into()));
    let info = text(&c.cmd(&["INFO", "persistence"]));
    for want in ["loading:1\r\n", "async_loading:0\r\n", "aof_enabled:0\r\n", &format!("loading_total_bytes:{total}\r\n"), "loading_rdb_used_mem:0\r\n", "loading_loaded_perc:", "loading_eta_seconds:"] {
        assert!(info.contains(want), "INFO persistence while loading lacks {want:?}:\n{info}");
    }
    assert!(text(&c.cmd(&["INFO", "errorstats"])).contains("errorstat_LOADING:count=2"));
    assert!(wait_until(START, || c.cmd(&["PING"]) == Reply::status("PONG")), "{}", s.log());
    assert_eq!(c.cmd(&["DBSIZE"]), int(n + 23));
    let info = text(&c.cmd(&["INFO", "persistence"]));
    assert!(info.contains("loading:0\r\n") && info.contains("aof_enabled:1\r\n") && !info.contains("loading_total_bytes"), "{info}");
    drop(c);
    drop(s);
    std::fs::remove_dir_all(&dir).ok();
}

/// An AOF directory whose incremental file is /dev/full: every write fails with ENOSPC.
fn full_disk_aof(dir: &Path) {
    let d = aof_dir(dir);
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::write(d.join("appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n").expect("manifest");
    std::fs::write(d.join("appendonly.aof.1.base.aof"), "").expect("base");
    std::os::unix::fs::symlink("/dev/full", d.join("appendonly.aof.1.incr.aof")).expect("symlink");
}

#[test]
fn a_failing_aof_write_refuses_writes_with_misconf_and_always_exits_like_redis() {
    let (da, db) = (tmpdir("aof-full-slotd"), tmpdir("aof-full-redis"));
    full_disk_aof(&da);
    full_disk_aof(&db);
    let mut ours = Server::launch(Bin::Slotd, &da, "slotd.log", &["--appendonly", "yes"]);
    let mut theirs = Server::launch(Bin::Redis, &db, "redis.log", &["--appendonly", "yes"]);
    assert!(ours.wait_ready(START) && theirs.wait_ready(START));
    let (mut a, mut b) = (ours.client(), theirs.client());
    // The first write is answered (its write fails after the reply, in Redis's
    // before-sleep); from then on writes and PING are refused, reads are served.
    assert_eq!(a.cmd(&["SET", "a", "b"]), b.cmd(&["SET", "a", "b"]));
    let misconf = Reply::Error("MISCONF Errors writing to the AOF file: No space left on device".into());
    let refused = |c: &mut Client| wait_until(START, || c.cmd(&["SET", "a", "c"]) == misconf);
    assert!(refused(&mut a) && refused(&mut b));
    for cmd in [&["PING"][..], &["GET", "a"], &["MULTI"], &["SET", "x", "1"], &["EXEC"], &["DEL", "a"]] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{cmd:?}");
    }
    let status = |c: &mut Client| text(&c.cmd(&["INFO", "persistence"])).lines().find(|l| l.starts_with("aof_last_write_status")).map(String::from);
    assert_eq!(status(&mut a), Some("aof_last_write_status:err".into()));
    assert_eq!(status(&mut a), status(&mut b));
    // Under `always` a write error is fatal.
    a.send(&["CONFIG", "SET", "appendfsync", "always"]);
    b.send(&["CONFIG", "SET", "appendfsync", "always"]);
    assert_eq!(ours.wait_exit(START), Some(1), "{}", ours.log());
    assert_eq!(theirs.wait_exit(START), Some(1), "{}", theirs.log());
    for s in [&ours, &theirs] {
        let log = messages(&s.log());
        for line in ["Error writing to the AOF file: No space left on device", "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..."] {
            assert!(log.iter().any(|l| l == line), "{}: no {line:?} in {log:?}", s.kind);
        }
    }
    drop((a, b, ours, theirs));
    std::fs::remove_dir_all(&da).ok();
    std::fs::remove_dir_all(&db).ok();
}

#[test]
fn an_old_single_file_aof_is_migrated_into_the_directory_like_redis() {
    let old = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n";
    let mut seen = Vec::new();
    for bin in [Bin::Slotd, Bin::Redis] {
        let dir = tmpdir("aof-old-style");
        std::fs::write(dir.join("appendonly.aof"), old).expect("old aof");
        let s = Server::launch(bin, &dir, "server.log", &args(&["--appendonly", "yes"]));
        assert!(s.wait_ready(START), "{}", s.log());
        let data = dump(&mut s.client());
        let manifest = std::fs::read_to_string(aof_dir(&dir).join("appendonly.aof.manifest")).expect("manifest");
        let log: Vec<String> = messages(&s.log()).into_iter().filter(|m| m.contains("AOF") || m.contains("append only")).map(|m| m.split(':').next().unwrap_or("").to_string()).collect();
        assert!(!dir.join("appendonly.aof").exists() && aof_dir(&dir).join("appendonly.aof").exists());
        seen.push((data, manifest, log));
        drop(s);
        std::fs::remove_dir_all(&dir).ok();
    }
    assert_eq!(seen[0].1, "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    assert_eq!(seen[0].1, seen[1].1);
    assert_eq!(seen[0].0, seen[1].0);
    assert_eq!(seen[0].2, seen[1].2, "log lines");
}

// ---- rewrites (BGREWRITEAOF, automatic, CONFIG SET appendonly yes)

fn persistence_field(c: &mut Client, field: &str) -> String {
    let r = c.cmd(&["INFO", "persistence"]);
    let t = text(&r);
    t.lines().find_map(|l| l.strip_prefix(&format!("{field}:"))).unwrap_or_else(|| panic!("no {field} in {t}")).trim().to_string()
}

fn wait_rewrites(c: &mut Client, n: u64) {
    assert!(
        wait_until(START, || persistence_field(c, "aof_rewrite_in_progress") == "0" && persistence_field(c, "aof_rewrites").parse::<u64>().unwrap_or(0) >= n),
        "rewrite {n} did not finish"
    );
    assert_eq!(persistence_field(c, "aof_last_bgrewrite_status"), "ok");
}

#[test]
fn bgrewriteaof_under_writes_keeps_every_write_and_redis_reads_the_result() {
    let dir = tmpdir("aof-rewrite");
    let mut ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let mut c = ours.client();
    fill(&mut c);
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "100000", "pop", "8"]), ok());
    // Writes keep arriving on another connection while the rewrite runs.
    let mut w = ours.client();
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), Reply::status("Background append only file rewriting started"));
    let mut batch = Vec::new();
    for i in 0..50_000 {
        batch.extend_from_slice(format!("SET pop:{i} new\r\nDEL pop:{}\r\nINCR counter\r\n", i + 50_000).as_bytes());
    }
    w.send_raw(&batch);
    for _ in 0..150_000 {
        assert!(!matches!(w.read(), Reply::Error(_)));
    }
    wait_rewrites(&mut c, 1);
    let manifest = std::fs::read_to_string(aof_dir(&dir).join("appendonly.aof.manifest")).expect("manifest");
    assert_eq!(manifest, "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    assert!(!aof_dir(&dir).join("appendonly.aof.1.incr.aof").exists(), "history files are removed");
    assert_eq!(c.cmd(&["SET", "after", "rewrite"]), ok());
    let want = dump(&mut c);
    drop((c, w));
    shutdown(&mut ours);
    let again = Server::launch(Bin::Slotd, &dir, "slotd2.log", &args(&["--appendonly", "yes"]));
    assert!(again.wait_ready(START), "slotd did not start:\n{}", again.log());
    assert_same_data("slotd after its rewrite", &want, &dump(&mut again.client()));
    drop(again);
    let redis = Server::launch(Bin::Redis, &dir, "redis.log", &args(&["--appendonly", "yes"]));
    assert!(redis.wait_ready(START), "redis-server did not load slotd's rewritten AOF:\n{}", redis.log());
    assert_same_data("redis-server after slotd's rewrite", &want, &dump(&mut redis.client()));
    drop(redis);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_rdb_preamble_aof_from_redis_loads_into_slotd() {
    let dir = tmpdir("aof-rdb-base");
    let mut redis = Server::launch(Bin::Redis, &dir, "redis.log", &args(&["--appendonly", "yes"]));
    assert!(redis.wait_ready(START), "redis-server did not start:\n{}", redis.log());
    let mut c = redis.client();
    fill(&mut c);
    c.cmd(&["BGREWRITEAOF"]);
    wait_rewrites(&mut c, 1);
    assert_eq!(c.cmd(&["SET", "after", "rewrite"]), ok());
    let want = dump(&mut c);
    drop(c);
    shutdown(&mut redis);
    let ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    assert_same_data("slotd after redis-server's RDB-based AOF", &want, &dump(&mut ours.client()));
    drop(ours);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn appendonly_turned_on_at_run_time_persists_the_data_set() {
    let dir = tmpdir("aof-runtime");
    let mut ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&[]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let mut c = ours.client();
    fill(&mut c);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), ok());
    assert_eq!(c.cmd(&["SET", "during", "enable"]), ok());
    wait_rewrites(&mut c, 1);
    assert_eq!(persistence_field(&mut c, "aof_enabled"), "1");
    assert_eq!(c.cmd(&["SET", "after", "enable"]), ok());
    let want = dump(&mut c);
    drop(c);
    shutdown(&mut ours);
    let manifest = std::fs::read_to_string(aof_dir(&dir).join("appendonly.aof.manifest")).expect("manifest");
    assert_eq!(manifest, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    let again = Server::launch(Bin::Slotd, &dir, "slotd2.log", &args(&["--appendonly", "yes"]));
    assert!(again.wait_ready(START), "slotd did not start:\n{}", again.log());
    assert_same_data("slotd after enabling the AOF at run time", &want, &dump(&mut again.client()));
    drop(again);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rewrite_and_bgsave_take_turns_like_redis() {
    let dir = tmpdir("aof-turns");
    let ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let mut c = ours.client();
    // Enough data that the first job is still running when the second is asked for.
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "1000000", "k", "32"]), ok());
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), Reply::status("Background append only file rewriting started"));
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), Reply::Error("ERR Background append only file rewriting already in progress".into()));
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::Error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.".into()));
    assert_eq!(c.cmd(&["BGSAVE", "SCHEDULE"]), Reply::status("Background saving scheduled"));
    wait_rewrites(&mut c, 1);
    assert!(wait_until(START, || persistence_field(&mut c, "rdb_saves") == "1"), "the scheduled BGSAVE did not run");
    assert!(wait_until(START, || persistence_field(&mut c, "rdb_bgsave_in_progress") == "0"));
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::status("Background saving started"));
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), Reply::status("Background append only file rewriting scheduled"));
    wait_rewrites(&mut c, 2);
    drop(c);
    drop(ours);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_aof_is_rewritten_automatically_when_it_doubles() {
    let dir = tmpdir("aof-auto");
    let ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes", "--auto-aof-rewrite-min-size", "64kb", "--auto-aof-rewrite-percentage", "100"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let mut c = ours.client();
    let value = "x".repeat(1000);
    for i in 0..200 {
        c.cmd(&["SET", &format!("k{}", i % 10), &value]);
    }
    wait_rewrites(&mut c, 1);
    // Rewritten: the base holds the 10 keys, far smaller than the 200 SETs were.
    let size: u64 = persistence_field(&mut c, "aof_current_size").parse().unwrap();
    assert!(size < 64 * 1024, "aof_current_size {size} after the automatic rewrite");
    assert!(ours.log().contains("Starting automatic rewriting of AOF on"));
    drop(c);
    drop(ours);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn debug_loadaof_reloads_the_data_set_from_the_aof() {
    let dir = tmpdir("aof-loadaof");
    let ours = Server::launch(Bin::Slotd, &dir, "slotd.log", &args(&["--appendonly", "yes"]));
    assert!(ours.wait_ready(START), "slotd did not start:\n{}", ours.log());
    let mut c = ours.client();
    fill(&mut c);
    let want = dump(&mut c);
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), ok());
    assert_same_data("after DEBUG LOADAOF", &want, &dump(&mut c));
    // After a rewrite the data set comes from the new RDB base and the new incr file.
    c.cmd(&["BGREWRITEAOF"]);
    wait_rewrites(&mut c, 1);
    assert_eq!(c.cmd(&["SET", "after", "rewrite"]), ok());
    let want = dump(&mut c);
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), ok());
    assert_same_data("after a rewrite and DEBUG LOADAOF", &want, &dump(&mut c));
    assert!(ours.log().contains("Append Only File loaded by DEBUG LOADAOF"));
    drop(c);
    drop(ours);
    std::fs::remove_dir_all(&dir).ok();
}

/// With `aof-use-rdb-preamble no` the rewritten base is commands, the same bytes as
/// Redis writes for each type (one key per rewrite: key order across a whole data set
/// follows each server's hash tables).
#[test]
fn an_aof_format_rewrite_writes_the_same_commands_as_redis() {
    let p = Pair::start(&["--appendonly", "yes", "--aof-use-rdb-preamble", "no"]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let list: Vec<String> = (0..150).map(|i| format!("e{i}")).collect();
    let ints: Vec<String> = (0..70).map(|i| (i * 3 - 20).to_string()).collect();
    let mut cases: Vec<Vec<String>> = vec![
        vec!["SET".into(), "s".into(), "hello".into()],
        vec!["SET".into(), "n".into(), "12345".into()],
        [vec!["RPUSH".into(), "l".into()], list].concat(),
        [vec!["SADD".into(), "i".into()], ints].concat(),
        vec!["ZADD".into(), "z".into(), "1.5".into(), "a".into(), "-2".into(), "b".into(), "3e10".into(), "c".into()],
        vec!["HSET".into(), "h".into(), "f1".into(), "v1".into(), "f2".into(), "v2".into()],
    ];
    cases.push(vec!["SET".into(), "x".into(), "y".into(), "PXAT".into(), "4102444800000".into()]);
    for (n, cmd) in cases.iter().enumerate() {
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        let mut base = Vec::new();
        for (s, c) in [(&p.ours, &mut a), (&p.theirs, &mut b)] {
            assert_eq!(c.cmd(&["FLUSHALL"]), ok());
            assert!(!matches!(c.cmd(&args), Reply::Error(_)));
            assert_eq!(c.cmd(&["BGREWRITEAOF"]), Reply::status("Background append only file rewriting started"));
            wait_rewrites(c, n as u64 + 1);
            let name = format!("appendonly.aof.{}.base.aof", n + 2);
            base.push(std::fs::read(aof_dir(&s.dir).join(&name)).unwrap_or_else(|e| panic!("{} {name}: {e}", s.kind)));
        }
        assert_eq!(String::from_utf8_lossy(&base[0]), String::from_utf8_lossy(&base[1]), "{args:?}");
    }
}

/// A past PEXPIREAT in the file does not delete the key while loading (later commands
/// still write to it); the key is expired once loading is over — both servers.
#[test]
fn a_past_expire_in_the_aof_applies_after_loading_like_redis() {
    let cmds = ["*3\r\n$5\r\nrpush\r\n$4\r\nlist\r\n$3\r\nfoo\r\n", "*3\r\n$9\r\npexpireat\r\n$4\r\nlist\r\n$4\r\n1000\r\n", "*3\r\n$5\r\nrpush\r\n$4\r\nlist\r\n$3\r\nbar\r\n", "*3\r\n$3\r\nset\r\n$1\r\ns\r\n$1\r\nv\r\n", "*3\r\n$9\r\npexpireat\r\n$1\r\ns\r\n$4\r\n1000\r\n", "*3\r\n$6\r\nappend\r\n$1\r\ns\r\n$1\r\nw\r\n"];
    let mut seen = Vec::new();
    for bin in [Bin::Slotd, Bin::Redis] {
        let dir = tmpdir("aof-past-expire");
        std::fs::create_dir_all(aof_dir(&dir)).unwrap();
        std::fs::write(aof_dir(&dir).join("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n").unwrap();
        std::fs::write(aof_dir(&dir).join("appendonly.aof.1.incr.aof"), cmds.concat()).unwrap();
        let s = Server::launch(bin, &dir, "server.log", &["--appendonly", "yes"]);
        assert!(s.wait_ready(START), "{}", s.log());
        let mut c = s.client();
        seen.push((c.cmd(&["LLEN", "list"]), c.cmd(&["GET", "s"]), c.cmd(&["DBSIZE"])));
        drop(c);
        drop(s);
        std::fs::remove_dir_all(&dir).ok();
    }
    assert_eq!(seen[0], (Reply::Int(0), Reply::Nil, Reply::Int(0)));
    assert_eq!(seen[0], seen[1]);
}
