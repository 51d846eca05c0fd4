//! The eviction pool (Redis evict.c `evictionPoolPopulate` and the pool walk
//! of `performEvictions`): the best candidates seen by sampling, kept sorted
//! by score (idle time, inverted LFU counter or inverted expire time), so
//! that each eviction picks the best of many samples across calls.

/// Candidates kept between evictions (EVPOOL_SIZE).
pub const EVPOOL_SIZE: usize = 16;

#[derive(Clone, Debug, Default)]
struct Slot {
    /// Higher is a better candidate.
    score: u64,
    db: usize,
    /// The key's bytes; the buffer is reused across insertions.
    key: Vec<u8>,
    used: bool,
}

/// The pool, ascending by score: the best candidate is the rightmost.
#[derive(Clone, Debug)]
pub struct Pool {
    slots: Vec<Slot>,
}

impl Default for Pool {
    fn default() -> Pool {
        Pool {
            slots: vec![Slot::default(); EVPOOL_SIZE],
        }
    }
}

impl Pool {
    /// Offers a sampled key. It goes in if there is room or if it beats the
    /// worst kept candidate, which then drops out.
    pub fn insert(&mut self, score: u64, db: usize, key: &[u8]) {
        let s = &mut self.slots;
        let last = EVPOOL_SIZE - 1;
        let mut k = 0;
        while k < EVPOOL_SIZE && s[k].used && s[k].score < score {
            k += 1;
        }
        if k == 0 && s[last].used {
            // Worse than everything kept, and no room.
            return;
        }
        if k < EVPOOL_SIZE && !s[k].used {
            // An empty slot at the right place.
        } else if !s[last].used {
            // Room on the right: shift k.. right (the empty last slot lands at k).
            s[k..].rotate_right(1);
        } else {
            // Full: drop the worst (leftmost) and shift the rest left.
            k -= 1;
            s[..=k].rotate_left(1);
        }
        let slot = &mut s[k];
        slot.score = score;
        slot.db = db;
        slot.key.clear();
        slot.key.extend_from_slice(key);
        slot.used = true;
    }

    /// Removes candidates from the best down and returns the first for which
    /// `exists` holds; the others were deleted since they were sampled.
    pub fn pop_best(
        &mut self,
        mut exists: impl FnMut(usize, &[u8]) -> bool,
    ) -> Option<(usize, Vec<u8>)> {
        for slot in self.slots.iter_mut().rev() {
            if !slot.used {
                continue;
            }
            slot.used = false;
            slot.score = 0;
            if exists(slot.db, &slot.key) {
                return Some((slot.db, slot.key.clone()));
            }
        }
        None
    }

    /// Number of candidates kept.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.used).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &Pool) -> Vec<(u64, Vec<u8>)> {
        p.slots
            .iter()
            .filter(|s| s.used)
            .map(|s| (s.score, s.key.clone()))
            .collect()
    }

    #[test]
    fn keeps_sorted_and_bounded() {
        let mut p = Pool::default();
        for i in [5u64, 1, 9, 3] {
            p.insert(i, 0, format!("k{i}").as_bytes());
        }
        let scores: Vec<u64> = keys(&p).iter().map(|k| k.0).collect();
        assert_eq!(scores, vec![1, 3, 5, 9]);
        for i in 10..30u64 {
            p.insert(i, 0, format!("k{i}").as_bytes());
        }
        assert_eq!(p.len(), EVPOOL_SIZE);
        let scores: Vec<u64> = keys(&p).iter().map(|k| k.0).collect();
        assert_eq!(scores, (14..30).collect::<Vec<u64>>());
        // Worse than the worst kept: ignored.
        p.insert(2, 0, b"low");
        assert_eq!(keys(&p)[0].0, 14);
    }

    #[test]
    fn pops_best_skipping_ghosts() {
        let mut p = Pool::default();
        p.insert(1, 0, b"a");
        p.insert(7, 1, b"b");
        p.insert(4, 2, b"c");
        let got = p.pop_best(|_, k| k != b"b");
        assert_eq!(got, Some((2, b"c".to_vec())));
        assert_eq!(p.len(), 1);
        assert_eq!(p.pop_best(|_, _| true), Some((0, b"a".to_vec())));
        assert!(p.is_empty());
        assert_eq!(p.pop_best(|_, _| true), None);
    }
}
