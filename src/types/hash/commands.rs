//! Hash commands (Redis t_hash.c, command half): HSET .. HSCAN. HRANDFIELD
//! lives in `random.rs`.

use super::{Hash, Limits};
use crate::cmd::{CommandImpl, Ctx};
use crate::ds::listpack::LpValue;
use crate::error::{CmdError, OVERFLOW, WRONGTYPE};
use crate::keyspace::notify;
use crate::resp::Reply;
use crate::server::Server;
use crate::types::coll::{self, ScanSource};
use crate::types::Value;
use crate::util::ld;
use crate::util::num::string2ll;

macro_rules! rows {
    ($($name:literal => $h:path),* $(,)?) => {
        &[$(CommandImpl { name: $name, handler: $h }),*]
    };
}

pub const COMMANDS: &[CommandImpl] = rows![
    "hset" => hset_command,
    "hmset" => hset_command,
    "hsetnx" => hsetnx_command,
    "hget" => hget_command,
    "hmget" => hmget_command,
    "hdel" => hdel_command,
    "hlen" => hlen_command,
    "hstrlen" => hstrlen_command,
    "hexists" => hexists_command,
    "hincrby" => hincrby_command,
    "hincrbyfloat" => hincrbyfloat_command,
    "hkeys" => hkeys_command,
    "hvals" => hvals_command,
    "hgetall" => hgetall_command,
    "hscan" => hscan_command,
    "hrandfield" => super::random::hrandfield_command,
];

/// The configured conversion limits.
pub fn limits(srv: &Server) -> Limits {
    Limits {
        entries: srv.config.hash_max_listpack_entries.max(0) as usize,
        value: srv.config.hash_max_listpack_value.max(0) as usize,
    }
}

/// A hash for reading; WRONGTYPE for another type.
pub fn hash_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Hash>, CmdError> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// A hash for writing, created when missing (`hashTypeLookupWriteOrCreate`).
fn hash_write_or_create<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<&'a mut Hash, CmdError> {
    match srv.lookup_write(db, key) {
        None => srv.db_add(db, key, Value::Hash(Box::default())),
        Some(Value::Hash(_)) => {}
        Some(_) => return Err(WRONGTYPE),
    }
    match srv.dbs[db].dict.get_mut(key) {
        Some(Value::Hash(h)) => Ok(h),
        _ => unreachable!("hash just ensured"),
    }
}

/// Records a write: modified-key signal, event, dirty.
fn touched(ctx: &mut Ctx, key: &[u8], event: &'static str, dirty: u64) {
    let db = ctx.client.db;
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::HASH, event, key, db);
    coll::add_dirty(ctx.srv, dirty);
}

/// HSET key field value [field value ...] / HMSET (which replies OK).
fn hset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() % 2 == 1 {
        return Err(ctx.wrong_args());
    }
    let (key, db, lim) = (ctx.argv[1].as_slice(), ctx.client.db, limits(ctx.srv));
    let h = hash_write_or_create(ctx.srv, db, key)?;
    h.try_conversion(&ctx.argv[2..], lim);
    let mut created = 0;
    for pair in ctx.argv[2..].chunks(2) {
        if !h.set(&pair[0], &pair[1], lim) {
            created += 1;
        }
    }
    if ctx.argv[0].as_slice().eq_ignore_ascii_case(b"hset") {
        ctx.client.reply.int(created);
    } else {
        ctx.client.reply.ok();
    }
    touched(ctx, key, "hset", (ctx.argc() as u64 - 2) / 2);
    Ok(())
}

fn hsetnx_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, db, lim) = (ctx.argv[1].as_slice(), ctx.client.db, limits(ctx.srv));
    let h = hash_write_or_create(ctx.srv, db, key)?;
    if h.exists(ctx.argv[2].as_slice()) {
        ctx.client.reply.int(0);
        return Ok(());
    }
    h.try_conversion(&ctx.argv[2..4], lim);
    h.set(ctx.argv[2].as_slice(), ctx.argv[3].as_slice(), lim);
    ctx.client.reply.int(1);
    touched(ctx, key, "hset", 1);
    Ok(())
}

fn hget_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let h = hash_read(ctx.srv, db, ctx.argv[1].as_slice())?;
    match h.and_then(|h| h.get_ref(ctx.argv[2].as_slice())) {
        Some(v) => bulk_value(&mut ctx.client.reply, v),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

fn hmget_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let h = hash_read(ctx.srv, db, ctx.argv[1].as_slice())?;
    let r = &mut ctx.client.reply;
    r.array(ctx.argv.len() - 2);
    for f in &ctx.argv[2..] {
        match h.as_ref().and_then(|h| h.get_ref(f)) {
            Some(v) => bulk_value(r, v),
            None => r.null(),
        }
    }
    Ok(())
}

fn hdel_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, db) = (ctx.argv[1].as_slice(), ctx.client.db);
    let Some(h) = (match ctx.srv.lookup_write(db, key) {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => return Err(WRONGTYPE),
    }) else {
        ctx.client.reply.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    let mut emptied = false;
    for f in &ctx.argv[2..] {
        if h.delete(f) {
            deleted += 1;
            if h.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        ctx.srv.db_delete(db, key);
    }
    if deleted > 0 {
        touched(ctx, key, "hdel", deleted as u64);
        if emptied {
            ctx.srv.notify(notify::GENERIC, "del", key, db);
        }
    }
    ctx.client.reply.int(deleted);
    Ok(())
}

fn hlen_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = hash_read(ctx.srv, db, ctx.argv[1].as_slice())?.map_or(0, |h| h.len());
    ctx.client.reply.int(n as i64);
    Ok(())
}

