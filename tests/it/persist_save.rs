//! RDB snapshots end to end: SAVE/BGSAVE write `dbfilename`, a restart loads it, and
//! the file crosses between slotd and Debian's redis-server 7.0 both ways (DEBUG DIGEST,
//! Redis's own algorithm, proves the data identical). BGSAVE is point-in-time while
//! clients keep writing.
use crate::harness::*;
use std::time::Duration;

/// Every type in both of its encodings, TTLs and several databases.
fn populate(c: &mut Client) {
    let script: Vec<Vec<String>> = vec![
        vec!["SET", "int", "12345"],
        vec!["SET", "neg", "-99"],
        vec!["SET", "str", "hello world"],
        vec!["SET", "ttl", "soon", "PX", "500000"],
        vec!["RPUSH", "list", "a", "b", "1", "2"],
        vec!["HSET", "hash", "f1", "v1", "f2", "2"],
        vec!["SADD", "intset", "1", "2", "3", "-7"],
        vec!["SADD", "set", "x", "y", "z"],
        vec!["ZADD", "zset", "1.5", "a", "2", "b", "-3", "c"],
        vec!["SELECT", "3"],
        vec!["SET", "in3", "three"],
        vec!["SELECT", "0"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect();
    for cmd in script {
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        assert!(!matches!(c.cmd(&args), Reply::Error(_)), "{cmd:?}");
    }
    let long = "x".repeat(300);
    c.cmd(&["SET", "long", &long]);
    for i in 0..300 {
        let (f, v) = (format!("f{i}"), format!("value-{i}"));
        c.cmd(&["HSET", "bighash", &f, &v]);
        c.cmd(&["SADD", "bigset", &v]);
        c.cmd(&["ZADD", "bigzset", &i.to_string(), &v]);
        c.cmd(&["RPUSH", "biglist", &v]);
    }
}

fn digest(c: &mut Client) -> String {
    String::from_utf8_lossy(c.cmd(&["DEBUG", "DIGEST"]).as_bytes().expect("digest")).into_owned()
}

fn info(c: &mut Client, field: &str) -> String {
    let r = c.cmd(&["INFO", "persistence"]);
    let text = String::from_utf8_lossy(r.as_bytes().expect("INFO")).into_owned();
    text.lines().find_map(|l| l.strip_prefix(&format!("{field}:"))).unwrap_or_else(|| panic!("no {field}")).trim().to_string()
}

#[test]
fn save_then_restart_keeps_every_type() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let dir = s.dir.to_string_lossy().into_owned();
    let mut c = s.client();
    populate(&mut c);
    let before = digest(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "0");
    drop(c);
    let mut s = s;
    s.kill(); // the directory stays until `s` drops
    let s2 = Server::start(&["--enable-debug-command", "yes", "--dir", &dir]);
    let mut c = s2.client();
    assert_eq!(digest(&mut c), before);
    assert!(matches!(c.cmd(&["PTTL", "ttl"]), Reply::Int(ms) if ms > 0 && ms <= 500_000));
    assert_eq!(info(&mut c, "rdb_last_load_keys_loaded"), "15");
}

#[test]
fn files_cross_between_slotd_and_redis_both_ways() {
    for (writer, reader) in [("slotd", "redis"), ("redis", "slotd")] {
        let start = |kind: &str, extra: &[&str]| if kind == "slotd" { Server::start(extra) } else { Server::start_redis(extra) };
        let w = start(writer, &["--enable-debug-command", "yes"]);
        let mut c = w.client();
        populate(&mut c);
        let expected = digest(&mut c);
        assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
        let dir = w.dir.to_string_lossy().into_owned();
        drop(c);
        let mut w = w;
        w.kill();
        let r = start(reader, &["--enable-debug-command", "yes", "--dir", &dir]);
        let mut c = r.client();
        assert_eq!(digest(&mut c), expected, "{writer} wrote, {reader} read");
    }
}

#[test]
fn bgsave_holds_the_state_at_its_start_while_clients_write() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "200000", "k", "16"]), Reply::status("OK"));
    let before = digest(&mut c);
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::status("Background saving started"));
    // Overwrite, delete and add while the save runs, pipelined for speed.
    let mut w = s.client();
    let mut batch = Vec::new();
    for i in 0..200_000 {
        let cmd = match i % 3 {
            0 => format!("SET k:{i} changed\r\n"),
            1 => format!("DEL k:{i}\r\n"),
            _ => format!("SET new:{i} x\r\n"),
        };
        batch.extend_from_slice(cmd.as_bytes());
    }
    w.send_raw(&batch);
    assert!(wait_until(Duration::from_secs(60), || info(&mut c, "rdb_bgsave_in_progress") == "0"));
    assert_eq!(info(&mut c, "rdb_last_bgsave_status"), "ok");
    let dir = s.dir.to_string_lossy().into_owned();
    drop(w);
    drop(c);
    let mut s = s;
    s.kill();
    // Redis itself reads the file: the image is exactly the data BGSAVE started from.
    let r = Server::start_redis(&["--enable-debug-command", "yes", "--dir", &dir]);
    let mut c = r.client();
    assert_eq!(digest(&mut c), before);
}

