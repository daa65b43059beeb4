//! Request frame decoding: RESP multibulk (`*<n>\r\n$<len>\r\n...`) and inline commands
//! (`SET a b\r\n`, with Redis's quoting rules), incrementally over a read buffer.
//!
//! BACKGROUND: a client may send half a frame, many frames, or garbage. The decoder
//! looks at the bytes from the start of the buffer and either returns one complete
//! request (its arguments as byte ranges and how many bytes it used), says how many more
//! bytes it needs at least (so a 512 MB value is not rescanned on every read), or
//! returns one of Redis's protocol error texts, after which the connection replies and
//! closes. Limits are checked before anything is buffered beyond them.

use std::borrow::Cow;
use std::ops::Range;

/// Longest inline request, or `*`/`$` header line, Redis accepts (PROTO_INLINE_MAX_SIZE):
/// a line that long without `\r\n` is not a header any client would send.
pub const INLINE_MAX_BYTES: usize = 64 * 1024;

/// Multibulk count and bulk lengths an unauthenticated client may announce (Redis's
/// limits: a client without credentials must not make the server buffer much).
pub const UNAUTH_MAX_ARGS: i64 = 10;
pub const UNAUTH_MAX_BULK: i64 = 16384;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// proto-max-bulk-len
    pub max_bulk_bytes: i64,
    /// whether the client has not authenticated while a password is required
    pub unauthenticated: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A whole request: `consumed` bytes form it; `args` are ranges into the buffer.
    /// An empty `args` is a request to skip (blank inline line, `*0`, `*-1`).
    Request { consumed: usize, inline: bool },
    /// An inline request with quoted arguments, unescaped into owned bytes.
    Quoted { consumed: usize, args: Vec<Vec<u8>> },
    /// Not enough bytes yet; at least this many in total are needed before trying again.
    Incomplete { need_total: usize },
    /// A protocol violation; the text is Redis's reply (without `-`/CRLF).
    Error(Cow<'static, str>),
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    let hay = &buf[from..];
    let mut i = 0;
    while let Some(p) = hay[i..].iter().position(|&b| b == b'\r') {
        let at = i + p;
        if at + 1 < hay.len() {
            if hay[at + 1] == b'\n' {
                return Some(from + at);
            }
            i = at + 1;
        } else {
            return None;
        }
    }
    None
}

/// Parses a decimal header number as Redis's `string2ll` does (strict).
fn header_number(s: &[u8]) -> Option<i64> {
    crate::util::num::parse_i64(s)
}

/// Decodes one request at the start of `buf`, pushing argument ranges into `args`.
pub fn decode(buf: &[u8], limits: Limits, args: &mut Vec<Range<usize>>) -> Decoded {
    args.clear();
    if buf.is_empty() {
        return Decoded::Incomplete { need_total: 1 };
    }
    if buf[0] == b'*' {
        decode_multibulk(buf, limits, args)
    } else {
        decode_inline(buf, args)
    }
}

fn decode_multibulk(buf: &[u8], limits: Limits, args: &mut Vec<Range<usize>>) -> Decoded {
    let Some(eol) = find_crlf(buf, 0) else {
        if buf.len() > INLINE_MAX_BYTES {
            return Decoded::Error(Cow::Borrowed("Protocol error: too big mbulk count string"));
        }
        return Decoded::Incomplete { need_total: buf.len() + 1 };
    };
    if eol > INLINE_MAX_BYTES {
        return Decoded::Error(Cow::Borrowed("Protocol error: too big mbulk count string"));
    }
    let Some(count) = header_number(&buf[1..eol]).or_else(|| if &buf[1..eol] == b"-1" { Some(-1) } else { None }) else {
        return Decoded::Error(Cow::Borrowed("Protocol error: invalid multibulk length"));
    };
    if count > i32::MAX as i64 {
        return Decoded::Error(Cow::Borrowed("Protocol error: invalid multibulk length"));
    }
    if count > UNAUTH_MAX_ARGS && limits.unauthenticated {
        return Decoded::Error(Cow::Borrowed("Protocol error: unauthenticated multibulk length"));
    }
    let mut pos = eol + 2;
    if count <= 0 {
        return Decoded::Request { consumed: pos, inline: false };
    }
    args.reserve(count.min(1024) as usize);
    for _ in 0..count {
        if pos >= buf.len() {
            return Decoded::Incomplete { need_total: pos + 1 };
        }
        let Some(eol) = find_crlf(buf, pos) else {
            if buf.len() - pos > INLINE_MAX_BYTES {
                return Decoded::Error(Cow::Borrowed("Protocol error: too big bulk count string"));
            }
            if buf[pos] != b'$' {
                return Decoded::Error(dollar_error(buf[pos]));
            }
            return Decoded::Incomplete { need_total: buf.len() + 1 };
        };
        if eol - pos > INLINE_MAX_BYTES {
            return Decoded::Error(Cow::Borrowed("Protocol error: too big bulk count string"));
        }
        if buf[pos] != b'$' {
            return Decoded::Error(dollar_error(buf[pos]));
        }
        let len = match header_number(&buf[pos + 1..eol]) {
            Some(n) if n >= 0 && n <= limits.max_bulk_bytes => n,
            _ => return Decoded::Error(Cow::Borrowed("Protocol error: invalid bulk length")),
        };
        if len > UNAUTH_MAX_BULK && limits.unauthenticated {
            return Decoded::Error(Cow::Borrowed("Protocol error: unauthenticated bulk length"));
        }
        let start = eol + 2;
        let end = start + len as usize;
        if buf.len() < end + 2 {
            return Decoded::Incomplete { need_total: end + 2 };
        }
        // Redis does not check that the two bytes after a bulk are CRLF; neither do we.
        args.push(start..end);
        pos = end + 2;
    }
    Decoded::Request { consumed: pos, inline: false }
}

