//! String commands: GET/SET and their variants (SETNX, SETEX, PSETEX, GETSET, GETDEL,
//! GETEX), MGET/MSET/MSETNX, APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE, the INCR family,
//! INCRBYFLOAT and LCS.
//!
//! Behaviour follows Redis 7.0.15: argument checks in the same order (so the same error
//! wins when several apply), the same keyspace events, the same TTL rules (SET drops a
//! TTL unless KEEPTTL; INCR, APPEND, SETRANGE keep it), and the same rewrites for
//! propagation (relative expiry becomes `SET ... PXAT`, INCRBYFLOAT becomes
//! `SET ... KEEPTTL`, GETDEL becomes `DEL`, GETEX becomes `PEXPIREAT`/`PERSIST`/`DEL`).
//! Strings modified in place carry `FLAG_RAW`, as Redis reports them `raw`.
use super::args::int;
use super::{def, CmdError, CmdResult, Ctx, Def};
use crate::keyspace::{Obj, SmallBytes, Value, FLAG_RAW};
use crate::resp::Reply;
use crate::server::notify;
use crate::util::num::{parse_i64, LongDouble};
use bytes::Bytes;

/// In-place editing of string values, shared with the bitmap and HyperLogLog commands.
#[path = "string_buf.rs"]
pub(crate) mod buf;

pub fn defs() -> Vec<Def> {
    vec![
        def("get", get),
        def("set", set),
        def("setnx", setnx),
        def("setex", setex),
        def("psetex", psetex),
        def("getset", getset),
        def("getdel", getdel),
        def("getex", getex),
        def("mget", mget),
        def("mset", mset),
        def("msetnx", msetnx),
        def("append", append),
        def("strlen", strlen),
        def("getrange", getrange),
        def("substr", getrange),
        def("setrange", setrange),
        def("incr", incr),
        def("decr", decr),
        def("incrby", incrby),
        def("decrby", decrby),
        def("incrbyfloat", incrbyfloat),
        def("lcs", lcs),
    ]
}

// ---------------------------------------------------------------------------------------
// Shared helpers

/// An option as Redis compares it: a C string, so only the bytes before a NUL count.
pub(crate) fn cstr(a: &[u8]) -> &[u8] {
    match a.iter().position(|&c| c == 0) {
        Some(i) => &a[..i],
        None => a,
    }
}

/// Case-insensitive option match with Redis's C-string semantics.
pub(crate) fn opt_is(a: &[u8], word: &str) -> bool {
    cstr(a).eq_ignore_ascii_case(word.as_bytes())
}

/// The longest string a write may produce (proto-max-bulk-len), or None for the
/// primary's stream, which is trusted as in Redis.
pub(crate) fn string_limit(ctx: &Ctx) -> Option<u64> {
    (!ctx.sess.is_master_link).then_some(ctx.settings.proto_max_bulk_len.max(0) as u64)
}

/// Redis's checkStringLength: would a string of `len + extra` bytes pass the limit?
pub(crate) fn check_string_length(limit: Option<u64>, len: u64, extra: u64) -> Result<(), CmdError> {
    match (limit, len.checked_add(extra)) {
        (None, _) => Ok(()),
        (Some(max), Some(total)) if total <= max => Ok(()),
        _ => Err(CmdError::err("string exceeds maximum allowed size (proto-max-bulk-len)")),
    }
}

/// Redis's setKey without KEEPTTL: an expired key is retired first (its `expired`
/// event and DEL come before the new value), then the value replaces any other.
pub(crate) fn set_string(ctx: &mut Ctx, key: &[u8], val: Value) {
    // set_key expires a logically expired key first (Redis's setKey), so no separate
    // lookup is needed here.
    ctx.set_key(key, val, false);
}

/// The string object under `key` for writing; WRONGTYPE for other types.
pub(crate) fn str_obj_mut<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut Obj>, CmdError> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(o) => match o.val {
            Value::Str(_) => Ok(Some(o)),
            _ => Err(CmdError::WrongType),
        },
    }
}

