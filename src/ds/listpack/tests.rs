//! Unit and property tests for the listpack.

use super::encoding::{decode_backlen, encode_backlen, MAX_BACKLEN_SIZE};
use super::*;
use proptest::prelude::*;

fn s(v: &[u8]) -> LpValue<'_> {
    LpValue::Str(v)
}

fn strings(lp: &Listpack) -> Vec<Vec<u8>> {
    lp.iter().map(|v| v.to_vec()).collect()
}

#[test]
fn empty_listpack_bytes() {
    let lp = Listpack::new();
    assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
    assert_eq!(lp.len(), 0);
    assert_eq!(lp.first(), None);
    assert_eq!(lp.last(), None);
    assert_eq!(lp.seek(0), None);
    assert_eq!(lp.seek(-1), None);
}

#[test]
fn integer_encodings_have_redis_sizes() {
    // (value, encoded entry size without backlen)
    let cases: &[(i64, usize)] = &[
        (0, 1),
        (127, 1),
        (128, 2),
        (-1, 2),
        (-4096, 2),
        (4095, 2),
        (4096, 3),
        (-4097, 3),
        (32767, 3),
        (-32768, 3),
        (32768, 4),
        (-32769, 4),
        (8_388_607, 4),
        (-8_388_608, 4),
        (8_388_608, 5),
        (i32::MAX as i64, 5),
        (i32::MIN as i64, 5),
        (i32::MAX as i64 + 1, 9),
        (i64::MAX, 9),
        (i64::MIN, 9),
    ];
    for &(v, size) in cases {
        let mut lp = Listpack::new();
        lp.append(LpValue::Int(v));
        assert_eq!(lp.bytes(), 7 + size + 1, "value {}", v);
        assert_eq!(lp.get(lp.first().unwrap()), LpValue::Int(v));
        // The same number given as a string is stored as an integer.
        let mut lp2 = Listpack::new();
        lp2.append(s(v.to_string().as_bytes()));
        assert_eq!(lp.as_bytes(), lp2.as_bytes());
    }
}

#[test]
fn exact_bytes_of_small_entries() {
    let mut lp = Listpack::new();
    lp.append(s(b"a"));
    lp.append(LpValue::Int(-1));
    lp.append(LpValue::Int(1000));
    lp.append(LpValue::Int(300000));
    let want: Vec<u8> = vec![
        28, 0, 0, 0, 4, 0, // header: 28 bytes, 4 entries
        0x81, b'a', 2, // 6-bit string
        0xDF, 0xFF, 2, // 13-bit -1
        0xC3, 0xE8, 2, // 13-bit 1000
        0xF2, 0xE0, 0x93, 0x04, 4, // 24-bit 300000
        0xFF,
    ];
    let mut w = want.clone();
    w[0] = want.len() as u8;
    assert_eq!(lp.as_bytes(), &w[..]);
}

#[test]
fn string_encodings_by_length() {
    for (len, hdr) in [(0, 1), (63, 1), (64, 2), (4095, 2), (4096, 5), (70000, 5)] {
        let v = vec![b'x'; len];
        let mut lp = Listpack::new();
        lp.append(s(&v));
        let enc = hdr + len;
        let back = super::encoding::backlen_size(enc);
        assert_eq!(lp.bytes(), 7 + enc + back, "len {}", len);
        assert_eq!(lp.get(lp.first().unwrap()), s(&v));
        assert_eq!(lp.get(lp.last().unwrap()), s(&v));
    }
}

#[test]
fn backlen_round_trips_at_boundaries() {
    for l in [
        0usize,
        1,
        127,
        128,
        16382,
        16383,
        2_097_150,
        2_097_151,
        268_435_454,
        268_435_455,
        1 << 32,
    ] {
        let mut b = [0u8; MAX_BACKLEN_SIZE];
        let n = encode_backlen(l, &mut b);
        assert_eq!(decode_backlen(&b[..n], n - 1), Some(l as u64), "len {}", l);
    }
}

#[test]
fn string2int_matches_lp_string_to_int64() {
    let ok: &[(&[u8], i64)] = &[
        (b"0", 0),
        (b"-1", -1),
        (b"9223372036854775807", i64::MAX),
        (b"-9223372036854775808", i64::MIN),
        (b"12345", 12345),
    ];
    for (t, v) in ok {
        assert_eq!(string2int(t), Some(*v));
    }
    let bad: &[&[u8]] = &[
        b"",
        b"-",
        b"-0",
        b"00",
        b"01",
        b"+1",
        b" 1",
        b"1 ",
        b"1.0",
        b"9223372036854775808",
        b"-9223372036854775809",
        b"99999999999999999999",
        b"0x10",
    ];
    for t in bad {
        assert_eq!(string2int(t), None, "{:?}", String::from_utf8_lossy(t));
    }
}