#[test]
fn save_and_bgsave_status_like_redis() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let t0 = c.cmd(&["LASTSAVE"]);
    c.cmd(&["SET", "a", "1"]);
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "1");
    assert_eq!(c.cmd(&["BGSAVE", "foo"]), Reply::Error("ERR syntax error".into()));
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::status("Background saving started"));
    assert!(wait_until(Duration::from_secs(10), || info(&mut c, "rdb_bgsave_in_progress") == "0" && info(&mut c, "rdb_saves") == "1"));
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "0");
    assert!(s.dir.join("dump.rdb").exists());
    assert!(matches!((t0, c.cmd(&["LASTSAVE"])), (Reply::Int(a), Reply::Int(b)) if b >= a));
}

/// The dirty counter after flushes, and FLUSHALL's own save, as redis-server keeps them.
#[test]
fn flushes_count_changes_and_flushall_saves_like_redis() {
    let run = |s: &Server| {
        let mut c = s.client();
        let mut seen = Vec::new();
        for cmd in [&["SET", "a", "1"][..], &["SET", "b", "2"], &["FLUSHDB"], &["FLUSHDB"], &["SET", "c", "3"], &["FLUSHALL"], &["FLUSHALL"]] {
            c.cmd(cmd);
            seen.push(info(&mut c, "rdb_changes_since_last_save"));
        }
        seen.push(s.dir.join("dump.rdb").exists().to_string());
        seen.push(info(&mut c, "rdb_saves"));
        seen
    };
    for save in ["", "3600 1"] {
        let ours = run(&Server::start(&["--save", save]));
        assert_eq!(ours, run(&Server::start_redis(&["--save", save])), "save {save:?}");
    }
}

#[test]
fn debug_reload_keeps_values_encodings_and_ttls() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    populate(&mut c);
    let before = digest(&mut c);
    let encodings: Vec<Reply> = ["int", "str", "long", "list", "hash", "intset", "zset", "bighash", "bigset", "bigzset"].iter().map(|k| c.cmd(&["OBJECT", "ENCODING", k])).collect();
    assert_eq!(c.cmd(&["DEBUG", "RELOAD"]), Reply::status("OK"));
    assert_eq!(digest(&mut c), before);
    let after: Vec<Reply> = ["int", "str", "long", "list", "hash", "intset", "zset", "bighash", "bigset", "bigzset"].iter().map(|k| c.cmd(&["OBJECT", "ENCODING", k])).collect();
    assert_eq!(after, encodings);
    assert!(matches!(c.cmd(&["PTTL", "ttl"]), Reply::Int(ms) if ms > 0));
    assert_eq!(c.cmd(&["DEBUG", "RELOAD", "FOO"]), Reply::Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.".into()));
    // NOSAVE loads the file as it is: a key written since is gone.
    c.cmd(&["SET", "fresh", "1"]);
    assert_eq!(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["EXISTS", "fresh"]), Reply::Int(0));
    assert_eq!(digest(&mut c), before);
}

#[test]
fn bgsave_inside_multi_starts_a_save() {
    let s = Server::start(&[]);
    let mut c = s.client();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["BGSAVE"]);
    let r = c.cmd(&["EXEC"]);
    assert_eq!(r, Reply::Array(vec![Reply::status("OK"), Reply::status("Background saving started")]));
    assert!(wait_until(Duration::from_secs(10), || info(&mut c, "rdb_saves") == "1" && info(&mut c, "rdb_bgsave_in_progress") == "0"));
    assert!(s.dir.join("dump.rdb").exists());
}

