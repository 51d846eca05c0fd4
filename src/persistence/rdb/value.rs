//! Values in RDB form (Redis rdb.c rdbLoadObject, rdbSaveObject): each type
//! is loaded into the `ds` encodings it will live in, converted as Redis
//! converts on load, and saved from those encodings. The type modules wire
//! these to their own value types, so this file knows no `Value`.

use std::collections::HashSet;
use std::io::{self, Read, Write};

use super::encoding::*;
use super::legacy::{ziplist_for_each, zipmap_for_each};
use super::stream::{load_stream, save_stream, StreamData, StreamView};
use super::*;
use crate::ds::intset::{self, Intset};
use crate::ds::listpack::{self, Listpack, LpValue};
use crate::ds::quicklist::{NodeView, Quicklist};
use crate::persistence::rio::{RioReader, RioWriter};

/// A value as loaded, in the encoding it keeps after Redis's conversions.
/// `*Table` forms hold unique members in file order.
#[derive(Debug)]
pub enum Loaded {
    Str(RdbStr),
    List(Quicklist),
    SetIntset(Intset),
    SetTable(Vec<Vec<u8>>),
    ZsetListpack(Listpack),
    ZsetSkiplist(Vec<(Vec<u8>, f64)>),
    HashListpack(Listpack),
    HashTable(Vec<(Vec<u8>, Vec<u8>)>),
    Stream(Box<StreamData>),
}

