//! `tuf-alloc`: the system allocator, with transparent huge pages asked for
//! every block of [`HUGE_FROM`] bytes or more.
//!
//! # Contract
//!
//! [`HugePageAlloc`] hands every call to [`std::alloc::System`] unchanged.
//! On Linux, when a block of at least [`HUGE_FROM`] bytes is allocated or
//! grown, it then advises the kernel (`madvise(MADV_HUGEPAGE)`) that the
//! whole pages inside the block may be backed by 2 MiB pages. The advice
//! never changes a byte of memory; if the kernel refuses it (no THP support,
//! a page size it does not expect), it is ignored. Elsewhere it is the
//! system allocator and nothing more.
//!
//! # Why
//!
//! A cold refresh of a large targets role writes tens of MB of memory that
//! was never touched before: the downloaded text, its canonical form, the
//! model. With 4 KiB pages, one page fault per 4 KiB is a quarter of that
//! refresh's CPU time, and most distributions set THP to `madvise`, so
//! nothing gets huge pages unless it asks (ADR 0010 has the figures).
//!
//! # Use
//!
//! It is opt-in, per binary: the `tuf` and `tuf-conformance-client`
//! programs and the client benchmark install it, and an application that
//! embeds `tuf-client` may do the same:
//!
//! ```
//! #[global_allocator]
//! static ALLOC: tuf_alloc::HugePageAlloc = tuf_alloc::HugePageAlloc;
//! # fn main() { let v = vec![0u8; 1 << 20]; assert_eq!(v.len(), 1 << 20); }
//! ```
//!
//! This is the project's only `unsafe` code; each block says why it is sound.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of this many bytes or more are advised: 4 MiB, the smallest size
/// that always holds one whole, aligned 2 MiB page wherever it starts.
pub const HUGE_FROM: usize = 4 << 20;

/// The system allocator, advising huge pages for blocks of [`HUGE_FROM`]
/// bytes or more (Linux only; see the crate documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct HugePageAlloc;

// SAFETY: every method forwards to `System` with the caller's own arguments
// and returns what `System` returned, so `System`'s guarantees are ours. The
// extra `advise` call neither moves nor writes memory.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: our caller upholds `GlobalAlloc::alloc`'s contract, which
        // is `System::alloc`'s.
        let ptr = unsafe { System.alloc(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`,
        // with this `layout` (the caller's contract).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and `new_size` meets `realloc`'s
        // contract (the caller's).
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        // A block that grows past the threshold, or one the system copied
        // elsewhere, may not carry the advice yet; repeating it is harmless.
        advise(new, new_size);
        new
    }
}

/// Asks for huge pages on the whole pages inside `[ptr, ptr + size)`, a
/// block just returned by `System` (or null, when it failed).
#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, size: usize) {
    if ptr.is_null() || size < HUGE_FROM {
        return;
    }
    let page = page_size();
    let start = (ptr as usize).next_multiple_of(page);
    let end = (ptr as usize + size) / page * page;
    if end <= start {
        return;
    }
    // SAFETY: `[start, end)` lies inside a block that `System` has just
    // handed to us, so no other allocation shares those pages' contents.
    // MADV_HUGEPAGE only sets a flag on the mapping: it does not change,
    // free or move memory, and it does not allocate (we are inside the
    // allocator). Its only failure, EINVAL without THP, leaves things as
    // they were, so the result is deliberately not checked.
    #[allow(unsafe_code)]
    unsafe {
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _size: usize) {}

/// The kernel's page size (4 KiB on x86-64; 16 or 64 KiB on some arm64).
#[cfg(target_os = "linux")]
fn page_size() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions; glibc answers
            // _SC_PAGESIZE from memory, without allocating.
            #[allow(unsafe_code)]
            let raw = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let page = usize::try_from(raw)
                .ok()
                .filter(|p| p.is_power_of_two())
                .unwrap_or(4096);
            PAGE.store(page, Ordering::Relaxed);
            page
        }
        page => page,
    }
}
