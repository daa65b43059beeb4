//! The data structures behind each Redis type. Each keeps Redis 7.0's small/large
//! representations where the difference is observable (OBJECT ENCODING, memory) and
//! offers the operations its command family needs. No locking, no I/O, no replies.
pub mod hash;
pub mod list;
pub mod set;
pub mod zset;
