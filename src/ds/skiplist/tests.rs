//! Unit and property tests for the skiplist.

use super::*;
use proptest::prelude::*;

type Sl = Skiplist<Vec<u8>>;

/// Walks every level checking links, spans, backward links and the tail.
fn check(sl: &Sl) {
    let order: Vec<u32> = std::iter::successors(sl.first(), |&x| sl.next(x)).collect();
    assert_eq!(order.len(), sl.len());
    let mut rank = std::collections::HashMap::new();
    rank.insert(sl.head, 0usize);
    for (i, &x) in order.iter().enumerate() {
        rank.insert(x, i + 1);
        let want_back = if i == 0 { None } else { Some(order[i - 1]) };
        assert_eq!(sl.prev(x), want_back);
    }
    assert_eq!(sl.last(), order.last().copied());
    for w in order.windows(2) {
        let (a, b) = (sl.key(w[0]), sl.key(w[1]));
        assert!(a.0 < b.0 || (a.0 == b.0 && a.1 < b.1), "sorted");
    }
    for lvl in 0..sl.level {
        let mut x = sl.head;
        loop {
            let f = sl.fwd(x, lvl);
            if f == NIL {
                break;
            }
            assert_eq!(
                rank[&x] + sl.span(x, lvl) as usize,
                rank[&f],
                "span at {}",
                lvl
            );
            x = f;
        }
    }
    for lvl in sl.level..MAX_LEVEL {
        assert_eq!(sl.fwd(sl.head, lvl), NIL);
    }
    if sl.level > 1 {
        assert_ne!(sl.fwd(sl.head, sl.level - 1), NIL, "top level in use");
    }
}

fn model_sorted(m: &[(f64, Vec<u8>)]) -> Vec<(f64, Vec<u8>)> {
    let mut v = m.to_vec();
    v.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then_with(|| a.1.cmp(&b.1)));
    v
}

fn contents(sl: &Sl) -> Vec<(f64, Vec<u8>)> {
    sl.iter().map(|(e, s)| (s, e.clone())).collect()
}

#[test]
fn insert_rank_and_delete() {
    let mut sl = Sl::new();
    for (s, e) in [(1.0, "a"), (2.0, "b"), (1.0, "c"), (0.5, "z")] {
        sl.insert(s, e.as_bytes().to_vec());
        check(&sl);
    }
    let got: Vec<_> = sl.iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(
        got,
        [b"z".to_vec(), b"a".to_vec(), b"c".to_vec(), b"b".to_vec()]
    );
    assert_eq!(sl.rank(1.0, b"c"), 3);
    assert_eq!(sl.rank(1.0, b"b"), 0, "wrong score");
    assert_eq!(sl.ele(sl.by_rank(4).unwrap()), b"b");
    assert_eq!(sl.by_rank(0), None);
    assert_eq!(sl.by_rank(5), None);
    assert_eq!(sl.delete(1.0, b"a"), Some(b"a".to_vec()));
    assert_eq!(sl.delete(1.0, b"a"), None);
    check(&sl);
    let id = sl.update_score(1.0, b"c", 1.5).unwrap();
    assert_eq!(sl.score(id), 1.5);
    let id = sl.update_score(1.5, b"c", 10.0).unwrap();
    assert_eq!(sl.last(), Some(id));
    assert_eq!(sl.update_score(1.5, b"c", 3.0), None);
    check(&sl);
}

#[test]
fn score_ranges_with_infinities_and_exclusive_ends() {
    let mut sl = Sl::new();
    for i in 0..10 {
        sl.insert(i as f64, format!("e{}", i).into_bytes());
    }
    let r = ScoreRange {
        min: 2.0,
        max: 5.0,
        minex: true,
        maxex: false,
    };
    assert_eq!(sl.score(sl.first_in_range(&r).unwrap()), 3.0);
    assert_eq!(sl.score(sl.last_in_range(&r).unwrap()), 5.0);
    let all = ScoreRange::new(f64::NEG_INFINITY, f64::INFINITY);
    assert_eq!(sl.score(sl.first_in_range(&all).unwrap()), 0.0);
    assert_eq!(sl.score(sl.last_in_range(&all).unwrap()), 9.0);
    let none = ScoreRange {
        min: 3.0,
        max: 3.0,
        minex: true,
        maxex: false,
    };
    assert!(none.is_empty());
    assert_eq!(sl.first_in_range(&none), None);
    assert_eq!(sl.first_in_range(&ScoreRange::new(3.5, 3.9)), None);
    assert_eq!(sl.last_in_range(&ScoreRange::new(3.5, 3.9)), None);
    let mut gone = Vec::new();
    let n = sl.delete_range_by_score(&r, |e, s| gone.push((e, s)));
    assert_eq!(n, 3);
    assert_eq!(gone[0], (b"e3".to_vec(), 3.0));
    check(&sl);
    assert_eq!(sl.delete_range_by_rank(1, 2, |_, _| {}), 2);
    assert_eq!(sl.score(sl.first().unwrap()), 2.0);
    check(&sl);
}

