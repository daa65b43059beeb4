//! Parses RESP2/RESP3 replies (as a server sends them) into `Reply` trees: used to load
//! Redis's captured command metadata, to read answers from peers (MIGRATE, replication
//! handshakes) and by tests.
use super::Reply;
use std::borrow::Cow;

/// Deepest nesting accepted: bounds recursion on hostile input.
const MAX_DEPTH: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    Incomplete,
    Invalid(&'static str),
}

/// Parses one reply at the start of `buf`; returns it and the bytes it used.
pub fn parse_reply(buf: &[u8]) -> Result<(Reply, usize), ParseError> {
    let mut pos = 0;
    let r = parse_at(buf, &mut pos, 0)?;
    Ok((r, pos))
}

fn line<'a>(buf: &'a [u8], pos: &mut usize) -> Result<&'a [u8], ParseError> {
    let rest = &buf[*pos..];
    let i = rest.windows(2).position(|w| w == b"\r\n").ok_or(ParseError::Incomplete)?;
    *pos += i + 2;
    Ok(&rest[..i])
}

fn number(s: &[u8]) -> Result<i64, ParseError> {
    std::str::from_utf8(s).ok().and_then(|t| t.parse().ok()).ok_or(ParseError::Invalid("bad number"))
}

fn blob<'a>(buf: &'a [u8], pos: &mut usize, len: i64) -> Result<&'a [u8], ParseError> {
    if len < 0 {
        return Err(ParseError::Invalid("negative length"));
    }
    let len = len as usize;
    if buf.len() < *pos + len + 2 {
        return Err(ParseError::Incomplete);
    }
    let b = &buf[*pos..*pos + len];
    *pos += len + 2;
    Ok(b)
}

fn parse_at(buf: &[u8], pos: &mut usize, depth: usize) -> Result<Reply, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError::Invalid("nesting too deep"));
    }
    if *pos >= buf.len() {
        return Err(ParseError::Incomplete);
    }
    let t = buf[*pos];
    *pos += 1;
    let l = line(buf, pos)?;
    let text = || String::from_utf8_lossy(l).into_owned();
    Ok(match t {
        b'+' => Reply::Status(Cow::Owned(text())),
        b'-' => Reply::Error(Cow::Owned(text())),
        b':' => Reply::Int(number(l)?),
        b'$' => {
            let n = number(l)?;
            if n == -1 {
                Reply::Nil
            } else {
                Reply::Bulk(blob(buf, pos, n)?.to_vec())
            }
        }
        b'=' => {
            let b = blob(buf, pos, number(l)?)?;
            if b.len() < 4 {
                return Err(ParseError::Invalid("short verbatim string"));
            }
            let fmt: &'static str = match &b[..3] {
                b"txt" => "txt",
                b"mkd" => "mkd",
                _ => "txt",
            };
            Reply::Verbatim(fmt, b[4..].to_vec())
        }
        b'!' => Reply::Error(Cow::Owned(String::from_utf8_lossy(blob(buf, pos, number(l)?)?).into_owned())),
        b'_' => Reply::Nil,
        b'#' => Reply::Bool(l == b"t"),
        b',' => Reply::Double(match l {
            b"inf" => f64::INFINITY,
            b"-inf" => f64::NEG_INFINITY,
            _ => std::str::from_utf8(l).ok().and_then(|s| s.parse().ok()).ok_or(ParseError::Invalid("bad double"))?,
        }),
        b'(' => Reply::BigNumber(text()),
        b'*' | b'~' | b'>' => {
            let n = number(l)?;
            if n == -1 && t == b'*' {
                return Ok(Reply::NilArray);
            }
            if n < 0 {
                return Err(ParseError::Invalid("negative length"));
            }
            let mut items = Vec::with_capacity((n as usize).min(4096));
            for _ in 0..n {
                items.push(parse_at(buf, pos, depth + 1)?);
            }
            match t {
                b'*' => Reply::Array(items),
                b'~' => Reply::Set(items),
                _ => Reply::Push(items),
            }
        }
        b'%' | b'|' => {
            let n = number(l)?;
            if n < 0 {
                return Err(ParseError::Invalid("negative length"));
            }
            let mut pairs = Vec::with_capacity((n as usize).min(4096));
            for _ in 0..n {
                let k = parse_at(buf, pos, depth + 1)?;
                let v = parse_at(buf, pos, depth + 1)?;
                pairs.push((k, v));
            }
            if t == b'|' {
                // An attribute precedes the real reply; keep the reply.
                return parse_at(buf, pos, depth + 1);
            }
            Reply::Map(pairs)
        }
        _ => return Err(ParseError::Invalid("unknown type byte")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::reply::encode;

    #[test]
    fn round_trips_resp3() {
        let r = Reply::Array(vec![
            Reply::Map(vec![(Reply::bulk(b"k"), Reply::Set(vec![Reply::Status("x".into())]))]),
            Reply::Int(-3),
            Reply::Nil,
            Reply::Double(2.5),
            Reply::Bool(false),
            Reply::Error("ERR no".into()),
        ]);
        let mut v = Vec::new();
        encode(&r, 3, &mut v);
        let (back, n) = parse_reply(&v).unwrap();
        assert_eq!(n, v.len());
        assert_eq!(back, r);
        assert_eq!(parse_reply(&v[..v.len() - 1]), Err(ParseError::Incomplete));
    }
}
