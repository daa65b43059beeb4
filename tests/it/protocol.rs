//! The wire: RESP2/RESP3 framing, inline commands, pipelining, protocol errors, limits,
//! and a bounded fuzz run against the live server.
use crate::harness::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Sends raw bytes on a fresh connection and returns everything the server sends until
/// it closes the connection or goes quiet for `quiet`.
fn raw_exchange(port: u16, bytes: &[u8], quiet: Duration) -> (Vec<u8>, bool) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(quiet)).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (out, false),
        }
    }
}

#[test]
fn malformed_frames_get_the_same_error_and_close_as_redis() {
    let p = Pair::start(&[]);
    let cases: &[&[u8]] = &[
        b"*x\r\n",
        b"*1\r\nfoo\r\n",
        b"*1\r\n$-5\r\n",
        b"*2\r\n$3\r\nGET\r\n+x\r\n",
        b"*1\r\n$abc\r\n",
        b"PING\r\n*1\r\n$4\r\nPING\r\n*z\r\n",
        b"SET a \"b\r\n",
        b"SET a \"b\"c\r\n",
        b"*3000000000\r\n",
    ];
    for case in cases {
        let (a, ca) = raw_exchange(p.ours.port, case, Duration::from_millis(500));
        let (b, cb) = raw_exchange(p.theirs.port, case, Duration::from_millis(500));
        assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b), "input {:?}", String::from_utf8_lossy(case));
        assert_eq!(ca, cb, "close behaviour differs for {:?}", String::from_utf8_lossy(case));
        assert!(ca, "the connection must be closed after a protocol error");
    }
}

#[test]
fn oversized_header_lines_are_refused() {
    let s = Server::start(&[]);
    let mut long = b"*".to_vec();
    long.extend(std::iter::repeat_n(b'1', 70_000));
    let (out, closed) = raw_exchange(s.port, &long, Duration::from_secs(2));
    assert_eq!(out, b"-ERR Protocol error: too big mbulk count string\r\n");
    assert!(closed);
    let inline = vec![b'a'; 70_000];
    let (out, closed) = raw_exchange(s.port, &inline, Duration::from_secs(2));
    assert_eq!(out, b"-ERR Protocol error: too big inline request\r\n");
    assert!(closed);
}

#[test]
fn inline_commands_with_quotes_work() {
    let s = Server::start(&[]);
    let (out, _) = raw_exchange(s.port, b"SET k \"a b\\x41\"\r\nGET k\r\nPING\n\r\nECHO 'it''s'\r\n", Duration::from_millis(300));
    assert_eq!(String::from_utf8_lossy(&out), "+OK\r\n$4\r\na bA\r\n+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n");
}

#[test]
fn a_pipeline_is_answered_in_order_with_few_writes() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let mut batch = Vec::new();
    for i in 0..1000 {
        batch.extend_from_slice(&encode_cmd(&[b"SET", format!("k{i}").as_bytes(), format!("{i}").as_bytes()]));
        batch.extend_from_slice(&encode_cmd(&[b"GET", format!("k{i}").as_bytes()]));
    }
    c.send_raw(&batch);
    for i in 0..1000 {
        assert_eq!(c.read(), ok());
        assert_eq!(c.read(), bulk(&i.to_string()));
    }
    // 100 commands in one segment: the replies leave in (at most a couple of) writes,
    // not one per command.
    let before = info_field(&mut c, "total_writes_processed");
    let mut small = Vec::new();
    for _ in 0..100 {
        small.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
    }
    c.send_raw(&small);
    for _ in 0..100 {
        assert_eq!(c.read(), Reply::status("PONG"));
    }
    let after = info_field(&mut c, "total_writes_processed");
    assert!(after - before <= 4, "100 pipelined commands took {} writes", after - before);
}

fn info_field(c: &mut Client, name: &str) -> i64 {
    info_field_in(c, "stats", name)
}

fn info_field_in(c: &mut Client, section: &str, name: &str) -> i64 {
    let r = c.cmd(&["INFO", section]);
    let text = String::from_utf8_lossy(r.as_bytes().expect("INFO text")).into_owned();
    text.lines().find_map(|l| l.strip_prefix(&format!("{name}:"))).and_then(|v| v.trim().parse().ok()).unwrap_or_else(|| panic!("no {name} in INFO"))
}

