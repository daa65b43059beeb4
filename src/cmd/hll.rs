//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
//!
//! An HLL is a string value in Redis's exact layout (see `repr`), so these commands
//! accept HLLs made by redis-server and GET returns the bytes redis-server would. Every
//! command that reads an HLL first checks it is one (WRONGTYPE "Key is not a valid
//! HyperLogLog string value." otherwise) and reports malformed register data as
//! "INVALIDOBJ Corrupted HLL object detected". Writers mark the value raw, as Redis's
//! in-place edits do; PFCOUNT stores the cardinality it computed in the header, which
//! is a (propagated) write even though PFCOUNT is a read command.
use super::string::{buf, cstr, obj_bytes_mut, opt_is};
use super::{def, def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use crate::keyspace::{Obj, SmallBytes, Value, FLAG_RAW};
use crate::resp::Reply;
use crate::server::notify;
use bytes::Bytes;

/// The byte layout and algorithms (pure, unit-tested).
#[path = "../keyspace/types/hll.rs"]
pub mod repr;

pub fn defs() -> Vec<Def> {
    vec![
        def("pfadd", pfadd),
        def("pfcount", pfcount),
        def("pfmerge", pfmerge),
        def("pfdebug", pfdebug),
        def_lock("pfselftest", pfselftest, LockPolicy::None),
    ]
}

fn not_hll() -> CmdError {
    CmdError::raw("WRONGTYPE Key is not a valid HyperLogLog string value.")
}

fn corrupt() -> CmdError {
    CmdError::raw("INVALIDOBJ Corrupted HLL object detected")
}

/// Redis's isHLLObjectOrReply: the bytes of a valid HLL.
fn hll_bytes(o: &Obj) -> Result<&SmallBytes, CmdError> {
    match &o.val {
        Value::Str(s) if repr::is_valid(s) => Ok(s),
        Value::Str(_) => Err(not_hll()),
        _ => Err(CmdError::WrongType),
    }
}

/// Runs `f` on the HLL under `key` (checked, marked raw) as an editable `Vec`, and puts
/// the result back whatever `f` returns. A missing key is created empty first when
/// `create`, and `f` learns whether that happened; otherwise it is NoSuchKey.
fn edit_hll<R>(ctx: &mut Ctx, key: &[u8], create: bool, f: impl FnOnce(&mut Vec<u8>, bool) -> R) -> Result<R, CmdError> {
    if let Some(o) = ctx.lookup_write(key) {
        hll_bytes(o)?;
        return edit_obj(o, |v| f(v, false));
    }
    if !create {
        return Err(CmdError::NoSuchKey);
    }
    ctx.add_new_key(key, Value::Str(SmallBytes::from_vec(repr::new_sparse())));
    let o = ctx.lookup_write(key).ok_or(CmdError::NoSuchKey)?;
    edit_obj(o, |v| f(v, true))
}

fn edit_obj<R>(o: &mut Obj, f: impl FnOnce(&mut Vec<u8>) -> R) -> Result<R, CmdError> {
    o.flags |= FLAG_RAW;
    let s = obj_bytes_mut(o).ok_or(CmdError::WrongType)?;
    let mut v = buf::take(s);
    let r = f(&mut v);
    buf::replace_vec(s, v);
    Ok(r)
}

fn pfadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let max_bytes = ctx.settings.hll_sparse_max_bytes;
    let (updated, result) = edit_hll(ctx, key, true, |v, created| {
        let mut updated = created as u64;
        for ele in &argv[2..] {
            match repr::add(v, ele, max_bytes) {
                Ok(changed) => updated += changed as u64,
                Err(_) => return (updated, Err(corrupt())),
            }
        }
        if updated > 0 {
            repr::invalidate_cache(v);
        }
        (updated, Ok(()))
    })?;
    result?;
    if updated > 0 {
        ctx.modified(key);
        ctx.notify(notify::STRING, "pfadd", key);
        ctx.dirty += updated;
    }
    Ok(Reply::Int((updated > 0) as i64))
}

fn pfcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 2 {
        // Several keys: the union's registers, counted without touching any key.
        let mut max = vec![0u8; repr::REGISTERS];
        for k in &argv[1..] {
            let Some(o) = ctx.lookup_read(k) else { continue };
            repr::merge_into(&mut max, hll_bytes(o)?).map_err(|_| corrupt())?;
        }
        return Ok(Reply::Int(repr::count_raw(&max) as i64));
    }
    let key = &argv[1];
    let Some(o) = ctx.lookup_read(key) else { return Ok(Reply::Int(0)) };
    hll_bytes(o)?;
    o.flags |= FLAG_RAW;
    let s = obj_bytes_mut(o).ok_or(CmdError::WrongType)?;
    if let Some(card) = repr::cached_card(s) {
        return Ok(Reply::Int(card as i64));
    }
    let card = repr::count(s).map_err(|_| corrupt())?;
    repr::set_cached_card(buf::bytes_mut(s), card);
    ctx.modified(key);
    ctx.dirty += 1;
    Ok(Reply::Int(card as i64))
}