/// The bytes of a string object (callers checked the type).
pub(crate) fn obj_bytes_mut(o: &mut Obj) -> Option<&mut SmallBytes> {
    match &mut o.val {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// Redis's getGenericCommand: the value, nil if absent, WRONGTYPE if not a string.
fn get_reply(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    Ok(Reply::opt_bulk(ctx.read_str(key)?))
}

fn bulk_arg(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

fn int_arg(v: i64) -> Bytes {
    let mut buf = [0u8; 20];
    Bytes::copy_from_slice(crate::util::num::fmt_i64(v, &mut buf))
}

// ---------------------------------------------------------------------------------------
// SET and GETEX options

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ExpireKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

impl ExpireKind {
    fn in_seconds(self) -> bool {
        matches!(self, ExpireKind::Ex | ExpireKind::ExAt)
    }
    fn relative(self) -> bool {
        matches!(self, ExpireKind::Ex | ExpireKind::Px)
    }
}

#[derive(Default)]
struct ExtOpts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    expire: Option<(ExpireKind, &'a [u8])>,
}

/// Parses SET's (`for_set`) or GETEX's options with Redis's rules: each option is
/// refused when it conflicts with one already seen, repeats are allowed, an expiry
/// needs its value, anything else is a syntax error.
fn parse_ext_opts(args: &[Bytes], for_set: bool) -> Result<ExtOpts<'_>, CmdError> {
    let mut o = ExtOpts::default();
    let mut i = 0;
    while i < args.len() {
        let a = cstr(&args[i]);
        let next = args.get(i + 1).map(|b| &b[..]);
        let has_expire = o.expire.is_some();
        let expire_is = |k: ExpireKind| o.expire.is_some_and(|(e, _)| e == k);
        let kind = if a.eq_ignore_ascii_case(b"ex") {
            Some(ExpireKind::Ex)
        } else if a.eq_ignore_ascii_case(b"px") {
            Some(ExpireKind::Px)
        } else if a.eq_ignore_ascii_case(b"exat") {
            Some(ExpireKind::ExAt)
        } else if a.eq_ignore_ascii_case(b"pxat") {
            Some(ExpireKind::PxAt)
        } else {
            None
        };
        if a.eq_ignore_ascii_case(b"nx") && !o.xx && for_set {
            o.nx = true;
        } else if a.eq_ignore_ascii_case(b"xx") && !o.nx && for_set {
            o.xx = true;
        } else if a.eq_ignore_ascii_case(b"get") && for_set {
            o.get = true;
        } else if a.eq_ignore_ascii_case(b"keepttl") && !o.persist && !has_expire && for_set {
            o.keepttl = true;
        } else if a.eq_ignore_ascii_case(b"persist") && !for_set && !has_expire && !o.keepttl {
            o.persist = true;
        } else if let (Some(k), Some(v)) = (kind, next) {
            // The same expiry may repeat (the last value wins); another one conflicts.
            if o.keepttl || o.persist || (has_expire && !expire_is(k)) {
                return Err(CmdError::Syntax);
            }
            o.expire = Some((k, v));
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    Ok(o)
}

/// Redis's getExpireMillisecondsOrReply: the absolute expiry in Unix ms, or Redis's
/// errors ("value is not an integer", "invalid expire time in '<cmd>' command").
fn expire_at_ms(ctx: &Ctx, kind: ExpireKind, arg: &[u8], cmd: &'static str) -> Result<i64, CmdError> {
    let v = int(arg)?;
    if v <= 0 || (kind.in_seconds() && v > i64::MAX / 1000) {
        return Err(CmdError::InvalidExpire(cmd));
    }
    let ms = if kind.in_seconds() { v * 1000 } else { v };
    let ms = if kind.relative() { ms.checked_add(ctx.now_ms).ok_or(CmdError::InvalidExpire(cmd))? } else { ms };
    if ms <= 0 {
        return Err(CmdError::InvalidExpire(cmd));
    }
    Ok(ms)
}

/// How SET-like commands answer.
struct SetReplies {
    ok: Reply,
    abort: Reply,
}

const SET_REPLIES: SetReplies = SetReplies { ok: Reply::OK, abort: Reply::Nil };

/// Redis's setGenericCommand, shared by SET, SETNX, SETEX and PSETEX.
fn set_generic(ctx: &mut Ctx, argv: &[Bytes], key: &Bytes, val: &Bytes, o: &ExtOpts, cmd: &'static str, replies: SetReplies) -> CmdResult {
    // 1. The expiry is validated before anything else happens.
    let expire = match o.expire {
        Some((kind, arg)) => Some((kind, expire_at_ms(ctx, kind, arg, cmd)?)),
        None => None,
    };
    // 2. GET answers with the old value (and refuses other types) before the write.
    let old = if o.get { Some(get_reply(ctx, key)?) } else { None };
    // 3. NX/XX (the lookup also retires an expired key, as Redis's does). A plain SET
    // skips it: set_key retires an expired key by itself.
    if o.nx || o.xx {
        let found = ctx.lookup_write(key).is_some();
        if (o.nx && found) || (o.xx && !found) {
            return Ok(old.unwrap_or(replies.abort));
        }
    }
    // 4. Write; with an expiry the old TTL is kept only to be replaced right away.
    ctx.set_key(key, Value::str(val), o.keepttl || expire.is_some());
    ctx.changed(key, notify::STRING, "set");
    if let Some((_, at)) = expire {
        ctx.set_expire(key, Some(at));
        ctx.notify(notify::GENERIC, "expire", key);
        // Always the canonical form (even for PXAT as given: `pxat` becomes `PXAT`, GET
        // is dropped), as Redis 7.0 propagates it.
        ctx.propagate_as(vec![vec![bulk_arg("SET"), key.clone(), val.clone(), bulk_arg("PXAT"), int_arg(at)]]);
    } else if o.get {
        // Replicas do not need the old value.
        let rest: Vec<Bytes> = argv.iter().enumerate().filter(|(i, a)| *i < 3 || !opt_is(a, "get")).map(|(_, a)| a.clone()).collect();
        ctx.propagate_as(vec![rest]);
    }
    Ok(old.unwrap_or(replies.ok))
}

// ---------------------------------------------------------------------------------------
// GET / SET family

fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    get_reply(ctx, &argv[1])
}

fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = parse_ext_opts(&argv[3..], true)?;
    set_generic(ctx, argv, &argv[1], &argv[2], &o, "set", SET_REPLIES)
}

fn setnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = ExtOpts { nx: true, ..Default::default() };
    set_generic(ctx, argv, &argv[1], &argv[2], &o, "setnx", SetReplies { ok: Reply::Int(1), abort: Reply::Int(0) })
}

fn setex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = ExtOpts { expire: Some((ExpireKind::Ex, &argv[2])), ..Default::default() };
    set_generic(ctx, argv, &argv[1], &argv[3], &o, "setex", SET_REPLIES)
}

