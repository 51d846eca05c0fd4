//! Redis dict.c's `dict_can_resize` (`dictSetResizeEnabled`) and the rules
//! it feeds: whether any dict may grow, shrink or rehash right now.
//!
//! The policy is one process-wide value, as in Redis, and deliberately so:
//! while a forked child shares our pages, *every* dict must hold still (the
//! keyspace and expires, and equally the dicts inside sets, hashes and
//! zsets), or each resize copies the pages it touches. A per-dict flag set
//! by the server reached only the db dicts (sets kept resizing under
//! BGSAVE); passing the policy into every insert and delete of every type
//! would thread a server value through code that is otherwise pure data
//! structure. So this is the one global of the dict, an atomic (the lazy
//! free thread only drops dicts, which never reads it), written by the
//! server's `update_dict_resize_policy` and by the child after the fork.

use std::sync::atomic::{AtomicU8, Ordering};

/// `dictResizeEnable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizePolicy {
    /// No child: dicts grow at a 1:1 fill, shrink and rehash freely.
    Enable = 0,
    /// The parent while a child runs: grow only past the forced ratio,
    /// never shrink, and rehash only a table whose size changes by at least
    /// that ratio (a shrink from a huge table is worth its copied pages).
    Avoid = 1,
    /// In the child itself: nothing moves.
    Forbid = 2,
}

/// Above this elements/buckets ratio a table grows even when resizing is
/// avoided; also the size ratio that lets a rehash run (dict_force_resize_ratio).
pub const FORCE_RESIZE_RATIO: usize = 5;

static POLICY: AtomicU8 = AtomicU8::new(ResizePolicy::Enable as u8);

/// Sets the policy for every dict of the process (`dictSetResizeEnabled`).
pub fn set_policy(p: ResizePolicy) {
    POLICY.store(p as u8, Ordering::Relaxed);
}

/// The current policy.
#[inline]
pub fn policy() -> ResizePolicy {
    match POLICY.load(Ordering::Relaxed) {
        0 => ResizePolicy::Enable,
        1 => ResizePolicy::Avoid,
        _ => ResizePolicy::Forbid,
    }
}

/// Whether a table of `size` buckets holding `used` elements must grow
/// (`_dictExpandIfNeeded` past its empty-table case).
#[inline]
pub fn may_grow(p: ResizePolicy, used: usize, size: usize) -> bool {
    (p == ResizePolicy::Enable && used >= size)
        || (p != ResizePolicy::Forbid && used / size > FORCE_RESIZE_RATIO)
}

/// Whether a mostly empty table may shrink (`dictResize`).
#[inline]
pub fn may_shrink(p: ResizePolicy) -> bool {
    p == ResizePolicy::Enable
}

/// Whether a rehash from `s0` buckets to `s1` may take a step (`dictRehash`).
#[inline]
pub fn may_rehash(p: ResizePolicy, s0: usize, s1: usize) -> bool {
    match p {
        ResizePolicy::Enable => true,
        ResizePolicy::Forbid => false,
        ResizePolicy::Avoid => {
            let (small, big) = (s0.min(s1).max(1), s0.max(s1));
            s0 == s1 || big / small >= FORCE_RESIZE_RATIO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResizePolicy::*;

    #[test]
    fn growth_follows_the_policy() {
        assert!(may_grow(Enable, 4, 4));
        assert!(!may_grow(Enable, 3, 4));
        assert!(!may_grow(Avoid, 4, 4));
        assert!(!may_grow(Avoid, 23, 4));
        assert!(may_grow(Avoid, 24, 4));
        assert!(!may_grow(Forbid, 1000, 4));
    }

    #[test]
    fn shrinking_and_rehashing_follow_the_policy() {
        assert!(may_shrink(Enable));
        assert!(!may_shrink(Avoid) && !may_shrink(Forbid));
        assert!(may_rehash(Enable, 4, 8));
        assert!(!may_rehash(Forbid, 131072, 512));
        assert!(!may_rehash(Avoid, 4, 8));
        assert!(!may_rehash(Avoid, 8, 4));
        assert!(may_rehash(Avoid, 131072, 512));
        assert!(may_rehash(Avoid, 4, 32));
    }
}