#[test]
fn parse_ranges() {
    let strtod = |s: &[u8]| -> Option<f64> {
        let t = std::str::from_utf8(s).ok()?;
        match t {
            "inf" | "+inf" => Some(f64::INFINITY),
            "-inf" => Some(f64::NEG_INFINITY),
            _ => t.parse().ok(),
        }
    };
    let r = ScoreRange::parse_with(b"(1.5", b"+inf", strtod).unwrap();
    assert!(r.minex && !r.maxex && r.min == 1.5 && r.max == f64::INFINITY);
    assert!(ScoreRange::parse_with(b"x", b"1", strtod).is_none());
    assert!(ScoreRange::parse_with(b"1", b"(nan", strtod).is_none());
    let l = LexRange::parse(b"[a", b"(c").unwrap();
    assert!(l.contains(b"a") && l.contains(b"b") && !l.contains(b"c"));
    let l = LexRange::parse(b"-", b"+").unwrap();
    assert!(l.contains(b"") && l.contains(b"\xff\xff"));
    for bad in [&b"a"[..], b"", b"+a", b"-a", b"]"] {
        assert!(LexRange::parse(bad, b"+").is_none());
    }
    assert!(LexRange::parse(b"+", b"-").unwrap().is_empty());
    assert!(LexRange::parse(b"-", b"-").unwrap().is_empty());
    assert!(LexRange::parse(b"(a", b"[a").unwrap().is_empty());
    assert!(!LexRange::parse(b"[a", b"[a").unwrap().is_empty());
    assert!(LexRange::parse(b"[b", b"[a").unwrap().is_empty());
}

#[test]
fn lex_ranges() {
    let mut sl = Sl::new();
    for e in ["a", "b", "c", "d", "e"] {
        sl.insert(0.0, e.as_bytes().to_vec());
    }
    let r = LexRange::parse(b"(a", b"[c").unwrap();
    assert_eq!(sl.ele(sl.first_in_lex_range(&r).unwrap()), b"b");
    assert_eq!(sl.ele(sl.last_in_lex_range(&r).unwrap()), b"c");
    let r = LexRange::parse(b"[bb", b"(c").unwrap();
    assert_eq!(sl.first_in_lex_range(&r), None);
    let r = LexRange::parse(b"-", b"(c").unwrap();
    assert_eq!(sl.delete_range_by_lex(&r, |_, _| {}), 2);
    assert_eq!(sl.ele(sl.first().unwrap()), b"c");
    check(&sl);
}

#[test]
fn levels_follow_quarter_probability() {
    let mut sl = Sl::with_seed(42);
    for i in 0..20000 {
        sl.insert(i as f64, Vec::new());
    }
    let tall = std::iter::successors(sl.first(), |&x| sl.next(x))
        .filter(|&x| sl.node_level(x) >= 2)
        .count();
    // One node in four reaches level 2.
    assert!((4500..5500).contains(&tall), "{}", tall);
    assert!(sl.levels() >= 5 && sl.levels() <= MAX_LEVEL);
    check(&sl);
    let n = sl.delete_range_by_rank(1, 20000, |_, _| {});
    assert_eq!(n, 20000);
    assert!(sl.is_empty());
    assert_eq!(sl.levels(), 1);
    check(&sl);
}

#[derive(Debug, Clone)]
enum Op {
    Insert(i8, u8),
    Delete(usize),
    Update(usize, i8),
    DelScore(i8, i8, bool, bool),
    DelRank(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (any::<i8>(), any::<u8>()).prop_map(|(s, e)| Op::Insert(s % 20, e % 40)),
        2 => any::<usize>().prop_map(Op::Delete),
        2 => (any::<usize>(), any::<i8>()).prop_map(|(i, s)| Op::Update(i, s % 20)),
        1 => (any::<i8>(), any::<i8>(), any::<bool>(), any::<bool>())
            .prop_map(|(a, b, x, y)| Op::DelScore(a % 20, b % 20, x, y)),
        1 => (1usize..30, 0usize..5).prop_map(|(a, n)| Op::DelRank(a, n)),
    ]
}

fn score_range(a: i8, b: i8, minex: bool, maxex: bool) -> ScoreRange {
    let f = |v: i8| match v {
        -19 => f64::NEG_INFINITY,
        19 => f64::INFINITY,
        v => v as f64 / 2.0,
    };
    ScoreRange {
        min: f(a),
        max: f(b),
        minex,
        maxex,
    }
}

