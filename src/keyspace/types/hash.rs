//! Hash values with Redis 7.0's two encodings:
//! - `listpack`: a small vector of (field, value) pairs in insertion order, searched
//!   linearly (as Redis searches its listpack);
//! - `hashtable`: a `Dict` of field → value.
//!
//! A hash becomes a hashtable when a field or value longer than hash-max-listpack-value
//! is written (even over an existing field), or when it grows past
//! hash-max-listpack-entries; it never converts back, as in Redis. This module owns the
//! representation and the random/scan primitives; it knows nothing of replies or keys.
use crate::config::Settings;
use crate::keyspace::dict::Dict;
use crate::keyspace::smallbytes::SmallBytes;
use rand::Rng;

#[derive(Clone)]
pub enum Hash {
    Listpack(Vec<(SmallBytes, SmallBytes)>),
    Table(Dict<SmallBytes>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

impl Hash {
    // ---- API other modules rely on (SORT, DEBUG DIGEST, persistence). Keep these
    // signatures when changing the representation.
    /// (field, value) pairs in the hash's internal order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&[u8], &[u8])> + '_> {
        match self {
            Hash::Listpack(v) => Box::new(v.iter().map(|(f, x)| (f.as_slice(), x.as_slice()))),
            Hash::Table(d) => Box::new(d.iter().map(|(f, x)| (f.as_slice(), x.as_slice()))),
        }
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(v) => v.iter().find(|(f, _)| f.as_slice() == field).map(|(_, x)| x.as_slice()),
            Hash::Table(d) => d.get(field).map(|x| x.as_slice()),
        }
    }

    /// Sets a field (Redis's hashTypeSet): a field or value longer than
    /// hash-max-listpack-value converts to `hashtable` first, even when it only updates
    /// an existing field; growing past hash-max-listpack-entries converts after the
    /// insertion. Returns true if the field is new.
    pub fn insert(&mut self, field: &[u8], value: &[u8], s: &Settings) -> bool {
        if let Hash::Listpack(v) = self {
            let max = s.hash_max_listpack_value;
            if field.len() <= max && value.len() <= max {
                if let Some(e) = v.iter_mut().find(|(f, _)| f.as_slice() == field) {
                    e.1 = SmallBytes::new(value);
                    return false;
                }
                v.push((SmallBytes::new(field), SmallBytes::new(value)));
                if v.len() > s.hash_max_listpack_entries {
                    self.convert();
                }
                return true;
            }
            self.convert();
        }
        match self {
            Hash::Table(d) => match d.get_mut(field) {
                Some(x) => {
                    *x = SmallBytes::new(value);
                    false
                }
                None => {
                    d.insert_new(SmallBytes::new(field), SmallBytes::new(value));
                    true
                }
            },
            Hash::Listpack(_) => unreachable!("converted above"),
        }
    }

    pub fn new() -> Hash {
        Hash::Listpack(Vec::new())
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(v) => v.len(),
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn heap_bytes(&self) -> usize {
        match self {
            Hash::Listpack(v) => v.capacity() * std::mem::size_of::<(SmallBytes, SmallBytes)>() + v.iter().map(|(a, b)| a.heap_bytes() + b.heap_bytes()).sum::<usize>(),
            Hash::Table(d) => d.overhead_bytes() + d.iter().map(|(a, b)| a.heap_bytes() + b.heap_bytes()).sum::<usize>(),
        }
    }

    // ---- Operations of the hash command family.

    pub fn contains(&self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(v) => v.iter().any(|(f, _)| f.as_slice() == field),
            Hash::Table(d) => d.contains_key(field),
        }
    }

    /// Removes a field; true if it was there. Listpacks keep the order of the rest.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(v) => match v.iter().position(|(f, _)| f.as_slice() == field) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            Hash::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Converts a listpack to a hashtable (no-op for a hashtable).
    fn convert(&mut self) {
        if let Hash::Listpack(v) = self {
            let mut d = Dict::with_capacity(v.len());
            for (f, x) in v.drain(..) {
                d.insert_new(f, x);
            }
            *self = Hash::Table(d);
        }
    }

    /// One random (field, value) pair; None when empty.
    pub fn random_pair<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::Listpack(v) if v.is_empty() => None,
            Hash::Listpack(v) => {
                let (f, x) = &v[rng.gen_range(0..v.len())];
                Some((f.as_slice(), x.as_slice()))
            }
            Hash::Table(d) => d.random(rng).map(|(f, x)| (f.as_slice(), x.as_slice())),
        }
    }

    /// `count` distinct random pairs (`count` < len). Listpacks answer in their own
    /// order, as Redis does; hashtables in sampling order.
    pub fn random_distinct<R: Rng + ?Sized>(&self, rng: &mut R, count: usize) -> Vec<(&[u8], &[u8])> {
        let count = count.min(self.len());
        match self {
            Hash::Listpack(v) => {
                let mut idx = rand::seq::index::sample(rng, v.len(), count).into_vec();
                idx.sort_unstable();
                idx.into_iter().map(|i| (v[i].0.as_slice(), v[i].1.as_slice())).collect()
            }
            Hash::Table(d) => distinct_from_dict(d, rng, count).into_iter().map(|(f, x)| (f.as_slice(), x.as_slice())).collect(),
        }
    }

    /// Redis's HSCAN step: a listpack returns everything at once (next cursor 0); a
    /// hashtable visits the buckets the cursor names (`Dict::scan`) and returns the next
    /// cursor.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match self {
            Hash::Listpack(v) => {
                for (k, x) in v {
                    f(k, x);
                }
                0
            }
            Hash::Table(d) => d.scan(cursor, |k, x| f(k, x)),
        }
    }
}

