//! Shared compact encodings under the collection types (Redis listpack.c,
//! quicklist.c, intset.c, the t_zset.c skiplist). Pure data structures: they
//! know nothing of clients, replies or the keyspace. See docs/encodings.md.

pub mod intset;
pub mod listpack;
pub mod quicklist;
pub mod skiplist;
//! Shared data structures (Redis dict.c, and later listpack.c, quicklist.c,
//! intset.c, t_zset.c's skiplist): the encodings the types are built on.

pub mod dict;
