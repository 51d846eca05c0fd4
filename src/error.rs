//! Command errors (Redis server.c `createSharedObjects` error replies): values
//! rendered as Redis's exact text, counted by their prefix in INFO errorstats.

use std::borrow::Cow;

/// An error reply. The text starts with its code ("ERR", "WRONGTYPE", ...)
/// and has no leading '-'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdError(pub Cow<'static, str>);

impl CmdError {
    /// An error with the generic "ERR " code in front of `msg`.
    pub fn err(msg: impl Into<String>) -> CmdError {
        CmdError(Cow::Owned(format!("ERR {}", msg.into())))
    }

    /// An error whose text already carries its code.
    pub fn raw(text: impl Into<String>) -> CmdError {
        CmdError(Cow::Owned(text.into()))
    }

    pub const fn fixed(text: &'static str) -> CmdError {
        CmdError(Cow::Borrowed(text))
    }

    pub fn text(&self) -> &str {
        &self.0
    }

    /// The code used by INFO errorstats: the first word of the text.
    pub fn code(&self) -> &str {
        error_code(&self.0)
    }

    pub fn wrong_args(cmd_fullname: &str) -> CmdError {
        CmdError::err(format!(
            "wrong number of arguments for '{}' command",
            cmd_fullname
        ))
    }

    pub fn unknown_subcommand(sub: &[u8], container: &str) -> CmdError {
        CmdError::err(format!(
            "unknown subcommand '{}'. Try {} HELP.",
            lossy_prefix(sub, 128),
            container.to_ascii_uppercase()
        ))
    }
}

/// The first word of an error text (what errorstats counts by).
pub fn error_code(text: &str) -> &str {
    text.split(' ').next().unwrap_or("ERR")
}

/// At most `max` bytes of `s`, cut at the first NUL as C's `%.*s` does, as text.
pub fn lossy_prefix(s: &[u8], max: usize) -> String {
    let s = &s[..s.len().min(max)];
    let s = match memchr::memchr(0, s) {
        Some(i) => &s[..i],
        None => s,
    };
    String::from_utf8_lossy(s).into_owned()
}

pub const SYNTAX: CmdError = CmdError::fixed("ERR syntax error");
pub const WRONGTYPE: CmdError =
    CmdError::fixed("WRONGTYPE Operation against a key holding the wrong kind of value");
pub const NOT_INTEGER: CmdError = CmdError::fixed("ERR value is not an integer or out of range");
pub const NOT_FLOAT: CmdError = CmdError::fixed("ERR value is not a valid float");
pub const OUT_OF_RANGE: CmdError = CmdError::fixed("ERR index out of range");
pub const NO_SUCH_KEY: CmdError = CmdError::fixed("ERR no such key");
pub const DB_INDEX_OUT_OF_RANGE: CmdError = CmdError::fixed("ERR DB index is out of range");
pub const INVALID_DB_INDEX: CmdError = CmdError::fixed("ERR invalid DB index");
pub const NOAUTH: CmdError = CmdError::fixed("NOAUTH Authentication required.");
pub const WRONGPASS: CmdError =
    CmdError::fixed("WRONGPASS invalid username-password pair or user is disabled.");
pub const OVERFLOW: CmdError = CmdError::fixed("ERR increment or decrement would overflow");
pub const TIMEOUT_NOT_FLOAT: CmdError =
    CmdError::fixed("ERR timeout is not a float or out of range");
pub const TIMEOUT_NEGATIVE: CmdError = CmdError::fixed("ERR timeout is negative");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(WRONGTYPE.code(), "WRONGTYPE");
        assert_eq!(CmdError::err("x y").code(), "ERR");
        assert_eq!(lossy_prefix(b"ab\0cd", 128), "ab");
    }
}
