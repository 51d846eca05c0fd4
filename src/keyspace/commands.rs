//! Generic key commands (Redis db.c): DEL, UNLINK, EXISTS, TOUCH, TYPE,
//! RENAME, RENAMENX, MOVE, COPY, DBSIZE, RANDOMKEY, SWAPDB, FLUSHDB, FLUSHALL.

use super::key::Key;
use super::notify;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, NOT_INTEGER, NO_SUCH_KEY, SYNTAX};
use crate::server::Server;
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "del",
        handler: del_command,
    },
    CommandImpl {
        name: "unlink",
        handler: unlink_command,
    },
    CommandImpl {
        name: "exists",
        handler: exists_command,
    },
    CommandImpl {
        name: "touch",
        handler: touch_command,
    },
    CommandImpl {
        name: "type",
        handler: type_command,
    },
    CommandImpl {
        name: "rename",
        handler: rename_command,
    },
    CommandImpl {
        name: "renamenx",
        handler: renamenx_command,
    },
    CommandImpl {
        name: "move",
        handler: move_command,
    },
    CommandImpl {
        name: "copy",
        handler: copy_command,
    },
    CommandImpl {
        name: "dbsize",
        handler: dbsize_command,
    },
    CommandImpl {
        name: "randomkey",
        handler: randomkey_command,
    },
    CommandImpl {
        name: "swapdb",
        handler: swapdb_command,
    },
    CommandImpl {
        name: "flushdb",
        handler: flushdb_command,
    },
    CommandImpl {
        name: "flushall",
        handler: flushall_command,
    },
];

const SAME_OBJECT: CmdError = CmdError::fixed("ERR source and destination objects are the same");
const DB_OUT_OF_RANGE: CmdError = CmdError::fixed("ERR DB index is out of range");

/// `delGenericCommand`.
fn del_generic(ctx: &mut Ctx, lazy: bool) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let mut deleted = 0;
    for key in &ctx.argv[1..] {
        ctx.srv.expire_if_needed(db, key, false);
        if ctx.srv.db_generic_delete(db, key, lazy) {
            ctx.srv.signal_modified_key(db, key);
            ctx.srv.notify(notify::GENERIC, "del", key, db);
            ctx.srv.status.persistence.dirty += 1;
            deleted += 1;
        }
    }
    ctx.client.reply.int(deleted);
    Ok(())
}

/// DEL key [key ...]
fn del_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let lazy = ctx.srv.config.lazyfree_lazy_user_del;
    del_generic(ctx, lazy)
}

/// UNLINK key [key ...]: like DEL, freeing big values in the background.
fn unlink_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    del_generic(ctx, true)
}

/// EXISTS key [key ...]
fn exists_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let mut n = 0;
    for key in &ctx.argv[1..] {
        if ctx
            .srv
            .lookup_key(db, key, super::db::lookup::NOTOUCH)
            .is_some()
        {
            n += 1;
        }
    }
    ctx.client.reply.int(n);
    Ok(())
}

/// TOUCH key [key ...]
fn touch_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let mut n = 0;
    for key in &ctx.argv[1..] {
        if ctx.srv.lookup_read(db, key).is_some() {
            n += 1;
        }
    }
    ctx.client.reply.int(n);
    Ok(())
}

/// TYPE key
fn type_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let name = match ctx
        .srv
        .lookup_key(db, ctx.arg(1), super::db::lookup::NOTOUCH)
    {
        Some(v) => v.obj_type().name(),
        None => "none",
    };
    ctx.client.reply.simple(name.as_bytes());
    Ok(())
}

/// Moves `key` of `src` to `dst_key` of `dst`, keeping its value, access data
/// and TTL. The destination must be free.
fn move_key(srv: &mut Server, src: usize, key: &[u8], dst: usize, dst_key: &[u8]) {
    let expire = srv.get_expire(src, key);
    let Some((k, v)) = srv.dbs[src].dict.remove(key) else {
        return;
    };
    if expire != -1 {
        srv.dbs[src].expires.remove(key);
    }
    crate::types::stream::readgroup::signal_deleted_stream(srv, src, &v, key);
    srv.dbs[dst].dict.insert_new(Key::new(dst_key, k.meta()), v);
    srv.notify(notify::NEW, "new", dst_key, dst);
    crate::blocking::signal_key_as_ready(srv, dst, dst_key);
    if expire != -1 {
        srv.set_expire(dst, dst_key, expire);
    }
}

