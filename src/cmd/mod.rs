//! Commands (Redis server.c `redisCommandTable`, `processCommand`, `call`):
//! the table that joins metadata with handlers, the context handlers run in,
//! and dispatch as a chain of small checks.

pub mod ctx;
pub mod dispatch;
pub mod keys;
pub mod meta;
pub mod meta_data;
pub mod table;

pub use ctx::Ctx;
pub use table::{CommandImpl, CommandTable, Handler};
