//! `Dict<V>`: a chained hash table keyed by byte strings, with Redis's `dict` semantics
//! where clients can observe them:
//!
//! - SCAN-style cursors (reverse-binary bucket order): every element present for the
//!   whole iteration is returned at least once even if the table grows or shrinks
//!   between calls;
//! - random elements (RANDOMKEY, SRANDMEMBER, eviction and active-expiry sampling);
//! - power-of-two tables that grow at load factor 1 and shrink below 1/10 full.
//!
//! Why not a std/hashbrown map: open addressing moves elements away from their home
//! bucket, which breaks the SCAN guarantee, and offers no random access.
//!
//! Resizing is done at once rather than incrementally: the keyspace is split into one
//! table per hash slot (DESIGN.md), so a table rarely holds more than a few thousand
//! entries. Collections inside values (big hashes and sets) use the same type.
use super::smallbytes::SmallBytes;

/// Smallest non-empty table (Redis's DICT_HT_INITIAL_SIZE).
const MIN_BUCKETS: usize = 4;
/// Shrink when fewer than this percentage of buckets would be used (HASHTABLE_MIN_FILL).
const MIN_FILL_PERCENT: usize = 10;
/// Buckets per entry of `group_max`: one cache line of bucket pointers, so that a
/// group's bound says much about the few chains it covers (see `random`).
const GROUP: usize = 8;
/// Tables up to this many buckets keep no `group_max`: they sit in the CPU cache, where
/// the tries it saves cost little, and they are the many small per-slot tables and
/// values whose rehashes it would slow down.
const FLAT_MAX_BUCKETS: usize = 64;

type Link<V> = Option<Box<Node<V>>>;

pub struct Node<V> {
    next: Link<V>,
    pub key: SmallBytes,
    pub val: V,
}

pub struct Dict<V> {
    buckets: Vec<Link<V>>,
    len: usize,
    /// Bounds of chain lengths, what `random` needs to be uniform: `max_chain` for the
    /// whole table and, above `FLAT_MAX_BUCKETS`, `group_max[g]` for buckets
    /// `g * GROUP ..`. Exact after a rehash, raised by inserts, left as they are by
    /// removals (an upper bound is enough).
    max_chain: usize,
    group_max: Vec<u16>,
}

/// The keyed hash of `util::hash` (random seed per process, as Redis's siphash seed).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    crate::util::hash::hash_bytes(b)
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict::new()
    }
}

impl<V> Dict<V> {
    pub const fn new() -> Self {
        Dict { buckets: Vec::new(), len: 0, max_chain: 0, group_max: Vec::new() }
    }

    pub fn with_capacity(n: usize) -> Self {
        let mut d = Dict::new();
        if n > 0 {
            d.rehash(n.next_power_of_two().max(MIN_BUCKETS));
        }
        d
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of buckets (for DEBUG HTSTATS-like reports and memory estimates).
    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }

    #[inline]
    fn index(&self, key: &[u8]) -> usize {
        (hash_bytes(key) as usize) & (self.buckets.len() - 1)
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.get_node(key).map(|n| &n.val)
    }

    pub fn get_key_value(&self, key: &[u8]) -> Option<(&SmallBytes, &V)> {
        self.get_node(key).map(|n| (&n.key, &n.val))
    }

    /// Address of the bucket slot `hash` maps to (for `util::prefetch`), if any.
    pub fn bucket_addr(&self, hash: u64) -> Option<*const u8> {
        if self.len == 0 {
            return None;
        }
        Some(&self.buckets[(hash as usize) & (self.buckets.len() - 1)] as *const Link<V> as *const u8)
    }

    /// Address of the first node of `hash`'s chain (for `util::prefetch`), if any.
    pub fn chain_head_addr(&self, hash: u64) -> Option<*const u8> {
        if self.len == 0 {
            return None;
        }
        self.buckets[(hash as usize) & (self.buckets.len() - 1)].as_deref().map(|n| n as *const Node<V> as *const u8)
    }

    fn get_node(&self, key: &[u8]) -> Option<&Node<V>> {
        self.get_node_hashed(hash_bytes(key), key)
    }