fn psetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = ExtOpts { expire: Some((ExpireKind::Px, &argv[2])), ..Default::default() };
    set_generic(ctx, argv, &argv[1], &argv[3], &o, "psetex", SET_REPLIES)
}

fn getset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let old = get_reply(ctx, &argv[1])?;
    ctx.set_key(&argv[1], Value::str(&argv[2]), false);
    ctx.changed(&argv[1], notify::STRING, "set");
    ctx.propagate_as(vec![vec![bulk_arg("SET"), argv[1].clone(), argv[2].clone()]]);
    Ok(old)
}

fn getdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let old = get_reply(ctx, &argv[1])?;
    if !matches!(old, Reply::Nil) && ctx.delete(&argv[1]) {
        ctx.changed(&argv[1], notify::GENERIC, "del");
        ctx.propagate_as(vec![vec![bulk_arg("DEL"), argv[1].clone()]]);
    }
    Ok(old)
}

fn getex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = parse_ext_opts(&argv[2..], false)?;
    let key = &argv[1];
    let value = match ctx.read_str(key)? {
        None => return Ok(Reply::Nil),
        Some(v) => v.to_vec(),
    };
    let expire = match o.expire {
        Some((kind, arg)) => Some((kind, expire_at_ms(ctx, kind, arg, "getex")?)),
        None => None,
    };
    match expire {
        // An absolute time already past deletes the key (not on a replica, which waits
        // for its primary's DEL).
        Some((kind, at)) if !kind.relative() && at <= ctx.now_ms && !ctx.srv.is_replica() && !ctx.sess.loading_client => {
            ctx.delete(key);
            ctx.changed(key, notify::GENERIC, "del");
            ctx.propagate_as(vec![vec![bulk_arg("DEL"), key.clone()]]);
        }
        Some((_, at)) => {
            ctx.set_expire(key, Some(at));
            ctx.changed(key, notify::GENERIC, "expire");
            ctx.propagate_as(vec![vec![bulk_arg("PEXPIREAT"), key.clone(), int_arg(at)]]);
        }
        None if o.persist && ctx.expire_at(key).is_some() => {
            ctx.set_expire(key, None);
            ctx.changed(key, notify::GENERIC, "persist");
            ctx.propagate_as(vec![vec![bulk_arg("PERSIST"), key.clone()]]);
        }
        None => {}
    }
    Ok(Reply::Bulk(value))
}

