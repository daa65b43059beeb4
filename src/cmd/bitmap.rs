//! Bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD
//! and BITFIELD_RO.
//!
//! Bits are numbered from the most significant bit of the first byte, as in Redis.
//! Writes grow the string with zero bytes (bounded by proto-max-bulk-len through the
//! offset checks), change it in place and mark it `FLAG_RAW`; a write that changes
//! nothing publishes no event and is not propagated, as in Redis 7.0. The pure bit
//! arithmetic lives at the bottom of this file with its unit tests.
use super::args::int;
use super::string::{buf, cstr, obj_bytes_mut, opt_is, set_string, str_obj_mut};
use super::{def, CmdError, CmdResult, Ctx, Def};
use crate::keyspace::{SmallBytes, Value, FLAG_RAW};
use crate::resp::Reply;
use crate::server::notify;
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn defs() -> Vec<Def> {
    vec![
        def("setbit", setbit),
        def("getbit", getbit),
        def("bitcount", bitcount),
        def("bitpos", bitpos),
        def("bitop", bitop),
        def("bitfield", bitfield),
        def("bitfield_ro", bitfield_ro),
    ]
}

fn bad_offset() -> CmdError {
    CmdError::err("bit offset is not an integer or out of range")
}

/// Redis's getBitOffsetFromArgument: a bit offset, or with `#n` (BITFIELD only) n times
/// the field width; the byte it falls in must be below proto-max-bulk-len.
fn bit_offset(ctx: &Ctx, arg: &[u8], hash_bits: Option<u32>) -> Result<u64, CmdError> {
    let (digits, mult) = match (arg.first(), hash_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], bits as i64),
        _ => (arg, 1),
    };
    // Redis multiplies without an overflow check; a wrapped product is refused below.
    let off = parse_i64(digits).ok_or_else(bad_offset)?.wrapping_mul(mult);
    if off < 0 || (!ctx.sess.is_master_link && (off >> 3) >= ctx.settings.proto_max_bulk_len) {
        return Err(bad_offset());
    }
    Ok(off as u64)
}

/// Redis's lookupStringForBitCommand: runs `f` on the bytes of the string under `key`,
/// created or grown with zeros so that bit `max_bit` exists, and marked raw. `f` also
/// learns whether the string was created or grew (a change even if no bit flips).
fn with_bits_for_write<R>(ctx: &mut Ctx, key: &[u8], max_bit: u64, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, CmdError> {
    let need = (max_bit >> 3) as usize + 1;
    if let Some(o) = str_obj_mut(ctx, key)? {
        o.flags |= FLAG_RAW;
        let s = obj_bytes_mut(o).ok_or(CmdError::WrongType)?;
        let old = s.len();
        buf::grow_zero(s, need);
        let grew = s.len() != old;
        return Ok(f(buf::bytes_mut(s), grew));
    }
    ctx.add_new_key(key, Value::Str(SmallBytes::from_vec(vec![0u8; need])));
    let o = ctx.lookup_write(key).ok_or(CmdError::NoSuchKey)?;
    o.flags |= FLAG_RAW;
    let s = obj_bytes_mut(o).ok_or(CmdError::WrongType)?;
    Ok(f(buf::bytes_mut(s), true))
}

fn setbit(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let offset = bit_offset(ctx, &argv[2], None)?;
    let bad_bit = || CmdError::err("bit is not an integer or out of range");
    let on = parse_i64(&argv[3]).ok_or_else(bad_bit)?;
    if on & !1 != 0 {
        return Err(bad_bit());
    }
    let byte = (offset >> 3) as usize;
    let mask = 0x80u8 >> (offset & 7);
    let (was, changed) = with_bits_for_write(ctx, key, offset, |bytes, grew| {
        let was = bytes[byte] & mask != 0;
        let changed = grew || was != (on == 1);
        if on == 1 {
            bytes[byte] |= mask;
        } else {
            bytes[byte] &= !mask;
        }
        (was, changed)
    })?;
    if changed {
        ctx.changed(key, notify::STRING, "setbit");
    }
    Ok(Reply::Int(was as i64))
}

fn getbit(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &argv[2], None)?;
    let Some(s) = ctx.read_str(&argv[1])? else { return Ok(Reply::Int(0)) };
    let byte = (offset >> 3) as usize;
    let bit = s.get(byte).map_or(0, |b| (b >> (7 - (offset & 7))) & 1);
    Ok(Reply::Int(bit as i64))
}

