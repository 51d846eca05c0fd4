//! The skiplist's node storage: fixed-size chunks instead of one `Vec`, so a
//! large skiplist never carries the up-to-doubled spare capacity of a
//! growing `Vec` (Redis allocates each node on its own and has none). The
//! first chunk grows like a `Vec` up to `CHUNK` nodes, so a small skiplist
//! stays small; later chunks are allocated at exactly `CHUNK` nodes.

use std::ops::{Index, IndexMut};

const CHUNK_BITS: u32 = 10;
const CHUNK: usize = 1 << CHUNK_BITS;
const MASK: u32 = (CHUNK - 1) as u32;

#[derive(Clone, Debug)]
pub(super) struct Arena<T> {
    chunks: Vec<Vec<T>>,
}

impl<T> Arena<T> {
    pub(super) fn new(first: T) -> Arena<T> {
        Arena {
            chunks: vec![vec![first]],
        }
    }

    pub(super) fn len(&self) -> usize {
        let last = self.chunks.last().map_or(0, Vec::len);
        (self.chunks.len() - 1) * CHUNK + last
    }

    /// Appends `v`; returns its index.
    pub(super) fn push(&mut self, v: T) -> usize {
        let id = self.len();
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(v),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(v);
                self.chunks.push(c);
            }
        }
        id
    }

    /// Keeps the first `n` (at most `CHUNK`) elements and drops the rest.
    pub(super) fn truncate_small(&mut self, n: usize) {
        debug_assert!(n <= CHUNK);
        self.chunks.truncate(1);
        if let Some(c) = self.chunks.first_mut() {
            c.truncate(n);
        }
    }

    pub(super) fn get(&self, i: u32) -> Option<&T> {
        self.chunks
            .get((i >> CHUNK_BITS) as usize)
            .and_then(|c| c.get((i & MASK) as usize))
    }
}

impl<T> Index<u32> for Arena<T> {
    type Output = T;

    fn index(&self, i: u32) -> &T {
        &self.chunks[(i >> CHUNK_BITS) as usize][(i & MASK) as usize]
    }
}

impl<T> IndexMut<u32> for Arena<T> {
    fn index_mut(&mut self, i: u32) -> &mut T {
        &mut self.chunks[(i >> CHUNK_BITS) as usize][(i & MASK) as usize]
    }
}
