//! The keyspace's DEBUG subcommands (Redis debug.c): OBJECT, HTSTATS,
//! HTSTATS-KEY, POPULATE, DIGEST, DIGEST-VALUE, LISTPACK, QUICKLIST. DEBUG parses its own
//! subcommand (it is not a container in Redis 7.0); the dispatcher in
//! introspection/debug.rs looks names up in its table, then in `DEBUG_SUBCOMMANDS`.

use super::db::lookup;
use super::digest::{dataset_digest, hex, object_digest};
use super::evict;
use crate::cmd::Ctx;
use crate::ds::dict::{Dict, DictKey};
use crate::error::{CmdError, NO_SUCH_KEY};
use crate::introspection::debug::{DebugHandler, DebugSub};
use crate::introspection::help::subcommand_syntax_error;
use crate::types::Value;
use crate::util::num::string2ll;

/// DEBUG rows with their argc ranges, chained after introspection's own.
pub const DEBUG_SUBCOMMANDS: &[DebugSub] = &[
    row("object", 3, 3, debug_object),
    row("htstats", 3, 3, debug_htstats),
    row("htstats-key", 3, 3, debug_htstats_key),
    row("populate", 3, 5, debug_populate),
    row("digest", 2, 2, debug_digest),
    row("digest-value", 2, usize::MAX, debug_digest_value),
    row("listpack", 3, 3, debug_listpack),
    row("quicklist", 3, 4, debug_quicklist),
];

const fn row(
    name: &'static str,
    min_argc: usize,
    max_argc: usize,
    handler: DebugHandler,
) -> DebugSub {
    DebugSub {
        name,
        min_argc,
        max_argc,
        handler,
    }
}

/// DEBUG OBJECT key
fn debug_object(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() != 3 {
        return Err(subcommand_syntax_error(ctx));
    }
    let now = ctx.srv.time.mstime;
    let e = ctx.srv.dbs[ctx.client.db]
        .dict
        .find(ctx.arg(2))
        .ok_or(NO_SUCH_KEY)?;
    let v = &e.val;
    let meta = e.key().meta();
    let line = format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}{}",
        v as *const Value,
        v.refcount(),
        v.encoding(),
        crate::persistence::objects::serialized_len(v, ctx.srv.config.rdbcompression),
        meta & evict::LRU_CLOCK_MAX,
        evict::idle_ms(meta, now) / 1000,
        crate::types::list::debug_object_extra(v)
    );
    ctx.client.reply.simple(line.as_bytes());
    Ok(())
}

/// `dictGetStats` text for one dict.
pub fn dict_stats_text<K: DictKey, V>(d: &Dict<K, V>) -> String {
    let mut out = String::new();
    for (t, st) in d.table_stats().iter().enumerate() {
        let name = if t == 0 {
            "main hash table"
        } else {
            "rehashing target"
        };
        out.push_str(&format!("Hash table {} stats ({}):\n", t, name));
        if st.used == 0 {
            out.push_str("No stats available for empty dictionaries\n");
            continue;
        }
        let slots = st.non_empty.max(1);
        out.push_str(&format!(
            " table size: {}\n number of elements: {}\n different slots: {}\n max chain length: {}\n avg chain length (counted): {:.2}\n avg chain length (computed): {:.2}\n Chain length distribution:\n",
            st.size, st.used, st.non_empty, st.max_chain,
            st.used as f32 / slots as f32, st.used as f32 / slots as f32
        ));
        for (len, &n) in st.chain_counts.iter().enumerate().take(49) {
            if n == 0 {
                continue;
            }
            let pct = n as f32 / st.size as f32 * 100.0;
            out.push_str(&format!("   {}: {} ({:.2}%)\n", len, n, pct));
        }
    }
    if d.table_stats().is_empty() {
        out.push_str(
            "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n",
        );
    }
    out
}

/// DEBUG HTSTATS dbid
fn debug_htstats(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() != 3 {
        return Err(subcommand_syntax_error(ctx));
    }
    let id = ctx.arg_i64(2)?;
    if id < 0 || id as usize >= ctx.srv.dbs.len() {
        return Err(CmdError::err("Out of range database"));
    }
    let db = &ctx.srv.dbs[id as usize];
    let mut text = String::from("[Dictionary HT]\n");
    text.push_str(&dict_stats_text(&db.dict));
    text.push_str("[Expires HT]\n");
    text.push_str(&dict_stats_text(&db.expires));
    ctx.client.reply.verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// DEBUG HTSTATS-KEY key: only values encoded as hash tables have stats.
fn debug_htstats_key(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() != 3 {
        return Err(subcommand_syntax_error(ctx));
    }
    let db = ctx.client.db;
    let flags = lookup::NOTOUCH | lookup::NONOTIFY;
    let text = match ctx.srv.lookup_key(db, ctx.arg(2), flags) {
        None => return Err(NO_SUCH_KEY),
        Some(v) => value_dict_stats(v),
    };
    match text {
        Some(t) => {
            ctx.client.reply.verbatim(t.as_bytes(), "txt");
            Ok(())
        }
        // Strings and compact encodings are not hash tables.
        None => Err(CmdError::err(
            "The value stored at the specified key is not represented using an hash table",
        )),
    }
}

/// Writes a structure dump to the server's stdout, as Redis's printf does.
fn print_stdout(text: &[u8]) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text);
    let _ = out.flush();
}

