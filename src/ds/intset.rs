//! Intset (Redis intset.c): a sorted array of distinct integers in the
//! smallest of the 16/32/64-bit encodings that fits them all, upgraded in
//! place when a wider value arrives and never downgraded.
//!
//! The bytes are Redis's exactly (`<encoding u32 LE> <length u32 LE>` then
//! the values little-endian), because RDB stores intsets verbatim.

/// Element width in bytes, as stored in the header.
pub const ENC_INT16: u32 = 2;
pub const ENC_INT32: u32 = 4;
pub const ENC_INT64: u32 = 8;

const HDR: usize = 8;

/// The smallest encoding that holds `v` (_intsetValueEncoding).
pub fn value_encoding(v: i64) -> u32 {
    if v < i32::MIN as i64 || v > i32::MAX as i64 {
        ENC_INT64
    } else if v < i16::MIN as i64 || v > i16::MAX as i64 {
        ENC_INT32
    } else {
        ENC_INT16
    }
}

/// A set of integers in Redis's intset layout.
#[derive(Clone, PartialEq, Eq)]
pub struct Intset {
    buf: Vec<u8>,
}

impl Default for Intset {
    fn default() -> Self {
        Intset::new()
    }
}

impl std::fmt::Debug for Intset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Intset(enc={}) ", self.encoding())?;
        f.debug_list().entries(self.iter()).finish()
    }
}

fn read(buf: &[u8], enc: u32, pos: usize) -> i64 {
    let w = enc as usize;
    let at = HDR + pos * w;
    let b = &buf[at..at + w];
    match enc {
        ENC_INT64 => i64::from_le_bytes(b.try_into().expect("8 bytes")),
        ENC_INT32 => i32::from_le_bytes(b.try_into().expect("4 bytes")) as i64,
        _ => i16::from_le_bytes(b.try_into().expect("2 bytes")) as i64,
    }
}

fn write(buf: &mut [u8], enc: u32, pos: usize, v: i64) {
    let w = enc as usize;
    let at = HDR + pos * w;
    match enc {
        ENC_INT64 => buf[at..at + 8].copy_from_slice(&v.to_le_bytes()),
        ENC_INT32 => buf[at..at + 4].copy_from_slice(&(v as i32).to_le_bytes()),
        _ => buf[at..at + 2].copy_from_slice(&(v as i16).to_le_bytes()),
    }
}

impl Intset {
    /// intsetNew: an empty set in the 16-bit encoding.
    pub fn new() -> Intset {
        let mut buf = vec![0; HDR];
        buf[0..4].copy_from_slice(&ENC_INT16.to_le_bytes());
        Intset { buf }
    }

    /// Adopts serialized bytes after a deep integrity check
    /// (intsetValidateIntegrity with deep=1).
    pub fn from_bytes(buf: Vec<u8>) -> Option<Intset> {
        validate_integrity(&buf, true).then_some(Intset { buf })
    }

    /// The bytes exactly as Redis stores them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// intsetBlobLen.
    pub fn blob_len(&self) -> usize {
        self.buf.len()
    }

    /// Element width in bytes (2, 4 or 8).
    pub fn encoding(&self) -> u32 {
        u32::from_le_bytes(self.buf[0..4].try_into().expect("header"))
    }

