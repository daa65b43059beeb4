//! HyperLogLog in Redis's own byte layout, so that an HLL built here is byte for byte
//! the string redis-server builds from the same PFADDs (GET/SET, DUMP/RESTORE and
//! replication carry it between the two unchanged), and counts agree exactly.
//!
//! BACKGROUND. An HLL is a string: a 16-byte header — "HYLL", the encoding (0 dense,
//! 1 sparse), three unused bytes, and the cached cardinality as 8 little-endian bytes
//! whose top bit marks the cache stale — followed by 16384 registers (P = 14 index bits
//! of a 64-bit MurmurHash64A, seed 0xadc83b19; a register keeps the longest run of
//! zeros + 1 seen in the other 50 bits). Dense: 6 bits per register, packed from the
//! least significant bit of each byte, 12288 bytes. Sparse: run-length opcodes —
//!   ZERO  `00xxxxxx`            1..=64 zero registers,
//!   XZERO `01xxxxxx yyyyyyyy`   1..=16384 zero registers (14 bits),
//!   VAL   `1vvvvvxx`            1..=4 registers of value 1..=32.
//! A sparse HLL becomes dense when a value above 32 arrives or when it would grow past
//! `hll-sparse-max-bytes`. Cardinality uses Ertl's improved estimator over the register
//! histogram ("New cardinality estimation algorithms for HyperLogLog sketches"), as
//! Redis 7.0 does.
//!
//! Everything here is pure: byte buffers in, byte buffers out. Malformed input yields
//! `Corrupt`, never a panic; where Redis reads one byte past a truncated opcode (its
//! string's NUL terminator) the reader here sees a zero, so the results agree.

/// Bits of the hash that pick the register.
pub const P: u32 = 14;
/// Bits left for the run of zeros.
pub const Q: u32 = 64 - P;
pub const REGISTERS: usize = 1 << P;
const INDEX_MASK: u64 = REGISTERS as u64 - 1;
/// Bits per dense register: enough for a run of up to Q + 1 = 51.
const REGISTER_BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << REGISTER_BITS) - 1;
pub const HEADER_LEN: usize = 16;
pub const DENSE_LEN: usize = HEADER_LEN + (REGISTERS * REGISTER_BITS).div_ceil(8);
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAGIC: &[u8; 4] = b"HYLL";
const ENCODING_AT: usize = 4;
const CARD_AT: usize = 8;
/// Set in the last cardinality byte when the cached value is stale.
const CARD_STALE: u8 = 0x80;
/// Redis's hash seed for HLL elements.
const SEED: u64 = 0xadc8_3b19;

const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
const XZERO_MAX_LEN: usize = 16384;
/// Registers merged in one pass of the sparse cleanup after an update (Redis's window).
const MERGE_WINDOW: usize = 5;

/// 1 / (2 ln 2): the estimator's constant for m → ∞.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

const _: () = assert!(DENSE_LEN == 12304);

/// The HLL bytes do not describe 16384 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// Austin Appleby's MurmurHash64A (little-endian reads, as Redis on x86/ARM).
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let mut k = u64::from_le_bytes(w);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element falls in and the value it proposes (run of zeros + 1,
/// 1..=Q+1).
pub fn pattern(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, SEED);
    let index = (hash & INDEX_MASK) as usize;
    // A sentinel bit above the Q bits bounds the run.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// An empty sparse HLL: the header and XZERO opcodes covering every register.
pub fn new_sparse() -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER_LEN + 2 * REGISTERS.div_ceil(XZERO_MAX_LEN));
    v.extend_from_slice(MAGIC);
    v.push(SPARSE);
    v.resize(HEADER_LEN, 0);
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(XZERO_MAX_LEN);
        v.extend_from_slice(&xzero_op(n));
        left -= n;
    }
    v
}

/// Redis's isHLLObjectOrReply checks: header, known encoding, exact dense length.
pub fn is_valid(s: &[u8]) -> bool {
    s.len() >= HEADER_LEN && &s[..4] == MAGIC && s[ENCODING_AT] <= SPARSE && (s[ENCODING_AT] != DENSE || s.len() == DENSE_LEN)
}

/// The encoding byte of a valid HLL.
pub fn encoding(s: &[u8]) -> u8 {
    s[ENCODING_AT]
}

