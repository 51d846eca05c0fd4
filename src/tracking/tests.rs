//! Unit tests of the tracking table (Redis tracking.c `TrackingTable`).

use super::*;

#[test]
fn remember_counts_items_once_per_client() {
    let mut t = Tracking::default();
    t.remember(b"a", 1);
    t.remember(b"a", 1);
    t.remember(b"a", 2);
    t.remember(b"b", 1);
    assert_eq!(t.total_keys(), 2);
    assert_eq!(t.items, 3);
}

#[test]
fn take_keeps_the_index_consistent() {
    let mut t = Tracking::default();
    for k in [b"a", b"b", b"c"] {
        t.remember(k, 7);
    }
    let ids = t.take(b"a").expect("tracked");
    assert_eq!(ids.len(), 1);
    assert!(t.take(b"a").is_none());
    // "c" moved into "a"'s slot and is still found.
    assert!(t.take(b"c").is_some());
    assert!(t.take(b"b").is_some());
    assert_eq!(t.total_keys(), 0);
    assert_eq!(t.items, 0);
}

#[test]
fn ids_iterate_in_little_endian_byte_order() {
    let mut t = Tracking::default();
    t.remember(b"k", 256);
    t.remember(b"k", 1);
    t.remember(b"k", 2);
    let ids: Vec<u64> = t
        .take(b"k")
        .expect("tracked")
        .into_iter()
        .map(u64::from_le_bytes)
        .collect();
    // As Redis's radix tree of memcpy'd ids orders them on x86.
    assert_eq!(ids, vec![256, 1, 2]);
}

#[test]
fn random_index_stays_in_range() {
    let mut t = Tracking {
        rng: 12345,
        ..Default::default()
    };
    for k in 0..10u8 {
        t.remember(&[k], 1);
    }
    for _ in 0..1000 {
        assert!(t.random_index() < 10);
    }
}
