//! Listeners and connection tasks.
//!
//! A connection task owns its socket, its `Session`, a read buffer and a reply buffer.
//! Each time the socket is readable it decodes every complete request in the buffer,
//! runs each through the gate, appends the replies, and writes them with one call: a
//! pipeline of N commands costs one read and one write, not N. Messages from elsewhere
//! (pub/sub, MONITOR, CLIENT KILL) arrive on the client's mailbox and are written with
//! the next batch.
//!
//! Buffers follow Redis's rules so that CLIENT LIST and the limits read the same: the
//! query buffer is released when idle and trimmed to its recent peak, the reply buffer
//! shrinks and grows with use (both on requests from the cron), pending replies are
//! held to client-output-buffer-limit, and all clients' buffers to maxmemory-clients.
use super::client::{flags, ClientMsg, ClientShared, ReplyMode, Session};
use super::Server;
use crate::cmd::gate::{self, Outcome};
use crate::config::Settings;
use crate::resp::decode::{decode, Decoded, Limits};
use crate::resp::reply::encode;
use crate::resp::Reply;
use bytes::{Bytes, BytesMut};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;

/// Read buffer growth step: a typical pipeline batch fits; big values grow it to size.
const READ_CHUNK: usize = 16 * 1024;
/// A reply buffer above this is written out before more commands run, bounding memory
/// for clients that pipeline huge replies (KEYS *, LRANGE of big lists).
const FLUSH_AT: usize = 256 * 1024;
/// Argument vectors longer than this are freed after the batch instead of kept for
/// reuse: one huge request (SADD with 100k members) must not pin megabytes of argv,
/// parse ranges and its request frame for the life of the connection (Redis frees a
/// command's arguments once it ran; UNLINK/lazyfree tests watch used_memory drop).
const ARGV_KEEP: usize = 1024;
/// Likewise, an empty read buffer larger than this (grown for one big request) is
/// replaced by a fresh READ_CHUNK one.
const INBUF_KEEP: usize = 256 * 1024;

pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

/// Binds every `bind` address on `port` (a leading `-` makes an address optional, as
/// in Redis) and the Unix socket if configured.
pub async fn bind_all(srv: &Arc<Server>, s: &Settings) -> Result<Vec<Listener>, String> {
    let mut out: Vec<Listener> = bind_tcp_all(s.port, &s.bind).map_err(|(addr, e)| {
        format!("Warning: Could not create server TCP listening socket {addr}:{port}: bind: {}\nFailed listening on port {port} (TCP), aborting.", io_text(&e), port = s.port)
    })?
    .into_iter()
    .map(Listener::Tcp)
    .collect();
    if s.port != 0 {
        srv.tcp_port.store(s.port as usize, Ordering::Relaxed);
    }
    if !s.unixsocket.is_empty() {
        let _ = std::fs::remove_file(&s.unixsocket);
        let l = UnixListener::bind(&s.unixsocket).map_err(|e| format!("Failed opening Unix socket: {}", io_text(&e)))?;
        if s.unixsocketperm != 0 {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&s.unixsocket, std::fs::Permissions::from_mode(s.unixsocketperm));
        }
        out.push(Listener::Unix(l));
    }
    if out.is_empty() && s.port != 0 {
        return Err("Configured to not listen anywhere, exiting.".into());
    }
    Ok(out)
}

/// Binds `port` on every `bind` address (none for port 0). A leading `-` makes an
/// address optional, as in Redis. On failure nothing stays bound; the error names
/// the address that failed.
pub fn bind_tcp_all(port: u16, bind: &[String]) -> Result<Vec<TcpListener>, (String, std::io::Error)> {
    let mut out = Vec::new();
    if port == 0 {
        return Ok(out);
    }
    for raw in bind {
        let (optional, addr) = match raw.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, raw.as_str()),
        };
        let host = match addr {
            "*" => "0.0.0.0",
            "::*" => "::",
            a => a,
        };
        let sock = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        match bind_tcp(&sock, host.contains(':')) {
            Ok(l) => out.push(l),
            Err(e) if optional || (host == "::" && e.kind() == std::io::ErrorKind::AddrNotAvailable) => {
                tracing::debug!("skipping optional bind address {sock}: {e}");
            }
            Err(e) => return Err((addr.to_string(), e)),
        }
    }
    Ok(out)
}