/// A value to save, borrowed from its encoding. Iterators give the table
/// forms' members; `len` is their count.
pub enum Saving<'a> {
    Int(i64),
    Str(&'a [u8]),
    List(&'a Quicklist),
    SetIntset(&'a Intset),
    SetTable {
        len: usize,
        members: &'a mut dyn Iterator<Item = &'a [u8]>,
    },
    ZsetListpack(&'a Listpack),
    /// Members from the highest rank down (Redis saves from the tail so a
    /// load inserts each at the head).
    ZsetSkiplist {
        len: usize,
        from_tail: &'a mut dyn Iterator<Item = (&'a [u8], f64)>,
    },
    HashListpack(&'a Listpack),
    HashTable {
        len: usize,
        pairs: &'a mut dyn Iterator<Item = (&'a [u8], &'a [u8])>,
    },
    Stream(StreamView<'a>),
}

impl Saving<'_> {
    /// rdbSaveObjectType.
    pub fn rdb_type(&self) -> u8 {
        match self {
            Saving::Int(_) | Saving::Str(_) => TYPE_STRING,
            Saving::List(_) => TYPE_LIST_QUICKLIST_2,
            Saving::SetIntset(_) => TYPE_SET_INTSET,
            Saving::SetTable { .. } => TYPE_SET,
            Saving::ZsetListpack(_) => TYPE_ZSET_LISTPACK,
            Saving::ZsetSkiplist { .. } => TYPE_ZSET_2,
            Saving::HashListpack(_) => TYPE_HASH_LISTPACK,
            Saving::HashTable { .. } => TYPE_HASH,
            Saving::Stream(_) => TYPE_STREAM_LISTPACKS_2,
        }
    }
}

/// rdbSaveObject: the value body (after the type byte and the key).
pub fn save_value<W: Write>(w: &mut RioWriter<W>, v: Saving<'_>, compress: bool) -> io::Result<()> {
    match v {
        Saving::Int(i) => save_int_string(w, i),
        Saving::Str(s) => save_string(w, s, compress),
        Saving::List(ql) => save_quicklist(w, ql, compress),
        Saving::SetIntset(is) => save_string(w, is.as_bytes(), compress),
        Saving::ZsetListpack(lp) | Saving::HashListpack(lp) => {
            save_string(w, lp.as_bytes(), compress)
        }
        Saving::SetTable { len, members } => {
            save_len(w, len as u64)?;
            for m in members {
                save_string(w, m, compress)?;
            }
            Ok(())
        }
        Saving::ZsetSkiplist { len, from_tail } => {
            save_len(w, len as u64)?;
            for (m, score) in from_tail {
                save_string(w, m, compress)?;
                save_binary_double(w, score)?;
            }
            Ok(())
        }
        Saving::HashTable { len, pairs } => {
            save_len(w, len as u64)?;
            for (f, v) in pairs {
                save_string(w, f, compress)?;
                save_string(w, v, compress)?;
            }
            Ok(())
        }
        Saving::Stream(s) => save_stream(w, s, compress),
    }
}

/// A quicklist: node count, then each node's container and bytes;
/// compressed nodes are written as they are stored.
fn save_quicklist<W: Write>(
    w: &mut RioWriter<W>,
    ql: &Quicklist,
    compress: bool,
) -> io::Result<()> {
    save_len(w, ql.node_count() as u64)?;
    for node in ql.node_views() {
        match node {
            NodeView::Packed(b) => {
                save_len(w, CONTAINER_PACKED)?;
                save_string(w, b, compress)?;
            }
            NodeView::Plain(b) => {
                save_len(w, CONTAINER_PLAIN)?;
                save_string(w, b, compress)?;
            }
            NodeView::Compressed {
                lzf,
                raw_len,
                plain,
            } => {
                save_len(
                    w,
                    if plain {
                        CONTAINER_PLAIN
                    } else {
                        CONTAINER_PACKED
                    },
                )?;
                save_lzf_blob(w, lzf, raw_len)?;
            }
        }
    }
    Ok(())
}

/// rdbLoadObject: reads a value of type `t`.
pub fn load_value<R: Read>(r: &mut RioReader<R>, t: u8, opts: &LoadOptions) -> LoadResult<Loaded> {
    let lim = &opts.limits;
    if matches!(
        t,
        TYPE_SET_INTSET
            | TYPE_LIST_ZIPLIST
            | TYPE_ZSET_ZIPLIST
            | TYPE_HASH_ZIPLIST
            | TYPE_ZSET_LISTPACK
            | TYPE_HASH_LISTPACK
            | TYPE_HASH_ZIPMAP
    ) {
        opts.count_sanitized();
    }
    match t {
        TYPE_STRING => load_str(r).map(Loaded::Str),
        TYPE_LIST => load_plain_list(r, lim),
        TYPE_SET => load_set(r, lim),
        TYPE_ZSET | TYPE_ZSET_2 => load_zset(r, t == TYPE_ZSET_2, lim),
        TYPE_HASH => load_hash(r, lim),
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => load_quicklist(r, t, opts),
        TYPE_SET_INTSET => {
            let blob = load_bytes(r)?;
            if !intset::validate_integrity(&blob, opts.deep) {
                return Err(corrupt("Intset integrity check failed."));
            }
            let is = Intset::from_bytes(blob)
                .ok_or_else(|| corrupt("Intset integrity check failed."))?;
            Ok(intset_converted(is, lim))
        }
        TYPE_LIST_ZIPLIST => {
            let blob = load_bytes(r)?;
            let mut ql = new_quicklist(lim);
            if !ziplist_for_each(&blob, |v| push_tail(&mut ql, v)) {
                return Err(corrupt("List ziplist integrity check failed."));
            }
            non_empty_list(ql)
        }
        TYPE_ZSET_ZIPLIST | TYPE_HASH_ZIPLIST => {
            let blob = load_bytes(r)?;
            let lp = ziplist_pairs_to_listpack(&blob).ok_or_else(|| {
                corrupt(if t == TYPE_ZSET_ZIPLIST {
                    "Zset ziplist integrity check failed."
                } else {
                    "Hash ziplist integrity check failed."
                })
            })?;
            pairs_converted(lp, t == TYPE_ZSET_ZIPLIST, lim)
        }
        TYPE_ZSET_LISTPACK | TYPE_HASH_LISTPACK => {
            let zset = t == TYPE_ZSET_LISTPACK;
            let blob = load_bytes(r)?;
            let lp = match pairs_listpack(blob) {
                Ok(lp) => lp,
                Err(blob) => {
                    if !zset && !opts.deep {
                        note_dup_conversion(&blob, opts);
                    }
                    return Err(corrupt(if zset {
                        "Zset listpack integrity check failed."
                    } else {
                        "Hash listpack integrity check failed."
                    }));
                }
            };
            pairs_converted(lp, zset, lim)
        }
        TYPE_HASH_ZIPMAP => load_zipmap(r, lim),
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 => {
            load_stream(r, t == TYPE_STREAM_LISTPACKS_2, opts).map(|s| Loaded::Stream(Box::new(s)))
        }
        TYPE_MODULE_PRE_GA => Err(corrupt(
            "Trying to load a module pre-GA value: not supported.",
        )),
        TYPE_MODULE_2 => {
            let id = load_len(r)?;
            Err(LoadError::Unsupported(format!(
                "The RDB file contains module data I can't load: no matching module type '{}'",
                module_type_name(id)
            )))
        }
        _ => Err(corrupt(format!("Unknown RDB encoding type {}", t))),
    }
}

fn new_quicklist(lim: &Limits) -> Quicklist {
    let mut ql = Quicklist::new(lim.list_max_listpack_size, lim.list_compress_depth);
    ql.set_packed_threshold(lim.packed_threshold);
    ql
}

fn push_tail(ql: &mut Quicklist, v: LpValue<'_>) -> bool {
    let mut tmp = Vec::new();
    let bytes = match v {
        LpValue::Str(s) => s,
        LpValue::Int(_) => {
            v.write_to(&mut tmp);
            &tmp
        }
    };
    ql.push_tail(bytes);
    true
}

fn non_empty_list(ql: Quicklist) -> LoadResult<Loaded> {
    if ql.is_empty() {
        Err(LoadError::EmptyKey)
    } else {
        Ok(Loaded::List(ql))
    }
}

/// RDB_TYPE_LIST: a count, then each element.
fn load_plain_list<R: Read>(r: &mut RioReader<R>, lim: &Limits) -> LoadResult<Loaded> {
    let len = load_len(r)?;
    let mut ql = new_quicklist(lim);
    for _ in 0..len {
        let e = load_bytes(r)?;
        ql.push_tail(&e);
    }
    non_empty_list(ql)
}

/// RDB_TYPE_LIST_QUICKLIST(_2): nodes of ziplists or listpacks (or plain
/// elements); empty nodes are skipped, an empty list is an empty key.
fn load_quicklist<R: Read>(r: &mut RioReader<R>, t: u8, opts: &LoadOptions) -> LoadResult<Loaded> {
    let len = load_len(r)?;
    if len == 0 {
        return Err(LoadError::EmptyKey);
    }
    let mut ql = new_quicklist(&opts.limits);
    for _ in 0..len {
        let mut container = CONTAINER_PACKED;
        if t == TYPE_LIST_QUICKLIST_2 {
            container = load_len(r)?;
            if container != CONTAINER_PACKED && container != CONTAINER_PLAIN {
                return Err(corrupt("Quicklist integrity check failed."));
            }
        }
        let data = load_bytes(r)?;
        if data.is_empty() {
            return Err(corrupt("Quicklist node is empty"));
        }
        if container == CONTAINER_PLAIN {
            ql.append_plain(data);
            continue;
        }
        opts.count_sanitized();
        let lp = if t == TYPE_LIST_QUICKLIST_2 {
            Listpack::from_bytes(data).ok_or_else(|| corrupt("Listpack integrity check failed."))?
        } else {
            let mut lp = Listpack::new();
            if !ziplist_for_each(&data, |v| {
                lp.append(v);
                true
            }) {
                return Err(corrupt("Ziplist integrity check failed."));
            }
            lp
        };
        ql.append_listpack(lp);
    }
    non_empty_list(ql)
}

/// An intset, or a table when it is over set-max-intset-entries.
fn intset_converted(is: Intset, lim: &Limits) -> Loaded {
    if is.len() > lim.set_max_intset_entries {
        Loaded::SetTable(is.iter().map(|v| v.to_string().into_bytes()).collect())
    } else {
        Loaded::SetIntset(is)
    }
}

/// RDB_TYPE_SET: an intset while members are integers and few, else a table.
fn load_set<R: Read>(r: &mut RioReader<R>, lim: &Limits) -> LoadResult<Loaded> {
    let len = load_count(r)?;
    if len == 0 {
        return Err(LoadError::EmptyKey);
    }
    let max = lim.set_max_intset_entries.min(1 << 30);
    let mut is = (len <= max).then(Intset::new);
    let mut table: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    for _ in 0..len {
        let e = load_bytes(r)?;
        if let Some(s) = is.as_mut() {
            if let Some(v) = crate::util::num::string2ll(&e) {
                if !s.add(v) {
                    return Err(corrupt("Duplicate set members detected"));
                }
                continue;
            }
            // A non-integer member: everything so far moves to the table.
            for v in s.iter() {
                let b = v.to_string().into_bytes();
                seen.insert(b.clone());
                table.push(b);
            }
            is = None;
        }
        if !seen.insert(e.clone()) {
            return Err(corrupt("Duplicate set members detected"));
        }
        table.push(e);
    }
    Ok(match is {
        Some(s) => Loaded::SetIntset(s),
        None => Loaded::SetTable(table),
    })
}

/// RDB_TYPE_ZSET(_2): members with scores; a listpack if small enough.
fn load_zset<R: Read>(r: &mut RioReader<R>, binary: bool, lim: &Limits) -> LoadResult<Loaded> {
    let len = load_count(r)?;
    if len == 0 {
        return Err(LoadError::EmptyKey);
    }
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut items = Vec::new();
    let (mut maxlen, mut total) = (0usize, 0usize);
    for _ in 0..len {
        let m = load_bytes(r)?;
        let score = if binary {
            load_binary_double(r)?
        } else {
            load_text_double(r)?
        };
        if score.is_nan() {
            return Err(corrupt("Zset with NAN score detected"));
        }
        maxlen = maxlen.max(m.len());
        total = total.saturating_add(m.len());
        if !seen.insert(m.clone()) {
            return Err(corrupt("Duplicate zset fields detected"));
        }
        items.push((m, score));
    }
    if items.len() <= lim.zset_max_listpack_entries
        && maxlen <= lim.zset_max_listpack_value
        && total < listpack::MAX_SAFETY_SIZE
    {
        // Sorted sets are not saved in order: sort as the skiplist would.
        items.sort_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.0.cmp(&b.0))
        });
        let mut lp = Listpack::new();
        for (m, s) in &items {
            lp.append(LpValue::Str(m));
            append_score(&mut lp, *s);
        }
        return Ok(Loaded::ZsetListpack(lp));
    }
    Ok(Loaded::ZsetSkiplist(items))
}

