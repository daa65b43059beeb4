//! Small, fixed algorithms with Redis's exact semantics: number parsing and formatting,
//! glob matching, time. Pure functions; nothing here touches shared state.
pub mod alloc;
pub mod glob;
pub mod hash;
pub mod num;
pub mod template;
pub mod time;

/// Hints the CPU to pull the cache line at `p` in; never faults, whatever `p` is.
#[inline(always)]
pub fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint with no architectural effect; it never faults.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