/// CONFIG SET port/bind: binds the new listeners first and only then replaces the
/// old ones, so a failure leaves the server listening where it was.
pub fn rebind(srv: &Arc<Server>, port: u16, bind: &[String]) -> Result<(), std::io::Error> {
    let new = bind_tcp_all(port, bind).map_err(|(_, e)| e)?;
    let mut tasks = srv.tcp_accept_tasks.lock().unwrap_or_else(|e| e.into_inner());
    for (t, fd) in tasks.drain(..) {
        // Stop listening now, as Redis closes its sockets at once: the task (which
        // owns and closes the socket) is only dropped later by the runtime.
        shutdown_listener(fd);
        t.abort();
    }
    for l in new {
        let s = srv.clone();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&l);
        tasks.push((tokio::spawn(accept_loop(s, Listener::Tcp(l))).abort_handle(), fd));
    }
    srv.tcp_port.store(port as usize, Ordering::Relaxed);
    Ok(())
}

/// Binds with SO_REUSEADDR and, for IPv6, IPV6_V6ONLY, as Redis does (so `*` and
/// `::*` can both be bound).
fn bind_tcp(addr: &str, v6: bool) -> std::io::Result<TcpListener> {
    let sa: std::net::SocketAddr = addr.parse().map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad address"))?;
    let sock = if v6 { tokio::net::TcpSocket::new_v6()? } else { tokio::net::TcpSocket::new_v4()? };
    sock.set_reuseaddr(true)?;
    if v6 {
        set_v6only(&sock);
    }
    sock.bind(sa)?;
    sock.listen(511)
}

/// shutdown(2) of a listening socket still owned by its accept task (the descriptor
/// stays open until the task closes it, so it cannot be reused meanwhile).
fn shutdown_listener(fd: i32) {
    extern "C" {
        fn shutdown(fd: i32, how: i32) -> i32;
    }
    const SHUT_RDWR: i32 = 2;
    // SAFETY: plain syscall on a descriptor the accept task still holds open.
    unsafe {
        shutdown(fd, SHUT_RDWR);
    }
}

fn set_v6only(sock: &tokio::net::TcpSocket) {
    use std::os::fd::AsRawFd;
    extern "C" {
        fn setsockopt(fd: i32, level: i32, name: i32, val: *const std::ffi::c_void, len: u32) -> i32;
    }
    const IPPROTO_IPV6: i32 = 41;
    const IPV6_V6ONLY: i32 = 26;
    let one: i32 = 1;
    // SAFETY: valid fd, pointer to a live i32 of the given length.
    unsafe {
        setsockopt(sock.as_raw_fd(), IPPROTO_IPV6, IPV6_V6ONLY, &one as *const i32 as *const _, 4);
    }
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => "Address already in use".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        std::io::ErrorKind::AddrNotAvailable => "Cannot assign requested address".into(),
        _ => e.to_string(),
    }
}

