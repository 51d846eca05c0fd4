//! Clients (Redis networking.c): connection state, query and reply buffers,
//! reading and writing with per-event budgets, and the client slab.

pub mod client;
pub mod client_cmd;
pub mod commands;
pub mod evict;
pub mod info;
pub mod io;
pub mod memory;
pub mod monitor;
pub mod obuf_limits;
pub mod pause;
pub mod resize;
pub mod slab;
pub mod state;

pub use client::{Client, ClientFlags, ReplyMode, Socket};
pub use slab::Clients;
