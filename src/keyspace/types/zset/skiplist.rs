//! The ordered index of big sorted sets: a skiplist with spans, ordered by
//! (score, member), giving O(log n) insert, delete, rank and element-by-rank.
//!
//! BACKGROUND: Redis indexes a big sorted set with a skiplist whose links carry a span
//! (how many level-0 nodes they jump), so that a search from the top accumulates the
//! rank of where it stops. slotd uses the same structure rather than an order-statistic
//! B-tree so that every range command can walk it exactly as Redis does ("first node
//! not below min", then forward while "not above max", ranks from spans) with the same
//! costs: O(log n) to find a position, O(1) per step from there. (Lexicographic ranges
//! over members of different scores, which Redis leaves unspecified, depend on the
//! random levels in Redis too; only same-score lex ranges are reproducible.)
//!
//! Representation: nodes live in an arena (`Vec<Node>`) and link to each other by u32
//! index, so the structure is safe Rust and one node costs one 72-byte slot (levels 0
//! and 1 inline) plus, for the one node in sixteen that has higher levels, one small
//! boxed slice.
//! Freed slots go to a free list and are reused; when fewer than a quarter of the slots
//! are live the arena is compacted (O(n), amortized O(1) per delete), so memory follows
//! the set down after mass deletions. Node indices are therefore only valid until the
//! next call that removes elements; nothing outside this module keeps them.
//!
//! Limits: at most `u32::MAX - 2` nodes (a set that large would need hundreds of GB).
use crate::keyspace::smallbytes::SmallBytes;

/// Levels a node can have: with p = 1/4 this serves 4^32 elements (Redis's
/// ZSKIPLIST_MAXLEVEL).
pub const MAX_LEVEL: usize = 32;
/// "No node": the end of a level, or no predecessor.
pub const NIL: u32 = u32::MAX;
/// The header pseudo-node (its links are `SkipList::head`).
const HEAD: u32 = u32::MAX - 1;
/// Compacting a small arena saves too little to be worth the walk.
const COMPACT_MIN_SLOTS: usize = 256;

#[derive(Clone, Copy)]
struct Link {
    next: u32,
    /// Level-0 nodes this link jumps over (for a link to NIL: nodes left after its owner).
    span: u32,
}

const NO_LINK: Link = Link { next: NIL, span: 0 };

#[derive(Clone)]
struct Node {
    member: SmallBytes,
    score: f64,
    /// Previous node on level 0 (NIL for the first).
    prev: u32,
    lv0: Link,
    /// Level 1, inline: a quarter of the nodes have it and searches hop through it
    /// often, so it must not cost a second cache miss (unused on level-1 nodes).
    lv1: Link,
    /// Links of levels 2.. (empty for fifteen nodes out of sixteen).
    upper: Box<[Link]>,
}

const _: () = assert!(std::mem::size_of::<Node>() == 72);

impl Node {
    fn vacant() -> Node {
        Node { member: SmallBytes::EMPTY, score: 0.0, prev: NIL, lv0: NO_LINK, lv1: NO_LINK, upper: Box::new([]) }
    }
}

#[derive(Clone)]
pub struct SkipList {
    head: [Link; MAX_LEVEL],
    /// Levels in use (1 when empty).
    level: usize,
    len: usize,
    tail: u32,
    nodes: Vec<Node>,
    free: Vec<u32>,
    /// Number of boxed links, levels 2 and up (memory accounting).
    upper_links: usize,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

/// Redis's ordering: by score, then by member bytes.
#[inline]
fn lt(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && m1 < m2)
}

/// Levels for a new node: each further level with probability 1/4 (two random bits).
fn random_level() -> usize {
    let r: u64 = rand::random();
    (1 + r.trailing_zeros() as usize / 2).min(MAX_LEVEL)
}

impl SkipList {
    pub fn new() -> SkipList {
        SkipList { head: [NO_LINK; MAX_LEVEL], level: 1, len: 0, tail: NIL, nodes: Vec::new(), free: Vec::new(), upper_links: 0 }
    }