/// A BITCOUNT/BITPOS range resolved to bytes: `[start, end]` inclusive, plus the masks
/// of the bits of the first and last byte that lie outside a BIT range.
struct ByteRange {
    start: i64,
    end: i64,
    first_out: u8,
    last_out: u8,
}

/// Redis's range arithmetic for BITCOUNT/BITPOS: negative indexes count from the end,
/// indexes are clamped to the string, BIT ranges become byte ranges with edge masks.
fn resolve_range(mut start: i64, mut end: i64, len: usize, in_bits: bool) -> ByteRange {
    let mut total = len as i64;
    if in_bits {
        total <<= 3;
    }
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    let (mut first_out, mut last_out) = (0u8, 0u8);
    if in_bits && start <= end {
        // The bits before `start` in its byte, and after `end` in its byte.
        first_out = !(0xffu8 >> (start & 7));
        last_out = (1u8 << (7 - (end & 7))) - 1;
        start >>= 3;
        end >>= 3;
    }
    ByteRange { start, end, first_out, last_out }
}

fn bit_or_byte(arg: &[u8]) -> Result<bool, CmdError> {
    if opt_is(arg, "bit") {
        Ok(true)
    } else if opt_is(arg, "byte") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

fn bitcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Redis looks the key up before it reads the range: a missing key counts 0 whatever
    // the arguments.
    let Some(s) = ctx.read_str(&argv[1])? else { return Ok(Reply::Int(0)) };
    let r = match argv.len() {
        2 => ByteRange { start: 0, end: s.len() as i64 - 1, first_out: 0, last_out: 0 },
        4 | 5 => {
            let start = int(&argv[2])?;
            let end = int(&argv[3])?;
            // A range of two negative indexes in the wrong order is empty, decided
            // before the unit is even read (Redis's order).
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Int(0));
            }
            let in_bits = if argv.len() == 5 { bit_or_byte(&argv[4])? } else { false };
            resolve_range(start, end, s.len(), in_bits)
        }
        _ => return Err(CmdError::Syntax),
    };
    if r.start > r.end {
        return Ok(Reply::Int(0));
    }
    let (a, b) = (r.start as usize, r.end as usize);
    let mut n = popcount(&s[a..=b]);
    n -= (s[a] & r.first_out).count_ones() as u64;
    n -= (s[b] & r.last_out).count_ones() as u64;
    Ok(Reply::Int(n as i64))
}

fn bitpos(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let bit = int(&argv[2])?;
    if bit != 0 && bit != 1 {
        return Err(CmdError::err("The bit argument must be 1 or 0."));
    }
    let want = bit == 1;
    // A missing key is an endless run of zeros.
    let Some(s) = ctx.read_str(&argv[1])? else { return Ok(Reply::Int(if want { -1 } else { 0 })) };
    let len = s.len();
    let mut end_given = false;
    let r = match argv.len() {
        3 => ByteRange { start: 0, end: len as i64 - 1, first_out: 0, last_out: 0 },
        4..=6 => {
            let start = int(&argv[3])?;
            let in_bits = if argv.len() == 6 { bit_or_byte(&argv[5])? } else { false };
            let end = if argv.len() >= 5 {
                end_given = true;
                int(&argv[4])?
            } else if in_bits {
                ((len as i64) << 3) + 7
            } else {
                len as i64 - 1
            };
            resolve_range(start, end, len, in_bits)
        }
        _ => return Err(CmdError::Syntax),
    };
    Ok(Reply::Int(bitpos_in_range(s, &r, want, end_given)))
}