pub async fn accept_loop(srv: Arc<Server>, l: Listener) {
    loop {
        match &l {
            Listener::Tcp(t) => match t.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
                    use std::os::fd::AsRawFd;
                    let fd = stream.as_raw_fd();
                    let (r, w) = stream.into_split();
                    let srv = srv.clone();
                    tokio::spawn(async move { serve(srv, r, w, peer.to_string(), laddr, fd, false, peer.ip().is_loopback()).await });
                }
                Err(e) => {
                    tracing::warn!("Accepting client connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            Listener::Unix(u) => match u.accept().await {
                Ok((stream, _)) => {
                    use std::os::fd::AsRawFd;
                    let fd = stream.as_raw_fd();
                    let path = srv.settings().unixsocket.clone();
                    let (r, w) = stream.into_split();
                    let srv = srv.clone();
                    tokio::spawn(async move { serve(srv, r, w, format!("{path}:0"), path, fd, true, true).await });
                }
                Err(e) => {
                    tracing::warn!("Accepting client connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
        }
    }
}

/// True when the batch's first two requests name different keys: a pipeline that
/// repeats one key (LPUSH to one list) gains nothing from prefetching.
fn batch_keys_differ(inbuf: &[u8], scratch: &mut Vec<std::ops::Range<usize>>) -> bool {
    scratch.clear();
    crate::resp::decode::peek_keys(inbuf, 2, scratch);
    scratch.len() == 2 && inbuf[scratch[0].clone()] != inbuf[scratch[1].clone()]
}

const PROTECTED_MODE_TEXT: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

#[allow(clippy::too_many_arguments)]
async fn serve<R, W>(srv: Arc<Server>, mut rd: R, mut wr: W, addr: String, laddr: String, fd: i32, unix: bool, local: bool)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut settings = srv.settings();
    let mut gen = srv.settings_gen.load(Ordering::Acquire);
    srv.stats.total_connections_received.fetch_add(1, Ordering::Relaxed);
    // Reserve the seat first so that two connections racing for the last one
    // cannot both take it.
    if srv.connected_clients.fetch_add(1, Ordering::AcqRel) as u64 >= settings.maxclients {
        srv.connected_clients.fetch_sub(1, Ordering::AcqRel);
        srv.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
        let _ = wr.write_all(b"-ERR max number of clients reached\r\n").await;
        return;
    }
    // Redis 7.0 refuses non-local clients in protected mode whatever the bind list.
    if settings.protected_mode && settings.requirepass.is_none() && !local {
        srv.connected_clients.fetch_sub(1, Ordering::AcqRel);
        srv.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
        let _ = wr.write_all(PROTECTED_MODE_TEXT.as_bytes()).await;
        return;
    }
    let id = srv.next_client_id.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let shared = Arc::new(ClientShared::new(id, addr, laddr, fd, tx));
    if unix {
        shared.set_flag(flags::UNIX_SOCKET, true);
    }
    srv.clients.lock().unwrap_or_else(|e| e.into_inner()).insert(id, shared.clone());
    let mut sess = Session::new(shared.clone(), settings.requirepass.is_none());

    let mut inbuf = BytesMut::with_capacity(READ_CHUNK);
    let mut out: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut ranges = Vec::new();
    let mut key_ranges = Vec::with_capacity(32);
    let mut argv: Vec<Bytes> = Vec::new();
    let mut need_total = 0usize;
    let mut qb = QueryBuffer::default();
    let mut rb = ReplyBuffer::new(&shared);
    let mut mem = MemShare::default();
    // When the pending replies first went over the soft output limit (ms).
    let mut obuf_soft_since: Option<i64> = None;

    'conn: loop {
        // Drain the mailbox into the reply buffer before writing.
        while let Ok(m) = rx.try_recv() {
            if matches!(m, ClientMsg::ResizeBuffers) {
                shared.resize_sent.store(false, Ordering::Relaxed);
                qb.resize(&mut inbuf, need_total, &shared);
                rb.resize(&mut out, &srv, &shared);
                mem.set(qb.size + out.len(), &srv, &shared);
            } else if !deliver(&sess, m, &mut out) {
                break 'conn;
            }
        }
        if !out.is_empty() {
            rb.saw(out.len(), &shared);
            mem.set(qb.size + out.len(), &srv, &shared);
            durable(&srv, &sess).await;
            if write_out(&mut wr, &out, &shared).await.is_err() {
                break;
            }
            srv.stats.total_net_output_bytes.fetch_add(out.len() as u64, Ordering::Relaxed);
            srv.stats.total_writes_processed.fetch_add(1, Ordering::Relaxed);
            let delivered = shared.pending_bytes.swap(0, Ordering::Relaxed);
            if delivered > 0 {
                srv.pubsub.pending_total.fetch_sub(delivered, Ordering::Relaxed);
            }
            obuf_soft_since = None;
            out.clear();
            mem.set(qb.size, &srv, &shared);
            if out.capacity() > 4 * FLUSH_AT {
                out.shrink_to(READ_CHUNK);
            }
        }
        if sess.close_after_reply || shared.is_killed() {
            break;
        }
        // A buffer freed while idle is not refilled before data comes: the read below
        // then allocates just what it needs for its first bytes.
        if !qb.freed && inbuf.capacity() - inbuf.len() < READ_CHUNK / 4 {
            inbuf.reserve(READ_CHUNK.max(need_total.saturating_sub(inbuf.len())).min(settings.client_query_buffer_limit.max(READ_CHUNK)));
        }
        tokio::select! {
            m = rx.recv() => {
                match m {
                    Some(ClientMsg::ResizeBuffers) => {
                        shared.resize_sent.store(false, Ordering::Relaxed);
                        qb.resize(&mut inbuf, need_total, &shared);
                        rb.resize(&mut out, &srv, &shared);
                        mem.set(qb.size + out.len(), &srv, &shared);
                    }
                    Some(m) => if !deliver(&sess, m, &mut out) { break },
                    None => break,
                }
                continue;
            }
            r = rd.read_buf(&mut inbuf) => {
                match r {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        // The buffer's size as Redis would report it: its largest
                        // capacity since the last resize (splitting frames off the
                        // front does not shrink an allocation).
                        qb.freed = false;
                        qb.size = qb.size.max(inbuf.capacity());
                        qb.peak = qb.peak.max(inbuf.len());
                        shared.qbuf_size.store(qb.size, Ordering::Relaxed);
                        mem.set(qb.size + out.len(), &srv, &shared);
                        srv.stats.total_net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
                        srv.stats.total_reads_processed.fetch_add(1, Ordering::Relaxed);
                        shared.net_in_bytes.fetch_add(n as u64, Ordering::Relaxed);
                    }
                }
            }
        }
        if inbuf.len() < need_total {
            continue;
        }
        let g = srv.settings_gen.load(Ordering::Acquire);
        if g != gen {
            gen = g;
            settings = srv.settings();
        }
        // One clock read per batch: every command of this pipeline runs at this time.
        let mut batch_now_ms = crate::util::time::now_ms();
        let mut batch_cmds = 0u32;
        shared.last_interaction_ms.store(batch_now_ms, Ordering::Relaxed);
        sess.chain_ns = 0;
        // A pipelined batch: warm the cache for its keys so their misses overlap.
        if inbuf.len() >= 64 && !sess.monitor && batch_keys_differ(&inbuf, &mut key_ranges) {
            key_ranges.clear();
            crate::resp::decode::peek_keys(&inbuf, 32, &mut key_ranges);
            if key_ranges.len() >= 2 {
                // Repeats of one key (a pipeline of LPUSHes to one list) gain nothing.
                let mut keys: [&[u8]; 32] = [&[]; 32];
                let mut n = 0;
                for r in &key_ranges {
                    let k = &inbuf[r.clone()];
                    if n == 0 || keys[n - 1] != k {
                        keys[n] = k;
                        n += 1;
                    }
                }
                srv.ks.prefetch(sess.db, &keys[..n]);
            }
        }
        // Run every complete request in the buffer.
        loop {
            let limits = Limits { max_bulk_bytes: settings.proto_max_bulk_len, unauthenticated: !sess.authenticated && settings.requirepass.is_some() };
            let owned;
            match decode(&inbuf, limits, &mut ranges) {
                Decoded::Request { consumed, .. } => {
                    need_total = 0;
                    sess.qbuf_now = inbuf.len();
                    let frame = inbuf.split_to(consumed).freeze();
                    argv.clear();
                    argv.extend(ranges.iter().map(|r| frame.slice(r.clone())));
                }
                Decoded::Quoted { consumed, args } => {
                    need_total = 0;
                    sess.qbuf_now = inbuf.len();
                    let _ = inbuf.split_to(consumed);
                    owned = args;
                    argv.clear();
                    argv.extend(owned.into_iter().map(Bytes::from));
                }
                Decoded::Incomplete { need_total: n } => {
                    need_total = n;
                    if inbuf.len() > settings.client_query_buffer_limit || n > settings.client_query_buffer_limit.saturating_add(1024) {
                        tracing::warn!(client = id, "Closing client that reached max query buffer length");
                        srv.stats.client_query_buffer_limit_disconnections.fetch_add(1, Ordering::Relaxed);
                        break 'conn;
                    }
                    break;
                }
                Decoded::Error(msg) => {
                    tracing::debug!(client = id, "Protocol error ({msg}) from client");
                    srv.record_error("ERR");
                    encode(&Reply::Error(format!("ERR {msg}").into()), sess.resp, &mut out);
                    sess.close_after_reply = true;
                    break;
                }
            }
            if argv.is_empty() {
                continue;
            }
            if sess.monitor && !argv[0].eq_ignore_ascii_case(b"quit") && !argv[0].eq_ignore_ascii_case(b"reset") {
                // Redis ignores everything but QUIT/RESET from a monitor, replying nothing.
                continue;
            }
            batch_cmds += 1;
            if batch_cmds % 64 == 0 {
                // A long batch re-reads the clock now and then.
                batch_now_ms = crate::util::time::now_ms();
            }
            let mut outcome = gate::execute_at(&srv, &mut sess, &settings, &argv, &mut out, batch_now_ms);
            if argv[0].eq_ignore_ascii_case(b"debug") {
                // DEBUG SLEEP and friends stall on purpose: what follows runs later.
                batch_now_ms = crate::util::time::now_ms();
            }
            loop {
                match outcome {
                    Outcome::Continue => break,
                    Outcome::Close => {
                        sess.close_after_reply = true;
                        break;
                    }
                    Outcome::Paused => {
                        sess.chain_ns = 0;
                        if !out.is_empty() {
                            durable(&srv, &sess).await;
                            if write_out(&mut wr, &out, &shared).await.is_err() {
                                break 'conn;
                            }
                            out.clear();
                        }
                        // A paused client counts as blocked, as in Redis.
                        srv.blocked_clients.fetch_add(1, Ordering::Relaxed);
                        shared.set_flag(flags::BLOCKED, true);
                        wait_unpause(&srv, &shared).await;
                        shared.set_flag(flags::BLOCKED, false);
                        srv.blocked_clients.fetch_sub(1, Ordering::Relaxed);
                        if shared.is_killed() {
                            break 'conn;
                        }
                        batch_now_ms = crate::util::time::now_ms();
                        outcome = gate::execute_at(&srv, &mut sess, &settings, &argv, &mut out, batch_now_ms);
                    }
                    Outcome::Blocked { handle, req } => {
                        sess.chain_ns = 0;
                        if !out.is_empty() {
                            durable(&srv, &sess).await;
                            if write_out(&mut wr, &out, &shared).await.is_err() {
                                gate::finish_blocked(&srv.ks, sess.db, &req.keys, &handle);
                                srv.blocked_clients.fetch_sub(1, Ordering::Relaxed);
                                break 'conn;
                            }
                            out.clear();
                        }
                        let r = wait_blocked(&srv, &mut sess, &mut rd, &mut inbuf, &handle, &req).await;
                        // Time moved while blocked: later commands of the batch see now.
                        batch_now_ms = crate::util::time::now_ms();
                        srv.blocked_clients.fetch_sub(1, Ordering::Relaxed);
                        shared.set_flag(flags::BLOCKED, false);
                        match r {
                            BlockEnd::Reply(reply) => {
                                // Served by another client's write: that write (no later
                                // than the log's current end) must be durable first.
                                sess.prop_seq = srv.propagation.seq();
                                gate::emit(&sess, &reply, &mut out);
                                break;
                            }
                            BlockEnd::Ended(reply) => {
                                gate::count_unblocked(&srv, &settings, &argv, &reply);
                                gate::emit(&sess, &reply, &mut out);
                                break;
                            }
                            BlockEnd::Retry => {
                                outcome = gate::execute_retry(&srv, &mut sess, &settings, &argv, &mut out);
                            }
                            BlockEnd::Closed => break 'conn,
                        }
                    }
                }
            }
            if out.len() as u64 >= settings.output_limit_min && output_limit_reached(&srv, &settings, &sess, out.len(), &mut obuf_soft_since) {
                // Closed at once: nothing pending is written, as in Redis.
                break 'conn;
            }
            if sess.close_after_reply || out.len() >= FLUSH_AT {
                break;
            }
        }
        shared.qbuf_bytes.store(inbuf.len(), Ordering::Relaxed);
        argv.clear();
        if argv.capacity() > ARGV_KEEP {
            argv = Vec::new();
            ranges = Vec::new();
        }
        if inbuf.is_empty() && inbuf.capacity() > INBUF_KEEP {
            // Same for the read buffer a huge request grew: start small again.
            inbuf = BytesMut::with_capacity(READ_CHUNK);
        }
    }
    // Cleanup: subscriptions, monitors, WATCHes, registry, memory accounting.
    mem.set(0, &srv, &shared);
    let delivered = shared.pending_bytes.swap(0, Ordering::Relaxed);
    srv.pubsub.pending_total.fetch_sub(delivered, Ordering::Relaxed);
    cleanup(&srv, &mut sess);
}

