//! Connection commands: PING, ECHO, SELECT, SWAPDB, AUTH, HELLO, RESET, CLIENT.
use crate::harness::*;
use std::time::Duration;

#[test]
fn ping_echo_select_match_redis() {
    assert_same_as_redis(
        &[],
        &["PING", "PING hello", "PING a b", "ECHO x", "ECHO", "SELECT 1", "SET k v", "SELECT 0", "GET k", "SELECT 16", "SELECT -1", "SELECT x", "SELECT 1", "GET k", "SWAPDB 0 1", "GET k", "SWAPDB 0 99", "SWAPDB x 1", "SWAPDB 0 x", "SWAPDB 1 1"],
    );
}

#[test]
fn auth_and_noauth_match_redis() {
    assert_same_as_redis(&[], &["AUTH x", "AUTH default x", "AUTH a b c"]);
    assert_same_as_redis(
        &["--requirepass", "pw"],
        &["GET a", "PING", "AUTH wrong", "AUTH default wrong", "AUTH nouser pw", "HELLO 3", "HELLO 2 AUTH default wrong", "AUTH pw", "SET a 1", "GET a", "AUTH default pw"],
    );
}

#[test]
fn hello_negotiates_protocol_and_name() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in [&["HELLO", "4"][..], &["HELLO", "abc"], &["HELLO", "3", "FOO"], &["HELLO", "3", "SETNAME", "a b"], &["HELLO", "3", "AUTH", "default"]] {
        p.same(&mut a, &mut b, args);
    }
    let r = a.cmd(&["HELLO", "3", "SETNAME", "conn1"]);
    let Reply::Map(fields) = r else { panic!("HELLO 3 must answer a map, got {r:?}") };
    let get = |k: &str| fields.iter().find(|(f, _)| *f == bulk(k)).map(|(_, v)| v.clone());
    assert_eq!(get("server"), Some(bulk("redis")));
    assert_eq!(get("version"), Some(bulk("7.0.15")));
    assert_eq!(get("proto"), Some(int(3)));
    assert_eq!(get("mode"), Some(bulk("standalone")));
    assert_eq!(get("role"), Some(bulk("master")));
    assert_eq!(a.cmd(&["CLIENT", "GETNAME"]), bulk("conn1"));
    assert_eq!(a.cmd(&["GET", "nothing"]), nil());
}

#[test]
fn reset_restores_a_fresh_connection() {
    let s = Server::start(&["--requirepass", "pw"]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["AUTH", "pw"]), ok());
    assert_eq!(c.cmd(&["SELECT", "2"]), ok());
    assert_eq!(c.cmd(&["CLIENT", "SETNAME", "x"]), ok());
    assert_eq!(c.cmd(&["MULTI"]), ok());
    assert_eq!(c.cmd(&["RESET"]), Reply::status("RESET"));
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), Reply::Error("NOAUTH Authentication required.".into()));
    assert_eq!(c.cmd(&["AUTH", "pw"]), ok());
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), nil());
    assert_eq!(c.cmd(&["EXEC"]), Reply::Error("ERR EXEC without MULTI".into()));
    let info = c.cmd(&["CLIENT", "INFO"]);
    let text = String::from_utf8_lossy(info.as_bytes().unwrap()).into_owned();
    assert!(text.contains(" db=0 "), "{text}");
}

