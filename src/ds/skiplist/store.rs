//! The skiplist's node storage (the memory of Redis's zskiplistNode, whose
//! `level[]` array sits inside the node).
//!
//! One pool per level count. A node's hot part, its score, backward link
//! and the forward/span pair of every level, is one run of `u32` words, so
//! a search step touches one place in memory per node, as in Redis; the
//! element (read only on score ties) sits in a parallel array. A node of
//! level `l` costs `12 + 8 * l` bytes of words plus its element handle:
//! no per-node allocation rounded up to a size class, no pointer from the
//! node to its levels.
//!
//! Each pool is made of chunks of `CHUNK` nodes (the first grows like a
//! `Vec`, so a small skiplist stays small), so a large skiplist carries at
//! most one chunk of spare slots per pool instead of a doubled `Vec`.
//!
//! A node id packs the pool and the slot: level-1 nodes (three in four)
//! are `slot << 1 | 1` with 31 bits of slot; taller ones are
//! `slot << 6 | (level - 2) << 1` with 26 bits. `u32::MAX` (NIL) is never
//! a slot of the level-1 pool.

use super::{Level, MAX_LEVEL, NIL};

const CHUNK_BITS: u32 = 10;
const CHUNK: usize = 1 << CHUNK_BITS;
const MASK: u32 = (CHUNK - 1) as u32;
/// Words before the links: score (2) and backward link (1).
const HEAD_WORDS: usize = 3;
/// Slots per pool: the level-1 pool stops short of NIL's slot.
const MAX_SLOTS_1: u32 = (1 << 31) - 1;
const MAX_SLOTS_TALL: u32 = 1 << 26;

/// The pool (level - 1) and slot of node `id`.
#[inline]
fn split(id: u32) -> (usize, u32) {
    if id & 1 == 1 {
        (0, id >> 1)
    } else {
        ((((id >> 1) & 31) + 1) as usize, id >> 6)
    }
}

/// The node id of `slot` in pool `p`.
fn join(p: usize, slot: u32) -> u32 {
    if p == 0 {
        (slot << 1) | 1
    } else {
        (slot << 6) | ((p as u32 - 1) << 1)
    }
}

/// The number of levels of node `id`.
#[inline]
pub(super) fn level_of(id: u32) -> usize {
    split(id).0 + 1
}

/// The score in a node's words.
#[inline]
pub(super) fn score_in(w: &[u32]) -> f64 {
    f64::from_bits(u64::from(w[0]) | (u64::from(w[1]) << 32))
}

/// Link `i` in a node's words.
#[inline]
pub(super) fn link_in(w: &[u32], i: usize) -> Level {
    let at = HEAD_WORDS + 2 * i;
    Level {
        forward: w[at],
        span: w[at + 1],
    }
}

#[derive(Clone, Debug)]
struct Pool<E> {
    /// Chunks of `CHUNK * stride` words.
    words: Vec<Vec<u32>>,
    /// Chunks of `CHUNK` elements, parallel to `words`.
    eles: Vec<Vec<Option<E>>>,
    /// Freed slots.
    free: Vec<u32>,
    /// Slots ever handed out (the high-water mark).
    len: u32,
}

