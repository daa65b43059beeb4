//! Listpack, Redis 7.0's packed sequence: how RDB stores small hashes, small sorted
//! sets and the nodes of every list.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 = "count it"), entries,
//! 0xFF. An entry is an encoding byte (plus data) followed by its "backlen": the size
//! of encoding + data in 1..=5 bytes, 7 bits per byte, so the list can be walked
//! backwards. Encodings:
//!
//! | first byte  | meaning                                   |
//! |-------------|-------------------------------------------|
//! | `0xxxxxxx`  | unsigned 7-bit integer                    |
//! | `10xxxxxx`  | string, 6-bit length                      |
//! | `110xxxxx`  | signed 13-bit integer (next byte low bits)|
//! | `1110xxxx`  | string, 12-bit length                     |
//! | `0xF0`      | string, 32-bit LE length                  |
//! | `0xF1..F4`  | signed 16/24/32/64-bit LE integer         |
//!
//! Strings that are the canonical spelling of an i64 are stored as integers, as
//! Redis's `lpAppend` does, so the bytes match Redis's for the same elements.
use crate::util::num::parse_i64;

/// Header: total bytes (4) + element count (2).
pub const HEADER_BYTES: usize = 6;
const EOF_BYTE: u8 = 0xff;
/// The count field saturates here; readers must then count the entries.
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Builds a listpack the way Redis appends to one.
pub struct Builder {
    buf: Vec<u8>,
    count: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&[0; HEADER_BYTES]);
        Builder { buf, count: 0 }
    }

    /// Bytes of the finished listpack if it ended now (Redis's `lpBytes`).
    pub fn bytes(&self) -> usize {
        self.buf.len() + 1
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Appends an element, as an integer when it spells one.
    pub fn push(&mut self, v: &[u8]) {
        match parse_i64(v) {
            Some(i) => self.push_int(i),
            None => self.push_str(v),
        }
    }

    pub fn push_int(&mut self, v: i64) {
        let start = self.buf.len();
        if (0..=127).contains(&v) {
            self.buf.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u64) & 0x1fff;
            self.buf.push(0xc0 | (u >> 8) as u8);
            self.buf.push(u as u8);
        } else if (-32768..=32767).contains(&v) {
            self.buf.push(0xf1);
            self.buf.extend_from_slice(&(v as i16).to_le_bytes());
        } else if (-8_388_608..=8_388_607).contains(&v) {
            self.buf.push(0xf2);
            self.buf.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if i32::try_from(v).is_ok() {
            self.buf.push(0xf3);
            self.buf.extend_from_slice(&(v as i32).to_le_bytes());
        } else {
            self.buf.push(0xf4);
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        self.finish_entry(start);
    }

    fn push_str(&mut self, v: &[u8]) {
        let start = self.buf.len();
        let n = v.len();
        if n < 64 {
            self.buf.push(0x80 | n as u8);
        } else if n < 4096 {
            self.buf.push(0xe0 | (n >> 8) as u8);
            self.buf.push(n as u8);
        } else {
            self.buf.push(0xf0);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(v);
        self.finish_entry(start);
    }

    fn finish_entry(&mut self, start: usize) {
        let len = (self.buf.len() - start) as u64;
        let mut b = [0u8; 5];
        let n = encode_backlen(len, &mut b);
        self.buf.extend_from_slice(&b[..n]);
        self.count += 1;
    }

    /// The finished listpack.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(EOF_BYTE);
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let count = if self.count < COUNT_UNKNOWN as usize { self.count as u16 } else { COUNT_UNKNOWN };
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// Writes the backlen of an entry of `l` bytes (most significant group first, every
/// byte but the first flagged with 0x80); returns its size. The thresholds are
/// Redis's own, including the exclusive bounds.
fn encode_backlen(l: u64, buf: &mut [u8; 5]) -> usize {
    let n = if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    };
    for (i, b) in buf[..n].iter_mut().enumerate() {
        let shift = 7 * (n - 1 - i);
        *b = ((l >> shift) & 127) as u8 | if i > 0 { 128 } else { 0 };
    }
    n
}

/// One element as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Elem<'_> {
    /// The element as Redis hands it out: integers in decimal.
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Elem::Int(i) => i.to_string().into_bytes(),
            Elem::Str(s) => s.to_vec(),
        }
    }
}

/// Decodes and validates a whole listpack: header length, every entry within bounds,
/// each backlen consistent with its entry, the terminator last, and the header count
/// (unless saturated). The error says what is wrong.
pub fn decode(lp: &[u8]) -> Result<Vec<Elem<'_>>, &'static str> {
    if lp.len() < HEADER_BYTES + 1 {
        return Err("listpack shorter than its header");
    }
    let total = u32::from_le_bytes([lp[0], lp[1], lp[2], lp[3]]) as usize;
    if total != lp.len() {
        return Err("listpack header length differs from its size");
    }
    let declared = u16::from_le_bytes([lp[4], lp[5]]);
    if lp[lp.len() - 1] != EOF_BYTE {
        return Err("listpack does not end with its terminator");
    }
    let end = lp.len() - 1;
    let mut out = Vec::with_capacity((declared as usize).min(end / 2));
    let mut p = HEADER_BYTES;
    while p < end {
        let (elem, size) = entry(&lp[p..end])?;
        let mut b = [0u8; 5];
        let n = encode_backlen(size as u64, &mut b);
        if lp.get(p + size..p + size + n) != Some(&b[..n]) || p + size + n > end {
            return Err("listpack entry backlen is inconsistent");
        }
        out.push(elem);
        p += size + n;
    }
    if declared != COUNT_UNKNOWN && declared as usize != out.len() {
        return Err("listpack header count differs from its entries");
    }
    Ok(out)
}

