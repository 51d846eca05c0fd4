//! Listpack (Redis listpack.c, 7.0 entry format): a list of strings and
//! integers serialized in one buffer, byte-compatible with Redis because RDB
//! and DUMP write it verbatim.
//!
//! Layout: `<total-bytes u32 LE> <num-elements u16 LE> <entry>* <0xFF>`, where
//! each entry is `<encoding+payload> <backlen>` and the element count is
//! 65535 when the real count does not fit.
//!
//! Entries are addressed by their byte offset in the buffer (a "position"),
//! as Redis uses pointers: a position is valid until the next mutation, and
//! mutations return the positions a caller needs to carry on. Passing a
//! position that did not come from this listpack is a bug and may panic.
//! Buffers from outside (RDB, RESTORE) enter only through
//! [`Listpack::from_bytes`], which validates every entry first.

mod encoding;
mod random;
mod repr;
#[cfg(test)]
mod tests;
mod validate;

pub use encoding::{string2int, LpOwned, LpValue};
pub use validate::{validate_integrity, validate_shallow, EntryCheck};

use encoding::{
    backlen_size, decode, decode_backlen, entry_size, Encoded, EOF, HDR_SIZE, NUMELE_UNKNOWN,
};

/// lpSafeToAdd's limit: callers convert to a bigger encoding rather than grow
/// a listpack past 1 GB.
pub const MAX_SAFETY_SIZE: usize = 1 << 30;
/// Tails up to this long are set aside on the stack when an entry is
/// inserted before them (see `splice`).
const SMALL_TAIL: usize = 16;

/// Where `insert` puts the new entry relative to the given position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    Before,
    After,
}

/// A listpack: just the serialized bytes, in an allocation of exactly their
/// size (16 bytes of struct, so a small hash or zset value stays small).
/// The element count is the header's, which is kept equal to
/// `min(len, 65535)` after every change; only a listpack of 65535 entries
/// or more has to be walked to count them, as `lpLength` does.
#[derive(Clone, PartialEq, Eq)]
pub struct Listpack {
    buf: Box<[u8]>,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|v| v.to_owned_value()))
            .finish()
    }
}

impl Listpack {
    /// An empty listpack (7 bytes: header and terminator).
    pub fn new() -> Listpack {
        let mut buf = vec![0; HDR_SIZE + 1];
        buf[HDR_SIZE] = EOF;
        let mut lp = Listpack {
            buf: buf.into_boxed_slice(),
        };
        lp.write_header(Some(0));
        lp
    }

    /// Adopts a serialized listpack after a deep integrity check
    /// (lpValidateIntegrity with deep=1). `None` if it is corrupt. A count
    /// left "unknown" by deletions is written back, as `lpLength` would.
    pub fn from_bytes(buf: Vec<u8>) -> Option<Listpack> {
        let len = validate::count_entries(&buf, None)?;
        let mut lp = Listpack {
            buf: buf.into_boxed_slice(),
        };
        lp.write_header(Some(len));
        Some(lp)
    }

    /// Adopts bytes this process produced itself (a decompressed quicklist
    /// node), skipping validation. `len` must be the entry count.
    pub(crate) fn from_trusted(buf: Vec<u8>, len: usize) -> Listpack {
        debug_assert_eq!(validate::count_entries(&buf, None), Some(len));
        let mut lp = Listpack {
            buf: buf.into_boxed_slice(),
        };
        lp.write_header(Some(len));
        lp
    }