/// BITPOS over a resolved range: the edge bytes are searched with their outside bits
/// forced to the value not searched for. With an explicit end, running off the range
/// while looking for a 0 means "none" (-1) rather than the first bit past the end.
fn bitpos_in_range(s: &[u8], r: &ByteRange, want: bool, end_given: bool) -> i64 {
    if r.start > r.end {
        return -1;
    }
    let hide = |byte: u8, out: u8| if want { byte & !out } else { byte | out };
    let mut start = r.start as usize;
    let end = r.end as usize;
    let mut bytes = end - start + 1;
    let pos = 'found: {
        if r.first_out != 0 {
            let mut b = hide(s[start], r.first_out);
            if r.last_out != 0 && bytes == 1 {
                b = hide(b, r.last_out);
            }
            let pos = first_bit(&[b], want);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'found pos;
            }
            start += 1;
            bytes -= 1;
        }
        let middle = bytes - usize::from(r.last_out != 0);
        if middle > 0 {
            let pos = first_bit(&s[start..start + middle], want);
            if bytes == middle || (pos != -1 && pos != (middle as i64) << 3) {
                break 'found pos;
            }
            start += middle;
            bytes -= middle;
        }
        first_bit(&[hide(s[end], r.last_out)], want)
    };
    if end_given && !want && pos == (bytes as i64) << 3 {
        return -1;
    }
    if pos != -1 {
        pos + ((start as i64) << 3)
    } else {
        pos
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

fn bitop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = cstr(&argv[1]);
    let op = if name.eq_ignore_ascii_case(b"and") {
        BitOp::And
    } else if name.eq_ignore_ascii_case(b"or") {
        BitOp::Or
    } else if name.eq_ignore_ascii_case(b"xor") {
        BitOp::Xor
    } else if name.eq_ignore_ascii_case(b"not") {
        BitOp::Not
    } else {
        return Err(CmdError::Syntax);
    };
    if op == BitOp::Not && argv.len() != 4 {
        return Err(CmdError::err("BITOP NOT must be called with a single source key."));
    }
    let dest = &argv[2];
    let sources = &argv[3..];
    // Pass 1: type checks and the result length, without copying the sources.
    let mut max_len = 0usize;
    for k in sources {
        if let Some(s) = ctx.read_str(k)? {
            max_len = max_len.max(s.len());
        }
    }
    // Pass 2: fold each source into the result (missing bytes count as zeros).
    let mut res = vec![if op == BitOp::And { 0xffu8 } else { 0 }; max_len];
    if max_len > 0 {
        for k in sources {
            let src: &[u8] = match ctx.lookup_write(k) {
                Some(o) => obj_bytes_mut(o).map_or(&[][..], |s| &**s),
                None => &[],
            };
            fold_bitop(op, &mut res, src);
        }
    }
    if max_len > 0 {
        set_string(ctx, dest, Value::Str(SmallBytes::from_vec(res)));
        if let Some(o) = ctx.lookup_write(dest) {
            o.flags |= FLAG_RAW;
        }
        ctx.changed(dest, notify::STRING, "set");
    } else if ctx.delete(dest) {
        ctx.changed(dest, notify::GENERIC, "del");
    }
    Ok(Reply::Int(max_len as i64))
}

/// One source into a BITOP result; the result is as long as the longest source.
fn fold_bitop(op: BitOp, res: &mut [u8], src: &[u8]) {
    let n = src.len().min(res.len());
    let (head, tail) = res.split_at_mut(n);
    match op {
        BitOp::And => {
            head.iter_mut().zip(src).for_each(|(r, s)| *r &= s);
            tail.fill(0);
        }
        BitOp::Or => head.iter_mut().zip(src).for_each(|(r, s)| *r |= s),
        BitOp::Xor => head.iter_mut().zip(src).for_each(|(r, s)| *r ^= s),
        BitOp::Not => head.iter_mut().zip(src).for_each(|(r, s)| *r = !s),
    }
}

