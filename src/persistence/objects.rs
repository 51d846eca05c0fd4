//! The bridge between the keyspace's values and the RDB encodings (Redis
//! rdbSaveObject / rdbLoadObject's object creation): each `Value` variant
//! maps to one `Saving` form, and each `Loaded` form to one variant. A new
//! value type (streams) adds its two arms here.

use super::rdb::encoding::RdbStr;
use super::rdb::value::{Loaded, Saving};
use super::rdb::LoadError;
use crate::ds::dict::Dict;
use crate::types::hash::Hash;
use crate::types::object::INLINE_STR;
use crate::types::set::Set;
use crate::types::zset::{Big, ZSet};
use crate::types::Value;

/// Hints the cache to fetch `v`'s own allocation (the box behind the
/// enum); the first of two steps before `v` is written.
#[inline]
pub fn prefetch_value(v: &Value) {
    use crate::util::prefetch::prefetch;
    match v {
        Value::Fixed(b) => prefetch(&**b as *const Box<[u8]>),
        Value::Raw(b) => prefetch(&**b as *const Vec<u8>),
        Value::List(b) => prefetch(&**b as *const _),
        Value::Hash(b) => prefetch(&**b as *const _),
        Value::Set(b) => prefetch(&**b as *const _),
        Value::ZSet(b) => prefetch(&**b as *const _),
        Value::Stream(b) => prefetch(&**b as *const _),
        Value::Int { .. } | Value::Inline { .. } => {}
    }
}

/// The second step, once the box is cached: a string's bytes.
#[inline]
pub fn prefetch_value_data(v: &Value) {
    use crate::util::prefetch::prefetch;
    match v {
        Value::Fixed(b) => prefetch(b.as_ptr()),
        Value::Raw(b) => prefetch(b.as_ptr()),
        _ => {}
    }
}

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
                let mut pairs = t.iter().map(|e| e.key().parts());
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
        // Too long for an integer or the inline form: keep the loaded
        // buffer (exactly sized) instead of copying it.
        Loaded::Str(RdbStr::Bytes(b)) if b.len() > 20 && b.len() > INLINE_STR => {
            Value::Fixed(Box::new(b.into_boxed_slice()))
        }
        Loaded::Str(RdbStr::Bytes(b)) => Value::str_encoded(&b, share_ints),
        Loaded::SetIntset(is) => Value::Set(Box::new(Set::Intset(is))),
        Loaded::SetTable(members) => {
            let mut t = Dict::new();
            let _ = t.try_expand(members.len());
            for m in members {
                t.insert_new(crate::ds::smallstr::SmallStr::from_vec(m), ());
            }
            Value::Set(Box::new(Set::Table(t)))
        }
        Loaded::HashListpack(lp) => Value::Hash(Box::new(Hash::Listpack(lp))),
        Loaded::HashTable(pairs) => {
            let mut t = Dict::new();
            let _ = t.try_expand(pairs.len());
            for (k, v) in pairs {
                t.insert_new(crate::types::hash::Pair::new(&k, &v), ());
            }
            Value::Hash(Box::new(Hash::Table(Box::new(t))))
        }
        Loaded::ZsetListpack(lp) => Value::ZSet(Box::new(ZSet::Listpack(lp))),
        Loaded::ZsetSkiplist(items) => {
            let mut big = Big::new();
            let _ = big.dict.try_expand(items.len());
            for (m, score) in items {
                big.insert(&m, score);
            }
            Value::ZSet(Box::new(ZSet::Skiplist(Box::new(big))))
        }
        Loaded::List(ql) => Value::List(Box::new(ql)),
        Loaded::Stream(d) => Value::Stream(Box::new(super::objects_stream::stream_from(*d))),
    })
}

/// rdbSavedObjectLen (DEBUG OBJECT's serializedlength): the bytes `v`
/// takes in RDB form (without the type byte and key), counted by running
/// the writer into a sink, LZF included when `compress` (rdbcompression).
pub fn serialized_len(v: &Value, compress: bool) -> usize {
    let mut w = super::rio::RioWriter::new(std::io::sink(), false);
    // Writing to a sink cannot fail.
    let _ = with_saving(v, |s| super::rdb::value::save_value(&mut w, s, compress));
    w.processed() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loaded string keeps its buffer when long, and gets the encoding
    /// and bytes SET would give it at every length.
    #[test]
    fn loaded_strings_encode_as_set_does() {
        for s in [
            "",
            "7",
            "-12",
            "12345678901234567890",
            "abc",
            "x".repeat(14).as_str(),
        ]
        .iter()
        .map(|s| s.to_string())
        .chain((13..70).map(|n| "y".repeat(n)))
        {
            let v = value_from(Loaded::Str(RdbStr::Bytes(s.as_bytes().to_vec())), false)
                .expect("a string loads");
            let want = Value::str_encoded(s.as_bytes(), false);
            assert_eq!(v.encoding(), want.encoding(), "{:?}", s);
            let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
            assert_eq!(v.str_bytes(&mut a), want.str_bytes(&mut b));
        }
    }

    #[test]
    fn saved_len_counts_the_writer_output() {
        let v = Value::str_encoded(&b"a".repeat(30), false);
        // LZF: 1 encoding byte, clen 9, len 30, 9 bytes of blob.
        assert_eq!(serialized_len(&v, true), 12);
        assert_eq!(serialized_len(&v, false), 31);
        assert_eq!(serialized_len(&Value::from_i64(100, false), true), 2);
    }
}
