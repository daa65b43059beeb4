//! Test support: an in-process server driven through the gate by several sessions,
//! recording what every command propagates. It stands in for Redis's test-suite
//! `attach_to_replication_stream` until the replication stage puts the stream on the
//! wire; it never runs outside `cargo test`.
use crate::config::load::Invocation;
use crate::server::client::{ClientShared, Session};
use crate::server::Server;
use bytes::Bytes;
use std::sync::{Arc, Mutex};

/// Runs `script` (DEBUG enabled) and returns the propagated stream the way Redis's test suite writes
/// it: lowercased words joined by spaces, with a `select <db>` line whenever the
/// database changes (the replication stream's own SELECTs).
///
/// Each line is a space-split command run by client 1, or by client N when prefixed
/// with `N> `; `@sleep <ms>` lets time pass. A client whose command blocks stays
/// blocked (timeouts are not run) until a later command serves it.
pub fn propagated(script: &[&str]) -> Vec<String> {
    let args = ["--enable-debug-command", "yes"].map(String::from);
    let store = match crate::config::load::from_args(&args, || Ok(String::new())) {
        Invocation::Run(store) => *store,
        _ => panic!("test server arguments rejected"),
    };
    let srv = Server::new(store).expect("server");
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = log.clone();
    let mut last_db = None;
    srv.propagation.set_sink(Some(Box::new(move |_seq, db, argv: &[Bytes]| {
        let mut out = sink.lock().unwrap_or_else(|e| e.into_inner());
        if last_db != Some(db) {
            last_db = Some(db);
            out.push(format!("select {db}"));
        }
        let words: Vec<String> = argv.iter().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).collect();
        out.push(words.join(" "));
    })));
    let settings = srv.settings();
    let mut sessions: Vec<Session> = Vec::new();
    let mut out = Vec::new();
    for line in script {
        if let Some(ms) = line.strip_prefix("@sleep ") {
            std::thread::sleep(std::time::Duration::from_millis(ms.parse().expect("milliseconds")));
            continue;
        }
        let (who, cmd) = match line.split_once("> ") {
            Some((n, rest)) => (n.parse::<usize>().expect("client number"), rest),
            None => (1, *line),
        };
        while sessions.len() < who {
            let id = sessions.len() as u64 + 1;
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let shared = Arc::new(ClientShared::new(id, format!("127.0.0.1:{id}"), "127.0.0.1:6379".into(), -1, tx));
            srv.clients.lock().unwrap_or_else(|e| e.into_inner()).insert(id, shared.clone());
            sessions.push(Session::new(shared, true));
        }
        let argv: Vec<Bytes> = cmd.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect();
        crate::cmd::gate::execute(&srv, &mut sessions[who - 1], &settings, &argv, &mut out);
    }
    let v = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    v
}

/// Asserts a stream against Redis-style expectations, where a `*` word matches any
/// word (`pexpireat k *`).
pub fn assert_stream(got: &[String], expected: &[&str]) {
    let matches = got.len() == expected.len()
        && got.iter().zip(expected).all(|(g, e)| {
            let (gw, ew): (Vec<&str>, Vec<&str>) = (g.split(' ').collect(), e.split(' ').collect());
            gw.len() == ew.len() && gw.iter().zip(&ew).all(|(g, e)| *e == "*" || g == e)
        });
    assert!(matches, "propagated stream\n  got:      {got:?}\n  expected: {expected:?}");
}
