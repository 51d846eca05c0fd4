//! Unit and property tests for the quicklist.

use super::*;
use proptest::prelude::*;

fn contents(ql: &Quicklist) -> Vec<Vec<u8>> {
    ql.iter(End::Head).map(|v| v.into_bytes()).collect()
}

/// Structural invariants: counts add up, no empty node, sizes are right,
/// the ends within the compress depth are raw.
fn check(ql: &Quicklist) {
    let total: usize = ql.nodes.iter().map(|n| n.count).sum();
    assert_eq!(total, ql.len());
    for n in &ql.nodes {
        assert!(n.count > 0, "empty node");
        if n.plain {
            assert_eq!(n.count, 1);
        }
        if let Data::Packed(lp) = &n.data {
            assert_eq!(lp.len(), n.count);
            assert_eq!(lp.bytes(), n.sz);
        }
    }
    let d = ql.compress as usize;
    let len = ql.nodes.len();
    for i in 0..len.min(d) {
        assert!(!ql.nodes[i].is_compressed(), "node {} within depth", i);
        assert!(!ql.nodes[len - 1 - i].is_compressed());
    }
    if d == 0 {
        assert_eq!(ql.compressed_nodes(), 0);
    }
    let mut rev: Vec<Vec<u8>> = ql.iter(End::Tail).map(|v| v.into_bytes()).collect();
    rev.reverse();
    assert_eq!(rev, contents(ql));
}

#[test]
fn byte_limited_nodes_split_like_redis() {
    // Redis 7.0.15 with list-max-listpack-size -1: 60 x 100-byte pushes
    // make nodes of 39 and 21 entries (4024 and 2170 bytes).
    let mut ql = Quicklist::new(-1, 0);
    for _ in 0..60 {
        ql.push_tail(&[b'x'; 100]);
    }
    assert_eq!(ql.node_counts(), [39, 21]);
    let sizes: Vec<usize> = ql.nodes.iter().map(|n| n.sz).collect();
    assert_eq!(sizes, [4024, 2170]);
    check(&ql);
}

#[test]
fn count_limited_nodes() {
    let mut ql = Quicklist::new(5, 0);
    for i in 0..12 {
        ql.push_tail(i.to_string().as_bytes());
    }
    assert_eq!(ql.node_counts(), [5, 5, 2]);
    for i in 0..3 {
        ql.push_head(format!("h{}", i).as_bytes());
    }
    assert_eq!(ql.node_counts(), [3, 5, 5, 2]);
    assert_eq!(ql.pop(End::Head), Some(LpOwned::Str(b"h2".to_vec())));
    assert_eq!(ql.pop(End::Tail), Some(LpOwned::Int(11)));
    assert_eq!(ql.index(0), Some(LpOwned::Str(b"h1".to_vec())));
    assert_eq!(ql.index(-1), Some(LpOwned::Int(10)));
    assert_eq!(ql.index(100), None);
    check(&ql);
}

/// LSET grows one element, then LINSERT after the first element splits the
/// node and tries to merge it back (the Redis merge estimate is `- 11`).
fn split_and_merge(total: usize) -> Vec<(usize, usize)> {
    let mut ql = Quicklist::new(-1, 0);
    for v in [&b"a"[..], b"b", b"c"] {
        ql.push_tail(v);
    }
    let s = total - 1;
    let big = vec![b'y'; s - 7 - 3 - 3 - 2 - 2];
    assert!(ql.replace_at_index(2, &big));
    let mut it = ql.iter_mut(End::Head, None).unwrap();
    let e = it.next().unwrap();
    it.insert(e, b"v", true);
    check(&ql);
    ql.nodes.iter().map(|n| (n.count, n.sz)).collect()
}

#[test]
fn insert_split_merges_like_redis() {
    // Measured on Redis 7.0.15 (see docs/encodings.md).
    assert_eq!(split_and_merge(4098), [(4, 4100)]);
    assert_eq!(split_and_merge(4099), [(1, 10), (3, 4098)]);
    assert_eq!(split_and_merge(4090), [(4, 4092)]);
}

