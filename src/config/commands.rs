//! CONFIG GET/SET/RESETSTAT/REWRITE (config.c `configCommand`).

use crate::cmd::CommandImpl;

pub const COMMANDS: &[CommandImpl] = &[];