    /// intsetLen.
    pub fn len(&self) -> usize {
        u32::from_le_bytes(self.buf[4..8].try_into().expect("header")) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_header(&mut self, enc: u32, len: usize) {
        self.buf[0..4].copy_from_slice(&enc.to_le_bytes());
        self.buf[4..8].copy_from_slice(&(len as u32).to_le_bytes());
    }

    /// intsetGet: the value at `pos` in sorted order.
    pub fn get(&self, pos: usize) -> Option<i64> {
        (pos < self.len()).then(|| read(&self.buf, self.encoding(), pos))
    }

    /// intsetSearch: `Ok(pos)` when `v` is present, `Err(pos)` with the
    /// position it would be inserted at otherwise.
    pub fn search(&self, v: i64) -> Result<usize, usize> {
        let n = self.len();
        let enc = self.encoding();
        if n == 0 {
            return Err(0);
        }
        // The common appends and prepends are answered without bisecting.
        if v > read(&self.buf, enc, n - 1) {
            return Err(n);
        }
        if v < read(&self.buf, enc, 0) {
            return Err(0);
        }
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let cur = read(&self.buf, enc, mid);
            match cur.cmp(&v) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// intsetFind.
    pub fn contains(&self, v: i64) -> bool {
        value_encoding(v) <= self.encoding() && self.search(v).is_ok()
    }

    /// intsetAdd: inserts `v`; false if it was already present.
    pub fn add(&mut self, v: i64) -> bool {
        if value_encoding(v) > self.encoding() {
            self.upgrade_and_add(v);
            return true;
        }
        let pos = match self.search(v) {
            Ok(_) => return false,
            Err(pos) => pos,
        };
        let enc = self.encoding();
        let w = enc as usize;
        let n = self.len();
        self.buf.reserve_exact(w);
        self.buf.resize(HDR + (n + 1) * w, 0);
        let at = HDR + pos * w;
        self.buf.copy_within(at..HDR + n * w, at + w);
        write(&mut self.buf, enc, pos, v);
        self.set_header(enc, n + 1);
        true
    }

    /// intsetUpgradeAndAdd: widens every element, then puts `v` at the end
    /// it belongs to (it is out of the old range, so it is a new min or max).
    fn upgrade_and_add(&mut self, v: i64) {
        let old = self.encoding();
        let new = value_encoding(v);
        let n = self.len();
        let prepend = usize::from(v < 0);
        self.buf.resize(HDR + (n + 1) * new as usize, 0);
        // Back to front, so no value is overwritten before it is moved.
        for i in (0..n).rev() {
            let x = read(&self.buf, old, i);
            write(&mut self.buf, new, i + prepend, x);
        }
        write(&mut self.buf, new, if prepend == 1 { 0 } else { n }, v);
        self.set_header(new, n + 1);
    }

    /// intsetRemove: deletes `v`; false if it was absent. The encoding stays.
    pub fn remove(&mut self, v: i64) -> bool {
        if value_encoding(v) > self.encoding() {
            return false;
        }
        let pos = match self.search(v) {
            Ok(pos) => pos,
            Err(_) => return false,
        };
        let enc = self.encoding();
        let w = enc as usize;
        let n = self.len();
        let at = HDR + pos * w;
        self.buf.copy_within(at + w..HDR + n * w, at);
        self.buf.truncate(HDR + (n - 1) * w);
        self.buf.shrink_to_fit();
        self.set_header(enc, n - 1);
        true
    }

    /// intsetRandom: a uniformly chosen member, from a caller-supplied
    /// random `u64`.
    pub fn random(&self, rand: &mut impl FnMut() -> u64) -> Option<i64> {
        let n = self.len() as u64;
        if n == 0 {
            return None;
        }
        self.get((rand() % n) as usize)
    }

    /// intsetMin.
    pub fn min(&self) -> Option<i64> {
        self.get(0)
    }

    /// intsetMax.
    pub fn max(&self) -> Option<i64> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// The members in ascending order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = i64> + ExactSizeIterator + '_ {
        let enc = self.encoding();
        (0..self.len()).map(move |i| read(&self.buf, enc, i))
    }
}

/// intsetValidateIntegrity: the header must name a known encoding, the size
/// must match the length exactly, and the set must not be empty; with
/// `deep`, the values must also be strictly ascending.
pub fn validate_integrity(buf: &[u8], deep: bool) -> bool {
    if buf.len() < HDR {
        return false;
    }
    let enc = u32::from_le_bytes(buf[0..4].try_into().expect("4 bytes"));
    if enc != ENC_INT16 && enc != ENC_INT32 && enc != ENC_INT64 {
        return false;
    }
    let count = u32::from_le_bytes(buf[4..8].try_into().expect("4 bytes")) as u64;
    if HDR as u64 + count * enc as u64 != buf.len() as u64 {
        return false;
    }
    if count == 0 {
        return false;
    }
    if !deep {
        return true;
    }
    let mut prev = read(buf, enc, 0);
    for i in 1..count as usize {
        let cur = read(buf, enc, i);
        if cur <= prev {
            return false;
        }
        prev = cur;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn layout_matches_redis() {
        let mut s = Intset::new();
        assert_eq!(s.as_bytes(), &[2, 0, 0, 0, 0, 0, 0, 0]);
        assert!(s.add(5));
        assert!(s.add(-3));
        assert!(!s.add(5));
        assert_eq!(s.as_bytes(), &[2, 0, 0, 0, 2, 0, 0, 0, 0xFD, 0xFF, 5, 0]);
        assert!(s.add(70000));
        assert_eq!(s.encoding(), ENC_INT32);
        assert_eq!(
            s.as_bytes(),
            &[4, 0, 0, 0, 3, 0, 0, 0, 0xFD, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0, 0x70, 0x11, 1, 0]
        );
        assert!(s.add(i64::MIN));
        assert_eq!(s.encoding(), ENC_INT64);
        assert_eq!(s.iter().collect::<Vec<_>>(), [i64::MIN, -3, 5, 70000]);
        assert_eq!(s.blob_len(), 8 + 4 * 8);
        assert!(s.remove(i64::MIN));
        assert_eq!(s.encoding(), ENC_INT64, "never downgraded");
        assert!(!s.remove(1));
        assert!(!s.remove(i64::MAX));
        assert_eq!(s.min(), Some(-3));
        assert_eq!(s.max(), Some(70000));
    }

    #[test]
    fn upgrade_puts_new_value_at_the_right_end() {
        let mut s = Intset::new();
        for v in [1, 2, 3] {
            s.add(v);
        }
        s.add(-100_000);
        assert_eq!(s.iter().collect::<Vec<_>>(), [-100_000, 1, 2, 3]);
        s.add(1 << 40);
        assert_eq!(s.iter().collect::<Vec<_>>(), [-100_000, 1, 2, 3, 1 << 40]);
        assert!(s.contains(3));
        assert!(!s.contains(4));
        assert_eq!(s.search(4), Err(4));
    }

    #[test]
    fn validation() {
        let mut s = Intset::new();
        s.add(1);
        s.add(2);
        let good = s.as_bytes().to_vec();
        assert!(validate_integrity(&good, true));
        assert!(!validate_integrity(&good[..good.len() - 1], false));
        assert!(
            !validate_integrity(&Intset::new().into_bytes(), false),
            "empty"
        );
        let mut bad = good.clone();
        bad[0] = 3;
        assert!(!validate_integrity(&bad, false));
        let mut unsorted = good.clone();
        unsorted.swap(8, 10);
        assert!(validate_integrity(&unsorted, false));
        assert!(!validate_integrity(&unsorted, true));
        // A wider encoding than needed is valid.
        let mut wide = vec![8, 0, 0, 0, 1, 0, 0, 0];
        wide.extend_from_slice(&7i64.to_le_bytes());
        assert_eq!(Intset::from_bytes(wide).unwrap().get(0), Some(7));
        let mut huge = vec![8, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        huge.extend_from_slice(&7i64.to_le_bytes());
        assert!(Intset::from_bytes(huge).is_none());
    }

    #[test]
    fn random_member() {
        let mut s = Intset::new();
        for v in 0..10 {
            s.add(v * 3);
        }
        let mut x = 0u64;
        let mut rng = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 1
        };
        let mut seen = BTreeSet::new();
        for _ in 0..500 {
            seen.insert(s.random(&mut rng).unwrap());
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(Intset::new().random(&mut rng), None);
    }

    fn val() -> impl Strategy<Value = i64> {
        prop_oneof![
            -300i64..300,
            any::<i16>().prop_map(|v| v as i64),
            any::<i32>().prop_map(|v| v as i64),
            any::<i64>(),
        ]
    }

    proptest! {
        #[test]
        fn intset_matches_btreeset(ops in prop::collection::vec((any::<bool>(), val()), 0..200)) {
            let mut s = Intset::new();
            let mut m = BTreeSet::new();
            for (add, v) in ops {
                if add {
                    prop_assert_eq!(s.add(v), m.insert(v));
                } else {
                    prop_assert_eq!(s.remove(v), m.remove(&v));
                }
                prop_assert_eq!(s.len(), m.len());
            }
            prop_assert_eq!(s.iter().collect::<Vec<_>>(), m.iter().copied().collect::<Vec<_>>());
            let need = m.iter().map(|&v| value_encoding(v)).max().unwrap_or(ENC_INT16);
            prop_assert!(s.encoding() >= need);
            prop_assert_eq!(s.blob_len(), 8 + m.len() * s.encoding() as usize);
            for &v in &m {
                prop_assert!(s.contains(v));
            }
            if !m.is_empty() {
                let copy = Intset::from_bytes(s.as_bytes().to_vec());
                prop_assert_eq!(copy.as_ref(), Some(&s));
            }
        }

        #[test]
        fn validate_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let _ = validate_integrity(&bytes, true);
        }
    }
}
