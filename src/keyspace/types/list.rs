//! List values: a deque of packed nodes, like Redis's quicklist of listpacks.
//!
//! BACKGROUND: most list elements are short (ids, small JSON, numbers). One heap object
//! per element costs its allocation header plus a 24-byte handle, twice what Redis
//! spends. Here elements are packed back to back in byte buffers ("nodes") of about
//! 8 KiB, Redis's default `list-max-listpack-size -2`, each element costing its bytes
//! plus a 1-2 byte length on each side for the usual sizes. Both ends push and pop in
//! O(1) amortized time (a node keeps spare room on the side it grows), an index costs a
//! walk over node counts plus a scan of one node, as in Redis.
//!
//! Entry layout: `len` as LEB128, the bytes, then the same LEB128 bytes mirrored, so an
//! entry is decoded forward from its first byte or backward from its last.
//!
//! Invariants: no node is empty; `len` is the sum of the node counts; a node's bytes stay
//! within `NODE_BYTES` unless it holds a single larger element.
//!
//! Redis 7.0 reports every list as `quicklist`; the representation is not observable
//! except through memory use.
use std::collections::VecDeque;

/// Target size of a node's packed entries: Redis's default `list-max-listpack-size -2`
/// (8 KiB), small enough that inserting in the middle moves little memory.
const NODE_BYTES: usize = 8192;
/// Smallest growth step of a node buffer: avoids reallocating on every tiny push.
const MIN_GROW: usize = 16;

#[derive(Clone, Default)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
}

/// Packed entries in `buf[start..]`; `buf[..start]` is spare room for pushes at the head.
#[derive(Clone, Default)]
struct Node {
    buf: Vec<u8>,
    start: u32,
    count: u32,
}

// ---- entry codec ------------------------------------------------------------------

/// Bytes of the LEB128 encoding of `n`.
fn len_bytes(n: usize) -> usize {
    let mut k = 1;
    let mut n = n >> 7;
    while n != 0 {
        k += 1;
        n >>= 7;
    }
    k
}

/// Bytes an element of `n` bytes takes in a node.
fn entry_size(n: usize) -> usize {
    2 * len_bytes(n) + n
}

/// Encodes `v` into `out`, which is exactly `entry_size(v.len())` long.
fn encode_into(out: &mut [u8], v: &[u8]) {
    let k = len_bytes(v.len());
    let last = out.len() - 1;
    let mut n = v.len();
    for i in 0..k {
        let b = (n & 0x7f) as u8 | if i + 1 < k { 0x80 } else { 0 };
        out[i] = b;
        out[last - i] = b;
        n >>= 7;
    }
    out[k..k + v.len()].copy_from_slice(v);
}

