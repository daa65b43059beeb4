//! LZF, the compressor Redis uses for RDB strings (`rdbcompression yes`).
//!
//! BACKGROUND: an LZF stream is a sequence of runs, each starting with a control byte:
//! - `000LLLLL`: a literal run of `L + 1` bytes (1..=32) follows;
//! - `LLLooooo oooooooo`: a back reference of `L + 2` bytes (L < 7) starting
//!   `o + 1` bytes back in the output (offset up to 8192);
//! - `111ooooo LLLLLLLL oooooooo`: the same with the length `L + 9` (up to 264).
//!
//! `decompress` accepts any such stream and refuses everything else without panicking.
//! `compress` follows liblzf's greedy search as Redis builds it (a 2^16-entry hash table
//! of 3-byte prefixes; after a match only its last two positions are hashed), because a
//! DUMP or RDB file is only byte-identical to Redis's if the same matches are chosen.
//! The one divergence: liblzf leaves its table uninitialised, so stale entries from a
//! previous call may occasionally offer Redis an extra match; here the table starts
//! empty, the only deterministic choice. Either output decompresses the same.

/// Longest literal run one control byte covers.
const MAX_LIT: usize = 1 << 5;
/// Farthest back a reference reaches (13 offset bits).
const MAX_OFF: usize = 1 << 13;
/// Longest reference: 7 + 255 in the length fields, plus the implicit 2.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// log2 of the hash table size.
const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;

/// Most output bytes one input byte can expand to: a 3-byte reference yields 264 bytes.
/// Used to refuse absurd declared lengths before allocating for them.
pub const MAX_EXPANSION: usize = 88;

