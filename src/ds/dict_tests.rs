//! Tests of the dict against a HashMap model, and of the SCAN guarantee.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::*;

type D = Dict<Vec<u8>, u64>;

fn key(i: u64) -> Vec<u8> {
    format!("key:{}", i).into_bytes()
}

#[test]
fn add_find_remove() {
    let mut d = D::new();
    for i in 0..1000 {
        assert!(d.add(key(i), i).is_ok());
    }
    assert!(d.add(key(5), 0).is_err());
    assert_eq!(d.len(), 1000);
    for i in 0..1000 {
        assert_eq!(d.get(&key(i)), Some(&i));
    }
    for i in 0..1000 {
        if i % 2 == 0 {
            assert_eq!(d.remove(&key(i)).map(|(_, v)| v), Some(i));
        }
    }
    assert_eq!(d.len(), 500);
    assert!(d.remove(&key(0)).is_none());
    assert_eq!(d.iter().count(), 500);
    assert_eq!(d.replace(key(1), 7), Some(1));
    assert_eq!(d.get(&key(1)), Some(&7));
}

#[test]
fn grows_and_shrinks_incrementally() {
    let mut d = D::new();
    for i in 0..10_000 {
        d.insert_new(key(i), i);
    }
    while d.rehash(100) {}
    assert!(d.slots() >= 10_000);
    for i in 0..9_990 {
        d.remove(&key(i));
    }
    assert!(d.needs_shrink());
    d.shrink_if_needed();
    assert!(d.is_rehashing());
    // Lookups keep working in the middle of the rehash.
    for i in 9_990..10_000 {
        assert_eq!(d.get(&key(i)), Some(&i));
    }
    let mut n = 0;
    while d.rehash_for(|| false) > 0 {
        n += 1;
        assert!(n < 10_000);
    }
    assert!(!d.is_rehashing());
    assert_eq!(d.slots(), 16);
}

#[test]
fn random_and_sample() {
    let mut d = D::new();
    assert!(d.random_entry().is_none());
    assert!(d.fair_random().is_none());
    for i in 0..100 {
        d.insert_new(key(i), i);
    }
    let mut seen = HashSet::new();
    for _ in 0..5000 {
        seen.insert(*d.fair_random().map(|e| &e.val).unwrap());
        seen.insert(d.random_entry().unwrap().val);
    }
    assert_eq!(seen.len(), 100);
    let s = d.sample(20);
    assert!(!s.is_empty() && s.len() <= 20);
    let uniq: HashSet<u64> = s.iter().map(|e| e.val).collect();
    assert_eq!(uniq.len(), s.len());
}

#[test]
fn table_stats() {
    let mut d = D::new();
    for i in 0..10 {
        d.insert_new(key(i), i);
    }
    while d.rehash(100) {}
    let st = d.table_stats();
    assert_eq!(st[0].used, 10);
    assert_eq!(st[0].chain_counts.iter().sum::<usize>(), st[0].size);
}

/// Scans to completion while `mutate` runs between calls; returns the keys seen.
fn full_scan(d: &mut D, mut mutate: impl FnMut(&mut D, usize)) -> HashSet<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut cursor = 0u64;
    let mut step = 0;
    loop {
        cursor = d.scan(cursor, |e| {
            seen.insert(e.key().clone());
        });
        if cursor == 0 {
            return seen;
        }
        mutate(d, step);
        step += 1;
        assert!(step < 1_000_000, "scan does not terminate");
    }
}

