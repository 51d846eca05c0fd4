//! The members of a big sorted set (Redis t_zset.c keeps a `dictEntry`
//! whose key is the member sds, shared with the skiplist node, and whose
//! value points at the node's score).
//!
//! The dict's key (`ZKey`) holds the member, inline up to `INLINE` bytes,
//! and the id of its skiplist node, where the score lives: 24 bytes, so
//! the dict entry with its chain pointer is one 32-byte allocation. The
//! skiplist's element (`Member`) holds it inline up to `MEMBER_INLINE`
//! bytes. A member too long for either is one reference-counted
//! allocation shared by the two, as Redis shares the sds.

use std::ops::Deref;
use std::sync::Arc;

use crate::alloc::alloc_size;
use crate::ds::dict::DictKey;
use crate::ds::skiplist::NodeId;

/// Member bytes kept inside the dict key.
pub const INLINE: usize = 18;
/// Member bytes kept inside the skiplist element.
pub const MEMBER_INLINE: usize = 22;

/// A member and its skiplist node: the dict's key.
pub enum ZKey {
    Inline {
        node: NodeId,
        len: u8,
        buf: [u8; INLINE],
    },
    /// Too long for the key, short enough for the element.
    Boxed { node: NodeId, bytes: Box<[u8]> },
    /// Too long for both: the element holds the same allocation.
    Shared { node: NodeId, bytes: Arc<[u8]> },
}

/// A skiplist element.
#[derive(Clone)]
pub enum Member {
    Inline { len: u8, buf: [u8; MEMBER_INLINE] },
    Shared(Arc<[u8]>),
}

/// The dict key and the skiplist element of member `m`, whose node is
/// not known yet (`ZKey::set_node` once it is).
pub fn key_and_member(m: &[u8]) -> (ZKey, Member) {
    let node = 0;
    if m.len() > MEMBER_INLINE {
        let bytes: Arc<[u8]> = Arc::from(m);
        let member = Member::Shared(Arc::clone(&bytes));
        return (ZKey::Shared { node, bytes }, member);
    }
    let mut buf = [0u8; MEMBER_INLINE];
    buf[..m.len()].copy_from_slice(m);
    let len = m.len() as u8;
    let member = Member::Inline { len, buf };
    if m.len() > INLINE {
        let bytes = m.into();
        return (ZKey::Boxed { node, bytes }, member);
    }
    let mut buf = [0u8; INLINE];
    buf[..m.len()].copy_from_slice(m);
    (ZKey::Inline { node, len, buf }, member)
}

/// The bytes of a shared allocation of `len` bytes (its two counts first).
fn shared_bytes(len: usize) -> usize {
    alloc_size(2 * std::mem::size_of::<usize>() + len)
}

impl ZKey {
    #[inline]
    pub fn member(&self) -> &[u8] {
        match self {
            ZKey::Inline { len, buf, .. } => &buf[..*len as usize],
            ZKey::Boxed { bytes, .. } => bytes,
            ZKey::Shared { bytes, .. } => bytes,
        }
    }

    /// The member's skiplist node.
    #[inline]
    pub fn node(&self) -> NodeId {
        match self {
            ZKey::Inline { node, .. } | ZKey::Boxed { node, .. } | ZKey::Shared { node, .. } => {
                *node
            }
        }
    }

    /// Points the key at the node its member moved to.
    #[inline]
    pub fn set_node(&mut self, id: NodeId) {
        match self {
            ZKey::Inline { node, .. } | ZKey::Boxed { node, .. } | ZKey::Shared { node, .. } => {
                *node = id
            }
        }
    }
}

impl Member {
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Member::Inline { len, buf } => &buf[..*len as usize],
            Member::Shared(b) => b,
        }
    }
}

/// Bytes a member of `len` bytes takes outside its dict entry and its
/// skiplist node (for MEMORY USAGE).
pub fn heap_bytes(len: usize) -> usize {
    if len > MEMBER_INLINE {
        shared_bytes(len)
    } else if len > INLINE {
        alloc_size(len)
    } else {
        0
    }
}

impl Deref for Member {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Member {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
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
        assert_eq!(std::mem::size_of::<Option<Member>>(), 24);
        assert_eq!(Dict::<ZKey, ()>::entry_bytes(), 32);
    }

    #[test]
    fn member_and_node_at_every_length() {
        for n in 0..40usize {
            let m: Vec<u8> = (0..n).map(|i| b'0' + (i % 10) as u8).collect();
            let (mut k, e) = key_and_member(&m);
            k.set_node(7);
            assert_eq!((k.member(), k.node(), &e[..]), (&m[..], 7, &m[..]));
            k.set_node(u32::MAX - 1);
            assert_eq!((k.key_bytes(), k.node()), (&m[..], u32::MAX - 1));
            let kind = match (&k, &e) {
                (ZKey::Inline { .. }, Member::Inline { .. }) => 0,
                (ZKey::Boxed { .. }, Member::Inline { .. }) => 1,
                (ZKey::Shared { bytes, .. }, Member::Shared(b)) => {
                    assert!(Arc::ptr_eq(bytes, b));
                    2
                }
                _ => panic!("{n}: unexpected forms"),
            };
            let want = usize::from(n > INLINE) + usize::from(n > MEMBER_INLINE);
            assert_eq!(kind, want, "{n}");
            assert_eq!(heap_bytes(n) == 0, n <= INLINE);
            assert_eq!(e.clone().as_bytes(), &m[..]);
        }
    }
}