fn mget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut out = Vec::with_capacity(argv.len() - 1);
    for k in &argv[1..] {
        out.push(match ctx.lookup_read(k) {
            Some(Obj { val: Value::Str(s), .. }) => Reply::bulk(s),
            _ => Reply::Nil,
        });
    }
    Ok(Reply::Array(out))
}

fn mset_pairs(ctx: &mut Ctx, argv: &[Bytes]) {
    for pair in argv[1..].chunks_exact(2) {
        set_string(ctx, &pair[0], Value::str(&pair[1]));
        ctx.changed(&pair[0], notify::STRING, "set");
    }
}

fn mset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity("mset".into()));
    }
    mset_pairs(ctx, argv);
    Ok(Reply::OK)
}

fn msetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity("msetnx".into()));
    }
    for pair in argv[1..].chunks_exact(2) {
        if ctx.lookup_write(&pair[0]).is_some() {
            return Ok(Reply::Int(0));
        }
    }
    mset_pairs(ctx, argv);
    Ok(Reply::Int(1))
}

// ---------------------------------------------------------------------------------------
// APPEND, STRLEN, GETRANGE, SETRANGE

fn append(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, data) = (&argv[1], &argv[2]);
    let limit = string_limit(ctx);
    let appended = match str_obj_mut(ctx, key)? {
        Some(o) => {
            let len = obj_bytes_mut(o).map_or(0, |s| s.len());
            check_string_length(limit, len as u64, data.len() as u64)?;
            o.flags |= FLAG_RAW;
            obj_bytes_mut(o).map(|s| {
                buf::append(s, data);
                s.len()
            })
        }
        None => None,
    };
    let total = match appended {
        Some(total) => total,
        None => {
            // A new key takes the argument as SET would store it (int/embstr/raw).
            ctx.add_new_key(key, Value::str(data));
            data.len()
        }
    };
    ctx.changed(key, notify::STRING, "append");
    Ok(Reply::Int(total as i64))
}

fn strlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.read_str(&argv[1])?.map_or(0, |s| s.len() as i64)))
}

/// The `[start, end]` byte range of GETRANGE over a string of `len` bytes, after
/// Redis's clamping of negative and oversized indexes; None when empty.
fn getrange_span(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let mut s = if start < 0 { len.saturating_add(start) } else { start };
    let mut e = if end < 0 { len.saturating_add(end) } else { end };
    s = s.max(0);
    e = e.max(0);
    if e >= len {
        e = len - 1;
    }
    if s > e || len == 0 {
        return None;
    }
    Some((s as usize, e as usize))
}

fn getrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = int(&argv[2])?;
    let end = int(&argv[3])?;
    let Some(s) = ctx.read_str(&argv[1])? else { return Ok(Reply::Bulk(Vec::new())) };
    Ok(match getrange_span(start, end, s.len()) {
        Some((a, b)) => Reply::bulk(&s[a..=b]),
        None => Reply::Bulk(Vec::new()),
    })
}