/// Decodes the entry starting at `off`: (data start, data length, entry end).
#[inline]
fn read_fwd(buf: &[u8], off: usize) -> (usize, usize, usize) {
    let (mut n, mut shift, mut i) = (0usize, 0u32, off);
    loop {
        let b = buf[i];
        n |= ((b & 0x7f) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    (i, n, i + n + (i - off))
}

/// Decodes the entry ending at `end`: (data start, data length, entry start).
#[inline]
fn read_back(buf: &[u8], end: usize) -> (usize, usize, usize) {
    let (mut n, mut shift, mut i) = (0usize, 0u32, end);
    loop {
        i -= 1;
        let b = buf[i];
        n |= ((b & 0x7f) as usize) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let k = end - i;
    let ds = i - n;
    (ds, n, ds - k)
}

fn encoded(v: &[u8]) -> Vec<u8> {
    let mut e = vec![0u8; entry_size(v.len())];
    encode_into(&mut e, v);
    e
}

// ---- nodes ------------------------------------------------------------------------

impl Node {
    fn with_entry(v: &[u8]) -> Node {
        Node { buf: encoded(v), start: 0, count: 1 }
    }

    /// A node started because its neighbour filled up: the list is growing at that end,
    /// so the node gets its full size at once instead of a run of reallocations (which
    /// would leave the allocator fragmented). `at_head` leaves the room in front.
    fn for_growth(v: &[u8], at_head: bool) -> Node {
        let need = entry_size(v.len());
        let cap = need.max(NODE_BYTES);
        if at_head {
            let mut buf = vec![0u8; cap];
            encode_into(&mut buf[cap - need..], v);
            Node { buf, start: (cap - need) as u32, count: 1 }
        } else {
            let mut buf = Vec::with_capacity(cap);
            buf.resize(need, 0);
            encode_into(&mut buf, v);
            Node { buf, start: 0, count: 1 }
        }
    }

    fn start(&self) -> usize {
        self.start as usize
    }

    /// Bytes of packed entries.
    fn bytes(&self) -> usize {
        self.buf.len() - self.start()
    }

    fn push_back(&mut self, v: &[u8]) {
        let need = entry_size(v.len());
        if self.buf.capacity() - self.buf.len() < need {
            if self.start() >= need.max(self.bytes()) {
                // Room freed at the head by pops: reuse it rather than growing.
                self.buf.drain(..self.start());
                self.start = 0;
            } else {
                let grow = need.max(self.buf.len() / 2).max(MIN_GROW);
                let cap = (self.buf.len() + grow).min(NODE_BYTES.max(self.buf.len() + need));
                self.buf.reserve_exact(cap - self.buf.len());
            }
        }
        let old = self.buf.len();
        self.buf.resize(old + need, 0);
        encode_into(&mut self.buf[old..], v);
        self.count += 1;
    }

    fn push_front(&mut self, v: &[u8]) {
        let need = entry_size(v.len());
        if self.start() < need {
            // Re-lay the node with spare room at the head, proportional to its size so
            // that a run of head pushes copies each byte O(1) times.
            let data = self.bytes();
            let gap = need + (data / 2).clamp(MIN_GROW, NODE_BYTES / 2);
            let mut nb = Vec::with_capacity(gap + data);
            nb.resize(gap, 0);
            nb.extend_from_slice(&self.buf[self.start()..]);
            self.buf = nb;
            self.start = gap as u32;
        }
        let s = self.start() - need;
        encode_into(&mut self.buf[s..s + need], v);
        self.start = s as u32;
        self.count += 1;
    }

    fn pop_front(&mut self) -> Vec<u8> {
        let (ds, n, end) = read_fwd(&self.buf, self.start());
        let v = self.buf[ds..ds + n].to_vec();
        self.start = end as u32;
        self.count -= 1;
        v
    }

    fn pop_back(&mut self) -> Vec<u8> {
        let (ds, n, es) = read_back(&self.buf, self.buf.len());
        let v = self.buf[ds..ds + n].to_vec();
        self.buf.truncate(es);
        self.count -= 1;
        v
    }

    /// Byte offset of the `k`-th entry, scanning from the nearer end.
    fn offset_of(&self, k: usize) -> usize {
        let count = self.count as usize;
        if k <= count / 2 {
            let mut off = self.start();
            for _ in 0..k {
                off = read_fwd(&self.buf, off).2;
            }
            off
        } else {
            let mut end = self.buf.len();
            for _ in 0..count - k {
                end = read_back(&self.buf, end).2;
            }
            end
        }
    }

    /// Drops spare capacity once the node stops growing.
    fn seal(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start());
            self.start = 0;
        }
        if self.buf.capacity() > self.buf.len() + MIN_GROW {
            self.buf.shrink_to_fit();
        }
    }

    /// Removes the entries for which `drop(bytes)` is true (called once per entry, head
    /// to tail); returns how many went.
    fn retain_entries(&mut self, mut drop: impl FnMut(&[u8]) -> bool) -> usize {
        let mut nb: Option<Vec<u8>> = None;
        let mut off = self.start();
        let mut removed = 0;
        for _ in 0..self.count {
            let (ds, n, end) = read_fwd(&self.buf, off);
            if drop(&self.buf[ds..ds + n]) {
                if nb.is_none() {
                    let mut v = Vec::with_capacity(self.bytes());
                    v.extend_from_slice(&self.buf[self.start()..off]);
                    nb = Some(v);
                }
                removed += 1;
            } else if let Some(v) = nb.as_mut() {
                v.extend_from_slice(&self.buf[off..end]);
            }
            off = end;
        }
        if let Some(mut v) = nb {
            v.shrink_to_fit();
            self.buf = v;
            self.start = 0;
            self.count -= removed as u32;
        }
        removed
    }
}

// ---- the list ---------------------------------------------------------------------

impl List {
    // ---- API other modules rely on (SORT, DEBUG DIGEST, persistence). Keep these
    // signatures when changing the representation.
    /// Elements from head to tail.
    pub fn iter(&self) -> Iter<'_> {
        match self.nodes.back() {
            None => Iter { nodes: &self.nodes, fi: 0, foff: 0, bi: 0, boff: 0, left: 0 },
            Some(last) => Iter { nodes: &self.nodes, fi: 0, foff: self.nodes[0].start(), bi: self.nodes.len() - 1, boff: last.buf.len(), left: self.len },
        }
    }
    /// Appends at the tail.
    pub fn push_back(&mut self, v: &[u8]) {
        let need = entry_size(v.len());
        match self.nodes.back_mut() {
            Some(n) if n.bytes() + need <= NODE_BYTES => n.push_back(v),
            None => self.nodes.push_back(Node::with_entry(v)),
            Some(n) => {
                n.seal();
                self.nodes.push_back(Node::for_growth(v, false));
            }
        }
        self.len += 1;
    }
    pub fn new() -> List {
        List::default()
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>() + self.nodes.iter().map(|n| n.buf.capacity()).sum::<usize>()
    }

    // ---- what the list commands use.
    /// Prepends at the head.
    pub fn push_front(&mut self, v: &[u8]) {
        let need = entry_size(v.len());
        match self.nodes.front_mut() {
            Some(n) if n.bytes() + need <= NODE_BYTES => n.push_front(v),
            None => self.nodes.push_front(Node::with_entry(v)),
            Some(n) => {
                n.seal();
                self.nodes.push_front(Node::for_growth(v, true));
            }
        }
        self.len += 1;
    }

    pub fn push(&mut self, v: &[u8], front: bool) {
        if front {
            self.push_front(v)
        } else {
            self.push_back(v)
        }
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let node = self.nodes.front_mut()?;
        let v = node.pop_front();
        if node.count == 0 {
            self.nodes.pop_front();
        }
        self.len -= 1;
        Some(v)
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let node = self.nodes.back_mut()?;
        let v = node.pop_back();
        if node.count == 0 {
            self.nodes.pop_back();
        }
        self.len -= 1;
        Some(v)
    }

    pub fn pop(&mut self, front: bool) -> Option<Vec<u8>> {
        if front {
            self.pop_front()
        } else {
            self.pop_back()
        }
    }

    /// Moves the element at one end to the other (LMOVE of a list onto itself).
    pub fn rotate(&mut self, from_front: bool) {
        if self.len > 1 {
            if let Some(v) = self.pop(from_front) {
                self.push(&v, !from_front);
            }
        }
    }

    /// (node, index in node) of element `i < len`, walking from the nearer end.
    fn node_of(&self, i: usize) -> (usize, usize) {
        if i < self.len / 2 {
            let mut i = i;
            for (ni, n) in self.nodes.iter().enumerate() {
                let c = n.count as usize;
                if i < c {
                    return (ni, i);
                }
                i -= c;
            }
        } else {
            let mut j = self.len - 1 - i;
            for ni in (0..self.nodes.len()).rev() {
                let c = self.nodes[ni].count as usize;
                if j < c {
                    return (ni, c - 1 - j);
                }
                j -= c;
            }
        }
        unreachable!("index below len lies in some node")
    }

    /// (node, byte offset) of element `i`, if it exists.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        let (ni, k) = self.node_of(i);
        Some((ni, self.nodes[ni].offset_of(k)))
    }

    /// Element `i` from the head (0-based).
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let (ni, off) = self.locate(i)?;
        let buf = &self.nodes[ni].buf;
        let (ds, n, _) = read_fwd(buf, off);
        Some(&buf[ds..ds + n])
    }

    /// Replaces element `i`; false if out of range.
    pub fn set(&mut self, i: usize, v: &[u8]) -> bool {
        let Some((ni, off)) = self.locate(i) else { return false };
        let node = &mut self.nodes[ni];
        let (_, n, end) = read_fwd(&node.buf, off);
        if entry_size(n) == entry_size(v.len()) {
            encode_into(&mut node.buf[off..end], v);
        } else {
            node.buf.splice(off..end, encoded(v));
            self.split_if_big(ni);
        }
        true
    }

    /// Inserts `v` before (or after) the first element equal to `pivot`, scanning from
    /// the head; false if there is none.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        for ni in 0..self.nodes.len() {
            let node = &self.nodes[ni];
            let mut off = node.start();
            for _ in 0..node.count {
                let (ds, n, end) = read_fwd(&node.buf, off);
                if &node.buf[ds..ds + n] == pivot {
                    let at = if after { end } else { off };
                    let node = &mut self.nodes[ni];
                    node.buf.splice(at..at, encoded(v));
                    node.count += 1;
                    self.len += 1;
                    self.split_if_big(ni);
                    return true;
                }
                off = end;
            }
        }
        false
    }

    /// Splits node `ni` while it holds several entries beyond `NODE_BYTES` (after an
    /// insert or a replacement), so that only single-element nodes are oversized.
    fn split_if_big(&mut self, ni: usize) {
        let node = &mut self.nodes[ni];
        if node.buf.capacity() > 2 * node.buf.len() + NODE_BYTES {
            node.buf.shrink_to_fit(); // a big element was replaced by a small one
        }
        if node.bytes() <= NODE_BYTES || node.count < 2 {
            return;
        }
        let half = node.start() + node.bytes() / 2;
        let mut off = node.start();
        let mut k = 0u32;
        // Cut at the entry boundary nearest past the middle, keeping one entry or more on
        // each side.
        while k == 0 || (off < half && k + 1 < node.count) {
            off = read_fwd(&node.buf, off).2;
            k += 1;
        }
        let tail = Node { buf: node.buf[off..].to_vec(), start: 0, count: node.count - k };
        node.buf.truncate(off);
        node.count = k;
        node.seal();
        self.nodes.insert(ni + 1, tail);
        // Each half may still hold a big element next to small ones.
        self.split_if_big(ni + 1);
        self.split_if_big(ni);
    }

    /// Merges neighbouring nodes that fit in one, after removals left them small.
    fn merge_small_nodes(&mut self) {
        let old = std::mem::take(&mut self.nodes);
        let mut out: VecDeque<Node> = VecDeque::with_capacity(old.len());
        let mut grown: Vec<usize> = Vec::new();
        for n in old {
            if n.count == 0 {
                continue;
            }
            match out.back_mut() {
                Some(b) if b.bytes() + n.bytes() <= NODE_BYTES => {
                    b.buf.extend_from_slice(&n.buf[n.start()..]);
                    b.count += n.count;
                    if grown.last() != Some(&(out.len() - 1)) {
                        grown.push(out.len() - 1);
                    }
                }
                _ => out.push_back(n),
            }
        }
        for i in grown {
            out[i].seal();
        }
        self.nodes = out;
    }

    /// Removes up to `limit` elements equal to `v`, from the head or from the tail;
    /// returns how many were removed.
    pub fn remove_matching(&mut self, v: &[u8], limit: usize, from_tail: bool) -> usize {
        let mut removed = 0;
        let n_nodes = self.nodes.len();
        for step in 0..n_nodes {
            if removed >= limit {
                break;
            }
            let ni = if from_tail { n_nodes - 1 - step } else { step };
            let node = &mut self.nodes[ni];
            let budget = limit - removed;
            let got = if from_tail {
                // Count the matches this node may lose, then drop the last ones.
                let matches = node_matches(node, v);
                let skip = matches.saturating_sub(budget);
                let mut seen = 0;
                node.retain_entries(|e| {
                    if e == v {
                        seen += 1;
                        seen > skip
                    } else {
                        false
                    }
                })
            } else {
                let mut taken = 0;
                node.retain_entries(|e| {
                    if taken < budget && e == v {
                        taken += 1;
                        true
                    } else {
                        false
                    }
                })
            };
            removed += got;
        }
        if removed > 0 {
            self.merge_small_nodes();
            self.len -= removed;
        }
        removed
    }

    /// Drops `front` elements at the head and `back` at the tail (LTRIM).
    pub fn trim(&mut self, front: usize, back: usize) {
        if front + back >= self.len {
            self.nodes.clear();
            self.len = 0;
            return;
        }
        self.len -= front + back;
        let mut front = front;
        while let Some(n) = self.nodes.front_mut() {
            let c = n.count as usize;
            if front >= c {
                front -= c;
                self.nodes.pop_front();
                continue;
            }
            if front > 0 {
                let off = n.offset_of(front);
                n.start = off as u32;
                n.count -= front as u32;
            }
            break;
        }
        let mut back = back;
        while let Some(n) = self.nodes.back_mut() {
            let c = n.count as usize;
            if back >= c {
                back -= c;
                self.nodes.pop_back();
                continue;
            }
            if back > 0 {
                let keep = c - back;
                let end = n.offset_of(keep);
                n.buf.truncate(end);
                n.count = keep as u32;
            }
            break;
        }
    }

    /// Elements `start..=end` (indexes from the head, `end < len`), head to tail; the
    /// iterator also runs backwards.
    pub fn range(&self, start: usize, end: usize) -> Iter<'_> {
        match (self.locate(start), self.locate(end)) {
            (Some((fi, foff)), Some((bi, boff))) if start <= end => {
                let boff = read_fwd(&self.nodes[bi].buf, boff).2;
                Iter { nodes: &self.nodes, fi, foff, bi, boff, left: end - start + 1 }
            }
            _ => Iter { nodes: &self.nodes, fi: 0, foff: 0, bi: 0, boff: 0, left: 0 },
        }
    }
}

