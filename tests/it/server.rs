//! Server commands against Debian's redis-server 7.0: COMMAND, CONFIG, INFO, DBSIZE,
//! FLUSH*, TIME, LASTSAVE, SLOWLOG, LATENCY, MEMORY, MONITOR, SHUTDOWN, DEBUG.
use crate::harness::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

fn text(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) => s.to_string(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn items(r: &Reply) -> Vec<Reply> {
    match r {
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => v.clone(),
        other => panic!("expected an array, got {other:?}"),
    }
}

/// Every name COMMAND LIST gives (top-level commands and `parent|sub` subcommands).
fn command_list(c: &mut Client) -> BTreeSet<String> {
    items(&c.cmd(&["COMMAND", "LIST"])).iter().map(text).collect()
}

/// A COMMAND INFO entry with its subcommand entries limited to `keep` and sorted by
/// name (Redis lists them in its hash table's order, which changes from run to run).
fn filter_subcommands(entry: Reply, keep: &BTreeSet<String>) -> Reply {
    let sorted = |v: Vec<Reply>| {
        let mut v: Vec<Reply> = v.into_iter().filter(|s| keep.contains(&text(&items(s)[0]))).collect();
        v.sort_by_key(|s| text(&items(s)[0]));
        v
    };
    match entry {
        Reply::Array(mut f) if f.len() == 10 => {
            f[9] = match f[9].clone() {
                Reply::Array(v) => Reply::Array(sorted(v)),
                Reply::Set(v) => Reply::Set(sorted(v)),
                other => other,
            };
            Reply::Array(f)
        }
        other => other,
    }
}

/// A COMMAND DOCS reply with each command's `subcommands` map limited to `keep` and
/// sorted by name.
fn filter_doc_subcommands(docs: Reply, keep: &BTreeSet<String>) -> Reply {
    match docs {
        Reply::Map(mut outer) => {
            for (_, d) in outer.iter_mut() {
                if let Reply::Map(fields) = d {
                    for (k, v) in fields.iter_mut() {
                        if text(k) == "subcommands" {
                            if let Reply::Map(subs) = v {
                                subs.retain(|(n, _)| keep.contains(&text(n)));
                                subs.sort_by_key(|(n, _)| text(n));
                            }
                        }
                    }
                }
            }
            Reply::Map(outer)
        }
        other => other,
    }
}

#[test]
fn command_info_matches_redis_for_every_implemented_command() {
    let p = Pair::start(&[]);
    for proto in ["2", "3"] {
        let mut a = p.ours.client();
        let mut b = p.theirs.client();
        a.cmd(&["HELLO", proto]);
        b.cmd(&["HELLO", proto]);
        let names = command_list(&mut a);
        let top: Vec<&String> = names.iter().filter(|n| !n.contains('|')).collect();
        assert!(top.len() > 20, "too few commands listed: {top:?}");
        for name in top {
            let ours = filter_subcommands(items(&a.cmd(&["COMMAND", "INFO", name])).remove(0), &names);
            let theirs = filter_subcommands(items(&b.cmd(&["COMMAND", "INFO", name])).remove(0), &names);
            assert_eq!(ours, theirs, "COMMAND INFO {name} (RESP{proto})");
        }
        // Subcommands by their full name too.
        for name in names.iter().filter(|n| n.contains('|')) {
            assert_eq!(a.cmd(&["COMMAND", "INFO", name]), b.cmd(&["COMMAND", "INFO", name]), "COMMAND INFO {name} (RESP{proto})");
        }
    }
}

#[test]
fn command_count_list_and_full_listing_agree() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let names = command_list(&mut c);
    let top: BTreeSet<String> = names.iter().filter(|n| !n.contains('|')).cloned().collect();
    assert_eq!(c.cmd(&["COMMAND", "COUNT"]), int(top.len() as i64));
    let all = items(&c.cmd(&["COMMAND"]));
    let listed: BTreeSet<String> = all.iter().map(|e| text(&items(e)[0])).collect();
    assert_eq!(listed, top);
    assert_eq!(items(&c.cmd(&["COMMAND", "INFO"])).len(), top.len());
    // Every subcommand a container lists is implemented.
    for e in &all {
        for sub in items(&items(e)[9]) {
            assert!(names.contains(&text(&items(&sub)[0])), "unimplemented subcommand listed: {sub:?}");
        }
    }
    for n in ["get", "set", "config|get", "command|info", "subscribe", "debug"] {
        assert!(names.contains(n), "{n} missing from COMMAND LIST");
    }
}

#[test]
fn command_docs_match_redis_for_every_implemented_command() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    a.cmd(&["HELLO", "3"]);
    b.cmd(&["HELLO", "3"]);
    let names = command_list(&mut a);
    for name in names.iter().filter(|n| !n.contains('|')) {
        let ours = filter_doc_subcommands(a.cmd(&["COMMAND", "DOCS", name]), &names);
        let theirs = filter_doc_subcommands(b.cmd(&["COMMAND", "DOCS", name]), &names);
        assert_eq!(ours, theirs, "COMMAND DOCS {name}");
    }
    // RESP2: a flat array of name, docs.
    let mut c = p.ours.client();
    let r = items(&c.cmd(&["COMMAND", "DOCS", "get", "nosuchcommand"]));
    assert_eq!(r.len(), 2);
    assert_eq!(r[0], bulk("get"));
}

#[test]
fn command_subcommands_and_errors_match_redis() {
    assert_same_as_redis(
        &[],
        &[
            "COMMAND INFO get nosuchcommand",
            "COMMAND INFO config|get",
            "COMMAND DOCS nosuchcommand",
            "COMMAND GETKEYS GET a",
            "COMMAND GETKEYS SET a b",
            "COMMAND GETKEYS DEL a b c",
            "COMMAND GETKEYS foo bar",
            "COMMAND GETKEYS ping x",
            "COMMAND GETKEYS GET",
            "COMMAND GETKEYS GET a b",
            "COMMAND GETKEYS config get x",
            "COMMAND GETKEYS config nosuch x",
            "COMMAND GETKEYS sunsubscribe a",
            "COMMAND GETKEYSANDFLAGS SET a b",
            "COMMAND GETKEYSANDFLAGS DEL a b",
            "COMMAND GETKEYSANDFLAGS GET a",
            "COMMAND GETKEYSANDFLAGS foo bar",
            "COMMAND LIST foo",
            "COMMAND LIST FILTERBY foo bar",
            "COMMAND LIST FILTERBY pattern",
            "COMMAND LIST FILTERBY module foo",
            "COMMAND COUNT x",
            "COMMAND foo",
        ],
    );
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    a.cmd(&["HELLO", "3"]);
    b.cmd(&["HELLO", "3"]);
    p.same(&mut a, &mut b, &["COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b"]);
    p.same(&mut a, &mut b, &["COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b", "GET"]);
    p.same(&mut a, &mut b, &["COMMAND", "INFO", "nosuchcommand"]);
}