#[test]
fn seek_both_directions() {
    let lp = Listpack::from_values((0..10).map(LpValue::Int));
    for i in 0..10i64 {
        assert_eq!(lp.get(lp.seek(i).unwrap()), LpValue::Int(i));
        assert_eq!(lp.get(lp.seek(i - 10).unwrap()), LpValue::Int(i));
    }
    assert_eq!(lp.seek(10), None);
    assert_eq!(lp.seek(-11), None);
    assert_eq!(lp.seek(i64::MIN), None);
}

#[test]
fn find_with_skip_visits_fields_only() {
    let lp = Listpack::from_values(
        [&b"f1"[..], b"v1", b"f2", b"f1x", b"10", b"x"]
            .into_iter()
            .map(LpValue::Str),
    );
    let first = lp.first().unwrap();
    assert_eq!(
        lp.find(first, b"v1", 1),
        None,
        "v1 is a value, never a field"
    );
    assert_eq!(lp.find(first, b"v1", 0), lp.seek(1));
    let p = lp.find(first, b"10", 1).unwrap();
    assert_eq!(p, lp.seek(4).unwrap());
    assert_eq!(lp.get(p), LpValue::Int(10));
    assert_eq!(lp.find(first, b"010", 0), None);
    assert!(lp.compare(p, b"10"));
    assert!(!lp.compare(p, b"10 "));
}

#[test]
fn insert_replace_delete() {
    let mut lp = Listpack::from_values([s(b"a"), s(b"c")]);
    let p = lp.seek(0).unwrap();
    let q = lp.insert(p, s(b"b"), Where::After);
    assert_eq!(lp.get(q), s(b"b"));
    let p = lp.seek(0).unwrap();
    lp.insert(p, LpValue::Int(-5), Where::Before);
    assert_eq!(strings(&lp), [&b"-5"[..], b"a", b"b", b"c"]);
    let p = lp.seek(2).unwrap();
    lp.replace(p, s(&[b'z'; 300]));
    assert_eq!(lp.get(lp.seek(2).unwrap()), s(&[b'z'; 300]));
    let p = lp.seek(1).unwrap();
    let next = lp.delete(p).unwrap();
    assert_eq!(lp.get(next), s(&[b'z'; 300]));
    let last = lp.last().unwrap();
    assert_eq!(lp.delete(last), None);
    assert_eq!(lp.len(), 2);
    assert_eq!(Listpack::from_bytes(lp.as_bytes().to_vec()), Some(lp));
}

#[test]
fn delete_ranges() {
    let mut lp = Listpack::from_values((0..10).map(LpValue::Int));
    lp.delete_range(2, 3);
    assert_eq!(
        strings(&lp),
        [&b"0"[..], b"1", b"5", b"6", b"7", b"8", b"9"]
    );
    lp.delete_range(-2, 100);
    assert_eq!(strings(&lp), [&b"0"[..], b"1", b"5", b"6", b"7"]);
    lp.delete_range(10, 1);
    assert_eq!(lp.len(), 5);
    let p = lp.first().unwrap();
    assert_eq!(lp.delete_range_with_entry(p, 5), None);
    assert!(lp.is_empty());
    assert_eq!(lp.as_bytes(), Listpack::new().as_bytes());
}

#[test]
fn merge_keeps_order_and_header() {
    let a = Listpack::from_values((0..3).map(LpValue::Int));
    let b = Listpack::from_values((3..10).map(LpValue::Int));
    let want = Listpack::from_values((0..10).map(LpValue::Int));
    assert_eq!(Listpack::merge(a.clone(), b.clone()), want);
    let want2 = Listpack::from_values((3..10).chain(0..3).map(LpValue::Int));
    assert_eq!(Listpack::merge(b, a), want2);
}

#[test]
fn count_header_saturates_at_65535() {
    let mut lp = Listpack::new();
    for _ in 0..65536 {
        lp.append(LpValue::Int(1));
    }
    assert_eq!(&lp.as_bytes()[4..6], &[0xFF, 0xFF]);
    assert_eq!(lp.len(), 65536);
    let copy = Listpack::from_bytes(lp.as_bytes().to_vec()).unwrap();
    assert_eq!(copy.len(), 65536);
    let p = lp.first().unwrap();
    lp.delete(p);
    lp.delete(p);
    assert_eq!(&lp.as_bytes()[4..6], &65534u16.to_le_bytes());
}

#[test]
fn struct_is_one_boxed_slice() {
    assert_eq!(std::mem::size_of::<Listpack>(), 16);
}