/// zzlInsertAt's score form (d2string); the listpack stores integral
/// text as an integer by itself.
fn append_score(lp: &mut Listpack, s: f64) {
    let txt = crate::types::zset::d2string(s);
    lp.append(LpValue::Str(txt.as_bytes()));
}

/// RDB_TYPE_HASH: a listpack while it fits, else a table.
fn load_hash<R: Read>(r: &mut RioReader<R>, lim: &Limits) -> LoadResult<Loaded> {
    let len = load_count(r)?;
    if len == 0 {
        return Err(LoadError::EmptyKey);
    }
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut pairs = Vec::new();
    let mut fits = len <= lim.hash_max_listpack_entries;
    let mut total = 0usize;
    for _ in 0..len {
        let f = load_bytes(r)?;
        let v = load_bytes(r)?;
        total = total.saturating_add(f.len() + v.len());
        if f.len() > lim.hash_max_listpack_value
            || v.len() > lim.hash_max_listpack_value
            || total >= listpack::MAX_SAFETY_SIZE
        {
            fits = false;
        }
        if !seen.insert(f.clone()) {
            return Err(corrupt("Duplicate hash fields detected"));
        }
        pairs.push((f, v));
    }
    if fits {
        let mut lp = Listpack::new();
        for (f, v) in &pairs {
            lp.append(LpValue::Str(f));
            lp.append(LpValue::Str(v));
        }
        return Ok(Loaded::HashListpack(lp));
    }
    Ok(Loaded::HashTable(pairs))
}

