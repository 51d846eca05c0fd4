//! The hash type (Redis t_hash.c, type API half): a listpack of field/value
//! pairs while small, a dict past `hash-max-listpack-entries/value`.

pub mod commands;
mod pair;
mod random;

pub use pair::Pair;

use crate::ds::dict::Dict;
use crate::ds::listpack::{Listpack, LpValue};

/// Field -> value table of a "hashtable" hash: each entry's key is the
/// whole pair (see `pair.rs`), so the dict value is empty.
pub type HashTable = Dict<Pair, ()>;

/// The bytes of a listpack value; integers are formatted into `buf`.
fn lp_bytes<'a>(v: LpValue<'a>, buf: &'a mut [u8; 20]) -> &'a [u8] {
    match v {
        LpValue::Str(s) => s,
        LpValue::Int(i) => crate::util::num::fmt_i64(buf, i),
    }
}

/// A hash value in one of its two encodings. The table is boxed so that a
/// small hash (the common case) allocates 16 bytes, not the size of a dict.
pub enum Hash {
    Listpack(Listpack),
    Table(Box<HashTable>),
}

/// The conversion thresholds (hash-max-listpack-entries / -value).
#[derive(Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Listpack::new())
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.len() / 2,
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn free_effort(&self) -> usize {
        match self {
            Hash::Listpack(_) => 1,
            Hash::Table(d) => d.len(),
        }
    }

    pub fn duplicate(&self) -> Hash {
        match self {
            Hash::Listpack(lp) => Hash::Listpack(Listpack::from_values(lp.iter())),
            Hash::Table(d) => {
                let mut n = HashTable::new();
                n.expand(d.len());
                for e in d.iter() {
                    n.insert_new(e.key().clone(), ());
                }
                Hash::Table(Box::new(n))
            }
        }
    }

    /// Position of the value of `field` in a listpack.
    fn lp_value_pos(lp: &Listpack, field: &[u8]) -> Option<usize> {
        let f = lp.find(lp.first()?, field, 1)?;
        lp.next(f)
    }

    /// The value of `field` (`hashTypeGetValue`).
    pub fn get(&self, field: &[u8]) -> Option<Vec<u8>> {
        match self {
            Hash::Listpack(lp) => Self::lp_value_pos(lp, field).map(|p| lp.get(p).to_vec()),
            Hash::Table(d) => d.find(field).map(|e| e.key().value().to_vec()),
        }
    }

    /// The value of `field`, borrowed: a listpack integer stays an integer
    /// (`hashTypeGetValue` without the copy).
    pub fn get_ref(&self, field: &[u8]) -> Option<LpValue<'_>> {
        match self {
            Hash::Listpack(lp) => Self::lp_value_pos(lp, field).map(|p| lp.get(p)),
            Hash::Table(d) => d.find(field).map(|e| LpValue::Str(e.key().value())),
        }
    }

    /// Calls `f` with every field and value in iteration order, borrowed.
    pub fn for_each(&self, mut f: impl FnMut(LpValue<'_>, LpValue<'_>)) {
        match self {
            Hash::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    f(k, v);
                }
            }
            Hash::Table(d) => {
                for e in d.iter() {
                    let (k, v) = e.key().parts();
                    f(LpValue::Str(k), LpValue::Str(v));
                }
            }
        }
    }

    /// The length of the value of `field`, 0 when absent (`hashTypeGetValueLength`).
    pub fn value_len(&self, field: &[u8]) -> usize {
        match self {
            Hash::Listpack(lp) => Self::lp_value_pos(lp, field).map_or(0, |p| match lp.get(p) {
                LpValue::Str(s) => s.len(),
                v => v.to_vec().len(),
            }),
            Hash::Table(d) => d.find(field).map_or(0, |e| e.key().value().len()),
        }
    }

    pub fn exists(&self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => lp.first().and_then(|f| lp.find(f, field, 1)).is_some(),
            Hash::Table(d) => d.contains(field),
        }
    }

    /// Converts to a dict (`hashTypeConvert`).
    pub fn convert(&mut self) {
        let Hash::Listpack(lp) = self else {
            return;
        };
        let mut d = HashTable::new();
        d.expand(lp.len() / 2);
        let mut it = lp.iter();
        let (mut fb, mut vb) = ([0u8; 20], [0u8; 20]);
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            d.insert_new(Pair::new(lp_bytes(f, &mut fb), lp_bytes(v, &mut vb)), ());
        }
        *self = Hash::Table(Box::new(d));
    }

    /// Converts when any of `args` is longer than the value limit or the
    /// listpack could grow past its safety size (`hashTypeTryConversion`).
    pub fn try_conversion(&mut self, args: &[Vec<u8>], lim: Limits) {
        let Hash::Listpack(lp) = self else {
            return;
        };
        let mut sum = 0usize;
        for a in args {
            if a.len() > lim.value {
                self.convert();
                return;
            }
            sum += a.len();
        }
        if !lp.safe_to_add(sum) {
            self.convert();
        }
    }

    /// Sets `field` to `value`; true when the field existed (`hashTypeSet`).
    pub fn set(&mut self, field: &[u8], value: &[u8], lim: Limits) -> bool {
        if let Hash::Listpack(_) = self {
            if field.len() > lim.value || value.len() > lim.value {
                self.convert();
            }
        }
        match self {
            Hash::Listpack(lp) => {
                if let Some(p) = Self::lp_value_pos(lp, field) {
                    lp.replace(p, LpValue::Str(value));
                    return true;
                }
                lp.append(LpValue::Str(field));
                lp.append(LpValue::Str(value));
                if lp.len() / 2 > lim.entries {
                    self.convert();
                }
                false
            }
            Hash::Table(d) => {
                if let Some(e) = d.find_mut(field) {
                    e.key_meta_mut().set_value(value);
                    return true;
                }
                d.insert_new(Pair::new(field, value), ());
                false
            }
        }
    }

    /// Removes `field`; true when it existed (`hashTypeDelete`).
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => {
                let Some(f) = lp.first().and_then(|f| lp.find(f, field, 1)) else {
                    return false;
                };
                lp.delete_range_with_entry(f, 2);
                true
            }
            Hash::Table(d) => {
                let found = d.remove(field).is_some();
                if found {
                    d.shrink_if_needed();
                }
                found
            }
        }
    }

    /// Every field/value pair in iteration order (`hashTypeInitIterator`).
    pub fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            Hash::Listpack(lp) => {
                let mut out = Vec::with_capacity(lp.len() / 2);
                let mut it = lp.iter();
                while let (Some(f), Some(v)) = (it.next(), it.next()) {
                    out.push((f.to_vec(), v.to_vec()));
                }
                out
            }
            Hash::Table(d) => d
                .iter()
                .map(|e| {
                    let (f, v) = e.key().parts();
                    (f.to_vec(), v.to_vec())
                })
                .collect(),
        }
    }
}

