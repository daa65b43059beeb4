//! Sorted set values, in Redis 7.0's two encodings:
//!
//! - `listpack` (`ZSet::Small`): a vector of (member, score) sorted by (score, member),
//!   while the set has at most `zset-max-listpack-entries` members of at most
//!   `zset-max-listpack-value` bytes. Lookups by member are linear, as in a listpack;
//!   the limits keep them short.
//! - `skiplist` (`ZSet::Big`): a member → score `Dict` (O(1) ZSCORE, SCAN cursors) plus an
//!   ordered index with O(log n) rank (`skiplist::SkipList`, see there for why a
//!   skiplist).
//!
//! A set converts to `skiplist` when an insert passes a limit and never converts back,
//! except where Redis 7.0 builds a new value by its size (`from_sorted`: ZUNIONSTORE,
//! ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE results).
//!
//! Both encodings answer the same queries with Redis's semantics, including the exact
//! way range lookups walk (first element not below min, then while not above max), so
//! replies match Redis's for each encoding (lex ranges over mixed scores aside, see
//! `skiplist`). Ranks here are 0-based. No replies, no I/O.
pub mod skiplist;

use crate::config::Settings;
use crate::keyspace::dict::Dict;
use crate::keyspace::smallbytes::SmallBytes;
use skiplist::SkipList;
use std::cmp::Ordering;

/// One member of a `listpack` set.
#[derive(Clone, Debug)]
pub struct Entry {
    pub member: SmallBytes,
    pub score: f64,
}

#[derive(Clone)]
pub struct Big {
    dict: Dict<f64>,
    list: SkipList,
    /// Heap bytes of the members (both copies), kept so `heap_bytes` is O(1).
    member_heap: usize,
}

#[derive(Clone)]
pub enum ZSet {
    Small(Vec<Entry>),
    /// Boxed: the index header is a few hundred bytes that small sets should not pay.
    Big(Box<Big>),
}

// A small set costs its vector and a tag, nothing more.
const _: () = assert!(std::mem::size_of::<ZSet>() <= 32);

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Small(Vec::new())
    }
}

/// ZADD's options as they affect one element.
#[derive(Clone, Copy, Debug, Default)]
pub struct AddFlags {
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
    pub incr: bool,
}

/// What `add` did (Redis's zsetAdd out flags).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Added {
    /// A new member with this score.
    New(f64),
    /// An existing member whose score changed to this.
    Updated(f64),
    /// An existing member whose score stays (the value was equal).
    Same(f64),
    /// Nothing done because of NX/XX/GT/LT.
    Nop,
    /// INCR would produce NaN; nothing done.
    NaN,
}

/// A range over the (score, member) order, tested the way Redis tests it.
pub trait Range {
    /// The range can contain nothing whatever the set holds.
    fn is_empty(&self) -> bool;
    fn gte_min(&self, member: &[u8], score: f64) -> bool;
    fn lte_max(&self, member: &[u8], score: f64) -> bool;
}

/// A score interval; `minex`/`maxex` make its ends exclusive (`(1.5`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl Range for ScoreRange {
    fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
    #[inline]
    fn gte_min(&self, _: &[u8], score: f64) -> bool {
        if self.minex {
            score > self.min
        } else {
            score >= self.min
        }
    }
    #[inline]
    fn lte_max(&self, _: &[u8], score: f64) -> bool {
        if self.maxex {
            score < self.max
        } else {
            score <= self.max
        }
    }
}

/// One end of a lexicographic range: `-`, `+`, `[x` or `(x`.
#[derive(Clone, Debug, PartialEq)]
pub enum LexBound {
    /// `-`: below every string.
    Min,
    /// `+`: above every string.
    Max,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

impl LexBound {
    /// `-` and `+` count as exclusive (Redis parses them so), which matters only when
    /// both ends are the same infinity.
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Incl(_))
    }
}