// ---------------------------------------------------------------------------------------
// BITFIELD

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum OverflowMode {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FieldOp {
    Get,
    Set,
    IncrBy,
}

#[derive(Clone, Copy, Debug)]
struct FieldCmd {
    op: FieldOp,
    offset: u64,
    bits: u32,
    signed: bool,
    value: i64,
    overflow: OverflowMode,
}

/// Redis's getBitfieldTypeFromArgument: `i1`..`i64` or `u1`..`u63`.
fn field_type(arg: &[u8]) -> Result<(bool, u32), CmdError> {
    let err = || CmdError::err("Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(err()),
    };
    let bits = parse_i64(cstr(&arg[1..])).ok_or_else(err)?;
    if bits < 1 || (signed && bits > 64) || (!signed && bits > 63) {
        return Err(err());
    }
    Ok((signed, bits as u32))
}

fn parse_bitfield(ctx: &Ctx, argv: &[Bytes]) -> Result<Vec<FieldCmd>, CmdError> {
    let mut ops = Vec::new();
    let mut overflow = OverflowMode::Wrap;
    let mut j = 2;
    while j < argv.len() {
        let remaining = argv.len() - j - 1;
        let sub = &argv[j];
        let op = if opt_is(sub, "get") && remaining >= 2 {
            FieldOp::Get
        } else if opt_is(sub, "set") && remaining >= 3 {
            FieldOp::Set
        } else if opt_is(sub, "incrby") && remaining >= 3 {
            FieldOp::IncrBy
        } else if opt_is(sub, "overflow") && remaining >= 1 {
            let t = &argv[j + 1];
            overflow = if opt_is(t, "wrap") {
                OverflowMode::Wrap
            } else if opt_is(t, "sat") {
                OverflowMode::Sat
            } else if opt_is(t, "fail") {
                OverflowMode::Fail
            } else {
                return Err(CmdError::err("Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(CmdError::Syntax);
        };
        let (signed, bits) = field_type(&argv[j + 1])?;
        let offset = bit_offset(ctx, &argv[j + 2], Some(bits))?;
        let value = if op == FieldOp::Get { 0 } else { int(&argv[j + 3])? };
        ops.push(FieldCmd { op, offset, bits, signed, value, overflow });
        j += if op == FieldOp::Get { 3 } else { 4 };
    }
    Ok(ops)
}

fn bitfield(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, argv, false)
}

fn bitfield_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, argv, true)
}

fn bitfield_generic(ctx: &mut Ctx, argv: &[Bytes], ro_command: bool) -> CmdResult {
    let key = &argv[1];
    let ops = parse_bitfield(ctx, argv)?;
    let highest_write = ops.iter().filter(|o| o.op != FieldOp::Get).map(|o| o.offset + o.bits as u64 - 1).max();
    let Some(highest_write) = highest_write else {
        // Only GETs: a missing key reads as zeros.
        let s = ctx.read_str(key)?.unwrap_or(&[]);
        return Ok(Reply::Array(ops.iter().map(|o| Reply::Int(field_get(s, o))).collect()));
    };
    if ro_command {
        return Err(CmdError::err("BITFIELD_RO only supports the GET subcommand"));
    }
    let (out, changes) = with_bits_for_write(ctx, key, highest_write, |bytes, grew| {
        let mut changes = 0u64;
        let mut out = Vec::with_capacity(ops.len());
        for o in &ops {
            if o.op == FieldOp::Get {
                out.push(Reply::Int(field_get(bytes, o)));
                continue;
            }
            match field_write(bytes, o) {
                Some((reply, changed)) => {
                    out.push(Reply::Int(reply));
                    if grew || changed {
                        changes += 1;
                    }
                }
                None => out.push(Reply::Nil),
            }
        }
        (out, changes)
    })?;
    if changes > 0 {
        ctx.modified(key);
        ctx.notify(notify::STRING, "setbit", key);
        ctx.dirty += changes;
    }
    Ok(Reply::Array(out))
}

/// GET of a field; bits past the end of the string read as zeros.
fn field_get(s: &[u8], o: &FieldCmd) -> i64 {
    // Copy the (at most 9) bytes the field spans into a zero-padded window.
    let byte = (o.offset >> 3) as usize;
    let mut window = [0u8; 9];
    if byte < s.len() {
        let n = (s.len() - byte).min(9);
        window[..n].copy_from_slice(&s[byte..byte + n]);
    }
    let off = o.offset & 7;
    if o.signed {
        get_signed(&window, off, o.bits)
    } else {
        get_unsigned(&window, off, o.bits) as i64
    }
}

/// SET or INCRBY of a field in a string long enough for it. Returns the reply value and
/// whether the field changed, or None when OVERFLOW FAIL refused the write.
fn field_write(s: &mut [u8], o: &FieldCmd) -> Option<(i64, bool)> {
    if o.signed {
        let old = get_signed(s, o.offset, o.bits);
        let (new, reply) = if o.op == FieldOp::IncrBy {
            let new = match signed_overflow(old, o.value, o.bits, o.overflow) {
                Some(limit) => limit?,
                None => old.wrapping_add(o.value),
            };
            (new, new)
        } else {
            let new = match signed_overflow(o.value, 0, o.bits, o.overflow) {
                Some(limit) => limit?,
                None => o.value,
            };
            (new, old)
        };
        set_unsigned(s, o.offset, o.bits, new as u64);
        Some((reply, old != new))
    } else {
        let old = get_unsigned(s, o.offset, o.bits);
        let (new, reply) = if o.op == FieldOp::IncrBy {
            let new = match unsigned_overflow(old, o.value, o.bits, o.overflow) {
                Some(limit) => limit?,
                None => old.wrapping_add(o.value as u64),
            };
            (new, new)
        } else {
            let new = match unsigned_overflow(o.value as u64, 0, o.bits, o.overflow) {
                Some(limit) => limit?,
                None => o.value as u64,
            };
            (new, old)
        };
        set_unsigned(s, o.offset, o.bits, new);
        Some((reply as i64, old != new))
    }
}

// ---------------------------------------------------------------------------------------
// Pure bit arithmetic

/// Number of set bits.
pub fn popcount(s: &[u8]) -> u64 {
    let mut chunks = s.chunks_exact(8);
    let mut n: u64 = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        n += u64::from_ne_bytes(w).count_ones() as u64;
    }
    n + chunks.remainder().iter().map(|b| b.count_ones() as u64).sum::<u64>()
}