/// RDB_TYPE_HASH_ZIPMAP: converted to a listpack, or a table when over
/// the entry or value limits.
fn load_zipmap<R: Read>(r: &mut RioReader<R>, lim: &Limits) -> LoadResult<Loaded> {
    let blob = load_bytes(r)?;
    let mut lp = Listpack::new();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut maxlen = 0;
    let ok = zipmap_for_each(&blob, |f, v| {
        maxlen = maxlen.max(f.len()).max(v.len());
        if !seen.insert(f.to_vec()) || !lp.safe_to_add(f.len() + v.len()) {
            return false;
        }
        lp.append(LpValue::Str(f));
        lp.append(LpValue::Str(v));
        true
    });
    if !ok {
        return Err(corrupt("Zipmap integrity check failed."));
    }
    if lp.is_empty() {
        return Err(LoadError::EmptyKey);
    }
    if lp.len() / 2 > lim.hash_max_listpack_entries || maxlen > lim.hash_max_listpack_value {
        return Ok(Loaded::HashTable(hash_pairs(&lp)));
    }
    Ok(Loaded::HashListpack(lp))
}

/// ziplistPairsConvertAndValidateIntegrity: a ziplist of pairs with unique
/// keys, as a listpack.
fn ziplist_pairs_to_listpack(zl: &[u8]) -> Option<Listpack> {
    let mut lp = Listpack::new();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut i = 0usize;
    let ok = ziplist_for_each(zl, |v| {
        if i.is_multiple_of(2) && !seen.insert(v.to_vec()) {
            return false;
        }
        i += 1;
        lp.append(v);
        true
    });
    (ok && i.is_multiple_of(2)).then_some(lp)
}