/// Query buffer bookkeeping, for Redis's resizing rules (and CLIENT LIST's qbuf-free).
#[derive(Default)]
struct QueryBuffer {
    /// Size of the buffer: its largest capacity since the last resize.
    size: usize,
    /// Most bytes held at once since the last resize check.
    peak: usize,
    /// Released while idle; reallocated by the next read.
    freed: bool,
}

/// A buffer wasting less than this is left alone (Redis's threshold).
const QUERY_BUF_WASTE_BYTES: usize = 4 * 1024;
/// Above this size a buffer is trimmed down to its recent peak (PROTO_RESIZE_THRESHOLD).
const QUERY_BUF_RESIZE_BYTES: usize = 32 * 1024;
/// Seconds without a command after which an empty buffer is released.
const QUERY_BUF_IDLE_SECS: i64 = 2;

impl QueryBuffer {
    /// The cron's request (see `resize_query_buffers`): release the buffer of an idle
    /// client, or trim one far larger than its recent peak, then start a new peak.
    fn resize(&mut self, inbuf: &mut BytesMut, need_total: usize, shared: &ClientShared) {
        let idle_secs = (crate::util::time::now_ms() - shared.last_interaction_ms.load(Ordering::Relaxed)) / 1000;
        if self.size.saturating_sub(inbuf.len()) > QUERY_BUF_WASTE_BYTES {
            if idle_secs > QUERY_BUF_IDLE_SECS {
                let mut b = BytesMut::with_capacity(inbuf.len());
                b.extend_from_slice(inbuf);
                *inbuf = b;
                self.size = inbuf.len();
                self.freed = true;
            } else if self.size > QUERY_BUF_RESIZE_BYTES && self.size / 2 > self.peak {
                let target = inbuf.len().max(self.peak).max(need_total);
                let mut b = BytesMut::with_capacity(target);
                b.extend_from_slice(inbuf);
                *inbuf = b;
                self.size = target;
            }
        }
        self.peak = inbuf.len().max(need_total);
        shared.qbuf_size.store(self.size, Ordering::Relaxed);
    }
}

