//! Values (Redis object.c): what a key holds, with its type and encoding.
//! Later types add variants here; every variant stays at most 16 bytes so a
//! dict entry with a small key and a small value is a single allocation.

/// Strings up to this length are reported as "embstr" (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
pub const EMBSTR_LIMIT: usize = 44;
/// Strings up to this length are stored inside the value itself.
pub const INLINE_STR: usize = 14;
/// Integers in 0..SHARED_INTEGERS are shared objects in Redis (OBJ_SHARED_INTEGERS).
pub const SHARED_INTEGERS: i64 = 10000;
/// The refcount Redis reports for shared objects (OBJ_SHARED_REFCOUNT).
pub const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// A key's value. Strings come in Redis's three encodings: `Int` is "int";
/// `Inline` and `Fixed` are "embstr" (or "raw" past 44 bytes); `Raw` is a
/// growable buffer made by APPEND and SETRANGE, always "raw".
pub enum Value {
    Int {
        v: i64,
        shared: bool,
    },
    Inline {
        len: u8,
        buf: [u8; INLINE_STR],
    },
    Fixed(Box<Box<[u8]>>),
    Raw(Box<Vec<u8>>),
    /// A list (lists helper): always a quicklist in Redis 7.0.
    List(Box<crate::ds::quicklist::Quicklist>),
    // Collections (coll helper): boxed so the enum stays 16 bytes.
    Hash(Box<crate::types::hash::Hash>),
    Set(Box<crate::types::set::Set>),
    ZSet(Box<crate::types::zset::ZSet>),
    /// A stream (streams helper): nodes of listpacks, see types/stream.
    Stream(Box<crate::types::stream::Stream>),
}

/// The type of a value as TYPE and SCAN TYPE name it (Redis OBJ_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjType {
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
}

impl ObjType {
    pub fn name(self) -> &'static str {
        match self {
            ObjType::String => "string",
            ObjType::List => "list",
            ObjType::Set => "set",
            ObjType::ZSet => "zset",
            ObjType::Hash => "hash",
            ObjType::Stream => "stream",
        }
    }

    /// The type named by SCAN's TYPE option, case-insensitively.
    pub fn from_name(name: &[u8]) -> Option<ObjType> {
        [
            ObjType::String,
            ObjType::List,
            ObjType::Set,
            ObjType::ZSet,
            ObjType::Hash,
            ObjType::Stream,
        ]
        .into_iter()
        .find(|t| t.name().as_bytes().eq_ignore_ascii_case(name))
    }
}

impl Value {
    pub fn obj_type(&self) -> ObjType {
        match self {
            Value::Int { .. } | Value::Inline { .. } | Value::Fixed(_) | Value::Raw(_) => {
                ObjType::String
            }
            Value::List(_) => ObjType::List,
            Value::Hash(_) => ObjType::Hash,
            Value::Set(_) => ObjType::Set,
            Value::ZSet(_) => ObjType::ZSet,
            Value::Stream(_) => ObjType::Stream,
        }
    }

    /// The encoding as OBJECT ENCODING names it.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int { .. } => "int",
            Value::Inline { .. } => "embstr",
            Value::Fixed(b) if b.len() <= EMBSTR_LIMIT => "embstr",
            Value::Fixed(_) | Value::Raw(_) => "raw",
            Value::List(_) => "quicklist",
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(_) => "stream",
        }
    }

    /// OBJECT REFCOUNT: shared integers report Redis's shared refcount.
    pub fn refcount(&self) -> i64 {
        match self {
            Value::Int { shared: true, .. } => SHARED_REFCOUNT,
            _ => 1,
        }
    }

    /// How much work freeing this value is (`lazyfreeGetFreeEffort`): the
    /// number of allocations for collections, 1 for strings.
    pub fn free_effort(&self) -> usize {
        match self {
            Value::List(ql) => ql.node_count(),
            Value::Hash(h) => h.free_effort(),
            Value::Set(s) => s.free_effort(),
            Value::ZSet(z) => z.free_effort(),
            Value::Stream(s) => s.free_effort(),
            _ => 1,
        }
    }

    /// MEMORY USAGE's estimate of the value's bytes (Redis
    /// objectComputeSize): collections average `samples` elements.
    pub fn mem_usage(&self, samples: usize) -> usize {
        use crate::alloc::alloc_size;
        let own = std::mem::size_of::<Value>();
        match self {
            Value::Int { .. } | Value::Inline { .. } => own,
            Value::Fixed(b) => {
                own + alloc_size(std::mem::size_of::<Box<[u8]>>()) + alloc_size(b.len())
            }
            Value::Raw(v) => {
                own + alloc_size(std::mem::size_of::<Vec<u8>>()) + alloc_size(v.capacity())
            }
            Value::List(ql) => own + ql.mem_usage(samples),
            Value::Hash(h) => own + h.mem_usage(samples),
            Value::Set(s) => own + s.mem_usage(samples),
            Value::ZSet(z) => own + z.mem_usage(samples),
            Value::Stream(s) => own + s.mem_usage(samples),
        }
    }

    /// A copy of the value (COPY; Redis `dupStringObject` and friends).
    pub fn duplicate(&self) -> Value {
        match self {
            // dupStringObject makes a private copy even of shared integers.
            Value::Int { v, .. } => Value::Int {
                v: *v,
                shared: false,
            },
            Value::Inline { len, buf } => Value::Inline {
                len: *len,
                buf: *buf,
            },
            Value::Fixed(b) => Value::Fixed(b.clone()),
            Value::Raw(v) => Value::Raw(v.clone()),
            Value::List(ql) => Value::List(ql.clone()),
            Value::Hash(h) => Value::Hash(Box::new(h.duplicate())),
            Value::Set(s) => Value::Set(Box::new(s.duplicate())),
            Value::ZSet(z) => Value::ZSet(Box::new(z.duplicate())),
            Value::Stream(s) => Value::Stream(Box::new(s.duplicate())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }
}