    pub fn with_capacity(n: usize) -> SkipList {
        let mut l = SkipList::new();
        l.nodes.reserve(n);
        l
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Approximate heap bytes of the index itself (not the members' own heap bytes).
    pub fn overhead_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>() + self.upper_links * std::mem::size_of::<Link>() + self.free.capacity() * 4
    }

    #[inline]
    fn link(&self, x: u32, i: usize) -> Link {
        if x == HEAD {
            self.head[i]
        } else {
            let n = &self.nodes[x as usize];
            match i {
                0 => n.lv0,
                1 => n.lv1,
                _ => n.upper[i - 2],
            }
        }
    }

    #[inline]
    fn link_mut(&mut self, x: u32, i: usize) -> &mut Link {
        if x == HEAD {
            &mut self.head[i]
        } else {
            let n = &mut self.nodes[x as usize];
            match i {
                0 => &mut n.lv0,
                1 => &mut n.lv1,
                _ => &mut n.upper[i - 2],
            }
        }
    }

    /// The member and score of a node.
    #[inline]
    pub fn entry(&self, x: u32) -> (&[u8], f64) {
        let n = &self.nodes[x as usize];
        (n.member.as_slice(), n.score)
    }

    pub fn first(&self) -> u32 {
        self.head[0].next
    }

    pub fn last(&self) -> u32 {
        self.tail
    }

    pub fn next(&self, x: u32) -> u32 {
        self.nodes[x as usize].lv0.next
    }

    pub fn prev(&self, x: u32) -> u32 {
        self.nodes[x as usize].prev
    }

    /// Walks down from the top level, moving right while `go(next node)` holds. Returns,
    /// per level, the last node reached there and its rank (1-based; 0 for the header).
    fn descend_path(&self, mut go: impl FnMut(&Node) -> bool) -> ([u32; MAX_LEVEL], [u32; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let (mut x, mut r) = (HEAD, 0u32);
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && go(&self.nodes[l.next as usize]) {
                    r += l.span;
                    x = l.next;
                } else {
                    break;
                }
            }
            update[i] = x;
            rank[i] = r;
        }
        (update, rank)
    }

