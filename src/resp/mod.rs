//! RESP, both directions: request frames from clients (`decode`), replies to them
//! (`reply`: the `Reply` tree and its RESP2/RESP3 encoders), and a parser for replies
//! read back from servers (`parse`: metadata captured from Redis, MIGRATE and replication
//! peers, tests).
//!
//! Nothing here knows about commands or state; it must never panic on any input.
pub mod decode;
pub mod parse;
pub mod reply;

pub use reply::Reply;
