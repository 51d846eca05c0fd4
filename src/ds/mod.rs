//! Shared compact encodings under the collection types (Redis dict.c,
//! listpack.c, quicklist.c, intset.c, the t_zset.c skiplist). Pure data
//! structures: they know nothing of clients, replies or the keyspace.
//! Shared data structures under the keyspace and the collection types (Redis
//! dict.c, listpack.c, quicklist.c, intset.c, the t_zset.c skiplist). Pure
//! data structures: they know nothing of clients, replies or the keyspace.
//! See docs/encodings.md and docs/keyspace.md.

pub mod dict;
pub mod dict_resize;
pub mod intset;
pub mod listpack;
pub mod quicklist;
pub mod siphash;
pub mod skiplist;
pub mod smallstr;