#[test]
fn command_list_filters_are_redis_filters_restricted_to_implemented_commands() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    let ours_all = command_list(&mut a);
    for filter in [["PATTERN", "c*"], ["PATTERN", "CONFIG|*"], ["ACLCAT", "pubsub"], ["ACLCAT", "string"], ["ACLCAT", "nosuch"], ["MODULE", "x"]] {
        let args = ["COMMAND", "LIST", "FILTERBY", filter[0], filter[1]];
        let ours: BTreeSet<String> = items(&a.cmd(&args)).iter().map(text).collect();
        let theirs: BTreeSet<String> = items(&b.cmd(&args)).iter().map(text).filter(|n| ours_all.contains(n)).collect();
        assert_eq!(ours, theirs, "{args:?}");
    }
}

// ---- CONFIG

fn config_map(c: &mut Client, pattern: &str) -> BTreeMap<String, String> {
    let v = items(&c.cmd(&["CONFIG", "GET", pattern]));
    v.chunks(2).map(|p| (text(&p[0]), text(&p[1]))).collect()
}

#[test]
fn config_get_star_gives_redis_defaults() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    let ours = config_map(&mut a, "*");
    let theirs = config_map(&mut b, "*");
    // Values that depend on where and how each process was started.
    let env = ["dir", "port", "pidfile", "logfile", "daemonize"];
    for (k, v) in &theirs {
        if env.contains(&k.as_str()) {
            continue;
        }
        assert_eq!(ours.get(k), Some(v), "CONFIG GET {k}");
    }
    let extra: Vec<&String> = ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
    assert!(extra.is_empty(), "slotd reports directives redis-server does not: {extra:?}");
}

#[test]
fn config_get_patterns_aliases_and_hidden_configs_match_redis() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    for args in [
        vec!["CONFIG", "GET", "maxmemory*"],
        vec!["CONFIG", "GET", "MAXMEMORY"],
        vec!["CONFIG", "GET", "slave-read-only"],
        vec!["CONFIG", "GET", "*ziplist*"],
        vec!["CONFIG", "GET", "rdb-key-save-delay"],
        vec!["CONFIG", "GET", "rdb-key*"],
        vec!["CONFIG", "GET", "hz", "maxmemory", "hz"],
        vec!["CONFIG", "GET", "repl-ping-*", "repl-timeout"],
        vec!["CONFIG", "GET", "nosuch"],
    ] {
        let ours: BTreeMap<String, String> = items(&a.cmd(&args)).chunks(2).map(|p| (text(&p[0]), text(&p[1]))).collect();
        let theirs: BTreeMap<String, String> = items(&b.cmd(&args)).chunks(2).map(|p| (text(&p[0]), text(&p[1]))).collect();
        assert_eq!(ours, theirs, "{args:?}");
    }
    // RESP3: a map.
    a.cmd(&["HELLO", "3"]);
    assert!(matches!(a.cmd(&["CONFIG", "GET", "hz"]), Reply::Map(_)));
}

#[test]
fn config_set_validates_atomically_like_redis() {
    assert_same_as_redis_args(
        &[],
        &[
            &["CONFIG", "SET", "nosuch", "1"],
            &["CONFIG", "SET", "maxmemory", "10mb", "hz"],
            &["CONFIG", "SET", "maxmemory", "10xb"],
            &["CONFIG", "SET", "maxmemory", "1mb", "maxmemory", "2mb"],
            &["CONFIG", "SET", "daemonize", "yes"],
            &["CONFIG", "SET", "dir", "/"],
            &["CONFIG", "SET", "hz", "20", "maxmemory", "foo"],
            &["CONFIG", "GET", "hz"],
            &["CONFIG", "SET", "hz", "20", "maxmemory", "2mb"],
            &["CONFIG", "GET", "hz"],
            &["CONFIG", "GET", "maxmemory"],
            &["CONFIG", "SET", "port", "99999"],
            &["CONFIG", "SET", "appendfsync", "sometimes"],
            &["CONFIG", "SET", "notify-keyspace-events", "KEA"],
            &["CONFIG", "GET", "notify-keyspace-events"],
            &["CONFIG", "SET", "notify-keyspace-events", "@"],
            &["CONFIG", "SET", "save", "100 10 20 2"],
            &["CONFIG", "GET", "save"],
            &["CONFIG", "SET", "save", "100"],
            &["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 30"],
            &["CONFIG", "GET", "client-output-buffer-limit"],
            &["CONFIG", "SET", "slave-read-only", "no"],
            &["CONFIG", "GET", "replica-read-only"],
            &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
            &["CONFIG", "GET", "maxmemory-policy"],
            &["CONFIG", "SET", "hz", "1000"],
            &["CONFIG", "GET", "hz"],
            &["CONFIG", "REWRITE"],
            &["CONFIG", "FOO"],
            &["CONFIG", "RESETSTAT"],
        ],
    );
}

#[test]
fn config_set_takes_effect_at_once() {
    let dir = tmpdir("cfgdir");
    let s = Server::start(&["--enable-protected-configs", "yes"]);
    let mut c = s.client();
    // maxmemory below what the server uses, with noeviction: writes are refused.
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "1"]), ok());
    assert_eq!(err_text(&c.cmd(&["SET", "k", "v"])), "OOM command not allowed when used memory > 'maxmemory'.");
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "0"]), ok());
    assert_eq!(c.cmd(&["SET", "k", "v"]), ok());
    // dir changes the working directory.
    assert_eq!(c.cmd(&["CONFIG", "SET", "dir", dir.to_str().unwrap()]), ok());
    let canonical = std::fs::canonicalize(&dir).unwrap();
    assert_eq!(config_map(&mut c, "dir")["dir"], canonical.to_string_lossy());
    let cwd = std::fs::read_link(format!("/proc/{}/cwd", s.pid())).unwrap();
    assert_eq!(cwd, canonical);
    // requirepass applies to new connections.
    assert_eq!(c.cmd(&["CONFIG", "SET", "requirepass", "secret"]), ok());
    let mut d = s.client();
    assert_eq!(err_text(&d.cmd(&["GET", "k"])), "NOAUTH Authentication required.");
    assert_eq!(d.cmd(&["AUTH", "secret"]), ok());
    assert_eq!(d.cmd(&["GET", "k"]), bulk("v"));
}

