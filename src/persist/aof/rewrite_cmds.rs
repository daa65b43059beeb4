//! The AOF format of a data set (a base written with `aof-use-rdb-preamble no`): the
//! commands Redis 7.0's rewrite emits, byte for byte — SET for strings, RPUSH, SADD,
//! ZADD and HMSET in batches of 64 items, PEXPIREAT for expiries, SELECT per database.
use crate::keyspace::{Obj, Value};

/// Redis's AOF_REWRITE_ITEMS_PER_CMD: items per RPUSH/SADD/ZADD/HMSET, so that loading
/// never builds one huge command.
const ITEMS_PER_CMD: usize = 64;

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    out.extend_from_slice(n.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

pub fn select(out: &mut Vec<u8>, db: usize) {
    count(out, 2);
    bulk(out, b"SELECT");
    bulk(out, db.to_string().as_bytes());
}

/// Items of `total`, emitted as commands of at most ITEMS_PER_CMD items each.
fn batched<'a>(out: &mut Vec<u8>, cmd: &[u8], key: &[u8], total: usize, width: usize, items: impl Iterator<Item = Vec<&'a [u8]>>) {
    let mut left = total;
    let mut in_cmd = 0;
    for item in items {
        if in_cmd == 0 {
            let n = left.min(ITEMS_PER_CMD);
            count(out, 2 + n * width);
            bulk(out, cmd);
            bulk(out, key);
        }
        for part in item {
            bulk(out, part);
        }
        in_cmd += 1;
        left -= 1;
        if in_cmd == ITEMS_PER_CMD {
            in_cmd = 0;
        }
    }
}

/// The commands that rebuild `key` with `obj` (and its expiry).
pub fn key_commands(out: &mut Vec<u8>, key: &[u8], obj: &Obj, expire_ms: Option<i64>) {
    match &obj.val {
        Value::Str(s) => {
            count(out, 3);
            bulk(out, b"SET");
            bulk(out, key);
            bulk(out, s.as_slice());
        }
        Value::List(l) => batched(out, b"RPUSH", key, l.len(), 1, l.iter().map(|e| vec![e])),
        Value::Set(s) => {
            let mut members: Vec<Vec<u8>> = Vec::with_capacity(s.len());
            s.for_each(|m| members.push(m.to_vec()));
            batched(out, b"SADD", key, members.len(), 1, members.iter().map(|m| vec![m.as_slice()]));
        }
        Value::ZSet(z) => {
            let entries: Vec<(String, &[u8])> = z.iter().map(|(m, score)| (crate::util::num::fmt_g17(score), m)).collect();
            batched(out, b"ZADD", key, entries.len(), 2, entries.iter().map(|(s, m)| vec![s.as_bytes(), *m]));
        }
        Value::Hash(h) => batched(out, b"HMSET", key, h.len(), 2, h.iter().map(|(f, v)| vec![f, v])),
    }
    if let Some(at) = expire_ms {
        count(out, 3);
        bulk(out, b"PEXPIREAT");
        bulk(out, key);
        bulk(out, at.to_string().as_bytes());
    }
}