#[test]
fn scan_guarantee_while_growing_and_shrinking() {
    let mut d = D::new();
    for i in 0..1000 {
        d.insert_new(key(i), i);
    }
    // Keys 0..500 stay for the whole scan; the others come and go, forcing
    // growth to tens of thousands of slots then a shrink.
    let seen = full_scan(&mut d, |d, step| {
        if step < 300 {
            for j in 0..100 {
                let k = 100_000 + step as u64 * 100 + j;
                d.insert_new(key(k), k);
            }
        } else if step == 300 {
            let extra: Vec<Vec<u8>> = d
                .iter()
                .filter(|e| e.val >= 500)
                .map(|e| e.key().clone())
                .collect();
            for k in extra {
                d.remove(&k);
            }
            d.shrink_if_needed();
        }
        d.rehash(1);
    });
    for i in 0..500 {
        assert!(seen.contains(&key(i)), "key {} missed", i);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add(u16),
    Replace(u16, u64),
    Remove(u16),
    Shrink,
    Rehash(u8),
    ScanStep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u16>().prop_map(|k| Op::Add(k % 2000)),
        2 => (any::<u16>(), any::<u64>()).prop_map(|(k, v)| Op::Replace(k % 2000, v)),
        4 => any::<u16>().prop_map(|k| Op::Remove(k % 2000)),
        1 => Just(Op::Shrink),
        1 => any::<u8>().prop_map(Op::Rehash),
        2 => Just(Op::ScanStep),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any interleaving of updates, resizes and scan steps behaves like a
    /// HashMap, and a scan returns every key present from its start to its end.
    #[test]
    fn behaves_like_hashmap(ops in proptest::collection::vec(op(), 1..1500)) {
        let mut d = D::new();
        let mut model: HashMap<Vec<u8>, u64> = HashMap::new();
        let mut cursor = 0u64;
        let mut scan_seen: HashSet<Vec<u8>> = HashSet::new();
        let mut scan_start: HashSet<Vec<u8>> = HashSet::new();
        let mut removed_during: HashSet<Vec<u8>> = HashSet::new();
        for op in ops {
            match op {
                Op::Add(k) => {
                    let r = d.add(key(k as u64), k as u64).is_ok();
                    let m = !model.contains_key(&key(k as u64));
                    if m { model.insert(key(k as u64), k as u64); }
                    prop_assert_eq!(r, m);
                }
                Op::Replace(k, v) => {
                    prop_assert_eq!(d.replace(key(k as u64), v), model.insert(key(k as u64), v));
                }
                Op::Remove(k) => {
                    let r = d.remove(&key(k as u64)).map(|(_, v)| v);
                    prop_assert_eq!(r, model.remove(&key(k as u64)));
                    removed_during.insert(key(k as u64));
                }
                Op::Shrink => d.shrink_if_needed(),
                Op::Rehash(n) => { d.rehash(n as usize); }
                Op::ScanStep => {
                    if cursor == 0 {
                        scan_seen.clear();
                        removed_during.clear();
                        scan_start = model.keys().cloned().collect();
                    }
                    cursor = d.scan(cursor, |e| { scan_seen.insert(e.key().clone()); });
                    if cursor == 0 {
                        for k in scan_start.difference(&removed_during) {
                            prop_assert!(scan_seen.contains(k), "scan missed {:?}", k);
                        }
                    }
                }
            }
            prop_assert_eq!(d.len(), model.len());
        }
        let all: HashMap<Vec<u8>, u64> = d.iter().map(|e| (e.key().clone(), e.val)).collect();
        prop_assert_eq!(all, model.clone());
        for (k, v) in &model {
            prop_assert_eq!(d.get(k), Some(v));
        }
    }
}

/// A keyspace entry stays one 48-byte allocation with the chain link
/// and the key in its first 32 bytes (see `Entry`).
#[test]
fn link_and_key_come_first_in_a_keyspace_entry() {
    type E = super::Entry<crate::keyspace::key::Key, crate::types::object::Value>;
    assert_eq!(std::mem::size_of::<E>(), 48);
    assert_eq!(std::mem::offset_of!(E, next), 0);
    assert_eq!(std::mem::offset_of!(E, key), 8);
    assert_eq!(std::mem::offset_of!(E, val), 32);
}

#[test]
fn denied_growth_waits_for_the_max_load_factor() {
    let mut d = D::new();
    for i in 0..4 {
        d.insert_new(key(i), i);
    }
    assert_eq!(d.slots(), 4);
    assert_eq!(
        d.growth_bytes(),
        Some(8 * std::mem::size_of::<Chain<Vec<u8>, u64>>())
    );
    d.expand_allowed = false;
    // 5 and 6 keys in 4 buckets: load factor up to 1.5, no growth.
    d.insert_new(key(4), 4);
    d.insert_new(key(5), 5);
    assert_eq!(d.slots(), 4);
    // 7 keys: the next insert sees 1.75 > 1.618 and grows anyway.
    d.insert_new(key(6), 6);
    d.insert_new(key(7), 7);
    assert!(d.slots() > 4);
    for i in 0..8 {
        assert_eq!(d.get(&key(i)), Some(&i));
    }
}

/// The reservoir over a long chain reaches its end (Redis 7.0.15's fix for
/// SRANDMEMBER on a dict with one long chain): every position of 200 is
/// picked sometimes, not only the first 15.
#[test]
fn reservoir_reaches_the_end_of_a_long_chain() {
    let mut d = D::new();
    let mut seen = [0usize; 200];
    for _ in 0..2000 {
        let picks = d.reservoir(200, 15);
        assert_eq!(picks.len(), 15);
        let mut uniq = picks.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(uniq.len(), 15, "no repeats");
        for p in picks {
            seen[p] += 1;
        }
    }
    assert!(seen.iter().all(|&n| n > 0), "{:?}", seen);
    assert_eq!(d.reservoir(3, 15), [0, 1, 2]);
}

/// fair_random over a small dict returns every element eventually.
#[test]
fn fair_random_reaches_every_element() {
    let mut d = D::new();
    for i in 0..100 {
        d.insert_new(key(i), i);
    }
    let mut seen = HashSet::new();
    for _ in 0..20_000 {
        seen.insert(d.fair_random().map(|e| e.val).unwrap());
    }
    assert_eq!(seen.len(), 100);
}
