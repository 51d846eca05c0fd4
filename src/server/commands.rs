//! Server commands (server.c): SHUTDOWN, TIME, DBSIZE, LASTSAVE, MONITOR.

use crate::cmd::CommandImpl;

pub const COMMANDS: &[CommandImpl] = &[];
