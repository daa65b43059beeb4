//! RDB version 10 (Redis 7.0): the value codec (shared with DUMP/RESTORE) and the
//! whole-file writer and reader.