fn apply(sl: &mut Sl, m: &mut Vec<(f64, Vec<u8>)>, op: &Op) {
    match *op {
        Op::Insert(s, e) => {
            let ele = vec![b'a' + e % 26; 1 + (e / 26) as usize];
            if !m.iter().any(|x| x.1 == ele) {
                sl.insert(s as f64 / 2.0, ele.clone());
                m.push((s as f64 / 2.0, ele));
            }
        }
        Op::Delete(i) if !m.is_empty() => {
            let (s, e) = m.remove(i % m.len());
            assert_eq!(sl.delete(s, &e), Some(e));
        }
        Op::Update(i, s) if !m.is_empty() => {
            let i = i % m.len();
            let new = s as f64 / 2.0;
            let id = sl.update_score(m[i].0, &m[i].1, new).unwrap();
            assert_eq!(sl.ele(id), &m[i].1);
            m[i].0 = new;
        }
        Op::DelScore(a, b, x, y) => {
            let r = score_range(a, b, x, y);
            let mut gone = Vec::new();
            let n = sl.delete_range_by_score(&r, |e, s| gone.push((s, e)));
            let want: Vec<_> = model_sorted(m)
                .into_iter()
                .filter(|x| r.contains(x.0))
                .collect();
            assert_eq!(gone, want);
            assert_eq!(n, want.len());
            m.retain(|x| !r.contains(x.0));
        }
        Op::DelRank(start, n) => {
            let sorted = model_sorted(m);
            let end = start + n;
            let got = sl.delete_range_by_rank(start, end, |_, _| {});
            let gone: Vec<_> = sorted
                .iter()
                .enumerate()
                .filter(|(i, _)| (start..=end).contains(&(i + 1)))
                .map(|(_, x)| x.clone())
                .collect();
            assert_eq!(got, gone.len());
            m.retain(|x| !gone.contains(x));
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn skiplist_matches_sorted_vec(ops in prop::collection::vec(op(), 0..120), seed in any::<u64>()) {
        let mut sl = Sl::with_seed(seed);
        let mut m: Vec<(f64, Vec<u8>)> = Vec::new();
        for o in &ops {
            apply(&mut sl, &mut m, o);
            prop_assert_eq!(sl.len(), m.len());
        }
        check(&sl);
        let sorted = model_sorted(&m);
        prop_assert_eq!(contents(&sl), sorted.clone());
        for (i, (s, e)) in sorted.iter().enumerate() {
            prop_assert_eq!(sl.rank(*s, e), i + 1);
            let id = sl.by_rank(i + 1).unwrap();
            prop_assert_eq!(sl.ele(id), e);
        }
        for a in [-19i8, -3, 0, 1, 5, 19] {
            for b in [-19i8, -2, 0, 2, 7, 19] {
                for (x, y) in [(false, false), (true, false), (false, true), (true, true)] {
                    let r = score_range(a, b, x, y);
                    let inr: Vec<_> = sorted.iter().filter(|v| r.contains(v.0)).collect();
                    let first = sl.first_in_range(&r).map(|id| (sl.score(id), sl.ele(id).clone()));
                    let last = sl.last_in_range(&r).map(|id| (sl.score(id), sl.ele(id).clone()));
                    prop_assert_eq!(first, inr.first().map(|v| (*v).clone()));
                    prop_assert_eq!(last, inr.last().map(|v| (*v).clone()));
                }
            }
        }
    }

    #[test]
    fn lex_ranges_match_model(
        eles in prop::collection::btree_set(prop::collection::vec(b'a'..b'e', 0..4), 0..30),
        lo in prop::collection::vec(b'a'..b'e', 0..3),
        hi in prop::collection::vec(b'a'..b'e', 0..3),
        kinds in (0u8..4, 0u8..4),
    ) {
        let mut sl = Sl::new();
        for e in &eles {
            sl.insert(0.0, e.clone());
        }
        let bound = |k: u8, v: &Vec<u8>| match k {
            0 => LexBound::Min,
            1 => LexBound::Max,
            2 => LexBound::Incl(v.clone()),
            _ => LexBound::Excl(v.clone()),
        };
        let r = LexRange { min: bound(kinds.0, &lo), max: bound(kinds.1, &hi) };
        let inr: Vec<&Vec<u8>> = eles.iter().filter(|e| r.contains(e)).collect();
        let first = sl.first_in_lex_range(&r).map(|id| sl.ele(id).clone());
        let last = sl.last_in_lex_range(&r).map(|id| sl.ele(id).clone());
        prop_assert_eq!(first.as_ref(), inr.first().copied());
        prop_assert_eq!(last.as_ref(), inr.last().copied());
        let mut gone = Vec::new();
        sl.delete_range_by_lex(&r, |e, _| gone.push(e));
        prop_assert_eq!(gone.iter().collect::<Vec<_>>(), inr);
        check(&sl);
    }
}

#[test]
fn chunks_and_pools_survive_emptying_and_reuse() {
    // Past one pool chunk (1024 nodes), deleting everything, then refilling
    // and deleting half: slots of every pool are reused.
    let mut sl = Sl::with_seed(7);
    for round in 0..2 {
        for i in 0..3000u32 {
            sl.insert(f64::from(i % 97), format!("m{i}").into_bytes());
        }
        check(&sl);
        for i in (0..3000u32).filter(|i| round == 0 || i % 2 == 0) {
            assert!(sl
                .delete(f64::from(i % 97), format!("m{i}").as_bytes())
                .is_some());
        }
        check(&sl);
    }
    assert_eq!(sl.len(), 1500);
    for i in 0..500u32 {
        sl.insert(1000.0 + f64::from(i), format!("n{i}").into_bytes());
    }
    check(&sl);
    assert_eq!(sl.rank(1499.0, b"n499"), 2000);
}
