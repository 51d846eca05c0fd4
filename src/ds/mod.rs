//! Shared compact encodings under the collection types (Redis listpack.c,
//! quicklist.c, intset.c, the t_zset.c skiplist). Pure data structures: they
//! know nothing of clients, replies or the keyspace. See docs/encodings.md.

pub mod intset;
pub mod listpack;
pub mod quicklist;
pub mod skiplist;