fn node_matches(node: &Node, v: &[u8]) -> usize {
    let mut off = node.start();
    let mut m = 0;
    for _ in 0..node.count {
        let (ds, n, end) = read_fwd(&node.buf, off);
        if &node.buf[ds..ds + n] == v {
            m += 1;
        }
        off = end;
    }
    m
}

/// Iterator over a run of elements; `left` bounds both ends so they never cross.
pub struct Iter<'a> {
    nodes: &'a VecDeque<Node>,
    fi: usize,
    foff: usize,
    bi: usize,
    boff: usize,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        let nodes = self.nodes;
        let mut node = &nodes[self.fi];
        if self.foff >= node.buf.len() {
            self.fi += 1;
            node = &nodes[self.fi];
            self.foff = node.start();
        }
        let (ds, n, end) = read_fwd(&node.buf, self.foff);
        self.foff = end;
        self.left -= 1;
        Some(&node.buf[ds..ds + n])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    #[inline]
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        let nodes = self.nodes;
        let mut node = &nodes[self.bi];
        if self.boff <= node.start() {
            self.bi -= 1;
            node = &nodes[self.bi];
            self.boff = node.buf.len();
        }
        let (ds, n, es) = read_back(&node.buf, self.boff);
        self.boff = es;
        self.left -= 1;
        Some(&node.buf[ds..ds + n])
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(l: &List) -> Vec<Vec<u8>> {
        l.iter().map(|e| e.to_vec()).collect()
    }

    fn check(l: &List, model: &VecDeque<Vec<u8>>) {
        assert_eq!(l.len(), model.len());
        assert_eq!(l.len, l.nodes.iter().map(|n| n.count as usize).sum::<usize>());
        assert!(l.nodes.iter().all(|n| n.count > 0), "no empty nodes");
        assert!(l.nodes.iter().all(|n| n.count == 1 || n.bytes() <= NODE_BYTES), "nodes stay within their size");
        let fwd = contents(l);
        assert_eq!(fwd, model.iter().cloned().collect::<Vec<_>>());
        let mut back: Vec<Vec<u8>> = l.iter().rev().map(|e| e.to_vec()).collect();
        back.reverse();
        assert_eq!(back, fwd);
    }

    #[test]
    fn entries_round_trip_in_both_directions() {
        for n in [0usize, 1, 127, 128, 300, 16383, 16384, 70000] {
            let v: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let e = encoded(&v);
            assert_eq!(e.len(), entry_size(n));
            assert_eq!(read_fwd(&e, 0), (len_bytes(n), n, e.len()));
            assert_eq!(read_back(&e, e.len()), (len_bytes(n), n, 0));
        }
    }

    #[test]
    fn pushes_and_pops_at_both_ends() {
        let mut l = List::new();
        assert!(l.is_empty());
        assert_eq!(l.pop_front(), None);
        assert_eq!(l.pop_back(), None);
        l.push_back(b"b");
        l.push_front(b"a");
        l.push_back(b"c");
        assert_eq!(contents(&l), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(l.pop_back().as_deref(), Some(&b"c"[..]));
        assert_eq!(l.pop_front().as_deref(), Some(&b"a"[..]));
        assert_eq!(l.pop_front().as_deref(), Some(&b"b"[..]));
        assert!(l.is_empty());
        assert_eq!(l.encoding_name(), "quicklist");
    }

    #[test]
    fn small_elements_are_packed() {
        let mut l = List::new();
        for i in 0..100_000 {
            l.push_back(format!("{i}").as_bytes());
        }
        // About 7 bytes per element (5 digits + 2 length bytes), far below one
        // heap handle per element.
        assert!(l.heap_bytes() < 100_000 * 9, "heap bytes {}", l.heap_bytes());
        assert_eq!(l.get(0), Some(&b"0"[..]));
        assert_eq!(l.get(99_999), Some(&b"99999"[..]));
        assert_eq!(l.get(54_321), Some(&b"54321"[..]));
        assert_eq!(l.get(100_000), None);
    }

    #[test]
    fn head_pushes_stay_amortized_and_ordered() {
        let mut l = List::new();
        for i in 0..50_000 {
            l.push_front(format!("{i}").as_bytes());
        }
        assert_eq!(l.get(0), Some(&b"49999"[..]));
        assert_eq!(l.get(49_999), Some(&b"0"[..]));
        assert!(l.heap_bytes() < 50_000 * 12, "heap bytes {}", l.heap_bytes());
    }

    #[test]
    fn big_elements_get_their_own_node() {
        let mut l = List::new();
        let big = vec![7u8; 3 * NODE_BYTES];
        l.push_back(b"x");
        l.push_back(&big);
        l.push_front(&big);
        l.push_back(b"y");
        assert_eq!(l.len(), 4);
        assert_eq!(l.get(1), Some(&b"x"[..]));
        assert_eq!(l.get(2).map(|e| e.len()), Some(big.len()));
        assert!(l.set(1, &big));
        assert!(l.insert_at_pivot(b"y", b"z", false));
        assert_eq!(l.get(3), Some(&b"z"[..]));
        assert_eq!(l.remove_matching(&big, 2, true), 2);
        assert_eq!(l.iter().map(|e| e.len()).collect::<Vec<_>>(), vec![big.len(), 1, 1]);
    }

    #[test]
    fn ranges_run_both_ways() {
        let mut l = List::new();
        for i in 0..5000 {
            l.push_back(format!("element-{i}").as_bytes());
        }
        let r: Vec<_> = l.range(1000, 1002).map(|e| e.to_vec()).collect();
        assert_eq!(r, vec![b"element-1000".to_vec(), b"element-1001".to_vec(), b"element-1002".to_vec()]);
        let r: Vec<_> = l.range(3000, 4999).rev().take(2).map(|e| e.to_vec()).collect();
        assert_eq!(r, vec![b"element-4999".to_vec(), b"element-4998".to_vec()]);
        assert_eq!(l.range(10, 9).count(), 0);
        assert_eq!(l.range(4999, 5000).count(), 0);
        assert_eq!(l.range(0, 4999).len(), 5000);
    }

    #[test]
    fn trim_keeps_the_middle() {
        let mut l = List::new();
        for i in 0..3000 {
            l.push_back(format!("{i:05}").as_bytes());
        }
        l.trim(1234, 567);
        assert_eq!(l.len(), 3000 - 1234 - 567);
        assert_eq!(l.get(0), Some(&b"01234"[..]));
        assert_eq!(l.iter().next_back(), Some(&b"02432"[..]));
        l.trim(l.len(), 0);
        assert!(l.is_empty());
        assert_eq!(l.nodes.len(), 0);
    }

    #[test]
    fn remove_counts_from_either_end() {
        let mut l = List::new();
        for e in [&b"a"[..], b"b", b"a", b"c", b"a"] {
            l.push_back(e);
        }
        assert_eq!(l.remove_matching(b"a", 1, true), 1);
        assert_eq!(contents(&l), vec![b"a".to_vec(), b"b".to_vec(), b"a".to_vec(), b"c".to_vec()]);
        assert_eq!(l.remove_matching(b"a", 1, false), 1);
        assert_eq!(contents(&l), vec![b"b".to_vec(), b"a".to_vec(), b"c".to_vec()]);
        assert_eq!(l.remove_matching(b"zz", usize::MAX, false), 0);
        assert_eq!(l.remove_matching(b"a", usize::MAX, false), 1);
        assert_eq!(contents(&l), vec![b"b".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn rotate_moves_an_end_element_to_the_other_end() {
        let mut l = List::new();
        for e in [&b"a"[..], b"b", b"c"] {
            l.push_back(e);
        }
        l.rotate(true);
        assert_eq!(contents(&l), vec![b"b".to_vec(), b"c".to_vec(), b"a".to_vec()]);
        l.rotate(false);
        assert_eq!(contents(&l), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }

    /// Small deterministic generator (xorshift64*), so failures replay.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn value(r: &mut Rng) -> Vec<u8> {
        let len = match r.below(10) {
            0 => 200 + r.below(400),
            1 => 3000 + r.below(9000),
            _ => r.below(12),
        };
        // Few distinct short values so that pivots and removals find matches.
        let b = b'a' + r.below(4) as u8;
        vec![b; len]
    }

    #[test]
    fn random_operations_match_a_simple_model() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let mut l = List::new();
        let mut m: VecDeque<Vec<u8>> = VecDeque::new();
        for step in 0..20_000 {
            match r.below(12) {
                0 | 1 => {
                    let v = value(&mut r);
                    l.push_back(&v);
                    m.push_back(v);
                }
                2 | 3 => {
                    let v = value(&mut r);
                    l.push_front(&v);
                    m.push_front(v);
                }
                4 => assert_eq!(l.pop_front(), m.pop_front()),
                5 => assert_eq!(l.pop_back(), m.pop_back()),
                6 => {
                    let i = r.below(m.len() + 2);
                    let v = value(&mut r);
                    assert_eq!(l.set(i, &v), i < m.len());
                    if i < m.len() {
                        m[i] = v;
                    }
                }
                7 => {
                    let pivot = value(&mut r);
                    let v = value(&mut r);
                    let after = r.below(2) == 0;
                    let found = m.iter().position(|e| *e == pivot);
                    assert_eq!(l.insert_at_pivot(&pivot, &v, after), found.is_some());
                    if let Some(p) = found {
                        m.insert(if after { p + 1 } else { p }, v);
                    }
                }
                8 => {
                    let v = value(&mut r);
                    let limit = if r.below(3) == 0 { usize::MAX } else { 1 + r.below(3) };
                    let from_tail = r.below(2) == 0;
                    let mut want = 0;
                    let idx: Vec<usize> = if from_tail { (0..m.len()).rev().collect() } else { (0..m.len()).collect() };
                    let mut drop = vec![false; m.len()];
                    for i in idx {
                        if want < limit && m[i] == v {
                            drop[i] = true;
                            want += 1;
                        }
                    }
                    let mut k = 0;
                    m.retain(|_| {
                        k += 1;
                        !drop[k - 1]
                    });
                    assert_eq!(l.remove_matching(&v, limit, from_tail), want);
                }
                9 => {
                    if r.below(20) == 0 {
                        let f = r.below(m.len() + 1);
                        let b = r.below(m.len() + 1 - f);
                        l.trim(f, b);
                        m.drain(..f);
                        let keep = m.len() - b;
                        m.truncate(keep);
                    }
                }
                10 => {
                    if !m.is_empty() {
                        let s = r.below(m.len());
                        let e = s + r.below(m.len() - s);
                        let got: Vec<_> = l.range(s, e).map(|x| x.to_vec()).collect();
                        let want: Vec<_> = m.range(s..=e).cloned().collect();
                        assert_eq!(got, want, "range {s}..={e} at step {step}");
                        let got_rev: Vec<_> = l.range(s, e).rev().map(|x| x.to_vec()).collect();
                        let want_rev: Vec<_> = m.range(s..=e).rev().cloned().collect();
                        assert_eq!(got_rev, want_rev);
                    }
                }
                _ => {
                    let i = r.below(m.len() + 1);
                    assert_eq!(l.get(i), m.get(i).map(|v| &v[..]));
                }
            }
            if step % 97 == 0 {
                check(&l, &m);
            }
        }
        check(&l, &m);
        let c = l.clone();
        check(&c, &m);
    }
}
