//! The sorted set type (Redis t_zset.c, type API half): a listpack of
//! member/score pairs ordered by (score, member) while small, a skiplist
//! plus a member -> score dict past `zset-max-listpack-entries/value`.
//!
//! Range queries work on ranks: both encodings are ordered, so the ends of
//! a score or lex range are found by binary search over ranks, and the
//! listpack (small by definition) is read into a vector for it.

pub mod algebra;
pub mod commands;
pub mod key;
mod random;
pub mod range;
pub mod score;

use crate::ds::dict::{Dict, Entry};
use crate::ds::listpack::{Listpack, LpValue};
use crate::ds::skiplist::{LexRange, ScoreRange, Skiplist};
use crate::util::num::fmt_g17;
use key::{Member, ZKey};

/// The large encoding. Each member is in the skiplist (its element, with
/// the score in the node) and in the dict, whose key holds the member and
/// its node id: the dict finds a member's node, the node has its score.
pub struct Big {
    pub sl: Skiplist<Member>,
    pub dict: Dict<ZKey, ()>,
}

pub enum ZSet {
    Listpack(Listpack),
    Skiplist(Box<Big>),
}

/// The conversion thresholds (zset-max-listpack-entries / -value).
#[derive(Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

/// A member with its score.
pub type Item = (Vec<u8>, f64);

/// Outcome of `add` (Redis ZADD_OUT_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddOut {
    Added,
    Updated,
    /// Processed, score unchanged (no ZADD_OUT_* flag in Redis).
    Same,
    Nop,
    Nan,
}

/// ZADD input flags.
#[derive(Clone, Copy, Default)]
pub struct AddFlags {
    pub incr: bool,
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
}

fn lp_score(v: LpValue<'_>) -> f64 {
    match v {
        LpValue::Int(i) => i as f64,
        LpValue::Str(s) => score::strtod(s).0,
    }
}

/// How a listpack stores a score (util.c `d2string` in 7.0): integral
/// values within +-LLONG_MAX/2 as integers (so -0 becomes "0"), others %.17g.
pub fn d2string(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let half = (i64::MAX / 2) as f64;
    if v >= -half && v <= half && (v as i64) as f64 == v {
        return (v as i64).to_string();
    }
    fmt_g17(v)
}

impl ZSet {
    /// An empty sorted set for a first member of `len` bytes (`zaddGenericCommand`).
    pub fn for_first(len: usize, lim: Limits) -> ZSet {
        if lim.entries == 0 || lim.value < len {
            ZSet::Skiplist(Box::default())
        } else {
            ZSet::Listpack(Listpack::new())
        }
    }

    /// An empty set sized for `n` members of at most `maxlen` bytes (`zsetTypeCreate`).
    pub fn with_hint(n: usize, maxlen: usize, lim: Limits) -> ZSet {
        if n <= lim.entries && maxlen <= lim.value {
            ZSet::Listpack(Listpack::new())
        } else {
            ZSet::Skiplist(Box::default())
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::Skiplist(_) => "skiplist",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.len() / 2,
            ZSet::Skiplist(b) => b.sl.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn free_effort(&self) -> usize {
        match self {
            ZSet::Listpack(_) => 1,
            ZSet::Skiplist(b) => b.sl.len(),
        }
    }

    pub fn duplicate(&self) -> ZSet {
        match self {
            ZSet::Listpack(lp) => ZSet::Listpack(Listpack::from_values(lp.iter())),
            ZSet::Skiplist(b) => {
                let mut n = Big::new();
                for (e, s) in b.sl.iter() {
                    n.insert(e, s);
                }
                ZSet::Skiplist(Box::new(n))
            }
        }
    }

    /// Every member with its score, in order.
    pub fn items(&self) -> Vec<Item> {
        match self {
            ZSet::Listpack(lp) => {
                let mut out = Vec::with_capacity(lp.len() / 2);
                let mut it = lp.iter();
                while let (Some(e), Some(s)) = (it.next(), it.next()) {
                    out.push((e.to_vec(), lp_score(s)));
                }
                out
            }
            ZSet::Skiplist(b) => b.sl.iter().map(|(e, s)| (e.to_vec(), s)).collect(),
        }
    }

    /// Visits members and scores (digest).
    pub fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        for (e, s) in self.items() {
            f(&e, s);
        }
    }

    fn set_items(&mut self, items: &[Item]) {
        let mut lp = Listpack::new();
        for (e, s) in items {
            lp.append(LpValue::Str(e));
            lp.append(LpValue::Str(d2string(*s).as_bytes()));
        }
        *self = ZSet::Listpack(lp);
    }

    pub fn score(&self, ele: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(lp) => {
                let p = lp.find(lp.first()?, ele, 1)?;
                Some(lp_score(lp.get(lp.next(p)?)))
            }
            ZSet::Skiplist(b) => b.score(ele),
        }
    }

