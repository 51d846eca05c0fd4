//! Skiplist ordered by (score, element) with spans for ranks (Redis t_zset.c
//! zsl* functions). Paired with a dict from element to score, it is the
//! large encoding of sorted sets.
//!
//! Nodes live in an arena (`Vec`) and link by index, so the structure is
//! safe Rust with Redis's O(log n) algorithms unchanged: levels drawn with
//! p = 1/4 up to 32, forward links with spans at every level, and a
//! backward link at level 0. Elements compare as bytes (memcmp, then
//! length), which is how Redis's sdscmp orders them.
//!
//! Ranks are 1-based, as in Redis's zsl API. Scores must not be NaN.

mod arena;
mod range;
#[cfg(test)]
mod tests;
mod uppers;

use crate::util::prefetch::prefetch;
use arena::Arena;
use uppers::{level_of, Uppers};

pub use range::{LexBound, LexRange, ScoreRange};

/// ZSKIPLIST_MAXLEVEL.
pub const MAX_LEVEL: usize = 32;

/// A node handle, valid until the node is deleted.
pub type NodeId = u32;

const NIL: u32 = u32::MAX;
const HEAD: u32 = 0;

#[derive(Clone, Copy, Debug)]
struct Level {
    forward: u32,
    /// Nodes crossed by following `forward` (meaningless when it is NIL).
    span: u32,
}

/// 40 bytes plus the element's own allocation: level 0 is inline, the
/// levels above it (one node in four has any) live in `Uppers`.
#[derive(Clone, Debug)]
struct Node<E> {
    /// `None` for the header and for free slots.
    ele: Option<E>,
    score: f64,
    backward: u32,
    level0: Level,
    /// The node's level count and its links above level 0 (`Uppers`).
    uppers: u32,
}

