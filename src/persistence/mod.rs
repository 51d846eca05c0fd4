//! Persistence (Redis rdb.c, aof.c, rio.c): the append-only file.

pub mod aof;