/// Compares a string with a bound (Redis's sdscmplex with the min/max sentinels).
fn cmp_lex(v: &[u8], b: &LexBound) -> Ordering {
    match b {
        LexBound::Min => Ordering::Greater,
        LexBound::Max => Ordering::Less,
        LexBound::Incl(s) | LexBound::Excl(s) => v.cmp(s),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl Range for LexRange {
    fn is_empty(&self) -> bool {
        use LexBound::*;
        let c = match (&self.min, &self.max) {
            (Min, Min) | (Max, Max) => Ordering::Equal,
            (Min, _) | (_, Max) => Ordering::Less,
            (Max, _) | (_, Min) => Ordering::Greater,
            (Incl(a) | Excl(a), Incl(b) | Excl(b)) => a.as_slice().cmp(b.as_slice()),
        };
        c == Ordering::Greater || (c == Ordering::Equal && (self.min.exclusive() || self.max.exclusive()))
    }
    #[inline]
    fn gte_min(&self, member: &[u8], _: f64) -> bool {
        let c = cmp_lex(member, &self.min);
        if self.min.exclusive() {
            c == Ordering::Greater
        } else {
            c != Ordering::Less
        }
    }
    #[inline]
    fn lte_max(&self, member: &[u8], _: f64) -> bool {
        let c = cmp_lex(member, &self.max);
        if self.max.exclusive() {
            c == Ordering::Less
        } else {
            c != Ordering::Greater
        }
    }
}

/// A score as a `listpack` gives it back: Redis stores scores there as text, and "-0"
/// is read back as the integer 0, so negative zero does not survive in that encoding.
#[inline]
fn lp_score(score: f64) -> f64 {
    if score == 0.0 {
        0.0
    } else {
        score
    }
}

#[inline]
fn entry_lt(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> bool {
    a_score < b_score || (a_score == b_score && a_member < b_member)
}

/// In-order (member, score) pairs of a range of ranks, from either end.
pub enum Iter<'a> {
    Small(std::slice::Iter<'a, Entry>),
    Big(skiplist::Iter<'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next().map(|e| (e.member.as_slice(), e.score)),
            Iter::Big(it) => it.next(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(it) => it.size_hint(),
            Iter::Big(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next_back().map(|e| (e.member.as_slice(), e.score)),
            Iter::Big(it) => it.next_back(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl Big {
    fn with_capacity(n: usize) -> Big {
        Big { dict: Dict::with_capacity(n), list: SkipList::with_capacity(n), member_heap: 0 }
    }

    /// Adds a member known to be absent.
    fn push_new(&mut self, member: SmallBytes, score: f64) {
        self.member_heap += 2 * member.heap_bytes();
        self.dict.insert_new(member.clone(), score);
        self.list.insert(score, member);
    }

    fn forget(&mut self, member: &[u8]) {
        self.dict.remove(member);
        self.member_heap -= 2 * heap_of(member);
    }
}

/// Heap bytes a `SmallBytes` of this content owns.
fn heap_of(member: &[u8]) -> usize {
    if member.len() > crate::keyspace::smallbytes::INLINE_CAP {
        member.len()
    } else {
        0
    }
}

impl ZSet {
    // ---- API other modules rely on (SORT, DEBUG DIGEST, persistence). Keep these
    // signatures when changing the representation.
    /// (member, score) in ascending (score, member) order.
    pub fn iter(&self) -> Box<dyn DoubleEndedIterator<Item = (&[u8], f64)> + '_> {
        Box::new(self.entries())
    }
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Small(v) => v.iter().find(|e| e.member.as_slice() == member).map(|e| e.score),
            ZSet::Big(b) => b.dict.get(member).copied(),
        }
    }
    /// Adds or updates a member (converting to `skiplist` past the configured limits);
    /// true if new.
    pub fn insert(&mut self, member: &[u8], score: f64, s: &Settings) -> bool {
        matches!(self.add(member, score, AddFlags::default(), s), Added::New(_))
    }
    pub fn new() -> ZSet {
        ZSet::default()
    }
    pub fn len(&self) -> usize {
        match self {
            ZSet::Small(v) => v.len(),
            ZSet::Big(b) => b.list.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn encoding_name(&self) -> &'static str {
        match self {
            ZSet::Small(_) => "listpack",
            ZSet::Big(_) => "skiplist",
        }
    }
    pub fn heap_bytes(&self) -> usize {
        match self {
            ZSet::Small(v) => v.capacity() * std::mem::size_of::<Entry>() + v.iter().map(|e| e.member.heap_bytes()).sum::<usize>(),
            ZSet::Big(b) => b.dict.overhead_bytes() + b.list.overhead_bytes() + b.member_heap,
        }
    }

    // ---- Everything the sorted-set commands need.

    /// Builds a set from entries already in (score, member) order without duplicates,
    /// encoded by its size as Redis encodes computed results (zsetConvertToListpackIfNeeded).
    pub fn from_sorted(entries: Vec<Entry>, s: &Settings) -> ZSet {
        let longest = entries.iter().map(|e| e.member.len()).max().unwrap_or(0);
        let big = entries.len() > s.zset_max_listpack_entries || longest > s.zset_max_listpack_value;
        ZSet::from_sorted_encoded(entries, big)
    }

    /// Like `from_sorted`, with the encoding chosen by the caller (RDB loading applies
    /// Redis's load-time rules, which differ by the stored encoding).
    pub fn from_sorted_encoded(entries: Vec<Entry>, big: bool) -> ZSet {
        if !big {
            let mut entries = entries;
            entries.iter_mut().for_each(|e| e.score = lp_score(e.score));
            return ZSet::Small(entries);
        }
        let mut b = Big::with_capacity(entries.len());
        for e in entries {
            b.push_new(e.member, e.score);
        }
        ZSet::Big(Box::new(b))
    }

    /// All members in order, unboxed.
    pub fn entries(&self) -> Iter<'_> {
        match self {
            ZSet::Small(v) => Iter::Small(v.iter()),
            ZSet::Big(b) => Iter::Big(b.list.iter()),
        }
    }

    /// Ranks `start..=end` (0-based, clamped to the set); empty when `start > end`.
    pub fn range(&self, start: usize, end: usize) -> Iter<'_> {
        let len = self.len();
        let end = end.min(len.saturating_sub(1));
        match self {
            ZSet::Small(v) => Iter::Small(if start <= end && start < len { v[start..=end].iter() } else { [].iter() }),
            ZSet::Big(b) => {
                if start <= end && start < len {
                    Iter::Big(b.list.range(start + 1, end + 1))
                } else {
                    Iter::Small([].iter())
                }
            }
        }
    }

    /// The member at a 0-based rank.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        match self {
            ZSet::Small(v) => v.get(rank).map(|e| (e.member.as_slice(), e.score)),
            ZSet::Big(b) => {
                let x = b.list.by_rank(rank + 1);
                (x != skiplist::NIL).then(|| b.list.entry(x))
            }
        }
    }

    /// 0-based ascending rank of a member.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match self {
            ZSet::Small(v) => v.iter().position(|e| e.member.as_slice() == member),
            ZSet::Big(b) => {
                let score = *b.dict.get(member)?;
                b.list.rank(score, member).map(|r| r - 1)
            }
        }
    }

    fn convert_to_big(&mut self) {
        if let ZSet::Small(v) = self {
            let mut b = Big::with_capacity(v.len() + 1);
            for e in std::mem::take(v) {
                b.push_new(e.member, e.score);
            }
            *self = ZSet::Big(Box::new(b));
        }
    }

    /// Redis's zsetAdd: adds, updates or increments one member under ZADD's options.
    pub fn add(&mut self, member: &[u8], score: f64, f: AddFlags, s: &Settings) -> Added {
        // Decide from the current score, if any.
        let cur = self.score(member);
        let new = match cur {
            Some(cur) => {
                if f.nx {
                    return Added::Nop;
                }
                let new = if f.incr { cur + score } else { score };
                if new.is_nan() {
                    return Added::NaN;
                }
                if (f.lt && new >= cur) || (f.gt && new <= cur) {
                    return Added::Nop;
                }
                if new == cur {
                    return Added::Same(new);
                }
                new
            }
            None => {
                if f.xx {
                    return Added::Nop;
                }
                score
            }
        };
        match cur {
            Some(cur) => match self {
                ZSet::Small(v) => {
                    if let Some(i) = v.iter().position(|e| e.member.as_slice() == member) {
                        small_move(v, i, new);
                    }
                }
                ZSet::Big(b) => {
                    if let Some(sc) = b.dict.get_mut(member) {
                        *sc = new;
                    }
                    b.list.update_score(cur, member, new);
                }
            },
            None => {
                let convert = matches!(self, ZSet::Small(v) if v.len() + 1 > s.zset_max_listpack_entries || member.len() > s.zset_max_listpack_value);
                if convert {
                    self.convert_to_big();
                }
                match self {
                    ZSet::Small(v) => {
                        let pos = v.partition_point(|e| entry_lt(e.score, &e.member, new, member));
                        v.insert(pos, Entry { member: SmallBytes::new(member), score: lp_score(new) });
                    }
                    ZSet::Big(b) => b.push_new(SmallBytes::new(member), new),
                }
            }
        }
        if cur.is_some() {
            Added::Updated(new)
        } else {
            Added::New(new)
        }
    }

    /// Removes a member; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            ZSet::Small(v) => match v.iter().position(|e| e.member.as_slice() == member) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            ZSet::Big(b) => match b.dict.get(member).copied() {
                Some(score) => {
                    b.list.remove(score, member);
                    b.forget(member);
                    true
                }
                None => false,
            },
        }
    }

    /// Whether some member can be in `r` (Redis's zslIsInRange / zzlIsInRange): the range
    /// is not empty, the last member is not below min and the first is not above max.
    fn may_contain<R: Range>(&self, r: &R) -> bool {
        if r.is_empty() {
            return false;
        }
        let (Some((lm, ls)), Some((fm, fs))) = (self.entries().next_back(), self.entries().next()) else { return false };
        r.gte_min(lm, ls) && r.lte_max(fm, fs)
    }

    /// Rank of the first member in `r`, found as Redis finds it.
    pub fn first_in<R: Range>(&self, r: &R) -> Option<usize> {
        if !self.may_contain(r) {
            return None;
        }
        match self {
            ZSet::Small(v) => ZSet::small_first_in(v, r),
            ZSet::Big(b) => {
                let (x, rank) = b.list.first_not(|m, s| !r.gte_min(m, s));
                if x == skiplist::NIL {
                    return None;
                }
                let (m, s) = b.list.entry(x);
                r.lte_max(m, s).then_some(rank - 1)
            }
        }
    }

    /// Rank of the last member in `r`, found as Redis finds it.
    pub fn last_in<R: Range>(&self, r: &R) -> Option<usize> {
        if !self.may_contain(r) {
            return None;
        }
        match self {
            ZSet::Small(v) => {
                let i = v.iter().rposition(|e| r.lte_max(&e.member, e.score))?;
                r.gte_min(&v[i].member, v[i].score).then_some(i)
            }
            ZSet::Big(b) => {
                let (x, rank) = b.list.last_where(|m, s| r.lte_max(m, s));
                if x == skiplist::NIL {
                    return None;
                }
                let (m, s) = b.list.entry(x);
                r.gte_min(m, s).then_some(rank - 1)
            }
        }
    }

    /// ZCOUNT / ZLEXCOUNT: a walk from the first member in range for `listpack`, the
    /// difference of the first and last ranks for `skiplist`, as in Redis (which, for
    /// lex ranges over members of different scores, can even come out negative).
    pub fn count_in<R: Range>(&self, r: &R) -> i64 {
        let Some(first) = self.first_in(r) else { return 0 };
        match self {
            ZSet::Small(_) => self.range(first, usize::MAX).take_while(|(m, s)| r.lte_max(m, *s)).count() as i64,
            ZSet::Big(_) => {
                let len = self.len() as i64;
                let from_first = len - first as i64;
                match self.last_in(r) {
                    Some(last) => from_first - (len - 1 - last as i64),
                    None => from_first,
                }
            }
        }
    }

    /// Removes 0-based ranks `start..=end` (valid); returns how many.
    pub fn remove_ranks(&mut self, start: usize, end: usize) -> usize {
        match self {
            ZSet::Small(v) => {
                let end = end.min(v.len().saturating_sub(1));
                if start > end || start >= v.len() {
                    return 0;
                }
                v.drain(start..=end);
                end + 1 - start
            }
            ZSet::Big(b) => {
                let Big { dict, list, member_heap } = &mut **b;
                list.remove_ranks(start + 1, end + 1, |m, _| {
                    dict.remove(&m);
                    *member_heap -= 2 * m.heap_bytes();
                })
            }
        }
    }

    /// ZREMRANGEBYSCORE / ZREMRANGEBYLEX: removes the run of members in range that
    /// starts at the first one; returns how many.
    pub fn remove_in<R: Range>(&mut self, r: &R) -> usize {
        match self {
            ZSet::Small(v) => {
                let Some(first) = ZSet::small_first_in(v, r) else { return 0 };
                let n = v[first..].iter().take_while(|e| r.lte_max(&e.member, e.score)).count();
                v.drain(first..first + n);
                n
            }
            ZSet::Big(b) => {
                let Big { dict, list, member_heap } = &mut **b;
                list.remove_run(
                    |m, s| !r.gte_min(m, s),
                    |m, s| r.lte_max(m, s),
                    |m, _| {
                        dict.remove(&m);
                        *member_heap -= 2 * m.heap_bytes();
                    },
                )
            }
        }
    }

    fn small_first_in<R: Range>(v: &[Entry], r: &R) -> Option<usize> {
        if r.is_empty() {
            return None;
        }
        let (first, last) = (v.first()?, v.last()?);
        if !r.gte_min(&last.member, last.score) || !r.lte_max(&first.member, first.score) {
            return None;
        }
        let i = v.iter().position(|e| r.gte_min(&e.member, e.score))?;
        r.lte_max(&v[i].member, v[i].score).then_some(i)
    }

    /// Removes up to `count` members from the low end (or the high end if `max`), in
    /// the order they are popped.
    pub fn pop(&mut self, count: usize, max: bool) -> Vec<Entry> {
        let len = self.len();
        let n = count.min(len);
        if n == 0 {
            return Vec::new();
        }
        let (start, end) = if max { (len - n, len - 1) } else { (0, n - 1) };
        let mut out: Vec<Entry> = match self {
            ZSet::Small(v) => v.drain(start..=end).collect(),
            ZSet::Big(b) => {
                let mut out = Vec::with_capacity(n);
                let Big { dict, list, member_heap } = &mut **b;
                list.remove_ranks(start + 1, end + 1, |m, score| {
                    dict.remove(&m);
                    *member_heap -= 2 * m.heap_bytes();
                    out.push(Entry { member: m, score });
                });
                out
            }
        };
        if max {
            out.reverse();
        }
        out
    }

    /// One step of ZSCAN: `listpack` returns everything at once (cursor 0); `skiplist`
    /// visits the dict bucket the cursor names and returns the next cursor.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            ZSet::Small(v) => {
                for e in v {
                    f(&e.member, e.score);
                }
                0
            }
            ZSet::Big(b) => b.dict.scan(cursor, |k, v| f(k, *v)),
        }
    }
}

