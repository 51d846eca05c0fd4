//! Introspection (Redis server.c INFO, slowlog.c, latency.c, debug.c, the
//! COMMAND command, object.c MEMORY): commands that describe the server.

pub mod debug;

use crate::cmd::CommandImpl;

pub const COMMANDS: &[CommandImpl] = &[];