fn pfmerge(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let dest = &argv[1];
    let max_bytes = ctx.settings.hll_sparse_max_bytes;
    // 1. The union of every input, the destination included.
    let mut max = vec![0u8; repr::REGISTERS];
    let mut any_dense = false;
    for k in &argv[1..] {
        let Some(o) = ctx.lookup_read(k) else { continue };
        let s = hll_bytes(o)?;
        any_dense |= repr::encoding(s) == repr::DENSE;
        repr::merge_into(&mut max, s).map_err(|_| corrupt())?;
    }
    // 2. Into the destination (created if missing), dense if any input was.
    edit_hll(ctx, dest, true, |v, _| {
        if any_dense {
            repr::sparse_to_dense(v).map_err(|_| corrupt())?;
        }
        for (i, &m) in max.iter().enumerate() {
            if m != 0 {
                // As in Redis, a failure here leaves the register as it was.
                let _ = repr::raise(v, i, m, max_bytes);
            }
        }
        repr::invalidate_cache(v);
        Ok::<(), CmdError>(())
    })??;
    ctx.modified(dest);
    // Redis publishes pfadd for a merge too.
    ctx.notify(notify::STRING, "pfadd", dest);
    ctx.dirty += 1;
    Ok(Reply::OK)
}

fn pfdebug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let sub = &argv[1];
    let key = &argv[2];
    let sub_text = String::from_utf8_lossy(cstr(sub)).into_owned();
    match ctx.lookup_write(key) {
        None => return Err(CmdError::err("The specified key does not exist")),
        Some(o) => {
            hll_bytes(o)?;
        }
    }
    let arity = || Err(CmdError::err(format!("Wrong number of arguments for the '{sub_text}' subcommand")));
    if opt_is(sub, "getreg") {
        if argv.len() != 3 {
            return arity();
        }
        if edit_hll(ctx, key, false, |v, _| repr::sparse_to_dense(v))?.map_err(|_| corrupt())? {
            ctx.dirty += 1; // the encoding changed: propagate
        }
        let regs = edit_hll(ctx, key, false, |v, _| repr::dense_registers(v))?;
        Ok(Reply::Array(regs.into_iter().map(|r| Reply::Int(r as i64)).collect()))
    } else if opt_is(sub, "decode") {
        if argv.len() != 3 {
            return arity();
        }
        let text = edit_hll(ctx, key, false, |v, _| (repr::encoding(v) == repr::SPARSE).then(|| repr::decode_sparse(v)))?;
        match text {
            Some(t) => Ok(Reply::Bulk(t.into_bytes())),
            None => Err(CmdError::err("HLL encoding is not sparse")),
        }
    } else if opt_is(sub, "encoding") {
        if argv.len() != 3 {
            return arity();
        }
        let enc = edit_hll(ctx, key, false, |v, _| repr::encoding(v))?;
        Ok(Reply::status(if enc == repr::DENSE { "dense" } else { "sparse" }))
    } else if opt_is(sub, "todense") {
        if argv.len() != 3 {
            return arity();
        }
        let converted = edit_hll(ctx, key, false, |v, _| repr::sparse_to_dense(v))?.map_err(|_| corrupt())?;
        if converted {
            ctx.dirty += 1;
        }
        Ok(Reply::Int(converted as i64))
    } else {
        // The key is still unshared (marked raw) first, as in Redis.
        edit_hll(ctx, key, false, |_, _| ())?;
        Err(CmdError::err(format!("Unknown PFDEBUG subcommand '{sub_text}'")))
    }
}

/// PFSELFTEST: checks the dense register packing and that the sparse and dense
/// encodings agree and estimate within bounds, on random data.
fn pfselftest(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match selftest() {
        Ok(()) => Ok(Reply::OK),
        Err(msg) => Err(CmdError::raw(format!("TESTFAILED {msg}"))),
    }
}

fn selftest() -> Result<(), String> {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    // 1. Dense packing: random values everywhere read back unchanged.
    let mut dense = repr::new_sparse();
    repr::sparse_to_dense(&mut dense).map_err(|_| "cannot convert an empty HLL to dense".to_string())?;
    let want: Vec<u8> = (0..repr::REGISTERS).map(|_| rng.gen_range(0..64u8)).collect();
    let regs = &mut dense[repr::HEADER_LEN..];
    for (i, &v) in want.iter().enumerate() {
        repr::dense_put(regs, i, v);
    }
    if repr::dense_registers(&dense) != want {
        return Err("Register error".into());
    }
    // 2. The same elements in both encodings: equal counts, error within 5 standard
    //    errors (1.04 / sqrt(m)) at every checkpoint.
    let mut sparse = repr::new_sparse();
    let mut dense = repr::new_sparse();
    repr::sparse_to_dense(&mut dense).map_err(|_| "dense conversion failed".to_string())?;
    let salt: u64 = rng.gen();
    let std_err = 1.04 / (repr::REGISTERS as f64).sqrt();
    let mut checkpoint = 1u64;
    for n in 1..=100_000u64 {
        let ele = format!("{salt:x}:{n}");
        let e1 = repr::add(&mut sparse, ele.as_bytes(), 3000);
        let e2 = repr::add(&mut dense, ele.as_bytes(), 3000);
        if e1.is_err() || e2.is_err() {
            return Err(format!("corrupted HLL after {n} additions"));
        }
        if n == checkpoint {
            let a = repr::count(&sparse).map_err(|_| "sparse count failed".to_string())?;
            let b = repr::count(&dense).map_err(|_| "dense count failed".to_string())?;
            if a != b {
                return Err(format!("Sparse and dense cardinality differ: {a} vs {b} after {n} additions"));
            }
            let err = (b as f64 - n as f64).abs();
            if err > (5.0 * std_err * n as f64).max(1.0) {
                return Err(format!("Too big error. card:{n} abserr:{err}"));
            }
            checkpoint *= 10;
        }
    }
    Ok(())
}