/// Smallest reply buffer (Redis's PROTO_REPLY_MIN_BYTES).
const REPLY_MIN_BYTES: usize = 1024;
/// Reply buffer of a new client, and the most it grows to by itself (Redis's
/// PROTO_REPLY_CHUNK_BYTES); bigger replies grow it only while they are written.
pub const REPLY_CHUNK_BYTES: usize = 16 * 1024;

/// Reply buffer sizing, Redis's rules: the buffer halves while its recent peak stays
/// under half of it (down to 1 KB) and doubles (up to 16 KB) while replies fill it;
/// the peak restarts every `reply-buffer peak-reset-time` (DEBUG REPLYBUFFER).
struct ReplyBuffer {
    size: usize,
    peak: usize,
}

impl ReplyBuffer {
    fn new(shared: &ClientShared) -> ReplyBuffer {
        ReplyBuffer { size: REPLY_CHUNK_BYTES, peak: shared.rbuf_peak.load(Ordering::Relaxed) }
    }

    /// Replies of one batch, about to be written.
    fn saw(&mut self, bytes: usize, shared: &ClientShared) {
        let used = bytes.min(self.size);
        if used > self.peak {
            self.peak = used;
            shared.rbuf_peak.store(used, Ordering::Relaxed);
        }
    }

    fn resize(&mut self, out: &mut Vec<u8>, srv: &Server, shared: &ClientShared) {
        if !srv.reply_buffer_resizing.load(Ordering::Relaxed) {
            return;
        }
        let now = crate::util::time::now_ms();
        let mut new_size = 0;
        if self.size / 2 >= REPLY_MIN_BYTES && self.peak < self.size / 2 {
            new_size = REPLY_MIN_BYTES.max(self.peak + 1);
        } else if self.size * 2 < REPLY_CHUNK_BYTES * 2 && self.peak == self.size {
            new_size = REPLY_CHUNK_BYTES.min(self.size * 2);
        }
        let reset_ms = srv.reply_buffer_peak_reset_ms.load(Ordering::Relaxed);
        if reset_ms >= 0 && now - shared.rbuf_peak_reset_ms.load(Ordering::Relaxed) >= reset_ms {
            self.peak = out.len().min(self.size);
            shared.rbuf_peak_reset_ms.store(now, Ordering::Relaxed);
        }
        if new_size != 0 {
            self.size = new_size;
            if out.capacity() > new_size {
                out.shrink_to(new_size.max(out.len()));
            } else {
                out.reserve(new_size - out.len().min(new_size));
            }
        }
        shared.rbuf_size.store(self.size, Ordering::Relaxed);
        shared.rbuf_peak.store(self.peak, Ordering::Relaxed);
    }
}

