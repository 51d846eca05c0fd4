//! Skiplist ordered by (score, element) with spans for ranks (Redis t_zset.c
//! zsl* functions). Paired with a dict from element to score, it is the
//! large encoding of sorted sets.
//!
//! Nodes live in per-level-count pools (`skiplist/store.rs`) and link by
//! `u32` ids, so the structure is safe Rust with Redis's O(log n)
//! algorithms unchanged: levels drawn with p = 1/4 up to 32, forward links
//! with spans at every level, and a backward link at level 0. Elements
//! compare as bytes (memcmp, then length), which is how Redis's sdscmp
//! orders them.
//!
//! Ranks are 1-based, as in Redis's zsl API. Scores must not be NaN.

mod range;
mod store;
#[cfg(test)]
mod tests;

use crate::util::prefetch::prefetch;
use store::{level_of, link_in, score_in, Store};

pub use range::{LexBound, LexRange, ScoreRange};

/// ZSKIPLIST_MAXLEVEL.
pub const MAX_LEVEL: usize = 32;

/// A node handle, valid until the node is deleted.
pub type NodeId = u32;

const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Level {
    forward: u32,
    /// Nodes crossed by following `forward` (meaningless when it is NIL).
    span: u32,
}

/// A Redis skiplist of elements `E` (anything that is bytes).
#[derive(Clone, Debug)]
pub struct Skiplist<E> {
    nodes: Store<E>,
    head: u32,
    tail: u32,
    level: usize,
    length: usize,
    rng: u64,
}

impl<E: AsRef<[u8]>> Default for Skiplist<E> {
    fn default() -> Self {
        Skiplist::new()
    }
}

type Path = [u32; MAX_LEVEL];

impl<E: AsRef<[u8]>> Skiplist<E> {
    /// zslCreate.
    pub fn new() -> Skiplist<E> {
        Skiplist::with_seed(0x853C_49E6_748F_EA9B)
    }

    /// A skiplist whose level draws come from `seed` (for reproducible tests).
    pub fn with_seed(seed: u64) -> Skiplist<E> {
        let mut nodes = Store::new();
        let head = nodes.alloc(MAX_LEVEL, 0.0, None);
        Skiplist {
            nodes,
            head,
            tail: NIL,
            level: 1,
            length: 0,
            rng: seed | 1,
        }
    }

