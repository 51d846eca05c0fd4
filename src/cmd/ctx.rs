//! The context a command handler runs in: the server, the calling client and
//! its arguments. Handlers read arguments and write replies through it.

use super::meta::CommandMeta;
use crate::conn::Client;
use crate::error::{CmdError, NOT_INTEGER};
use crate::resp::Reply;
use crate::server::Server;
use crate::util::num::string2ll;

pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub client: &'a mut Client,
    pub argv: &'a [Vec<u8>],
    pub meta: &'static CommandMeta,
    /// Id of the running command in the table (for stats and COMMAND).
    pub cmd_id: usize,
}

impl<'a> Ctx<'a> {
    pub fn argc(&self) -> usize {
        self.argv.len()
    }

    pub fn arg(&self, i: usize) -> &'a [u8] {
        &self.argv[i]
    }

    /// True when argument `i` equals `word`, ignoring ASCII case.
    pub fn arg_is(&self, i: usize, word: &str) -> bool {
        self.argv
            .get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    }

    /// Argument `i` as an i64, with Redis's "not an integer" error.
    pub fn arg_i64(&self, i: usize) -> Result<i64, CmdError> {
        string2ll(&self.argv[i]).ok_or(NOT_INTEGER)
    }

    pub fn reply(&mut self) -> &mut Reply {
        &mut self.client.reply
    }

    /// The command's full name ("config|get").
    pub fn fullname(&self) -> &'static str {
        self.meta.name
    }

    /// The error for a bad number of arguments to this command.
    pub fn wrong_args(&self) -> CmdError {
        CmdError::wrong_args(self.meta.name)
    }
}