/// Hash table slot of the three bytes whose big-endian value is in the low 24 bits of
/// `h` (liblzf's VERY_FAST hash; only the low 16 bits of the arithmetic matter).
#[inline]
fn slot(h: u32) -> usize {
    ((h >> (24 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// Compresses `input` into at most `max_out` bytes; None when it does not fit (which is
/// how Redis decides a string is not worth compressing: it asks for `len - 4`).
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let n = input.len();
    if n == 0 || max_out == 0 {
        return None;
    }
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        t.epoch = t.epoch.wrapping_add(1);
        if t.epoch == 0 {
            // 2^32 calls later: old stamps could look current again; start clean.
            t.slots.iter_mut().for_each(|e| *e = 0);
            t.epoch = 1;
        }
        compress_with(input, max_out, &mut t)
    })
}

/// The hash table, kept per thread: a fresh 64K-entry table per call would cost more
/// than compressing a short string. Entries carry the call's epoch in their high half,
/// so an entry from an earlier call reads as empty, exactly like a zeroed table.
struct Table {
    slots: Box<[u64]>,
    epoch: u32,
}

impl Table {
    #[inline]
    fn get(&self, s: usize) -> u32 {
        let e = self.slots[s];
        if (e >> 32) as u32 == self.epoch {
            e as u32
        } else {
            0
        }
    }

    #[inline]
    fn set(&mut self, s: usize, v: u32) {
        self.slots[s] = ((self.epoch as u64) << 32) | v as u64;
    }
}

thread_local! {
    static TABLE: std::cell::RefCell<Table> = std::cell::RefCell::new(Table { slots: vec![0u64; HSIZE].into_boxed_slice(), epoch: 0 });
}

fn compress_with(input: &[u8], max_out: usize, table: &mut Table) -> Option<Vec<u8>> {
    let n = input.len();
    // Positions are stored + 1 so that 0 means "never seen"; a reference to position 0
    // is never taken (liblzf requires ref > start), which the +1 shift preserves.
    let mut out: Vec<u8> = Vec::with_capacity(max_out.min(n + n / 16 + 8));
    // `out[run]` is the pending literal run's control byte, `lit` its length so far.
    let mut run = 0usize;
    out.push(0);
    let mut lit = 0usize;
    let mut ip = 0usize;
    let mut hval: u32 = if n >= 2 { ((input[0] as u32) << 8) | input[1] as u32 } else { 0 };

    while n >= 3 && ip < n - 2 {
        hval = (hval << 8) | input[ip + 2] as u32;
        let s = slot(hval);
        let seen = table.get(s) as usize;
        table.set(s, ip as u32 + 1);
        let candidate = if seen > 1 { Some(seen - 1) } else { None };
        let matched = candidate.filter(|&r| {
            r < ip && ip - r - 1 < MAX_OFF && input[r] == input[ip] && input[r + 1] == input[ip + 1] && input[r + 2] == input[ip + 2]
        });
        let Some(r) = matched else {
            // One more literal byte.
            if out.len() >= max_out {
                return None;
            }
            lit += 1;
            out.push(input[ip]);
            ip += 1;
            if lit == MAX_LIT {
                out[run] = (lit - 1) as u8;
                lit = 0;
                run = out.len();
                out.push(0);
            }
            continue;
        };
        let off = ip - r - 1;
        // Room for the reference (up to 3 bytes) plus the next run's control byte; the
        // pending run's control byte is reclaimed when that run is empty.
        if out.len() - usize::from(lit == 0) + 4 >= max_out {
            return None;
        }
        // Close the literal run (or drop its control byte if it is empty).
        if lit == 0 {
            out.pop();
        } else {
            out[run] = (lit - 1) as u8;
        }
        // Count the matching bytes (the first three are known equal). liblzf compares
        // the next 16 unconditionally when more than 16 may match, so near the end of
        // the input a match may run one or two bytes past `maxlen` (never past the
        // input); the same lengths are chosen here.
        let maxlen = (n - ip - 2).min(MAX_REF);
        let mut len = 2;
        let mut mismatch = false;
        if maxlen > 16 {
            for _ in 0..16 {
                len += 1;
                if input[r + len] != input[ip + len] {
                    mismatch = true;
                    break;
                }
            }
        }
        if !mismatch {
            loop {
                len += 1;
                if len >= maxlen || input[r + len] != input[ip + len] {
                    break;
                }
            }
        }
        // `len` now counts matching bytes; the length field holds it minus 2.
        let code = len - 2;
        if code < 7 {
            out.push(((off >> 8) + (code << 5)) as u8);
        } else {
            out.push(((off >> 8) + (7 << 5)) as u8);
            out.push((code - 7) as u8);
        }
        out.push(off as u8);
        lit = 0;
        run = out.len();
        out.push(0);
        ip += len;
        if ip >= n - 2 {
            break;
        }
        // Hash the last two positions covered by the match, as liblzf does.
        let p = ip - 2;
        hval = ((input[p] as u32) << 8) | input[p + 1] as u32;
        for q in p..ip {
            hval = (hval << 8) | input[q + 2] as u32;
            table.set(slot(hval), q as u32 + 1);
        }
    }
    // At most the last two bytes remain, plus possibly a new control byte.
    if out.len() + 3 > max_out {
        return None;
    }
    while ip < n {
        lit += 1;
        out.push(input[ip]);
        ip += 1;
        if lit == MAX_LIT {
            out[run] = (lit - 1) as u8;
            lit = 0;
            run = out.len();
            out.push(0);
        }
    }
    if lit == 0 {
        out.pop();
    } else {
        out[run] = (lit - 1) as u8;
    }
    Some(out)
}

/// Why a stream does not decompress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LzfError {
    /// A run or reference goes past the end of the input.
    Truncated,
    /// A reference points before the start of the output.
    BadReference,
    /// The output would exceed the declared length.
    TooLong,
    /// The stream ended before producing the declared length.
    TooShort,
}

