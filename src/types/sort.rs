//! SORT and SORT_RO (Redis sort.c): sorting lists (and sets and sorted sets
//! once their `Value` variants exist) numerically or lexically, by external
//! keys (`BY pattern`, `nosort`), with LIMIT, GET projections and STORE.

use std::cmp::Ordering;

use crate::cmd::{CommandImpl, Ctx};
use crate::ds::quicklist::End;
use crate::error::{CmdError, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::server::Server;
use crate::types::{ObjType, Value};

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "sort",
        handler: sort_command,
    },
    CommandImpl {
        name: "sort_ro",
        handler: sort_ro_command,
    },
];

/// Parsed SORT options.
struct SortOpts<'a> {
    desc: bool,
    alpha: bool,
    limit: Option<(i64, i64)>,
    by: Option<&'a [u8]>,
    dontsort: bool,
    gets: Vec<&'a [u8]>,
    store: Option<&'a [u8]>,
}

fn parse_opts<'a>(ctx: &Ctx<'a>, readonly: bool) -> Result<SortOpts<'a>, CmdError> {
    let mut o = SortOpts {
        desc: false,
        alpha: false,
        limit: None,
        by: None,
        dontsort: false,
        gets: Vec::new(),
        store: None,
    };
    let mut j = 2;
    while j < ctx.argc() {
        let left = ctx.argc() - j - 1;
        if ctx.arg_is(j, "asc") {
            o.desc = false;
        } else if ctx.arg_is(j, "desc") {
            o.desc = true;
        } else if ctx.arg_is(j, "alpha") {
            o.alpha = true;
        } else if ctx.arg_is(j, "limit") && left >= 2 {
            o.limit = Some((ctx.arg_i64(j + 1)?, ctx.arg_i64(j + 2)?));
            j += 2;
        } else if ctx.arg_is(j, "store") && left >= 1 && !readonly {
            o.store = Some(ctx.arg(j + 1));
            j += 1;
        } else if ctx.arg_is(j, "by") && left >= 1 {
            let p = ctx.arg(j + 1);
            // A pattern without '*' cannot name per-element keys: nothing to sort by.
            o.dontsort = !p.contains(&b'*');
            o.by = Some(p);
            j += 1;
        } else if ctx.arg_is(j, "get") && left >= 1 {
            o.gets.push(ctx.arg(j + 1));
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// `lookupKeyByPattern`: the string (or hash field, with `->`) that
/// `pattern` names for element `subst`; `#` is the element itself.
fn lookup_by_pattern(srv: &mut Server, db: usize, pattern: &[u8], subst: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(subst.to_vec());
    }
    let star = pattern.iter().position(|&b| b == b'*')?;
    let after = &pattern[star + 1..];
    let field = after
        .windows(2)
        .position(|w| w == b"->")
        .filter(|&f| f + 2 < after.len())
        .map(|f| (f, &after[f + 2..]));
    let postfix = match field {
        Some((f, _)) => &after[..f],
        None => after,
    };
    let mut key = Vec::with_capacity(pattern.len() + subst.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(subst);
    key.extend_from_slice(postfix);
    let v = srv.lookup_read(db, &key)?;
    match field {
        Some((_, name)) => hash_field(v, name),
        None if v.is_string() => {
            let mut t = [0u8; 20];
            Some(v.str_bytes(&mut t).to_vec())
        }
        None => None,
    }
}

/// A hash field's value for `BY`/`GET key->field` (`hashTypeGetValueObject`).
fn hash_field(v: &Value, field: &[u8]) -> Option<Vec<u8>> {
    match v {
        Value::Hash(h) => h.get(field),
        _ => None,
    }
}

/// One element being sorted with its sort key (`redisSortObject`).
struct Item {
    obj: Vec<u8>,
    score: f64,
    cmp: Option<Vec<u8>>,
}

/// C `strtod` as SORT runs it on the value's C string (so it stops at the
/// first NUL byte and accepts hex): None on trailing junk, ERANGE or NaN.
/// `strtod` itself keeps the exact rules (an all-space string is junk, an
/// empty one is 0) that a hand-written parser would have to copy.
fn sort_score(s: &[u8]) -> Option<f64> {
    let c = std::ffi::CString::new(crate::config::parse::c_str(s)).ok()?;
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `c` is a live NUL-terminated string and strtod leaves `end`
    // pointing into it; errno is this thread's.
    let (v, rest, erange) = unsafe {
        *libc::__errno_location() = 0;
        let v = libc::strtod(c.as_ptr(), &mut end);
        (v, *end, *libc::__errno_location() == libc::ERANGE)
    };
    if rest != 0 || erange || v.is_nan() {
        return None;
    }
    Some(v)
}

/// The elements of the value to sort, honouring the nosort list shortcut.
fn load(v: Option<&Value>, o: &SortOpts, start: i64, count: i64) -> Result<Vec<Vec<u8>>, CmdError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let ql = match v {
        Value::List(ql) => ql,
        Value::Set(s) => return Ok(s.members()),
        Value::ZSet(z) => return Ok(zset_range(z, o, start, count)),
        _ => return Err(WRONGTYPE),
    };
    if o.dontsort {
        // Lists keep their order (reversed by DESC); load just the range.
        let len = ql.len() as i64;
        if count <= 0 {
            return Ok(Vec::new());
        }
        let (idx, dir) = if o.desc {
            (len - start - 1, End::Tail)
        } else {
            (start, End::Head)
        };
        return Ok(crate::types::list::range(ql, idx, count as usize, dir));
    }
    Ok(ql.iter(End::Head).map(|e| e.into_bytes()).collect())
}

/// Sorted set members in score order (reversed by DESC under nosort), the
/// `[start, start+count)` range when nosort loads a range directly.
fn zset_range(z: &crate::types::zset::ZSet, o: &SortOpts, start: i64, count: i64) -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = Vec::with_capacity(z.len());
    z.for_each(|m, _| all.push(m.to_vec()));
    if !o.dontsort {
        return all;
    }
    if o.desc {
        all.reverse();
    }
    let s = start.max(0) as usize;
    all.into_iter()
        .skip(s)
        .take(count.max(0) as usize)
        .collect()
}

