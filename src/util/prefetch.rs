//! A cache prefetch hint (Redis has none in 7.0; later versions prefetch
//! dict entries the same way). Walking a big keyspace is bound by
//! dependent cache misses (bucket, entry, value box, value bytes); hinting
//! the next few keys' memory while the current one is written lets the
//! misses overlap.
//!
//! The one `unsafe` outside event_loop/ and persistence/child.rs (STYLE.md
//! rule 8): `_mm_prefetch` is an intrinsic marked `#[target_feature(sse)]`,
//! which Rust does not let safe code call even though every x86_64 CPU
//! has SSE. `core::intrinsics::prefetch_read_data` would be safe but is
//! unstable.

/// Asks the CPU to bring the cache line at `p` into all cache levels. A
/// hint only: it never faults, whatever `p` is, and does nothing on other
/// architectures.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint; it does not dereference `p` in the
    // language's sense and cannot fault, even for a dangling address.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    #[test]
    fn any_address_is_fine() {
        let v = [1u8; 100];
        super::prefetch(v.as_ptr());
        super::prefetch(std::ptr::null::<u8>());
        super::prefetch(usize::MAX as *const u64);
    }
}
