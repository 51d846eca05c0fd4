//! Small helpers shared by every layer (Redis util.c, sds.c fragments).

pub mod args;
pub mod glob;
pub mod ld;
pub mod lzf;
pub mod num;
pub mod prefetch;
pub mod sha256;
