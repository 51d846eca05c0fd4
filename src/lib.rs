//! ferrodis: a Redis 7.0 compatible in-memory data store.
//!
//! The crate is laid out like Redis's source tree; each module's first line
//! names the Redis file it mirrors. Dependencies flow one way:
//!
//! `main` -> `server` -> `cmd` (dispatch) -> command families -> keyspace/types
//! -> `ds`, `resp`, `util`. The `event_loop` knows sockets and time, never
//! commands. See docs/architecture.md for the full map.

pub mod alloc;
pub mod blocking;
pub mod cmd;
pub mod config;
pub mod conn;
pub mod ds;
pub mod error;
pub mod event_loop;
pub mod introspection;
pub mod keyspace;
pub mod log;
pub mod multi;
pub mod persistence;
pub mod propagate;
pub mod pubsub;
pub mod resp;
pub mod server;
pub mod tracking;
pub mod types;
pub mod util;

/// The Redis version we are compatible with, reported wherever Redis reports its own.
pub const REDIS_VERSION: &str = "7.0.15";
/// Our own version.
pub const FERRODIS_VERSION: &str = env!("CARGO_PKG_VERSION");