    /// Builds a listpack from values in order.
    pub fn from_values<'a>(vals: impl IntoIterator<Item = LpValue<'a>>) -> Listpack {
        let mut lp = Listpack::new();
        for v in vals {
            lp.append(v);
        }
        lp
    }

    /// The serialized bytes, exactly as Redis stores them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Consumes the listpack, returning its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf.into_vec()
    }

    /// lpBytes: the total size in bytes.
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// lpLength: the number of entries, from the header; counted by
    /// walking the entries only when there are 65535 or more.
    #[inline]
    pub fn len(&self) -> usize {
        match self.header_count() {
            Some(n) => n,
            None => self.count_entries(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buf[HDR_SIZE] == EOF
    }

    /// The header's element count, `None` when it says "unknown".
    #[inline]
    fn header_count(&self) -> Option<usize> {
        // Every listpack has its 6-byte header.
        match u16::from_le_bytes([self.buf[4], self.buf[5]]) {
            NUMELE_UNKNOWN => None,
            n => Some(n as usize),
        }
    }

    fn count_entries(&self) -> usize {
        self.positions().count()
    }

    /// lpSafeToAdd: whether `add` more bytes keep the listpack under 1 GB.
    pub fn safe_to_add(&self, add: usize) -> bool {
        self.buf.len().saturating_add(add) <= MAX_SAFETY_SIZE
    }

    /// Writes the total size and, when given, the element count (65535
    /// when it does not fit); `None` leaves the count as it is.
    fn write_header(&mut self, len: Option<usize>) {
        let total = u32::try_from(self.buf.len()).expect("listpack larger than 4 GB");
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        if let Some(len) = len {
            let n = u16::try_from(len).unwrap_or(NUMELE_UNKNOWN);
            self.buf[4..6].copy_from_slice(&n.to_le_bytes());
        }
    }

    /// The element count after removing `n` entries, for `write_header`:
    /// when the header did not know the count before, the entries left are
    /// counted (after the removal) in case they now fit.
    fn count_after_delete(&self, before: Option<usize>, n: usize) -> usize {
        match before {
            Some(b) => b - n,
            None => self.count_entries(),
        }
    }

    fn size_at(&self, p: usize) -> usize {
        entry_size(&self.buf, p).expect("listpack entry")
    }

    /// lpFirst: the first entry, if any.
    pub fn first(&self) -> Option<usize> {
        (self.buf[HDR_SIZE] != EOF).then_some(HDR_SIZE)
    }

    /// lpLast: the last entry, if any.
    pub fn last(&self) -> Option<usize> {
        self.prev(self.buf.len() - 1)
    }

    /// lpNext: the entry after `p`, or `None` at the end.
    pub fn next(&self, p: usize) -> Option<usize> {
        let q = p + self.size_at(p);
        (self.buf[q] != EOF).then_some(q)
    }

    /// lpPrev: the entry before `p` (which may be the terminator's
    /// position), or `None` at the start.
    pub fn prev(&self, p: usize) -> Option<usize> {
        if p <= HDR_SIZE {
            return None;
        }
        let l = decode_backlen(&self.buf, p - 1).expect("listpack backlen") as usize;
        Some(p - l - backlen_size(l))
    }

    /// lpSeek: the entry at `index` (negative counts from the end), walking
    /// from whichever end is closer.
    pub fn seek(&self, index: i64) -> Option<usize> {
        let n = self.len() as i64;
        let idx = if index < 0 {
            n.checked_add(index)?
        } else {
            index
        };
        if idx < 0 || idx >= n {
            return None;
        }
        if idx > n / 2 {
            let mut p = self.last()?;
            for _ in 0..(n - 1 - idx) {
                p = self.prev(p)?;
            }
            Some(p)
        } else {
            let mut p = self.first()?;
            for _ in 0..idx {
                p = self.next(p)?;
            }
            Some(p)
        }
    }

    /// lpGet: the value of the entry at `p`.
    pub fn get(&self, p: usize) -> LpValue<'_> {
        decode(&self.buf, p).expect("listpack entry")
    }

    /// lpCompare: whether the entry at `p` equals the string `s`.
    pub fn compare(&self, p: usize, s: &[u8]) -> bool {
        self.get(p).eq_bytes(s)
    }

    /// lpFind: the first entry from `p` on equal to `s`, comparing one entry
    /// and then skipping `skip` (so `skip = 1` visits only the fields of a
    /// field/value listpack).
    pub fn find(&self, p: usize, s: &[u8], skip: usize) -> Option<usize> {
        // Integer entries match the strict integer parse of `s`; Redis does
        // not try to parse strings of 32 bytes or more.
        let sint = if !s.is_empty() && s.len() < 32 {
            string2int(s)
        } else {
            None
        };
        let mut cur = Some(p);
        let mut skipcnt = 0;
        while let Some(q) = cur {
            if skipcnt == 0 {
                let hit = match self.get(q) {
                    LpValue::Str(v) => v == s,
                    LpValue::Int(v) => sint == Some(v),
                };
                if hit {
                    return Some(q);
                }
                skipcnt = skip;
            } else {
                skipcnt -= 1;
            }
            cur = self.next(q);
        }
        None
    }

    /// Iterates over the values from head to tail (reversible).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            lp: self,
            front: self.first(),
            back: self.last(),
            remaining: self.len(),
        }
    }

    /// Replaces `remove` bytes at `at` with the encoded entry (or nothing).
    /// The allocation stays exactly the listpack's size, as in Redis.
    #[inline]
    fn splice(&mut self, at: usize, remove: usize, enc: Option<&Encoded<'_>>) {
        let add = enc.map_or(0, |e| e.len());
        if add == remove {
            // Same size (a replace): no reallocation.
            if let Some(e) = enc {
                e.write(&mut self.buf[at..at + add]);
            }
            return;
        }
        let Some(enc) = enc else {
            // A deletion: close the gap in place, then the boxing shrinks
            // the allocation to the new size.
            let old = self.buf.len();
            self.buf.copy_within(at + remove..old, at);
            let mut buf = std::mem::take(&mut self.buf).into_vec();
            buf.truncate(old - remove);
            std::mem::forget(std::mem::replace(&mut self.buf, buf.into_boxed_slice()));
            return;
        };
        let mut buf = std::mem::take(&mut self.buf).into_vec();
        splice_vec(&mut buf, at, remove, Some(enc));
        // What `take` left in the slot is an empty slice, no allocation.
        std::mem::forget(std::mem::replace(&mut self.buf, buf.into_boxed_slice()));
    }

    /// lpInsertString / lpInsertInteger: inserts `v` before or after the
    /// entry at `p` and returns the new entry's position. A string that is a
    /// strict integer is stored as an integer, as Redis does.
    pub fn insert(&mut self, p: usize, v: LpValue<'_>, wh: Where) -> usize {
        let at = match wh {
            Where::Before => p,
            Where::After => p + self.size_at(p),
        };
        self.insert_at(at, v)
    }

    fn insert_at(&mut self, at: usize, v: LpValue<'_>) -> usize {
        let enc = Encoded::new(v);
        // An unknown count was 65535 or more and stays unknown.
        let len = self.header_count().map(|n| n + 1);
        self.splice(at, 0, Some(&enc));
        self.write_header(len);
        at
    }

    /// lpAppend: adds `v` at the tail; returns its position.
    pub fn append(&mut self, v: LpValue<'_>) -> usize {
        let at = self.buf.len() - 1;
        self.insert_at(at, v)
    }

    /// lpPrepend: adds `v` at the head; returns its position.
    pub fn prepend(&mut self, v: LpValue<'_>) -> usize {
        self.insert_at(HDR_SIZE, v)
    }

    /// lpReplace: replaces the entry at `p` with `v`; the position stays.
    pub fn replace(&mut self, p: usize, v: LpValue<'_>) -> usize {
        let old = self.size_at(p);
        let enc = Encoded::new(v);
        self.splice(p, old, Some(&enc));
        self.write_header(None);
        p
    }

    /// lpDelete: removes the entry at `p`; returns the position of the entry
    /// that followed it, or `None` if it was the last.
    pub fn delete(&mut self, p: usize) -> Option<usize> {
        let old = self.size_at(p);
        let before = self.header_count();
        self.splice(p, old, None);
        self.write_header(Some(self.count_after_delete(before, 1)));
        (self.buf[p] != EOF).then_some(p)
    }

    /// lpDeleteRangeWithEntry: removes up to `num` entries starting at `p`;
    /// returns the position of the entry after them, or `None`.
    pub fn delete_range_with_entry(&mut self, p: usize, num: usize) -> Option<usize> {
        if num == 0 {
            return Some(p);
        }
        let mut tail = p;
        let mut deleted = 0;
        while deleted < num && self.buf[tail] != EOF {
            tail += self.size_at(tail);
            deleted += 1;
        }
        let before = self.header_count();
        self.splice(p, tail - p, None);
        self.write_header(Some(self.count_after_delete(before, deleted)));
        (self.buf[p] != EOF).then_some(p)
    }

    /// lpDeleteRange: removes up to `num` entries starting at `index`
    /// (negative counts from the end). Does nothing if `index` is out of
    /// range.
    pub fn delete_range(&mut self, index: i64, num: usize) {
        if let Some(p) = self.seek(index) {
            self.delete_range_with_entry(p, num);
        }
    }

    /// lpMerge: concatenates two listpacks, reusing the longer one's buffer
    /// as Redis does.
    pub fn merge(first: Listpack, second: Listpack) -> Listpack {
        let (n1, n2) = (first.len(), second.len());
        let buf = if n1 >= n2 {
            let mut buf = first.buf.into_vec();
            buf.pop();
            buf.reserve_exact(second.buf.len() - HDR_SIZE);
            buf.extend_from_slice(&second.buf[HDR_SIZE..]);
            buf
        } else {
            let src = &first.buf[..first.buf.len() - 1];
            let mut buf = second.buf.into_vec();
            let body = src.len() - HDR_SIZE;
            buf.reserve_exact(body);
            buf.splice(HDR_SIZE..HDR_SIZE, src[HDR_SIZE..].iter().copied());
            buf
        };
        let mut lp = Listpack {
            buf: buf.into_boxed_slice(),
        };
        lp.write_header(Some(n1 + n2));
        lp
    }

    /// The positions of all entries, head to tail.
    pub fn positions(&self) -> Positions<'_> {
        Positions {
            lp: self,
            cur: self.first(),
        }
    }
}