impl Hash {
    /// MEMORY USAGE's size of the hash (Redis objectComputeSize): the whole
    /// listpack, or the table with `samples` field/value pairs averaged.
    pub fn mem_usage(&self, samples: usize) -> usize {
        use crate::alloc::alloc_size;
        let own = std::mem::size_of::<Hash>();
        match self {
            Hash::Listpack(lp) => own + alloc_size(lp.bytes()),
            Hash::Table(d) => {
                own + std::mem::size_of::<HashTable>()
                    + d.sampled_bytes(samples, |p, _| p.heap_bytes())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        entries: 2,
        value: 4,
    };

    #[test]
    fn value_box_is_16_bytes() {
        // Box<Hash> in the keyspace is then the 16-byte class, as Redis's robj.
        assert_eq!(std::mem::size_of::<Hash>(), 16);
    }

    #[test]
    fn converts_past_limits() {
        let mut h = Hash::new();
        assert!(!h.set(b"a", b"1", LIM));
        assert!(h.set(b"a", b"2", LIM));
        h.set(b"b", b"3", LIM);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"c", b"3", LIM);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"a").as_deref(), Some(&b"2"[..]));
        assert!(h.delete(b"a"));
        assert_eq!(h.len(), 2);
        let mut g = Hash::new();
        g.set(b"x", b"toolong", LIM);
        assert_eq!(g.encoding(), "hashtable");
    }
}