/// Cron: asks connections whose buffers may need resizing to do it (they know their
/// own state): a query buffer that wastes space while idle or is large, or a reply
/// buffer that would shrink, grow, or have its peak reset. One request at a time each.
pub fn resize_client_buffers(srv: &Server, now_ms: i64) {
    let reset_ms = srv.reply_buffer_peak_reset_ms.load(Ordering::Relaxed);
    let resizing = srv.reply_buffer_resizing.load(Ordering::Relaxed);
    let clients = srv.clients.lock().unwrap_or_else(|e| e.into_inner());
    for c in clients.values() {
        let size = c.qbuf_size.load(Ordering::Relaxed);
        let idle_secs = (now_ms - c.last_interaction_ms.load(Ordering::Relaxed)) / 1000;
        let qbuf = size.saturating_sub(c.qbuf_bytes.load(Ordering::Relaxed)) > QUERY_BUF_WASTE_BYTES && (idle_secs > QUERY_BUF_IDLE_SECS || size > QUERY_BUF_RESIZE_BYTES);
        let rsize = c.rbuf_size.load(Ordering::Relaxed);
        let rpeak = c.rbuf_peak.load(Ordering::Relaxed);
        let reply = resizing
            && ((rsize / 2 >= REPLY_MIN_BYTES && rpeak < rsize / 2)
                || (rsize * 2 < REPLY_CHUNK_BYTES * 2 && rpeak == rsize)
                || (rpeak > 0 && reset_ms >= 0 && now_ms - c.rbuf_peak_reset_ms.load(Ordering::Relaxed) >= reset_ms));
        if (qbuf || reply) && !c.resize_sent.swap(true, Ordering::Relaxed) {
            let _ = c.tx.send(ClientMsg::ResizeBuffers);
        }
    }
}

/// Changes smaller than this are not reported to the server-wide client memory total:
/// the common small reply then costs no shared atomic operation.
const MEM_REPORT_STEP: usize = 4096;

/// This connection's share of `Server::client_mem` (maxmemory-clients).
#[derive(Default)]
struct MemShare {
    reported: usize,
}