/// DEBUG LISTPACK key: prints a listpack-encoded hash or sorted set.
fn debug_listpack(ctx: &mut Ctx) -> Result<(), CmdError> {
    use crate::types::{hash::Hash, zset::ZSet};
    let db = ctx.client.db;
    let flags = lookup::NOTOUCH | lookup::NONOTIFY;
    let mut text = Vec::new();
    match ctx.srv.lookup_key(db, ctx.arg(2), flags) {
        None => return Err(NO_SUCH_KEY),
        Some(Value::Hash(h)) if matches!(&**h, Hash::Listpack(_)) => {
            if let Hash::Listpack(lp) = &**h {
                lp.repr(&mut text);
            }
        }
        Some(Value::ZSet(z)) if matches!(&**z, ZSet::Listpack(_)) => {
            if let ZSet::Listpack(lp) = &**z {
                lp.repr(&mut text);
            }
        }
        Some(_) => return Err(CmdError::err("Not a listpack encoded object.")),
    }
    print_stdout(&text);
    ctx.client
        .reply
        .simple(b"Listpack structure printed on stdout");
    Ok(())
}

/// C `atoi`: leading blanks, a sign, digits; anything else stops it (0 if none).
fn atoi(s: &[u8]) -> i64 {
    let s = s.trim_ascii_start();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |n, b| {
            n.wrapping_mul(10).wrapping_add((b - b'0') as i64)
        });
    if neg {
        n.wrapping_neg()
    } else {
        n
    }
}

/// DEBUG QUICKLIST key [<0|1>]: prints a list's quicklist, with each node's
/// contents when the level (read like C atoi) is non-zero.
fn debug_quicklist(ctx: &mut Ctx) -> Result<(), CmdError> {
    let full = ctx.argc() == 4 && atoi(ctx.arg(3)) != 0;
    let db = ctx.client.db;
    let flags = lookup::NOTOUCH | lookup::NONOTIFY;
    let mut text = Vec::new();
    match ctx.srv.lookup_key(db, ctx.arg(2), flags) {
        None => return Err(NO_SUCH_KEY),
        Some(Value::List(ql)) => ql.repr(full, &mut text),
        Some(_) => return Err(CmdError::err("Not a quicklist encoded object.")),
    }
    print_stdout(&text);
    ctx.client
        .reply
        .simple(b"Quicklist structure printed on stdout");
    Ok(())
}

/// The dict stats of a hashtable-encoded hash, set or sorted set.
fn value_dict_stats(v: &Value) -> Option<String> {
    use crate::types::{hash::Hash, set::Set, zset::ZSet};
    match v {
        Value::Hash(h) => match &**h {
            Hash::Table(d) => Some(dict_stats_text(d)),
            _ => None,
        },
        Value::Set(s) => match &**s {
            Set::Table(d) => Some(dict_stats_text(d)),
            _ => None,
        },
        Value::ZSet(z) => match &**z {
            ZSet::Skiplist(b) => Some(dict_stats_text(&b.dict)),
            _ => None,
        },
        _ => None,
    }
}

/// A non-negative integer argument (`getPositiveLongFromObjectOrReply`).
fn positive_arg(ctx: &Ctx, i: usize) -> Result<i64, CmdError> {
    string2ll(ctx.arg(i))
        .filter(|v| *v >= 0)
        .ok_or(CmdError::fixed(
            "ERR value is out of range, must be positive",
        ))
}

/// DEBUG POPULATE count [prefix] [size]
fn debug_populate(ctx: &mut Ctx) -> Result<(), CmdError> {
    if !(3..=5).contains(&ctx.argc()) {
        return Err(subcommand_syntax_error(ctx));
    }
    let count = positive_arg(ctx, 2)?;
    let db = ctx.client.db;
    // Pre-size as Redis does, but at most 2^27 buckets: the bucket array is
    // written when created, and a bigger count is bound to run out of memory anyway.
    let presize = (count as usize).min(1 << 27);
    if ctx.srv.dbs[db].dict.try_expand(presize).is_err() {
        return Err(CmdError::err("OOM in dictTryExpand"));
    }
    let size = if ctx.argc() == 5 {
        positive_arg(ctx, 4)? as usize
    } else {
        0
    };
    let prefix: &[u8] = if ctx.argc() == 3 { b"key" } else { ctx.arg(3) };
    // Redis formats into a 128-byte buffer and cuts the prefix at a NUL.
    let prefix = &prefix[..memchr::memchr(0, prefix).unwrap_or(prefix.len())];
    for j in 0..count {
        let mut key = prefix.to_vec();
        key.extend_from_slice(format!(":{}", j).as_bytes());
        key.truncate(127);
        if ctx.srv.lookup_write(db, &key).is_some() {
            continue;
        }
        let mut val = format!("value:{}", j).into_bytes();
        if size > 0 {
            val.resize(size, 0);
        }
        ctx.srv.db_add(db, &key, Value::str_emb(&val));
        ctx.srv.signal_modified_key(db, &key);
    }
    ctx.client.reply.ok();
    Ok(())
}

/// DEBUG DIGEST
fn debug_digest(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() != 2 {
        return Err(subcommand_syntax_error(ctx));
    }
    let d = dataset_digest(&ctx.srv.dbs);
    ctx.client.reply.simple(hex(&d).as_bytes());
    Ok(())
}

/// DEBUG DIGEST-VALUE [key ...]: logically expired keys are included.
fn debug_digest_value(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = &ctx.srv.dbs[ctx.client.db];
    ctx.client.reply.array(ctx.argc() - 2);
    for key in &ctx.argv[2..] {
        let mut d = [0u8; 20];
        if let Some(v) = db.dict.get(key) {
            object_digest(&mut d, v, db.expire_of(key) != -1);
        }
        ctx.client.reply.simple(hex(&d).as_bytes());
    }
    Ok(())
}
