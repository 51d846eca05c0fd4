//! The set type (Redis t_set.c, type API half): an intset while every
//! member is an integer and there are at most `set-max-intset-entries`, a
//! dict otherwise. Redis 7.0 has no listpack sets.

pub mod commands;
mod ops;
mod random;

use crate::ds::dict::Dict;
use crate::ds::intset::Intset;
use crate::ds::smallstr::SmallStr;
use crate::util::num::string2ll;

/// Members of a "hashtable" set: a member of up to 22 bytes lives in
/// the 32-byte dict entry itself (`SmallStr`).
pub type SetTable = Dict<SmallStr, ()>;

pub enum Set {
    Intset(Intset),
    Table(SetTable),
}

/// The integer a member is stored as in an intset, if any
/// (`isSdsRepresentableAsLongLong`).
fn as_int(m: &[u8]) -> Option<i64> {
    string2ll(m)
}

fn int_bytes(v: i64) -> Vec<u8> {
    let mut b = Vec::with_capacity(20);
    crate::util::num::push_i64(&mut b, v);
    b
}

impl Set {
    /// An empty set suited to hold `first` (`setTypeCreate`).
    pub fn for_member(first: &[u8]) -> Set {
        if as_int(first).is_some() {
            Set::Intset(Intset::new())
        } else {
            Set::Table(SetTable::new())
        }
    }

    /// An empty intset, the start of every computed set (SUNION etc).
    pub fn new_intset() -> Set {
        Set::Intset(Intset::new())
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(i) => i.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn free_effort(&self) -> usize {
        match self {
            Set::Intset(_) => 1,
            Set::Table(d) => d.len(),
        }
    }

    pub fn duplicate(&self) -> Set {
        match self {
            Set::Intset(i) => Set::Intset(i.clone()),
            Set::Table(d) => {
                let mut n = SetTable::new();
                n.expand(d.len());
                for e in d.iter() {
                    n.insert_new(e.key().clone(), ());
                }
                Set::Table(n)
            }
        }
    }

    /// Converts an intset to a dict (`setTypeConvert`).
    pub fn convert(&mut self) {
        let Set::Intset(is) = self else {
            return;
        };
        let mut d = SetTable::new();
        d.expand(is.len());
        for v in is.iter() {
            d.insert_new(SmallStr::from_vec(int_bytes(v)), ());
        }
        *self = Set::Table(d);
    }

    /// Adds `m`; true when it was not a member (`setTypeAdd`).
    pub fn add(&mut self, m: &[u8], max_intset: usize) -> bool {
        if let Set::Intset(is) = self {
            match as_int(m) {
                Some(v) => {
                    if !is.add(v) {
                        return false;
                    }
                    if is.len() > max_intset {
                        self.convert();
                    }
                    return true;
                }
                None => self.convert(),
            }
        }
        match self {
            Set::Table(d) => d.add(SmallStr::new(m), ()).is_ok(),
            Set::Intset(_) => unreachable!("converted above"),
        }
    }

    /// Removes `m`; true when it was a member (`setTypeRemove`).
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Intset(is) => as_int(m).is_some_and(|v| is.remove(v)),
            Set::Table(d) => {
                let found = d.remove(m).is_some();
                if found {
                    d.shrink_if_needed();
                }
                found
            }
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Intset(is) => as_int(m).is_some_and(|v| is.contains(v)),
            Set::Table(d) => d.contains(m),
        }
    }

    /// Visits every member in iteration order (`setTypeNext`).
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        match self {
            Set::Intset(is) => {
                for v in is.iter() {
                    f(&int_bytes(v));
                }
            }
            Set::Table(d) => {
                for e in d.iter() {
                    f(e.key());
                }
            }
        }
    }

    /// Every member, in iteration order.
    pub fn members(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::with_capacity(self.len());
        self.for_each(|m| out.push(m.to_vec()));
        out
    }

    /// A random member (`setTypeRandomElement`).
    pub fn random(&mut self, rng: &mut crate::types::coll::Rng) -> Option<Vec<u8>> {
        match self {
            Set::Intset(is) => is.random(&mut || rng.next_u64()).map(int_bytes),
            Set::Table(d) => d.fair_random().map(|e| e.key().to_vec()),
        }
    }
}

impl Set {
    /// MEMORY USAGE's size of the set (Redis objectComputeSize): the whole
    /// intset, or the table with `samples` members averaged.
    pub fn mem_usage(&self, samples: usize) -> usize {
        let own = std::mem::size_of::<Set>();
        match self {
            Set::Intset(is) => own + crate::alloc::alloc_size(is.blob_len()),
            Set::Table(d) => own + d.sampled_bytes(samples, |k, _| k.heap_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_converts_on_string_or_size() {
        let mut s = Set::for_member(b"1");
        assert!(s.add(b"1", 2));
        assert!(!s.add(b"1", 2));
        s.add(b"2", 2);
        assert_eq!(s.encoding(), "intset");
        s.add(b"3", 2);
        assert_eq!(s.encoding(), "hashtable");
        let mut t = Set::for_member(b"1");
        t.add(b"1", 10);
        t.add(b"x", 10);
        assert_eq!(t.encoding(), "hashtable");
        assert!(t.contains(b"1") && t.contains(b"x"));
        assert!(t.remove(b"1"));
        assert_eq!(t.len(), 1);
    }
}
