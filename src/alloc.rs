//! The allocator (Redis zmalloc.c): jemalloc behind a counting wrapper, so
//! `used_memory` is one relaxed atomic load, cheap enough for maxmemory
//! checks on every command, plus jemalloc's own statistics for INFO memory,
//! MEMORY STATS, MEMORY MALLOC-STATS and MEMORY PURGE.
//!
//! The counter is the one process-wide static besides signal handling: a
//! global allocator has no other place to keep state.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

use tikv_jemallocator::Jemalloc;

/// Bytes currently allocated through [`CountingJemalloc`] (Redis `used_memory`).
static USED: AtomicUsize = AtomicUsize::new(0);

/// The size jemalloc really hands out for `layout` (its size class), which
/// is what Redis counts (`zmalloc_size` is `malloc_usable_size`). Small and
/// large classes are spaced 4 per doubling above 128 bytes and every 16
/// bytes below (8 is a class of its own); over-aligned layouts ask jemalloc.
#[inline]
fn usable_size(layout: Layout) -> usize {
    let size = layout.size();
    if layout.align() > 16 || size > 1 << 40 {
        let flags = layout.align().trailing_zeros() as std::os::raw::c_int;
        // SAFETY: nallocx only computes a size class; it touches no memory.
        return unsafe { tikv_jemalloc_sys::nallocx(size.max(1), flags) };
    }
    if size <= 8 {
        return 8;
    }
    if size <= 128 {
        return (size + 15) & !15;
    }
    let lg = usize::BITS - 1 - (size - 1).leading_zeros();
    let delta = 1usize << (lg - 2);
    (size + delta - 1) & !(delta - 1)
}

/// The size class jemalloc uses for `n` bytes: a buffer asked for with this
/// capacity uses its whole allocation (Redis's `zmalloc_usable`).
pub fn size_class(n: usize) -> usize {
    usable_size(Layout::from_size_align(n, 1).unwrap_or(Layout::new::<u8>()))
}

/// The global allocator: jemalloc, counting allocated bytes by size class.
pub struct CountingJemalloc;

