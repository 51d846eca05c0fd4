//! Set commands (Redis t_set.c, command half): SADD, SREM, SMOVE,
//! SISMEMBER, SMISMEMBER, SCARD, SSCAN. The algebra (SINTER .. SDIFFSTORE)
//! is in `ops.rs`, SPOP and SRANDMEMBER in `random.rs`.

use super::Set;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, WRONGTYPE};
use crate::keyspace::notify;
use crate::server::Server;
use crate::types::coll::{self, ScanSource};
use crate::types::Value;

macro_rules! rows {
    ($($name:literal => $h:path),* $(,)?) => {
        &[$(CommandImpl { name: $name, handler: $h }),*]
    };
}

pub const COMMANDS: &[CommandImpl] = rows![
    "sadd" => sadd_command,
    "srem" => srem_command,
    "smove" => smove_command,
    "sismember" => sismember_command,
    "smismember" => smismember_command,
    "scard" => scard_command,
    "sscan" => sscan_command,
    "smembers" => super::ops::smembers_command,
    "sinter" => super::ops::sinter_command,
    "sintercard" => super::ops::sintercard_command,
    "sinterstore" => super::ops::sinterstore_command,
    "sunion" => super::ops::sunion_command,
    "sunionstore" => super::ops::sunionstore_command,
    "sdiff" => super::ops::sdiff_command,
    "sdiffstore" => super::ops::sdiffstore_command,
    "spop" => super::random::spop_command,
    "srandmember" => super::random::srandmember_command,
];

/// set-max-intset-entries.
pub fn max_intset(srv: &Server) -> usize {
    srv.config.set_max_intset_entries.max(0) as usize
}

/// A set for reading; WRONGTYPE for another type.
pub fn set_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Set>, CmdError> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// A set for writing; WRONGTYPE for another type.
pub fn set_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Set>, CmdError> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// The set stored at `key`, known to exist.
pub fn set_at<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> &'a mut Set {
    match srv.dbs[db].dict.get_mut(key) {
        Some(Value::Set(s)) => s,
        _ => unreachable!("set just ensured"),
    }
}

fn sadd_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, db, max) = (ctx.argv[1].as_slice(), ctx.client.db, max_intset(ctx.srv));
    if set_write(ctx.srv, db, key)?.is_none() {
        ctx.srv
            .db_add(db, key, Value::Set(Box::new(Set::for_member(&ctx.argv[2]))));
    }
    let s = set_at(ctx.srv, db, key);
    let added = ctx.argv[2..].iter().filter(|m| s.add(m, max)).count();
    if added > 0 {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::SET, "sadd", key, db);
    }
    coll::add_dirty(ctx.srv, added as u64);
    ctx.client.reply.int(added as i64);
    Ok(())
}

fn srem_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, db) = (ctx.argv[1].as_slice(), ctx.client.db);
    let Some(s) = set_write(ctx.srv, db, key)? else {
        ctx.client.reply.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    let mut removed_key = false;
    for m in &ctx.argv[2..] {
        if s.remove(m) {
            deleted += 1;
            if s.is_empty() {
                removed_key = true;
                break;
            }
        }
    }
    if removed_key {
        ctx.srv.db_delete(db, key);
    }
    if deleted > 0 {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::SET, "srem", key, db);
        if removed_key {
            ctx.srv.notify(notify::GENERIC, "del", key, db);
        }
        coll::add_dirty(ctx.srv, deleted);
    }
    ctx.client.reply.int(deleted as i64);
    Ok(())
}

fn smove_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (src, dst, ele) = (
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let (db, max) = (ctx.client.db, max_intset(ctx.srv));
    let src_exists = match ctx.srv.lookup_write(db, src) {
        None => false,
        Some(Value::Set(_)) => true,
        Some(_) => return Err(WRONGTYPE),
    };
    let dst_exists = match ctx.srv.lookup_write(db, dst) {
        None => false,
        Some(Value::Set(_)) => true,
        Some(_) if src_exists => return Err(WRONGTYPE),
        Some(_) => false,
    };
    if !src_exists {
        ctx.client.reply.int(0);
        return Ok(());
    }
    if src == dst {
        let is = set_at(ctx.srv, db, src).contains(ele);
        ctx.client.reply.int(is as i64);
        return Ok(());
    }
    let s = set_at(ctx.srv, db, src);
    if !s.remove(ele) {
        ctx.client.reply.int(0);
        return Ok(());
    }
    let emptied = s.is_empty();
    ctx.srv.notify(notify::SET, "srem", src, db);
    if emptied {
        ctx.srv.db_delete(db, src);
        ctx.srv.notify(notify::GENERIC, "del", src, db);
    }
    if !dst_exists {
        ctx.srv
            .db_add(db, dst, Value::Set(Box::new(Set::for_member(ele))));
    }
    ctx.srv.signal_modified_key(db, src);
    coll::add_dirty(ctx.srv, 1);
    if set_at(ctx.srv, db, dst).add(ele, max) {
        coll::add_dirty(ctx.srv, 1);
        ctx.srv.signal_modified_key(db, dst);
        ctx.srv.notify(notify::SET, "sadd", dst, db);
    }
    ctx.client.reply.int(1);
    Ok(())
}

fn sismember_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let is = set_read(ctx.srv, db, &ctx.argv[1])?.is_some_and(|s| s.contains(&ctx.argv[2]));
    ctx.client.reply.int(is as i64);
    Ok(())
}

fn smismember_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let s = set_read(ctx.srv, db, &ctx.argv[1])?;
    let r = &mut ctx.client.reply;
    r.array(ctx.argv.len() - 2);
    for m in &ctx.argv[2..] {
        r.int(s.as_ref().is_some_and(|s| s.contains(m)) as i64);
    }
    Ok(())
}

fn scard_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = set_read(ctx.srv, db, &ctx.argv[1])?.map_or(0, |s| s.len());
    ctx.client.reply.int(n as i64);
    Ok(())
}

fn sscan_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let cursor = coll::scan_cursor(ctx)?;
    let (db, argv) = (ctx.client.db, ctx.argv);
    let Some(s) = set_read(ctx.srv, db, &argv[1])? else {
        coll::empty_scan(ctx);
        return Ok(());
    };
    let (next, items) = match s {
        Set::Intset(_) => coll::scan_elements(argv, cursor, false, ScanSource::All(s.members()))?,
        Set::Table(d) => {
            let mut step =
                |c: u64, out: &mut Vec<Vec<u8>>| d.scan(c, |e| out.push(e.key().to_vec()));
            coll::scan_elements(argv, cursor, false, ScanSource::Cursor(&mut step))?
        }
    };
    coll::scan_reply(ctx, next, &items);
    Ok(())
}
