//! Set values with Redis 7.0's two encodings:
//! - `intset`: sorted i64s, while every member is the canonical decimal form of an i64
//!   and there are at most set-max-intset-entries (capped at 2^30, as Redis caps it);
//! - `hashtable`: a `Dict` of members.
//!
//! Redis 7.0 has no listpack sets. A set never converts back to an intset by itself;
//! only a set rebuilt from scratch (SPOP's large-count path, the STORE commands) starts
//! again as an intset. This module owns the representation and the random/scan
//! primitives; it knows nothing of replies or keys.
use crate::config::Settings;
use crate::keyspace::dict::{self, Dict};
use crate::keyspace::smallbytes::SmallBytes;
use crate::util::num::{fmt_i64, parse_i64};
use rand::Rng;

/// Redis limits intsets to 2^30 entries whatever set-max-intset-entries says (the
/// intset's byte length must fit its 32-bit header arithmetic).
const INTSET_HARD_MAX: usize = 1 << 30;

#[derive(Clone)]
pub enum Set {
    Ints(Vec<i64>),
    Table(Dict<()>),
}

impl Default for Set {
    fn default() -> Self {
        Set::new()
    }
}

/// A member as stored: intsets hold integers, hashtables bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl Member<'_> {
    pub fn to_small(self) -> SmallBytes {
        match self {
            Member::Int(i) => SmallBytes::from_i64(i),
            Member::Bytes(b) => SmallBytes::new(b),
        }
    }

    /// Calls `f` with the member's bytes (integers formatted on the stack).
    pub fn with_bytes<T>(self, f: impl FnOnce(&[u8]) -> T) -> T {
        match self {
            Member::Int(i) => {
                let mut buf = [0u8; 20];
                f(fmt_i64(i, &mut buf))
            }
            Member::Bytes(b) => f(b),
        }
    }
}

/// Iterator over a set's members in its internal order (ascending for intsets).
pub enum Iter<'a> {
    Ints(std::slice::Iter<'a, i64>),
    Table(dict::Iter<'a, ()>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;
    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            Iter::Ints(it) => it.next().map(|&i| Member::Int(i)),
            Iter::Table(it) => it.next().map(|(k, _)| Member::Bytes(k.as_slice())),
        }
    }
}