    fn get_node_hashed(&self, hash: u64, key: &[u8]) -> Option<&Node<V>> {
        if self.len == 0 {
            return None;
        }
        let mut cur = self.buckets[(hash as usize) & (self.buckets.len() - 1)].as_deref();
        while let Some(n) = cur {
            if n.key.as_slice() == key {
                return Some(n);
            }
            cur = n.next.as_deref();
        }
        None
    }

    /// `get` with the key's `hash_bytes` computed by the caller (saves rehashing when
    /// one lookup is followed by another for the same key).
    pub fn get_hashed(&self, hash: u64, key: &[u8]) -> Option<&V> {
        self.get_node_hashed(hash, key).map(|n| &n.val)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.get_mut_hashed(hash_bytes(key), key)
    }

    pub fn get_mut_hashed(&mut self, hash: u64, key: &[u8]) -> Option<&mut V> {
        if self.len == 0 {
            return None;
        }
        let i = (hash as usize) & (self.buckets.len() - 1);
        let mut cur = self.buckets[i].as_deref_mut();
        while let Some(n) = cur {
            if n.key.as_slice() == key {
                return Some(&mut n.val);
            }
            cur = n.next.as_deref_mut();
        }
        None
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get_node(key).is_some()
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: SmallBytes, val: V) -> Option<V> {
        if let Some(slot) = self.get_mut(&key) {
            return Some(std::mem::replace(slot, val));
        }
        self.insert_new(key, val);
        None
    }

    /// Inserts a key known to be absent.
    pub fn insert_new(&mut self, key: SmallBytes, val: V) {
        if self.len >= self.buckets.len() {
            self.rehash((self.len + 1).next_power_of_two().max(MIN_BUCKETS));
        }
        let i = self.index(&key);
        let next = self.buckets[i].take();
        let mut chain = 1;
        let mut cur = next.as_deref();
        while let Some(n) = cur {
            chain += 1;
            cur = n.next.as_deref();
        }
        self.max_chain = self.max_chain.max(chain);
        if let Some(g) = self.group_max.get_mut(i / GROUP) {
            *g = (*g).max(chain.min(u16::MAX as usize) as u16);
        }
        self.buckets[i] = Some(Box::new(Node { next, key, val }));
        self.len += 1;
    }

