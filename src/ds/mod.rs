//! Shared data structures (Redis dict.c, and later listpack.c, quicklist.c,
//! intset.c, t_zset.c's skiplist): the encodings the types are built on.

pub mod dict;