#[test]
fn config_rewrite_updates_the_file_and_keeps_comments() {
    let dir = tmpdir("rewrite");
    let conf = dir.join("node.conf");
    std::fs::write(&conf, "# my comment\nhz 15\n\n# another comment\nmaxmemory-policy allkeys-lru\n").unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slotd"))
        .args([conf.to_str().unwrap(), "--port", &port.to_string(), "--save", "", "--dir", dir.to_str().unwrap(), "--bind", "127.0.0.1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(Duration::from_secs(10), || Client::connect(port).is_ok()));
    let mut c = Client::connect(port).unwrap();
    assert_eq!(c.cmd(&["CONFIG", "SET", "hz", "20", "maxmemory", "1mb"]), ok());
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), ok());
    let text = std::fs::read_to_string(&conf).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("# my comment\nhz 20\n"), "{text}");
    assert!(text.contains("# another comment\nmaxmemory-policy allkeys-lru\n"), "{text}");
    assert!(text.contains("\nmaxmemory 1mb\n"), "{text}");
    assert!(!text.contains("hz 15"), "{text}");
    // The rewritten file starts a server with the new values.
    let port2 = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slotd"))
        .args([conf.to_str().unwrap(), "--port", &port2.to_string(), "--bind", "127.0.0.1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(Duration::from_secs(10), || Client::connect(port2).is_ok()));
    let mut c = Client::connect(port2).unwrap();
    assert_eq!(config_map(&mut c, "hz")["hz"], "20");
    assert_eq!(config_map(&mut c, "maxmemory")["maxmemory"], "1048576");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn debians_redis_conf_starts_slotd() {
    let src = "/etc/redis/redis.conf";
    let dir = tmpdir("debconf");
    let conf = dir.join("redis.conf");
    std::fs::copy(src, &conf).unwrap_or_else(|e| panic!("{src}: {e} (apt-get install redis-server)"));
    let port = free_port();
    let log = std::fs::File::create(dir.join("out.log")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slotd"))
        .args([conf.to_str().unwrap(), "--port", &port.to_string(), "--daemonize", "no", "--logfile", "", "--pidfile", "", "--dir", dir.to_str().unwrap(), "--bind", "127.0.0.1"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let up = wait_until(Duration::from_secs(10), || Client::connect(port).is_ok_and(|mut c| c.cmd(&["PING"]) == Reply::status("PONG")));
    if !up {
        let _ = child.kill();
        panic!("slotd did not start with Debian's redis.conf:\n{}", std::fs::read_to_string(dir.join("out.log")).unwrap_or_default());
    }
    let mut c = Client::connect(port).unwrap();
    // Directives from the file are in effect.
    assert_eq!(config_map(&mut c, "databases")["databases"], "16");
    assert_eq!(config_map(&mut c, "save")["save"], "3600 1 300 100 60 10000");
    c.send(&["SHUTDOWN", "NOSAVE"]);
    assert!(c.try_read().is_none(), "SHUTDOWN should close the connection without a reply");
    let exited = wait_until(Duration::from_secs(10), || matches!(child.try_wait(), Ok(Some(_))));
    assert!(exited, "slotd did not exit after SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_resetstat_zeroes_statistics_but_keeps_the_slowlog() {
    let s = Server::start(&[]);
    let mut c = s.client();
    c.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["GET", "a"]);
    c.cmd(&["NOSUCHCOMMAND"]);
    let info = text(&c.cmd(&["INFO", "all"]));
    assert!(info.contains("cmdstat_set:calls=1,"), "{info}");
    assert!(info.contains("errorstat_ERR:count=1"), "{info}");
    assert!(info.contains("keyspace_hits:1\r\n"), "{info}");
    assert_eq!(c.cmd(&["CONFIG", "RESETSTAT"]), ok());
    let info = text(&c.cmd(&["INFO", "all"]));
    assert!(!info.contains("cmdstat_set"), "{info}");
    assert!(!info.contains("errorstat_ERR"), "{info}");
    assert!(info.contains("keyspace_hits:0\r\n"), "{info}");
    assert!(info.contains("total_error_replies:0\r\n"), "{info}");
    assert!(matches!(c.cmd(&["SLOWLOG", "LEN"]), Reply::Int(n) if n > 0));
}

// ---- INFO

/// (section headers, field names per section) of an INFO text.
fn info_shape(s: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in s.split("\r\n") {
        if let Some(h) = line.strip_prefix("# ") {
            out.push((h.to_string(), Vec::new()));
        } else if let Some((k, _)) = line.split_once(':') {
            out.last_mut().expect("field before any header").1.push(k.to_string());
        }
    }
    out
}

#[test]
fn info_sections_and_fields_follow_redis() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    for args in [vec!["INFO"], vec!["INFO", "everything"], vec!["INFO", "all"], vec!["INFO", "default"], vec!["INFO", "server", "clients"], vec!["INFO", "SERVER"], vec!["INFO", "cpu", "memory"], vec!["INFO", "nosuch"], vec!["INFO", "commandstats"], vec!["INFO", "keyspace"]] {
        let ours = text(&a.cmd(&args));
        let theirs = text(&b.cmd(&args));
        let (so, st) = (info_shape(&ours), info_shape(&theirs));
        let ho: Vec<&String> = so.iter().map(|x| &x.0).collect();
        let ht: Vec<&String> = st.iter().map(|x| &x.0).collect();
        assert_eq!(ho, ht, "{args:?}: section headers");
        for ((name, fo), (_, ft)) in so.iter().zip(st.iter()) {
            if ["Commandstats", "Errorstats", "Latencystats", "Keyspace"].contains(&name.as_str()) {
                continue;
            }
            // Redis's fields appear in Redis's order; slotd may add its own.
            let mut it = fo.iter();
            for f in ft {
                assert!(it.any(|x| x == f), "{args:?}: section {name}: field {f} missing or out of order in {fo:?}");
            }
        }
        // Same framing: sections separated by a blank line, CRLF everywhere.
        assert_eq!(ours.is_empty(), theirs.is_empty(), "{args:?}");
        if !ours.is_empty() {
            assert!(ours.ends_with("\r\n") && !ours.ends_with("\r\n\r\n"), "{args:?}: {ours:?}");
            assert!(!ours.replace("\r\n", "").contains('\n'), "bare LF in INFO");
        }
    }
    // RESP3: a verbatim string.
    a.cmd(&["HELLO", "3"]);
    assert!(matches!(a.cmd(&["INFO", "cpu"]), Reply::Verbatim(f, _) if f == "txt"));
}

fn info_field(c: &mut Client, section: &str, field: &str) -> String {
    let t = text(&c.cmd(&["INFO", section]));
    t.split("\r\n").find_map(|l| l.strip_prefix(&format!("{field}:")).map(String::from)).unwrap_or_else(|| panic!("no {field} in INFO {section}:\n{t}"))
}

#[test]
fn info_values_are_plausible_and_move() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let _other = s.client();
    assert_eq!(info_field(&mut c, "server", "redis_version"), "7.0.15");
    assert!(!info_field(&mut c, "server", "slotd_version").is_empty());
    assert_eq!(info_field(&mut c, "server", "tcp_port"), s.port.to_string());
    assert_eq!(info_field(&mut c, "server", "process_id"), s.pid().to_string());
    assert_eq!(info_field(&mut c, "server", "run_id").len(), 40);
    assert_eq!(info_field(&mut c, "server", "redis_mode"), "standalone");
    assert_eq!(info_field(&mut c, "server", "hz"), "10");
    assert!(info_field(&mut c, "server", "executable").ends_with("slotd"));
    assert_eq!(info_field(&mut c, "clients", "connected_clients"), "2");
    assert_eq!(info_field(&mut c, "clients", "maxclients"), "10000");
    let used: u64 = info_field(&mut c, "memory", "used_memory").parse().unwrap();
    let rss: u64 = info_field(&mut c, "memory", "used_memory_rss").parse().unwrap();
    assert!(used > 0 && rss > 0, "used {used} rss {rss}");
    assert_eq!(info_field(&mut c, "memory", "maxmemory_policy"), "noeviction");
    assert_eq!(info_field(&mut c, "persistence", "loading"), "0");
    assert_eq!(info_field(&mut c, "replication", "role"), "master");
    assert_eq!(info_field(&mut c, "replication", "master_replid").len(), 40);
    let before: u64 = info_field(&mut c, "stats", "total_commands_processed").parse().unwrap();
    let dirty0: u64 = info_field(&mut c, "persistence", "rdb_changes_since_last_save").parse().unwrap();
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["GET", "a"]);
    c.cmd(&["GET", "nosuch"]);
    let after: u64 = info_field(&mut c, "stats", "total_commands_processed").parse().unwrap();
    assert!(after >= before + 3, "{before} -> {after}");
    assert_eq!(info_field(&mut c, "persistence", "rdb_changes_since_last_save").parse::<u64>().unwrap(), dirty0 + 1);
    assert_eq!(info_field(&mut c, "stats", "keyspace_hits"), "1");
    assert_eq!(info_field(&mut c, "stats", "keyspace_misses"), "1");
    assert_eq!(info_field(&mut c, "keyspace", "db0"), "keys=1,expires=0,avg_ttl=0");
    let cs = info_field(&mut c, "commandstats", "cmdstat_get");
    assert!(cs.starts_with("calls=2,usec=") && cs.ends_with(",rejected_calls=0,failed_calls=0"), "{cs}");
    c.cmd(&["GET"]);
    assert!(info_field(&mut c, "commandstats", "cmdstat_get").ends_with(",rejected_calls=1,failed_calls=0"));
    assert_eq!(info_field(&mut c, "errorstats", "errorstat_ERR"), "count=1");
    c.cmd(&["CONFIG", "SET", "maxmemory", "100mb"]);
    assert_eq!(info_field(&mut c, "memory", "maxmemory_human"), "100.00M");
    let user: f64 = info_field(&mut c, "cpu", "used_cpu_user").parse().unwrap();
    assert!(user >= 0.0);
    assert_eq!(info_field(&mut c, "cluster", "cluster_enabled"), "0");
}

// ---- keyspace-wide commands

#[test]
fn dbsize_flushdb_flushall_match_redis() {
    assert_same_as_redis(
        &[],
        &[
            "SET a 1",
            "SET b 2",
            "DBSIZE",
            "SELECT 1",
            "SET c 3",
            "DBSIZE",
            "FLUSHDB",
            "DBSIZE",
            "SET c 3",
            "SELECT 0",
            "DBSIZE",
            "FLUSHDB x",
            "FLUSHDB SYNC",
            "DBSIZE",
            "SELECT 1",
            "DBSIZE",
            "FLUSHALL ASYNC",
            "DBSIZE",
            "FLUSHALL foo",
            "FLUSHALL async sync",
            "FLUSHALL sync",
            "DBSIZE x",
            "TIME x",
            "LASTSAVE x",
        ],
    );
}

#[test]
fn flush_invalidates_watches_of_existing_keys_like_redis() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    let mut a2 = p.ours.client();
    let mut b2 = p.theirs.client();
    for (flush, existing) in [("FLUSHALL", true), ("FLUSHALL", false), ("FLUSHDB", true), ("FLUSHDB", false)] {
        if existing {
            p.same(&mut a, &mut b, &["SET", "w", "1"]);
        }
        p.same(&mut a, &mut b, &["WATCH", "w"]);
        p.same(&mut a2, &mut b2, &[flush]);
        p.same(&mut a, &mut b, &["MULTI"]);
        p.same(&mut a, &mut b, &["GET", "w"]);
        p.same(&mut a, &mut b, &["EXEC"]);
    }
}

#[test]
fn time_and_lastsave_are_current() {
    let s = Server::start(&[]);
    let mut c = s.client();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let t = items(&c.cmd(&["TIME"]));
    let secs: i64 = text(&t[0]).parse().unwrap();
    let usecs: i64 = text(&t[1]).parse().unwrap();
    assert!((secs - now).abs() <= 2 && (0..1_000_000).contains(&usecs), "{t:?}");
    match c.cmd(&["LASTSAVE"]) {
        Reply::Int(l) => assert!((l - now).abs() <= 60, "{l} vs {now}"),
        other => panic!("{other:?}"),
    }
}

// ---- SLOWLOG, LATENCY, MEMORY

#[test]
fn slowlog_errors_and_help_match_redis() {
    assert_same_as_redis(&[], &["SLOWLOG RESET", "SLOWLOG LEN", "SLOWLOG GET", "SLOWLOG GET -1", "SLOWLOG GET 0", "SLOWLOG GET x", "SLOWLOG GET -2", "SLOWLOG GET 1 2", "SLOWLOG foo", "SLOWLOG LEN x"]);
}

#[test]
fn slowlog_records_entries_in_redis_shape() {
    let s = Server::start(&[]);
    let mut c = s.client();
    c.cmd(&["CLIENT", "SETNAME", "me"]);
    c.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    c.cmd(&["SET", "slowkey", "v"]);
    let e = items(&c.cmd(&["SLOWLOG", "GET", "1"]));
    assert_eq!(e.len(), 1);
    let e = items(&e[0]);
    assert_eq!(e.len(), 6);
    assert!(matches!(e[0], Reply::Int(_)) && matches!(e[1], Reply::Int(_)) && matches!(e[2], Reply::Int(_)));
    assert_eq!(e[3], bulks(&["SET", "slowkey", "v"]));
    assert!(text(&e[4]).starts_with("127.0.0.1:"));
    assert_eq!(e[5], bulk("me"));
    assert!(matches!(c.cmd(&["SLOWLOG", "LEN"]), Reply::Int(n) if n >= 2));
    c.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "-1"]);
    assert_eq!(c.cmd(&["SLOWLOG", "RESET"]), ok());
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), int(0));
    // Long arguments are cut as Redis cuts them.
    c.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    let long = "x".repeat(200);
    c.cmd(&["SET", "k", &long]);
    let e = items(&items(&c.cmd(&["SLOWLOG", "GET", "1"]))[0]);
    assert_eq!(items(&e[3])[2], bulk(&format!("{}... (72 more bytes)", "x".repeat(128))));
}