/// A hash listpack refused for a duplicate field while sanitizing is off:
/// Redis would accept it, then find the duplicate converting it to a table
/// (over hash-max-listpack-entries) and panic after logging its hexdump.
/// We refuse the payload instead, with the same hexdump in the log.
fn note_dup_conversion(blob: &[u8], opts: &LoadOptions) {
    let mut n = 0usize;
    let mut count = |_: LpValue<'_>, _: u16| {
        n += 1;
        true
    };
    if !listpack::validate_integrity(blob, true, Some(&mut count)) {
        return;
    }
    if n.is_multiple_of(2) && n / 2 > opts.limits.hash_max_listpack_entries {
        opts.hexdumps
            .borrow_mut()
            .push(("listpack with dup elements dump", blob.to_vec()));
    }
}

/// lpValidateIntegrityAndDups with pairs: an even count and unique keys.
/// The structure is always checked in full (our accessors rely on it).
/// A refused blob is handed back.
fn pairs_listpack(blob: Vec<u8>) -> Result<Listpack, Vec<u8>> {
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut i = 0usize;
    let mut check = |v: LpValue<'_>, _n: u16| {
        let fresh = !i.is_multiple_of(2) || seen.insert(v.to_vec());
        i += 1;
        fresh
    };
    if !listpack::validate_integrity(&blob, true, Some(&mut check)) || !i.is_multiple_of(2) {
        return Err(blob);
    }
    // Checked above: from_bytes cannot refuse it.
    Listpack::from_bytes(blob).ok_or_else(Vec::new)
}

/// A hash or zset listpack after loading: empty is an empty key; over the
/// entry limit it becomes a table.
fn pairs_converted(lp: Listpack, zset: bool, lim: &Limits) -> LoadResult<Loaded> {
    if lp.is_empty() {
        return Err(LoadError::EmptyKey);
    }
    if zset && !zset_listpack_ordered(&lp) {
        return Err(corrupt("Zset listpack is not ordered"));
    }
    let n = lp.len() / 2;
    Ok(match zset {
        true if n > lim.zset_max_listpack_entries => Loaded::ZsetSkiplist(zset_pairs(&lp)),
        true => Loaded::ZsetListpack(lp),
        false if n > lim.hash_max_listpack_entries => Loaded::HashTable(hash_pairs(&lp)),
        false => Loaded::HashListpack(lp),
    })
}

fn hash_pairs(lp: &Listpack) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::with_capacity(lp.len() / 2);
    let mut it = lp.iter();
    while let (Some(f), Some(v)) = (it.next(), it.next()) {
        out.push((f.to_vec(), v.to_vec()));
    }
    out
}