#[test]
fn plain_nodes_for_large_elements() {
    let mut ql = Quicklist::new(-2, 0);
    ql.set_packed_threshold(10);
    ql.push_tail(b"small");
    ql.push_tail(b"this one is large");
    ql.push_tail(b"tiny");
    assert_eq!(ql.node_count(), 3);
    assert!(ql.nodes[1].plain);
    // Replacing inside a listpack with a large value splits around it.
    ql.push_head(b"s0");
    assert!(ql.replace_at_index(0, b"another large one"));
    assert_eq!(
        contents(&ql),
        [
            &b"another large one"[..],
            b"small",
            b"this one is large",
            b"tiny"
        ]
    );
    // Replacing a plain node with a small value.
    assert!(ql.replace_at_index(2, b"x"));
    assert_eq!(ql.index(2), Some(LpOwned::Str(b"x".to_vec())));
    check(&ql);
    assert_eq!(
        ql.pop(End::Head),
        Some(LpOwned::Str(b"another large one".to_vec()))
    );
    check(&ql);
    assert_eq!(checked_packed_threshold(0), Some(DEFAULT_PACKED_THRESHOLD));
    assert_eq!(checked_packed_threshold(1 << 32), None);
}

#[test]
fn compression_of_inner_nodes() {
    let mut ql = Quicklist::new(4, 1);
    for i in 0..40 {
        ql.push_tail(format!("element-number-{:04}-padding-padding-padding", i).as_bytes());
    }
    assert_eq!(ql.node_count(), 10);
    assert!(ql.compressed_nodes() >= 7, "{}", ql.compressed_nodes());
    assert!(!ql.nodes[0].is_compressed() && !ql.nodes[9].is_compressed());
    check(&ql);
    assert_eq!(
        ql.index(17).unwrap().into_bytes(),
        b"element-number-0017-padding-padding-padding"
    );
    let mut seen = Vec::new();
    ql.for_each_from(-5, End::Tail, |v| {
        seen.push(v.to_vec());
        seen.len() < 3
    });
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], b"element-number-0035-padding-padding-padding");
    // Mutating iteration decompresses and recompresses as it goes.
    let mut it = ql.iter_mut(End::Head, None).unwrap();
    while let Some(e) = it.next() {
        if it
            .value(&e)
            .to_vec()
            .ends_with(b"7-padding-padding-padding")
        {
            it.delete(e);
        }
    }
    drop(it);
    assert_eq!(ql.len(), 36);
    check(&ql);
    assert!(ql.compressed_nodes() >= 6);
    let views: Vec<_> = ql.node_views().collect();
    assert!(matches!(views[0], NodeView::Packed(_)));
    assert!(views
        .iter()
        .any(|v| matches!(v, NodeView::Compressed { .. })));
}

#[test]
fn del_range_and_rotate() {
    let mut ql = Quicklist::new(3, 0);
    for i in 0..10 {
        ql.push_tail(i.to_string().as_bytes());
    }
    assert!(ql.del_range(2, 5));
    assert_eq!(contents(&ql), [&b"0"[..], b"1", b"7", b"8", b"9"]);
    assert!(ql.del_range(-2, 10));
    assert_eq!(contents(&ql), [&b"0"[..], b"1", b"7"]);
    assert!(!ql.del_range(5, 1));
    assert!(!ql.del_range(0, 0));
    ql.rotate();
    assert_eq!(contents(&ql), [&b"7"[..], b"0", b"1"]);
    check(&ql);
}

#[derive(Debug, Clone)]
enum Op {
    Push(bool, Vec<u8>),
    Pop(bool),
    Insert(usize, bool, Vec<u8>),
    Replace(i64, Vec<u8>),
    DelRange(i64, i64),
    Remove(Vec<u8>, bool, usize),
    Rotate,
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        5 => (0u8..6).prop_map(|v| vec![b'a' + v]),
        2 => (-300i64..300).prop_map(|v| v.to_string().into_bytes()),
        2 => (1usize..120).prop_map(|n| vec![b'p'; n]),
        1 => (200usize..1200).prop_map(|n| vec![b'L'; n]),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<bool>(), value()).prop_map(|(h, v)| Op::Push(h, v)),
        2 => any::<bool>().prop_map(Op::Pop),
        3 => (any::<usize>(), any::<bool>(), value()).prop_map(|(i, a, v)| Op::Insert(i, a, v)),
        2 => (-40i64..40, value()).prop_map(|(i, v)| Op::Replace(i, v)),
        1 => (-40i64..40, -2i64..12).prop_map(|(s, n)| Op::DelRange(s, n)),
        1 => (value(), any::<bool>(), 0usize..3).prop_map(|(v, h, n)| Op::Remove(v, h, n)),
        1 => Just(Op::Rotate),
    ]
}

