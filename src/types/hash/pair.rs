//! One field/value pair of a "hashtable" hash (Redis t_hash.c keeps a
//! `dictEntry` pointing at two sds strings). A short pair lives inside the
//! dict entry itself: with the chain pointer that is one 48-byte
//! allocation, where Redis uses three (a 24-byte entry in the 32-byte class
//! and two sds of at least 16 bytes each).

use crate::alloc::alloc_size;
use crate::ds::dict::DictKey;

/// Field plus value bytes that fit inside the entry.
pub const INLINE_PAIR: usize = 37;
/// Field bytes that fit inside the entry next to a boxed value.
pub const INLINE_FIELD: usize = 22;

/// A field and its value; the dict hashes and compares the field.
pub enum Pair {
    /// Both inside the entry: `buf[..flen]` is the field, then the value.
    Inline {
        flen: u8,
        vlen: u8,
        buf: [u8; INLINE_PAIR],
    },
    /// A short field inside the entry, a long value in its own allocation.
    Field {
        flen: u8,
        field: [u8; INLINE_FIELD],
        value: Box<[u8]>,
    },
    /// A long field: field and value in one allocation, field first.
    Heap { flen: usize, bytes: Box<[u8]> },
}

impl Pair {
    pub fn new(field: &[u8], value: &[u8]) -> Pair {
        let (f, v) = (field.len(), value.len());
        if f + v <= INLINE_PAIR {
            let mut buf = [0u8; INLINE_PAIR];
            buf[..f].copy_from_slice(field);
            buf[f..f + v].copy_from_slice(value);
            Pair::Inline {
                flen: f as u8,
                vlen: v as u8,
                buf,
            }
        } else if f <= INLINE_FIELD {
            let mut buf = [0u8; INLINE_FIELD];
            buf[..f].copy_from_slice(field);
            Pair::Field {
                flen: f as u8,
                field: buf,
                value: value.into(),
            }
        } else {
            let mut bytes = Vec::with_capacity(f + v);
            bytes.extend_from_slice(field);
            bytes.extend_from_slice(value);
            Pair::Heap {
                flen: f,
                bytes: bytes.into_boxed_slice(),
            }
        }
    }

    #[inline]
    pub fn field(&self) -> &[u8] {
        match self {
            Pair::Inline { flen, buf, .. } => &buf[..*flen as usize],
            Pair::Field { flen, field, .. } => &field[..*flen as usize],
            Pair::Heap { flen, bytes } => &bytes[..*flen],
        }
    }

    #[inline]
    pub fn value(&self) -> &[u8] {
        match self {
            Pair::Inline { flen, vlen, buf } => {
                let f = *flen as usize;
                &buf[f..f + *vlen as usize]
            }
            Pair::Field { value, .. } => value,
            Pair::Heap { flen, bytes } => &bytes[*flen..],
        }
    }

    /// The field and the value with one look at the variant.
    #[inline]
    pub fn parts(&self) -> (&[u8], &[u8]) {
        match self {
            Pair::Inline { flen, vlen, buf } => {
                let (f, v) = buf.split_at(*flen as usize);
                (f, &v[..*vlen as usize])
            }
            Pair::Field { flen, field, value } => (&field[..*flen as usize], value),
            Pair::Heap { flen, bytes } => bytes.split_at(*flen),
        }
    }

    /// Replaces the value, keeping the field (the dict's key bytes).
    pub fn set_value(&mut self, value: &[u8]) {
        if let Pair::Inline { flen, vlen, buf } = self {
            let f = *flen as usize;
            if f + value.len() <= INLINE_PAIR {
                buf[f..f + value.len()].copy_from_slice(value);
                *vlen = value.len() as u8;
                return;
            }
        }
        *self = Pair::new(self.field(), value);
    }

    /// Bytes allocated outside the dict entry (for MEMORY USAGE).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Pair::Inline { .. } => 0,
            Pair::Field { value, .. } => alloc_size(value.len()),
            Pair::Heap { bytes, .. } => alloc_size(bytes.len()),
        }
    }
}

impl DictKey for Pair {
    #[inline]
    fn key_bytes(&self) -> &[u8] {
        self.field()
    }
}

impl Clone for Pair {
    fn clone(&self) -> Pair {
        Pair::new(self.field(), self.value())
    }
}

impl std::fmt::Debug for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pair({:?}, {:?})",
            String::from_utf8_lossy(self.field()),
            String::from_utf8_lossy(self.value())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_is_one_48_byte_allocation() {
        assert_eq!(std::mem::size_of::<Pair>(), 40);
        assert_eq!(super::super::HashTable::entry_bytes(), 48);
    }

    #[test]
    fn variants_by_length() {
        let cases: &[(usize, usize)] = &[
            (0, 0),
            (12, 12),
            (37, 0),
            (0, 37),
            (20, 17),
            (22, 16),
            (22, 100),
            (1, 37),
            (23, 15),
            (23, 0),
            (200, 3000),
        ];
        for &(f, v) in cases {
            let field: Vec<u8> = (0..f).map(|i| b'a' + (i % 26) as u8).collect();
            let value: Vec<u8> = (0..v).map(|i| b'0' + (i % 10) as u8).collect();
            let p = Pair::new(&field, &value);
            assert_eq!(p.field(), &field[..], "{f} {v}");
            assert_eq!(p.value(), &value[..], "{f} {v}");
            assert_eq!(p.key_bytes(), &field[..]);
            assert_eq!(p.parts(), (&field[..], &value[..]));
            let want = if f + v <= INLINE_PAIR {
                "inline"
            } else if f <= INLINE_FIELD {
                "field"
            } else {
                "heap"
            };
            let got = match p {
                Pair::Inline { .. } => "inline",
                Pair::Field { .. } => "field",
                Pair::Heap { .. } => "heap",
            };
            assert_eq!(got, want, "{f} {v}");
            assert_eq!(p.heap_bytes() == 0, want == "inline");
        }
    }

    #[test]
    fn set_value_moves_between_variants() {
        let mut p = Pair::new(b"field:1", b"v");
        for len in [0usize, 5, 30, 31, 100, 2, 30, 1000, 0] {
            let value = vec![b'x'; len];
            p.set_value(&value);
            assert_eq!(p.field(), b"field:1");
            assert_eq!(p.value(), &value[..]);
        }
        let long = vec![b'f'; 40];
        let mut p = Pair::new(&long, b"1");
        p.set_value(b"12345");
        assert_eq!((p.field(), p.value()), (&long[..], &b"12345"[..]));
        let q = p.clone();
        assert_eq!((q.field(), q.value()), (p.field(), p.value()));
    }
}