/// zzlGetScore: integers as they are, text through strtod (0 if not a number).
pub fn listpack_score(v: LpValue<'_>) -> f64 {
    match v {
        LpValue::Int(i) => i as f64,
        LpValue::Str(s) => crate::types::zset::score::strtod(s).0,
    }
}

/// A zset listpack must be ordered by (score, member) with no NaN score:
/// the sorted set code binary-searches it. Redis trusts the order; we
/// check it, so a corrupt payload is refused instead of misread.
fn zset_listpack_ordered(lp: &Listpack) -> bool {
    let mut prev: Option<(f64, Vec<u8>)> = None;
    let mut it = lp.iter();
    while let (Some(m), Some(s)) = (it.next(), it.next()) {
        let score = listpack_score(s);
        if score.is_nan() {
            return false;
        }
        let member = m.to_vec();
        if let Some((ps, pm)) = &prev {
            if score < *ps || (score == *ps && member <= *pm) {
                return false;
            }
        }
        prev = Some((score, member));
    }
    true
}

fn zset_pairs(lp: &Listpack) -> Vec<(Vec<u8>, f64)> {
    let mut out = Vec::with_capacity(lp.len() / 2);
    let mut it = lp.iter();
    while let (Some(m), Some(s)) = (it.next(), it.next()) {
        out.push((m.to_vec(), listpack_score(s)));
    }
    out
}

impl Loaded {
    /// Calls `f` with this value in the form the writer takes (round trips,
    /// tests and the fuzz target; the keyspace saves from its own values).
    pub fn save_with<R>(&self, f: impl FnOnce(Saving<'_>) -> R) -> R {
        match self {
            Loaded::Str(RdbStr::Int(i)) => f(Saving::Int(*i)),
            Loaded::Str(RdbStr::Bytes(b)) => f(Saving::Str(b)),
            Loaded::List(q) => f(Saving::List(q)),
            Loaded::SetIntset(s) => f(Saving::SetIntset(s)),
            Loaded::ZsetListpack(lp) => f(Saving::ZsetListpack(lp)),
            Loaded::HashListpack(lp) => f(Saving::HashListpack(lp)),
            Loaded::SetTable(v) => {
                let mut it = v.iter().map(|m| m.as_slice());
                f(Saving::SetTable {
                    len: v.len(),
                    members: &mut it,
                })
            }
            Loaded::ZsetSkiplist(v) => {
                let mut sorted: Vec<(&[u8], f64)> =
                    v.iter().map(|(m, s)| (m.as_slice(), *s)).collect();
                sorted.sort_by(|a, b| {
                    a.1.partial_cmp(&b.1)
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then_with(|| a.0.cmp(b.0))
                });
                let mut it = sorted.into_iter().rev();
                f(Saving::ZsetSkiplist {
                    len: v.len(),
                    from_tail: &mut it,
                })
            }
            Loaded::Stream(s) => f(Saving::Stream(s.view())),
            Loaded::HashTable(v) => {
                let mut it = v.iter().map(|(k, x)| (k.as_slice(), x.as_slice()));
                f(Saving::HashTable {
                    len: v.len(),
                    pairs: &mut it,
                })
            }
        }
    }

    /// The encoding OBJECT ENCODING reports for this form in Redis 7.0.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Loaded::Str(RdbStr::Int(_)) => "int",
            Loaded::Str(RdbStr::Bytes(b))
                if b.len() <= 20 && crate::util::num::string2ll(b).is_some() =>
            {
                "int"
            }
            Loaded::Str(RdbStr::Bytes(b)) if b.len() <= 44 => "embstr",
            Loaded::Str(_) => "raw",
            Loaded::List(_) => "quicklist",
            Loaded::SetIntset(_) => "intset",
            Loaded::SetTable(_) | Loaded::HashTable(_) => "hashtable",
            Loaded::ZsetListpack(_) | Loaded::HashListpack(_) => "listpack",
            Loaded::ZsetSkiplist(_) => "skiplist",
            Loaded::Stream(_) => "stream",
        }
    }
}