fn compare(a: &Item, b: &Item, o: &SortOpts) -> Ordering {
    let c = if !o.alpha {
        a.score
            .partial_cmp(&b.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.obj.cmp(&b.obj))
    } else if o.by.is_some() {
        match (&a.cmp, &b.cmp) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        }
    } else {
        a.obj.cmp(&b.obj)
    };
    if o.desc {
        c.reverse()
    } else {
        c
    }
}

fn sort_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sort_generic(ctx, false)
}

fn sort_ro_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sort_generic(ctx, true)
}

/// `sortCommandGeneric`.
fn sort_generic(ctx: &mut Ctx, readonly: bool) -> Result<(), CmdError> {
    let o = parse_opts(ctx, readonly)?;
    let db = ctx.client.db;
    let mut val = ctx.srv.lookup_read(db, ctx.arg(1));
    if let Some(v) = &val {
        if !matches!(v.obj_type(), ObjType::List | ObjType::Set | ObjType::ZSet) {
            return Err(WRONGTYPE);
        }
    }
    // Redis sorts a sorted set through its skiplist, converting it first
    // (so OBJECT ENCODING reports skiplist afterwards, even for SORT_RO).
    if let Some(Value::ZSet(z)) = val.as_deref_mut() {
        z.convert();
    }
    let len = match val.as_deref() {
        Some(Value::List(ql)) => ql.len(),
        Some(Value::Set(s)) => s.len(),
        Some(Value::ZSet(z)) => z.len(),
        _ => 0,
    } as i64;
    let is_set = matches!(val.as_deref(), Some(Value::Set(_)));
    let mut o = o;
    // A set has no order of its own: with STORE the result must be
    // deterministic, so nosort becomes an ALPHA sort (as Redis does).
    if o.dontsort && is_set && o.store.is_some() {
        o.dontsort = false;
        o.alpha = true;
        o.by = None;
    }
    let (lstart, lcount) = o.limit.unwrap_or((0, -1));
    let mut start = lstart.max(0);
    let mut end = if lcount < 0 {
        len - 1
    } else {
        start.saturating_add(lcount).saturating_sub(1)
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    end = end.min(len - 1);
    let elems = if o.dontsort && !is_set {
        let n = if end >= start { end - start + 1 } else { 0 };
        let e = load(val.as_deref(), &o, start, n)?;
        end -= start;
        start = 0;
        e
    } else {
        load(val.as_deref(), &o, 0, len)?
    };
    let items = score_items(ctx, db, &o, elems)?;
    let selected: &[Item] = if end >= start && (start as usize) < items.len() {
        &items[start as usize..=(end as usize).min(items.len() - 1)]
    } else {
        &[]
    };
    output(ctx, db, &o, selected)
}

/// Loads the sort keys and sorts (unless nosort); errors when a numeric
/// sort meets a value that is not a number.
fn score_items(
    ctx: &mut Ctx,
    db: usize,
    o: &SortOpts,
    elems: Vec<Vec<u8>>,
) -> Result<Vec<Item>, CmdError> {
    let mut items: Vec<Item> = elems
        .into_iter()
        .map(|obj| Item {
            obj,
            score: 0.0,
            cmp: None,
        })
        .collect();
    if o.dontsort {
        return Ok(items);
    }
    let mut bad = false;
    for it in items.iter_mut() {
        let byval = match o.by {
            Some(p) => match lookup_by_pattern(ctx.srv, db, p, &it.obj) {
                Some(v) => v,
                None => continue,
            },
            None => it.obj.clone(),
        };
        if o.alpha {
            if o.by.is_some() {
                it.cmp = Some(byval);
            }
        } else {
            match sort_score(&byval) {
                Some(s) => it.score = s,
                None => bad = true,
            }
        }
    }
    if bad {
        return Err(CmdError::err(
            "One or more scores can't be converted into double",
        ));
    }
    items.sort_by(|a, b| compare(a, b, o));
    Ok(items)
}

/// Replies with (or STOREs) the selected elements and their GET projections.
fn output(ctx: &mut Ctx, db: usize, o: &SortOpts, sel: &[Item]) -> Result<(), CmdError> {
    let mut out: Vec<Option<Vec<u8>>> = Vec::new();
    for it in sel {
        if o.gets.is_empty() {
            out.push(Some(it.obj.clone()));
        }
        for g in &o.gets {
            out.push(lookup_by_pattern(ctx.srv, db, g, &it.obj));
        }
    }
    let Some(dst) = o.store else {
        let r = ctx.reply();
        r.array(out.len());
        for v in &out {
            match v {
                Some(b) => r.bulk(b),
                None => r.null(),
            }
        }
        return Ok(());
    };
    let n = out.len();
    if n > 0 {
        let mut list = crate::types::list::new_list(ctx.srv);
        if let Some(ql) = list.as_list_mut() {
            for v in &out {
                ql.push(End::Tail, v.as_deref().unwrap_or(b""));
            }
        }
        ctx.srv.set_key(db, dst, list, false);
        ctx.srv.notify(notify::LIST, "sortstore", dst, db);
        ctx.srv.status.persistence.dirty += n as u64;
    } else if ctx.srv.db_delete(db, dst) {
        ctx.srv.signal_modified_key(db, dst);
        ctx.srv.notify(notify::GENERIC, "del", dst, db);
        ctx.srv.status.persistence.dirty += 1;
    }
    ctx.reply().int(n as i64);
    Ok(())
}
