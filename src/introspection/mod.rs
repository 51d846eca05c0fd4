//! Introspection (Redis server.c INFO, slowlog.c, latency.c, debug.c, the
//! COMMAND command, object.c MEMORY): commands that describe the server.

pub mod command;

use crate::cmd::CommandImpl;

/// Every introspection command; each file contributes its rows.
pub const COMMANDS: &[CommandImpl] = command::COMMANDS;