/// Position of the first bit equal to `want`, counting from the most significant bit of
/// the first byte. Not found: -1 when looking for a 1; the bit right after the end when
/// looking for a 0 (the string is taken as zero-padded on the right).
pub fn first_bit(s: &[u8], want: bool) -> i64 {
    let skip = if want { 0u8 } else { 0xff };
    match s.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = if want { s[i] } else { !s[i] };
            ((i as i64) << 3) + b.leading_zeros() as i64
        }
        None if want => -1,
        None => (s.len() as i64) << 3,
    }
}

/// `bits` bits (1..=64) from bit `offset`, as an unsigned number (first bit is the most
/// significant). The caller guarantees the bits exist.
pub fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for i in 0..bits as u64 {
        let o = offset + i;
        let bit = (s[(o >> 3) as usize] >> (7 - (o & 7))) & 1;
        v = (v << 1) | bit as u64;
    }
    v
}

/// Like `get_unsigned`, the top bit extended as a two's complement sign.
pub fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let v = get_unsigned(s, offset, bits);
    if bits < 64 && v & (1u64 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

/// Stores the low `bits` bits of `value` at bit `offset`.
pub fn set_unsigned(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    for i in 0..bits as u64 {
        let on = (value >> (bits as u64 - 1 - i)) & 1 == 1;
        let o = offset + i;
        let mask = 0x80u8 >> (o & 7);
        let b = &mut s[(o >> 3) as usize];
        if on {
            *b |= mask;
        } else {
            *b &= !mask;
        }
    }
}

/// Whether `value + incr` leaves the range of a `bits`-bit unsigned field. None if it
/// fits; otherwise Some(the value to store): wrapped, saturated, or None for FAIL.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, mode: OverflowMode) -> Option<Option<u64>> {
    let max = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let high = value > max || (incr > 0 && incr > max_incr);
    let low = !high && incr < 0 && incr < min_incr;
    if !high && !low {
        return None;
    }
    Some(match mode {
        OverflowMode::Wrap => {
            let keep = if bits == 64 { u64::MAX } else { !(u64::MAX << bits) };
            Some(value.wrapping_add(incr as u64) & keep)
        }
        OverflowMode::Sat => Some(if high { max } else { 0 }),
        OverflowMode::Fail => None,
    })
}