#[test]
fn client_subcommands_match_redis_where_deterministic() {
    assert_same_as_redis_args(
        &[],
        &[
            &["CLIENT", "SETNAME", "a b"],
            &["CLIENT", "SETNAME", "ok-name"],
            &["CLIENT", "GETNAME"],
            &["CLIENT", "SETNAME", ""],
            &["CLIENT", "GETNAME"],
            &["CLIENT", "KILL", "1.2.3.4:5"],
            &["CLIENT", "KILL", "ID", "999"],
            &["CLIENT", "KILL", "ID", "x"],
            &["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "maybe"],
            &["CLIENT", "KILL", "TYPE", "nope"],
            &["CLIENT", "KILL", "TYPE", "master"],
            &["CLIENT", "KILL", "USER", "wrong_user"],
            &["CLIENT", "KILL", "USER", "default"],
            &["CLIENT", "NO-EVICT", "maybe"],
            &["CLIENT", "NO-EVICT", "on"],
            &["CLIENT", "REPLY", "foo"],
            &["CLIENT", "PAUSE", "abc"],
            &["CLIENT", "PAUSE", "-1"],
            &["CLIENT", "PAUSE", "10", "NONE"],
            &["CLIENT", "UNPAUSE"],
            &["CLIENT", "UNBLOCK", "5", "x"],
            &["CLIENT", "UNBLOCK", "x"],
            &["CLIENT", "UNBLOCK", "999999"],
            &["CLIENT", "LIST", "TYPE", "x"],
            &["CLIENT", "LIST", "ID", "x"],
            &["CLIENT", "LIST", "foo"],
            &["CLIENT", "FOO"],
            &["CLIENT"],
        ],
    );
}

fn field(line: &str, name: &str) -> String {
    line.split(' ').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("no {name} in {line}")).to_string()
}

#[test]
fn client_list_shows_every_connection_with_redis_fields() {
    let s = Server::start(&[]);
    let mut a = s.client();
    let mut b = s.client();
    assert_eq!(b.cmd(&["CLIENT", "SETNAME", "bee"]), ok());
    assert_eq!(b.cmd(&["SELECT", "3"]), ok());
    let id_b = match b.cmd(&["CLIENT", "ID"]) {
        Reply::Int(i) => i,
        r => panic!("{r:?}"),
    };
    let list = a.cmd(&["CLIENT", "LIST"]);
    let text = String::from_utf8_lossy(list.as_bytes().unwrap()).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let line_b = lines.iter().find(|l| field(l, "id") == id_b.to_string()).expect("b listed");
    assert_eq!(field(line_b, "name"), "bee");
    assert_eq!(field(line_b, "db"), "3");
    assert_eq!(field(line_b, "cmd"), "client|id");
    for f in ["addr", "laddr", "fd", "age", "idle", "flags", "sub", "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events", "user", "redir", "resp"] {
        field(line_b, f);
    }
    let only_b = a.cmd(&["CLIENT", "LIST", "ID", &id_b.to_string()]);
    assert_eq!(String::from_utf8_lossy(only_b.as_bytes().unwrap()).lines().count(), 1);
    // KILL by id closes that connection.
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", &id_b.to_string()]), int(1));
    assert!(b.is_closed());
    assert!(wait_until(Duration::from_secs(5), || {
        let l = a.cmd(&["CLIENT", "LIST"]);
        String::from_utf8_lossy(l.as_bytes().unwrap()).lines().count() == 1
    }));
}

#[test]
fn client_pause_holds_writes_until_it_ends() {
    let s = Server::start(&[]);
    let mut a = s.client();
    let mut b = s.client();
    assert_eq!(a.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), ok());
    // Reads go on during a WRITE pause.
    assert_eq!(b.cmd(&["GET", "k"]), nil());
    b.send(&["SET", "k", "v"]);
    b.set_timeout(Duration::from_millis(300));
    assert!(b.try_read().is_none(), "a write ran during CLIENT PAUSE WRITE");
    b.set_timeout(Duration::from_secs(10));
    assert_eq!(a.cmd(&["CLIENT", "UNPAUSE"]), ok());
    assert_eq!(b.read(), ok());
    assert_eq!(a.cmd(&["GET", "k"]), bulk("v"));
}

fn client_line(c: &mut Client, args: &[&str]) -> String {
    let r = c.cmd(args);
    String::from_utf8_lossy(r.as_bytes().unwrap()).lines().next().unwrap().to_string()
}

fn int_field(line: &str, name: &str) -> usize {
    field(line, name).parse().unwrap()
}

#[test]
fn client_list_and_info_report_the_running_commands_buffer_like_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in [&["CLIENT", "LIST"][..], &["CLIENT", "INFO"], &["CLIENT", "LIST", "ID", "1", "2", "3", "4", "5", "6", "7", "8"]] {
        let (la, lb) = (client_line(&mut a, args), client_line(&mut b, args));
        for f in ["qbuf", "argv-mem", "multi", "flags", "omem", "cmd"] {
            assert_eq!(field(&la, f), field(&lb, f), "{f} of {args:?}:\n{la}\n{lb}");
        }
    }
    assert_eq!(int_field(&client_line(&mut a, &["CLIENT", "LIST"]), "qbuf"), 26);
}