/// Redis prints the offending byte as a character: "expected '$', got 'X'".
fn dollar_error(got: u8) -> Cow<'static, str> {
    Cow::Owned(format!("Protocol error: expected '$', got '{}'", got as char))
}

fn decode_inline(buf: &[u8], args: &mut Vec<Range<usize>>) -> Decoded {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > INLINE_MAX_BYTES {
            return Decoded::Error(Cow::Borrowed("Protocol error: too big inline request"));
        }
        return Decoded::Incomplete { need_total: buf.len() + 1 };
    };
    if nl > INLINE_MAX_BYTES {
        return Decoded::Error(Cow::Borrowed("Protocol error: too big inline request"));
    }
    let mut line_end = nl;
    if line_end > 0 && buf[line_end - 1] == b'\r' {
        line_end -= 1;
    }
    let line = &buf[..line_end];
    if !line.iter().any(|&b| b == b'"' || b == b'\'') {
        split_plain(line, args);
        return Decoded::Request { consumed: nl + 1, inline: true };
    }
    // Quoted arguments are unescaped, which ranges into the buffer cannot express.
    match split_args(line) {
        Some(owned) => Decoded::Quoted { consumed: nl + 1, args: owned },
        None => Decoded::Error(Cow::Borrowed("Protocol error: unbalanced quotes in request")),
    }
}

