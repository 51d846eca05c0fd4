//! Command errors (Redis server.c `createSharedObjects` error replies): values
//! rendered as Redis's exact text, counted by their prefix in INFO errorstats.

use std::borrow::Cow;

/// An error reply. The text starts with its code ("ERR", "WRONGTYPE", ...)
/// and has no leading '-'. It is bytes, because Redis echoes client bytes
/// (unknown command names, arguments) into error texts unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdError(pub Cow<'static, [u8]>);

impl CmdError {
    /// An error with the generic "ERR " code in front of `msg`.
    pub fn err(msg: impl Into<String>) -> CmdError {
        CmdError(Cow::Owned(format!("ERR {}", msg.into()).into_bytes()))
    }

    /// An error whose text already carries its code.
    pub fn raw(text: impl Into<String>) -> CmdError {
        CmdError(Cow::Owned(text.into().into_bytes()))
    }

    /// An error from raw bytes that already carry their code.
    pub fn from_bytes(text: Vec<u8>) -> CmdError {
        CmdError(Cow::Owned(text))
    }

    pub const fn fixed(text: &'static str) -> CmdError {
        CmdError(Cow::Borrowed(text.as_bytes()))
    }

    /// The bytes sent after '-'.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, lossily decoded (for logs and tests).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The code used by INFO errorstats: the first word of the text.
    pub fn code(&self) -> &str {
        let word = self.0.split(|b| *b == b' ').next().unwrap_or(b"ERR");
        std::str::from_utf8(word).unwrap_or("ERR")
    }

    pub fn wrong_args(cmd_fullname: &str) -> CmdError {
        CmdError::err(format!(
            "wrong number of arguments for '{}' command",
            cmd_fullname
        ))
    }

    pub fn unknown_subcommand(sub: &[u8], container: &str) -> CmdError {
        let mut t = b"ERR unknown subcommand '".to_vec();
        t.extend_from_slice(c_prefix(sub, 128));
        t.extend_from_slice(format!("'. Try {} HELP.", container.to_ascii_uppercase()).as_bytes());
        CmdError::from_bytes(t)
    }
}

/// The first word of an error text (what errorstats counts by).
pub fn error_code(text: &str) -> &str {
    text.split(' ').next().unwrap_or("ERR")
}

/// At most `max` bytes of `s`, cut at the first NUL, as C's `%.*s` prints it.
pub fn c_prefix(s: &[u8], max: usize) -> &[u8] {
    let s = &s[..s.len().min(max)];
    match memchr::memchr(0, s) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// `c_prefix` as text, for messages built with `format!`.
pub fn lossy_prefix(s: &[u8], max: usize) -> String {
    String::from_utf8_lossy(c_prefix(s, max)).into_owned()
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