#[test]
fn latency_commands_match_redis_when_idle() {
    assert_same_as_redis(&[], &["LATENCY LATEST", "LATENCY HISTORY command", "LATENCY RESET", "LATENCY RESET command", "LATENCY GRAPH command", "LATENCY DOCTOR", "LATENCY HISTORY", "LATENCY foo"]);
}

#[test]
fn latency_monitor_records_slow_commands() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    c.cmd(&["CONFIG", "SET", "latency-monitor-threshold", "10"]);
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.05"]), ok());
    let latest = items(&c.cmd(&["LATENCY", "LATEST"]));
    assert_eq!(latest.len(), 1);
    let row = items(&latest[0]);
    assert_eq!(row[0], bulk("command"));
    assert!(matches!(row[2], Reply::Int(ms) if ms >= 50), "{row:?}");
    let hist = items(&c.cmd(&["LATENCY", "HISTORY", "command"]));
    assert_eq!(hist.len(), 1);
    assert_eq!(c.cmd(&["LATENCY", "RESET"]), int(1));
    assert_eq!(c.cmd(&["LATENCY", "LATEST"]), arr(vec![]));
}

#[test]
fn memory_commands_match_redis() {
    assert_same_as_redis(
        &[],
        &["SET a hello", "MEMORY USAGE a", "MEMORY USAGE nokey", "MEMORY USAGE a SAMPLES", "MEMORY USAGE a SAMPLES x", "MEMORY USAGE a SAMPLES -1", "MEMORY USAGE a foo 1", "MEMORY USAGE a SAMPLES 0", "MEMORY PURGE", "MEMORY foo"],
    );
}