/// Splits a plain inline line (no quotes) into argument ranges.
fn split_plain(line: &[u8], args: &mut Vec<Range<usize>>) {
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        let start = i;
        while i < line.len() && !is_space(line[i]) {
            i += 1;
        }
        if i > start {
            args.push(start..i);
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `sdssplitargs`: returns None on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(out);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                if i >= line.len() {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 3 < line.len() && line[i + 1] == b'x' && line[i + 2].is_ascii_hexdigit() && line[i + 3].is_ascii_hexdigit() {
                    let hex = |d: u8| (d as char).to_digit(16).unwrap_or(0) as u8;
                    cur.push(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < line.len() {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                } else if c == b'"' {
                    if i + 1 < line.len() && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if in_sq {
                if i >= line.len() {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < line.len() && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < line.len() && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                if i >= line.len() {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        out.push(cur);
    }
}

/// The second argument (for most commands, the key) of each complete multibulk request
/// at the front of `buf`, at most `max` of them: a cheap look-ahead for cache prefetching
/// (`Keyspace::prefetch`). Validates nothing beyond staying in bounds and stops at the
/// first request it cannot walk; `decode` remains the judge of what the bytes mean.
pub fn peek_keys(buf: &[u8], max: usize, out: &mut Vec<std::ops::Range<usize>>) {
    fn line(buf: &[u8], at: usize, tag: u8) -> Option<(usize, usize)> {
        if *buf.get(at)? != tag {
            return None;
        }
        let mut n = 0usize;
        let mut i = at + 1;
        loop {
            let c = *buf.get(i)?;
            if c == b'\r' {
                return (*buf.get(i + 1)? == b'\n').then_some((n, i + 2));
            }
            if !c.is_ascii_digit() || n > (1 << 40) {
                return None;
            }
            n = n * 10 + (c - b'0') as usize;
            i += 1;
        }
    }
    let mut at = 0;
    while out.len() < max {
        let Some((argc, mut i)) = line(buf, at, b'*') else { return };
        let mut key = None;
        for a in 0..argc {
            let Some((len, start)) = line(buf, i, b'$') else { return };
            let end = start.saturating_add(len);
            if end.saturating_add(2) > buf.len() {
                return;
            }
            if a == 1 {
                key = Some(start..end);
            }
            i = end + 2;
        }
        if let Some(k) = key {
            out.push(k);
        }
        at = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits { max_bulk_bytes: 512 * 1024 * 1024, unauthenticated: false };

    fn words(buf: &[u8]) -> Result<(usize, Vec<Vec<u8>>), Decoded> {
        let mut r = Vec::new();
        match decode(buf, L, &mut r) {
            Decoded::Request { consumed, .. } => Ok((consumed, r.into_iter().map(|x| buf[x].to_vec()).collect())),
            Decoded::Quoted { consumed, args } => Ok((consumed, args)),
            other => Err(other),
        }
    }

    #[test]
    fn multibulk_frames_decode() {
        let f = b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n";
        let (n, a) = words(f).unwrap();
        assert_eq!(n, 20);
        assert_eq!(a, vec![b"GET".to_vec(), b"a".to_vec()]);
        assert!(matches!(words(&f[..19]), Err(Decoded::Incomplete { .. })));
        assert_eq!(words(b"*0\r\n").unwrap(), (4, vec![]));
        assert_eq!(words(b"*-1\r\n").unwrap(), (5, vec![]));
    }

    #[test]
    fn incomplete_large_bulk_reports_the_size_needed() {
        let mut r = Vec::new();
        assert_eq!(decode(b"*1\r\n$100000\r\nabc", L, &mut r), Decoded::Incomplete { need_total: 13 + 100002 });
    }

    #[test]
    fn malformed_frames_get_redis_texts() {
        let mut r = Vec::new();
        assert_eq!(decode(b"*x\r\n", L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: invalid multibulk length")));
        assert_eq!(decode(b"*1\r\nfoo\r\n", L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: expected '$', got 'f'")));
        assert_eq!(decode(b"*1\r\n$-5\r\n", L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: invalid bulk length")));
        assert_eq!(decode(b"*3000000000\r\n", L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: invalid multibulk length")));
        let small = Limits { max_bulk_bytes: 10, unauthenticated: false };
        assert_eq!(decode(b"*1\r\n$11\r\n", small, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: invalid bulk length")));
        let unauth = Limits { max_bulk_bytes: 1 << 29, unauthenticated: true };
        assert_eq!(decode(b"*11\r\n", unauth, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: unauthenticated multibulk length")));
        assert_eq!(decode(b"*1\r\n$16385\r\n", unauth, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: unauthenticated bulk length")));
        let long = vec![b'a'; INLINE_MAX_BYTES + 10];
        assert_eq!(decode(&long, L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: too big inline request")));
        let mut star = b"*".to_vec();
        star.extend(vec![b'1'; INLINE_MAX_BYTES + 10]);
        assert_eq!(decode(&star, L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: too big mbulk count string")));
    }

    #[test]
    fn inline_commands_split_like_redis() {
        assert_eq!(words(b"SET a b\r\n").unwrap().1, vec![b"SET".to_vec(), b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(words(b"  PING  \n").unwrap().1, vec![b"PING".to_vec()]);
        assert_eq!(words(b"\r\n").unwrap().1, Vec::<Vec<u8>>::new());
        assert_eq!(words(b"SET \"a b\" 'c\\'d'\r\n").unwrap().1, vec![b"SET".to_vec(), b"a b".to_vec(), b"c'd".to_vec()]);
        assert_eq!(words(b"ECHO \"\\x41\\n\"\r\n").unwrap().1, vec![b"ECHO".to_vec(), b"A\n".to_vec()]);
        let mut r = Vec::new();
        assert_eq!(decode(b"SET \"a\r\n", L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: unbalanced quotes in request")));
        assert_eq!(decode(b"SET \"a\"b\r\n", L, &mut r), Decoded::Error(Cow::Borrowed("Protocol error: unbalanced quotes in request")));
    }

    /// Property: decoding any byte string never panics, never reports more bytes
    /// consumed than given, and ranges stay inside the buffer. Runs a fixed sweep, and
    /// for SLOTD_FUZZ_SECS seconds more when set (CI sets it: the bounded fuzz run).
    #[test]
    fn peek_keys_finds_the_second_argument_of_complete_requests() {
        let buf = b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$2\r\nbc\r\n*2\r\n$3\r\nGET\r\n$2\r\nd";
        let mut out = Vec::new();
        peek_keys(buf, 8, &mut out);
        let keys: Vec<&[u8]> = out.iter().map(|r| &buf[r.clone()]).collect();
        assert_eq!(keys, [&b"a"[..], b"bc"]);
        let mut few = Vec::new();
        peek_keys(buf, 1, &mut few);
        assert_eq!(few.len(), 1);
        let mut none = Vec::new();
        peek_keys(b"*2\r\n$99999999999999999999\r\n", 4, &mut none);
        peek_keys(b"PING\r\n", 4, &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics() {
        let secs: u64 = std::env::var("SLOTD_FUZZ_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        let mut x: u64 = 0x9e3779b97f4a7c15 ^ std::process::id() as u64;
        let alphabet = b"*$\r\n0123456789-abc\"' \\x";
        let mut r = Vec::new();
        let mut n = 0u64;
        while n < 200_000 || std::time::Instant::now() < end {
            n += 1;
            let len = (x % 40) as usize;
            let mut buf = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            match decode(&buf, L, &mut r) {
                Decoded::Request { consumed, .. } => {
                    assert!(consumed <= buf.len());
                    assert!(r.iter().all(|a| a.start <= a.end && a.end <= buf.len()));
                }
                Decoded::Quoted { consumed, .. } => assert!(consumed <= buf.len()),
                Decoded::Incomplete { need_total } => assert!(need_total > buf.len()),
                Decoded::Error(_) => {}
            }
        }
    }
}