/// A background save that fails (its directory vanished) turns writes into MISCONF
/// errors with save points configured, and a successful save lifts it — side by side.
#[test]
fn a_failed_bgsave_refuses_writes_until_a_save_succeeds_like_redis() {
    let run = |s: &Server| -> Vec<String> {
        let gone = s.dir.join("vanishing");
        std::fs::create_dir_all(&gone).unwrap();
        let mut c = s.client();
        let mut seen = Vec::new();
        let mut note = |r: Reply| seen.push(format!("{r:?}"));
        note(c.cmd(&["CONFIG", "SET", "save", "3600 1"]));
        note(c.cmd(&["CONFIG", "SET", "dir", gone.to_str().unwrap()]));
        std::fs::remove_dir_all(&gone).unwrap();
        note(c.cmd(&["SET", "a", "1"]));
        note(c.cmd(&["BGSAVE"]));
        assert!(wait_until(Duration::from_secs(10), || info(&mut c, "rdb_bgsave_in_progress") == "0" && info(&mut c, "rdb_last_bgsave_status") == "err"), "{} BGSAVE did not fail", s.kind);
        note(c.cmd(&["SET", "b", "2"]));
        note(c.cmd(&["PING"]));
        note(c.cmd(&["GET", "a"]));
        note(c.cmd(&["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"]));
        note(c.cmd(&["SET", "c", "3"]));
        note(c.cmd(&["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"]));
        note(c.cmd(&["CONFIG", "SET", "dir", s.dir.to_str().unwrap()]));
        note(c.cmd(&["BGSAVE"]));
        assert!(wait_until(Duration::from_secs(10), || info(&mut c, "rdb_bgsave_in_progress") == "0" && info(&mut c, "rdb_last_bgsave_status") == "ok"), "{} BGSAVE did not recover", s.kind);
        note(c.cmd(&["SET", "d", "4"]));
        seen
    };
    let ours = run(&Server::start(&["--enable-protected-configs", "yes"]));
    assert_eq!(ours, run(&Server::start_redis(&["--enable-protected-configs", "yes"])));
}

#[test]
fn shutdown_save_writes_the_file_and_nosave_does_not() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let dir = s.dir.to_string_lossy().into_owned();
    let mut c = s.client();
    populate(&mut c);
    let before = digest(&mut c);
    c.send_raw(b"SHUTDOWN SAVE\r\n");
    assert!(c.is_closed());
    assert!(wait_until(Duration::from_secs(10), || s.dir.join("dump.rdb").exists() && s.try_client().is_none()));
    let mut s = s;
    s.kill();
    let s2 = Server::start(&["--enable-debug-command", "yes", "--dir", &dir]);
    let mut c = s2.client();
    assert_eq!(digest(&mut c), before);
    c.cmd(&["SET", "unsaved", "1"]);
    let mtime = std::fs::metadata(std::path::Path::new(&dir).join("dump.rdb")).and_then(|m| m.modified()).ok();
    c.send_raw(b"SHUTDOWN NOSAVE\r\n");
    assert!(c.is_closed());
    assert!(wait_until(Duration::from_secs(10), || s2.try_client().is_none()));
    assert_eq!(std::fs::metadata(std::path::Path::new(&dir).join("dump.rdb")).and_then(|m| m.modified()).ok(), mtime);
}

/// A dump.rdb with a wrong checksum stops start-up with Redis's CRC error line; a
/// truncated one with its short-read line.
#[test]
fn a_corrupt_or_truncated_rdb_stops_start_up_with_redis_messages() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    populate(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
    let good = std::fs::read(s.dir.join("dump.rdb")).unwrap();
    for (what, bytes, expect) in [
        ("checksum", { let mut b = good.clone(); let n = b.len(); b[n - 8..].copy_from_slice(b"foobar00"); b }, "RDB CRC error"),
        ("truncation", good[..good.len() / 2].to_vec(), "Short read or OOM loading DB"),
    ] {
        let dir = tmpdir("rdb-bad");
        std::fs::write(dir.join("dump.rdb"), &bytes).unwrap();
        let mut bad = Server::launch(Bin::Slotd, &dir, "slotd.log", &[]);
        assert_eq!(bad.wait_exit(Duration::from_secs(20)), Some(1), "{what}: slotd kept running:\n{}", bad.log());
        assert!(bad.log().contains(expect), "{what}: no {expect:?} in\n{}", bad.log());
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// rdb-key-save-delay slows a background save down (test suites rely on it to watch a
/// save run); FLUSHALL calls the slow save off, and it ends without writing a file and
/// without counting as a failure — as Redis's killed child.
#[test]
fn rdb_key_save_delay_paces_a_save_and_flushall_calls_it_off() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "1000"]), Reply::status("OK"));
    // One second per key: this save would take a quarter of an hour.
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000000"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::status("Background saving started"));
    assert_eq!(info(&mut c, "rdb_bgsave_in_progress"), "1");
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::Error("ERR Background save already in progress".into()));
    assert_eq!(c.cmd(&["FLUSHALL"]), Reply::status("OK"));
    assert!(wait_until(Duration::from_secs(10), || info(&mut c, "rdb_bgsave_in_progress") == "0"), "FLUSHALL did not call the save off");
    assert_eq!(info(&mut c, "rdb_last_bgsave_status"), "ok");
    assert!(!s.dir.join("dump.rdb").exists());
    // Back to full speed: a save completes.
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["BGSAVE"]), Reply::status("Background saving started"));
    assert!(wait_until(Duration::from_secs(10), || info(&mut c, "rdb_saves") == "1"));
}