/// The signed counterpart of `unsigned_overflow` (fields of 1..=64 bits).
fn signed_overflow(value: i64, incr: i64, bits: u32, mode: OverflowMode) -> Option<Option<i64>> {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    // These may wrap; they are only used once `value` is known to be in range.
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let high = value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr);
    let low = !high && (value < min || (bits != 64 && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr));
    if !high && !low {
        return None;
    }
    Some(match mode {
        OverflowMode::Wrap => {
            let mut c = (value as u64).wrapping_add(incr as u64);
            if bits < 64 {
                let upper = u64::MAX << bits;
                if c & (1u64 << (bits - 1)) != 0 {
                    c |= upper;
                } else {
                    c &= !upper;
                }
            }
            Some(c as i64)
        }
        OverflowMode::Sat => Some(if high { max } else { min }),
        OverflowMode::Fail => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popcount_counts_every_byte() {
        assert_eq!(popcount(b""), 0);
        assert_eq!(popcount(b"foobar"), 26);
        assert_eq!(popcount(&[0xff; 17]), 136);
    }

    #[test]
    fn first_bit_treats_the_string_as_zero_padded() {
        assert_eq!(first_bit(&[0x00, 0x10], true), 11);
        assert_eq!(first_bit(&[0x00, 0x00], true), -1);
        assert_eq!(first_bit(&[0xff, 0xf0], false), 12);
        assert_eq!(first_bit(&[0xff, 0xff], false), 16);
        assert_eq!(first_bit(&[], false), 0);
    }

    #[test]
    fn bit_ranges_become_byte_ranges_with_edge_masks() {
        let r = resolve_range(5, 30, 4, true);
        assert_eq!((r.start, r.end, r.first_out, r.last_out), (0, 3, 0b1111_1000, 0b0000_0001));
        let r = resolve_range(-1, -1, 2, false);
        assert_eq!((r.start, r.end), (1, 1));
        let r = resolve_range(0, -1, 0, false);
        assert!(r.start > r.end);
        let r = resolve_range(8, 15, 4, true);
        assert_eq!((r.start, r.end, r.first_out, r.last_out), (1, 1, 0, 0));
    }

    #[test]
    fn bitpos_respects_an_explicit_end_for_zero_bits() {
        let s = [0xffu8, 0xff, 0x00];
        let whole = ByteRange { start: 0, end: 2, first_out: 0, last_out: 0 };
        assert_eq!(bitpos_in_range(&s, &whole, false, false), 16);
        let two = ByteRange { start: 0, end: 1, first_out: 0, last_out: 0 };
        assert_eq!(bitpos_in_range(&s, &two, false, true), -1);
        assert_eq!(bitpos_in_range(&s, &two, false, false), 16);
        let r = resolve_range(3, 9, 3, true);
        assert_eq!(bitpos_in_range(&[0x10, 0x00, 0x00], &r, true, true), 3);
        assert_eq!(bitpos_in_range(&[0x00, 0x40, 0x00], &r, true, true), 9);
        assert_eq!(bitpos_in_range(&[0x00, 0x20, 0x00], &r, true, true), -1);
    }

    #[test]
    fn bitop_folds_pad_with_zeros() {
        let mut r = vec![0xff; 3];
        fold_bitop(BitOp::And, &mut r, &[0x0f, 0xf0, 0xff]);
        fold_bitop(BitOp::And, &mut r, &[0xff]);
        assert_eq!(r, [0x0f, 0, 0]);
        let mut r = vec![0; 2];
        fold_bitop(BitOp::Xor, &mut r, &[0xaa]);
        fold_bitop(BitOp::Xor, &mut r, &[0xff, 0x01]);
        assert_eq!(r, [0x55, 0x01]);
        let mut r = vec![0; 1];
        fold_bitop(BitOp::Not, &mut r, &[0x0f]);
        assert_eq!(r, [0xf0]);
    }

    #[test]
    fn fields_round_trip_at_any_alignment() {
        let mut s = [0u8; 10];
        set_unsigned(&mut s, 3, 13, 0x1abc);
        assert_eq!(get_unsigned(&s, 3, 13), 0x1abc);
        set_unsigned(&mut s, 5, 64, u64::MAX - 1);
        assert_eq!(get_signed(&s, 5, 64), -2);
        set_unsigned(&mut s, 0, 8, 0x80);
        assert_eq!(get_signed(&s, 0, 8), -128);
        assert_eq!(get_unsigned(&s, 0, 8), 128);
    }

    #[test]
    fn overflow_modes_match_redis() {
        use OverflowMode::*;
        assert_eq!(unsigned_overflow(250, 10, 8, Wrap), Some(Some(4)));
        assert_eq!(unsigned_overflow(250, 10, 8, Sat), Some(Some(255)));
        assert_eq!(unsigned_overflow(250, 10, 8, Fail), Some(None));
        assert_eq!(unsigned_overflow(5, -6, 8, Sat), Some(Some(0)));
        assert_eq!(unsigned_overflow(5, -5, 8, Sat), None);
        assert_eq!(unsigned_overflow(-1i64 as u64, 0, 8, Wrap), Some(Some(255)));
        assert_eq!(signed_overflow(127, 1, 8, Wrap), Some(Some(-128)));
        assert_eq!(signed_overflow(127, 1, 8, Sat), Some(Some(127)));
        assert_eq!(signed_overflow(-128, -1, 8, Sat), Some(Some(-128)));
        assert_eq!(signed_overflow(200, 0, 8, Wrap), Some(Some(-56)));
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Wrap), Some(Some(i64::MIN)));
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Sat), Some(Some(i64::MAX)));
        assert_eq!(signed_overflow(i64::MIN, -1, 64, Sat), Some(Some(i64::MIN)));
        assert_eq!(signed_overflow(-5, 3, 64, Sat), None);
    }

    #[test]
    fn field_types_are_strict() {
        assert_eq!(field_type(b"i64").unwrap(), (true, 64));
        assert_eq!(field_type(b"u63").unwrap(), (false, 63));
        for bad in [&b"u64"[..], b"i65", b"i0", b"I8", b"8", b"", b"u", b"i08"] {
            assert!(field_type(bad).is_err(), "{:?}", bad);
        }
    }
}