#[test]
fn bulk_length_limit_applies() {
    let s = Server::start(&["--proto-max-bulk-len", "1mb"]);
    let (out, closed) = raw_exchange(s.port, b"*2\r\n$4\r\nECHO\r\n$2000000\r\n", Duration::from_secs(2));
    assert_eq!(out, b"-ERR Protocol error: invalid bulk length\r\n");
    assert!(closed);
    let mut c = s.client();
    let v = "x".repeat(1024 * 1024);
    assert_eq!(c.cmd(&["ECHO", &v]), bulk(&v));
}

#[test]
fn query_buffer_limit_closes_the_connection() {
    let s = Server::start(&["--client-query-buffer-limit", "1mb"]);
    let mut c = s.client();
    // A 4 MB bulk announced and partly sent: the server closes before buffering it.
    c.send_raw(b"*2\r\n$4\r\nECHO\r\n$4000000\r\n");
    let chunk = vec![b'a'; 64 * 1024];
    let mut closed = false;
    for _ in 0..40 {
        if c.stream.write_all(&chunk).is_err() {
            closed = true;
            break;
        }
    }
    assert!(closed || c.is_closed(), "connection stayed open past client-query-buffer-limit");
    let mut ctl = s.client();
    assert_eq!(ctl.cmd(&["PING"]), Reply::status("PONG"));
}

#[test]
fn maxclients_refuses_extra_connections() {
    let s = Server::start(&["--maxclients", "2"]);
    let mut a = s.client();
    // The start-up probe's connection may not be reaped yet: wait until `a` is alone.
    assert!(wait_until(Duration::from_secs(5), || info_field_in(&mut a, "clients", "connected_clients") == 1));
    let mut b = s.client();
    assert_eq!(a.cmd(&["PING"]), Reply::status("PONG"));
    assert_eq!(b.cmd(&["PING"]), Reply::status("PONG"));
    let (out, closed) = raw_exchange(s.port, b"PING\r\n", Duration::from_secs(2));
    assert_eq!(out, b"-ERR max number of clients reached\r\n");
    assert!(closed);
    drop(a);
    assert!(wait_until(Duration::from_secs(5), || raw_exchange(s.port, b"PING\r\n", Duration::from_millis(200)).0 == b"+PONG\r\n"));
}

#[test]
fn unauthenticated_clients_cannot_send_big_frames() {
    let p = Pair::start(&["--requirepass", "secret"]);
    for case in [&b"*11\r\n"[..], b"*2\r\n$4\r\nAUTH\r\n$20000\r\n"] {
        let (a, _) = raw_exchange(p.ours.port, case, Duration::from_millis(500));
        let (b, _) = raw_exchange(p.theirs.port, case, Duration::from_millis(500));
        assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    }
}

#[test]
fn resp3_shapes_follow_hello() {
    let p = Pair::start(&[]);
    for script in [&b"HELLO 3\r\nGET missing\r\nSET a 1\r\nPING\r\nHELLO 2\r\nGET missing\r\n"[..], b"HELLO 4\r\nHELLO x\r\nHELLO 3 SETNAME my-name\r\nCLIENT GETNAME\r\n"] {
        let (a, _) = raw_exchange(p.ours.port, script, Duration::from_millis(300));
        let (b, _) = raw_exchange(p.theirs.port, script, Duration::from_millis(300));
        // The id field differs between servers; compare everything else.
        let strip = |v: &[u8]| String::from_utf8_lossy(v).replace(|c: char| c.is_ascii_digit(), "#");
        assert_eq!(strip(&a), strip(&b));
    }
}

#[test]
fn client_reply_modes_match_redis() {
    let p = Pair::start(&[]);
    let script = b"CLIENT REPLY OFF\r\nSET a 1\r\nGET a\r\nCLIENT REPLY ON\r\nGET a\r\nCLIENT REPLY SKIP\r\nGET a\r\nPING\r\nCLIENT REPLY foo\r\n";
    let (a, _) = raw_exchange(p.ours.port, script, Duration::from_millis(300));
    let (b, _) = raw_exchange(p.theirs.port, script, Duration::from_millis(300));
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
}

