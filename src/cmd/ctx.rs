//! The context a command handler runs in: the server, the calling client and
//! its arguments. Handlers read arguments and write replies through it.

use super::meta::CommandMeta;
use crate::conn::Client;
use crate::error::{CmdError, NOT_INTEGER};
use crate::resp::parser::PROTO_MBULK_BIG_ARG;
use crate::resp::Reply;
use crate::server::Server;
use crate::types::object::Value;
use crate::util::num::string2ll;

pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub client: &'a mut Client,
    pub argv: &'a [Vec<u8>],
    pub meta: &'static CommandMeta,
    /// Id of the running command in the table (for stats and COMMAND).
    pub cmd_id: usize,
    /// A big argument stored as a key's value, moved there after the call.
    /// Whoever builds a `Ctx` and runs a handler must pass this to
    /// [`adopt_arg`] afterwards (dispatch `call` and the AOF loader do), or
    /// the key keeps the empty placeholder.
    pub adopt: Option<Adopt>,
}

/// A big argument a handler stored as a string value without copying it
/// (Redis puts the argv object itself into the keyspace): the handler
/// stores an empty placeholder and `adopt_arg` moves the argument into it
/// once the argument's other readers (propagation, slowlog, MONITOR) are
/// done with argv.
#[derive(Debug)]
pub struct Adopt {
    pub arg: usize,
    pub db: usize,
    pub key: Vec<u8>,
}

/// Moves the adopted argument into its key, if the placeholder is still there.
pub fn adopt_arg(srv: &mut Server, argv: &mut [Vec<u8>], adopt: Adopt) {
    let Some(arg) = argv.get_mut(adopt.arg) else {
        return;
    };
    if let Some(e) = srv.dbs[adopt.db].dict.find_mut(&adopt.key) {
        if let Value::Raw(v) = &mut e.val {
            if v.is_empty() {
                let mut arg = std::mem::take(arg);
                // A query buffer sized for a bigger argument keeps its room:
                // trimmed when over 10% is free (Redis trimStringObjectIfNeeded).
                if arg.capacity() - arg.len() > arg.len() / 10 {
                    arg.shrink_to_fit();
                }
                **v = arg;
            }
        }
    }
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

    /// The string value to store for argument `i` as `key` in `db`: for a
    /// big argument, a placeholder that `adopt_arg` fills with the argument
    /// itself after the call; otherwise its most compact encoding.
    pub fn string_value_of_arg(&mut self, i: usize, db: usize, key: &[u8]) -> Value {
        let val = self.arg(i);
        if val.len() >= PROTO_MBULK_BIG_ARG {
            self.adopt = Some(Adopt {
                arg: i,
                db,
                key: key.to_vec(),
            });
            return Value::str_raw(Vec::new());
        }
        Value::str_encoded(val, self.srv.share_integers())
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