#[test]
fn memory_stats_has_redis_fields() {
    let p = Pair::start(&[]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    for c in [&mut a, &mut b] {
        c.cmd(&["HELLO", "3"]);
        c.cmd(&["SET", "k", "v"]);
    }
    let keys = |r: Reply| -> Vec<String> {
        match r {
            Reply::Map(m) => m.iter().map(|(k, _)| text(k)).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(keys(a.cmd(&["MEMORY", "STATS"])), keys(b.cmd(&["MEMORY", "STATS"])));
    assert!(matches!(a.cmd(&["MEMORY", "DOCTOR"]), Reply::Verbatim(..)));
    assert!(matches!(a.cmd(&["MEMORY", "MALLOC-STATS"]), Reply::Verbatim(..)));
}

// ---- MONITOR, SHUTDOWN

#[test]
fn monitor_streams_other_clients_commands() {
    let s = Server::start(&[]);
    let mut m = s.client();
    assert_eq!(m.cmd(&["MONITOR"]), ok());
    let mut c = s.client();
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", "k", "a \"quoted\"\nvalue"]);
    let line1 = text(&m.read());
    let line2 = text(&m.read());
    // +<secs>.<usecs> [<db> <addr>] "arg" ...
    let (ts, rest) = line1.split_once(' ').unwrap();
    assert!(ts.split_once('.').is_some_and(|(s, u)| s.parse::<u64>().is_ok() && u.len() == 6), "{line1}");
    assert!(rest.starts_with("[0 127.0.0.1:") && rest.ends_with("] \"SELECT\" \"3\""), "{line1}");
    assert!(line2.contains("[3 127.0.0.1:") && line2.ends_with("] \"SET\" \"k\" \"a \\\"quoted\\\"\\nvalue\""), "{line2}");
    // Admin commands are not shown; the monitor leaves with QUIT.
    c.cmd(&["CONFIG", "GET", "hz"]);
    c.cmd(&["GET", "k"]);
    assert!(text(&m.read()).ends_with("\"GET\" \"k\""));
    m.send(&["QUIT"]);
    assert_eq!(m.read(), ok());
    assert!(m.try_read().is_none(), "the monitor connection should close after QUIT");
}

#[test]
fn shutdown_errors_match_redis() {
    assert_same_as_redis(&[], &["SHUTDOWN foo", "SHUTDOWN ABORT", "SHUTDOWN NOSAVE SAVE", "SHUTDOWN NOW ABORT"]);
}

#[test]
fn shutdown_stops_the_process_cleanly() {
    for args in [vec!["SHUTDOWN"], vec!["SHUTDOWN", "NOSAVE"], vec!["SHUTDOWN", "SAVE", "NOW", "FORCE"]] {
        let mut s = Server::start(&[]);
        let mut c = s.client();
        c.send(&args);
        assert!(c.try_read().is_none(), "{args:?} replied");
        assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0), "{args:?}");
    }
}

// ---- DEBUG

#[test]
fn debug_subcommands_match_redis() {
    assert_same_as_redis(
        &["--enable-debug-command", "yes"],
        &[
            "DEBUG SLEEP 0",
            "DEBUG SLEEP x",
            "DEBUG SET-ACTIVE-EXPIRE 1",
            "DEBUG SET-ACTIVE-EXPIRE",
            "DEBUG OBJECT nokey",
            "DEBUG POPULATE x",
            "DEBUG POPULATE -1",
            "DEBUG POPULATE 1 a b c",
            "DEBUG foo",
            "DEBUG DIGEST",
            "DEBUG DIGEST x",
            "DEBUG DIGEST-VALUE",
            "DEBUG DIGEST-VALUE nokey",
            "DEBUG POPULATE 100",
            "DBSIZE",
            "GET key:42",
            "DEBUG DIGEST",
            "DEBUG POPULATE 10 pre 3",
            "GET pre:7",
            "DEBUG POPULATE 10 long 12",
            "GET long:7",
            "DEBUG DIGEST",
            "DEBUG DIGEST-VALUE key:1 nokey pre:2",
            "SELECT 5",
            "SET x y",
            "DEBUG DIGEST",
            "FLUSHALL",
            "DEBUG DIGEST",
            "DEBUG CHANGE-REPL-ID",
            "DEBUG ERROR oops",
            "DEBUG LOG hello",
        ],
    );
}

#[test]
fn debug_digest_equals_redis_after_the_same_writes() {
    let p = Pair::start(&["--enable-debug-command", "yes"]);
    let mut a = p.ours.client();
    let mut b = p.theirs.client();
    let script: Vec<Vec<String>> = (0..200)
        .map(|i| match i % 4 {
            0 => vec!["SET".into(), format!("k{i}"), format!("v{i}")],
            1 => vec!["SET".into(), format!("n{i}"), format!("{}", i * 1000)],
            2 => vec!["SELECT".into(), format!("{}", i % 3)],
            _ => vec!["DEL".into(), format!("k{}", i - 3)],
        })
        .collect();
    for cmd in &script {
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        p.same(&mut a, &mut b, &args);
    }
    p.same(&mut a, &mut b, &["DEBUG", "DIGEST"]);
    let d = a.cmd(&["DEBUG", "DIGEST"]);
    assert_ne!(d, Reply::status("0000000000000000000000000000000000000000"));
    p.same(&mut a, &mut b, &["DEBUG", "DIGEST-VALUE", "k4", "n1", "nokey"]);
}

