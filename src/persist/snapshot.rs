//! Point-in-time snapshots of the keyspace without fork.