fn setrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, data) = (&argv[1], &argv[3]);
    let offset = int(&argv[2])?;
    if offset < 0 {
        return Err(CmdError::err("offset is out of range"));
    }
    let limit = string_limit(ctx);
    // Setting nothing only reports the length; otherwise the result must fit (and,
    // for the unchecked primary stream, at least be addressable).
    let fits = || if data.is_empty() { Ok(()) } else { check_string_length(limit.or(Some(isize::MAX as u64)), offset as u64, data.len() as u64) };
    let total = match str_obj_mut(ctx, key)? {
        Some(o) => {
            let len = obj_bytes_mut(o).map_or(0, |s| s.len());
            fits()?;
            if data.is_empty() {
                return Ok(Reply::Int(len as i64));
            }
            o.flags |= FLAG_RAW;
            obj_bytes_mut(o).map(|s| {
                let end = offset as usize + data.len();
                buf::grow_zero(s, end);
                buf::bytes_mut(s)[offset as usize..end].copy_from_slice(data);
                s.len()
            })
        }
        None => {
            if data.is_empty() {
                return Ok(Reply::Int(0));
            }
            fits()?;
            None
        }
    };
    let total = match total {
        Some(total) => total,
        None => {
            let total = offset as usize + data.len();
            let mut v = vec![0u8; total];
            v[offset as usize..].copy_from_slice(data);
            ctx.add_new_key(key, Value::Str(SmallBytes::from_vec(v)));
            if let Some(o) = ctx.lookup_write(key) {
                o.flags |= FLAG_RAW;
            }
            total
        }
    };
    ctx.changed(key, notify::STRING, "setrange");
    Ok(Reply::Int(total as i64))
}

// ---------------------------------------------------------------------------------------
// Counters

/// Redis's incrDecrCommand: the value must be a canonical i64; the TTL is kept.
fn incr_by(ctx: &mut Ctx, key: &[u8], incr: i64) -> CmdResult {
    let new = match str_obj_mut(ctx, key)? {
        None => {
            let new = incr;
            ctx.add_new_key(key, Value::Str(SmallBytes::from_i64(new)));
            new
        }
        Some(o) => {
            let old = match &o.val {
                Value::Str(s) => parse_i64(s).ok_or(CmdError::NotInteger)?,
                _ => return Err(CmdError::WrongType),
            };
            let new = old.checked_add(incr).ok_or(CmdError::Overflow)?;
            o.val = Value::Str(SmallBytes::from_i64(new));
            o.flags &= !FLAG_RAW;
            new
        }
    };
    ctx.changed(key, notify::STRING, "incrby");
    Ok(Reply::Int(new))
}

fn incr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_by(ctx, &argv[1], 1)
}

fn decr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_by(ctx, &argv[1], -1)
}

fn incrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = int(&argv[2])?;
    incr_by(ctx, &argv[1], n)
}

fn decrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = int(&argv[2])?;
    if n == i64::MIN {
        return Err(CmdError::err("decrement would overflow"));
    }
    incr_by(ctx, &argv[1], -n)
}

/// INCRBYFLOAT in C long double, printed as Redis prints it; the TTL is kept and the
/// result propagates as `SET key value KEEPTTL` so replicas store the same digits.
fn incrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let (exists, cur) = match str_obj_mut(ctx, key)? {
        None => (false, LongDouble::from_f64(0.0)),
        Some(o) => match &o.val {
            Value::Str(s) => (true, LongDouble::parse(s).ok_or(CmdError::NotFloat)?),
            _ => return Err(CmdError::WrongType),
        },
    };
    let incr = LongDouble::parse(&argv[2]).ok_or(CmdError::NotFloat)?;
    let sum = cur.add(&incr).ok_or_else(|| CmdError::err("increment would produce NaN or Infinity"))?;
    let text = sum.to_human();
    let val = Value::str(&text);
    if exists {
        if let Some(o) = ctx.lookup_write(key) {
            o.val = val;
            o.flags &= !FLAG_RAW;
        }
    } else {
        ctx.add_new_key(key, val);
    }
    if let Some(o) = ctx.lookup_write(key) {
        o.flags |= crate::keyspace::FLAG_EMBSTR;
    }
    ctx.changed(key, notify::STRING, "incrbyfloat");
    let new = Bytes::copy_from_slice(&text);
    ctx.propagate_as(vec![vec![bulk_arg("SET"), key.clone(), new, bulk_arg("KEEPTTL")]]);
    Ok(Reply::Bulk(text))
}

