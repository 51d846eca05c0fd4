//! Redis dict.c: a chained hash table with two tables and incremental
//! rehashing, the reverse-binary SCAN cursor, fair random sampling and a
//! seeded SipHash for client-controlled keys.
//!
//! Entries are boxed nodes in singly linked bucket chains, as in Redis, so an
//! entry never moves in memory while it lives and a resize never stalls: each
//! operation moves one bucket from the old table to the new one, and the
//! server's cron moves more in time-boxed steps (`rehash_for`).

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use super::dict_resize as policy;
use super::siphash::siphash12;

/// Initial number of buckets of a non-empty table (DICT_HT_INITIAL_SIZE).
pub const INITIAL_SIZE: usize = 4;
/// Past this load factor a table grows even when growing crosses
/// maxmemory (HASHTABLE_MAX_LOAD_FACTOR).
const MAX_LOAD_FACTOR: f64 = 1.618;
/// A table whose fill is below this percentage may shrink (HASHTABLE_MIN_FILL).
const MIN_FILL_PERCENT: usize = 10;

/// Keys the dict can hash: anything that exposes its bytes.
pub trait DictKey {
    fn key_bytes(&self) -> &[u8];
}

impl DictKey for Vec<u8> {
    fn key_bytes(&self) -> &[u8] {
        self
    }
}

impl DictKey for Box<[u8]> {
    fn key_bytes(&self) -> &[u8] {
        self
    }
}

/// One key/value node of a bucket chain (Redis `dictEntry`).
///
/// `repr(C)` keeps the chain link and the key at the front: a chain walk
/// and a rehash read only those, and in a 48-byte entry the first 32
/// bytes cross a cache line in one of four positions (the default layout
/// put the link last, after the value, and crossed in two of four).
#[repr(C)]
pub struct Entry<K, V> {
    next: Option<Box<Entry<K, V>>>,
    key: K,
    pub val: V,
}

impl<K, V> Entry<K, V> {
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Mutable access to the key for data kept in it beside the bytes the
    /// dict hashes (LRU clocks, a hash field's value). The caller must not
    /// change those bytes.
    pub fn key_meta_mut(&mut self) -> &mut K {
        &mut self.key
    }

    /// The key and value, both mutable (same rule as `key_meta_mut`).
    pub fn parts_mut(&mut self) -> (&mut K, &mut V) {
        (&mut self.key, &mut self.val)
    }
}

type Chain<K, V> = Option<Box<Entry<K, V>>>;

struct Table<K, V> {
    buckets: Vec<Chain<K, V>>,
    used: usize,
}

impl<K, V> Table<K, V> {
    fn empty() -> Table<K, V> {
        Table {
            buckets: Vec::new(),
            used: 0,
        }
    }

    /// A table of `size` empty buckets, or None when the allocation fails.
    fn try_with_size(size: usize) -> Option<Table<K, V>> {
        let mut buckets = Vec::new();
        buckets.try_reserve_exact(size).ok()?;
        buckets.resize_with(size, || None);
        Some(Table { buckets, used: 0 })
    }

    fn size(&self) -> usize {
        self.buckets.len()
    }

    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }
}

/// A bucket array could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocError;

/// Statistics of one table, for DEBUG HTSTATS.
#[derive(Debug, Default, Clone)]
pub struct TableStats {
    pub size: usize,
    pub used: usize,
    pub non_empty: usize,
    pub max_chain: usize,
    /// Number of buckets by chain length (0..49, the last one collecting longer chains).
    pub chain_counts: Vec<usize>,
}

/// The hash table (Redis `dict`).
pub struct Dict<K, V> {
    ht: [Table<K, V>; 2],
    /// Next bucket of `ht[0]` to move while rehashing.
    rehash_idx: Option<usize>,
    /// While non-zero, no rehash step runs (safe iterators, scans in progress).
    pause_rehash: u32,
    /// False while growing would cross maxmemory (Redis `dictExpandAllowed`,
    /// set by the keyspace before an insert): growth then waits until the
    /// load factor passes MAX_LOAD_FACTOR.
    pub expand_allowed: bool,
    /// SipHash key, random per dict (Redis: per process).
    seed: [u64; 2],
    rng: u64,
}

impl<K: DictKey, V> Default for Dict<K, V> {
    fn default() -> Self {
        Dict::new()
    }
}

/// The power of two at or above `size`, at least INITIAL_SIZE (`_dictNextPower`).
fn next_power(size: usize) -> usize {
    if size >= (1usize << 62) {
        return 1usize << 62;
    }
    size.max(INITIAL_SIZE).next_power_of_two()
}