    /// Like `descend_path` but only the final node (HEAD if none) and its rank.
    fn descend(&self, mut go: impl FnMut(&Node) -> bool) -> (u32, usize) {
        let (mut x, mut r) = (HEAD, 0usize);
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && go(&self.nodes[l.next as usize]) {
                    r += l.span as usize;
                    x = l.next;
                } else {
                    break;
                }
            }
        }
        (x, r)
    }

    fn alloc(&mut self, n: Node) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = n;
                i
            }
            None => {
                self.nodes.push(n);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Releases a node's slot (already unlinked); returns its member.
    fn release(&mut self, x: u32) -> SmallBytes {
        let n = std::mem::replace(&mut self.nodes[x as usize], Node::vacant());
        self.upper_links -= n.upper.len();
        self.free.push(x);
        n.member
    }

    /// Inserts (score, member), which must not be present (the caller's dict knows).
    pub fn insert(&mut self, score: f64, member: SmallBytes) {
        let (mut update, mut rank) = self.descend_path(|n| lt(n.score, &n.member, score, &member));
        let lvl = random_level();
        if lvl > self.level {
            for i in self.level..lvl {
                rank[i] = 0;
                update[i] = HEAD;
                self.head[i] = Link { next: NIL, span: self.len as u32 };
            }
            self.level = lvl;
        }
        let prev = if update[0] == HEAD { NIL } else { update[0] };
        let upper = vec![NO_LINK; lvl.saturating_sub(2)].into_boxed_slice();
        self.upper_links += upper.len();
        let x = self.alloc(Node { member, score, prev, lv0: NO_LINK, lv1: NO_LINK, upper });
        for i in 0..lvl {
            let u = self.link(update[i], i);
            let before = rank[0] - rank[i];
            *self.link_mut(x, i) = Link { next: u.next, span: u.span - before };
            *self.link_mut(update[i], i) = Link { next: x, span: before + 1 };
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(lvl) {
            self.link_mut(u, i).span += 1;
        }
        let next = self.nodes[x as usize].lv0.next;
        if next != NIL {
            self.nodes[next as usize].prev = x;
        } else {
            self.tail = x;
        }
        self.len += 1;
    }

    /// Unlinks node `x` given its predecessors per level.
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let ul = self.link(u, i);
            if ul.next == x {
                let xl = self.link(x, i);
                *self.link_mut(u, i) = Link { next: xl.next, span: ul.span + xl.span - 1 };
            } else {
                self.link_mut(u, i).span -= 1;
            }
        }
        let (prev, next) = (self.nodes[x as usize].prev, self.nodes[x as usize].lv0.next);
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        } else {
            self.tail = prev;
        }
        while self.level > 1 && self.head[self.level - 1].next == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Removes (score, member); returns the member if it was there.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> Option<SmallBytes> {
        let (update, _) = self.descend_path(|n| lt(n.score, &n.member, score, member));
        let x = self.link(update[0], 0).next;
        if x == NIL || self.nodes[x as usize].score != score || self.nodes[x as usize].member.as_slice() != member {
            return None;
        }
        self.unlink(x, &update);
        let m = self.release(x);
        self.maybe_compact();
        Some(m)
    }

    /// Changes a present member's score from `cur` to `new`: in place when its position
    /// does not change, else by moving it (its member bytes are moved, not copied).
    pub fn update_score(&mut self, cur: f64, member: &[u8], new: f64) {
        let (update, _) = self.descend_path(|n| lt(n.score, &n.member, cur, member));
        let x = self.link(update[0], 0).next;
        if x == NIL || self.nodes[x as usize].member.as_slice() != member {
            debug_assert!(false, "update_score of an absent member");
            return;
        }
        let n = &self.nodes[x as usize];
        let prev_ok = n.prev == NIL || self.nodes[n.prev as usize].score < new;
        let next_ok = n.lv0.next == NIL || self.nodes[n.lv0.next as usize].score > new;
        if prev_ok && next_ok {
            self.nodes[x as usize].score = new;
            return;
        }
        self.unlink(x, &update);
        let m = self.release(x);
        self.insert(new, m);
    }

    /// 1-based rank of (score, member), if present.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let (x, r) = self.descend(|n| !lt(score, member, n.score, &n.member));
        if x != HEAD && self.nodes[x as usize].member.as_slice() == member {
            Some(r)
        } else {
            None
        }
    }

    /// The node of 1-based rank `r`, or NIL.
    pub fn by_rank(&self, r: usize) -> u32 {
        if r == 0 || r > self.len {
            return NIL;
        }
        if r == self.len {
            return self.tail;
        }
        let (mut x, mut t) = (HEAD, 0usize);
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && t + l.span as usize <= r {
                    t += l.span as usize;
                    x = l.next;
                } else {
                    break;
                }
            }
            if t == r {
                return x;
            }
        }
        NIL
    }

    /// The first node for which `below` is false, assuming `below` holds on a prefix of
    /// the order; with its 1-based rank. NIL if there is none.
    pub fn first_not(&self, mut below: impl FnMut(&[u8], f64) -> bool) -> (u32, usize) {
        let (x, r) = self.descend(|n| below(&n.member, n.score));
        let x = self.link(x, 0).next;
        (x, r + 1)
    }

    /// The last node for which `ok` holds, assuming it holds on a prefix of the order;
    /// with its 1-based rank. NIL if there is none.
    pub fn last_where(&self, mut ok: impl FnMut(&[u8], f64) -> bool) -> (u32, usize) {
        let (x, r) = self.descend(|n| ok(&n.member, n.score));
        if x == HEAD {
            (NIL, 0)
        } else {
            (x, r)
        }
    }

    /// Removes, from the first node for which `below` is false, every node while `keep`
    /// holds; `out` receives each removed (member, score). Returns how many.
    pub fn remove_run(&mut self, mut below: impl FnMut(&[u8], f64) -> bool, mut keep: impl FnMut(&[u8], f64) -> bool, mut out: impl FnMut(SmallBytes, f64)) -> usize {
        let (update, _) = self.descend_path(|n| below(&n.member, n.score));
        let mut x = self.link(update[0], 0).next;
        let mut removed = 0;
        while x != NIL {
            let n = &self.nodes[x as usize];
            if !keep(&n.member, n.score) {
                break;
            }
            let (next, score) = (n.lv0.next, n.score);
            self.unlink(x, &update);
            out(self.release(x), score);
            removed += 1;
            x = next;
        }
        self.maybe_compact();
        removed
    }

    /// Removes the nodes of 1-based ranks `start..=end`, in order, passing each to `out`.
    pub fn remove_ranks(&mut self, start: usize, end: usize, mut out: impl FnMut(SmallBytes, f64)) -> usize {
        let mut update = [HEAD; MAX_LEVEL];
        let (mut x, mut t) = (HEAD, 0usize);
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && t + (l.span as usize) < start {
                    t += l.span as usize;
                    x = l.next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        t += 1;
        let mut x = self.link(x, 0).next;
        let mut removed = 0;
        while x != NIL && t <= end {
            let (next, score) = (self.nodes[x as usize].lv0.next, self.nodes[x as usize].score);
            self.unlink(x, &update);
            out(self.release(x), score);
            removed += 1;
            t += 1;
            x = next;
        }
        self.maybe_compact();
        removed
    }

    /// Rebuilds the arena densely, in order, once fewer than a quarter of its slots are live.
    fn maybe_compact(&mut self) {
        if self.nodes.len() < COMPACT_MIN_SLOTS || self.len * 4 >= self.nodes.len() {
            return;
        }
        let mut remap = vec![NIL; self.nodes.len()];
        let mut old = std::mem::take(&mut self.nodes);
        let mut order = Vec::with_capacity(self.len);
        let mut x = self.head[0].next;
        while x != NIL {
            remap[x as usize] = order.len() as u32;
            order.push(x);
            x = old[x as usize].lv0.next;
        }
        let map = |i: u32| if i == NIL { NIL } else { remap[i as usize] };
        let mut nodes = Vec::with_capacity(self.len);
        for &i in &order {
            let mut n = std::mem::replace(&mut old[i as usize], Node::vacant());
            n.prev = map(n.prev);
            n.lv0.next = map(n.lv0.next);
            n.lv1.next = map(n.lv1.next);
            for l in n.upper.iter_mut() {
                l.next = map(l.next);
            }
            nodes.push(n);
        }
        for l in self.head.iter_mut() {
            l.next = map(l.next);
        }
        self.tail = map(self.tail);
        self.nodes = nodes;
        self.free = Vec::new();
    }

    /// Nodes of 1-based ranks `start..=end` (valid, non-empty), as a double-ended iterator.
    pub fn range(&self, start: usize, end: usize) -> Iter<'_> {
        let front = if start == 1 { self.first() } else { self.by_rank(start) };
        let back = self.by_rank(end);
        Iter { list: self, front, back, left: end + 1 - start }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter { list: self, front: self.first(), back: self.tail, left: self.len }
    }

    /// Checks every structural invariant (tests).
    #[cfg(test)]
    pub fn check(&self) {
        let mut count = 0;
        let mut prev = NIL;
        let mut x = self.head[0].next;
        while x != NIL {
            let n = &self.nodes[x as usize];
            assert_eq!(n.prev, prev, "backward link");
            if prev != NIL {
                let p = &self.nodes[prev as usize];
                assert!(lt(p.score, &p.member, n.score, &n.member), "order");
            }
            assert_eq!(n.lv0.span, u32::from(n.lv0.next != NIL), "level-0 span");
            prev = x;
            x = n.lv0.next;
            count += 1;
        }
        assert_eq!(self.tail, prev);
        assert_eq!(count, self.len);
        // Every link's span equals the rank difference.
        for i in 1..self.level {
            let (mut x, mut r) = (HEAD, 0usize);
            loop {
                let l = self.link(x, i);
                if l.next == NIL {
                    assert_eq!(l.span as usize, self.len - r, "span to the end at level {i}");
                    break;
                }
                let (m, s) = self.entry(l.next);
                let nr = self.rank(s, m).expect("linked node has a rank");
                assert_eq!(nr - r, l.span as usize, "span at level {i}");
                x = l.next;
                r = nr;
            }
        }
        assert_eq!(self.nodes.len() - self.free.len(), self.len, "arena accounting");
    }
}

