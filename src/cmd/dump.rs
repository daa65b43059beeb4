//! DUMP and RESTORE (and RESTORE-ASKING, its cluster-migration twin): a value moved
//! between servers as an RDB payload — the encoded value, the RDB version (u16 LE) and
//! a CRC64 (u64 LE) — byte-compatible with Redis 7.0 in both directions.
//!
//! RESTORE follows Redis's order of checks (options, existing key, TTL, payload trailer,
//! payload body) because each failure has its own reply. A relative TTL is propagated
//! as an absolute one with ABSTTL appended, so replicas and the AOF expire the key at
//! the same instant whatever their clocks say; a TTL already in the past restores
//! nothing (and, with REPLACE, propagates the deletion of the old key).
use super::args::{self, is};
use super::{def, CmdError, CmdResult, Ctx, Def};
use crate::keyspace::Value;
use crate::persist::rdb::{self, SaveOpts};
use crate::resp::Reply;
use crate::server::notify;
use bytes::Bytes;

pub fn defs() -> Vec<Def> {
    vec![def("dump", dump), def("restore", restore), def("restore-asking", restore)]
}

/// Highest LFU counter RESTORE ... FREQ accepts (the counter is 8 bits).
const FREQ_MAX: i64 = 255;

fn dump(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let opts = SaveOpts::from_settings(ctx.settings);
    Ok(match ctx.lookup_read(&argv[1]) {
        None => Reply::Nil,
        Some(obj) => Reply::Bulk(rdb::dump_payload(obj, opts)),
    })
}

fn restore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // 1. Options. IDLETIME and FREQ exclude each other: the second one given is a
    //    syntax error, as in Redis.
    let (mut replace, mut absttl) = (false, false);
    let mut idle: Option<u64> = None;
    let mut freq: Option<u8> = None;
    let mut j = 4;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if is(&argv[j], "replace") {
            replace = true;
        } else if is(&argv[j], "absttl") {
            absttl = true;
        } else if is(&argv[j], "idletime") && more && freq.is_none() {
            let v = args::int(&argv[j + 1])?;
            if v < 0 {
                return Err(CmdError::err("Invalid IDLETIME value, must be >= 0"));
            }
            idle = Some(v as u64);
            j += 1;
        } else if is(&argv[j], "freq") && more && idle.is_none() {
            let v = args::int(&argv[j + 1])?;
            if !(0..=FREQ_MAX).contains(&v) {
                return Err(CmdError::err("Invalid FREQ value, must be >= 0 and <= 255"));
            }
            freq = Some(v as u8);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }

    // 2. The key must be free unless REPLACE.
    let key = &argv[1][..];
    if !replace && ctx.lookup_write(key).is_some() {
        return Err(CmdError::raw("BUSYKEY Target key name already exists."));
    }

    // 3. TTL, then the payload's trailer, then its body.
    let ttl = args::int(&argv[2])?;
    if ttl < 0 {
        return Err(CmdError::err("Invalid TTL value, must be >= 0"));
    }
    let payload = &argv[3][..];
    if !rdb::verify_payload(payload) {
        return Err(CmdError::err("DUMP payload version or checksum are wrong"));
    }
    let mut obj = rdb::decode_object(payload, &mut 0, ctx.settings).map_err(|e| match e {
        // Redis would take these; say why slotd does not, after Redis's own words.
        rdb::RdbError::Unsupported { what, .. } => CmdError::Msg(format!("ERR Bad data format: the payload holds {what}, which slotd does not support").into()),
        _ => CmdError::err("Bad data format"),
    })?;

    // 4. Apply.
    let deleted = replace && ctx.delete(key);
    // Redis adds the clock to a relative TTL without an overflow check; a sum that
    // wraps is in the past and restores nothing, as there.
    let at = if ttl != 0 && !absttl { ttl.wrapping_add(ctx.now_ms) } else { ttl };
    if at != 0 && at <= ctx.now_ms && !ctx.srv.is_replica() && !ctx.sess.loading_client {
        if deleted {
            ctx.propagate_as(vec![vec![Bytes::from_static(b"DEL"), argv[1].clone()]]);
            ctx.changed(key, notify::GENERIC, "del");
        }
        return Ok(Reply::OK);
    }
    obj.lru = rdb::lru_for_load(ctx.settings, ctx.now_ms, idle, freq);
    let wakes = matches!(obj.val, Value::List(_) | Value::ZSet(_));
    let db = ctx.db();
    // Where expired keys are only hidden (a replica), one may still sit in the table.
    ctx.locks.remove(db, key);
    ctx.locks.insert_obj(db, key, obj, (at != 0).then_some(at));
    ctx.notify(notify::NEW, "new", key);
    if wakes {
        ctx.signal_ready_in(db, key);
    }
    if at != 0 && !absttl {
        let mut rewritten = argv.to_vec();
        rewritten[2] = Bytes::from(at.to_string());
        rewritten.push(Bytes::from_static(b"ABSTTL"));
        ctx.propagate_as(vec![rewritten]);
    }
    ctx.changed(key, notify::GENERIC, "restore");
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use crate::cmd::test_support::{assert_stream, propagated};

    /// A DUMP payload that survives the test script's space-split text: valid UTF-8,
    /// no spaces (the CRC bytes decide, so search for a value that gives one).
    fn hello() -> String {
        let opts = crate::persist::rdb::SaveOpts { compress: true, checksum: true, list_fill: -2 };
        (0..100_000)
            .find_map(|i| {
                let obj = crate::keyspace::Obj::new(crate::keyspace::Value::str(format!("hello{i}").as_bytes()));
                let p = crate::persist::rdb::dump_payload(&obj, opts);
                String::from_utf8(p).ok().filter(|s| !s.contains(' '))
            })
            .expect("some payload is printable")
    }

    #[test]
    fn relative_ttl_propagates_as_absolute_with_absttl() {
        let p = hello();
        let got = propagated(&[&format!("restore k1 0 {p}"), &format!("restore k2 100000 {p}"), &format!("restore k3 100000 {p} REPLACE IDLETIME 5"), &format!("restore k4 2000000000000 {p} ABSTTL")]);
        let r1 = format!("restore k1 0 {p}");
        let r4 = format!("restore k4 2000000000000 {p} absttl");
        let r2 = format!("restore k2 * {} absttl", p.to_ascii_lowercase());
        let r3 = format!("restore k3 * {} replace idletime 5 absttl", p.to_ascii_lowercase());
        assert_stream(&got, &["select 0", &r1.to_ascii_lowercase(), &r2, &r3, &r4.to_ascii_lowercase()]);
    }

    #[test]
    fn past_ttl_deletes_a_replaced_key_and_propagates_del() {
        let p = hello();
        let got = propagated(&["set k v", &format!("restore k 1 {p} REPLACE ABSTTL"), &format!("restore k2 1 {p} ABSTTL")]);
        assert_stream(&got, &["select 0", "set k v", "del k"]);
    }

    #[test]
    fn failed_restores_propagate_nothing() {
        let p = hello();
        let got = propagated(&["set k v", &format!("restore k 0 {p}"), "restore k2 0 garbage", &format!("restore k3 -1 {p}")]);
        assert_stream(&got, &["select 0", "set k v"]);
    }
}