/// The cached cardinality, if not stale.
pub fn cached_card(s: &[u8]) -> Option<u64> {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[CARD_AT..CARD_AT + 8]);
    (b[7] & CARD_STALE == 0).then(|| u64::from_le_bytes(b))
}

pub fn set_cached_card(s: &mut [u8], card: u64) {
    s[CARD_AT..CARD_AT + 8].copy_from_slice(&card.to_le_bytes());
}

pub fn invalidate_cache(s: &mut [u8]) {
    s[CARD_AT + 7] |= CARD_STALE;
}

// ---------------------------------------------------------------------------------------
// Dense registers (the slice after the header)

/// Register `i`: 6 bits starting at bit 6i, low bits in the lower byte. The last
/// register's second byte lies past the array and reads as zero.
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * REGISTER_BITS / 8;
    let shift = (i * REGISTER_BITS) & 7;
    let b0 = regs[byte] as u16;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u16;
    (((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX as u16) as u8
}

pub fn dense_put(regs: &mut [u8], i: usize, val: u8) {
    let byte = i * REGISTER_BITS / 8;
    let shift = (i * REGISTER_BITS) & 7;
    let v = (val & REGISTER_MAX) as u16;
    let mask = (REGISTER_MAX as u16) << shift;
    regs[byte] = (regs[byte] & !(mask as u8)) | ((v << shift) as u8);
    if let Some(b1) = regs.get_mut(byte + 1) {
        *b1 = (*b1 & !((mask >> 8) as u8)) | ((v << shift) >> 8) as u8;
    }
}

/// Raises register `i` to `val` if higher; true if it changed.
fn dense_raise(regs: &mut [u8], i: usize, val: u8) -> bool {
    if val > dense_get(regs, i) {
        dense_put(regs, i, val);
        true
    } else {
        false
    }
}

/// Calls `f(register, value)` for every register of a dense array, four at a time
/// (3 bytes hold 4 registers).
fn dense_for_each(regs: &[u8], mut f: impl FnMut(usize, u8)) {
    for (g, c) in regs.chunks_exact(3).enumerate() {
        let (b0, b1, b2) = (c[0], c[1], c[2]);
        f(4 * g, b0 & 63);
        f(4 * g + 1, ((b0 >> 6) | (b1 << 2)) & 63);
        f(4 * g + 2, ((b1 >> 4) | (b2 << 4)) & 63);
        f(4 * g + 3, b2 >> 2);
    }
}

// ---------------------------------------------------------------------------------------
// Sparse opcodes

fn is_zero_op(b: u8) -> bool {
    b & 0xc0 == 0
}
fn is_xzero_op(b: u8) -> bool {
    b & 0xc0 == 0x40
}
fn zero_len(b: u8) -> usize {
    (b & 0x3f) as usize + 1
}
fn xzero_len(b0: u8, b1: u8) -> usize {
    ((((b0 & 0x3f) as usize) << 8) | b1 as usize) + 1
}
fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}
fn val_len(b: u8) -> usize {
    (b & 0x3) as usize + 1
}
fn val_op(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len - 1) as u8
}
fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}
fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [0x40 | (l >> 8) as u8, (l & 0xff) as u8]
}

/// One decoded sparse opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

/// Decodes the opcode at `p`; a truncated XZERO reads a zero second byte.
fn op_at(s: &[u8], p: usize) -> (Op, usize) {
    let b = s[p];
    if is_zero_op(b) {
        (Op::Zero(zero_len(b)), 1)
    } else if is_xzero_op(b) {
        (Op::XZero(xzero_len(b, s.get(p + 1).copied().unwrap_or(0))), 2)
    } else {
        (Op::Val(val_value(b), val_len(b)), 1)
    }
}