    pub fn len(&self) -> usize {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The current number of levels in use (zsl->level).
    pub fn levels(&self) -> usize {
        self.level
    }

    /// xorshift64*: the level draws need speed, not quality.
    fn next_rand(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// zslRandomLevel: each extra level with probability 1/4.
    fn random_level(&mut self) -> usize {
        let mut level = 1;
        while level < MAX_LEVEL && (self.next_rand() >> 32) & 0xFFFF < 0x4000 {
            level += 1;
        }
        level
    }

    /// Hints the cache to fetch node `x` (NIL is ignored). A search at
    /// level `i` prefetches where it would continue at level `i - 1`, so
    /// the miss for the node it drops to overlaps the misses it takes at
    /// level `i` instead of following them.
    #[inline]
    fn prefetch_node(&self, x: u32) {
        if let Some(p) = self.nodes.addr(x) {
            prefetch(p);
        }
    }

    /// The number of levels of node `x`.
    #[cfg(test)]
    fn node_level(&self, x: u32) -> usize {
        level_of(x)
    }

    #[inline]
    fn fwd(&self, x: u32, i: usize) -> u32 {
        self.nodes.link(x, i).forward
    }

    #[inline]
    fn span(&self, x: u32, i: usize) -> u32 {
        self.nodes.link(x, i).span
    }

    #[inline]
    fn key(&self, x: u32) -> (f64, &[u8]) {
        (self.nodes.score(x), self.ele(x).as_ref())
    }

    /// Whether node `x`, whose words are `xw`, sorts before (score, ele).
    /// The element's bytes (other cache lines, often misses) are read only
    /// on a score tie.
    #[inline]
    fn before(&self, x: u32, xw: &[u32], score: f64, ele: &[u8]) -> bool {
        let s = score_in(xw);
        s < score || (s == score && self.ele(x).as_ref() < ele)
    }

    /// The last node before (score, ele) at every level.
    fn path_to(&self, score: f64, ele: &[u8]) -> Path {
        self.path_while(|sl, f, fw| sl.before(f, fw, score, ele))
    }

    /// Walks down from the header, going forward while `go` holds for the
    /// next node (given with its words); returns the last node visited at
    /// each level.
    fn path_while(&self, go: impl Fn(&Self, u32, &[u32]) -> bool) -> Path {
        let mut update = [self.head; MAX_LEVEL];
        let mut x = self.head;
        let mut xw = self.nodes.words(x);
        for i in (0..self.level).rev() {
            loop {
                if i > 0 {
                    self.prefetch_node(link_in(xw, i - 1).forward);
                }
                let f = link_in(xw, i).forward;
                if f == NIL {
                    break;
                }
                let fw = self.nodes.words(f);
                if !go(self, f, fw) {
                    break;
                }
                (x, xw) = (f, fw);
            }
            update[i] = x;
        }
        update
    }

    /// zslInsert: adds `ele` with `score`. The caller guarantees the element
    /// is not already present (the zset's dict knows).
    pub fn insert(&mut self, score: f64, ele: E) -> NodeId {
        debug_assert!(!score.is_nan());
        let mut update = [self.head; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut x = self.head;
        let mut xw = self.nodes.words(x);
        // The element's bytes, looked up once (an inline element's length
        // is read through its variant).
        let key = ele.as_ref();
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                if i > 0 {
                    self.prefetch_node(link_in(xw, i - 1).forward);
                }
                let l = link_in(xw, i);
                if l.forward == NIL {
                    break;
                }
                let fw = self.nodes.words(l.forward);
                if !self.before(l.forward, fw, score, key) {
                    break;
                }
                rank[i] += l.span;
                (x, xw) = (l.forward, fw);
            }
            update[i] = x;
        }
        let mut level = self.random_level();
        // A pool of tall nodes that ran out of ids (2^26 nodes of one
        // level count) takes no more: the node gets one level instead,
        // which keeps the list correct and only a little slower.
        if !self.nodes.has_room(level) {
            level = 1;
        }
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = self.head;
                let head = self.nodes.link(self.head, i);
                let span = self.length as u32;
                self.nodes.set_link(self.head, i, Level { span, ..head });
            }
            self.level = level;
        }
        let id = self.nodes.alloc(level, score, Some(ele));
        self.link(id, &update, &rank);
        id
    }

    /// The second half of zslInsert: splices node `id` in after the path
    /// nodes, fixing spans with the ranks crossed at each level.
    fn link(&mut self, id: u32, update: &Path, rank: &[u32; MAX_LEVEL]) {
        let level = level_of(id);
        for i in 0..level {
            let u = update[i];
            let crossed = rank[0] - rank[i];
            let old = self.nodes.link(u, i);
            let span = crossed + 1;
            self.nodes.set_link(u, i, Level { forward: id, span });
            let span = old.span.wrapping_sub(crossed);
            self.nodes.set_link(id, i, Level { span, ..old });
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(level) {
            self.nodes.add_span(u, i, 1);
        }
        let back = if update[0] == self.head {
            NIL
        } else {
            update[0]
        };
        self.nodes.set_backward(id, back);
        match self.fwd(id, 0) {
            NIL => self.tail = id,
            f => self.nodes.set_backward(f, id),
        }
        self.length += 1;
    }

    /// zslDeleteNode: unlinks `x`, given the path to it, and frees its slot.
    fn unlink(&mut self, x: u32, update: &Path) -> (E, f64) {
        let x_level = level_of(x);
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let ul = self.nodes.link(u, i);
            if i < x_level && ul.forward == x {
                let xl = self.nodes.link(x, i);
                let span = ul.span.wrapping_add(xl.span).wrapping_sub(1);
                self.nodes.set_link(
                    u,
                    i,
                    Level {
                        forward: xl.forward,
                        span,
                    },
                );
            } else {
                self.nodes.add_span(u, i, u32::MAX);
            }
        }
        let back = self.nodes.backward(x);
        match self.fwd(x, 0) {
            NIL => self.tail = back,
            f => self.nodes.set_backward(f, back),
        }
        while self.level > 1 && self.fwd(self.head, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.length -= 1;
        let score = self.nodes.score(x);
        let ele = self.nodes.free(x).expect("live node");
        if self.length == 0 {
            // Nothing is linked: drop the pools' slack.
            self.nodes.reset_keeping(self.head);
        }
        (ele, score)
    }

    /// zslDelete: removes (score, ele); returns the element if it was there.
    pub fn delete(&mut self, score: f64, ele: &[u8]) -> Option<E> {
        let update = self.path_to(score, ele);
        let x = self.fwd(update[0], 0);
        if x != NIL && self.key(x) == (score, ele) {
            return Some(self.unlink(x, &update).0);
        }
        None
    }

    /// zslUpdateScore: moves `ele` from `cur` to `new`, in place when the
    /// order does not change. `None` if (cur, ele) is not in the list.
    pub fn update_score(&mut self, cur: f64, ele: &[u8], new: f64) -> Option<NodeId> {
        debug_assert!(!new.is_nan());
        let update = self.path_to(cur, ele);
        let x = self.fwd(update[0], 0);
        if x == NIL || self.key(x) != (cur, ele) {
            return None;
        }
        let back = self.nodes.backward(x);
        let next = self.fwd(x, 0);
        if (back == NIL || self.nodes.score(back) < new)
            && (next == NIL || self.nodes.score(next) > new)
        {
            self.nodes.set_score(x, new);
            return Some(x);
        }
        let (ele, _) = self.unlink(x, &update);
        Some(self.insert(new, ele))
    }

    /// zslGetRank: the 1-based rank of (score, ele), or 0 if absent.
    pub fn rank(&self, score: f64, ele: &[u8]) -> usize {
        let mut rank = 0usize;
        let mut x = self.head;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let (s, e) = self.key(f);
                if s < score || (s == score && e <= ele) {
                    rank += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            if x != self.head && self.key(x).1 == ele {
                return rank;
            }
        }
        0
    }

    /// zslGetElementByRank: the node at 1-based `rank`.
    pub fn by_rank(&self, rank: usize) -> Option<NodeId> {
        if rank == 0 || rank > self.length {
            return None;
        }
        let mut traversed = 0usize;
        let mut x = self.head;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && traversed + self.span(x, i) as usize <= rank {
                    traversed += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            if traversed == rank {
                return Some(x);
            }
        }
        None
    }

    /// Bytes the node storage holds from the allocator, spare slots
    /// included, without the elements' own allocations (MEMORY USAGE: the
    /// exact figure for what Redis samples as `zmalloc_size(node)`).
    pub fn alloc_bytes(&self) -> usize {
        self.nodes.alloc_bytes()
    }

    /// The first (lowest) node.
    pub fn first(&self) -> Option<NodeId> {
        Some(self.fwd(self.head, 0)).filter(|&f| f != NIL)
    }

    /// The last (highest) node.
    pub fn last(&self) -> Option<NodeId> {
        Some(self.tail).filter(|&t| t != NIL)
    }

    /// The node after `id`.
    pub fn next(&self, id: NodeId) -> Option<NodeId> {
        Some(self.fwd(id, 0)).filter(|&f| f != NIL)
    }

    /// The node before `id` (the backward link).
    pub fn prev(&self, id: NodeId) -> Option<NodeId> {
        Some(self.nodes.backward(id)).filter(|&b| b != NIL)
    }

    /// The score of node `id`.
    pub fn score(&self, id: NodeId) -> f64 {
        self.nodes.score(id)
    }

    /// The element of node `id`.
    pub fn ele(&self, id: NodeId) -> &E {
        self.nodes.ele(id).expect("live node")
    }

    /// Elements and scores from lowest to highest.
    pub fn iter(&self) -> impl Iterator<Item = (&E, f64)> + '_ {
        std::iter::successors(self.first(), move |&x| self.next(x))
            .map(move |x| (self.ele(x), self.score(x)))
    }

    /// zslIsInRange: whether any score can be in `r`.
    pub fn is_in_range(&self, r: &ScoreRange) -> bool {
        if r.is_empty() {
            return false;
        }
        match (self.last(), self.first()) {
            (Some(t), Some(h)) => r.value_gte_min(self.score(t)) && r.value_lte_max(self.score(h)),
            _ => false,
        }
    }

    /// zslFirstInRange: the lowest node with a score in `r`.
    pub fn first_in_range(&self, r: &ScoreRange) -> Option<NodeId> {
        if !self.is_in_range(r) {
            return None;
        }
        let path = self.path_while(|_, _, fw| !r.value_gte_min(score_in(fw)));
        let x = self.next(path[0])?;
        r.value_lte_max(self.score(x)).then_some(x)
    }

    /// zslLastInRange: the highest node with a score in `r`.
    pub fn last_in_range(&self, r: &ScoreRange) -> Option<NodeId> {
        if !self.is_in_range(r) {
            return None;
        }
        let x = self.path_while(|_, _, fw| r.value_lte_max(score_in(fw)))[0];
        (x != self.head && r.value_gte_min(self.score(x))).then_some(x)
    }

    /// zslIsInLexRange: whether any element can be in `r` (the list must
    /// hold equal scores for lex order to mean anything).
    pub fn is_in_lex_range(&self, r: &LexRange) -> bool {
        if r.is_empty() {
            return false;
        }
        match (self.last(), self.first()) {
            (Some(t), Some(h)) => {
                r.value_gte_min(self.ele(t).as_ref()) && r.value_lte_max(self.ele(h).as_ref())
            }
            _ => false,
        }
    }

    /// zslFirstInLexRange.
    pub fn first_in_lex_range(&self, r: &LexRange) -> Option<NodeId> {
        if !self.is_in_lex_range(r) {
            return None;
        }
        let path = self.path_while(|sl, f, _| !r.value_gte_min(sl.ele(f).as_ref()));
        let x = self.next(path[0])?;
        r.value_lte_max(self.ele(x).as_ref()).then_some(x)
    }

    /// zslLastInLexRange.
    pub fn last_in_lex_range(&self, r: &LexRange) -> Option<NodeId> {
        if !self.is_in_lex_range(r) {
            return None;
        }
        let x = self.path_while(|sl, f, _| r.value_lte_max(sl.ele(f).as_ref()))[0];
        (x != self.head && r.value_gte_min(self.ele(x).as_ref())).then_some(x)
    }

    /// Unlinks nodes from `path[0]`'s successor on while `keep_going` holds,
    /// handing each removed (element, score) to `removed`.
    fn delete_run(
        &mut self,
        path: &Path,
        mut keep_going: impl FnMut(&Self, u32) -> bool,
        mut removed: impl FnMut(E, f64),
    ) -> usize {
        let mut count = 0;
        let mut x = self.fwd(path[0], 0);
        while x != NIL && keep_going(self, x) {
            let next = self.fwd(x, 0);
            let (e, s) = self.unlink(x, path);
            removed(e, s);
            count += 1;
            x = next;
        }
        count
    }

    /// zslDeleteRangeByScore: removes every node with a score in `r`.
    pub fn delete_range_by_score(&mut self, r: &ScoreRange, removed: impl FnMut(E, f64)) -> usize {
        let path = self.path_while(|_, _, fw| !r.value_gte_min(score_in(fw)));
        self.delete_run(&path, |sl, x| r.value_lte_max(sl.score(x)), removed)
    }

    /// zslDeleteRangeByLex: removes every node with an element in `r`.
    pub fn delete_range_by_lex(&mut self, r: &LexRange, removed: impl FnMut(E, f64)) -> usize {
        let path = self.path_while(|sl, f, _| !r.value_gte_min(sl.ele(f).as_ref()));
        self.delete_run(&path, |sl, x| r.value_lte_max(sl.ele(x).as_ref()), removed)
    }

    /// zslDeleteRangeByRank: removes ranks `start..=end` (1-based).
    pub fn delete_range_by_rank(
        &mut self,
        start: usize,
        end: usize,
        removed: impl FnMut(E, f64),
    ) -> usize {
        let mut update = [self.head; MAX_LEVEL];
        let mut traversed = 0usize;
        let mut x = self.head;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && traversed + (self.span(x, i) as usize) < start {
                    traversed += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut rank = traversed + 1;
        self.delete_run(
            &update,
            move |_, _| {
                let go = rank <= end;
                rank += 1;
                go
            },
            removed,
        )
    }
}
