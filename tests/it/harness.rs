//! Test harness: real `slotd` processes (and real redis-server 7.0 processes to compare
//! against), a small synchronous RESP client, and `wait_until` for polling with a
//! deadline. Every server gets its own port (below 22768, see DESIGN.md §6) and its own
//! temporary directory, and is killed when its handle drops.
#![allow(dead_code)]

use slotd::resp::parse::{parse_reply, ParseError};
pub use slotd::resp::Reply;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// Ports handed out to servers: a per-process window so parallel test binaries do not
/// collide; each candidate is checked free before use.
static NEXT_PORT: AtomicU16 = AtomicU16::new(0);

pub fn free_port() -> u16 {
    if NEXT_PORT.load(Ordering::Relaxed) == 0 {
        let base = 12000 + (std::process::id() % 40) as u16 * 200;
        let _ = NEXT_PORT.compare_exchange(0, base, Ordering::Relaxed, Ordering::Relaxed);
    }
    loop {
        let p = NEXT_PORT.fetch_add(1, Ordering::Relaxed);
        if p >= 22700 {
            NEXT_PORT.store(12000, Ordering::Relaxed);
            continue;
        }
        if TcpListener::bind(("127.0.0.1", p)).is_ok() && TcpListener::bind(("127.0.0.1", p + 10000)).is_ok() {
            return p;
        }
    }
}

/// Polls `f` until it returns true or `timeout` passes; returns whether it succeeded.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn tmpdir(tag: &str) -> PathBuf {
    static N: AtomicU16 = AtomicU16::new(0);
    let d = std::env::temp_dir().join(format!("slotd-it-{}-{}-{}", tag, std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

pub struct Server {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
    pub kind: &'static str,
    /// The directory is the test's (`launch`): left in place when the server goes.
    keep_dir: bool,
    log_path: PathBuf,
}

/// Which server binary `launch` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin {
    Slotd,
    Redis,
}

impl Bin {
    fn path(self) -> &'static str {
        match self {
            Bin::Slotd => env!("CARGO_BIN_EXE_slotd"),
            Bin::Redis => "redis-server",
        }
    }
    fn kind(self) -> &'static str {
        match self {
            Bin::Slotd => "slotd",
            Bin::Redis => "redis",
        }
    }
}

impl Server {
    /// Starts slotd with `--port`, `--save ""`, `--dir` and the extra arguments.
    pub fn start(extra: &[&str]) -> Server {
        Self::spawn(env!("CARGO_BIN_EXE_slotd"), "slotd", extra)
    }

    /// Starts Debian's redis-server 7.0 the same way, for side-by-side comparisons.
    pub fn start_redis(extra: &[&str]) -> Server {
        Self::spawn("redis-server", "redis", extra)
    }

    fn spawn(bin: &str, kind: &'static str, extra: &[&str]) -> Server {
        for _attempt in 0..5 {
            let port = free_port();
            let dir = tmpdir(kind);
            let mut args: Vec<String> = vec!["--port".into(), port.to_string(), "--save".into(), "".into(), "--dir".into(), dir.to_string_lossy().into_owned(), "--bind".into(), "127.0.0.1".into()];
            args.extend(extra.iter().map(|s| s.to_string()));
            let log = std::fs::File::create(dir.join("server.log")).expect("log file");
            let child = Command::new(bin)
                .args(&args)
                .current_dir(&dir)
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (redis-server comes from `apt-get install redis-server`)"));
            let log_path = dir.join("server.log");
            let mut s = Server { port, dir, child: Some(child), kind, keep_dir: false, log_path };
            let up = |r: Reply| r == Reply::status("PONG") || matches!(&r, Reply::Error(e) if e.starts_with("NOAUTH"));
            if wait_until(Duration::from_secs(10), || s.try_client().is_some_and(|mut c| c.try_cmd(&["PING"]).is_some_and(up))) {
                return s;
            }
            let log = s.log();
            s.kill();
            if !log.contains("Address already in use") {
                panic!("{kind} on port {} did not answer PING; log:\n{log}", s.port);
            }
        }
        panic!("could not find a free port for {kind}");
    }