#[test]
fn an_idle_clients_query_buffer_is_released_and_a_large_one_trimmed() {
    let s = Server::start(&[]);
    let mut a = s.client();
    let mut t = s.client();
    t.cmd(&["CLIENT", "SETNAME", "test_client"]);
    let total = |a: &mut Client| {
        let list = a.cmd(&["CLIENT", "LIST"]);
        let text = String::from_utf8_lossy(list.as_bytes().unwrap()).into_owned();
        let line = text.lines().find(|l| l.contains("name=test_client")).unwrap().to_string();
        int_field(&line, "qbuf") + int_field(&line, "qbuf-free")
    };
    let first = total(&mut a);
    assert!((16384..32768).contains(&first), "{first}");
    // Redis frees the buffer of a client idle for more than 2 s.
    assert!(wait_until(Duration::from_secs(6), || total(&mut a) == 0), "query buffer kept while idle");
    // A big argument grows it; smaller commands let the cron trim it back.
    t.cmd(&["SET", "x", &"A".repeat(400_000)]);
    let big = total(&mut a);
    assert!(big > 32768, "{big}");
    assert!(wait_until(Duration::from_secs(3), || {
        t.cmd(&["SET", "x", "small"]);
        let now = total(&mut a);
        now > 0 && now < big
    }));
}

#[test]
fn reply_buffers_shrink_when_idle_and_grow_when_filled() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut a = s.client();
    assert_eq!(a.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"]), ok());
    let mut t = s.client();
    t.cmd(&["CLIENT", "SETNAME", "test_client"]);
    let rbs = |a: &mut Client| {
        let list = a.cmd(&["CLIENT", "LIST"]);
        let text = String::from_utf8_lossy(list.as_bytes().unwrap()).into_owned();
        int_field(text.lines().find(|l| l.contains("name=test_client")).unwrap(), "rbs")
    };
    assert!(wait_until(Duration::from_secs(3), || (1024..2046).contains(&rbs(&mut a))), "rbs {}", rbs(&mut a));
    a.cmd(&["SET", "bigval", &"x".repeat(32768)]);
    assert_eq!(a.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never"]), ok());
    assert!(wait_until(Duration::from_secs(3), || {
        t.cmd(&["GET", "bigval"]);
        (16384..32768).contains(&rbs(&mut a))
    }));
    assert_eq!(a.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"]), ok());
    assert_eq!(a.cmd(&["DEBUG", "REPLYBUFFER", "RESIZING", "0"]), ok());
}

#[test]
fn a_normal_client_over_its_output_limit_is_closed_without_a_reply() {
    let p = Pair::start(&[]);
    for s in [&p.ours, &p.theirs] {
        let mut a = s.client();
        a.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "normal 100000 0 0"]);
        let item = "x".repeat(1000);
        for _ in 0..150 {
            a.cmd(&["RPUSH", "mylist", &item]);
        }
        let mut b = s.client();
        b.cmd(&["CLIENT", "SETNAME", "mybiglist"]);
        b.send(&["LRANGE", "mylist", "0", "-1"]);
        assert!(b.try_read().is_none(), "{}: the reply should not be sent", s.kind);
        assert!(!String::from_utf8_lossy(a.cmd(&["CLIENT", "LIST"]).as_bytes().unwrap()).contains("name=mybiglist"));
        // A transaction runs to its end before its client is closed.
        let mut c = s.client();
        c.cmd(&["MULTI"]);
        c.cmd(&["SET", "k2", "v2"]);
        c.cmd(&["LRANGE", "mylist", "0", "-1"]);
        c.cmd(&["SET", "k3", "v3"]);
        c.send(&["EXEC"]);
        assert!(c.try_read().is_none());
        assert_eq!(a.cmd(&["MGET", "k2", "k3"]), bulks(&["v2", "v3"]));
    }
}