impl MemShare {
    fn set(&mut self, bytes: usize, srv: &Server, shared: &ClientShared) {
        if bytes.abs_diff(self.reported) < MEM_REPORT_STEP && !(bytes == 0 && self.reported != 0) {
            return;
        }
        if bytes > self.reported {
            srv.client_mem.fetch_add(bytes - self.reported, Ordering::Relaxed);
        } else {
            srv.client_mem.fetch_sub(self.reported - bytes, Ordering::Relaxed);
        }
        self.reported = bytes;
        shared.mem_bytes.store(bytes, Ordering::Relaxed);
    }
}

/// Client eviction (maxmemory-clients): while the clients' buffers together take more
/// than the limit, closes the clients that take the most (not those with CLIENT
/// NO-EVICT, nor replication links). Returns how many were closed.
pub fn evict_clients(srv: &Server, s: &Settings) -> usize {
    let limit = s.maxmemory_clients;
    if limit == 0 {
        return 0;
    }
    let mut total = srv.client_mem.load(Ordering::Relaxed) + srv.pubsub.pending_total.load(Ordering::Relaxed);
    if total as u64 <= limit {
        return 0;
    }
    let mut candidates: Vec<(usize, Arc<ClientShared>)> = srv
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .filter(|c| !c.has_flag(flags::NO_EVICT | flags::MASTER | flags::REPLICA) && !c.is_killed())
        .map(|c| (c.mem_bytes.load(Ordering::Relaxed) + c.pending_bytes.load(Ordering::Relaxed), c.clone()))
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut n = 0;
    for (bytes, c) in candidates {
        if total as u64 <= limit || bytes == 0 {
            break;
        }
        tracing::debug!(client = c.id, addr = %c.addr, bytes, "Evicting client");
        c.kill();
        total = total.saturating_sub(bytes);
        n += 1;
    }
    srv.stats.evicted_clients.fetch_add(n as u64, Ordering::Relaxed);
    n
}

/// Writes a buffer, giving up as soon as the client is killed (an output-limit or
/// CLIENT KILL victim that does not read must not hold its task and memory).
async fn write_out<W: AsyncWrite + Unpin>(wr: &mut W, buf: &[u8], shared: &ClientShared) -> Result<(), ()> {
    let mut pos = 0;
    while pos < buf.len() {
        tokio::select! {
            biased;
            r = wr.write(&buf[pos..]) => match r {
                Ok(0) | Err(_) => return Err(()),
                Ok(n) => pos += n,
            },
            _ = shared.notify.notified() => {
                if shared.is_killed() {
                    return Err(());
                }
            }
        }
    }
    Ok(())
}

/// client-output-buffer-limit for replies a command just produced: over the hard limit,
/// or over the soft limit for longer than its seconds, the client is to be closed.
/// The class is the client's: replica, pubsub (subscribed), or normal.
fn output_limit_reached(srv: &Server, s: &Settings, sess: &Session, pending: usize, soft_since: &mut Option<i64>) -> bool {
    if sess.is_master_link {
        return false;
    }
    let limit = if sess.shared.has_flag(flags::REPLICA) {
        s.output_replica
    } else if sess.in_pubsub() {
        s.output_pubsub
    } else {
        s.output_normal
    };
    let pending = pending as u64;
    let mut reached = limit.hard_bytes > 0 && pending >= limit.hard_bytes;
    if !reached && limit.soft_bytes > 0 && pending >= limit.soft_bytes {
        let now = crate::util::time::now_ms();
        let since = *soft_since.get_or_insert(now);
        reached = now - since > limit.soft_secs as i64 * 1000;
    } else if !reached {
        *soft_since = None;
    }
    if reached {
        tracing::warn!(client = sess.id, addr = %sess.shared.addr, "Client scheduled to be closed ASAP for overcoming of output buffer limits.");
        srv.stats.client_output_buffer_limit_disconnections.fetch_add(1, Ordering::Relaxed);
    }
    reached
}

/// Replies to writes leave only once the AOF has them (Redis writes the AOF buffer, and
/// under `appendfsync always` fsyncs it, before it writes any reply of an event-loop
/// turn). One wait covers the whole batch: its last write.
async fn durable(srv: &Server, sess: &Session) {
    use crate::persist::aof::BeforeReply;
    match srv.aof.before_reply(sess.prop_seq) {
        BeforeReply::Nothing => {}
        BeforeReply::Write => {
            // Let the other connections that are ready run their commands first: the
            // first one back writes everything buffered in one system call, as Redis's
            // one write per event-loop turn, and the rest find their part written.
            tokio::task::yield_now().await;
            if matches!(srv.aof.before_reply(sess.prop_seq), BeforeReply::Write) {
                srv.aof.write_through(sess.prop_seq);
            }
        }
        BeforeReply::Fsync => srv.aof.wait_durable(sess.prop_seq).await,
    }
}