impl Set {
    // ---- API other modules rely on (SORT, DEBUG DIGEST, persistence). Keep these
    // signatures when changing the representation.
    /// Calls `f` with every member (integers of an intset formatted in decimal).
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for m in self.iter() {
            m.with_bytes(&mut f);
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Ints(v) => parse_i64(m).is_some_and(|i| v.binary_search(&i).is_ok()),
            Set::Table(d) => d.contains_key(m),
        }
    }

    /// Adds a member (Redis's setTypeAdd): a non-integer member, or more than
    /// set-max-intset-entries integers, converts an intset to `hashtable`. True if new.
    pub fn insert(&mut self, m: &[u8], s: &Settings) -> bool {
        if let Set::Ints(v) = self {
            match parse_i64(m) {
                Some(i) => match v.binary_search(&i) {
                    Ok(_) => return false,
                    Err(pos) => {
                        v.insert(pos, i);
                        if v.len() > s.set_max_intset_entries.min(INTSET_HARD_MAX) {
                            self.convert();
                        }
                        return true;
                    }
                },
                None => self.convert(),
            }
        }
        match self {
            Set::Table(d) => {
                if d.contains_key(m) {
                    false
                } else {
                    d.insert_new(SmallBytes::new(m), ());
                    true
                }
            }
            Set::Ints(_) => unreachable!("converted above"),
        }
    }

    pub fn new() -> Set {
        Set::Ints(Vec::new())
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Ints(v) => v.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Set::Ints(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn heap_bytes(&self) -> usize {
        match self {
            Set::Ints(v) => v.capacity() * 8,
            Set::Table(d) => d.overhead_bytes() + d.iter().map(|(k, _)| k.heap_bytes()).sum::<usize>(),
        }
    }

    // ---- Operations of the set command family.

    pub fn iter(&self) -> Iter<'_> {
        match self {
            Set::Ints(v) => Iter::Ints(v.iter()),
            Set::Table(d) => Iter::Table(d.iter()),
        }
    }

    /// Membership of a member taken from another set (no formatting for int vs int).
    pub fn contains_member(&self, m: Member<'_>) -> bool {
        match (self, m) {
            (Set::Ints(v), Member::Int(i)) => v.binary_search(&i).is_ok(),
            (_, m) => m.with_bytes(|b| self.contains(b)),
        }
    }

    /// Removes a member; true if it was there.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Ints(v) => match parse_i64(m).map(|i| v.binary_search(&i)) {
                Some(Ok(pos)) => {
                    v.remove(pos);
                    true
                }
                _ => false,
            },
            Set::Table(d) => d.remove(m).is_some(),
        }
    }

    fn convert(&mut self) {
        if let Set::Ints(v) = self {
            let mut d = Dict::with_capacity(v.len());
            for &i in v.iter() {
                d.insert_new(SmallBytes::from_i64(i), ());
            }
            *self = Set::Table(d);
        }
    }

    /// One random member; None when empty.
    pub fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<Member<'_>> {
        match self {
            Set::Ints(v) if v.is_empty() => None,
            Set::Ints(v) => Some(Member::Int(v[rng.gen_range(0..v.len())])),
            Set::Table(d) => d.random(rng).map(|(k, _)| Member::Bytes(k.as_slice())),
        }
    }

    /// `count` distinct random members (at most len). Intsets answer in ascending order.
    pub fn random_distinct<R: Rng + ?Sized>(&self, rng: &mut R, count: usize) -> Vec<Member<'_>> {
        let count = count.min(self.len());
        match self {
            Set::Ints(v) => {
                let mut idx = rand::seq::index::sample(rng, v.len(), count).into_vec();
                idx.sort_unstable();
                idx.into_iter().map(|i| Member::Int(v[i])).collect()
            }
            Set::Table(d) => super::hash::distinct_from_dict(d, rng, count).into_iter().map(|(k, _)| Member::Bytes(k.as_slice())).collect(),
        }
    }

    /// Removes and returns one random member.
    pub fn pop<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<SmallBytes> {
        match self {
            Set::Ints(v) if v.is_empty() => None,
            Set::Ints(v) => {
                let i = v.remove(rng.gen_range(0..v.len()));
                Some(SmallBytes::from_i64(i))
            }
            Set::Table(d) => {
                let k = d.random(rng)?.0.clone();
                d.remove(&k);
                Some(k)
            }
        }
    }

    /// SPOP with a count smaller than the set: removes and returns `count` random
    /// members. When few would remain (remaining * 5 <= count, Redis's
    /// SPOP_MOVE_STRATEGY_MUL), the survivors are picked instead and the set is rebuilt
    /// from them, so it may become an intset again, exactly as in Redis.
    pub fn pop_many<R: Rng + ?Sized>(&mut self, rng: &mut R, count: usize, s: &Settings) -> Vec<SmallBytes> {
        // Popping one by one costs a random pick per element; picking the survivors
        // is cheaper once they are this many times fewer than the popped ones.
        const MOVE_STRATEGY_MUL: usize = 5;
        let size = self.len();
        if count >= size {
            // Redis answers this case with a union of the one set: a fresh set, so
            // integer members come out ascending even from a hashtable.
            let mut fresh = Set::new();
            for m in self.iter() {
                m.with_bytes(|b| fresh.insert(b, s));
            }
            *self = Set::new();
            return fresh.iter().map(Member::to_small).collect();
        }
        let remaining = size - count;
        if remaining.saturating_mul(MOVE_STRATEGY_MUL) > count {
            return (0..count).filter_map(|_| self.pop(rng)).collect();
        }
        let keep: Vec<SmallBytes> = self.random_distinct(rng, remaining).into_iter().map(Member::to_small).collect();
        let mut survivors = Set::new();
        for k in &keep {
            survivors.insert(k, s);
        }
        let old = std::mem::replace(self, survivors);
        old.iter().filter(|m| !self.contains_member(*m)).map(Member::to_small).collect()
    }

    /// Redis's SSCAN step: an intset returns everything at once (next cursor 0); a
    /// hashtable visits the buckets the cursor names and returns the next cursor.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Member<'_>)) -> u64 {
        match self {
            Set::Ints(v) => {
                for &i in v {
                    f(Member::Int(i));
                }
                0
            }
            Set::Table(d) => d.scan(cursor, |k, _| f(Member::Bytes(k))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn settings(max_ints: usize) -> Settings {
        let mut s = Settings::from_store(&crate::config::Store::new());
        s.set_max_intset_entries = max_ints;
        s
    }

    fn members(s: &Set) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        s.for_each(|m| v.push(m.to_vec()));
        v
    }

    #[test]
    fn integers_stay_sorted_in_an_intset() {
        let st = settings(512);
        let mut s = Set::new();
        for m in ["3", "-1", "10", "3"] {
            s.insert(m.as_bytes(), &st);
        }
        assert_eq!(s.encoding_name(), "intset");
        assert_eq!(members(&s), vec![b"-1".to_vec(), b"3".to_vec(), b"10".to_vec()]);
        assert!(s.contains(b"10"));
        assert!(!s.contains(b"010"));
        assert!(s.remove(b"3"));
        assert!(!s.remove(b"3"));
        assert!(!s.remove(b"x"));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn non_integers_and_the_entry_limit_convert_to_a_hashtable() {
        let st = settings(3);
        let mut s = Set::new();
        for m in ["1", "2", "3"] {
            s.insert(m.as_bytes(), &st);
        }
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.insert(b"4", &st));
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"4") && s.contains(b"1"));
        let mut t = Set::new();
        t.insert(b"01", &st);
        assert_eq!(t.encoding_name(), "hashtable");
        let mut z = Set::new();
        z.insert(b"1", &settings(0));
        assert_eq!(z.encoding_name(), "hashtable");
    }

    #[test]
    fn members_compare_across_encodings() {
        let st = settings(512);
        let mut ints = Set::new();
        ints.insert(b"7", &st);
        let mut table = Set::new();
        table.insert(b"7", &st);
        table.insert(b"x", &st);
        assert!(table.contains_member(Member::Int(7)));
        assert!(ints.contains_member(Member::Bytes(b"7")));
        assert!(!ints.contains_member(Member::Bytes(b"x")));
    }

    #[test]
    fn random_distinct_returns_distinct_members() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for (max, n) in [(512usize, 50usize), (4, 300)] {
            let st = settings(max);
            let mut s = Set::new();
            for i in 0..n {
                s.insert(i.to_string().as_bytes(), &st);
            }
            for count in [1, 5, n / 2, n - 1, n, n + 10] {
                let picks = s.random_distinct(&mut rng, count);
                assert_eq!(picks.len(), count.min(n));
                let uniq: std::collections::HashSet<_> = picks.iter().map(|m| m.to_small()).collect();
                assert_eq!(uniq.len(), picks.len());
                assert!(picks.iter().all(|m| s.contains_member(*m)));
            }
            assert!(s.random(&mut rng).is_some_and(|m| s.contains_member(m)));
        }
    }

    #[test]
    fn pop_many_removes_exactly_what_it_returns() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let st = settings(512);
        for count in [1, 3, 9, 10, 11, 15] {
            let mut s = Set::new();
            s.insert(b"x", &st);
            for i in 0..11 {
                s.insert(i.to_string().as_bytes(), &st);
            }
            let before = members(&s);
            let popped = s.pop_many(&mut rng, count, &st);
            assert_eq!(popped.len(), count.min(12));
            assert_eq!(s.len(), 12 - popped.len());
            for p in &popped {
                assert!(!s.contains(p) && before.contains(&p.to_vec()));
            }
            // Rebuilt survivors are an intset exactly when they are all integers.
            if (10..12).contains(&count) {
                let all_ints = members(&s).iter().all(|m| parse_i64(m).is_some());
                assert_eq!(s.encoding_name() == "intset", all_ints);
            }
        }
    }

    #[test]
    fn pop_takes_from_both_encodings_until_empty() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let st = settings(512);
        let mut s = Set::new();
        s.insert(b"1", &st);
        s.insert(b"a", &st);
        let mut got = vec![s.pop(&mut rng).unwrap(), s.pop(&mut rng).unwrap()];
        got.sort();
        assert_eq!(got, vec![SmallBytes::new(b"1"), SmallBytes::new(b"a")]);
        assert!(s.pop(&mut rng).is_none());
        let mut i = Set::new();
        i.insert(b"5", &st);
        assert_eq!(i.pop(&mut rng), Some(SmallBytes::new(b"5")));
    }
}