#[test]
fn paused_clients_count_as_blocked_and_keys_do_not_expire_during_a_pause() {
    let p = Pair::start(&[]);
    for s in [&p.ours, &p.theirs] {
        let mut a = s.client();
        let blocked = |a: &mut Client| String::from_utf8_lossy(a.cmd(&["INFO", "clients"]).as_bytes().unwrap()).contains("blocked_clients:1");
        assert_eq!(a.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), ok());
        let mut b = s.client();
        b.send(&["SET", "FOO", "BAR"]);
        assert!(wait_until(Duration::from_secs(5), || blocked(&mut a)), "{}", s.kind);
        assert_eq!(a.cmd(&["CLIENT", "UNPAUSE"]), ok());
        assert_eq!(b.read(), ok());
        // Expired keys are hidden but not deleted while paused.
        let expired = |a: &mut Client| String::from_utf8_lossy(a.cmd(&["INFO", "stats"]).as_bytes().unwrap()).lines().find(|l| l.starts_with("expired_keys:")).unwrap().to_string();
        let before = expired(&mut a);
        a.cmd(&["MULTI"]);
        a.cmd(&["SET", "foo{t}", "bar", "PX", "10"]);
        a.cmd(&["CLIENT", "PAUSE", "50000", "WRITE"]);
        a.cmd(&["EXEC"]);
        assert!(wait_until(Duration::from_secs(5), || a.cmd(&["GET", "foo{t}"]) == nil()));
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(expired(&mut a), before, "{}", s.kind);
        a.cmd(&["CLIENT", "UNPAUSE"]);
        a.cmd(&["GET", "foo{t}"]);
        assert_ne!(expired(&mut a), before, "{}", s.kind);
    }
}

#[test]
fn clients_over_maxmemory_clients_are_evicted_biggest_first() {
    let p = Pair::start(&[]);
    for s in [&p.ours, &p.theirs] {
        let mut a = s.client();
        a.cmd(&["CONFIG", "SET", "maxmemory", "100mb"]);
        a.cmd(&["CONFIG", "SET", "maxmemory-clients", "1mb"]);
        assert_eq!(a.cmd(&["CLIENT", "NO-EVICT", "ON"]), ok());
        // Clients that never finish their command hold ~250 KB of query buffer each.
        let mut hogs: Vec<Client> = (0..8).map(|_| s.client()).collect();
        let chunk = format!("$1000\r\n{}\r\n", "x".repeat(1000));
        for h in hogs.iter_mut() {
            h.send_raw(b"*250\r\n");
            for _ in 0..249 {
                h.send_raw(chunk.as_bytes());
            }
        }
        let evicted = |a: &mut Client| {
            let info = a.cmd(&["INFO", "stats"]);
            String::from_utf8_lossy(info.as_bytes().unwrap()).lines().find_map(|l| l.strip_prefix("evicted_clients:").map(|n| n.parse::<u64>().unwrap())).unwrap()
        };
        assert!(wait_until(Duration::from_secs(5), || evicted(&mut a) > 0), "{}: no client evicted", s.kind);
        assert_eq!(a.cmd(&["PING"]), Reply::status("PONG"), "{}", s.kind);
        assert!(hogs.iter_mut().any(|h| h.is_closed()), "{}", s.kind);
    }
}

#[test]
fn a_write_pause_also_holds_commands_that_may_replicate() {
    let p = Pair::start(&[]);
    for s in [&p.ours, &p.theirs] {
        let mut a = s.client();
        a.cmd(&["PFADD", "h", "x"]);
        assert_eq!(a.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), ok());
        let mut b = s.client();
        let mut c = s.client();
        b.send(&["PFCOUNT", "h"]);
        c.send(&["PUBLISH", "ch", "m"]);
        let blocked = |a: &mut Client| String::from_utf8_lossy(a.cmd(&["INFO", "clients"]).as_bytes().unwrap()).contains("blocked_clients:2");
        assert!(wait_until(Duration::from_secs(5), || blocked(&mut a)), "{}", s.kind);
        // Reads still run.
        assert_eq!(a.cmd(&["GET", "nokey"]), nil());
        assert_eq!(a.cmd(&["CLIENT", "UNPAUSE"]), ok());
        assert_eq!(b.read(), int(1));
        assert_eq!(c.read(), int(0));
    }
}