/// Reverses the bits of a cursor (`rev` in dict.c).
fn rev(v: u64) -> u64 {
    v.reverse_bits()
}

impl<K: DictKey, V> Dict<K, V> {
    pub fn new() -> Dict<K, V> {
        // The standard library's per-process random keys, drawn through
        // RandomState so that no global of our own is needed.
        let random = RandomState::new();
        let seed = [random.hash_one(0x5EEDu64), random.hash_one(0x5EED5EEDu64)];
        let rng = random.hash_one(0xD1C7u64) | 1;
        Dict {
            ht: [Table::empty(), Table::empty()],
            rehash_idx: None,
            pause_rehash: 0,
            expand_allowed: true,
            seed,
            rng,
        }
    }

    /// The seeded SipHash-1-2 of a key, as Redis's `dictGenHashFunction`.
    #[inline]
    pub fn hash(&self, key: &[u8]) -> u64 {
        siphash12(self.seed[0], self.seed[1], key)
    }

    /// Hints the cache to fetch the bucket `key` hashes to, for a caller
    /// that will add or look it up shortly (the RDB loader, while it
    /// parses the key's value).
    pub fn prefetch_bucket(&self, key: &[u8]) {
        let t = &self.ht[usize::from(self.is_rehashing())];
        if let Some(b) = t.buckets.get(self.hash(key) as usize & t.mask()) {
            crate::util::prefetch::prefetch(b as *const Option<Box<Entry<K, V>>>);
        }
    }

    /// A small xorshift generator for random sampling (no global state).
    pub fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total buckets of both tables (`dictSlots`).
    pub fn slots(&self) -> usize {
        self.ht[0].size() + self.ht[1].size()
    }

