//! The bridge between the keyspace's values and the RDB encodings (Redis
//! rdbSaveObject / rdbLoadObject's object creation). The collection types
//! add their arms here when their `Value` variants land: each variant maps
//! to one `Saving` form, and each `Loaded` form to one variant.

use super::rdb::encoding::RdbStr;
use super::rdb::value::{Loaded, Saving};
use super::rdb::LoadError;
use crate::types::string::NumBuf;
use crate::types::Value;

/// A value in the form the RDB writer takes. `tmp` is scratch space the
/// borrowed form may point into.
pub fn saving<'a>(v: &'a Value, tmp: &'a mut NumBuf) -> Saving<'a> {
    match v {
        Value::Int { v, .. } => Saving::Int(*v),
        other => Saving::Str(other.str_bytes(tmp)),
    }
}

/// A loaded value as a keyspace value (strings go through
/// `tryObjectEncoding`, so they get the encoding SET would give them).
pub fn value_from(l: Loaded, share_ints: bool) -> Result<Value, LoadError> {
    let kind = match l {
        Loaded::Str(RdbStr::Int(i)) => return Ok(Value::from_i64(i, share_ints)),
        Loaded::Str(RdbStr::Bytes(b)) => return Ok(Value::str_encoded(&b, share_ints)),
        Loaded::List(_) => "list",
        Loaded::SetIntset(_) | Loaded::SetTable(_) => "set",
        Loaded::ZsetListpack(_) | Loaded::ZsetSkiplist(_) => "zset",
        Loaded::HashListpack(_) | Loaded::HashTable(_) => "hash",
    };
    Err(LoadError::Unsupported(format!(
        "{} values are not supported by this server yet",
        kind
    )))
}