/// `renameGenericCommand`.
fn rename_generic(ctx: &mut Ctx, nx: bool) -> Result<(), CmdError> {
    let (src, dst) = (ctx.arg(1), ctx.arg(2));
    let db = ctx.client.db;
    if ctx.srv.lookup_write(db, src).is_none() {
        return Err(NO_SUCH_KEY);
    }
    if src == dst {
        reply_rename(ctx, nx, nx);
        return Ok(());
    }
    if ctx.srv.lookup_write(db, dst).is_some() {
        if nx {
            ctx.client.reply.int(0);
            return Ok(());
        }
        ctx.srv.db_delete(db, dst);
    }
    move_key(ctx.srv, db, src, db, dst);
    ctx.srv.signal_modified_key(db, src);
    ctx.srv.signal_modified_key(db, dst);
    ctx.srv.notify(notify::GENERIC, "rename_from", src, db);
    ctx.srv.notify(notify::GENERIC, "rename_to", dst, db);
    ctx.srv.status.persistence.dirty += 1;
    reply_rename(ctx, nx, false);
    Ok(())
}

/// RENAME replies OK; RENAMENX replies 1, or 0 when nothing was done.
fn reply_rename(ctx: &mut Ctx, nx: bool, nothing_done: bool) {
    if nx {
        ctx.client.reply.int(if nothing_done { 0 } else { 1 });
    } else {
        ctx.client.reply.ok();
    }
}

/// RENAME key newkey
fn rename_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    rename_generic(ctx, false)
}

/// RENAMENX key newkey
fn renamenx_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    rename_generic(ctx, true)
}

