//! XDEL, XTRIM and XSETID (Redis t_stream.c `xdelCommand`, `xtrimCommand`,
//! `xsetidCommand`).

use super::add::{parse_add_trim_args, rewrite_trim_args};
use super::commands::get_stream;
use super::id::parse_strict;
use super::StreamId;
use crate::cmd::Ctx;
use crate::error::{CmdError, NO_SUCH_KEY, SYNTAX};
use crate::keyspace::notify;

/// XDEL key id [id ...]: the key is looked up before the IDs are parsed,
/// and every ID is parsed before anything is deleted.
pub fn xdel_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let key = ctx.arg(1);
    if get_stream(ctx.srv, db, key, true)?.is_none() {
        ctx.reply().int(0);
        return Ok(());
    }
    let ids = ctx.argv[2..]
        .iter()
        .map(|a| parse_strict(a, 0))
        .collect::<Result<Vec<StreamId>, CmdError>>()?;
    let Some(s) = get_stream(ctx.srv, db, key, true)? else {
        return Ok(());
    };
    let mut deleted = 0u64;
    let mut first_entry = false;
    for id in ids {
        if s.delete(id) {
            first_entry |= id == s.first_id;
            if id > s.max_deleted_entry_id {
                s.max_deleted_entry_id = id;
            }
            deleted += 1;
        }
    }
    if deleted > 0 {
        if s.length == 0 {
            s.first_id = StreamId::MIN;
        } else if first_entry {
            s.first_id = s.edge_id(true, true);
        }
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::STREAM, "xdel", key, db);
        ctx.srv.status.persistence.dirty += deleted;
    }
    ctx.reply().int(deleted as i64);
    Ok(())
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
pub fn xtrim_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let a = parse_add_trim_args(ctx, false)?;
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let argv = ctx.argv;
    let Some(s) = get_stream(ctx.srv, db, key, true)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let Some(t) = a.trim else {
        return Err(SYNTAX);
    };
    let deleted = s.trim(&t);
    if deleted > 0 {
        let prop = t.approx.then(|| {
            let mut v = argv.to_vec();
            rewrite_trim_args(&mut v, &a, s);
            v
        });
        ctx.srv.notify(notify::STREAM, "xtrim", key, db);
        if let Some(v) = prop {
            ctx.propagate_replace(v);
        }
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.status.persistence.dirty += deleted;
    }
    ctx.reply().int(deleted as i64);
    Ok(())
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
pub fn xsetid_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let id = parse_strict(ctx.arg(2), 0)?;
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::MIN;
    let mut i = 3;
    while i < ctx.argc() {
        let more = i + 1 < ctx.argc();
        if ctx.arg_is(i, "entriesadded") && more {
            entries_added = ctx.arg_i64(i + 1)?;
            if entries_added < 0 {
                return Err(CmdError::err("entries_added must be positive"));
            }
        } else if ctx.arg_is(i, "maxdeletedid") && more {
            max_xdel = parse_strict(ctx.arg(i + 1), 0)?;
            if id < max_xdel {
                return Err(CmdError::err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let s = get_stream(ctx.srv, db, key, true)?.ok_or(NO_SUCH_KEY)?;
    if s.length > 0 {
        if id < s.last_valid_id() {
            return Err(CmdError::err(
                "The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added != -1 && s.length > entries_added as u64 {
            return Err(CmdError::err(
                "The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_entry_id = max_xdel;
    }
    ctx.reply().ok();
    // Redis 7.0.15's XSETID does not signal the key modified (WATCH misses it).
    ctx.srv.notify(notify::STREAM, "xsetid", key, db);
    ctx.srv.status.persistence.dirty += 1;
    Ok(())
}
