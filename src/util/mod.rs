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

/// Gives the calling thread the lowest scheduling priority (nice 19). Background saves
/// and rewrites call it: on a busy CPU the threads that serve clients then take the
/// core whenever they have work, so a snapshot costs clients throughput, not pauses.
/// Best effort: a failure only leaves the thread at normal priority.
pub fn lower_thread_priority() {
    extern "C" {
        fn gettid() -> i32;
        fn setpriority(which: i32, who: u32, prio: i32) -> i32;
    }
    const PRIO_PROCESS: i32 = 0; // with a thread id, Linux applies it to that thread
    const LOWEST: i32 = 19;
    // SAFETY: both are plain glibc calls taking integers; no memory is shared.
    let rc = unsafe { setpriority(PRIO_PROCESS, gettid() as u32, LOWEST) };
    if rc != 0 {
        tracing::debug!("could not lower the priority of a background thread");
    }
}