/// `Listpack::splice` on the vector: grows with `reserve_exact` and shrinks
/// with `shrink_to_fit`, so the capacity stays equal to the length.
#[inline]
fn splice_vec(buf: &mut Vec<u8>, at: usize, remove: usize, enc: Option<&Encoded<'_>>) {
    let add = enc.map_or(0, |e| e.len());
    let old = buf.len();
    let tail_len = old - at - remove;
    if let (Some(e), true) = (enc, add > remove && tail_len <= SMALL_TAIL) {
        // Near the end (a new node, an append): set the short tail
        // aside and append entry and tail, rather than zero-filling a
        // gap first, which for a big value is one more pass over it.
        let mut tail = [0u8; SMALL_TAIL];
        tail[..tail_len].copy_from_slice(&buf[at + remove..]);
        buf.truncate(at);
        buf.reserve_exact(add + tail_len);
        e.append_to(buf);
        buf.extend_from_slice(&tail[..tail_len]);
        return;
    }
    if add > remove {
        buf.reserve_exact(add - remove);
        buf.resize(old + add - remove, 0);
        buf.copy_within(at + remove..old, at + add);
    } else if add < remove {
        buf.copy_within(at + remove..old, at + add);
        buf.truncate(old - (remove - add));
        buf.shrink_to_fit();
    }
    if let Some(e) = enc {
        e.write(&mut buf[at..at + add]);
    }
}

/// Iterator over a listpack's values (lpFirst/lpNext and lpLast/lpPrev).
pub struct Iter<'a> {
    lp: &'a Listpack,
    front: Option<usize>,
    back: Option<usize>,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpValue<'a>;

    fn next(&mut self) -> Option<LpValue<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let p = self.front?;
        self.remaining -= 1;
        self.front = self.lp.next(p);
        Some(self.lp.get(p))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<LpValue<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let p = self.back?;
        self.remaining -= 1;
        self.back = self.lp.prev(p);
        Some(self.lp.get(p))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Iterator over entry positions, head to tail.
pub struct Positions<'a> {
    lp: &'a Listpack,
    cur: Option<usize>,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let p = self.cur?;
        self.cur = self.lp.next(p);
        Some(p)
    }
}
