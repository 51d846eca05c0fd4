//! Random picks from field/value listpacks (Redis listpack.c lpRandomPair,
//! lpRandomPairs, lpRandomPairsUnique), used by HRANDFIELD and ZRANDMEMBER.
//!
//! The caller supplies the randomness as a closure returning uniformly
//! distributed `u64`s, so the server decides the generator and tests can
//! seed it.

use super::{Listpack, LpValue};

/// A field/value pair borrowed from a listpack.
pub type Pair<'a> = (LpValue<'a>, LpValue<'a>);

/// A uniform double in [0, 1] from a random `u64` (Redis uses rand()/RAND_MAX).
fn unit(r: u64) -> f64 {
    (r >> 11) as f64 / ((1u64 << 53) - 1) as f64
}

impl Listpack {
    fn pair_at(&self, p: usize) -> Pair<'_> {
        let v = self.next(p).expect("listpack pair without value");
        (self.get(p), self.get(v))
    }

    /// lpRandomPair: one uniformly chosen pair. `None` when there is no
    /// complete pair.
    pub fn random_pair(&self, rand: &mut impl FnMut() -> u64) -> Option<Pair<'_>> {
        let pairs = (self.len() / 2) as u64;
        if pairs == 0 {
            return None;
        }
        let idx = (rand() % pairs) * 2;
        let p = self.seek(idx as i64)?;
        Some(self.pair_at(p))
    }

    /// lpRandomPairs: `count` pairs chosen independently (repeats allowed),
    /// returned in the order they were drawn. Walks the listpack once.
    pub fn random_pairs(&self, count: usize, rand: &mut impl FnMut() -> u64) -> Vec<Pair<'_>> {
        let pairs = (self.len() / 2) as u64;
        if pairs == 0 || count == 0 {
            return Vec::new();
        }
        // (pair index, draw order), sorted by index for the single walk.
        let mut picks: Vec<(u64, usize)> = (0..count).map(|i| (rand() % pairs, i)).collect();
        picks.sort_unstable();
        let mut out: Vec<Option<Pair<'_>>> = vec![None; count];
        let mut pick = 0;
        let mut idx = 0u64;
        let mut p = self.first();
        while let Some(k) = p {
            if pick >= count {
                break;
            }
            let pair = self.pair_at(k);
            while pick < count && picks[pick].0 == idx {
                out[picks[pick].1] = Some(pair);
                pick += 1;
            }
            idx += 1;
            p = self.next(k).and_then(|v| self.next(v));
        }
        out.into_iter().flatten().collect()
    }

    /// lpRandomPairsUnique: up to `count` distinct pairs in listpack order,
    /// each pair equally likely (selection sampling in one pass).
    pub fn random_pairs_unique(
        &self,
        count: usize,
        rand: &mut impl FnMut() -> u64,
    ) -> Vec<Pair<'_>> {
        let total = self.len() / 2;
        let count = count.min(total);
        let mut out = Vec::with_capacity(count);
        let mut index = 0usize;
        let mut p = self.first();
        while let Some(k) = p {
            if out.len() >= count {
                break;
            }
            let remaining = count - out.len();
            let threshold = remaining as f64 / (total - index) as f64;
            if unit(rand()) <= threshold {
                out.push(self.pair_at(k));
            }
            p = self.next(k).and_then(|v| self.next(v));
            index += 1;
        }
        out
    }
}