#[test]
fn debug_object_reports_redis_fields() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    c.cmd(&["SET", "s", "hello"]);
    c.cmd(&["SET", "i", "12345"]);
    let o = text(&c.cmd(&["DEBUG", "OBJECT", "s"]));
    assert!(o.starts_with("Value at:0x") && o.contains(" refcount:1 encoding:embstr serializedlength:6 lru:") && o.contains(" lru_seconds_idle:"), "{o}");
    let o = text(&c.cmd(&["DEBUG", "OBJECT", "i"]));
    assert!(o.contains("encoding:int serializedlength:3 "), "{o}");
}

#[test]
fn debug_sleep_stalls_for_the_given_seconds() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), ok());
    let t = std::time::Instant::now();
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.3"]), ok());
    assert!(t.elapsed() >= Duration::from_millis(250));
    assert_eq!(s.client().cmd(&["PING"]), Reply::status("PONG"));
}

#[test]
fn debug_is_refused_unless_enabled() {
    assert_same_as_redis(&[], &["DEBUG DIGEST"]);
}

#[test]
fn keyspace_wide_commands_inside_a_transaction_match_redis() {
    assert_same_as_redis(
        &["--enable-debug-command", "yes"],
        &["MULTI", "SET a 1", "DBSIZE", "DEBUG DIGEST", "DEBUG DIGEST-VALUE a", "DEBUG POPULATE 3", "SET b 2", "DBSIZE", "FLUSHDB", "SET c 3", "DEBUG DIGEST", "EXEC", "DBSIZE"],
    );
    let s = Server::start(&[]);
    let mut c = s.client();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["INFO", "keyspace"]);
    c.cmd(&["MEMORY", "STATS"]);
    let r = items(&c.cmd(&["EXEC"]));
    assert!(text(&r[1]).contains("db0:keys=1,expires=0"), "{r:?}");
}

#[test]
fn debug_protocol_replies_match_redis_in_both_protocols() {
    let p = Pair::start(&["--enable-debug-command", "yes"]);
    let types = ["string", "integer", "double", "bignum", "null", "array", "set", "map", "push", "verbatim", "true", "false", "foo", "ATTRIB"];
    for proto in ["2", "3"] {
        let mut a = p.ours.client();
        let mut b = p.theirs.client();
        a.cmd(&["HELLO", proto]);
        b.cmd(&["HELLO", proto]);
        for t in types {
            let n = if proto == "3" && t == "push" { 2 } else { 1 };
            a.send(&["DEBUG", "PROTOCOL", t]);
            b.send(&["DEBUG", "PROTOCOL", t]);
            for _ in 0..n {
                assert_eq!(a.read(), b.read(), "DEBUG PROTOCOL {t} (RESP{proto})");
            }
        }
    }
}

// ---- CONFIG details found by Redis's own test suite

#[test]
fn config_values_print_and_fail_like_redis() {
    assert_same_as_redis_args(
        &[],
        &[
            &["CONFIG", "GET", "latency-tracking-info-percentiles"],
            &["CONFIG", "SET", "latency-tracking-info-percentiles", "0.1 0.3333333 12.3456789 99.99999999"],
            &["CONFIG", "GET", "latency-tracking-info-percentiles"],
            &["CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 100.0"],
            &["CONFIG", "GET", "latency-tracking-info-percentiles"],
            &["CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 50.0 101.0"],
            &["CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 50.0 a"],
            &["CONFIG", "SET", "maxmemory-clients", "200%"],
            &["CONFIG", "SET", "maxmemory-clients", "101%"],
            &["CONFIG", "SET", "maxmemory-clients", "-1%"],
            &["CONFIG", "SET", "maxmemory-clients", "5%"],
            &["CONFIG", "GET", "maxmemory-clients"],
            &["CONFIG", "SET", "maxmemory", "10000002"],
            &["CONFIG", "SET", "maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid"],
            &["CONFIG", "GET", "maxmemory"],
            &["CONFIG", "SET", "shutdown-on-sigterm", "force nosave now"],
            &["CONFIG", "GET", "shutdown-on-sigterm"],
            &["CONFIG", "SET", "shutdown-on-sigterm", "force force"],
            &["CONFIG", "GET", "shutdown-on-sigterm"],
            &["CONFIG", "SET", "shutdown-on-sigterm", "save nosave"],
            &["CONFIG", "SET", "shutdown-on-sigterm", ""],
            &["CONFIG", "SET", "shutdown-on-sigterm", "default save"],
            &["CONFIG", "GET", "shutdown-on-sigterm"],
            &["CONFIG", "SET", "shutdown-on-sigterm", "default"],
            &["CONFIG", "GET", "shutdown-on-sigterm"],
            &["CONFIG", "SET", "save", "0 1"],
            &["CONFIG", "SET", "save", "1 0"],
            &["CONFIG", "GET", "save"],
            &["CONFIG", "SET", "bind", "999.999.999.999"],
            &["CONFIG", "GET", "bind"],
        ],
    );
}

#[test]
fn config_set_port_moves_the_listener_and_rolls_back_when_the_port_is_taken() {
    let s = Server::start(&[]);
    let theirs = Server::start_redis(&[]);
    let mut c = s.client();
    let new_port = free_port();
    assert_eq!(c.cmd(&["CONFIG", "SET", "port", &new_port.to_string()]), ok());
    let mut moved = Client::connect(new_port).expect("listening on the new port");
    assert_eq!(moved.cmd(&["PING"]), Reply::status("PONG"));
    assert!(Client::connect(s.port).is_err(), "the old port should be closed");
    // The connection that asked stays up.
    assert_eq!(c.cmd(&["PING"]), Reply::status("PONG"));
    // A port in use: the whole CONFIG SET fails with Redis's text and nothing changes.
    let taken = free_port();
    let _holder = std::net::TcpListener::bind(("127.0.0.1", taken)).unwrap();
    let args = ["CONFIG", "SET", "maxmemory", "10000001", "port", &taken.to_string(), "client-query-buffer-limit", "10mb"];
    let ours = moved.cmd(&args);
    assert_eq!(ours, theirs.client().cmd(&args));
    assert_eq!(err_text(&ours), "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.");
    assert_eq!(moved.cmd(&["CONFIG", "GET", "maxmemory"]), bulks(&["maxmemory", "0"]));
    assert_eq!(moved.cmd(&["CONFIG", "GET", "port"]), bulks(&["port", &new_port.to_string()]));
    assert_eq!(Client::connect(new_port).unwrap().cmd(&["PING"]), Reply::status("PONG"));
}