/// Encodes a mailbox message; false means close the connection.
fn deliver(sess: &Session, m: ClientMsg, out: &mut Vec<u8>) -> bool {
    match m {
        ClientMsg::Push(r) => {
            encode(&r, sess.resp, out);
            true
        }
        ClientMsg::Monitor(line) => {
            out.extend_from_slice(&line);
            true
        }
        ClientMsg::Kill => false,
        ClientMsg::ResizeBuffers => true,
    }
}

async fn wait_unpause(srv: &Server, shared: &ClientShared) {
    loop {
        if shared.is_killed() {
            return;
        }
        let notified = srv.unpaused.notified();
        let killed = shared.notify.notified();
        let until = srv.pause.lock().unwrap_or_else(|e| e.into_inner()).map(|p| p.until_ms);
        let Some(until) = until else { return };
        let now = crate::util::time::now_ms();
        if until <= now {
            return;
        }
        tokio::select! {
            _ = notified => {}
            _ = killed => {}
            _ = tokio::time::sleep(std::time::Duration::from_millis((until - now) as u64)) => {}
        }
    }
}

enum BlockEnd {
    /// Served: the reply of the command that ran for it (already counted).
    Reply(Reply),
    /// Timed out or CLIENT UNBLOCK: the reply to send, and the command to count.
    Ended(Reply),
    Retry,
    Closed,
}

/// Waits for a blocked command's outcome: served, timed out, CLIENT UNBLOCK, killed,
/// or the peer going away (detected by a read of 0; bytes that arrive meanwhile are
/// kept for after the unblock, as Redis does).
async fn wait_blocked<R: AsyncRead + Unpin>(srv: &Server, sess: &mut Session, rd: &mut R, inbuf: &mut BytesMut, handle: &Arc<crate::server::blocking::BlockedHandle>, req: &crate::cmd::ctx::BlockRequest) -> BlockEnd {
    use crate::server::blocking::Served;
    // A timeout too far away to represent (Redis accepts up to ~2^63 ms) never fires.
    let deadline = if req.timeout_ms > 0 { tokio::time::Instant::now().checked_add(std::time::Duration::from_millis(req.timeout_ms)) } else { None };
    let shared = sess.shared.clone();
    let mut peer_open = true;
    loop {
        if let Some(s) = handle.take() {
            gate::unregister_waiter(&srv.ks, sess.db, &req.keys, handle);
            return match s {
                Served::Reply(r) => BlockEnd::Reply(r),
                Served::Retry => BlockEnd::Retry,
            };
        }
        let unblock = shared.unblock.swap(0, Ordering::AcqRel);
        if unblock != 0 || shared.is_killed() {
            if gate::finish_blocked(&srv.ks, sess.db, &req.keys, handle) {
                if shared.is_killed() {
                    return BlockEnd::Closed;
                }
                return BlockEnd::Ended(if unblock == 2 { Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK") } else { req.on_timeout.clone() });
            }
            continue;
        }
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        if inbuf.capacity() - inbuf.len() < 1024 {
            inbuf.reserve(READ_CHUNK);
        }
        tokio::select! {
            _ = handle.wait() => {}
            _ = shared.notify.notified() => {}
            _ = sleep => {
                if gate::finish_blocked(&srv.ks, sess.db, &req.keys, handle) {
                    return BlockEnd::Ended(req.on_timeout.clone());
                }
            }
            r = rd.read_buf(inbuf), if peer_open => {
                match r {
                    Ok(0) | Err(_) => {
                        peer_open = false;
                        if gate::finish_blocked(&srv.ks, sess.db, &req.keys, handle) {
                            return BlockEnd::Closed;
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
    }
}

fn cleanup(srv: &Server, sess: &mut Session) {
    let id = sess.id;
    srv.pubsub.remove_client(id);
    if sess.monitor {
        let mut m = srv.monitors.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|c| c.id != id);
        srv.has_monitors.store(!m.is_empty(), Ordering::Relaxed);
    }
    crate::cmd::tx::unwatch_all(srv, sess);
    srv.clients.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    srv.connected_clients.fetch_sub(1, Ordering::Relaxed);
    let _ = ReplyMode::On;
}

/// Closes clients idle longer than `timeout` (not replicas, not pub/sub, not blocked).
pub fn close_idle_clients(srv: &Server, s: &Settings, now_ms: i64) {
    if s.timeout_secs == 0 {
        return;
    }
    let limit = s.timeout_secs as i64 * 1000;
    let clients: Vec<Arc<ClientShared>> = srv.clients.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
    for c in clients {
        let f = c.flags.load(Ordering::Relaxed);
        if f & (flags::REPLICA | flags::MASTER | flags::PUBSUB | flags::BLOCKED | flags::MONITOR) != 0 {
            continue;
        }
        if now_ms - c.last_interaction_ms.load(Ordering::Relaxed) > limit {
            tracing::debug!(client = c.id, "Closing idle client");
            c.kill();
        }
    }
}
