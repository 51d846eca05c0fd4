//! Property test: the node structure against a `BTreeMap` model under random
//! XADD, XDEL, XTRIM (exact and approximate) and XRANGE/XREVRANGE, with small
//! node limits so nodes split and empty often.

use std::collections::BTreeMap;

use super::node;
use super::*;

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;
type Model = BTreeMap<StreamId, Pairs>;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn random_fields(rng: &mut Rng) -> Vec<(Vec<u8>, Vec<u8>)> {
    let n = 1 + rng.below(3) as usize;
    (0..n)
        .map(|i| {
            let f = if rng.below(3) == 0 {
                format!("f{}", rng.below(5)).into_bytes()
            } else {
                format!("field{i}").into_bytes()
            };
            let v = match rng.below(3) {
                0 => rng.below(1000).to_string().into_bytes(),
                1 => vec![b'x'; rng.below(40) as usize],
                _ => format!("-{}", rng.below(1 << 40)).into_bytes(),
            };
            (f, v)
        })
        .collect()
}

fn entries(s: &Stream, start: StreamId, end: StreamId, rev: bool) -> Vec<(StreamId, Pairs)> {
    s.range(start, end, rev)
        .map(|e| {
            let fields = e.fields().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
            (e.id, fields)
        })
        .collect()
}

/// Node invariants: counters match flags, and the metadata agrees with the model.
fn check_invariants(s: &Stream, model: &Model) {
    let mut live = 0;
    for (master_id, lp) in s.nodes() {
        let m = node::master(lp).expect("master entry");
        let (mut count, mut deleted) = (0, 0);
        let mut p = m.first_entry(lp);
        while let Some(q) = p {
            let e = node::entry_at(lp, &m, master_id, q).expect("entry");
            if e.deleted() {
                deleted += 1;
            } else {
                count += 1;
            }
            p = lp.next(e.lp_count);
        }
        assert_eq!((m.count, m.deleted), (count, deleted));
        // A node may keep only deleted entries: Redis's exact MINID trim
        // flags entries before a deleted last entry without dropping the node.
        live += count;
    }
    assert_eq!(live as u64, s.length);
    assert_eq!(s.length, model.len() as u64);
    let first = model.keys().next().copied().unwrap_or(StreamId::MIN);
    assert_eq!(s.first_id, first);
}

fn random_id(rng: &mut Rng, s: &Stream) -> StreamId {
    StreamId::new(rng.below(s.last_id.ms + 3), rng.below(4))
}

fn step(rng: &mut Rng, s: &mut Stream, model: &mut Model, limits: NodeLimits) {
    match rng.below(10) {
        0..=4 => {
            let fields = random_fields(rng);
            let flat: Vec<&[u8]> = fields.iter().flat_map(|(f, v)| [&f[..], &v[..]]).collect();
            let spec = if rng.below(2) == 0 {
                AddId::SeqAuto(s.last_id.ms + rng.below(2))
            } else {
                AddId::Explicit(StreamId::new(s.last_id.ms + rng.below(3), rng.below(3)))
            };
            if let Ok(id) = s.append(&flat, spec, limits) {
                model.insert(id, fields);
            }
        }
        5 | 6 => {
            let id = match model.keys().nth(rng.below(model.len() as u64 + 1) as usize) {
                Some(id) => *id,
                None => random_id(rng, s),
            };
            let was = model.remove(&id).is_some();
            assert_eq!(s.delete(id), was);
            if was && s.length == 0 {
                s.first_id = StreamId::MIN;
            } else if was {
                s.first_id = s.edge_id(true, true);
            }
        }
        7 => {
            let strategy = if rng.below(2) == 0 {
                TrimStrategy::MaxLen(rng.below(model.len() as u64 + 2))
            } else {
                TrimStrategy::MinId(random_id(rng, s))
            };
            let approx = rng.below(2) == 0;
            let limit = if approx { rng.below(6) as i64 } else { 0 };
            let args = TrimArgs {
                strategy,
                approx,
                limit,
            };
            let before = model.len();
            let n = s.trim(&args);
            // Trimming removes a prefix; exact trimming reaches the target.
            for _ in 0..n {
                let k = *model.keys().next().expect("trimmed more than there was");
                model.remove(&k);
            }
            assert_eq!(before - model.len(), n as usize);
            if !approx {
                match strategy {
                    TrimStrategy::MaxLen(max) => assert!(model.len() as u64 <= max),
                    TrimStrategy::MinId(min) => assert!(model.keys().all(|k| *k >= min)),
                }
            }
        }
        _ => {
            let (a, b) = (random_id(rng, s), random_id(rng, s));
            let rev = rng.below(2) == 0;
            let got = entries(s, a, b, rev);
            let mut want: Vec<_> = model
                .range(a..=b.max(a))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            if a > b {
                want.clear();
            }
            if rev {
                want.reverse();
            }
            assert_eq!(got, want);
        }
    }
}

#[test]
fn stream_matches_model() {
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let limits = NodeLimits {
            max_bytes: [0, 60, 200, 4096][seed as usize % 4],
            max_entries: [1, 2, 3, 5, 0][seed as usize % 5],
        };
        let mut s = Stream::new();
        let mut model = Model::new();
        for _ in 0..400 {
            step(&mut rng, &mut s, &mut model, limits);
            check_invariants(&s, &model);
        }
        let all = entries(&s, StreamId::MIN, StreamId::MAX, false);
        let want: Vec<_> = model.iter().map(|(k, v)| (*k, v.clone())).collect();
        assert_eq!(all, want);
    }
}

#[test]
fn node_layout_matches_redis() {
    // XADD s 1-1 a 1 b 2; XADD s 1-2 a 3 b 4; XADD s 2-0 c x: the master
    // entry, SAMEFIELDS entries, then a full entry, as Redis lays them out.
    let mut s = Stream::new();
    let limits = NodeLimits {
        max_bytes: 4096,
        max_entries: 100,
    };
    s.append(
        &[b"a", b"1", b"b", b"2"],
        AddId::Explicit(StreamId::new(1, 1)),
        limits,
    )
    .unwrap();
    s.append(
        &[b"a", b"3", b"b", b"4"],
        AddId::Explicit(StreamId::new(1, 2)),
        limits,
    )
    .unwrap();
    s.append(&[b"c", b"x"], AddId::SeqAuto(2), limits).unwrap();
    let (_, lp) = s.nodes().next().unwrap();
    let vals: Vec<Vec<u8>> = lp.iter().map(|v| v.to_vec()).collect();
    let want: Vec<&[u8]> = vec![
        b"3", b"0", b"2", b"a", b"b", b"0", // master
        b"2", b"0", b"0", b"1", b"2", b"5", // 1-1 samefields
        b"2", b"0", b"1", b"3", b"4", b"5", // 1-2 samefields
    ];
    assert_eq!(vals.len(), 25);
    assert_eq!(
        vals[..18].iter().map(|v| &v[..]).collect::<Vec<_>>(),
        want[..18]
    );
    // seq-diff 0 - 1 wraps to -1 as Redis's int64 cast does.
    assert_eq!(&vals[20][..], b"-1");
    assert_eq!(s.rax_nodes(), 2);
}