/// A DB index argument: an int, then within range (`getIntFromObjectOrReply` + `selectDb`).
fn db_index_arg(ctx: &Ctx, i: usize) -> Result<usize, CmdError> {
    let id = string2ll(ctx.arg(i)).ok_or(NOT_INTEGER)?;
    if i32::try_from(id).is_err() {
        return Err(CmdError::fixed(
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    if id < 0 || id as usize >= ctx.srv.dbs.len() {
        return Err(DB_OUT_OF_RANGE);
    }
    Ok(id as usize)
}

/// MOVE key db
fn move_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let src = ctx.client.db;
    let dst = db_index_arg(ctx, 2)?;
    if src == dst {
        return Err(SAME_OBJECT);
    }
    let key = ctx.arg(1);
    if ctx.srv.lookup_write(src, key).is_none() || ctx.srv.lookup_write(dst, key).is_some() {
        ctx.client.reply.int(0);
        return Ok(());
    }
    move_key(ctx.srv, src, key, dst, key);
    ctx.srv.signal_modified_key(src, key);
    ctx.srv.signal_modified_key(dst, key);
    ctx.srv.notify(notify::GENERIC, "move_from", key, src);
    ctx.srv.notify(notify::GENERIC, "move_to", key, dst);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.int(1);
    Ok(())
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let src = ctx.client.db;
    let mut dst = src;
    let mut replace = false;
    let mut j = 3;
    while j < ctx.argc() {
        if ctx.arg_is(j, "replace") {
            replace = true;
        } else if ctx.arg_is(j, "db") && j + 1 < ctx.argc() {
            dst = db_index_arg(ctx, j + 1)?;
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    let (key, newkey) = (ctx.arg(1), ctx.arg(2));
    if src == dst && key == newkey {
        return Err(SAME_OBJECT);
    }
    let Some(v) = ctx.srv.lookup_read(src, key) else {
        ctx.client.reply.int(0);
        return Ok(());
    };
    let copy = v.duplicate();
    let expire = ctx.srv.get_expire(src, key);
    if ctx.srv.lookup_write(dst, newkey).is_some() {
        if !replace {
            ctx.client.reply.int(0);
            return Ok(());
        }
        ctx.srv.db_delete(dst, newkey);
    }
    ctx.srv.db_add(dst, newkey, copy);
    if expire != -1 {
        ctx.srv.set_expire(dst, newkey, expire);
    }
    ctx.srv.signal_modified_key(dst, newkey);
    ctx.srv.notify(notify::GENERIC, "copy_to", newkey, dst);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.int(1);
    Ok(())
}

/// DBSIZE: keys in the dict, as Redis counts them (expired keys not yet
/// reclaimed included).
fn dbsize_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let n = ctx.srv.dbs[ctx.client.db].len();
    ctx.client.reply.int(n as i64);
    Ok(())
}

/// A random live key (`dbRandomKey`): expired picks are deleted and retried.
pub fn random_key(srv: &mut Server, db: usize) -> Option<Vec<u8>> {
    loop {
        let key = srv.dbs[db].dict.fair_random()?.key().bytes().to_vec();
        if srv.expire_if_needed(db, &key, false) {
            continue;
        }
        return Some(key);
    }
}

/// RANDOMKEY
fn randomkey_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    match random_key(ctx.srv, ctx.client.db) {
        Some(k) => ctx.client.reply.bulk(&k),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

/// SWAPDB index1 index2
fn swapdb_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let parse = |i: usize, msg: &'static str| {
        string2ll(ctx.arg(i))
            .filter(|v| i32::try_from(*v).is_ok())
            .ok_or(CmdError::fixed(msg))
    };
    let a = parse(1, "ERR invalid first DB index")?;
    let b = parse(2, "ERR invalid second DB index")?;
    let n = ctx.srv.dbs.len() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        return Err(DB_OUT_OF_RANGE);
    }
    let (a, b) = (a as usize, b as usize);
    if a != b {
        crate::multi::touch_all_in_db(ctx.srv, a, Some(b));
        crate::multi::touch_all_in_db(ctx.srv, b, Some(a));
        // XREADGROUP waiters on a stream re-check their key after the swap.
        crate::blocking::signal_flushed_db(ctx.srv, a);
        crate::blocking::signal_flushed_db(ctx.srv, b);
        ctx.srv.dbs.swap(a, b);
        // Each Db keeps its index: only the contents move.
        ctx.srv.dbs[a].id = a;
        ctx.srv.dbs[b].id = b;
        crate::blocking::scan_db_for_ready_keys(ctx.srv, a);
        crate::blocking::scan_db_for_ready_keys(ctx.srv, b);
    }
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.ok();
    Ok(())
}

/// SYNC/ASYNC of FLUSHDB and FLUSHALL (`getFlushCommandFlags`): true for async.
fn flush_async(ctx: &Ctx) -> Result<bool, CmdError> {
    match ctx.argc() {
        1 => Ok(ctx.srv.config.lazyfree_lazy_user_flush),
        2 if ctx.arg_is(1, "sync") => Ok(false),
        2 if ctx.arg_is(1, "async") => Ok(true),
        _ => Err(SYNTAX),
    }
}

/// Empties one database or all (`emptyData`); returns the keys removed.
pub fn empty_data(srv: &mut Server, db: Option<usize>, lazy: bool) -> u64 {
    let ids: Vec<usize> = match db {
        Some(i) => vec![i],
        None => (0..srv.dbs.len()).collect(),
    };
    let mut removed = 0u64;
    let mut old = Vec::new();
    for i in ids {
        crate::multi::touch_all_in_db(srv, i, None);
        crate::blocking::signal_flushed_db(srv, i);
        removed += srv.dbs[i].len() as u64;
        let fresh = super::Db::new(i);
        old.push(std::mem::replace(&mut srv.dbs[i], fresh));
    }
    crate::tracking::on_flush(srv);
    if lazy {
        srv.ks.lazyfree.free_dbs(old);
    }
    removed
}

/// FLUSHDB [ASYNC|SYNC]
fn flushdb_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let lazy = flush_async(ctx)?;
    let db = ctx.client.db;
    ctx.srv.status.persistence.dirty += empty_data(ctx.srv, Some(db), lazy);
    // Replicas and the AOF get it even when the db was already empty.
    ctx.force_propagation();
    ctx.client.reply.ok();
    Ok(())
}

/// FLUSHALL [ASYNC|SYNC]
fn flushall_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let lazy = flush_async(ctx)?;
    ctx.srv.status.persistence.dirty += empty_data(ctx.srv, None, lazy);
    // With save points the flushed dataset is saved at once, which resets
    // the dirty counter (rdb_changes_since_last_save 0, as in Redis 7.0).
    ctx.srv.flushall_persistence();
    // Replicas and the AOF get it even when the dataset was already empty.
    ctx.force_propagation();
    ctx.client.reply.ok();
    Ok(())
}