    /// The value for `key`, inserting `make()` first when absent.
    pub fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> V) -> &mut V {
        if !self.contains_key(key) {
            self.insert_new(SmallBytes::new(key), make());
        }
        self.get_mut(key).expect("just inserted")
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry(&mut self, key: &[u8]) -> Option<(SmallBytes, V)> {
        if self.len == 0 {
            return None;
        }
        let i = self.index(key);
        let mut link = &mut self.buckets[i];
        loop {
            match link {
                None => return None,
                Some(n) if n.key.as_slice() == key => {
                    let mut node = link.take().expect("matched Some");
                    *link = node.next.take();
                    self.len -= 1;
                    let Node { key, val, .. } = *node;
                    self.maybe_shrink();
                    return Some((key, val));
                }
                Some(n) => link = &mut n.next,
            }
        }
    }

    fn maybe_shrink(&mut self) {
        let size = self.buckets.len();
        if size > MIN_BUCKETS && self.len * 100 / size < MIN_FILL_PERCENT {
            self.rehash(self.len.next_power_of_two().max(MIN_BUCKETS));
        }
    }

    /// Shrinks the table to fit (after bulk deletions).
    pub fn shrink_to_fit(&mut self) {
        if self.len == 0 {
            self.buckets = Vec::new();
            self.max_chain = 0;
            self.group_max = Vec::new();
        } else {
            self.maybe_shrink();
        }
    }

    fn rehash(&mut self, size: usize) {
        debug_assert!(size.is_power_of_two());
        let old = std::mem::take(&mut self.buckets);
        self.buckets.resize_with(size, || None);
        let mask = size - 1;
        // Chain lengths, counted on the way so that the bounds are exact again (on the
        // stack for small tables: they rehash often and must stay cheap).
        let mut small = [0u32; FLAT_MAX_BUCKETS];
        let mut large = Vec::new();
        let chains: &mut [u32] = if size <= FLAT_MAX_BUCKETS {
            &mut small[..size]
        } else {
            large.resize(size, 0u32);
            &mut large
        };
        let mut max_chain = 0;
        for mut link in old {
            while let Some(mut node) = link {
                link = node.next.take();
                let i = (hash_bytes(&node.key) as usize) & mask;
                node.next = self.buckets[i].take();
                self.buckets[i] = Some(node);
                chains[i] += 1;
                max_chain = max_chain.max(chains[i] as usize);
            }
        }
        self.max_chain = max_chain;
        self.group_max.clear();
        if size > FLAT_MAX_BUCKETS {
            self.group_max.extend(chains.chunks(GROUP).map(|c| c.iter().copied().max().unwrap_or(0).min(u16::MAX as u32) as u16));
        } else {
            self.group_max.shrink_to_fit();
        }
    }

    pub fn clear(&mut self) {
        // Unlink iteratively: a long chain dropped recursively could overflow the stack.
        for link in self.buckets.iter_mut() {
            let mut cur = link.take();
            while let Some(mut n) = cur {
                cur = n.next.take();
            }
        }
        self.buckets = Vec::new();
        self.len = 0;
        self.max_chain = 0;
        self.group_max = Vec::new();
    }

    pub fn iter(&self) -> Iter<'_, V> {
        Iter { buckets: &self.buckets, bucket: 0, node: None }
    }

    /// Visits every entry mutably.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&SmallBytes, &mut V)) {
        for link in self.buckets.iter_mut() {
            let mut cur = link.as_deref_mut();
            while let Some(n) = cur {
                f(&n.key, &mut n.val);
                cur = n.next.as_deref_mut();
            }
        }
    }

    /// Removes every entry for which `keep` says false; returns how many were removed.
    pub fn retain(&mut self, mut keep: impl FnMut(&SmallBytes, &mut V) -> bool) -> usize {
        let mut removed = 0;
        for i in 0..self.buckets.len() {
            let mut link = &mut self.buckets[i];
            loop {
                let drop_it = match link {
                    None => break,
                    Some(n) => !keep(&n.key, &mut n.val),
                };
                if drop_it {
                    let mut node = link.take().expect("matched Some");
                    *link = node.next.take();
                    removed += 1;
                } else if let Some(n) = link {
                    link = &mut n.next;
                }
            }
        }
        self.len -= removed;
        if removed > 0 {
            self.shrink_to_fit();
        }
        removed
    }

    /// Redis's `dictScan`: visits every entry of the bucket(s) the cursor names and
    /// returns the next cursor (0 when done). Cursors are in reverse-binary order so that
    /// a resize between calls neither skips nor (much) repeats entries.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&SmallBytes, &V)) -> u64 {
        if self.len == 0 {
            return 0;
        }
        let mask = (self.buckets.len() - 1) as u64;
        let mut cur = self.buckets[(cursor & mask) as usize].as_deref();
        while let Some(n) = cur {
            f(&n.key, &n.val);
            cur = n.next.as_deref();
        }
        let mut v = cursor | !mask;
        v = v.reverse_bits();
        v = v.wrapping_add(1);
        v.reverse_bits()
    }

    /// A uniformly random entry.
    ///
    /// Picking a random bucket and then a random element of its chain favours elements
    /// of short chains (Redis's test suite measures the bias with a chi-square test).
    /// Instead, rejection sampling: a try picks a bucket and a position below
    /// `max_chain`, and succeeds if the chain is that long. Every element then has the
    /// same chance per try, 1 / (buckets × max_chain); the bound must hold for every
    /// chain, even those not visited.
    ///
    /// Big tables first pick a group of buckets and keep it with probability
    /// `group_max[g] / max_chain`, then pick a bucket of the group and a position below
    /// `group_max[g]`: the same chance per try for every element, but most tries end at
    /// one small counter instead of a bucket read (a cache miss), so a success costs
    /// about buckets × (mean group bound) / len bucket reads, a few at load factor ≤ 1.
    pub fn random<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Option<(&SmallBytes, &V)> {
        if self.len == 0 {
            return None;
        }
        let bound = self.max_chain.max(1) as u64;
        // `below(r, n)`: a number below n from the high 32 bits of r (multiply-shift;
        // its unevenness, n / 2^32, is far below what any test can see). One draw per
        // try: random numbers cost about as much as a bucket read.
        let below = |r: u64, n: u64| ((r >> 32) * n) >> 32;
        let chain_at = |i: usize, pick: u64| {
            let mut cur = self.buckets[i].as_deref();
            for _ in 0..pick {
                cur = cur.and_then(|n| n.next.as_deref());
            }
            cur.map(|n| (&n.key, &n.val))
        };
        if self.group_max.is_empty() {
            let mask = self.buckets.len() - 1;
            loop {
                let r = rng.next_u64();
                if let Some(found) = chain_at((r as usize) & mask, below(r, bound)) {
                    return Some(found);
                }
            }
        }
        // Group and bucket counts are powers of two.
        let group_mask = self.group_max.len() - 1;
        loop {
            let r = rng.next_u64();
            let g = (r as usize) & group_mask;
            let m = self.group_max[g] as u64;
            if below(r, bound) >= m {
                continue;
            }
            let r = rng.next_u64();
            if let Some(found) = chain_at(g * GROUP + ((r as usize) & (GROUP - 1)), below(r, m)) {
                return Some(found);
            }
        }
    }

    /// Up to `count` entries starting at a random bucket and walking forward (Redis's
    /// `dictGetSomeKeys`, used for eviction and expiry sampling): cheap, not uniform.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R, count: usize, mut f: impl FnMut(&SmallBytes, &V)) {
        if self.len == 0 || count == 0 {
            return;
        }
        let mask = self.buckets.len() - 1;
        let mut i = rng.gen::<usize>() & mask;
        let mut seen = 0;
        let mut empty_run = 0;
        for _ in 0..self.buckets.len() {
            let mut cur = self.buckets[i].as_deref();
            if cur.is_none() {
                empty_run += 1;
                if empty_run >= 5 && empty_run > count {
                    i = rng.gen::<usize>() & mask;
                    empty_run = 0;
                    continue;
                }
            } else {
                empty_run = 0;
            }
            while let Some(n) = cur {
                f(&n.key, &n.val);
                seen += 1;
                if seen >= count {
                    return;
                }
                cur = n.next.as_deref();
            }
            i = (i + 1) & mask;
        }
    }

    /// Approximate heap bytes of the table itself and its nodes (not what values own).
    pub fn overhead_bytes(&self) -> usize {
        self.buckets.len() * std::mem::size_of::<Link<V>>() + self.len * std::mem::size_of::<Node<V>>()
    }
}