    /// Converts to a skiplist (`zsetConvert`).
    pub fn convert(&mut self) {
        if let ZSet::Listpack(_) = self {
            let mut b = Big::new();
            for (e, s) in self.items() {
                b.insert(&e, s);
            }
            *self = ZSet::Skiplist(Box::new(b));
        }
    }

    /// Converts a skiplist back when it fits (`zsetConvertToListpackIfNeeded`).
    pub fn shrink_if_fits(&mut self, lim: Limits) {
        if let ZSet::Skiplist(b) = self {
            let items: Vec<Item> = b.sl.iter().map(|(e, s)| (e.to_vec(), s)).collect();
            let maxlen = items.iter().map(|(e, _)| e.len()).max().unwrap_or(0);
            if items.len() <= lim.entries && maxlen <= lim.value {
                self.set_items(&items);
            }
        }
    }

    /// Inserts a member known to be absent.
    fn insert_new(&mut self, ele: &[u8], score: f64, lim: Limits) {
        if let ZSet::Listpack(lp) = self {
            if lp.len() / 2 + 1 > lim.entries
                || ele.len() > lim.value
                || !lp.safe_to_add(ele.len() + 32)
            {
                self.convert();
            }
        }
        match self {
            ZSet::Listpack(_) => {
                let mut items = self.items();
                let at = items.partition_point(|(e, s)| (*s, e.as_slice()) < (score, ele));
                items.insert(at, (ele.to_vec(), score));
                self.set_items(&items);
            }
            ZSet::Skiplist(b) => b.insert(ele, score),
        }
    }

    /// Moves a listpack member to `score` (`Big::add` updates skiplists).
    fn lp_update_score(&mut self, ele: &[u8], score: f64) {
        self.remove(ele);
        let mut items = self.items();
        let at = items.partition_point(|(e, s)| (*s, e.as_slice()) < (score, ele));
        items.insert(at, (ele.to_vec(), score));
        self.set_items(&items);
    }

    /// Adds or updates a member (`zsetAdd`); returns the outcome and the new score.
    pub fn add(&mut self, ele: &[u8], score: f64, f: AddFlags, lim: Limits) -> (AddOut, f64) {
        if score.is_nan() {
            return (AddOut::Nan, 0.0);
        }
        if let ZSet::Skiplist(b) = self {
            return b.add(ele, score, f);
        }
        if let Some(cur) = self.score(ele) {
            return match new_score(cur, score, f) {
                Ok(score) => {
                    self.lp_update_score(ele, score);
                    (AddOut::Updated, score)
                }
                Err(out) => out,
            };
        }
        if f.xx {
            return (AddOut::Nop, 0.0);
        }
        self.insert_new(ele, score, lim);
        (AddOut::Added, score)
    }