#[test]
fn quit_answers_ok_and_closes() {
    let s = Server::start(&[]);
    let (out, closed) = raw_exchange(s.port, b"PING\r\nQUIT\r\nPING\r\n", Duration::from_secs(2));
    assert_eq!(out, b"+PONG\r\n+OK\r\n");
    assert!(closed);
}

/// Random bytes and mutated RESP frames, each on a fresh connection, for
/// SLOTD_FUZZ_SECS seconds (default 3): the server must keep answering a control
/// connection. The decoder's own property test (src/resp/decode.rs) runs alongside.
#[test]
fn fuzzed_input_never_takes_the_server_down() {
    let secs: u64 = std::env::var("SLOTD_FUZZ_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let s = Server::start(&[]);
    let mut ctl = s.client();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut x: u64 = 0x2545F4914F6CDD1D ^ std::process::id() as u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let seeds: &[&[u8]] = &[b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n", b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n", b"PING\r\n", b"*1\r\n$4\r\nINFO\r\n", b"HELLO 3\r\n", b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n"];
    let mut runs = 0;
    while Instant::now() < end {
        let mut frame = seeds[(rnd() % seeds.len() as u64) as usize].to_vec();
        for _ in 0..(rnd() % 6) {
            let pos = (rnd() % (frame.len() as u64 + 1)) as usize;
            match rnd() % 4 {
                0 if pos < frame.len() => frame[pos] = rnd() as u8,
                1 => frame.insert(pos, b"*$\r\n-:0123456789\"' "[(rnd() % 19) as usize]),
                2 if pos < frame.len() => {
                    frame.remove(pos);
                }
                _ => frame.extend_from_slice(seeds[(rnd() % seeds.len() as u64) as usize]),
            }
        }
        if let Ok(mut c) = TcpStream::connect(("127.0.0.1", s.port)) {
            let _ = c.write_all(&frame);
            let _ = c.set_read_timeout(Some(Duration::from_millis(20)));
            let mut sink = [0u8; 4096];
            let _ = c.read(&mut sink);
        }
        runs += 1;
        if runs % 50 == 0 {
            assert_eq!(ctl.cmd(&["PING"]), Reply::status("PONG"), "server stopped answering after {runs} fuzz inputs");
        }
    }
    assert_eq!(ctl.cmd(&["PING"]), Reply::status("PONG"));
    assert!(runs > 10);
}

#[test]
fn resp3_attributes_are_sent_before_the_reply_and_dropped_in_resp2() {
    let p = Pair::start(&["--enable-debug-command", "yes"]);
    for proto in [&b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"[..], b"*2\r\n$5\r\nHELLO\r\n$1\r\n2\r\n"] {
        let mut req = proto.to_vec();
        req.extend_from_slice(b"*3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$6\r\nattrib\r\n*1\r\n$4\r\nPING\r\n");
        let (ours, _) = raw_exchange(p.ours.port, &req, Duration::from_millis(300));
        let (theirs, _) = raw_exchange(p.theirs.port, &req, Duration::from_millis(300));
        // Skip the HELLO reply (its id and version fields differ) and compare the rest.
        let tail = |v: &[u8]| {
            let t = String::from_utf8_lossy(v).into_owned();
            t[t.find("$39\r\n").or_else(|| t.find("|1\r\n")).unwrap()..].to_string()
        };
        let (a, b) = (tail(&ours), tail(&theirs));
        assert_eq!(a, b);
        assert!(a.ends_with("Some real reply following the attribute\r\n+PONG\r\n"), "{a}");
    }
}

#[test]
fn a_command_with_twenty_thousand_arguments_runs() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let mut args: Vec<String> = vec!["MSET".into()];
    for _ in 0..10_000 {
        args.push("k".into());
        args.push("v".into());
    }
    args.push("{k}2".into());
    args.push("v2".into());
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    assert_eq!(c.cmd(&a), ok());
    assert_eq!(c.cmd(&["GET", "{k}2"]), bulk("v2"));
}

#[test]
fn keys_of_every_length_up_to_300_bytes_work() {
    let s = Server::start(&[]);
    let mut c = s.client();
    for n in 1..=300 {
        let k = "k".repeat(n);
        assert_eq!(c.cmd(&["SETEX", &k, "100", "x"]), ok(), "key of {n} bytes");
        assert_eq!(c.cmd(&["GET", &k]), bulk("x"), "key of {n} bytes");
    }
}
