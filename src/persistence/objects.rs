//! The bridge between the keyspace's values and the RDB encodings (Redis
//! rdbSaveObject / rdbLoadObject's object creation): each `Value` variant
//! maps to one `Saving` form, and each `Loaded` form to one variant. A new
//! value type (streams) adds its two arms here.

use super::rdb::encoding::RdbStr;
use super::rdb::value::{Loaded, Saving};
use super::rdb::LoadError;
use crate::ds::dict::Dict;
use crate::types::hash::Hash;
use crate::types::set::Set;
use crate::types::zset::{Big, ZSet};
use crate::types::Value;

/// Calls `f` with `v` in the form the RDB writer takes.
pub fn with_saving<R>(v: &Value, f: impl FnOnce(Saving<'_>) -> R) -> R {
    match v {
        Value::Int { v, .. } => f(Saving::Int(*v)),
        Value::Inline { .. } | Value::Fixed(_) | Value::Raw(_) => {
            let mut tmp = [0u8; 20];
            f(Saving::Str(v.str_bytes(&mut tmp)))
        }
        Value::List(ql) => f(Saving::List(ql)),
        Value::Hash(h) => match &**h {
            Hash::Listpack(lp) => f(Saving::HashListpack(lp)),
            Hash::Table(t) => {
                let mut pairs = t.iter().map(|e| (&e.key()[..], &e.val[..]));
                f(Saving::HashTable {
                    len: t.len(),
                    pairs: &mut pairs,
                })
            }
        },
        Value::Set(s) => match &**s {
            Set::Intset(is) => f(Saving::SetIntset(is)),
            Set::Table(t) => {
                let mut members = t.iter().map(|e| &e.key()[..]);
                f(Saving::SetTable {
                    len: t.len(),
                    members: &mut members,
                })
            }
        },
        Value::ZSet(z) => match &**z {
            ZSet::Listpack(lp) => f(Saving::ZsetListpack(lp)),
            ZSet::Skiplist(big) => {
                let sl = &big.sl;
                let mut from_tail = std::iter::successors(sl.last(), |&id| sl.prev(id))
                    .map(|id| (&sl.ele(id)[..], sl.score(id)));
                f(Saving::ZsetSkiplist {
                    len: sl.len(),
                    from_tail: &mut from_tail,
                })
            }
        },
        Value::Stream(s) => f(Saving::Stream(super::objects_stream::view(s))),
    }
}

/// A loaded value as a keyspace value (strings go through
/// `tryObjectEncoding`, so they get the encoding SET would give them).
pub fn value_from(l: Loaded, share_ints: bool) -> Result<Value, LoadError> {
    Ok(match l {
        Loaded::Str(RdbStr::Int(i)) => Value::from_i64(i, share_ints),
        Loaded::Str(RdbStr::Bytes(b)) => Value::str_encoded(&b, share_ints),
        Loaded::SetIntset(is) => Value::Set(Box::new(Set::Intset(is))),
        Loaded::SetTable(members) => {
            let mut t = Dict::new();
            let _ = t.try_expand(members.len());
            for m in members {
                t.insert_new(m.into_boxed_slice(), ());
            }
            Value::Set(Box::new(Set::Table(t)))
        }
        Loaded::HashListpack(lp) => Value::Hash(Box::new(Hash::Listpack(lp))),
        Loaded::HashTable(pairs) => {
            let mut t = Dict::new();
            let _ = t.try_expand(pairs.len());
            for (k, v) in pairs {
                t.insert_new(k.into_boxed_slice(), v.into_boxed_slice());
            }
            Value::Hash(Box::new(Hash::Table(Box::new(t))))
        }
        Loaded::ZsetListpack(lp) => Value::ZSet(Box::new(ZSet::Listpack(lp))),
        Loaded::ZsetSkiplist(items) => {
            let mut big = Big::new();
            let _ = big.dict.try_expand(items.len());
            for (m, score) in items {
                big.sl.insert(score, m.clone().into_boxed_slice());
                big.dict.insert_new(m.into_boxed_slice(), score);
            }
            Value::ZSet(Box::new(ZSet::Skiplist(Box::new(big))))
        }
        Loaded::List(ql) => Value::List(Box::new(ql)),
        Loaded::Stream(d) => Value::Stream(Box::new(super::objects_stream::stream_from(*d))),
    })
}

/// rdbSavedObjectLen: the bytes `v` takes in RDB form (DEBUG OBJECT's
/// serializedlength), LZF included when `compress`.
pub fn serialized_len(v: &Value, compress: bool) -> usize {
    let mut w = super::rio::RioWriter::new(std::io::sink(), false);
    // Writing to a sink cannot fail.
    let _ = with_saving(v, |s| super::rdb::value::save_value(&mut w, s, compress));
    w.processed() as usize
}