// ---------------------------------------------------------------------------------------
// LCS

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common
/// subsequence by the classic dynamic-programming table, with Redis's replies and its
/// limit on the table's transient memory (proto-max-bulk-len).
fn lcs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let not_strings = || CmdError::err("The specified keys must contain string values");
    let a: Vec<u8> = match ctx.lookup_read(&argv[1]) {
        None => Vec::new(),
        Some(Obj { val: Value::Str(s), .. }) => s.to_vec(),
        Some(_) => return Err(not_strings()),
    };
    let b: Vec<u8> = match ctx.lookup_read(&argv[2]) {
        None => Vec::new(),
        Some(Obj { val: Value::Str(s), .. }) => s.to_vec(),
        Some(_) => return Err(not_strings()),
    };
    let (mut getlen, mut getidx, mut withmatchlen, mut minmatchlen) = (false, false, false, 0i64);
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j];
        let more = j + 1 < argv.len();
        if opt_is(opt, "IDX") {
            getidx = true;
        } else if opt_is(opt, "LEN") {
            getlen = true;
        } else if opt_is(opt, "WITHMATCHLEN") {
            withmatchlen = true;
        } else if opt_is(opt, "MINMATCHLEN") && more {
            minmatchlen = int(&argv[j + 1])?.max(0);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    if getidx && getlen {
        return Err(CmdError::err("If you want both the length and indexes, please just use IDX."));
    }
    if a.len() as u64 >= u32::MAX as u64 - 1 || b.len() as u64 >= u32::MAX as u64 - 1 {
        return Err(CmdError::err("String too long for LCS"));
    }
    let cells = (a.len() as u64 + 1) * (b.len() as u64 + 1);
    if cells.saturating_mul(4) > ctx.settings.proto_max_bulk_len.max(0) as u64 {
        return Err(CmdError::err("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
    }
    let table = LcsTable::build(&a, &b);
    let len = table.len() as i64;
    if getlen && !getidx {
        return Ok(Reply::Int(len));
    }
    let (text, ranges) = table.walk(&a, &b, minmatchlen as u64, getidx);
    if !getidx {
        return Ok(Reply::Bulk(text));
    }
    let matches = ranges
        .into_iter()
        .map(|r| {
            let mut item = vec![
                Reply::Array(vec![Reply::Int(r.a.0 as i64), Reply::Int(r.a.1 as i64)]),
                Reply::Array(vec![Reply::Int(r.b.0 as i64), Reply::Int(r.b.1 as i64)]),
            ];
            if withmatchlen {
                item.push(Reply::Int(r.len as i64));
            }
            Reply::Array(item)
        })
        .collect();
    Ok(Reply::Map(vec![(Reply::bulk_str("matches"), Reply::Array(matches)), (Reply::bulk_str("len"), Reply::Int(len))]))
}

/// One matching range of LCS IDX: inclusive positions in each string.
#[derive(Debug, PartialEq, Eq)]
struct LcsRange {
    a: (u32, u32),
    b: (u32, u32),
    len: u32,
}

/// `cell(i, j)` = LCS length of a[..i] and b[..j].
struct LcsTable {
    cells: Vec<u32>,
    cols: usize,
    rows: usize,
}

impl LcsTable {
    fn build(a: &[u8], b: &[u8]) -> LcsTable {
        let cols = b.len() + 1;
        let rows = a.len() + 1;
        let mut cells = vec![0u32; rows * cols];
        for i in 1..rows {
            let (prev, cur) = cells.split_at_mut(i * cols);
            let prev = &prev[(i - 1) * cols..];
            let cur = &mut cur[..cols];
            let ai = a[i - 1];
            for j in 1..cols {
                cur[j] = if ai == b[j - 1] { prev[j - 1] + 1 } else { prev[j].max(cur[j - 1]) };
            }
        }
        LcsTable { cells, cols, rows }
    }

    fn cell(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.cols + j]
    }

    fn len(&self) -> u32 {
        self.cell(self.rows - 1, self.cols - 1)
    }

    /// Walks back from the end: the common subsequence and, when `want_ranges`, the
    /// matching ranges from the last to the first, with Redis's rules for where a range
    /// ends and which ones are long enough to report.
    fn walk(&self, a: &[u8], b: &[u8], minmatchlen: u64, want_ranges: bool) -> (Vec<u8>, Vec<LcsRange>) {
        let mut idx = self.len() as usize;
        let mut text = vec![0u8; idx];
        let mut ranges = Vec::new();
        let none = a.len() as u32; // "no current range"
        let (mut a_start, mut a_end, mut b_start, mut b_end) = (none, 0u32, 0u32, 0u32);
        let (mut i, mut j) = (a.len(), b.len());
        while i > 0 && j > 0 {
            let mut emit = false;
            if a[i - 1] == b[j - 1] {
                text[idx - 1] = a[i - 1];
                if a_start == none {
                    a_start = (i - 1) as u32;
                    a_end = a_start;
                    b_start = (j - 1) as u32;
                    b_end = b_start;
                } else if a_start == i as u32 && b_start == j as u32 {
                    a_start -= 1;
                    b_start -= 1;
                } else {
                    emit = true;
                }
                if a_start == 0 || b_start == 0 {
                    emit = true;
                }
                idx -= 1;
                i -= 1;
                j -= 1;
            } else {
                if self.cell(i - 1, j) > self.cell(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                if a_start != none {
                    emit = true;
                }
            }
            if emit {
                let len = a_end.wrapping_sub(a_start).wrapping_add(1);
                if want_ranges && (minmatchlen == 0 || len as u64 >= minmatchlen) {
                    ranges.push(LcsRange { a: (a_start, a_end), b: (b_start, b_end), len });
                }
                a_start = none;
            }
        }
        (text, ranges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(v: &[&str]) -> Vec<Bytes> {
        v.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect()
    }

    #[test]
    fn set_options_follow_redis_conflict_rules() {
        assert!(parse_ext_opts(&b(&["NX", "XX"]), true).is_err());
        assert!(parse_ext_opts(&b(&["nx", "nx", "get", "get"]), true).is_ok());
        assert!(parse_ext_opts(&b(&["EX", "1", "PX", "2"]), true).is_err());
        let args = b(&["EX", "1", "ex", "2"]);
        let o = parse_ext_opts(&args, true).unwrap();
        assert_eq!(o.expire.map(|(k, v)| (k, v.to_vec())), Some((ExpireKind::Ex, b"2".to_vec())));
        assert!(parse_ext_opts(&b(&["KEEPTTL", "EX", "1"]), true).is_err());
        assert!(parse_ext_opts(&b(&["EX"]), true).is_err());
        assert!(parse_ext_opts(&b(&["PERSIST"]), true).is_err());
        assert!(parse_ext_opts(&b(&["PERSIST"]), false).is_ok());
        assert!(parse_ext_opts(&b(&["NX"]), false).is_err());
        assert!(parse_ext_opts(&b(&["PERSIST", "EX", "1"]), false).is_err());
        // Only the bytes before a NUL count, as in Redis's C comparisons.
        assert!(parse_ext_opts(&[Bytes::from_static(b"nx\0junk")], true).unwrap().nx);
    }

    #[test]
    fn getrange_clamps_like_redis() {
        assert_eq!(getrange_span(0, -1, 5), Some((0, 4)));
        assert_eq!(getrange_span(-3, -1, 5), Some((2, 4)));
        assert_eq!(getrange_span(-1, -3, 5), None);
        assert_eq!(getrange_span(3, 100, 5), Some((3, 4)));
        assert_eq!(getrange_span(5, 10, 5), None);
        assert_eq!(getrange_span(0, 0, 0), None);
        assert_eq!(getrange_span(-100, 2, 5), Some((0, 2)));
        assert_eq!(getrange_span(i64::MIN, i64::MAX, 5), Some((0, 4)));
    }

    #[test]
    fn lcs_finds_the_subsequence_and_its_ranges() {
        let (a, b) = (b"ohmytext".as_slice(), b"mynewtext".as_slice());
        let t = LcsTable::build(a, b);
        assert_eq!(t.len(), 6);
        let (text, ranges) = t.walk(a, b, 0, true);
        assert_eq!(text, b"mytext");
        assert_eq!(ranges, vec![LcsRange { a: (4, 7), b: (5, 8), len: 4 }, LcsRange { a: (2, 3), b: (0, 1), len: 2 }]);
        let (_, long) = t.walk(a, b, 4, true);
        assert_eq!(long.len(), 1);
        let empty = LcsTable::build(b"", b"abc");
        assert_eq!(empty.len(), 0);
        assert_eq!(empty.walk(b"", b"abc", 0, true), (Vec::new(), Vec::new()));
    }
}
