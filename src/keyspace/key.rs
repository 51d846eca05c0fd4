//! Keys of the keyspace (Redis db.c stores them as sds in the dict entry):
//! small keys live inline in the dict entry, and the key carries the value's
//! LRU/LFU clock (Redis keeps it in the robj header) so an entry of a small
//! key and a small value is one 48-byte allocation.

use crate::ds::dict::DictKey;

/// Keys up to this length need no allocation of their own.
pub const INLINE_KEY: usize = 18;

/// A key's bytes plus 32 bits of access metadata (LRU clock or LFU data).
#[derive(Clone)]
pub enum Key {
    Inline {
        meta: u32,
        len: u8,
        buf: [u8; INLINE_KEY],
    },
    Heap {
        meta: u32,
        bytes: Box<[u8]>,
    },
}

impl Key {
    /// Bytes allocated for the key outside its dict entry (MEMORY USAGE).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Key::Inline { .. } => 0,
            Key::Heap { bytes, .. } => crate::alloc::alloc_size(bytes.len()),
        }
    }

    pub fn new(bytes: &[u8], meta: u32) -> Key {
        if bytes.len() <= INLINE_KEY {
            let mut buf = [0u8; INLINE_KEY];
            buf[..bytes.len()].copy_from_slice(bytes);
            Key::Inline {
                meta,
                len: bytes.len() as u8,
                buf,
            }
        } else {
            Key::Heap {
                meta,
                bytes: bytes.into(),
            }
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, buf, .. } => &buf[..*len as usize],
            Key::Heap { bytes, .. } => bytes,
        }
    }

    pub fn meta(&self) -> u32 {
        match self {
            Key::Inline { meta, .. } | Key::Heap { meta, .. } => *meta,
        }
    }

    pub fn set_meta(&mut self, m: u32) {
        match self {
            Key::Inline { meta, .. } | Key::Heap { meta, .. } => *meta = m,
        }
    }
}

impl DictKey for Key {
    fn key_bytes(&self) -> &[u8] {
        self.bytes()
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({:?})", String::from_utf8_lossy(self.bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap() {
        assert_eq!(std::mem::size_of::<Key>(), 24);
        let k = Key::new(b"key:000000123456", 7);
        assert!(matches!(k, Key::Inline { .. }));
        assert_eq!(k.bytes(), b"key:000000123456");
        let mut k = Key::new(&[b'x'; 40], 1);
        assert_eq!(k.bytes().len(), 40);
        k.set_meta(9);
        assert_eq!(k.meta(), 9);
    }
}
