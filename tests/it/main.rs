//! Integration tests: the real slotd binary, spawned as a process, driven over TCP, and
//! compared with Debian's redis-server 7.0 where practical. One binary, one file per area.
mod harness;

mod basics;
mod bitmap;
mod connection;
mod generic;
mod hash;
mod hll;
mod list;
mod persist_rdb;
mod memory;
mod persist_save;
mod persist_aof;
mod protocol;
mod pubsub;
mod server;
mod set;
mod startup;
mod string;
mod tools;
mod tx;
mod zset;
