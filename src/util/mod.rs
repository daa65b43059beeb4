//! Small, fixed algorithms with Redis's exact semantics: number parsing and formatting,
//! glob matching, time. Pure functions; nothing here touches shared state.
pub mod alloc;
pub mod glob;
pub mod hash;
pub mod num;
pub mod template;
pub mod time;