#[test]
fn config_set_bind_empty_stops_tcp_and_a_bad_address_changes_nothing() {
    let s = Server::start(&[]);
    let mut c = s.client();
    assert_eq!(err_text(&c.cmd(&["CONFIG", "SET", "bind", "999.999.999.999"])), "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.");
    assert_eq!(s.client().cmd(&["PING"]), Reply::status("PONG"));
    assert_eq!(c.cmd(&["CONFIG", "SET", "bind", ""]), ok());
    assert_eq!(c.cmd(&["CONFIG", "GET", "bind"]), bulks(&["bind", ""]));
    assert!(Client::connect(s.port).is_err(), "no TCP listener with an empty bind list");
    assert_eq!(c.cmd(&["CONFIG", "SET", "bind", "127.0.0.1"]), ok());
    assert_eq!(s.client().cmd(&["PING"]), Reply::status("PONG"));
}

/// A server started from a config file (which must come first on the command line).
struct FromFile {
    child: std::process::Child,
    port: u16,
}

impl FromFile {
    fn start(conf: &std::path::Path, dir: &std::path::Path) -> FromFile {
        let text = std::fs::read_to_string(conf).unwrap();
        let port: u16 = text.lines().find_map(|l| l.strip_prefix("port ")).and_then(|p| p.trim().parse().ok()).expect("port line");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_slotd")).arg(conf).current_dir(dir).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
        let up = wait_until(Duration::from_secs(10), || Client::connect(port).is_ok_and(|mut c| c.try_cmd(&["PING"]).is_some()));
        assert!(up, "slotd did not start from {conf:?}");
        FromFile { child, port }
    }

    fn client(&self) -> Client {
        Client::connect(self.port).unwrap()
    }
}

impl Drop for FromFile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn rename_command_in_the_config_file_holds_across_config_rewrite() {
    let dir = tmpdir("rename");
    let conf = dir.join("node.conf");
    std::fs::write(&conf, format!("port {}\nbind 127.0.0.1\nsave \"\"\nrename-command flushdb badger\nrename-command eval \"\"\n", free_port())).unwrap();
    let s = FromFile::start(&conf, &dir);
    let mut c = s.client();
    assert!(err_text(&c.cmd(&["FLUSHDB"])).starts_with("ERR unknown command 'FLUSHDB'"));
    assert_eq!(c.cmd(&["BADGER"]), ok());
    assert_eq!(c.cmd(&["CONFIG", "SET", "hz", "20"]), ok());
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), ok());
    drop(c);
    drop(s);
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.contains("rename-command flushdb badger") && text.contains("hz 20"), "{text}");
    let s = FromFile::start(&conf, &dir);
    let mut c = s.client();
    assert!(err_text(&c.cmd(&["FLUSHDB"])).starts_with("ERR unknown command"));
    assert_eq!(c.cmd(&["BADGER"]), ok());
    drop(s);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn debug_config_rewrite_force_all_writes_a_file_that_restarts_the_same() {
    let dir = tmpdir("forceall");
    let conf = dir.join("node.conf");
    std::fs::write(&conf, format!("port {}\nbind 127.0.0.1\nsave \"\"\nenable-debug-command yes\n", free_port())).unwrap();
    let s = FromFile::start(&conf, &dir);
    let mut c = s.client();
    c.cmd(&["CONFIG", "SET", "shutdown-on-sigterm", "nosave now"]);
    c.cmd(&["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.9"]);
    let before = config_map(&mut c, "*");
    assert_eq!(c.cmd(&["DEBUG", "CONFIG-REWRITE-FORCE-ALL"]), ok());
    drop(c);
    drop(s);
    let text = std::fs::read_to_string(&conf).unwrap();
    for name in ["maxmemory-policy", "hz", "appendfsync", "notify-keyspace-events", "client-output-buffer-limit"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{name} missing from\n{text}");
    }
    let s = FromFile::start(&conf, &dir);
    let after = config_map(&mut s.client(), "*");
    assert_eq!(before, after);
    drop(s);
    let _ = std::fs::remove_dir_all(dir);
}

// ---- latency tracking, error and command statistics

fn info_lines(c: &mut Client, section: &str) -> Vec<String> {
    text(&c.cmd(&["INFO", section])).lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

/// An INFO latencystats line with its numbers replaced by `N`, so slotd's and Redis's
/// lines compare by shape: `latency_percentiles_usec_set:p50=N,p99=N`.
fn latency_shape(line: &str) -> String {
    let (name, rest) = line.split_once(':').unwrap();
    let fields: Vec<String> = rest
        .split(',')
        .map(|f| {
            let (label, v) = f.split_once('=').unwrap();
            let (int, frac) = v.split_once('.').expect("three decimals");
            assert!(int.parse::<u64>().is_ok() && frac.len() == 3, "{line}");
            format!("{label}=N")
        })
        .collect();
    format!("{name}:{}", fields.join(","))
}

#[test]
fn info_latencystats_follows_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for c in [&mut a, &mut b] {
        c.cmd(&["CONFIG", "RESETSTAT"]);
        c.cmd(&["CONFIG", "SET", "latency-tracking", "no"]);
        c.cmd(&["SET", "a", "b"]);
    }
    assert!(!info_lines(&mut a, "latencystats").iter().any(|l| l.contains("_set:")));
    for c in [&mut a, &mut b] {
        c.cmd(&["CONFIG", "SET", "latency-tracking", "yes"]);
        c.cmd(&["CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 99.9 100.0"]);
        c.cmd(&["SET", "a", "b"]);
        c.cmd(&["CLIENT", "ID"]);
    }
    let shapes = |c: &mut Client| info_lines(c, "latencystats").iter().map(|l| latency_shape(l)).collect::<BTreeSet<_>>();
    assert_eq!(shapes(&mut a), shapes(&mut b));
    assert!(shapes(&mut a).contains("latency_percentiles_usec_set:p0=N,p50=N,p99.9=N,p100=N"));
    assert!(shapes(&mut a).contains("latency_percentiles_usec_client|id:p0=N,p50=N,p99.9=N,p100=N"));
    a.cmd(&["CONFIG", "RESETSTAT"]);
    // RESETSTAT forgets every command but itself (recorded once it ran).
    let left: Vec<String> = info_lines(&mut a, "latencystats").iter().map(|l| l.split(':').next().unwrap().to_string()).collect();
    assert_eq!(left, vec!["latency_percentiles_usec_config|resetstat"]);
}