fn hstrlen_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = hash_read(ctx.srv, db, ctx.argv[1].as_slice())?
        .map_or(0, |h| h.value_len(ctx.argv[2].as_slice()));
    ctx.client.reply.int(n as i64);
    Ok(())
}

fn hexists_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let e = hash_read(ctx.srv, db, ctx.argv[1].as_slice())?
        .is_some_and(|h| h.exists(ctx.argv[2].as_slice()));
    ctx.client.reply.int(e as i64);
    Ok(())
}

fn hincrby_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let incr = ctx.arg_i64(3)?;
    let (key, field, db, lim) = (
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
        ctx.client.db,
        limits(ctx.srv),
    );
    let h = hash_write_or_create(ctx.srv, db, key)?;
    let old = match h.get(field) {
        Some(v) => string2ll(&v).ok_or(CmdError::err("hash value is not an integer"))?,
        None => 0,
    };
    let new = old.checked_add(incr).ok_or(OVERFLOW)?;
    let mut buf = Vec::new();
    crate::util::num::push_i64(&mut buf, new);
    h.set(field, &buf, lim);
    ctx.client.reply.int(new);
    touched(ctx, key, "hincrby", 1);
    Ok(())
}

fn hincrbyfloat_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let incr = ctx.argv[3].as_slice();
    if !ld::is_valid(incr) {
        return Err(crate::error::NOT_FLOAT);
    }
    if is_nan_or_inf(incr) {
        return Err(CmdError::err("value is NaN or Infinity"));
    }
    let (key, field, db, lim) = (
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
        ctx.client.db,
        limits(ctx.srv),
    );
    let h = hash_write_or_create(ctx.srv, db, key)?;
    let old = h.get(field).unwrap_or_else(|| b"0".to_vec());
    let sum = ld::add(&old, incr).map_err(|e| match e {
        ld::LdError::BadValue => CmdError::err("hash value is not a float"),
        e => e.to_cmd_error(),
    })?;
    h.set(field, &sum, lim);
    ctx.client.reply.bulk(&sum);
    touched(ctx, key, "hincrbyfloat", 1);
    // Replicas and the AOF must not redo the float arithmetic.
    ctx.propagate_replace(crate::propagate::argv(&[b"HSET", key, field, &sum]));
    Ok(())
}

/// Whether a valid float string names NaN or an infinity (strtold accepts
/// "inf", "infinity" and "nan" in any case, with a sign).
fn is_nan_or_inf(s: &[u8]) -> bool {
    let t = s
        .strip_prefix(b"-")
        .or_else(|| s.strip_prefix(b"+"))
        .unwrap_or(s);
    let l = t.to_ascii_lowercase();
    l.starts_with(b"inf") || l.starts_with(b"nan")
}

/// A field or value as a bulk string (an integer from a listpack is
/// formatted on the stack).
fn bulk_value(r: &mut Reply, v: LpValue<'_>) {
    match v {
        LpValue::Str(s) => r.bulk(s),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

/// HKEYS / HVALS / HGETALL (`genericHgetallCommand`): replies straight from
/// the hash, without copying it first.
fn getall_generic(ctx: &mut Ctx, keys: bool, vals: bool) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let h = hash_read(ctx.srv, db, ctx.argv[1].as_slice())?;
    let r = &mut ctx.client.reply;
    let n = h.as_ref().map_or(0, |h| h.len());
    if keys && vals {
        r.map(n);
    } else {
        r.array(n);
    }
    if let Some(h) = h {
        h.for_each(|f, v| {
            if keys {
                bulk_value(r, f);
            }
            if vals {
                bulk_value(r, v);
            }
        });
    }
    Ok(())
}

fn hkeys_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    getall_generic(ctx, true, false)
}

fn hvals_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    getall_generic(ctx, false, true)
}

fn hgetall_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    getall_generic(ctx, true, true)
}

fn hscan_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let cursor = coll::scan_cursor(ctx)?;
    let (db, argv) = (ctx.client.db, ctx.argv);
    let Some(h) = hash_read(ctx.srv, db, ctx.argv[1].as_slice())? else {
        coll::empty_scan(ctx);
        return Ok(());
    };
    let (next, items) = match h {
        Hash::Listpack(lp) => {
            let items = lp.iter().map(|v| v.to_vec()).collect();
            coll::scan_elements(argv, cursor, true, ScanSource::All(items))?
        }
        Hash::Table(d) => {
            let mut step = |c: u64, out: &mut Vec<Vec<u8>>| {
                d.scan(c, |e| {
                    let (f, v) = e.key().parts();
                    out.push(f.to_vec());
                    out.push(v.to_vec());
                })
            };
            coll::scan_elements(argv, cursor, true, ScanSource::Cursor(&mut step))?
        }
    };
    coll::scan_reply(ctx, next, &items);
    Ok(())
}