/// Walks nodes in order from `front` to `back` (both included), from either end.
pub struct Iter<'a> {
    list: &'a SkipList,
    front: u32,
    back: u32,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let n = &self.list.nodes[self.front as usize];
        self.front = n.lv0.next;
        Some((n.member.as_slice(), n.score))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let n = &self.list.nodes[self.back as usize];
        self.back = n.prev;
        Some((n.member.as_slice(), n.score))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use std::collections::BTreeSet;

    /// The model: a sorted set of (score as ordered bits, member); scores in tests are
    /// small integers and halves, so ordering by `f64` via a wrapper is exact.
    #[derive(PartialEq, PartialOrd, Clone, Copy, Debug)]
    struct S(f64);
    impl Eq for S {}
    #[allow(clippy::derive_ord_xor_partial_ord)]
    impl Ord for S {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            self.0.partial_cmp(&o.0).expect("no NaN in tests")
        }
    }

    fn model_vec(m: &BTreeSet<(S, Vec<u8>)>) -> Vec<(Vec<u8>, f64)> {
        m.iter().map(|(s, k)| (k.clone(), s.0)).collect()
    }

    fn list_vec(l: &SkipList) -> Vec<(Vec<u8>, f64)> {
        l.iter().map(|(m, s)| (m.to_vec(), s)).collect()
    }

    #[test]
    fn random_operations_match_a_sorted_model() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        let mut l = SkipList::new();
        let mut model: BTreeSet<(S, Vec<u8>)> = BTreeSet::new();
        let mut scores: std::collections::HashMap<Vec<u8>, f64> = Default::default();
        for step in 0..20_000 {
            let member = format!("m{}", rng.gen_range(0..600)).into_bytes();
            let score = rng.gen_range(-20..20) as f64 / 2.0;
            match rng.gen_range(0..10) {
                0..=3 => {
                    if let Some(&cur) = scores.get(&member) {
                        l.update_score(cur, &member, score);
                        model.remove(&(S(cur), member.clone()));
                    } else {
                        l.insert(score, SmallBytes::new(&member));
                    }
                    model.insert((S(score), member.clone()));
                    scores.insert(member, score);
                }
                4..=5 => {
                    let cur = scores.remove(&member);
                    let got = cur.and_then(|c| l.remove(c, &member));
                    assert_eq!(got.is_some(), cur.is_some());
                    if let Some(c) = cur {
                        model.remove(&(S(c), member));
                    }
                }
                6 => {
                    // Remove a run of ranks.
                    let n = model.len();
                    if n > 0 {
                        let a = rng.gen_range(1..=n);
                        let b = (a + rng.gen_range(0..20)).min(n);
                        let mut gone = Vec::new();
                        let k = l.remove_ranks(a, b, |m, s| gone.push((m.to_vec(), s)));
                        let expect: Vec<_> = model_vec(&model)[a - 1..b].to_vec();
                        assert_eq!(gone, expect);
                        assert_eq!(k, b + 1 - a);
                        for (m, s) in expect {
                            model.remove(&(S(s), m.clone()));
                            scores.remove(&m);
                        }
                    }
                }
                7 => {
                    // Remove a score run: min <= score <= max.
                    let (lo, hi) = (score, score + 1.0);
                    let mut gone = Vec::new();
                    l.remove_run(|_, s| s < lo, |_, s| s <= hi, |m, s| gone.push((m.to_vec(), s)));
                    let expect: Vec<_> = model_vec(&model).into_iter().filter(|(_, s)| *s >= lo && *s <= hi).collect();
                    assert_eq!(gone, expect);
                    for (m, s) in expect {
                        model.remove(&(S(s), m.clone()));
                        scores.remove(&m);
                    }
                }
                _ => {
                    // Queries: rank, by_rank, first_not, last_where, ranges from both ends.
                    let v = model_vec(&model);
                    if let Some(&cur) = scores.get(&member) {
                        let r = l.rank(cur, &member).expect("present");
                        assert_eq!(v[r - 1].0, member);
                    }
                    assert_eq!(l.rank(1e9, b"absent"), None);
                    if !v.is_empty() {
                        let r = rng.gen_range(1..=v.len());
                        let (m, s) = l.entry(l.by_rank(r));
                        assert_eq!((m.to_vec(), s), v[r - 1]);
                        let (x, fr) = l.first_not(|_, s| s < score);
                        let exp = v.iter().position(|(_, s)| *s >= score);
                        assert_eq!(if x == NIL { None } else { Some(fr - 1) }, exp);
                        let (x, lr) = l.last_where(|_, s| s <= score);
                        let exp = v.iter().rposition(|(_, s)| *s <= score);
                        assert_eq!(if x == NIL { None } else { Some(lr - 1) }, exp);
                        let e = rng.gen_range(r..=v.len());
                        let fwd: Vec<_> = l.range(r, e).map(|(m, s)| (m.to_vec(), s)).collect();
                        assert_eq!(fwd, v[r - 1..e].to_vec());
                        let back: Vec<_> = l.range(r, e).rev().map(|(m, s)| (m.to_vec(), s)).collect();
                        let mut exp: Vec<_> = v[r - 1..e].to_vec();
                        exp.reverse();
                        assert_eq!(back, exp);
                    }
                    assert_eq!(l.by_rank(v.len() + 1), NIL);
                }
            }
            if step % 500 == 0 {
                l.check();
                assert_eq!(list_vec(&l), model_vec(&model));
            }
        }
        l.check();
        assert_eq!(list_vec(&l), model_vec(&model));
    }

    #[test]
    fn arena_compacts_after_mass_deletion() {
        let mut l = SkipList::new();
        for i in 0..5000 {
            l.insert(i as f64, SmallBytes::from_i64(i));
        }
        let removed = l.remove_ranks(1, 4990, |_, _| {});
        assert_eq!(removed, 4990);
        l.check();
        assert!(l.nodes.len() < 100, "arena kept {} slots for {} nodes", l.nodes.len(), l.len());
        let got: Vec<f64> = l.iter().map(|(_, s)| s).collect();
        assert_eq!(got, (4990..5000).map(|i| i as f64).collect::<Vec<_>>());
        for i in 0..3000 {
            l.insert(-(i as f64), SmallBytes::from_i64(-i - 1));
        }
        l.check();
    }

    #[test]
    fn equal_scores_order_by_member_bytes() {
        let mut l = SkipList::new();
        for m in ["b", "a", "ab", "", "c"] {
            l.insert(1.0, SmallBytes::new(m.as_bytes()));
        }
        l.insert(-0.0, SmallBytes::new(b"z"));
        let got: Vec<&[u8]> = l.iter().map(|(m, _)| m).collect();
        assert_eq!(got, vec![&b"z"[..], b"", b"a", b"ab", b"b", b"c"]);
        assert_eq!(l.rank(1.0, b"ab"), Some(4));
        // 0 and -0 compare equal, as in Redis.
        assert_eq!(l.rank(0.0, b"z"), Some(1));
    }
}
