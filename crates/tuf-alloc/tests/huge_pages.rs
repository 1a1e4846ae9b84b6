//! `HugePageAlloc` as the global allocator of this test binary: large
//! blocks carry the huge-page advice (Linux's `hg` flag in
//! /proc/self/smaps), small ones do not, and no byte changes on the way.
#![cfg(target_os = "linux")]

use tuf_alloc::{HUGE_FROM, HugePageAlloc};

#[global_allocator]
static ALLOC: HugePageAlloc = HugePageAlloc;

/// The `VmFlags` of the mapping that holds `addr` (`hg` is VM_HUGEPAGE,
/// which MADV_HUGEPAGE sets).
fn vm_flags_at(addr: usize) -> Vec<String> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("read smaps");
    let mut inside = false;
    for line in smaps.lines() {
        let range = line.split_once(' ').and_then(|(r, _)| r.split_once('-'));
        if let Some((lo, hi)) = range
            && let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
        {
            inside = (lo..hi).contains(&addr);
        } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
            return flags.split_whitespace().map(str::to_owned).collect();
        }
    }
    panic!("no mapping holds {addr:#x}");
}

/// Kernels built without THP have no such directory, and refuse the advice.
fn thp_available() -> bool {
    std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists()
}

#[test]
fn a_large_block_is_advised_grows_advised_and_keeps_its_bytes() {
    let mut block = vec![0u8; 16 << 20];
    assert!(
        block.iter().all(|&b| b == 0),
        "zeroed allocation must be zero"
    );
    block.fill(0xa5);
    if thp_available() {
        let flags = vm_flags_at(block.as_ptr() as usize + (8 << 20));
        assert!(flags.iter().any(|f| f == "hg"), "not advised: {flags:?}");
    }
    block.reserve_exact(24 << 20); // realloc to 40 MiB
    block.resize(40 << 20, 0x5a);
    assert!(
        block[..16 << 20].iter().all(|&b| b == 0xa5),
        "realloc lost bytes"
    );
    assert!(block[16 << 20..].iter().all(|&b| b == 0x5a));
    if thp_available() {
        let flags = vm_flags_at(block.as_ptr() as usize + (32 << 20));
        assert!(
            flags.iter().any(|f| f == "hg"),
            "grown block not advised: {flags:?}"
        );
    }
}

#[test]
fn a_block_below_the_threshold_is_left_alone() {
    // Above glibc's initial mmap threshold (128 KiB), so a mapping of its own
    // that nothing else in this process could have advised.
    let block = vec![1u8; HUGE_FROM - 4096];
    if thp_available() {
        let flags = vm_flags_at(block.as_ptr() as usize + block.len() / 2);
        assert!(!flags.iter().any(|f| f == "hg"), "advised: {flags:?}");
    }
    assert!(block.iter().all(|&b| b == 1));
}
