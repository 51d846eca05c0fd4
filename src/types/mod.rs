//! The data types (Redis t_*.c and object.c): `object` is the value every key
//! holds; each type has a module with its API (mod.rs) and commands.

pub mod list;
pub mod object;
pub mod sort;
pub mod string;

pub use object::{ObjType, Value};