    /// Removes a member; true when it was there (`zsetRemoveFromSkiplist` / `zzlDelete`).
    pub fn remove(&mut self, ele: &[u8]) -> bool {
        match self {
            ZSet::Listpack(lp) => {
                let Some(p) = lp.first().and_then(|f| lp.find(f, ele, 1)) else {
                    return false;
                };
                lp.delete_range_with_entry(p, 2);
                true
            }
            ZSet::Skiplist(b) => {
                let Some((k, ())) = b.dict.remove(ele) else {
                    return false;
                };
                b.sl.delete(b.sl.score(k.node()), ele);
                b.dict.shrink_if_needed();
                true
            }
        }
    }

    /// The 0-based rank of `ele`, from the high end when `rev`.
    pub fn rank(&self, ele: &[u8], rev: bool) -> Option<usize> {
        let r = match self {
            ZSet::Listpack(_) => self.items().iter().position(|(e, _)| e == ele)?,
            ZSet::Skiplist(b) => {
                let s = b.score(ele)?;
                b.sl.rank(s, ele) - 1
            }
        };
        Some(if rev { self.len() - 1 - r } else { r })
    }

    /// The member at 0-based rank `i` (ascending).
    fn at(&self, items: &Option<Vec<Item>>, i: usize) -> (Vec<u8>, f64) {
        match (self, items) {
            (_, Some(v)) => v[i].clone(),
            (ZSet::Skiplist(b), None) => {
                let id = b.sl.by_rank(i + 1).expect("rank in range");
                (b.sl.ele(id).to_vec(), b.sl.score(id))
            }
            _ => unreachable!("listpack reads go through items"),
        }
    }

    fn cache(&self) -> Option<Vec<Item>> {
        match self {
            ZSet::Listpack(_) => Some(self.items()),
            ZSet::Skiplist(_) => None,
        }
    }

