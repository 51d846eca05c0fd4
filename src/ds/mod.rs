//! Shared compact encodings under the collection types (Redis dict.c,
//! listpack.c, quicklist.c, intset.c, the t_zset.c skiplist). Pure data
//! structures: they know nothing of clients, replies or the keyspace.

pub mod dict;
pub mod intset;
pub mod listpack;
pub mod quicklist;
pub mod skiplist;
