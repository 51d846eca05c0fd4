//! Storage for the levels above level 0 of skiplist nodes (the inline
//! `level[]` array of Redis's zskiplistNode).
//!
//! Three nodes in four have one level, kept inside the node itself, so they
//! need no storage here. The others get a chunk of `level - 1` links from the
//! pool for their level: one `Vec` per level count, so a chunk costs exactly
//! its links (no per-node allocation rounded up to a size class, no fat
//! pointer in the node). A node refers to its chunk by a packed `u32`: the
//! level minus one in the low 5 bits, the chunk's offset in its pool above
//! them (an offset rather than an index, so a lookup needs no multiply).

use super::{Level, MAX_LEVEL, NIL};

const LEVEL_BITS: u32 = 5;
const LEVEL_MASK: u32 = (1 << LEVEL_BITS) - 1;
/// Links a pool can hold: offsets must fit in the remaining 27 bits.
const MAX_OFFSET: usize = 1 << (32 - LEVEL_BITS);

const EMPTY: Level = Level {
    forward: NIL,
    span: 0,
};

/// The level count a packed handle encodes.
pub(super) fn level_of(handle: u32) -> usize {
    (handle & LEVEL_MASK) as usize + 1
}

#[derive(Clone, Debug)]
pub(super) struct Uppers {
    /// `pools[l - 1]` holds chunks of `l - 1` links for nodes of level `l`
    /// (`pools[0]` stays empty). A fixed array indexed by the handle's
    /// masked bits, so the pool lookup needs no bounds check.
    pools: [Vec<Level>; MAX_LEVEL],
    /// Offsets of freed chunks, per pool.
    free: [Vec<u32>; MAX_LEVEL],
}

impl Uppers {
    pub(super) fn new() -> Uppers {
        Uppers {
            pools: std::array::from_fn(|_| Vec::new()),
            free: std::array::from_fn(|_| Vec::new()),
        }
    }

    /// A handle to fresh links (all NIL) for a node of `level` levels.
    pub(super) fn alloc(&mut self, level: usize) -> u32 {
        debug_assert!((1..=MAX_LEVEL).contains(&level));
        if level == 1 {
            return 0;
        }
        let (p, n) = (level - 1, level - 1);
        let at = match self.free[p].pop() {
            Some(at) => {
                let a = at as usize;
                self.pools[p][a..a + n].fill(EMPTY);
                at
            }
            None => {
                let pool = &mut self.pools[p];
                let at = pool.len();
                assert!(at + n <= MAX_OFFSET, "skiplist too large");
                pool.resize(at + n, EMPTY);
                at as u32
            }
        };
        (at << LEVEL_BITS) | (level as u32 - 1)
    }

    /// Returns the links of `handle` to its pool.
    pub(super) fn release(&mut self, handle: u32) {
        let level = level_of(handle);
        if level > 1 {
            self.free[level - 1].push(handle >> LEVEL_BITS);
        }
    }

    /// Drops every chunk but `keep`'s (the header's), which must be the
    /// first chunk of its pool.
    pub(super) fn reset_keeping(&mut self, keep: u32) {
        let level = level_of(keep);
        debug_assert_eq!(keep >> LEVEL_BITS, 0);
        for (p, pool) in self.pools.iter_mut().enumerate() {
            pool.truncate(if p + 1 == level { level - 1 } else { 0 });
        }
        self.free.iter_mut().for_each(Vec::clear);
    }

    #[inline]
    fn index(handle: u32, i: usize) -> (usize, usize) {
        debug_assert!(i >= 1 && i < level_of(handle));
        let pool = (handle & LEVEL_MASK) as usize;
        (pool, (handle >> LEVEL_BITS) as usize + i - 1)
    }

    /// Link `i` (1-based above level 0) of the node owning `handle`.
    #[inline]
    pub(super) fn get(&self, handle: u32, i: usize) -> &Level {
        let (p, at) = Self::index(handle, i);
        &self.pools[p][at]
    }

    #[inline]
    pub(super) fn get_mut(&mut self, handle: u32, i: usize) -> &mut Level {
        let (p, at) = Self::index(handle, i);
        &mut self.pools[p][at]
    }
}