/// `count` distinct random entries of a dict (count <= len). When most of the dict is
/// wanted, sampling indices of a full listing is cheaper than rejecting repeats;
/// otherwise draw random entries and drop repeats (Redis's CASE 3 / CASE 4 split).
pub(crate) fn distinct_from_dict<'a, V, R: Rng + ?Sized>(d: &'a Dict<V>, rng: &mut R, count: usize) -> Vec<(&'a SmallBytes, &'a V)> {
    // Above this share of the dict (count * 3 > len, Redis's threshold) a full listing
    // is cheaper than rejection sampling, whose repeats grow as the picks fill the dict.
    const LISTING_FACTOR: usize = 3;
    let len = d.len();
    let count = count.min(len);
    if count.saturating_mul(LISTING_FACTOR) > len {
        let all: Vec<(&SmallBytes, &V)> = d.iter().collect();
        return rand::seq::index::sample(rng, len, count).into_iter().map(|i| all[i]).collect();
    }
    let mut seen: std::collections::HashSet<*const SmallBytes> = std::collections::HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let Some((k, v)) = d.random(rng) else { break };
        if seen.insert(k as *const SmallBytes) {
            out.push((k, v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn settings(entries: usize, value: usize) -> Settings {
        let mut s = Settings::from_store(&crate::config::Store::new());
        s.hash_max_listpack_entries = entries;
        s.hash_max_listpack_value = value;
        s
    }

    #[test]
    fn listpack_keeps_insertion_order_and_updates_in_place() {
        let s = settings(8, 16);
        let mut h = Hash::new();
        assert!(h.insert(b"b", b"1", &s));
        assert!(h.insert(b"a", b"2", &s));
        assert!(!h.insert(b"b", b"3", &s));
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(&b"b"[..], &b"3"[..]), (&b"a"[..], &b"2"[..])]);
        assert_eq!(h.encoding_name(), "listpack");
        assert!(h.remove(b"b"));
        assert!(!h.remove(b"b"));
        assert_eq!(h.get(b"a"), Some(&b"2"[..]));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn growing_past_the_entry_limit_converts_for_good() {
        let s = settings(3, 16);
        let mut h = Hash::new();
        for f in [b"a", b"b", b"c"] {
            h.insert(f, b"v", &s);
        }
        assert_eq!(h.encoding_name(), "listpack");
        h.insert(b"d", b"v", &s);
        assert_eq!(h.encoding_name(), "hashtable");
        h.remove(b"d");
        h.remove(b"c");
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn a_long_value_converts_even_when_it_updates_an_existing_field() {
        let s = settings(128, 4);
        let mut h = Hash::new();
        h.insert(b"f", b"1", &s);
        assert!(!h.insert(b"f", b"12345", &s));
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.get(b"f"), Some(&b"12345"[..]));
        let mut g = Hash::new();
        g.insert(b"field", b"1", &s);
        assert_eq!(g.encoding_name(), "hashtable");
    }

    #[test]
    fn a_zero_entry_limit_makes_every_hash_a_hashtable() {
        let s = settings(0, 64);
        let mut h = Hash::new();
        h.insert(b"a", b"1", &s);
        assert_eq!(h.encoding_name(), "hashtable");
    }

    #[test]
    fn random_picks_are_members_and_distinct_when_asked() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for (entries, n) in [(512, 20), (4, 200)] {
            let s = settings(entries, 64);
            let mut h = Hash::new();
            for i in 0..n {
                h.insert(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), &s);
            }
            let (f, v) = h.random_pair(&mut rng).unwrap();
            assert_eq!(h.get(f), Some(v));
            for count in [1, n / 10, n / 2, n - 1, n] {
                let picks = h.random_distinct(&mut rng, count);
                assert_eq!(picks.len(), count);
                let uniq: std::collections::HashSet<_> = picks.iter().map(|p| p.0).collect();
                assert_eq!(uniq.len(), count);
                assert!(picks.iter().all(|(f, v)| h.get(f) == Some(*v)));
            }
        }
        assert!(Hash::new().random_pair(&mut rng).is_none());
    }

    #[test]
    fn scan_of_a_listpack_is_one_step_and_of_a_table_covers_everything() {
        let s = settings(4, 64);
        let mut h = Hash::new();
        h.insert(b"a", b"1", &s);
        let mut n = 0;
        assert_eq!(h.scan(12345, |_, _| n += 1), 0);
        assert_eq!(n, 1);
        for i in 0..100 {
            h.insert(format!("f{i}").as_bytes(), b"x", &s);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = h.scan(cursor, |f, _| {
                seen.insert(f.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 101);
    }
}