#[test]
fn unknown_count_is_counted_and_written_back() {
    // A Redis listpack whose count was left "unknown" by deletions.
    let lp = Listpack::from_values((0..10).map(LpValue::Int));
    let mut stale = lp.as_bytes().to_vec();
    stale[4..6].copy_from_slice(&[0xFF, 0xFF]);
    let mut copy = Listpack::from_bytes(stale).unwrap();
    assert_eq!(copy, lp);
    assert_eq!(copy.len(), 10);
    copy.append(LpValue::Int(10));
    assert_eq!(&copy.as_bytes()[4..6], &11u16.to_le_bytes());
    // Past 65535 the header stays unknown and len() walks the entries.
    let mut big = Listpack::from_values((0..65534).map(|_| LpValue::Int(1)));
    assert_eq!(&big.as_bytes()[4..6], &65534u16.to_le_bytes());
    big.append(LpValue::Int(2));
    assert_eq!(&big.as_bytes()[4..6], &[0xFF, 0xFF]);
    assert_eq!(big.len(), 65535);
    big.prepend(LpValue::Int(3));
    assert_eq!(big.len(), 65536);
    assert_eq!(big.iter().count(), 65536);
    let last = big.last().unwrap();
    assert_eq!(big.get(last), LpValue::Int(2));
    big.replace(last, s(b"x"));
    assert_eq!(big.len(), 65536);
    big.delete_range(0, 2);
    assert_eq!(&big.as_bytes()[4..6], &65534u16.to_le_bytes());
    assert_eq!(big.len(), 65534);
    let merged = Listpack::merge(big, Listpack::from_values([LpValue::Int(5)]));
    assert_eq!(merged.len(), 65535);
    assert_eq!(&merged.as_bytes()[4..6], &[0xFF, 0xFF]);
}

#[test]
fn validation_rejects_corruption() {
    let good = Listpack::from_values([s(b"hello"), LpValue::Int(7), s(&[b'q'; 200])]);
    let bytes = good.as_bytes().to_vec();
    assert!(validate_integrity(&bytes, true, None));
    assert!(validate_shallow(&bytes));
    // Too short, wrong total, missing terminator.
    assert!(!validate_integrity(&bytes[..5], true, None));
    let mut b = bytes.clone();
    b[0] += 1;
    assert!(!validate_integrity(&b, true, None));
    let mut b = bytes.clone();
    let n = b.len();
    b[n - 1] = 0;
    assert!(!validate_integrity(&b, true, None));
    // Wrong element count.
    let mut b = bytes.clone();
    b[4] = 2;
    assert!(!validate_integrity(&b, true, None));
    assert!(validate_integrity(&b, false, None));
    // Invalid encoding byte, bad backlen.
    let mut b = bytes.clone();
    b[6] = 0xF7;
    assert!(!validate_integrity(&b, true, None));
    let mut b = bytes.clone();
    b[12] = 9;
    assert!(!validate_integrity(&b, true, None));
    // A string length that runs past the end.
    let mut b = bytes.clone();
    b[6] = 0xBF;
    assert!(!validate_integrity(&b, true, None));
    // Callback sees every entry and can veto.
    let mut seen = 0;
    let mut cb = |_: LpValue<'_>, n: u16| {
        assert_eq!(n, 3);
        seen += 1;
        true
    };
    assert!(validate_integrity(&bytes, true, Some(&mut cb)));
    assert_eq!(seen, 3);
    let mut veto = |v: LpValue<'_>, _: u16| v != LpValue::Int(7);
    assert!(!validate_integrity(&bytes, true, Some(&mut veto)));
}

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[test]
fn random_pairs_cover_and_preserve_pairing() {
    let mut lp = Listpack::new();
    for i in 0..20 {
        lp.append(LpValue::Int(i));
        lp.append(LpValue::Int(i * 100));
    }
    let mut r = rng(1);
    let mut hits = [0usize; 20];
    for (k, v) in lp.random_pairs(4000, &mut r) {
        let k = k.as_int().unwrap();
        assert_eq!(v.as_int(), Some(k * 100));
        hits[k as usize] += 1;
    }
    assert!(hits.iter().all(|&h| h > 100), "{:?}", hits);
    let (k, v) = lp.random_pair(&mut r).unwrap();
    assert_eq!(v.as_int().unwrap(), k.as_int().unwrap() * 100);
    for n in [0, 1, 5, 20, 30] {
        let picks = lp.random_pairs_unique(n, &mut r);
        assert_eq!(picks.len(), n.min(20));
        let keys: Vec<i64> = picks.iter().map(|p| p.0.as_int().unwrap()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "unique, in order");
    }
    assert!(Listpack::new().random_pair(&mut r).is_none());
    assert!(Listpack::new().random_pairs(3, &mut r).is_empty());
}

