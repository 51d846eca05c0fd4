//! The key of a big sorted set's member dict (Redis t_zset.c keeps a
//! `dictEntry` whose key is the member sds, shared with the skiplist node,
//! and whose value points at the node's score). Here the key holds the
//! member (inline up to `INLINE` bytes) and the id of its skiplist node,
//! where the score lives: 24 bytes, so the dict entry with its chain
//! pointer is one 32-byte allocation.

use std::ops::Deref;

use crate::alloc::alloc_size;
use crate::ds::dict::DictKey;
use crate::ds::skiplist::NodeId;

/// Member bytes kept inside the key.
pub const INLINE: usize = 18;

/// A member and its skiplist node.
pub enum ZKey {
    Inline {
        node: NodeId,
        len: u8,
        buf: [u8; INLINE],
    },
    Heap {
        node: NodeId,
        bytes: Box<[u8]>,
    },
}

impl ZKey {
    pub fn new(member: &[u8], node: NodeId) -> ZKey {
        if member.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..member.len()].copy_from_slice(member);
            ZKey::Inline {
                node,
                len: member.len() as u8,
                buf,
            }
        } else {
            ZKey::Heap {
                node,
                bytes: member.into(),
            }
        }
    }

    #[inline]
    pub fn member(&self) -> &[u8] {
        match self {
            ZKey::Inline { len, buf, .. } => &buf[..*len as usize],
            ZKey::Heap { bytes, .. } => bytes,
        }
    }

    /// The member's skiplist node.
    #[inline]
    pub fn node(&self) -> NodeId {
        match self {
            ZKey::Inline { node, .. } | ZKey::Heap { node, .. } => *node,
        }
    }

    /// Points the key at the node its member moved to.
    #[inline]
    pub fn set_node(&mut self, id: NodeId) {
        match self {
            ZKey::Inline { node, .. } | ZKey::Heap { node, .. } => *node = id,
        }
    }

    /// Bytes allocated outside the key (for MEMORY USAGE).
    pub fn heap_bytes(&self) -> usize {
        match self {
            ZKey::Inline { .. } => 0,
            ZKey::Heap { bytes, .. } => alloc_size(bytes.len()),
        }
    }
}

impl Deref for ZKey {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.member()
    }
}

impl DictKey for ZKey {
    #[inline]
    fn key_bytes(&self) -> &[u8] {
        self.member()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ds::dict::Dict;

    #[test]
    fn entry_is_one_32_byte_allocation() {
        assert_eq!(std::mem::size_of::<ZKey>(), 24);
        assert_eq!(Dict::<ZKey, ()>::entry_bytes(), 32);
    }

    #[test]
    fn member_and_node_at_every_length() {
        for n in 0..40usize {
            let m: Vec<u8> = (0..n).map(|i| b'0' + (i % 10) as u8).collect();
            let mut k = ZKey::new(&m, 7);
            assert_eq!((k.member(), k.node()), (&m[..], 7));
            k.set_node(u32::MAX - 1);
            assert_eq!((k.key_bytes(), k.node()), (&m[..], u32::MAX - 1));
            assert_eq!(matches!(k, ZKey::Inline { .. }), n <= INLINE);
            assert_eq!(k.heap_bytes() == 0, n <= INLINE);
        }
    }
}