impl<V> Drop for Dict<V> {
    fn drop(&mut self) {
        self.clear();
    }
}

impl<V: Clone> Clone for Dict<V> {
    fn clone(&self) -> Self {
        let mut d = Dict::with_capacity(self.len);
        for (k, v) in self.iter() {
            d.insert_new(k.clone(), v.clone());
        }
        d
    }
}

pub struct Iter<'a, V> {
    buckets: &'a [Link<V>],
    bucket: usize,
    node: Option<&'a Node<V>>,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a SmallBytes, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(n) = self.node {
                self.node = n.next.as_deref();
                return Some((&n.key, &n.val));
            }
            if self.bucket >= self.buckets.len() {
                return None;
            }
            self.node = self.buckets[self.bucket].as_deref();
            self.bucket += 1;
        }
    }
}

impl<V> std::fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dict(len={})", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    fn key(i: usize) -> SmallBytes {
        SmallBytes::new(format!("key:{i}").as_bytes())
    }

    #[test]
    fn insert_get_remove() {
        let mut d = Dict::new();
        for i in 0..1000 {
            assert!(d.insert(key(i), i).is_none());
        }
        assert_eq!(d.len(), 1000);
        assert_eq!(d.insert(key(5), 55), Some(5));
        assert_eq!(d.get(b"key:5"), Some(&55));
        for i in 0..1000 {
            assert!(d.remove(format!("key:{i}").as_bytes()).is_some());
        }
        assert!(d.is_empty());
        assert!(d.buckets() <= MIN_BUCKETS);
    }

    #[test]
    fn scan_returns_every_stable_element_across_resizes() {
        let mut d = Dict::new();
        for i in 0..500 {
            d.insert(key(i), ());
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = d.scan(cursor, |k, _| {
                seen.insert(k.clone());
            });
            step += 1;
            // Grow and shrink the table under the iteration with keys that come and go.
            if step == 10 {
                for i in 1000..3000 {
                    d.insert(key(i), ());
                }
            }
            if step == 40 {
                for i in 1000..3000 {
                    d.remove(format!("key:{i}").as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..500 {
            assert!(seen.contains(&key(i)), "missed key:{i}");
        }
    }

    #[test]
    fn random_and_sample_find_elements() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut d = Dict::new();
        assert!(d.random(&mut rng).is_none());
        for i in 0..100 {
            d.insert(key(i), i);
        }
        let mut hit = HashSet::new();
        for _ in 0..2000 {
            hit.insert(*d.random(&mut rng).unwrap().1);
        }
        assert!(hit.len() > 90);
        let mut n = 0;
        d.sample(&mut rng, 10, |_, _| n += 1);
        assert_eq!(n, 10);
    }

    #[test]
    fn random_is_uniform_enough_for_a_chi_square_test() {
        // 50 elements, 50,000 draws: with uniform picks the chi-square statistic has 49
        // degrees of freedom and stays far below 100; chain-length bias pushes it above.
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut d = Dict::new();
        for i in 0..50 {
            d.insert(key(i), i);
        }
        let mut hits = [0u32; 50];
        for _ in 0..50_000 {
            hits[*d.random(&mut rng).unwrap().1] += 1;
        }
        let expected = 1000.0;
        let chi: f64 = hits.iter().map(|&h| (h as f64 - expected).powi(2) / expected).sum();
        assert!(chi < 100.0, "chi-square {chi}");
    }

    /// A table of `total` keys in `buckets` buckets, eight of them chained in bucket 0
    /// (the values are 0..total).
    fn with_long_chain(buckets: usize, total: usize) -> Dict<usize> {
        let (mut chained, mut others) = (Vec::new(), Vec::new());
        for i in 0.. {
            if chained.len() == 8 && others.len() == total - 8 {
                break;
            }
            let k = key(i);
            if (hash_bytes(&k) as usize) & (buckets - 1) == 0 {
                if chained.len() < 8 {
                    chained.push(k);
                }
            } else if others.len() < total - 8 {
                others.push(k);
            }
        }
        let mut d = Dict::new();
        for (i, k) in chained.into_iter().chain(others).enumerate() {
            d.insert(k, i);
        }
        assert_eq!(d.buckets(), buckets);
        d
    }

    /// Chi-square statistic of `draws` random picks from a table whose values are
    /// 0..len.
    fn chi_square(d: &Dict<usize>, draws: usize) -> f64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut hits = vec![0u32; d.len()];
        for _ in 0..draws {
            hits[*d.random(&mut rng).unwrap().1] += 1;
        }
        let expected = draws as f64 / d.len() as f64;
        hits.iter().map(|&h| (h as f64 - expected).powi(2) / expected).sum()
    }

    #[test]
    fn random_is_uniform_with_a_long_chain() {
        // The members deep in a chain of eight must come out as often as the others, in
        // a small table (one bound for all) and in a big one (bounds per group).
        // 11 degrees of freedom: above 40 has a probability of about 1e-4.
        let chi = chi_square(&with_long_chain(16, 12), 24_000);
        assert!(chi < 40.0, "small table: chi-square {chi}");
        // 99 degrees of freedom: above 170 has a probability of about 1e-5.
        let chi = chi_square(&with_long_chain(128, 100), 100_000);
        assert!(chi < 170.0, "big table: chi-square {chi}");
    }

    #[test]
    fn retain_removes_and_counts() {
        let mut d = Dict::new();
        for i in 0..100 {
            d.insert(key(i), i);
        }
        assert_eq!(d.retain(|_, v| *v % 2 == 0), 50);
        assert_eq!(d.len(), 50);
        assert_eq!(d.iter().count(), 50);
    }
}