fn value_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string().into_bytes()),
        (-5000i64..5000).prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..80),
        prop::collection::vec(b'a'..b'c', 60..5000),
        Just(b"-0".to_vec()),
        Just(b"007".to_vec()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Append(Vec<u8>),
    Prepend(Vec<u8>),
    Insert(usize, bool, Vec<u8>),
    Replace(usize, Vec<u8>),
    Delete(usize),
    DeleteRange(i64, usize),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => value_strategy().prop_map(Op::Append),
        2 => value_strategy().prop_map(Op::Prepend),
        2 => (any::<usize>(), any::<bool>(), value_strategy()).prop_map(|(i, a, v)| Op::Insert(i, a, v)),
        2 => (any::<usize>(), value_strategy()).prop_map(|(i, v)| Op::Replace(i, v)),
        2 => any::<usize>().prop_map(Op::Delete),
        1 => (-20i64..20, 0usize..6).prop_map(|(i, n)| Op::DeleteRange(i, n)),
    ]
}

fn apply(lp: &mut Listpack, model: &mut Vec<Vec<u8>>, op: &Op) {
    let n = model.len();
    match op {
        Op::Append(v) => {
            lp.append(s(v));
            model.push(v.clone());
        }
        Op::Prepend(v) => {
            lp.prepend(s(v));
            model.insert(0, v.clone());
        }
        Op::Insert(i, after, v) if n > 0 => {
            let i = i % n;
            let p = lp.seek(i as i64).unwrap();
            let wh = if *after { Where::After } else { Where::Before };
            let q = lp.insert(p, s(v), wh);
            assert!(lp.get(q).eq_bytes(v));
            model.insert(if *after { i + 1 } else { i }, v.clone());
        }
        Op::Replace(i, v) if n > 0 => {
            let i = i % n;
            let p = lp.seek(i as i64).unwrap();
            lp.replace(p, s(v));
            model[i] = v.clone();
        }
        Op::Delete(i) if n > 0 => {
            let i = i % n;
            let p = lp.seek(i as i64).unwrap();
            let next = lp.delete(p);
            model.remove(i);
            assert_eq!(next.is_some(), i < model.len());
        }
        Op::DeleteRange(i, num) => {
            lp.delete_range(*i, *num);
            let start = if *i < 0 { n as i64 + i } else { *i };
            if start >= 0 && (start as usize) < n {
                let start = start as usize;
                let end = (start + num).min(n);
                model.drain(start..end);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn listpack_matches_vec_model(ops in prop::collection::vec(op_strategy(), 0..60)) {
        let mut lp = Listpack::new();
        let mut model: Vec<Vec<u8>> = Vec::new();
        for op in &ops {
            apply(&mut lp, &mut model, op);
            prop_assert_eq!(lp.len(), model.len());
        }
        prop_assert_eq!(&strings(&lp), &model);
        let rev: Vec<Vec<u8>> = lp.iter().rev().map(|v| v.to_vec()).collect();
        let mut mrev = model.clone();
        mrev.reverse();
        prop_assert_eq!(rev, mrev);
        // The bytes are a valid listpack that rebuilds identically.
        let again = Listpack::from_bytes(lp.as_bytes().to_vec());
        prop_assert_eq!(again.as_ref(), Some(&lp));
        let rebuilt = Listpack::from_values(model.iter().map(|v| s(v)));
        prop_assert_eq!(rebuilt.as_bytes(), lp.as_bytes());
        for (i, v) in model.iter().enumerate() {
            let p = lp.seek(i as i64).unwrap();
            prop_assert!(lp.compare(p, v));
            prop_assert_eq!(lp.find(lp.first().unwrap(), v, 0).map(|q| q <= p), Some(true));
        }
    }

    #[test]
    fn validation_never_panics_on_garbage(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = validate_integrity(&bytes, true, None);
        let _ = validate_shallow(&bytes);
        if let Some(lp) = Listpack::from_bytes(bytes) {
            let _ = lp.iter().count();
            let _ = lp.iter().rev().count();
        }
    }

    #[test]
    fn validation_never_panics_on_mutated_listpacks(
        vals in prop::collection::vec(value_strategy(), 1..8),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let lp = Listpack::from_values(vals.iter().map(|v| s(v)));
        let mut b = lp.as_bytes().to_vec();
        let n = b.len();
        for (i, x) in flips {
            b[i % n] = x;
        }
        if let Some(lp) = Listpack::from_bytes(b) {
            let fwd: Vec<Vec<u8>> = lp.iter().map(|v| v.to_vec()).collect();
            let mut back: Vec<Vec<u8>> = lp.iter().rev().map(|v| v.to_vec()).collect();
            back.reverse();
            prop_assert_eq!(fwd, back);
        }
    }
}
