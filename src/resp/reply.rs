//! The reply tree a command produces, and its RESP2 / RESP3 encodings.
//!
//! Handlers build a `Reply` without knowing the client's protocol; `encode` renders it:
//! maps become flat arrays in RESP2, sets become arrays, doubles become bulk strings
//! printed with `%.17g` (Redis 7.0), booleans become integers, nulls become `$-1` or
//! `*-1` as the command's RESP2 shape demands.
use crate::util::num::{fmt_g17, fmt_i64};
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub enum Reply {
    /// `+text`
    Status(Cow<'static, str>),
    /// `-text`: a full error line such as `ERR syntax error` or `WRONGTYPE ...`
    Error(Cow<'static, str>),
    Int(i64),
    Bulk(Vec<u8>),
    /// A short bulk string kept inline (no allocation): what `Reply::bulk` builds for
    /// values of up to 22 bytes, the common GET. Equal to a `Bulk` with the same bytes.
    SmallBulk(crate::keyspace::SmallBytes),
    /// Null bulk: `$-1` (RESP2), `_` (RESP3).
    Nil,
    /// Null array: `*-1` (RESP2), `_` (RESP3).
    NilArray,
    Array(Vec<Reply>),
    /// RESP3 set; an array in RESP2.
    Set(Vec<Reply>),
    /// RESP3 map; a flat key, value, key, value array in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 double; a `%.17g` bulk string in RESP2.
    Double(f64),
    /// RESP3 boolean; `:1`/`:0` in RESP2.
    Bool(bool),
    /// RESP3 verbatim string with its 3-letter format; a bulk string in RESP2.
    Verbatim(&'static str, Vec<u8>),
    /// RESP3 big number; a bulk string in RESP2.
    BigNumber(String),
    /// RESP3 push (pub/sub messages, invalidations); an array in RESP2.
    Push(Vec<Reply>),
    /// RESP3 attribute map (`|`), metadata a client reads before the reply that follows
    /// it (written in a `Seq` before that reply); nothing at all in RESP2.
    Attribute(Vec<(Reply, Reply)>),
    /// Several replies written one after another: a command that answers more than
    /// once (SUBSCRIBE a b c confirms each channel). Never nested inside arrays.
    Seq(Vec<Reply>),
}

impl Reply {
    pub const OK: Reply = Reply::Status(Cow::Borrowed("OK"));

    pub fn ok() -> Reply {
        Reply::OK
    }
    pub fn status(s: &'static str) -> Reply {
        Reply::Status(Cow::Borrowed(s))
    }
    pub fn bulk(b: &[u8]) -> Reply {
        if b.len() <= crate::keyspace::smallbytes::INLINE_CAP {
            Reply::SmallBulk(crate::keyspace::SmallBytes::new(b))
        } else {
            Reply::Bulk(b.to_vec())
        }
    }
    pub fn bulk_str(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }
    pub fn bulk_i64(v: i64) -> Reply {
        let mut buf = [0u8; 20];
        Reply::Bulk(fmt_i64(v, &mut buf).to_vec())
    }
    pub fn opt_bulk(b: Option<&[u8]>) -> Reply {
        b.map_or(Reply::Nil, Reply::bulk)
    }
    pub fn error(s: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Error(s.into())
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
    pub fn array_of_bulks<I, T>(items: I) -> Reply
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        Reply::Array(items.into_iter().map(|x| Reply::bulk(x.as_ref())).collect())
    }
    /// The bytes of a bulk, status or verbatim reply.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(b) | Reply::Verbatim(_, b) => Some(b),
            Reply::SmallBulk(b) => Some(b),
            Reply::Status(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
}

impl PartialEq for Reply {
    /// Structural equality, except that `Bulk` and `SmallBulk` compare by their bytes.
    fn eq(&self, other: &Reply) -> bool {
        use Reply::*;
        match (self, other) {
            (Bulk(_) | SmallBulk(_), Bulk(_) | SmallBulk(_)) => self.as_bytes() == other.as_bytes(),
            (Status(a), Status(b)) | (Error(a), Error(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Nil, Nil) | (NilArray, NilArray) => true,
            (Array(a), Array(b)) | (Set(a), Set(b)) | (Push(a), Push(b)) | (Seq(a), Seq(b)) => a == b,
            (Map(a), Map(b)) | (Attribute(a), Attribute(b)) => a == b,
            (Double(a), Double(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Verbatim(f, a), Verbatim(g, b)) => f == g && a == b,
            (BigNumber(a), BigNumber(b)) => a == b,
            _ => false,
        }
    }
}

/// Appends the encoding of `reply` for protocol version `proto` (2 or 3).
pub fn encode(reply: &Reply, proto: u8, out: &mut Vec<u8>) {
    let resp3 = proto >= 3;
    match reply {
        Reply::Status(s) => {
            out.push(b'+');
            push_line_safe(out, s.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Error(s) => {
            out.push(b'-');
            push_line_safe(out, s.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Int(v) => header(out, b':', *v),
        Reply::Bulk(b) => bulk(out, b),
        Reply::SmallBulk(b) => bulk(out, b),
        Reply::Nil => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
        Reply::NilArray => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" }),
        Reply::Array(items) => {
            header(out, b'*', items.len() as i64);
            for i in items {
                encode(i, proto, out);
            }
        }
        Reply::Set(items) => {
            header(out, if resp3 { b'~' } else { b'*' }, items.len() as i64);
            for i in items {
                encode(i, proto, out);
            }
        }
        Reply::Push(items) => {
            header(out, if resp3 { b'>' } else { b'*' }, items.len() as i64);
            for i in items {
                encode(i, proto, out);
            }
        }
        Reply::Map(pairs) => {
            if resp3 {
                header(out, b'%', pairs.len() as i64);
            } else {
                header(out, b'*', 2 * pairs.len() as i64);
            }
            for (k, v) in pairs {
                encode(k, proto, out);
                encode(v, proto, out);
            }
        }
        Reply::Double(d) => {
            let text = fmt_g17(*d);
            if resp3 {
                out.push(b',');
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"\r\n");
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::Bool(b) => {
            if resp3 {
                out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" });
            } else {
                out.extend_from_slice(if *b { b":1\r\n" } else { b":0\r\n" });
            }
        }
        Reply::Verbatim(fmt, text) => {
            if resp3 {
                header(out, b'=', text.len() as i64 + 4);
                out.extend_from_slice(fmt.as_bytes());
                out.push(b':');
                out.extend_from_slice(text);
                out.extend_from_slice(b"\r\n");
            } else {
                bulk(out, text);
            }
        }
        Reply::Attribute(pairs) => {
            if resp3 {
                header(out, b'|', pairs.len() as i64);
                for (k, v) in pairs {
                    encode(k, proto, out);
                    encode(v, proto, out);
                }
            }
        }
        Reply::Seq(items) => {
            for i in items {
                encode(i, proto, out);
            }
        }
        Reply::BigNumber(n) => {
            if resp3 {
                out.push(b'(');
                out.extend_from_slice(n.as_bytes());
                out.extend_from_slice(b"\r\n");
            } else {
                bulk(out, n.as_bytes());
            }
        }
    }
}

/// `<prefix><n>\r\n`
pub fn header(out: &mut Vec<u8>, prefix: u8, n: i64) {
    let mut buf = [0u8; 20];
    out.push(prefix);
    out.extend_from_slice(fmt_i64(n, &mut buf));
    out.extend_from_slice(b"\r\n");
}

/// `$<len>\r\n<bytes>\r\n`
pub fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    header(out, b'$', b.len() as i64);
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

/// Status and error lines cannot hold CR or LF; Redis replaces them with spaces.
fn push_line_safe(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().any(|&c| c == b'\r' || c == b'\n') {
        out.extend(s.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
    } else {
        out.extend_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(r: &Reply, p: u8) -> String {
        let mut v = Vec::new();
        encode(r, p, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn shapes_differ_by_protocol() {
        let m = Reply::Map(vec![(Reply::bulk(b"a"), Reply::Int(1))]);
        assert_eq!(enc(&m, 2), "*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc(&m, 3), "%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc(&Reply::Nil, 2), "$-1\r\n");
        assert_eq!(enc(&Reply::NilArray, 2), "*-1\r\n");
        assert_eq!(enc(&Reply::Nil, 3), "_\r\n");
        assert_eq!(enc(&Reply::Double(1.5), 2), "$3\r\n1.5\r\n");
        assert_eq!(enc(&Reply::Double(1.5), 3), ",1.5\r\n");
        assert_eq!(enc(&Reply::Bool(true), 2), ":1\r\n");
        assert_eq!(enc(&Reply::Verbatim("txt", b"hi".to_vec()), 3), "=6\r\ntxt:hi\r\n");
        assert_eq!(enc(&Reply::error("ERR a\r\nb"), 2), "-ERR a  b\r\n");
        let a = Reply::Seq(vec![Reply::Attribute(vec![(Reply::bulk(b"k"), Reply::Int(1))]), Reply::bulk(b"v")]);
        assert_eq!(enc(&a, 3), "|1\r\n$1\r\nk\r\n:1\r\n$1\r\nv\r\n");
        assert_eq!(enc(&a, 2), "$1\r\nv\r\n");
    }
}