/// A Redis skiplist of elements `E` (anything that is bytes).
#[derive(Clone, Debug)]
pub struct Skiplist<E> {
    nodes: Arena<Node<E>>,
    uppers: Uppers,
    free: Vec<u32>,
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
        let mut uppers = Uppers::new();
        let header = Node {
            ele: None,
            score: 0.0,
            backward: NIL,
            level0: Level {
                forward: NIL,
                span: 0,
            },
            uppers: uppers.alloc(MAX_LEVEL),
        };
        Skiplist {
            nodes: Arena::new(header),
            uppers,
            free: Vec::new(),
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

    /// Link `i` of node `x`.
    #[inline]
    fn link_at(&self, x: u32, i: usize) -> &Level {
        let n = &self.nodes[x];
        if i == 0 {
            &n.level0
        } else {
            self.uppers.get(n.uppers, i)
        }
    }

    #[inline]
    fn link_at_mut(&mut self, x: u32, i: usize) -> &mut Level {
        let n = &mut self.nodes[x];
        if i == 0 {
            &mut n.level0
        } else {
            self.uppers.get_mut(n.uppers, i)
        }
    }

    /// Link `i` of node `x` whose upper-levels handle is `xh` (hot loops
    /// carry the handle down the levels instead of reloading it).
    #[inline]
    fn link_via(&self, x: u32, xh: u32, i: usize) -> Level {
        if i == 0 {
            self.nodes[x].level0
        } else {
            *self.uppers.get(xh, i)
        }
    }

    #[inline]
    fn link_via_mut(&mut self, x: u32, xh: u32, i: usize) -> &mut Level {
        if i == 0 {
            &mut self.nodes[x].level0
        } else {
            self.uppers.get_mut(xh, i)
        }
    }

    /// Hints the cache to fetch node `x` (NIL is ignored). A search at
    /// level `i` prefetches where it would continue at level `i - 1`, so
    /// the miss for the node it drops to overlaps the misses it takes at
    /// level `i` instead of following them.
    #[inline]
    fn prefetch_node(&self, x: u32) {
        if let Some(n) = self.nodes.get(x) {
            prefetch(n as *const Node<E>);
        }
    }

    /// The number of levels of node `x`.
    #[cfg(test)]
    fn node_level(&self, x: u32) -> usize {
        level_of(self.nodes[x].uppers)
    }

    #[inline]
    fn fwd(&self, x: u32, i: usize) -> u32 {
        self.link_at(x, i).forward
    }

    #[inline]
    fn span(&self, x: u32, i: usize) -> u32 {
        self.link_at(x, i).span
    }

    #[inline]
    fn key(&self, x: u32) -> (f64, &[u8]) {
        let n = &self.nodes[x];
        (n.score, n.ele.as_ref().expect("live node").as_ref())
    }

    /// Whether node `n` sorts before (score, ele). The element's bytes
    /// (another cache line, often another miss) are read only on a score tie.
    #[inline]
    fn node_before(n: &Node<E>, score: f64, ele: &[u8]) -> bool {
        n.score < score || (n.score == score && n.ele.as_ref().expect("live node").as_ref() < ele)
    }

    /// Whether node `x` sorts before (score, ele).
    fn before(&self, x: u32, score: f64, ele: &[u8]) -> bool {
        Self::node_before(&self.nodes[x], score, ele)
    }

    /// The last node before (score, ele) at every level.
    fn path_to(&self, score: f64, ele: &[u8]) -> Path {
        self.path_while(|sl, f| sl.before(f, score, ele))
    }

    /// Walks down from the header, going forward while `go` holds for the
    /// next node; returns the last node visited at each level.
    fn path_while(&self, go: impl Fn(&Self, u32) -> bool) -> Path {
        let mut update = [HEAD; MAX_LEVEL];
        let mut x = HEAD;
        let mut xh = self.nodes[HEAD].uppers;
        for i in (0..self.level).rev() {
            loop {
                if i > 0 {
                    self.prefetch_node(self.link_via(x, xh, i - 1).forward);
                }
                let f = self.link_via(x, xh, i).forward;
                if f != NIL && go(self, f) {
                    x = f;
                    xh = self.nodes[f].uppers;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    fn alloc(&mut self, node: Node<E>) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.nodes[id] = node;
                id
            }
            None => {
                let id = u32::try_from(self.nodes.len()).expect("skiplist too large");
                assert!(id != NIL, "skiplist too large");
                self.nodes.push(node);
                id
            }
        }
    }

    /// zslInsert: adds `ele` with `score`. The caller guarantees the element
    /// is not already present (the zset's dict knows).
    pub fn insert(&mut self, score: f64, ele: E) -> NodeId {
        debug_assert!(!score.is_nan());
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut handles = [0u32; MAX_LEVEL];
        let mut x = HEAD;
        let mut xh = self.nodes[HEAD].uppers;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                if i > 0 {
                    self.prefetch_node(self.link_via(x, xh, i - 1).forward);
                }
                let l = self.link_via(x, xh, i);
                if l.forward == NIL {
                    break;
                }
                let n = &self.nodes[l.forward];
                if Self::node_before(n, score, ele.as_ref()) {
                    rank[i] += l.span;
                    x = l.forward;
                    xh = n.uppers;
                } else {
                    break;
                }
            }
            update[i] = x;
            handles[i] = xh;
        }
        let level = self.random_level();
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                handles[i] = self.nodes[HEAD].uppers;
                self.link_at_mut(HEAD, i).span = self.length as u32;
            }
            self.level = level;
        }
        let uppers = self.uppers.alloc(level);
        let id = self.alloc(Node {
            ele: Some(ele),
            score,
            backward: NIL,
            level0: Level {
                forward: NIL,
                span: 0,
            },
            uppers,
        });
        self.link(id, &update, &handles, &rank);
        id
    }

    /// The second half of zslInsert: splices node `id` in after the path
    /// nodes, fixing spans with the ranks crossed at each level.
    /// `handles` are the path nodes' upper-level handles.
    fn link(&mut self, id: u32, update: &Path, handles: &Path, rank: &[u32; MAX_LEVEL]) {
        let idh = self.nodes[id].uppers;
        let level = level_of(idh);
        for i in 0..level {
            let (u, uh) = (update[i], handles[i]);
            let crossed = rank[0] - rank[i];
            let ul = self.link_via_mut(u, uh, i);
            let old = *ul;
            *ul = Level {
                forward: id,
                span: crossed + 1,
            };
            *self.link_via_mut(id, idh, i) = Level {
                forward: old.forward,
                span: old.span.wrapping_sub(crossed),
            };
        }
        for i in level..self.level {
            let l = self.link_via_mut(update[i], handles[i], i);
            l.span = l.span.wrapping_add(1);
        }
        self.nodes[id].backward = if update[0] == HEAD { NIL } else { update[0] };
        match self.fwd(id, 0) {
            NIL => self.tail = id,
            f => self.nodes[f].backward = id,
        }
        self.length += 1;
    }

    /// zslDeleteNode: unlinks `x`, given the path to it, and frees its slot.
    fn unlink(&mut self, x: u32, update: &Path) -> (E, f64) {
        let xh = self.nodes[x].uppers;
        let x_level = level_of(xh);
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let xl = (i < x_level).then(|| self.link_via(x, xh, i));
            let ul = self.link_at_mut(u, i);
            match xl {
                Some(xl) if ul.forward == x => {
                    ul.span = ul.span.wrapping_add(xl.span).wrapping_sub(1);
                    ul.forward = xl.forward;
                }
                _ => ul.span = ul.span.wrapping_sub(1),
            }
        }
        let back = self.nodes[x].backward;
        match self.fwd(x, 0) {
            NIL => self.tail = back,
            f => self.nodes[f].backward = back,
        }
        while self.level > 1 && self.fwd(HEAD, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.length -= 1;
        let node = &mut self.nodes[x];
        let ele = node.ele.take().expect("live node");
        let score = node.score;
        let uppers = std::mem::replace(&mut node.uppers, 0);
        self.uppers.release(uppers);
        self.free.push(x);
        if self.length == 0 {
            // Nothing is linked: drop the arena's slack.
            self.nodes.truncate_small(1);
            self.free.clear();
            self.uppers.reset_keeping(self.nodes[HEAD].uppers);
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
        let back = self.nodes[x].backward;
        let next = self.fwd(x, 0);
        if (back == NIL || self.nodes[back].score < new)
            && (next == NIL || self.nodes[next].score > new)
        {
            self.nodes[x].score = new;
            return Some(x);
        }
        let (ele, _) = self.unlink(x, &update);
        Some(self.insert(new, ele))
    }

    /// zslGetRank: the 1-based rank of (score, ele), or 0 if absent.
    pub fn rank(&self, score: f64, ele: &[u8]) -> usize {
        let mut rank = 0usize;
        let mut x = HEAD;
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
            if x != HEAD && self.key(x).1 == ele {
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
        let mut x = HEAD;
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

    /// The first (lowest) node.
    /// Bytes of each node, head to tail, without its element's own
    /// allocation (MEMORY USAGE samples them like Redis `zmalloc_size(node)`).
    pub fn node_bytes(&self) -> impl Iterator<Item = usize> + '_ {
        let mut cur = self.first();
        std::iter::from_fn(move || {
            let id = cur?;
            cur = self.next(id);
            let node = self.nodes.get(id)?;
            let above = level_of(node.uppers) - 1;
            Some(std::mem::size_of::<Node<E>>() + above * std::mem::size_of::<Level>())
        })
    }

    pub fn first(&self) -> Option<NodeId> {
        Some(self.fwd(HEAD, 0)).filter(|&f| f != NIL)
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
        Some(self.nodes[id].backward).filter(|&b| b != NIL)
    }

    /// The score of node `id`.
    pub fn score(&self, id: NodeId) -> f64 {
        self.nodes[id].score
    }

    /// The element of node `id`.
    pub fn ele(&self, id: NodeId) -> &E {
        self.nodes[id].ele.as_ref().expect("live node")
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
        let path = self.path_while(|sl, f| !r.value_gte_min(sl.score(f)));
        let x = self.next(path[0])?;
        r.value_lte_max(self.score(x)).then_some(x)
    }

    /// zslLastInRange: the highest node with a score in `r`.
    pub fn last_in_range(&self, r: &ScoreRange) -> Option<NodeId> {
        if !self.is_in_range(r) {
            return None;
        }
        let x = self.path_while(|sl, f| r.value_lte_max(sl.score(f)))[0];
        (x != HEAD && r.value_gte_min(self.score(x))).then_some(x)
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
        let path = self.path_while(|sl, f| !r.value_gte_min(sl.ele(f).as_ref()));
        let x = self.next(path[0])?;
        r.value_lte_max(self.ele(x).as_ref()).then_some(x)
    }

    /// zslLastInLexRange.
    pub fn last_in_lex_range(&self, r: &LexRange) -> Option<NodeId> {
        if !self.is_in_lex_range(r) {
            return None;
        }
        let x = self.path_while(|sl, f| r.value_lte_max(sl.ele(f).as_ref()))[0];
        (x != HEAD && r.value_gte_min(self.ele(x).as_ref())).then_some(x)
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
        let path = self.path_while(|sl, f| !r.value_gte_min(sl.score(f)));
        self.delete_run(&path, |sl, x| r.value_lte_max(sl.score(x)), removed)
    }

    /// zslDeleteRangeByLex: removes every node with an element in `r`.
    pub fn delete_range_by_lex(&mut self, r: &LexRange, removed: impl FnMut(E, f64)) -> usize {
        let path = self.path_while(|sl, f| !r.value_gte_min(sl.ele(f).as_ref()));
        self.delete_run(&path, |sl, x| r.value_lte_max(sl.ele(x).as_ref()), removed)
    }

    /// zslDeleteRangeByRank: removes ranks `start..=end` (1-based).
    pub fn delete_range_by_rank(
        &mut self,
        start: usize,
        end: usize,
        removed: impl FnMut(E, f64),
    ) -> usize {
        let mut update = [HEAD; MAX_LEVEL];
        let mut traversed = 0usize;
        let mut x = HEAD;
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