    /// First rank for which `pred` is false (pred true on a prefix).
    fn partition(&self, cache: &Option<Vec<Item>>, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (e, s) = self.at(cache, mid);
            if pred(&e, s) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The ascending rank interval [a, b) of the members in a score range.
    pub fn score_span(&self, r: &ScoreRange) -> (usize, usize) {
        let c = self.cache();
        let a = self.partition(&c, |_, s| !r.value_gte_min(s));
        let b = self.partition(&c, |_, s| r.value_lte_max(s) || !r.value_gte_min(s));
        (a, b.max(a))
    }

    /// The ascending rank interval of a lex range, found as Redis walks it:
    /// from the first member >= min forwards while <= max, or (`rev`) from
    /// the last member <= max backwards while >= min. Lex ranges assume
    /// equal scores; with mixed scores this walk decides the result.
    pub fn lex_span(&self, r: &LexRange, rev: bool) -> (usize, usize) {
        if r.is_empty() || self.is_empty() {
            return (0, 0);
        }
        let c = self.cache();
        let len = self.len();
        let ele = |i: usize| self.at(&c, i).0;
        // zzlIsInLexRange / zslIsInLexRange.
        if !r.value_gte_min(&ele(len - 1)) || !r.value_lte_max(&ele(0)) {
            return (0, 0);
        }
        if !rev {
            let first = match self {
                ZSet::Listpack(_) => (0..len).find(|&i| r.value_gte_min(&ele(i))),
                ZSet::Skiplist(b) => {
                    b.sl.first_in_lex_range(r)
                        .map(|id| b.sl.rank(b.sl.score(id), b.sl.ele(id)) - 1)
                }
            };
            let Some(a) = first.filter(|&a| r.value_lte_max(&ele(a))) else {
                return (0, 0);
            };
            let mut b = a + 1;
            while b < len && r.value_lte_max(&ele(b)) {
                b += 1;
            }
            (a, b)
        } else {
            let last = match self {
                ZSet::Listpack(_) => (0..len).rev().find(|&i| r.value_lte_max(&ele(i))),
                ZSet::Skiplist(b) => {
                    b.sl.last_in_lex_range(r)
                        .map(|id| b.sl.rank(b.sl.score(id), b.sl.ele(id)) - 1)
                }
            };
            let Some(e) = last.filter(|&e| r.value_gte_min(&ele(e))) else {
                return (0, 0);
            };
            let mut a = e;
            while a > 0 && r.value_gte_min(&ele(a - 1)) {
                a -= 1;
            }
            (a, e + 1)
        }
    }

    /// Members at ascending ranks [a, b), walked downwards when `rev`.
    pub fn slice(&self, a: usize, b: usize, rev: bool) -> Vec<Item> {
        if a >= b {
            return Vec::new();
        }
        let mut out: Vec<Item> = match self {
            ZSet::Listpack(_) => self.items()[a..b].to_vec(),
            ZSet::Skiplist(big) => {
                let mut out = Vec::with_capacity(b - a);
                let mut cur = big.sl.by_rank(a + 1);
                while let Some(id) = cur {
                    if out.len() == b - a {
                        break;
                    }
                    out.push((big.sl.ele(id).to_vec(), big.sl.score(id)));
                    cur = big.sl.next(id);
                }
                out
            }
        };
        if rev {
            out.reverse();
        }
        out
    }

    /// Removes the members at ascending ranks [a, b); returns them.
    pub fn remove_span(&mut self, a: usize, b: usize) -> Vec<Item> {
        if a >= b {
            return Vec::new();
        }
        match self {
            ZSet::Listpack(_) => {
                let mut items = self.items();
                let gone: Vec<Item> = items.drain(a..b).collect();
                self.set_items(&items);
                gone
            }
            ZSet::Skiplist(big) => {
                let mut gone = Vec::with_capacity(b - a);
                let Big { sl, dict } = &mut **big;
                sl.delete_range_by_rank(a + 1, b, |e, s| {
                    dict.remove(&e);
                    gone.push((e.to_vec(), s));
                });
                dict.shrink_if_needed();
                gone
            }
        }
    }
}

/// What `zsetAdd` does to a member already scored `cur`: `Ok` with the
/// score to store, or `Err` with the outcome when nothing changes.
fn new_score(cur: f64, mut score: f64, f: AddFlags) -> Result<f64, (AddOut, f64)> {
    if f.nx {
        return Err((AddOut::Nop, cur));
    }
    if f.incr {
        score += cur;
        if score.is_nan() {
            return Err((AddOut::Nan, 0.0));
        }
    }
    if (f.lt && score >= cur) || (f.gt && score <= cur) {
        return Err((AddOut::Nop, cur));
    }
    if score == cur {
        return Err((AddOut::Same, score));
    }
    Ok(score)
}

impl Big {
    pub fn new() -> Big {
        Big {
            sl: Skiplist::new(),
            dict: Dict::new(),
        }
    }

    /// The score of `ele`, read from its skiplist node.
    #[inline]
    pub fn score(&self, ele: &[u8]) -> Option<f64> {
        self.dict.find(ele).map(|e| self.sl.score(e.key().node()))
    }

    /// The score of a member's dict entry (ZSCAN, ZRANDMEMBER).
    #[inline]
    pub fn entry_score(&self, e: &Entry<ZKey, ()>) -> f64 {
        self.sl.score(e.key().node())
    }

    /// `zsetAdd` on the skiplist encoding, with one dict lookup: the entry
    /// found is pointed at the node the member ends up in.
    fn add(&mut self, ele: &[u8], score: f64, f: AddFlags) -> (AddOut, f64) {
        if let Some(e) = self.dict.find_mut(ele) {
            let cur = self.sl.score(e.key().node());
            return match new_score(cur, score, f) {
                Ok(score) => {
                    if let Some(id) = self.sl.update_score(cur, ele, score) {
                        e.key_meta_mut().set_node(id);
                    }
                    (AddOut::Updated, score)
                }
                Err(out) => out,
            };
        }
        if f.xx {
            return (AddOut::Nop, 0.0);
        }
        self.insert(ele, score);
        (AddOut::Added, score)
    }