/// Decompresses `input`, which must produce exactly `expected_len` bytes.
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, LzfError> {
    if expected_len > input.len().saturating_mul(MAX_EXPANSION) {
        return Err(LzfError::TooLong);
    }
    // A payload may declare up to 88 times its size: ask the allocator, do not insist.
    let mut out: Vec<u8> = Vec::new();
    out.try_reserve_exact(expected_len).map_err(|_| LzfError::TooLong)?;
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < MAX_LIT {
            let n = ctrl + 1;
            let lit = input.get(ip..ip + n).ok_or(LzfError::Truncated)?;
            if out.len() + n > expected_len {
                return Err(LzfError::TooLong);
            }
            out.extend_from_slice(lit);
            ip += n;
            continue;
        }
        let mut len = ctrl >> 5;
        if len == 7 {
            len += *input.get(ip).ok_or(LzfError::Truncated)? as usize;
            ip += 1;
        }
        len += 2;
        let low = *input.get(ip).ok_or(LzfError::Truncated)? as usize;
        ip += 1;
        let back = ((ctrl & 0x1f) << 8) + low + 1;
        if back > out.len() {
            return Err(LzfError::BadReference);
        }
        if out.len() + len > expected_len {
            return Err(LzfError::TooLong);
        }
        let from = out.len() - back;
        if back >= len {
            out.extend_from_within(from..from + len);
        } else {
            // Overlapping copy: the reference reads bytes it is writing (runs).
            for i in 0..len {
                let b = out[from + i];
                out.push(b);
            }
        }
    }
    if out.len() != expected_len {
        return Err(LzfError::TooShort);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// Deterministic pseudo-random bytes (xorshift), with a tunable alphabet so that
    /// some inputs repeat a lot and some hardly at all.
    fn bytes(seed: u64, n: usize, alphabet: u8) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % alphabet as u64) as u8 + b'a'
            })
            .collect()
    }

    #[test]
    fn compresses_like_redis() {
        // SET lz <'a' x 100>; DUMP on redis-server 7.0.15: 0xc3, clen 9, len 100, data.
        let out = compress(&[b'a'; 100], 96).unwrap();
        assert_eq!(out, hex("016161e05700016161"));
        assert_eq!(decompress(&out, 100).unwrap(), vec![b'a'; 100]);
    }

    #[test]
    fn round_trips_many_shapes() {
        for (seed, n, alpha) in [(1, 1, 26), (2, 2, 2), (3, 3, 1), (4, 21, 3), (5, 100, 4), (6, 1000, 2), (7, 5000, 26), (8, 70_000, 3), (9, 40_000, 255)] {
            let data = bytes(seed, n, alpha);
            if let Some(c) = compress(&data, data.len() + 64) {
                assert_eq!(decompress(&c, data.len()).unwrap(), data, "seed {seed}");
            }
        }
        let runs: Vec<u8> = (0..20_000).map(|i| (i / 300) as u8).collect();
        let c = compress(&runs, runs.len()).unwrap();
        assert!(c.len() < runs.len() / 10);
        assert_eq!(decompress(&c, runs.len()).unwrap(), runs);
    }

    #[test]
    fn refuses_when_the_output_does_not_fit() {
        let data = bytes(11, 64, 255);
        assert!(compress(&data, data.len() - 4).is_none());
        assert!(compress(b"", 10).is_none());
        // liblzf's bound checks keep a few bytes of slack: a limit just at the output
        // size refuses, as Redis's does.
        let c = compress(&[b'x'; 50], 100).unwrap();
        assert!(compress(&[b'x'; 50], c.len()).is_none());
        assert!(compress(&[b'x'; 50], c.len() + 4).is_some());
    }

    #[test]
    fn garbage_never_panics() {
        assert_eq!(decompress(&[0x05, b'a'], 6), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0x20, 0x00], 3), Err(LzfError::BadReference));
        assert_eq!(decompress(&[0x00, b'a', 0xe0], 100), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0x00, b'a'], 2), Err(LzfError::TooShort));
        assert_eq!(decompress(&[0x01, b'a', b'b'], 1), Err(LzfError::TooLong));
        assert_eq!(decompress(&[0x00, b'a'], usize::MAX), Err(LzfError::TooLong));
        for seed in 0..2000u64 {
            let g = bytes(seed, (seed % 40) as usize, 255).iter().map(|b| b.wrapping_mul(7)).collect::<Vec<_>>();
            let _ = decompress(&g, (seed % 300) as usize);
        }
    }
}
