//! Launching like redis-server: config sources, start-up lines, errors, Unix socket,
//! signals.
use crate::harness::*;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_slotd");

#[test]
fn version_and_help_print_and_exit() {
    let v = Command::new(BIN).arg("--version").output().unwrap();
    assert!(v.status.success());
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(text.contains("redis_version=7.0.15"), "{text}");
    let h = Command::new(BIN).arg("--help").output().unwrap();
    assert!(h.status.success());
    assert!(String::from_utf8_lossy(&h.stdout).contains("Usage: slotd"));
}

fn fatal(args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(BIN).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "expected exit 1 for {args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_directives_stop_start_up_naming_file_line_and_directive() {
    let dir = tmpdir("badconf");
    let f = dir.join("bad.conf");
    std::fs::write(&f, "port 7777\nfoo bar\n").unwrap();
    let e = fatal(&[f.to_str().unwrap()], None);
    assert!(e.contains("*** FATAL CONFIG FILE ERROR"), "{e}");
    assert!(e.contains("bad.conf, at line 2"), "{e}");
    assert!(e.contains(">>> 'foo bar'"), "{e}");
    assert!(e.contains("Bad directive or wrong number of arguments"), "{e}");
    let e = fatal(&["--maxmemory", "10xb"], None);
    assert!(e.contains("argument must be a memory value"), "{e}");
    let e = fatal(&["-"], Some("appendfsync sometimes\n"));
    assert!(e.contains("(stdin), at line 1") && e.contains("argument(s) must be one of the following: everysec, always, no"), "{e}");
    let e = fatal(&["/nonexistent/x.conf"], None);
    assert!(e.contains("can't open config file '/nonexistent/x.conf'"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn config_from_stdin_and_banner_lines() {
    let port = free_port();
    let dir = tmpdir("stdin");
    let mut child = Command::new(BIN)
        .arg("-")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("port {port}\nbind 127.0.0.1\nsave \"\"\nalways-show-logo yes\n").as_bytes()).unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let ok = wait_until(Duration::from_secs(10), || Client::connect(port).is_ok_and(|mut c| c.try_cmd(&["PING"]) == Some(Reply::status("PONG"))));
    assert!(ok, "server from stdin config did not start");
    let _ = child.kill();
    let _ = child.wait();
    let mut log = String::new();
    stdout.read_to_string(&mut log).unwrap();
    assert!(log.contains(&format!(" PID: {}", child.id())), "{log}");
    assert!(log.contains(&format!("Port: {port}")), "{log}");
    assert!(log.contains("Ready to accept connections"), "{log}");
    // Redis's line format: "<pid>:<role> <date> <level> <message>"
    let first = log.lines().next().unwrap();
    assert!(first.starts_with(&format!("{}:C ", child.id())), "{first}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn toml_config_is_accepted() {
    let port = free_port();
    let dir = tmpdir("toml");
    let f = dir.join("node.toml");
    std::fs::write(&f, format!("port = {port}\nbind = \"127.0.0.1\"\nsave = \"\"\nhz = 20\nmaxmemory = \"1mb\"\n")).unwrap();
    let mut child = Command::new(BIN).arg(&f).current_dir(&dir).stdout(Stdio::null()).spawn().unwrap();
    let ok = wait_until(Duration::from_secs(10), || Client::connect(port).is_ok_and(|mut c| c.try_cmd(&["PING"]) == Some(Reply::status("PONG"))));
    let _ = child.kill();
    let _ = child.wait();
    assert!(ok);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unix_socket_serves_clients() {
    let dir = tmpdir("unix");
    let sock = dir.join("s.sock");
    let s = Server::start(&["--unixsocket", sock.to_str().unwrap(), "--unixsocketperm", "700"]);
    let mut u = std::os::unix::net::UnixStream::connect(&sock).expect("unix connect");
    u.write_all(b"PING\r\n").unwrap();
    let mut buf = [0u8; 16];
    u.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n = u.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"+PONG\r\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777, 0o700);
    drop(s);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sigterm_and_sigint_stop_cleanly() {
    for sig in ["TERM", "INT"] {
        let mut s = Server::start(&[]);
        s.signal(sig);
        assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0), "exit status after SIG{sig}");
        let log = s.log();
        assert!(log.contains(&format!("Received SIG{sig} scheduling shutdown")), "{log}");
        assert!(log.contains("ready to exit, bye bye"), "{log}");
    }
}

/// The `>>> '...'` line and the reason that follow a FATAL CONFIG error.
fn config_error_lines(bin: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(bin).args(args).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{bin} {args:?} should fail");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let mut lines = text.lines().skip_while(|l| !l.starts_with(">>> "));
    let shown = lines.next().unwrap_or_else(|| panic!("{bin} {args:?}: no >>> line in {text}")).to_string();
    (shown, lines.next().unwrap_or("").to_string())
}

#[test]
fn command_line_errors_show_the_line_redis_builds() {
    let cases: &[&[&str]] = &[
        &["--port"],
        &["--port", "6380", "--loglevel"],
        &["--port", "6379", "6380"],
        &["--port", "--loglevel", "verbose"],
        &["--port", "--bla", "--loglevel", "verbose"],
        &["--logfile", "--my--log--file", "--loglevel", "--bla"],
        &["--shutdown-on-sigint"],
        &["--shutdown-on-sigint", "now force", "--shutdown-on-sigterm"],
        &["--replicaof", "127.0.0.1", "abc"],
        &["--replicaof", "--127.0.0.1", "abc"],
        &["--replicaof", "--127.0.0.1", "--abc"],
        &["--port", "99999"],
        &["--requirepass", "a \"b\"\n", "c"],
    ];
    for args in cases {
        let ours = config_error_lines(BIN, args);
        let theirs = config_error_lines("redis-server", args);
        assert_eq!(ours, theirs, "{args:?}");
    }
}

#[test]
fn command_line_values_are_read_as_redis_reads_them() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["--maxmemory 700mb", "--maxmemory-policy volatile-lru"], &["maxmemory", "maxmemory-policy"]),
        (&["loglevel", "verbose", "--maxmemory '700mb'", "--maxmemory-policy 'volatile-lru'"], &["loglevel", "maxmemory", "maxmemory-policy"]),
        (&["--proc-title-template", "--my--title--template", "--loglevel", "verbose"], &["proc-title-template", "loglevel"]),
        (&["--proc-title-template --my--title--template", "--loglevel verbose"], &["proc-title-template", "loglevel"]),
        (&["--save", "--loglevel", "verbose"], &["save", "loglevel"]),
        (&["--loglevel", "verbose", "--save"], &["save", "loglevel"]),
        (&["--proc-title-template", "--save", "--save", "", "--loglevel", "verbose"], &["proc-title-template", "save", "loglevel"]),
        (&["--shutdown-on-sigint", "nosave", "force", "now", "--shutdown-on-sigterm", "nosave force"], &["shutdown-on-sigint", "shutdown-on-sigterm"]),
    ];
    let dir = tmpdir("argv");
    // A config file first, as the Redis suite passes one: a bare word after it is a value.
    let conf = dir.join("default.conf");
    std::fs::write(&conf, "save 900 1\n").unwrap();
    for (args, names) in cases {
        let mut ours = Started::new(BIN, &conf, args, &dir);
        let mut theirs = Started::new("redis-server", &conf, args, &dir);
        let (mut a, mut b) = (ours.client(), theirs.client());
        for n in *names {
            assert_eq!(a.cmd(&["CONFIG", "GET", n]), b.cmd(&["CONFIG", "GET", n]), "{args:?}");
        }
        ours.stop();
        theirs.stop();
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A server started with a config file and raw arguments (the harness puts its own
/// options first, which would hide how a config file path and bare words are read).
struct Started {
    child: std::process::Child,
    port: u16,
}

impl Started {
    fn new(bin: &str, conf: &std::path::Path, args: &[&str], dir: &std::path::Path) -> Started {
        let port = free_port();
        let mut full: Vec<String> = vec![conf.to_string_lossy().into_owned()];
        full.extend(args.iter().map(|a| a.to_string()));
        full.extend(["--port".into(), port.to_string(), "--bind".into(), "127.0.0.1".into(), "--dir".into(), dir.to_string_lossy().into_owned()]);
        let child = Command::new(bin).args(&full).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let up = wait_until(Duration::from_secs(10), || Client::connect(port).is_ok_and(|mut c| c.try_cmd(&["PING"]) == Some(Reply::status("PONG"))));
        assert!(up, "{bin} {full:?} did not start");
        Started { child, port }
    }

    fn client(&self) -> Client {
        Client::connect(self.port).unwrap()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn shutdown_abort_cancels_a_signalled_shutdown_before_the_cron_runs_it() {
    let mut s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["SHUTDOWN", "ABORT"]), Reply::error("ERR No shutdown in progress."));
    assert_eq!(c.cmd(&["DEBUG", "PAUSE-CRON", "1"]), ok());
    s.signal("TERM");
    assert!(wait_until(Duration::from_secs(5), || s.log().contains("Received SIGTERM scheduling shutdown")));
    assert_eq!(c.cmd(&["SHUTDOWN", "ABORT"]), ok());
    assert!(s.log().contains("Shutdown manually aborted"));
    assert_eq!(c.cmd(&["DEBUG", "PAUSE-CRON", "0"]), ok());
    // The cron runs again (10 times a second) and finds nothing to do.
    assert!(!wait_until(Duration::from_millis(500), || s.wait_exit(Duration::from_millis(1)).is_some()));
    assert_eq!(c.cmd(&["PING"]), Reply::status("PONG"));
    s.signal("TERM");
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
}