    /// The dict's own bytes: the struct plus its bucket arrays (Redis
    /// `sizeof(dict) + sizeof(dictEntry*) * dictSlots`, for MEMORY USAGE).
    pub fn table_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.slots() * std::mem::size_of::<Chain<K, V>>()
    }

    /// The size of one entry allocation (Redis `sizeof(dictEntry)`).
    pub fn entry_bytes() -> usize {
        crate::alloc::alloc_size(std::mem::size_of::<Entry<K, V>>())
    }

    /// MEMORY USAGE's estimate (Redis objectComputeSize): the tables plus the
    /// average of `elem` over the first `samples` entries times the length.
    pub fn sampled_bytes(&self, samples: usize, elem: impl Fn(&K, &V) -> usize) -> usize {
        let (mut sum, mut n) = (0usize, 0usize);
        for e in self.iter().take(samples) {
            sum += Self::entry_bytes() + elem(e.key(), &e.val);
            n += 1;
        }
        let avg = if n == 0 { 0.0 } else { sum as f64 / n as f64 };
        self.table_bytes() + (avg * self.len() as f64) as usize
    }

    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    /// Stops rehash steps until a matching `resume_rehashing` (safe iteration).
    pub fn pause_rehashing(&mut self) {
        self.pause_rehash += 1;
    }

    pub fn resume_rehashing(&mut self) {
        self.pause_rehash = self.pause_rehash.saturating_sub(1);
    }

    /// Bytes used by the bucket arrays and entry nodes (for memory estimates).
    pub fn overhead_bytes(&self) -> usize {
        self.slots() * std::mem::size_of::<Chain<K, V>>()
            + self.len() * std::mem::size_of::<Entry<K, V>>()
    }

    /// Grows or creates the table to hold `size` elements (`dictExpand`).
    /// Returns false when the request is invalid right now or cannot be allocated.
    pub fn expand(&mut self, size: usize) -> bool {
        self.try_expand(size).unwrap_or(false)
    }

    /// `dictTryExpand`: Err when the new table cannot be allocated, Ok(false)
    /// when no expansion is needed or allowed now.
    pub fn try_expand(&mut self, size: usize) -> Result<bool, AllocError> {
        if self.is_rehashing() || self.ht[0].used > size {
            return Ok(false);
        }
        let real = next_power(size);
        if real == self.ht[0].size() {
            return Ok(false);
        }
        let t = Table::try_with_size(real).ok_or(AllocError)?;
        if self.ht[0].size() == 0 {
            self.ht[0] = t;
        } else {
            self.ht[1] = t;
            self.rehash_idx = Some(0);
        }
        Ok(true)
    }

    /// True when the table is big and mostly empty (`htNeedsResize`).
    pub fn needs_shrink(&self) -> bool {
        let size = self.slots();
        size > INITIAL_SIZE && self.len() * 100 / size < MIN_FILL_PERCENT
    }

    /// Shrinks to the smallest power of two that holds every element (`dictResize`).
    pub fn shrink_to_fit(&mut self) -> bool {
        if !policy::may_shrink(policy::policy()) || self.is_rehashing() {
            return false;
        }
        self.expand(self.ht[0].used.max(INITIAL_SIZE))
    }

    /// Shrinks when `needs_shrink` says so; call after deletions.
    pub fn shrink_if_needed(&mut self) {
        if self.needs_shrink() {
            self.shrink_to_fit();
        }
    }

    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let (size, used) = (self.ht[0].size(), self.ht[0].used);
        if size == 0 {
            self.expand(INITIAL_SIZE);
        } else if used >= size
            && policy::may_grow(policy::policy(), used, size)
            && (self.expand_allowed || used as f64 / size as f64 > MAX_LOAD_FACTOR)
        {
            self.expand(used + 1);
        }
    }

    /// The bytes of the bucket array the next insert would allocate by
    /// growing the table, None when it would not grow (for `dictExpandAllowed`).
    #[inline]
    pub fn growth_bytes(&self) -> Option<usize> {
        let (size, used) = (self.ht[0].size(), self.ht[0].used);
        if self.is_rehashing() || size == 0 || used < size {
            return None;
        }
        Some(next_power(used + 1) * std::mem::size_of::<Chain<K, V>>())
    }

    /// Moves `n` buckets from the old table to the new one, visiting at most
    /// 10*n empty buckets. Returns true while there is more to move.
    pub fn rehash(&mut self, n: usize) -> bool {
        let Some(mut idx) = self.rehash_idx else {
            return false;
        };
        if !policy::may_rehash(policy::policy(), self.ht[0].size(), self.ht[1].size()) {
            return false;
        }
        let mut empty_visits = n * 10;
        let mut left = n;
        while left > 0 && self.ht[0].used != 0 {
            while self.ht[0].buckets[idx].is_none() {
                idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_idx = Some(idx);
                    return true;
                }
            }
            let mut chain = self.ht[0].buckets[idx].take();
            while let Some(mut e) = chain {
                chain = e.next.take();
                let h = self.hash(e.key.key_bytes()) as usize & self.ht[1].mask();
                e.next = self.ht[1].buckets[h].take();
                self.ht[1].buckets[h] = Some(e);
                self.ht[0].used -= 1;
                self.ht[1].used += 1;
            }
            idx += 1;
            left -= 1;
        }
        if self.ht[0].used == 0 {
            self.ht[0] = std::mem::replace(&mut self.ht[1], Table::empty());
            self.rehash_idx = None;
            return false;
        }
        self.rehash_idx = Some(idx);
        true
    }

    /// Rehashes in steps of 100 buckets until `expired()` says time is up
    /// (`dictRehashMilliseconds`). Returns the number of buckets moved.
    pub fn rehash_for(&mut self, mut expired: impl FnMut() -> bool) -> usize {
        if self.pause_rehash > 0 {
            return 0;
        }
        let mut moved = 0;
        while self.rehash(100) {
            moved += 100;
            if expired() {
                break;
            }
        }
        moved
    }

    /// One rehash step, done by every lookup and update (`_dictRehashStep`).
    fn rehash_step(&mut self) {
        if self.pause_rehash == 0 && self.is_rehashing() {
            self.rehash(1);
        }
    }

    fn tables_to_search(&self) -> usize {
        if self.is_rehashing() {
            2
        } else {
            1
        }
    }

    /// Finds an entry without moving anything.
    pub fn find(&self, key: &[u8]) -> Option<&Entry<K, V>> {
        if self.is_empty() {
            return None;
        }
        let h = self.hash(key) as usize;
        for t in 0..self.tables_to_search() {
            let table = &self.ht[t];
            let mut cur = table.buckets[h & table.mask()].as_deref();
            while let Some(e) = cur {
                if e.key.key_bytes() == key {
                    return Some(e);
                }
                cur = e.next.as_deref();
            }
        }
        None
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|e| &e.val)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// Finds an entry for update, doing a rehash step first (`dictFind`).
    pub fn find_mut(&mut self, key: &[u8]) -> Option<&mut Entry<K, V>> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key) as usize;
        let tables = self.tables_to_search();
        let (t0, t1) = self.ht.split_at_mut(1);
        for table in t0.iter_mut().chain(t1.iter_mut()).take(tables) {
            let mask = table.mask();
            let mut cur = table.buckets[h & mask].as_deref_mut();
            while let Some(e) = cur {
                if e.key.key_bytes() == key {
                    return Some(e);
                }
                cur = e.next.as_deref_mut();
            }
        }
        None
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.find_mut(key).map(|e| &mut e.val)
    }

    /// Adds a key that must not exist (`dictAdd`). Gives the pair back if it does.
    pub fn add(&mut self, key: K, val: V) -> Result<(), (K, V)> {
        if self.find_mut(key.key_bytes()).is_some() {
            return Err((key, val));
        }
        self.insert_new(key, val);
        Ok(())
    }

    /// Adds a key the caller knows is absent (after a failed lookup).
    pub fn insert_new(&mut self, key: K, val: V) {
        self.rehash_step();
        self.expand_if_needed();
        let t = if self.is_rehashing() { 1 } else { 0 };
        let h = self.hash(key.key_bytes()) as usize & self.ht[t].mask();
        let next = self.ht[t].buckets[h].take();
        self.ht[t].buckets[h] = Some(Box::new(Entry { next, key, val }));
        self.ht[t].used += 1;
    }

    /// Sets a key's value, returning the old one if the key existed (`dictReplace`).
    pub fn replace(&mut self, key: K, val: V) -> Option<V> {
        if let Some(e) = self.find_mut(key.key_bytes()) {
            return Some(std::mem::replace(&mut e.val, val));
        }
        self.insert_new(key, val);
        None
    }

    /// Removes a key, returning its pair (`dictUnlink`; dropping it is `dictDelete`).
    pub fn remove(&mut self, key: &[u8]) -> Option<(K, V)> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key) as usize;
        for t in 0..self.tables_to_search() {
            let mask = self.ht[t].mask();
            if let Some(e) = unlink_from(&mut self.ht[t].buckets[h & mask], key) {
                self.ht[t].used -= 1;
                let e = *e;
                return Some((e.key, e.val));
            }
        }
        None
    }

    /// Empties the dict, returning the old contents as a dict of its own so
    /// the caller may free it elsewhere (lazy free).
    pub fn take(&mut self) -> Dict<K, V> {
        std::mem::take(self)
    }

    /// Iterates every entry (rehashing cannot run while the borrow lives).
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            dict: self,
            table: 0,
            bucket: 0,
            cur: None,
        }
    }

    /// Visits the entries of the buckets at `cursor` and returns the next
    /// cursor (0 when done), with Redis's reverse-binary cursor (`dictScan`):
    /// every element present for the whole scan is visited at least once,
    /// across any number of resizes.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&Entry<K, V>)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if !self.is_rehashing() {
            let t = &self.ht[0];
            let m0 = t.mask() as u64;
            visit_chain(&t.buckets[(v & m0) as usize], &mut f);
            v |= !m0;
            v = rev(rev(v).wrapping_add(1));
            return v;
        }
        let (small, big) = if self.ht[0].size() <= self.ht[1].size() {
            (&self.ht[0], &self.ht[1])
        } else {
            (&self.ht[1], &self.ht[0])
        };
        let m0 = small.mask() as u64;
        let m1 = big.mask() as u64;
        visit_chain(&small.buckets[(v & m0) as usize], &mut f);
        loop {
            visit_chain(&big.buckets[(v & m1) as usize], &mut f);
            v |= !m1;
            v = rev(rev(v).wrapping_add(1));
            if v & (m0 ^ m1) == 0 {
                break;
            }
        }
        v
    }

    /// Number of buckets of table `t` (0 or 1; table 1 exists while rehashing).
    pub fn table_size(&self, t: usize) -> usize {
        self.ht[t].size()
    }

    /// Visits the chain of bucket `idx & mask` of table `t`, for the active
    /// expire cycle, which walks the expires table bucket by bucket.
    pub fn visit_bucket(&self, t: usize, idx: u64, mut f: impl FnMut(&Entry<K, V>)) {
        let table = &self.ht[t];
        if table.size() == 0 {
            return;
        }
        visit_chain(&table.buckets[idx as usize & table.mask()], &mut f);
    }

    /// A random entry; chains make it slightly unfair (`dictGetRandomKey`).
    pub fn random_entry(&mut self) -> Option<&Entry<K, V>> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let (t, idx) = self.random_nonempty_bucket();
        let len = chain_len(&self.ht[t].buckets[idx]);
        let pick = (self.next_random() % len as u64) as usize;
        let mut cur = self.ht[t].buckets[idx].as_deref();
        for _ in 0..pick {
            cur = cur.and_then(|e| e.next.as_deref());
        }
        cur
    }

    fn random_nonempty_bucket(&mut self) -> (usize, usize) {
        loop {
            if let Some(ri) = self.rehash_idx {
                let s0 = self.ht[0].size();
                let span = (s0 + self.ht[1].size() - ri) as u64;
                let h = ri + (self.next_random() % span) as usize;
                let (t, i) = if h >= s0 { (1, h - s0) } else { (0, h) };
                if self.ht[t].buckets[i].is_some() {
                    return (t, i);
                }
            } else {
                let i = self.next_random() as usize & self.ht[0].mask();
                if self.ht[0].buckets[i].is_some() {
                    return (0, i);
                }
            }
        }
    }

    /// Table statistics for DEBUG HTSTATS (`dictGetStats`).
    pub fn table_stats(&self) -> Vec<TableStats> {
        let mut out = Vec::new();
        for (t, table) in self.ht.iter().enumerate() {
            if t == 1 && !self.is_rehashing() {
                break;
            }
            let mut s = TableStats {
                size: table.size(),
                used: table.used,
                chain_counts: vec![0; 50],
                ..TableStats::default()
            };
            for b in &table.buckets {
                let len = chain_len(b);
                if len > 0 {
                    s.non_empty += 1;
                }
                s.max_chain = s.max_chain.max(len);
                s.chain_counts[len.min(49)] += 1;
            }
            out.push(s);
        }
        out
    }
}