fn model_index(len: usize, idx: i64) -> Option<usize> {
    let i = if idx < 0 { len as i64 + idx } else { idx };
    (i >= 0 && (i as usize) < len).then_some(i as usize)
}

fn apply(ql: &mut Quicklist, m: &mut Vec<Vec<u8>>, op: &Op) {
    match op {
        Op::Push(head, v) => {
            if *head {
                ql.push_head(v);
                m.insert(0, v.clone());
            } else {
                ql.push_tail(v);
                m.push(v.clone());
            }
        }
        Op::Pop(head) => {
            let end = if *head { End::Head } else { End::Tail };
            let got = ql.pop(end).map(|v| v.into_bytes());
            let want = if m.is_empty() {
                None
            } else if *head {
                Some(m.remove(0))
            } else {
                m.pop()
            };
            assert_eq!(got, want);
        }
        Op::Insert(i, after, v) if !m.is_empty() => {
            let i = i % m.len();
            let mut it = ql.iter_mut(End::Head, Some(i as i64)).unwrap();
            let e = it.next().unwrap();
            assert!(it.compare(&e, &m[i]));
            it.insert(e, v, *after);
            m.insert(if *after { i + 1 } else { i }, v.clone());
        }
        Op::Replace(i, v) => {
            let ok = ql.replace_at_index(*i, v);
            let mi = model_index(m.len(), *i);
            assert_eq!(ok, mi.is_some());
            if let Some(mi) = mi {
                m[mi] = v.clone();
            }
        }
        Op::DelRange(start, count) => {
            let ok = ql.del_range(*start, *count);
            let mi = model_index(m.len(), *start);
            assert_eq!(ok, mi.is_some() && *count > 0);
            if let (Some(s), true) = (mi, *count > 0) {
                let e = (s + *count as usize).min(m.len());
                m.drain(s..e);
            }
        }
        Op::Remove(v, head, limit) => {
            // LREM: remove up to `limit` (0 = all) matches from one end.
            let dir = if *head { End::Head } else { End::Tail };
            let mut removed = 0;
            if let Some(mut it) = ql.iter_mut(dir, None) {
                while let Some(e) = it.next() {
                    if it.compare(&e, v) {
                        it.delete(e);
                        removed += 1;
                        if *limit != 0 && removed == *limit {
                            break;
                        }
                    }
                }
            }
            let mut left = removed;
            if *head {
                m.retain(|x| {
                    !(x == v && left > 0 && {
                        left -= 1;
                        true
                    })
                });
            } else {
                m.reverse();
                m.retain(|x| {
                    !(x == v && left > 0 && {
                        left -= 1;
                        true
                    })
                });
                m.reverse();
            }
        }
        Op::Rotate => {
            ql.rotate();
            if m.len() > 1 {
                let last = m.pop().unwrap();
                m.insert(0, last);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn quicklist_matches_vec_model(
        fill in prop_oneof![Just(-1i32), Just(-2), Just(1), Just(2), Just(5), Just(0)],
        depth in 0u32..3,
        threshold in prop_oneof![Just(DEFAULT_PACKED_THRESHOLD), Just(300usize)],
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let mut ql = Quicklist::new(fill, depth);
        ql.set_packed_threshold(threshold);
        let mut m: Vec<Vec<u8>> = Vec::new();
        for o in &ops {
            apply(&mut ql, &mut m, o);
            prop_assert_eq!(ql.len(), m.len());
            check(&ql);
        }
        prop_assert_eq!(contents(&ql), m.clone());
        for (i, v) in m.iter().enumerate() {
            prop_assert_eq!(ql.index(i as i64).map(|x| x.into_bytes()), Some(v.clone()));
            prop_assert_eq!(
                ql.index(i as i64 - m.len() as i64).map(|x| x.into_bytes()),
                Some(v.clone())
            );
        }
        let dup = ql.clone();
        prop_assert_eq!(contents(&dup), m);
    }
}