/// Calls `f(first_register, value, run)` for each VAL run of a sparse HLL, after
/// checking the run stays within the registers. Corrupt unless the opcodes cover
/// exactly REGISTERS registers (a VAL run past the end is an error even when the
/// count comes out right afterwards, as in Redis 7.0.15).
fn sparse_walk(s: &[u8], mut f: impl FnMut(usize, u8, usize)) -> Result<(), Corrupt> {
    let mut p = HEADER_LEN;
    let mut idx = 0usize;
    while p < s.len() {
        let (op, len) = op_at(s, p);
        match op {
            Op::Zero(n) | Op::XZero(n) => idx += n,
            Op::Val(v, n) => {
                if idx + n > REGISTERS {
                    return Err(Corrupt);
                }
                f(idx, v, n);
                idx += n;
            }
        }
        p += len;
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// Converts a sparse HLL to dense in place (header and cached cardinality kept).
/// Returns whether it converted; a dense HLL is left alone.
pub fn sparse_to_dense(hll: &mut Vec<u8>) -> Result<bool, Corrupt> {
    if hll[ENCODING_AT] == DENSE {
        return Ok(false);
    }
    let mut dense = vec![0u8; DENSE_LEN];
    dense[..HEADER_LEN].copy_from_slice(&hll[..HEADER_LEN]);
    dense[ENCODING_AT] = DENSE;
    let regs = &mut dense[HEADER_LEN..];
    sparse_walk(hll, |first, v, n| {
        for i in first..first + n {
            dense_put(regs, i, v);
        }
    })?;
    *hll = dense;
    Ok(true)
}

/// Raises register `index` of a sparse HLL to `count`, splitting and re-merging
/// opcodes in place; promotes to dense when the value does not fit a VAL opcode or the
/// string would pass `max_bytes`. Returns whether the register changed.
fn sparse_raise(hll: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote_and_raise(hll, index, count);
    }
    // 1. Find the opcode covering `index`: `first` is the first register it covers,
    //    `prev` the opcode before it.
    let end = hll.len();
    let mut p = HEADER_LEN;
    let mut first = 0usize;
    let mut prev = None;
    let mut found = None;
    while p < end {
        let (op, oplen) = op_at(hll, p);
        let span = match op {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        };
        if index < first + span {
            found = Some((op, oplen, span));
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    let Some((op, oplen, span)) = found else { return Err(Corrupt) };
    if p + oplen > end {
        return Err(Corrupt); // truncated XZERO
    }
    // 2. Trivial cases: a VAL already high enough, or a single-register VAL or ZERO
    //    that simply becomes VAL(count).
    let single = match op {
        Op::Val(v, _) if v >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => true,
        _ => false,
    };
    if single {
        hll[p] = val_op(count, 1);
    } else {
        // 3. Split the run into (before, VAL(count), after), at most 5 bytes.
        let last = first + span - 1;
        let mut seq = [0u8; 5];
        let mut n = 0;
        let push_zeros = |seq: &mut [u8; 5], n: &mut usize, len: usize| {
            if len > ZERO_MAX_LEN {
                seq[*n..*n + 2].copy_from_slice(&xzero_op(len));
                *n += 2;
            } else {
                seq[*n] = zero_op(len);
                *n += 1;
            }
        };
        match op {
            Op::Val(cur, _) => {
                if index != first {
                    seq[n] = val_op(cur, index - first);
                    n += 1;
                }
                seq[n] = val_op(count, 1);
                n += 1;
                if index != last {
                    seq[n] = val_op(cur, last - index);
                    n += 1;
                }
            }
            Op::Zero(_) | Op::XZero(_) => {
                if index != first {
                    push_zeros(&mut seq, &mut n, index - first);
                }
                seq[n] = val_op(count, 1);
                n += 1;
                if index != last {
                    push_zeros(&mut seq, &mut n, last - index);
                }
            }
        }
        if n > oplen && hll.len() + (n - oplen) > max_bytes {
            return promote_and_raise(hll, index, count);
        }
        hll.splice(p..p + oplen, seq[..n].iter().copied());
    }
    // 4. Merge adjacent VALs of equal value around the change, within a small window.
    let mut q = prev.unwrap_or(HEADER_LEN);
    let mut window = MERGE_WINDOW;
    while q < hll.len() && window > 0 {
        window -= 1;
        let b = hll[q];
        if is_xzero_op(b) {
            q += 2;
            continue;
        }
        if is_zero_op(b) {
            q += 1;
            continue;
        }
        if let Some(&next) = hll.get(q + 1) {
            if next & 0x80 != 0 && val_value(b) == val_value(next) {
                let len = val_len(b) + val_len(next);
                if len <= VAL_MAX_LEN {
                    hll[q + 1] = val_op(val_value(b), len);
                    hll.remove(q);
                    continue;
                }
            }
        }
        q += 1;
    }
    invalidate_cache(hll);
    Ok(true)
}

fn promote_and_raise(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(hll)?;
    // The register needs this update (that is why we promoted), so it always changes.
    Ok(dense_raise(&mut hll[HEADER_LEN..], index, count))
}

/// Raises one register to `count` in whichever encoding the HLL has (PFMERGE's write).
pub fn raise(hll: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    match hll[ENCODING_AT] {
        DENSE => Ok(dense_raise(&mut hll[HEADER_LEN..], index, count)),
        SPARSE => sparse_raise(hll, index, count, max_bytes),
        _ => Err(Corrupt),
    }
}

/// PFADD of one element; true if a register changed.
pub fn add(hll: &mut Vec<u8>, ele: &[u8], max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, count) = pattern(ele);
    raise(hll, index, count, max_bytes)
}

/// Raises `max[i]` to each register of `hll` (PFMERGE, multi-key PFCOUNT).
pub fn merge_into(max: &mut [u8], hll: &[u8]) -> Result<(), Corrupt> {
    if hll[ENCODING_AT] == DENSE {
        dense_for_each(&hll[HEADER_LEN..], |i, v| {
            if v > max[i] {
                max[i] = v;
            }
        });
        return Ok(());
    }
    sparse_walk(hll, |first, v, n| {
        for m in &mut max[first..first + n] {
            if v > *m {
                *m = v;
            }
        }
    })
}

/// The cardinality estimate of a dense or sparse HLL (the cache is not consulted).
pub fn count(hll: &[u8]) -> Result<u64, Corrupt> {
    let mut hist = [0u32; 64];
    if hll[ENCODING_AT] == DENSE {
        dense_for_each(&hll[HEADER_LEN..], |_, v| hist[v as usize] += 1);
    } else {
        let covered = sparse_walk_all(hll, &mut hist);
        if covered != REGISTERS {
            return Err(Corrupt);
        }
    }
    Ok(estimate(&hist))
}

/// The sparse histogram walk: unlike the others, Redis's does not stop at a VAL run
/// that passes the end, it only reports the total as wrong.
fn sparse_walk_all(hll: &[u8], hist: &mut [u32; 64]) -> usize {
    let mut p = HEADER_LEN;
    let mut idx = 0usize;
    while p < hll.len() {
        let (op, len) = op_at(hll, p);
        match op {
            Op::Zero(n) | Op::XZero(n) => {
                hist[0] += n as u32;
                idx += n;
            }
            Op::Val(v, n) => {
                hist[v as usize] += n as u32;
                idx += n;
            }
        }
        p += len;
    }
    idx
}

/// The cardinality of one register per byte (multi-key PFCOUNT's merged registers).
pub fn count_raw(regs: &[u8]) -> u64 {
    let mut hist = [0u32; 64];
    for &r in regs {
        hist[(r & 63) as usize] += 1;
    }
    estimate(&hist)
}

/// Ertl's improved raw estimator over the histogram of register values.
fn estimate(hist: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - hist[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += hist[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(hist[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// Every register of a dense HLL.
pub fn dense_registers(hll: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; REGISTERS];
    dense_for_each(&hll[HEADER_LEN..], |i, v| out[i] = v);
    out
}

/// PFDEBUG DECODE: the sparse opcodes as `z:len`, `Z:len`, `v:value,len`.
pub fn decode_sparse(hll: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut p = HEADER_LEN;
    while p < hll.len() {
        let (op, len) = op_at(hll, p);
        let _ = match op {
            Op::Zero(n) => write!(out, "z:{n} "),
            Op::XZero(n) => write!(out, "Z:{n} "),
            Op::Val(v, n) => write!(out, "v:{v},{n} "),
        };
        p += len;
    }
    out.trim_matches(' ').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_redis() {
        // (element, register, run) as redis-server 7.0 reports them through
        // PFADD + PFDEBUG DECODE ("Z:<register> v:<run>,1 ...").
        for (ele, reg, run) in [("a", 12711, 2), ("hello", 9216, 1), ("", 5938, 2), ("12345", 14704, 1), ("the quick brown fox", 15795, 1)] {
            assert_eq!(pattern(ele.as_bytes()), (reg, run), "{ele:?}");
        }
        assert_eq!(murmur64a(b"", 0), 0);
    }

    #[test]
    fn pattern_is_bounded() {
        for i in 0..10_000u32 {
            let (idx, c) = pattern(&i.to_le_bytes());
            assert!(idx < REGISTERS);
            assert!((1..=Q as u8 + 1).contains(&c));
        }
    }

    #[test]
    fn new_sparse_hll_is_header_and_one_xzero() {
        let h = new_sparse();
        assert_eq!(h, b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert!(is_valid(&h));
        assert_eq!(cached_card(&h), Some(0));
        assert_eq!(count(&h), Ok(0));
        assert_eq!(decode_sparse(&h), "Z:16384");
    }

    #[test]
    fn dense_registers_round_trip_including_the_last() {
        let mut regs = vec![0u8; DENSE_LEN - HEADER_LEN];
        for i in 0..REGISTERS {
            dense_put(&mut regs, i, ((i * 7 + 3) % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), ((i * 7 + 3) % 64) as u8, "register {i}");
        }
        let mut seen = 0;
        dense_for_each(&regs, |i, v| {
            assert_eq!(v, dense_get(&regs, i));
            seen += 1;
        });
        assert_eq!(seen, REGISTERS);
    }

    #[test]
    fn sparse_updates_split_and_merge_runs() {
        let mut h = new_sparse();
        assert_eq!(sparse_raise(&mut h, 100, 3, 3000), Ok(true));
        assert_eq!(decode_sparse(&h), "Z:100 v:3,1 Z:16283");
        assert_eq!(sparse_raise(&mut h, 101, 3, 3000), Ok(true));
        assert_eq!(decode_sparse(&h), "Z:100 v:3,2 Z:16282");
        assert_eq!(sparse_raise(&mut h, 101, 2, 3000), Ok(false));
        assert_eq!(sparse_raise(&mut h, 0, 1, 3000), Ok(true));
        assert_eq!(decode_sparse(&h), "v:1,1 Z:99 v:3,2 Z:16282");
        assert_eq!(sparse_raise(&mut h, 5, 1, 3000), Ok(true));
        assert_eq!(decode_sparse(&h), "v:1,1 z:4 v:1,1 Z:94 v:3,2 Z:16282");
        assert!(cached_card(&h).is_none(), "an update makes the cache stale");
    }

    #[test]
    fn sparse_promotes_on_big_values_and_on_size() {
        let mut h = new_sparse();
        assert_eq!(sparse_raise(&mut h, 7, 33, 3000), Ok(true));
        assert_eq!(h.len(), DENSE_LEN);
        assert_eq!(encoding(&h), DENSE);
        assert_eq!(dense_get(&h[HEADER_LEN..], 7), 33);
        let mut h = new_sparse();
        assert_eq!(sparse_raise(&mut h, 9000, 1, 19), Ok(true));
        assert_eq!(encoding(&h), DENSE);
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        sparse_to_dense(&mut dense).unwrap();
        for i in 0..2000u32 {
            let e = format!("ele:{i}");
            add(&mut sparse, e.as_bytes(), 1 << 20).unwrap();
            add(&mut dense, e.as_bytes(), 1 << 20).unwrap();
        }
        assert_eq!(encoding(&sparse), SPARSE);
        assert_eq!(count(&sparse), count(&dense));
        let mut converted = sparse.clone();
        sparse_to_dense(&mut converted).unwrap();
        assert_eq!(dense_registers(&converted), dense_registers(&dense));
        let mut max = vec![0u8; REGISTERS];
        merge_into(&mut max, &sparse).unwrap();
        assert_eq!(max, dense_registers(&dense));
        assert_eq!(count_raw(&max), count(&dense).unwrap());
        let est = count(&dense).unwrap() as f64;
        assert!((est - 2000.0).abs() / 2000.0 < 0.05, "estimate {est}");
    }

    #[test]
    fn malformed_sparse_data_is_reported_not_trusted() {
        let mut h = new_sparse();
        h.truncate(h.len() - 1); // truncated XZERO
        assert_eq!(sparse_raise(&mut h, 3616, 1, 3000), Err(Corrupt));
        assert_eq!(count(&h), Err(Corrupt));
        let mut short = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x00".to_vec(); // one zero register
        assert_eq!(count(&short), Err(Corrupt));
        assert_eq!(sparse_to_dense(&mut short), Err(Corrupt));
        assert_eq!(sparse_raise(&mut short, 5, 1, 3000), Err(Corrupt));
        let mut max = vec![0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &short), Err(Corrupt));
        let mut long = [&new_sparse()[..], &[0x80u8][..]].concat(); // one register too many
        assert_eq!(count(&long), Err(Corrupt));
        assert_eq!(merge_into(&mut max, &long), Err(Corrupt));
        assert_eq!(sparse_to_dense(&mut long), Err(Corrupt));
    }
}
