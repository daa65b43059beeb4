//! Multi-part AOF (Redis 7.0): the manifest, base and incremental files, fsync
//! policies, loading.
