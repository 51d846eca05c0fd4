//! Redis dict.c `dictGetSomeKeys` and `dictGetFairRandomKey`: entries
//! sampled from a random run of buckets, with reservoir sampling over each
//! whole chain, so that the end of a long chain can be picked too.

use super::{chain_len, Dict, DictKey, Entry};

/// Samples taken by `fair_random` (GETFAIR_NUM_ENTRIES).
const FAIR_SAMPLES: usize = 15;

impl<K: DictKey, V> Dict<K, V> {
    /// Up to `count` entries sampled from random places (`dictGetSomeKeys`):
    /// fast, not uniform, no repeats, may return fewer than asked.
    pub fn sample(&mut self, count: usize) -> Vec<&Entry<K, V>> {
        let (buckets, total) = self.sample_buckets(count);
        let picks = self.reservoir(total, count);
        let mut all = Vec::with_capacity(total);
        for &(t, b) in &buckets {
            let mut cur = self.ht[t].buckets[b].as_deref();
            while let Some(e) = cur {
                all.push(e);
                cur = e.next.as_deref();
            }
        }
        picks.into_iter().map(|i| all[i]).collect()
    }

    /// Positions of up to `count` picks among `total` entries seen in
    /// order: the first `count`, then each later one replaces a random
    /// pick with probability count/(seen+1) (reservoir sampling, as Redis).
    pub(super) fn reservoir(&mut self, total: usize, count: usize) -> Vec<usize> {
        let mut picks: Vec<usize> = (0..total.min(count)).collect();
        for k in count..total {
            let r = (self.next_random() % (k as u64 + 1)) as usize;
            if r < count {
                picks[r] = k;
            }
        }
        picks
    }

    /// The buckets `sample` takes its entries from, and their entry count.
    fn sample_buckets(&mut self, count: usize) -> (Vec<(usize, usize)>, usize) {
        let count = count.min(self.len());
        let mut picked: Vec<(usize, usize)> = Vec::new();
        if count == 0 {
            return (picked, 0);
        }
        for _ in 0..count {
            if !self.is_rehashing() {
                break;
            }
            self.rehash_step();
        }
        let tables = self.tables_to_search();
        let mut maxsizemask = self.ht[0].mask();
        if tables > 1 && self.ht[1].mask() > maxsizemask {
            maxsizemask = self.ht[1].mask();
        }
        let mut i = self.next_random() as usize & maxsizemask;
        let mut empty_len = 0usize;
        let mut max_steps = count * 10;
        let rehash_idx = self.rehash_idx.unwrap_or(0);
        let mut total = 0usize;
        while total < count && max_steps > 0 {
            max_steps -= 1;
            for j in 0..tables {
                if tables == 2 && j == 0 && i < rehash_idx {
                    // Buckets below rehash_idx of table 0 are empty already.
                    if i >= self.ht[1].size() {
                        i = rehash_idx;
                    } else {
                        continue;
                    }
                }
                if i >= self.ht[j].size() {
                    continue;
                }
                let chain = &self.ht[j].buckets[i];
                if chain.is_none() {
                    empty_len += 1;
                    if empty_len >= 5 && empty_len > count {
                        i = self.next_random() as usize & maxsizemask;
                        empty_len = 0;
                    }
                } else {
                    empty_len = 0;
                    picked.push((j, i));
                    // The whole chain is sampled, however long.
                    total += chain_len(chain);
                    if total >= count {
                        return (picked, total);
                    }
                }
            }
            i = (i + 1) & maxsizemask;
        }
        (picked, total)
    }

    /// A random entry with a fairer distribution than `random_entry`
    /// (`dictGetFairRandomKey`): a random pick among a sample.
    pub fn fair_random(&mut self) -> Option<&Entry<K, V>> {
        let r = self.next_random() as usize;
        let (buckets, total) = self.sample_buckets(FAIR_SAMPLES);
        if buckets.is_empty() {
            return self.random_entry();
        }
        let picks = self.reservoir(total, FAIR_SAMPLES);
        let pick = picks[r % picks.len()];
        let mut seen = 0;
        for &(t, b) in &buckets {
            let mut cur = self.ht[t].buckets[b].as_deref();
            while let Some(e) = cur {
                if seen == pick {
                    return Some(e);
                }
                seen += 1;
                cur = e.next.as_deref();
            }
        }
        None
    }
}