// SAFETY: every method forwards to jemalloc with the caller's arguments
// unchanged; the counter is only arithmetic on the sizes.
unsafe impl GlobalAlloc for CountingJemalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = Jemalloc.alloc(layout);
        if !p.is_null() {
            USED.fetch_add(usable_size(layout), Ordering::Relaxed);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = Jemalloc.alloc_zeroed(layout);
        if !p.is_null() {
            USED.fetch_add(usable_size(layout), Ordering::Relaxed);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Jemalloc.dealloc(ptr, layout);
        USED.fetch_sub(usable_size(layout), Ordering::Relaxed);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = Jemalloc.realloc(ptr, layout, new_size);
        if !p.is_null() {
            let old = usable_size(layout);
            // SAFETY: the new layout is valid: realloc's contract keeps the
            // alignment and bounds `new_size`.
            let new =
                usable_size(unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) });
            if new >= old {
                USED.fetch_add(new - old, Ordering::Relaxed);
            } else {
                USED.fetch_sub(old - new, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Bytes allocated by the server right now. When the counting allocator is
/// not installed (unit tests of the library) this falls back to jemalloc's
/// own, slower, figure.
pub fn used_memory() -> usize {
    match USED.load(Ordering::Relaxed) {
        0 => allocator_stats().allocated,
        n => n,
    }
}

/// jemalloc's view of memory (Redis `zmalloc_get_allocator_info`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocatorStats {
    pub allocated: usize,
    pub active: usize,
    pub resident: usize,
    pub retained: usize,
    pub mapped: usize,
    pub metadata: usize,
}

/// Refreshes jemalloc's statistics epoch and reads them. Costs a few
/// mallctl calls, so the server samples it in cron, as Redis does.
pub fn allocator_stats() -> AllocatorStats {
    use tikv_jemalloc_ctl::{epoch, stats};
    let _ = epoch::advance();
    AllocatorStats {
        allocated: stats::allocated::read().unwrap_or(0),
        active: stats::active::read().unwrap_or(0),
        resident: stats::resident::read().unwrap_or(0),
        retained: stats::retained::read().unwrap_or(0),
        mapped: stats::mapped::read().unwrap_or(0),
        metadata: stats::metadata::read().unwrap_or(0),
    }
}

/// The allocator name INFO reports as `mem_allocator`.
pub fn allocator_name() -> String {
    let v = tikv_jemalloc_ctl::version::read().unwrap_or("5.3.0");
    // jemalloc reports "5.3.0-1-g<sha>"; Redis shows "jemalloc-5.3.0".
    let short = v.split('-').next().unwrap_or(v);
    format!("jemalloc-{}", short)
}

/// jemalloc's statistics report (MEMORY MALLOC-STATS).
pub fn malloc_stats_text() -> Vec<u8> {
    let mut out = Vec::new();
    let _ = epoch_advance();
    let opts = tikv_jemalloc_ctl::stats_print::Options::default();
    if tikv_jemalloc_ctl::stats_print::stats_print(&mut out, opts).is_err() {
        out.clear();
    }
    out
}

fn epoch_advance() -> Result<u64, tikv_jemalloc_ctl::Error> {
    tikv_jemalloc_ctl::epoch::advance()
}

/// Returns dirty pages of every arena to the OS (MEMORY PURGE). jemalloc's
/// `MALLCTL_ARENAS_ALL` is 4096.
pub fn purge() -> bool {
    // SAFETY: "arena.4096.purge" takes neither an old nor a new value, so
    // every pointer is null and both lengths are zero; the name is a
    // NUL-terminated literal.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        ) == 0
    }
}

/// The text of an errno value, as C's `strerror`.
fn strerror(code: i32) -> String {
    crate::util::strerror(&std::io::Error::from_raw_os_error(code))
}

fn mallctl_name(name: &str) -> Result<std::ffi::CString, String> {
    std::ffi::CString::new(name).map_err(|_| strerror(libc::EINVAL))
}

/// DEBUG MALLCTL: reads (and with `value`, writes) an integer control,
/// trying 8-byte, then narrower sizes, as Redis's `mallctl_int` does.
/// Ok(Some(old)) is the value read, Ok(None) a write-only success.
pub fn mallctl_int(name: &str, value: Option<i64>) -> Result<Option<i64>, String> {
    let key = mallctl_name(name)?;
    let mut sz = std::mem::size_of::<i64>();
    let mut val = value.unwrap_or(0);
    while sz > 0 {
        let mut old: i64 = 0;
        let mut oldlen = sz;
        let (newp, newlen) = match value {
            Some(_) => (&mut val as *mut i64 as *mut libc::c_void, sz),
            None => (std::ptr::null_mut(), 0),
        };
        // SAFETY: `old` has room for 8 bytes and jemalloc writes at most
        // `oldlen` (<= 8) of them; `newp` is null or points at `val` with
        // `newlen` <= 8 valid bytes; the name is NUL-terminated.
        let ret = unsafe {
            tikv_jemalloc_sys::mallctl(
                key.as_ptr(),
                &mut old as *mut i64 as *mut libc::c_void,
                &mut oldlen,
                newp,
                newlen,
            )
        };
        if ret == 0 {
            return Ok(Some(old));
        }
        if ret == libc::EPERM && value.is_some() {
            // A write-only control: just write it.
            // SAFETY: as above, with no old-value buffer.
            let w = unsafe {
                tikv_jemalloc_sys::mallctl(
                    key.as_ptr(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    &mut val as *mut i64 as *mut libc::c_void,
                    sz,
                )
            };
            if w == 0 {
                return Ok(None);
            }
        }
        if ret != libc::EINVAL {
            return Err(strerror(ret));
        }
        // jemalloc shrank `oldlen` to the copied size; Redis then halves it.
        sz = oldlen / 2;
    }
    Err(strerror(libc::EINVAL))
}

/// DEBUG MALLCTL-STR: reads a string control, and with `value` writes it
/// ("VOID" writes nothing but triggers the control).
pub fn mallctl_str(name: &str, value: Option<&[u8]>) -> Result<Option<Vec<u8>>, String> {
    let key = mallctl_name(name)?;
    let mut old: *const libc::c_char = std::ptr::null();
    let mut sz = std::mem::size_of::<*const libc::c_char>();
    // SAFETY: `old` is a pointer-sized out slot and `sz` says so.
    let rret = unsafe {
        tikv_jemalloc_sys::mallctl(
            key.as_ptr(),
            &mut old as *mut *const libc::c_char as *mut libc::c_void,
            &mut sz,
            std::ptr::null_mut(),
            0,
        )
    };
    if rret != 0 && !(rret == libc::EPERM && value.is_some()) {
        return Err(strerror(rret));
    }
    let read = if rret == 0 && !old.is_null() {
        // SAFETY: jemalloc returned a pointer to a NUL-terminated string it owns.
        Some(unsafe { std::ffi::CStr::from_ptr(old) }.to_bytes().to_vec())
    } else {
        None
    };
    let mut wret = 0;
    if let Some(v) = value {
        let cv = std::ffi::CString::new(v).map_err(|_| strerror(libc::EINVAL))?;
        let mut p = cv.as_ptr();
        let (newp, newlen) = if v == b"VOID" {
            (std::ptr::null_mut(), 0)
        } else {
            (
                &mut p as *mut *const libc::c_char as *mut libc::c_void,
                std::mem::size_of::<*const libc::c_char>(),
            )
        };
        // SAFETY: `newp` is null or points at a pointer to `cv`, which
        // outlives the call; jemalloc copies what it keeps.
        wret = unsafe {
            tikv_jemalloc_sys::mallctl(
                key.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                newp,
                newlen,
            )
        };
    }
    match (rret, read) {
        (0, Some(v)) => Ok(Some(v)),
        (0, None) => Ok(Some(Vec::new())),
        _ if wret != 0 => Err(strerror(wret)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    /// Our size classes are jemalloc's for every size up to 1 MB.
    #[test]
    fn usable_size_matches_jemalloc() {
        for size in 1..(1 << 20) {
            let l = std::alloc::Layout::from_size_align(size, 8).unwrap();
            // SAFETY: nallocx only computes a size class.
            let je = unsafe { tikv_jemalloc_sys::nallocx(size, 0) };
            assert_eq!(super::usable_size(l), je, "size {size}");
        }
    }

    use super::*;

    #[test]
    fn stats_are_readable() {
        let _v: Vec<u8> = vec![0; 1 << 20];
        let s = allocator_stats();
        assert!(s.allocated > 0);
        assert!(s.active >= s.allocated);
        assert!(s.resident >= s.active);
        assert!(allocator_name().starts_with("jemalloc-"));
        assert!(used_memory() > 0);
    }

    #[test]
    fn malloc_stats_and_purge() {
        let text = malloc_stats_text();
        assert!(String::from_utf8_lossy(&text).contains("jemalloc statistics"));
        assert!(purge());
        assert_eq!(
            mallctl_int("nosuch", None),
            Err("No such file or directory".into())
        );
        assert!(mallctl_int("stats.allocated", None).unwrap().unwrap() > 0);
        assert!(mallctl_str("version", None)
            .unwrap()
            .unwrap()
            .starts_with(b"5."));
    }
}

/// Unit tests of the library run under the same allocator as the server.
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: CountingJemalloc = CountingJemalloc;

/// The size jemalloc really allocates for a request of `n` bytes (its size
/// class, like Redis `zmalloc_size`); 0 for 0.
pub fn alloc_size(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    // SAFETY: nallocx only computes a size class; it touches no memory.
    let sz = unsafe { tikv_jemalloc_sys::nallocx(n, 0) };
    if sz == 0 {
        n
    } else {
        sz
    }
}