impl<E> Pool<E> {
    fn new() -> Pool<E> {
        Pool {
            words: Vec::new(),
            eles: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Store<E> {
    pools: [Pool<E>; MAX_LEVEL],
}

/// Words per node of pool `p` (level `p + 1`).
#[inline]
const fn stride(p: usize) -> usize {
    HEAD_WORDS + 2 * (p + 1)
}

impl<E> Store<E> {
    pub(super) fn new() -> Store<E> {
        Store {
            pools: std::array::from_fn(|_| Pool::new()),
        }
    }

    /// The words of node `id` (read them with `score_in` and `link_in`:
    /// hot loops fetch a node's words once and read every field from them).
    #[inline]
    pub(super) fn words(&self, id: u32) -> &[u32] {
        let (p, slot) = split(id);
        let s = stride(p);
        let at = (slot & MASK) as usize * s;
        &self.pools[p & 31].words[(slot >> CHUNK_BITS) as usize][at..at + s]
    }

    #[inline]
    fn words_mut(&mut self, id: u32) -> &mut [u32] {
        let (p, slot) = split(id);
        let s = stride(p);
        let at = (slot & MASK) as usize * s;
        &mut self.pools[p & 31].words[(slot >> CHUNK_BITS) as usize][at..at + s]
    }

    /// Where node `id`'s words start, for a prefetch (None for NIL or a
    /// slot past the end).
    #[inline]
    pub(super) fn addr(&self, id: u32) -> Option<*const u32> {
        let (p, slot) = split(id);
        let chunk = self.pools[p & 31]
            .words
            .get((slot >> CHUNK_BITS) as usize)?;
        Some(
            chunk
                .as_ptr()
                .wrapping_add((slot & MASK) as usize * stride(p)),
        )
    }

    #[inline]
    pub(super) fn score(&self, id: u32) -> f64 {
        score_in(self.words(id))
    }

    #[inline]
    pub(super) fn set_score(&mut self, id: u32, score: f64) {
        let bits = score.to_bits();
        let w = self.words_mut(id);
        w[0] = bits as u32;
        w[1] = (bits >> 32) as u32;
    }

    #[inline]
    pub(super) fn backward(&self, id: u32) -> u32 {
        self.words(id)[2]
    }

    #[inline]
    pub(super) fn set_backward(&mut self, id: u32, b: u32) {
        self.words_mut(id)[2] = b;
    }

    /// Link `i` of node `id` (`i` below its level count).
    #[inline]
    pub(super) fn link(&self, id: u32, i: usize) -> Level {
        link_in(self.words(id), i)
    }

    #[inline]
    pub(super) fn set_link(&mut self, id: u32, i: usize, l: Level) {
        let w = self.words_mut(id);
        let at = HEAD_WORDS + 2 * i;
        w[at] = l.forward;
        w[at + 1] = l.span;
    }

    /// Adds `delta` (wrapping) to the span of link `i` of node `id`.
    #[inline]
    pub(super) fn add_span(&mut self, id: u32, i: usize, delta: u32) {
        let w = self.words_mut(id);
        let at = HEAD_WORDS + 2 * i + 1;
        w[at] = w[at].wrapping_add(delta);
    }

    /// The element of node `id` (None for the header).
    #[inline]
    pub(super) fn ele(&self, id: u32) -> Option<&E> {
        let (p, slot) = split(id);
        self.pools[p & 31].eles[(slot >> CHUNK_BITS) as usize][(slot & MASK) as usize].as_ref()
    }

    /// True when a node of `level` levels can be allocated: a freed slot
    /// or room below the pool's id limit.
    pub(super) fn has_room(&self, level: usize) -> bool {
        let p = level - 1;
        let max = if p == 0 { MAX_SLOTS_1 } else { MAX_SLOTS_TALL };
        let pool = &self.pools[p];
        !pool.free.is_empty() || pool.len < max
    }

    /// A node of `level` levels, all links NIL with span 0.
    pub(super) fn alloc(&mut self, level: usize, score: f64, ele: Option<E>) -> u32 {
        debug_assert!((1..=MAX_LEVEL).contains(&level));
        let p = level - 1;
        let s = stride(p);
        let pool = &mut self.pools[p];
        let slot = match pool.free.pop() {
            Some(slot) => {
                let (c, at) = ((slot >> CHUNK_BITS) as usize, (slot & MASK) as usize);
                pool.eles[c][at] = ele;
                slot
            }
            None => {
                let slot = pool.len;
                let max = if p == 0 { MAX_SLOTS_1 } else { MAX_SLOTS_TALL };
                assert!(slot < max, "skiplist too large");
                let c = (slot >> CHUNK_BITS) as usize;
                if c == pool.words.len() {
                    // The first chunk grows like a Vec; later ones are
                    // allocated once at their full size.
                    let (w, e) = if c == 0 {
                        (Vec::new(), Vec::new())
                    } else {
                        (Vec::with_capacity(CHUNK * s), Vec::with_capacity(CHUNK))
                    };
                    pool.words.push(w);
                    pool.eles.push(e);
                }
                let words = &mut pool.words[c];
                words.resize(words.len() + s, 0);
                pool.eles[c].push(ele);
                pool.len += 1;
                slot
            }
        };
        let id = join(p, slot);
        let w = self.words_mut(id);
        w[HEAD_WORDS..].chunks_exact_mut(2).for_each(|l| {
            l[0] = NIL;
            l[1] = 0;
        });
        self.set_score(id, score);
        self.set_backward(id, NIL);
        id
    }

    /// Frees node `id`; returns its element.
    pub(super) fn free(&mut self, id: u32) -> Option<E> {
        let (p, slot) = split(id);
        let pool = &mut self.pools[p & 31];
        let ele = pool.eles[(slot >> CHUNK_BITS) as usize][(slot & MASK) as usize].take();
        pool.free.push(slot);
        ele
    }

    /// Drops every node but `keep` (the header), which must be the first
    /// slot of its pool.
    pub(super) fn reset_keeping(&mut self, keep: u32) {
        let (kp, kslot) = split(keep);
        debug_assert_eq!(kslot, 0);
        for (p, pool) in self.pools.iter_mut().enumerate() {
            pool.free.clear();
            if p == kp {
                pool.words.truncate(1);
                pool.eles.truncate(1);
                pool.words[0].truncate(stride(p));
                pool.eles[0].truncate(1);
                pool.len = 1;
            } else {
                *pool = Pool::new();
            }
        }
    }

    /// Bytes the pools hold from the allocator: every chunk at its
    /// capacity (a pool's first chunk grows like a `Vec`, so up to half of
    /// it may be spare), the chunk lists and the free lists.
    pub(super) fn alloc_bytes(&self) -> usize {
        use crate::alloc::alloc_size;
        use std::mem::size_of;
        let mut n = 0;
        for p in &self.pools {
            n += p
                .words
                .iter()
                .map(|c| alloc_size(c.capacity() * 4))
                .sum::<usize>();
            n += p
                .eles
                .iter()
                .map(|c| alloc_size(c.capacity() * size_of::<Option<E>>()))
                .sum::<usize>();
            n += alloc_size(p.words.capacity() * size_of::<Vec<u32>>());
            n += alloc_size(p.eles.capacity() * size_of::<Vec<Option<E>>>());
            n += alloc_size(p.free.capacity() * 4);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_full_tall_pool_has_no_room_until_a_slot_is_freed() {
        let mut st: super::Store<u8> = super::Store::new();
        assert!(st.has_room(2));
        let id = st.alloc(2, 1.0, Some(7));
        st.pools[1].len = super::MAX_SLOTS_TALL;
        assert!(!st.has_room(2));
        assert!(st.has_room(1) && st.has_room(3));
        st.free(id);
        assert!(st.has_room(2));
    }

    use super::*;

    #[test]
    fn ids_round_trip_and_never_hit_nil() {
        for p in 0..MAX_LEVEL {
            let max = if p == 0 { MAX_SLOTS_1 } else { MAX_SLOTS_TALL };
            for slot in [0, 1, 1023, 1024, 77_777, max - 1] {
                let id = join(p, slot);
                assert_ne!(id, NIL);
                assert_eq!(split(id), (p, slot));
                assert_eq!(level_of(id), p + 1);
            }
        }
    }

    #[test]
    fn nodes_keep_their_fields_across_chunks_and_reuse() {
        let mut st: Store<u32> = Store::new();
        let ids: Vec<u32> = (0..3000u32)
            .map(|i| st.alloc(1 + (i % 5) as usize, f64::from(i) * 0.5, Some(i)))
            .collect();
        for (i, &id) in ids.iter().enumerate() {
            st.set_backward(id, i as u32);
            for l in 0..level_of(id) {
                st.set_link(
                    id,
                    l,
                    Level {
                        forward: i as u32 + l as u32,
                        span: 7,
                    },
                );
            }
            st.add_span(id, 0, 1);
        }
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(st.score(id), i as f64 * 0.5);
            assert_eq!(st.backward(id), i as u32);
            assert_eq!(st.ele(id), Some(&(i as u32)));
            assert_eq!(st.link(id, 0).span, 8);
            let top = level_of(id) - 1;
            assert_eq!(st.link(id, top).forward, i as u32 + top as u32);
            assert!(st.addr(id).is_some());
        }
        assert_eq!(st.free(ids[10]), Some(10));
        let again = st.alloc(level_of(ids[10]), -1.0, Some(99));
        assert_eq!(again, ids[10]);
        assert_eq!(st.link(again, 0).forward, NIL);
        assert_eq!(st.backward(again), NIL);
        assert!(st.addr(NIL).is_none());
    }
}