/// Moves entry `i` of a sorted `listpack` vector to where `new` belongs.
fn small_move(v: &mut Vec<Entry>, i: usize, new: f64) {
    let new = lp_score(new);
    let stays = {
        let m = v[i].member.as_slice();
        let after_prev = i == 0 || entry_lt(v[i - 1].score, &v[i - 1].member, new, m);
        let before_next = i + 1 >= v.len() || entry_lt(new, m, v[i + 1].score, &v[i + 1].member);
        after_prev && before_next
    };
    if stays {
        v[i].score = new;
        return;
    }
    let mut e = v.remove(i);
    e.score = new;
    let pos = v.partition_point(|x| entry_lt(x.score, &x.member, new, &e.member));
    v.insert(pos, e);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn settings(entries: usize, value: usize) -> Settings {
        let mut s = Settings::from_store(&crate::config::Store::new());
        s.zset_max_listpack_entries = entries;
        s.zset_max_listpack_value = value;
        s
    }

    fn members(z: &ZSet) -> Vec<(Vec<u8>, f64)> {
        z.entries().map(|(m, s)| (m.to_vec(), s)).collect()
    }

    #[test]
    fn converts_to_skiplist_past_either_limit_and_never_back() {
        let s = settings(3, 5);
        let mut z = ZSet::new();
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            assert!(z.insert(m.as_bytes(), i as f64, &s));
        }
        assert_eq!(z.encoding_name(), "listpack");
        // Updating an existing member never converts.
        assert!(!z.insert(b"a", 10.0, &s));
        assert_eq!(z.encoding_name(), "listpack");
        assert!(z.insert(b"d", 0.5, &s));
        assert_eq!(z.encoding_name(), "skiplist");
        z.pop(4, false);
        assert_eq!(z.encoding_name(), "skiplist");
        let mut z = ZSet::new();
        z.insert(b"toolong", 1.0, &s);
        assert_eq!(z.encoding_name(), "skiplist");
        let z = ZSet::from_sorted(vec![Entry { member: "a".into(), score: 1.0 }], &s);
        assert_eq!(z.encoding_name(), "listpack");
    }

    #[test]
    fn add_follows_zadd_options() {
        let s = settings(128, 64);
        for enc in [128, 0] {
            let s2 = settings(enc, 64);
            let mut z = ZSet::new();
            let f = AddFlags::default();
            assert_eq!(z.add(b"a", 1.0, f, &s2), Added::New(1.0));
            assert_eq!(z.add(b"a", 1.0, f, &s2), Added::Same(1.0));
            assert_eq!(z.add(b"a", 2.0, AddFlags { nx: true, ..f }, &s2), Added::Nop);
            assert_eq!(z.add(b"b", 2.0, AddFlags { xx: true, ..f }, &s2), Added::Nop);
            assert_eq!(z.add(b"a", 0.5, AddFlags { gt: true, ..f }, &s2), Added::Nop);
            assert_eq!(z.add(b"a", 3.0, AddFlags { gt: true, ..f }, &s2), Added::Updated(3.0));
            assert_eq!(z.add(b"a", 1.0, AddFlags { incr: true, lt: true, ..f }, &s2), Added::Nop);
            assert_eq!(z.add(b"a", -1.0, AddFlags { incr: true, lt: true, ..f }, &s2), Added::Updated(2.0));
            assert_eq!(z.add(b"a", f64::INFINITY, f, &s2), Added::Updated(f64::INFINITY));
            assert_eq!(z.add(b"a", f64::NEG_INFINITY, AddFlags { incr: true, ..f }, &s2), Added::NaN);
            assert_eq!(z.score(b"a"), Some(f64::INFINITY));
        }
        let _ = s;
    }

    #[test]
    fn ranges_find_the_same_members_in_both_encodings() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let small = settings(10_000, 64);
        let big = settings(0, 64);
        for _ in 0..50 {
            let mut a = ZSet::new();
            let mut b = ZSet::new();
            for _ in 0..rng.gen_range(0..200) {
                let m = format!("{}", rng.gen_range(0..300));
                let sc = rng.gen_range(0..20) as f64;
                a.insert(m.as_bytes(), sc, &small);
                b.insert(m.as_bytes(), sc, &big);
            }
            assert_eq!(a.encoding_name(), "listpack");
            assert!(b.is_empty() || b.encoding_name() == "skiplist");
            assert_eq!(members(&a), members(&b));
            let lo = rng.gen_range(-2..22) as f64;
            let r = ScoreRange { min: lo, max: lo + rng.gen_range(-1..5) as f64, minex: rng.gen(), maxex: rng.gen() };
            assert_eq!(a.first_in(&r), b.first_in(&r));
            assert_eq!(a.last_in(&r), b.last_in(&r));
            assert_eq!(a.count_in(&r), b.count_in(&r));
            let expect = members(&a).iter().filter(|(_, s)| r.gte_min(b"", *s) && r.lte_max(b"", *s)).count() as i64;
            assert_eq!(a.count_in(&r), expect);
            if let Some((m, _)) = a.get(rng.gen_range(0..a.len().max(1))) {
                let m = m.to_vec();
                assert_eq!(a.rank(&m), b.rank(&m));
            }
            let (mut a2, mut b2) = (a.clone(), b.clone());
            assert_eq!(a2.remove_in(&r), b2.remove_in(&r));
            assert_eq!(members(&a2), members(&b2));
            assert_eq!(a2.pop(3, true).len(), b2.pop(3, true).len());
            assert_eq!(a2.remove_ranks(1, 4), b2.remove_ranks(1, 4));
            assert_eq!(members(&a2), members(&b2));
            assert_eq!(a2.len(), b2.len());
        }
    }

    #[test]
    fn negative_zero_survives_only_in_skiplist_sets() {
        let mut small = ZSet::new();
        assert_eq!(small.add(b"n", -0.0, AddFlags::default(), &settings(128, 64)), Added::New(-0.0));
        assert!(small.score(b"n").unwrap().is_sign_positive());
        let mut big = ZSet::new();
        big.insert(b"n", -0.0, &settings(0, 64));
        assert!(big.score(b"n").unwrap().is_sign_negative());
        let z = ZSet::from_sorted(vec![Entry { member: "n".into(), score: -0.0 }], &settings(128, 64));
        assert!(z.score(b"n").unwrap().is_sign_positive());
    }

    #[test]
    fn lex_ranges_follow_redis_bounds() {
        let s = settings(128, 64);
        let mut z = ZSet::new();
        for m in ["a", "b", "c", "d"] {
            z.insert(m.as_bytes(), 0.0, &s);
        }
        let r = |min: LexBound, max: LexBound| LexRange { min, max };
        use LexBound::*;
        assert_eq!(z.count_in(&r(Min, Max)), 4);
        assert_eq!(z.count_in(&r(Incl(b"b".to_vec()), Excl(b"d".to_vec()))), 2);
        assert_eq!(z.count_in(&r(Excl(b"b".to_vec()), Max)), 2);
        assert!(r(Min, Min).is_empty());
        assert!(r(Max, Min).is_empty());
        assert!(r(Incl(b"a".to_vec()), Excl(b"a".to_vec())).is_empty());
        assert!(!r(Incl(b"a".to_vec()), Incl(b"a".to_vec())).is_empty());
        assert_eq!(z.first_in(&r(Incl(b"bb".to_vec()), Max)), Some(2));
        assert_eq!(z.last_in(&r(Min, Excl(b"c".to_vec()))), Some(1));
    }

    #[test]
    fn pop_and_scan_cover_every_member() {
        let s = settings(0, 64);
        let mut z = ZSet::new();
        for i in 0..1000 {
            z.insert(format!("m{i}").as_bytes(), i as f64, &s);
        }
        let mut seen = std::collections::HashSet::new();
        let mut c = 0;
        loop {
            c = z.scan(c, |m, _| {
                seen.insert(m.to_vec());
            });
            if c == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
        let top = z.pop(2, true);
        assert_eq!(top.iter().map(|e| e.score).collect::<Vec<_>>(), vec![999.0, 998.0]);
        let low = z.pop(2, false);
        assert_eq!(low.iter().map(|e| e.score).collect::<Vec<_>>(), vec![0.0, 1.0]);
        assert_eq!(z.len(), 996);
        assert_eq!(z.score(b"m0"), None);
        assert_eq!(z.rank(b"m2"), Some(0));
        assert!(z.heap_bytes() > 0);
    }
}
