//! A member string of a set or sorted set (what Redis keeps as an sds in
//! t_set.c / t_zset.c): up to `INLINE` bytes inside the value itself, no
//! allocation; longer ones boxed. It is 24 bytes, so a set's dict entry
//! (chain pointer plus this key) is one 32-byte allocation, where Redis
//! uses a 32-byte `dictEntry` plus an sds of 16 bytes or more.

use std::ops::Deref;

use crate::alloc::alloc_size;
use crate::ds::dict::DictKey;

/// Bytes kept inside the value.
pub const INLINE: usize = 22;

/// A byte string, inline when short.
#[derive(Clone)]
pub enum SmallStr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl SmallStr {
    #[inline]
    pub fn new(s: &[u8]) -> SmallStr {
        if s.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..s.len()].copy_from_slice(s);
            SmallStr::Inline {
                len: s.len() as u8,
                buf,
            }
        } else {
            SmallStr::Heap(s.into())
        }
    }

    /// Takes a buffer over, keeping its allocation when it is too long
    /// to go inline (the RDB loader's members).
    pub fn from_vec(v: Vec<u8>) -> SmallStr {
        if v.len() <= INLINE {
            SmallStr::new(&v)
        } else {
            SmallStr::Heap(v.into_boxed_slice())
        }
    }

    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SmallStr::Inline { len, buf } => &buf[..*len as usize],
            SmallStr::Heap(b) => b,
        }
    }

    /// Bytes allocated outside the value (for MEMORY USAGE).
    pub fn heap_bytes(&self) -> usize {
        match self {
            SmallStr::Inline { .. } => 0,
            SmallStr::Heap(b) => alloc_size(b.len()),
        }
    }
}

impl From<&[u8]> for SmallStr {
    #[inline]
    fn from(s: &[u8]) -> SmallStr {
        SmallStr::new(s)
    }
}

impl Deref for SmallStr {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for SmallStr {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl DictKey for SmallStr {
    #[inline]
    fn key_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for SmallStr {
    fn eq(&self, other: &SmallStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SmallStr {}

impl std::fmt::Debug for SmallStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ds::dict::Dict;

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<SmallStr>(), 24);
        assert_eq!(std::mem::size_of::<Option<SmallStr>>(), 24);
        assert_eq!(Dict::<SmallStr, ()>::entry_bytes(), 32);
    }

    #[test]
    fn round_trips_at_every_length() {
        for n in 0..64usize {
            let s: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            for m in [SmallStr::new(&s), SmallStr::from_vec(s.clone())] {
                assert_eq!(m.as_bytes(), &s[..]);
                assert_eq!(&m[..], &s[..]);
                assert_eq!(m.key_bytes(), &s[..]);
                assert_eq!(matches!(m, SmallStr::Inline { .. }), n <= INLINE);
                assert_eq!(m.heap_bytes() == 0, n <= INLINE);
                assert_eq!(m.clone(), m);
            }
        }
    }
}