    /// Starts a server on `dir` (which it keeps: restarts on the same files work)
    /// without waiting for it to answer (it may be loading, or refuse to start); its
    /// log goes to `<dir>/<log_name>`. Returns once the server has bound its port (its
    /// log says "Server initialized") or exited; a port found taken is retried on
    /// another. The same fixed arguments as `start`, then `extra`.
    pub fn launch(bin: Bin, dir: &std::path::Path, log_name: &str, extra: &[&str]) -> Server {
        for _attempt in 0..5 {
            let port = free_port();
            let mut args: Vec<String> = vec!["--port".into(), port.to_string(), "--save".into(), "".into(), "--dir".into(), dir.to_string_lossy().into_owned(), "--bind".into(), "127.0.0.1".into()];
            args.extend(extra.iter().map(|s| s.to_string()));
            let log = std::fs::File::create(dir.join(log_name)).expect("log file");
            let child = Command::new(bin.path())
                .args(&args)
                .current_dir(dir)
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.path()));
            let mut s = Server { port, dir: dir.to_path_buf(), child: Some(child), kind: bin.kind(), keep_dir: true, log_path: dir.join(log_name) };
            let mut exited = false;
            let settled = wait_until(Duration::from_secs(10), || {
                exited = s.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
                exited || s.log().contains("Server initialized")
            });
            assert!(settled, "{} on port {port} neither bound its port nor exited:\n{}", s.kind, s.log());
            if exited && s.log().contains("Address already in use") {
                s.child = None;
                continue;
            }
            return s;
        }
        panic!("could not find a free port for {}", bin.kind());
    }

    /// Waits until the server answers PING with PONG (not -LOADING).
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        wait_until(timeout, || self.try_client().is_some_and(|mut c| c.try_cmd(&["PING"]) == Some(Reply::status("PONG"))))
    }

    pub fn try_client(&self) -> Option<Client> {
        Client::connect(self.port).ok()
    }

    pub fn client(&self) -> Client {
        Client::connect(self.port).unwrap_or_else(|e| panic!("connect to {}: {e}", self.port))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Waits for the process to exit by itself (after SHUTDOWN); returns its status code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let child = self.child.as_mut()?;
        let end = Instant::now() + timeout;
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                self.child = None;
                return Some(st.code().unwrap_or(-1));
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill").args([&format!("-{sig}"), &self.pid().to_string()]).status();
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if !std::thread::panicking() && !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A blocking RESP client.
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

pub fn encode_cmd(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl Client {
    pub fn connect(port: u16) -> std::io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_nodelay(true)?;
        Ok(Client { stream, buf: Vec::new() })
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    pub fn send(&mut self, args: &[&str]) {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.send_raw(&encode_cmd(&a));
    }

    pub fn send_bin(&mut self, args: &[&[u8]]) {
        self.send_raw(&encode_cmd(args));
    }

    /// Reads one reply (panics on timeout or a closed connection).
    pub fn read(&mut self) -> Reply {
        self.try_read().expect("connection closed or timed out while reading a reply")
    }

    /// Reads one reply, or None if the connection closed or the read timed out.
    pub fn try_read(&mut self) -> Option<Reply> {
        loop {
            match parse_reply(&self.buf) {
                Ok((r, n)) => {
                    self.buf.drain(..n);
                    return Some(r);
                }
                Err(ParseError::Incomplete) => {}
                Err(ParseError::Invalid(e)) => panic!("invalid reply from server: {e}: {:?}", String::from_utf8_lossy(&self.buf)),
            }
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    pub fn set_timeout(&mut self, d: Duration) {
        self.stream.set_read_timeout(Some(d)).expect("set timeout");
    }

    /// Like `cmd`, but None when the connection closes or the read times out.
    pub fn try_cmd(&mut self, args: &[&str]) -> Option<Reply> {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.stream.write_all(&encode_cmd(&a)).ok()?;
        self.try_read()
    }

    pub fn cmd(&mut self, args: &[&str]) -> Reply {
        self.send(args);
        self.read()
    }

    pub fn cmd_bin(&mut self, args: &[&[u8]]) -> Reply {
        self.send_bin(args);
        self.read()
    }

    /// True if the server closed the connection (read returns EOF).
    pub fn is_closed(&mut self) -> bool {
        self.set_timeout(Duration::from_secs(5));
        let mut b = [0u8; 1];
        matches!(self.stream.read(&mut b), Ok(0)) || self.stream.read(&mut b).is_err()
    }
}

// Reply shorthands for assertions.
pub fn ok() -> Reply {
    Reply::status("OK")
}
pub fn int(i: i64) -> Reply {
    Reply::Int(i)
}
pub fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}
pub fn nil() -> Reply {
    Reply::Nil
}
pub fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}
pub fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|s| bulk(s)).collect())
}
pub fn err_text(r: &Reply) -> String {
    match r {
        Reply::Error(e) => e.to_string(),
        other => panic!("expected an error reply, got {other:?}"),
    }
}

/// Runs the same commands against slotd and redis-server and asserts identical replies.
/// `scripts` is a list of commands; each is split on spaces (no quoting).
pub fn assert_same_as_redis(extra: &[&str], script: &[&str]) {
    let ours = Server::start(extra);
    let theirs = Server::start_redis(extra);
    let mut a = ours.client();
    let mut b = theirs.client();
    for line in script {
        let args: Vec<&str> = line.split(' ').collect();
        let ra = a.cmd(&args);
        let rb = b.cmd(&args);
        assert_eq!(ra, rb, "command `{line}`: slotd replied {ra:?}, redis-server replied {rb:?}");
    }
}

/// Like `assert_same_as_redis`, with each command given as its exact arguments (for
/// arguments that contain spaces or are empty).
pub fn assert_same_as_redis_args(extra: &[&str], script: &[&[&str]]) {
    let ours = Server::start(extra);
    let theirs = Server::start_redis(extra);
    let mut a = ours.client();
    let mut b = theirs.client();
    for args in script {
        let ra = a.cmd(args);
        let rb = b.cmd(args);
        assert_eq!(ra, rb, "command {args:?}: slotd replied {ra:?}, redis-server replied {rb:?}");
    }
}

/// Both servers side by side, for tests that need more than a script (timing, several
/// connections, RESP3).
pub struct Pair {
    pub ours: Server,
    pub theirs: Server,
}

impl Pair {
    pub fn start(extra: &[&str]) -> Pair {
        Pair { ours: Server::start(extra), theirs: Server::start_redis(extra) }
    }

    /// Sends the same command on both clients and asserts equal replies; returns ours.
    pub fn same(&self, a: &mut Client, b: &mut Client, args: &[&str]) -> Reply {
        let ra = a.cmd(args);
        let rb = b.cmd(args);
        assert_eq!(ra, rb, "command {args:?}: slotd replied {ra:?}, redis-server replied {rb:?}");
        ra
    }
}