#[test]
fn latency_of_a_slow_command_is_measured() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    c.cmd(&["CONFIG", "SET", "latency-tracking-info-percentiles", "50"]);
    c.cmd(&["DEBUG", "SLEEP", "0.05"]);
    let line = info_lines(&mut c, "latencystats").into_iter().find(|l| l.starts_with("latency_percentiles_usec_debug:")).unwrap();
    let p50: f64 = line.split("p50=").nth(1).unwrap().parse().unwrap();
    assert!((50_000.0..60_000.0).contains(&p50), "{line}");
}

#[test]
fn latency_histogram_follows_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let shape = |r: Reply| -> Vec<(String, i64, i64)> {
        let Reply::Map(cmds) = r else { panic!("{r:?}") };
        cmds.into_iter()
            .map(|(name, v)| {
                let Reply::Map(f) = v else { panic!() };
                let calls = match &f[0] {
                    (k, Reply::Int(n)) if text(k) == "calls" => *n,
                    other => panic!("{other:?}"),
                };
                let Reply::Map(hist) = &f[1].1 else { panic!() };
                // Cumulative counts: increasing, the last one is the number of calls.
                let counts: Vec<i64> = hist.iter().map(|(_, n)| if let Reply::Int(n) = n { *n } else { panic!() }).collect();
                assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
                (text(&name), calls, *counts.last().unwrap())
            })
            .collect()
    };
    for c in [&mut a, &mut b] {
        c.cmd(&["HELLO", "3"]);
        c.cmd(&["CONFIG", "RESETSTAT"]);
    }
    assert_eq!(shape(a.cmd(&["LATENCY", "HISTOGRAM"])), vec![("config|resetstat".to_string(), 1, 1)]);
    for c in [&mut a, &mut b] {
        c.cmd(&["CONFIG", "RESETSTAT"]);
        c.cmd(&["SET", "a", "b"]);
        c.cmd(&["SET", "c", "d"]);
        c.cmd(&["CLIENT", "ID"]);
        c.cmd(&["CLIENT", "LIST"]);
    }
    for args in [&["LATENCY", "HISTOGRAM", "set", "client"][..], &["LATENCY", "HISTOGRAM", "blabla", "client|id", "get"], &["LATENCY", "HISTOGRAM", "blabla"]] {
        let (ra, rb) = (shape(a.cmd(args)), shape(b.cmd(args)));
        assert_eq!(ra.iter().collect::<BTreeSet<_>>(), rb.iter().collect::<BTreeSet<_>>(), "{args:?}");
    }
}

fn stat_line(c: &mut Client, section: &str, prefix: &str) -> String {
    info_lines(c, section).into_iter().find(|l| l.starts_with(prefix)).unwrap_or_default()
}

/// `cmdstat_x:calls=..,usec=..,...` without the timing fields.
fn calls_only(line: &str) -> String {
    line.split(',').filter(|f| !f.starts_with("usec")).collect::<Vec<_>>().join(",")
}

#[test]
fn blocked_commands_are_counted_once_and_unblock_errors_count_as_errors() {
    let p = Pair::start(&[]);
    for s in [&p.ours, &p.theirs] {
        let mut c = s.client();
        let mut w = s.client();
        c.cmd(&["CONFIG", "RESETSTAT"]);
        let Reply::Int(id) = w.cmd(&["CLIENT", "ID"]) else { panic!() };
        // Served: one call.
        w.send(&["BLPOP", "l", "0"]);
        assert!(wait_until(Duration::from_secs(5), || stat_line(&mut c, "clients", "blocked_clients:") == "blocked_clients:1"));
        c.cmd(&["LPUSH", "l", "x"]);
        assert_eq!(w.read(), bulks(&["l", "x"]));
        // Timed out: one call.
        assert_eq!(w.cmd(&["BLPOP", "l", "0.01"]), Reply::NilArray);
        // Unblocked with an error: a failed call and an UNBLOCKED error.
        w.send(&["BLPOP", "l", "0"]);
        assert!(wait_until(Duration::from_secs(5), || stat_line(&mut c, "clients", "blocked_clients:") == "blocked_clients:1"));
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id.to_string(), "ERROR"]), int(1));
        assert_eq!(err_text(&w.read()), "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    }
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    assert_eq!(calls_only(&stat_line(&mut a, "commandstats", "cmdstat_blpop:")), "cmdstat_blpop:calls=3,rejected_calls=0,failed_calls=1");
    assert_eq!(calls_only(&stat_line(&mut a, "commandstats", "cmdstat_blpop:")), calls_only(&stat_line(&mut b, "commandstats", "cmdstat_blpop:")));
    assert_eq!(stat_line(&mut a, "errorstats", "errorstat_UNBLOCKED"), stat_line(&mut b, "errorstats", "errorstat_UNBLOCKED"));
    assert_eq!(stat_line(&mut a, "errorstats", "errorstat_UNBLOCKED"), "errorstat_UNBLOCKED:count=1");
}

#[test]
fn monitor_shows_a_transactions_commands_when_exec_runs() {
    let p = Pair::start(&[]);
    let mut seen = Vec::new();
    for s in [&p.ours, &p.theirs] {
        let mut m = s.client();
        assert_eq!(m.cmd(&["MONITOR"]), ok());
        let mut c = s.client();
        for args in [&["MULTI"][..], &["SET", "foo", "bar"], &["EXEC"], &["MULTI"], &["NOSUCH"], &["EXEC"], &["PING"]] {
            c.cmd(args);
        }
        // What follows the "+<time> [<db> <addr>]" prefix.
        let cmds: Vec<String> = (0..6).map(|_| text(&m.read()).split_once("] ").unwrap().1.to_string()).collect();
        seen.push(cmds);
    }
    assert_eq!(seen[0], vec!["\"MULTI\"", "\"SET\" \"foo\" \"bar\"", "\"EXEC\"", "\"MULTI\"", "\"EXEC\"", "\"PING\""]);
    assert_eq!(seen[0], seen[1]);
}

/// HELP texts are slotd's own words, but the frame and the subcommand syntax lines (the
/// lines that do not start with a space) are Redis's facts: compare those.
#[test]
fn help_replies_list_the_same_subcommands_as_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for cmd in ["OBJECT", "PUBSUB", "COMMAND", "CONFIG", "SLOWLOG", "LATENCY", "MEMORY"] {
        let syntax = |r: Reply| -> Vec<String> {
            let Reply::Array(lines) = r else { panic!("{cmd} HELP: not an array: {r:?}") };
            lines
                .into_iter()
                .map(|l| match l {
                    Reply::Status(s) => s.into_owned(),
                    other => panic!("{cmd} HELP: not a status line: {other:?}"),
                })
                .filter(|l| !l.starts_with(' '))
                .collect()
        };
        let ours = syntax(a.cmd(&[cmd, "HELP"]));
        assert!(ours.len() >= 3, "{cmd} HELP lists nothing: {ours:?}");
        assert_eq!(ours, syntax(b.cmd(&[cmd, "HELP"])), "{cmd} HELP");
    }
}