fn chain_len<K, V>(chain: &Chain<K, V>) -> usize {
    let mut n = 0;
    let mut cur = chain.as_deref();
    while let Some(e) = cur {
        n += 1;
        cur = e.next.as_deref();
    }
    n
}

fn visit_chain<K, V>(chain: &Chain<K, V>, f: &mut impl FnMut(&Entry<K, V>)) {
    let mut cur = chain.as_deref();
    while let Some(e) = cur {
        f(e);
        cur = e.next.as_deref();
    }
}

/// Unlinks the entry for `key` from a chain.
fn unlink_from<K: DictKey, V>(slot: &mut Chain<K, V>, key: &[u8]) -> Option<Box<Entry<K, V>>> {
    let mut cur = slot;
    loop {
        match cur {
            None => return None,
            Some(e) if e.key.key_bytes() == key => {
                let mut e = cur.take()?;
                *cur = e.next.take();
                return Some(e);
            }
            Some(e) => cur = &mut e.next,
        }
    }
}

/// Buckets between prefetching an entry and visiting it when walking the
/// whole dict (iteration, drop).
const PREFETCH_AHEAD: usize = 16;

impl<K, V> Drop for Dict<K, V> {
    /// Drops chains iteratively so long chains cannot overflow the stack.
    fn drop(&mut self) {
        for t in self.ht.iter_mut() {
            for i in 0..t.buckets.len() {
                // As in Iter::next: the entry a few buckets ahead.
                if let Some(e) = t.buckets.get(i + PREFETCH_AHEAD).and_then(|b| b.as_deref()) {
                    crate::util::prefetch::prefetch(e as *const Entry<K, V>);
                }
                let mut chain = t.buckets[i].take();
                while let Some(mut e) = chain {
                    chain = e.next.take();
                }
            }
        }
    }
}

/// Borrowing iterator over both tables.
pub struct Iter<'a, K, V> {
    dict: &'a Dict<K, V>,
    table: usize,
    bucket: usize,
    cur: Option<&'a Entry<K, V>>,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = &'a Entry<K, V>;

    fn next(&mut self) -> Option<&'a Entry<K, V>> {
        loop {
            if let Some(e) = self.cur {
                self.cur = e.next.as_deref();
                return Some(e);
            }
            let t = self.dict.ht.get(self.table)?;
            if self.bucket >= t.size() {
                self.table += 1;
                self.bucket = 0;
                continue;
            }
            self.cur = t.buckets[self.bucket].as_deref();
            // Hint the entry a few buckets ahead: walking a big dict is
            // otherwise one dependent cache miss per entry.
            if let Some(e) = t
                .buckets
                .get(self.bucket + PREFETCH_AHEAD)
                .and_then(|b| b.as_deref())
            {
                crate::util::prefetch::prefetch(e as *const Entry<K, V>);
            }
            self.bucket += 1;
        }
    }
}

#[path = "dict_sample.rs"]
mod sample;

#[cfg(test)]
#[path = "dict_tests.rs"]
mod tests;
