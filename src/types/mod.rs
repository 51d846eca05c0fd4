//! The data types (Redis t_*.c and object.c): `object` is the value every key
//! holds; each type has a module with its API (mod.rs) and commands.

pub mod bitmap;
pub mod coll;
#[cfg(test)]
mod coll_events_tests;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod list;
pub mod object;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod zset;

pub use object::{ObjType, Value};