    /// Adds a member known to be absent.
    pub fn insert(&mut self, ele: &[u8], score: f64) {
        let (mut k, m) = key::key_and_member(ele);
        k.set_node(self.sl.insert(score, m));
        self.dict.insert_new(k, ());
    }
}

impl Default for Big {
    fn default() -> Self {
        Big::new()
    }
}

impl ZSet {
    /// MEMORY USAGE's size of the sorted set (Redis objectComputeSize): the
    /// whole listpack, or the skiplist and dict with `samples` members
    /// (element and dict entry) averaged. Redis samples each skiplist node's
    /// allocation too; ours live in pools, whose exact size (spare slots
    /// included) costs a walk over a few chunks, so it is counted whole,
    /// like the dict's bucket array.
    pub fn mem_usage(&self, samples: usize) -> usize {
        use crate::alloc::alloc_size;
        let own = std::mem::size_of::<ZSet>();
        match self {
            ZSet::Listpack(lp) => own + alloc_size(lp.bytes()),
            ZSet::Skiplist(big) => {
                let entry = Dict::<ZKey, ()>::entry_bytes();
                let (mut sum, mut n) = (0usize, 0usize);
                for (ele, _) in big.sl.iter().take(samples) {
                    sum += key::heap_bytes(ele.len()) + entry;
                    n += 1;
                }
                let avg = if n == 0 { 0.0 } else { sum as f64 / n as f64 };
                own + std::mem::size_of::<Big>()
                    + big.dict.table_bytes()
                    + big.sl.alloc_bytes()
                    + (avg * big.dict.len() as f64) as usize
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        entries: 3,
        value: 4,
    };

    fn zset(items: &[(&str, f64)]) -> ZSet {
        let mut z = ZSet::for_first(1, LIM);
        for (e, s) in items {
            z.add(e.as_bytes(), *s, AddFlags::default(), LIM);
        }
        z
    }

    #[test]
    fn d2string_forms() {
        assert_eq!(d2string(-0.0), "0");
        assert_eq!(d2string(1.5), "1.5");
        assert_eq!(d2string(123456789012345678.0), "123456789012345680");
        assert_eq!(d2string(1e300), "1.0000000000000001e+300");
        assert_eq!(d2string(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn add_flags_and_conversion() {
        let mut z = zset(&[("a", 1.0), ("b", 2.0)]);
        assert_eq!(z.encoding(), "listpack");
        let gt = AddFlags {
            gt: true,
            ..AddFlags::default()
        };
        assert_eq!(z.add(b"a", 0.5, gt, LIM).0, AddOut::Nop);
        assert_eq!(z.add(b"a", 3.0, gt, LIM).0, AddOut::Updated);
        assert_eq!(z.add(b"a", 3.0, AddFlags::default(), LIM).0, AddOut::Same);
        assert_eq!(z.rank(b"a", false), Some(1));
        z.add(b"c", 0.0, AddFlags::default(), LIM);
        z.add(b"d", 0.0, AddFlags::default(), LIM);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.rank(b"a", true), Some(0));
        let inf = AddFlags {
            incr: true,
            ..AddFlags::default()
        };
        z.add(b"a", f64::INFINITY, AddFlags::default(), LIM);
        assert_eq!(z.add(b"a", f64::NEG_INFINITY, inf, LIM).0, AddOut::Nan);
    }

    #[test]
    fn spans_in_both_encodings() {
        for n in [3, 5] {
            let items: Vec<(String, f64)> = (0..n).map(|i| (format!("m{i}"), i as f64)).collect();
            let refs: Vec<(&str, f64)> = items.iter().map(|(e, s)| (e.as_str(), *s)).collect();
            let z = zset(&refs);
            assert_eq!(z.score_span(&ScoreRange::new(1.0, 2.0)), (1, 3));
            let r = LexRange::parse(b"[m1", b"(m2").unwrap();
            assert_eq!(z.lex_span(&r, false), (1, 2));
            assert_eq!(z.lex_span(&r, true), (1, 2));
            assert_eq!(z.slice(0, 2, true)[0].0, b"m1");
        }
    }
}