/// Decodes the entry at the start of `b` (which excludes the terminator): the element
/// and the size of encoding + data.
fn entry(b: &[u8]) -> Result<(Elem<'_>, usize), &'static str> {
    let need = |n: usize| if b.len() >= n { Ok(()) } else { Err("listpack entry runs past the end") };
    let first = b[0];
    let le = |n: usize| -> i64 {
        let mut v: u64 = 0;
        for i in 0..n {
            v |= (b[1 + i] as u64) << (8 * i);
        }
        // Sign-extend from n bytes.
        let shift = 64 - 8 * n as u32;
        ((v << shift) as i64) >> shift
    };
    if first & 0x80 == 0 {
        return Ok((Elem::Int(first as i64), 1));
    }
    if first & 0xc0 == 0x80 {
        let n = (first & 0x3f) as usize;
        need(1 + n)?;
        return Ok((Elem::Str(&b[1..1 + n]), 1 + n));
    }
    if first & 0xe0 == 0xc0 {
        need(2)?;
        let u = (((first & 0x1f) as u64) << 8) | b[1] as u64;
        let v = ((u << 51) as i64) >> 51;
        return Ok((Elem::Int(v), 2));
    }
    if first & 0xf0 == 0xe0 {
        need(2)?;
        let n = (((first & 0x0f) as usize) << 8) | b[1] as usize;
        need(2 + n)?;
        return Ok((Elem::Str(&b[2..2 + n]), 2 + n));
    }
    match first {
        0xf0 => {
            need(5)?;
            let n = u32::from_le_bytes([b[1], b[2], b[3], b[4]]) as usize;
            need(5usize.saturating_add(n))?;
            Ok((Elem::Str(&b[5..5 + n]), 5 + n))
        }
        0xf1 => need(3).map(|_| (Elem::Int(le(2)), 3)),
        0xf2 => need(4).map(|_| (Elem::Int(le(3)), 4)),
        0xf3 => need(5).map(|_| (Elem::Int(le(4)), 5)),
        0xf4 => need(9).map(|_| (Elem::Int(le(8)), 9)),
        _ => Err("listpack entry has an unknown encoding"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn build(items: &[&[u8]]) -> Vec<u8> {
        let mut b = Builder::new();
        for i in items {
            b.push(i);
        }
        b.finish()
    }

    #[test]
    fn builds_the_bytes_redis_writes() {
        // HSET h1 f v n 12 on redis-server 7.0.15: the DUMP payload's listpack.
        let lp = build(&[b"f", b"v", b"n", b"12"]);
        assert_eq!(lp, hex("120000000400816602817602816e020c01ff"));
        // SADD-free sample of every integer width and the string widths.
        let items: Vec<Vec<u8>> = ["0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767", "32768", "-8388608", "8388607", "8388608", "2147483647", "2147483648", "-9223372036854775808", "9223372036854775807", "01", "-0", "+1", "1.5"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .chain([vec![b'x'; 63], vec![b'y'; 64], vec![b'z'; 4095], vec![b'w'; 4096], vec![b'v'; 20000]])
            .collect();
        let refs: Vec<&[u8]> = items.iter().map(|v| v.as_slice()).collect();
        let lp = build(&refs);
        let back: Vec<Vec<u8>> = decode(&lp).unwrap().into_iter().map(Elem::to_vec).collect();
        assert_eq!(back, items);
    }

    #[test]
    fn decodes_golden_bytes_from_redis() {
        // RPUSH l1 a b 1 -5 1000 <'x' x 70>: the quicklist node (after LZF) from DUMP.
        // (70 'x' bytes, then the backlen 72 and the terminator.)
        let mut lp = hex("5e00000006008161028162020101dffb02c3e802e046");
        lp.extend_from_slice(&[b'x'; 70]);
        lp.extend_from_slice(&[0x48, 0xff]);
        let v = decode(&lp).unwrap();
        assert_eq!(v[..5], [Elem::Str(b"a"), Elem::Str(b"b"), Elem::Int(1), Elem::Int(-5), Elem::Int(1000)]);
        assert_eq!(v[5], Elem::Str(&[b'x'; 70]));
        assert_eq!(lp, build(&[b"a", b"b", b"1", b"-5", b"1000", &[b'x'; 70]]));
    }

    #[test]
    fn backlen_sizes_follow_redis_thresholds() {
        let mut b = [0u8; 5];
        assert_eq!(encode_backlen(127, &mut b), 1);
        assert_eq!(encode_backlen(128, &mut b), 2);
        assert_eq!(b[..2], [1, 128]);
        assert_eq!(encode_backlen(16382, &mut b), 2);
        assert_eq!(encode_backlen(16383, &mut b), 3);
        assert_eq!(encode_backlen(300_000_000, &mut b), 5);
    }

    #[test]
    fn corrupt_listpacks_are_refused() {
        let good = build(&[b"a", b"12345", &[b'q'; 100]]);
        assert!(decode(&good).is_ok());
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err(), "truncated at {cut}");
        }
        for i in 0..good.len() {
            for x in [0x00, 0x7f, 0x80, 0xc0, 0xe0, 0xf0, 0xf4, 0xf5, 0xff] {
                let mut bad = good.clone();
                bad[i] = x;
                let _ = decode(&bad);
            }
        }
        let mut bad_count = good.clone();
        bad_count[4] = 7;
        assert!(decode(&bad_count).is_err());
    }
}
