//! XGROUP and XACK (Redis t_stream.c `xgroupCommand`, `xackCommand`,
//! `streamPropagateGroupID`, `streamPropagateConsumerCreation`), and the
//! lookups the consumer-group commands share.

use super::cgroup::{ConsumerGroup, INVALID_ENTRIES_READ};
use super::id::{self, INVALID_ID};
use super::{Stream, StreamId};
use crate::cmd::Ctx;
use crate::error::{CmdError, WRONGTYPE};
use crate::keyspace::notify;
use crate::server::Server;
use crate::types::object::Value;

/// The stream at `key`, None if missing, WRONGTYPE if another type.
/// `write` looks it up as a write (`lookupKeyWrite`).
pub fn stream_at<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
    write: bool,
) -> Result<Option<&'a mut Stream>, CmdError> {
    let v = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match v {
        None => Ok(None),
        Some(Value::Stream(s)) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// "-NOGROUP No such key '<key>' or consumer group '<group>'" (+ `suffix`).
pub fn no_key_or_group(key: &[u8], group: &[u8], suffix: &str) -> CmdError {
    let mut t = b"NOGROUP No such key '".to_vec();
    t.extend_from_slice(key);
    t.extend_from_slice(b"' or consumer group '");
    t.extend_from_slice(group);
    t.extend_from_slice(b"'");
    t.extend_from_slice(suffix.as_bytes());
    CmdError::from_bytes(t)
}

/// "-NOGROUP No such consumer group '<group>' for key name '<key>'".
pub fn no_group_for_key(key: &[u8], group: &[u8]) -> CmdError {
    let mut t = b"NOGROUP No such consumer group '".to_vec();
    t.extend_from_slice(group);
    t.extend_from_slice(b"' for key name '");
    t.extend_from_slice(key);
    t.extend_from_slice(b"'");
    CmdError::from_bytes(t)
}

/// Adds `n` to the dirty counter (`server.dirty += n`).
pub fn add_dirty(srv: &mut Server, n: u64) {
    srv.status.persistence.dirty += n;
}

const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
];

/// XGROUP HELP
pub fn xgroup_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    crate::introspection::help::reply_help(ctx, "xgroup", XGROUP_HELP);
    Ok(())
}

/// Parses an ENTRIESREAD value.
fn parse_entries_read(arg: &[u8]) -> Result<i64, CmdError> {
    let v = crate::util::num::string2ll(arg).ok_or(crate::error::NOT_INTEGER)?;
    if v < 0 && v != INVALID_ENTRIES_READ {
        return Err(CmdError::err(
            "value for ENTRIESREAD must be positive or -1",
        ));
    }
    Ok(v)
}

const NEEDS_KEY: &str = "The XGROUP subcommand requires the key to exist. Note that for CREATE \
                         you may want to use the MKSTREAM option to create an empty stream \
                         automatically.";

/// The checks every XGROUP subcommand but HELP makes, in Redis's order:
/// the type, the key's existence (unless CREATE ... MKSTREAM), then for
/// SETID / CREATECONSUMER / DELCONSUMER the group's existence.
fn xgroup_lookup<'a>(
    ctx: &'a mut Ctx,
    mkstream: bool,
    needs_group: bool,
) -> Result<Option<&'a mut Stream>, CmdError> {
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let s = stream_at(ctx.srv, db, key, true)?;
    match s {
        None if mkstream => Ok(None),
        None => Err(CmdError::err(NEEDS_KEY)),
        Some(s) if needs_group && !s.cgroups.contains_key(group) => {
            Err(no_group_for_key(key, group))
        }
        Some(s) => Ok(Some(s)),
    }
}

/// XGROUP CREATE key group <id|$> [MKSTREAM] [ENTRIESREAD n]
pub fn xgroup_create_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut i = 5;
    while i < ctx.argc() {
        if ctx.arg_is(i, "mkstream") {
            mkstream = true;
            i += 1;
        } else if ctx.arg_is(i, "entriesread") && i + 1 < ctx.argc() {
            entries_read = parse_entries_read(ctx.arg(i + 1))?;
            i += 2;
        } else {
            return Err(crate::introspection::help::subcommand_syntax_error(ctx));
        }
    }
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let exists = xgroup_lookup(ctx, mkstream, false)?.map(|s| s.last_id);
    if ctx.argc() > 8 {
        return Err(crate::introspection::help::subcommand_syntax_error(ctx));
    }
    let gid = if ctx.arg(4) == b"$" {
        exists.unwrap_or(StreamId::MIN)
    } else {
        id::parse_strict(ctx.arg(4), 0)?
    };
    if exists.is_none() {
        ctx.srv.db_add(db, key, Value::Stream(Box::default()));
        ctx.srv.signal_modified_key(db, key);
    }
    let Some(s) = stream_at(ctx.srv, db, key, true)? else {
        return Ok(());
    };
    if s.cgroups.contains_key(group) {
        return Err(CmdError::raw(
            "BUSYGROUP Consumer Group name already exists",
        ));
    }
    s.cgroups
        .insert(group.to_vec(), ConsumerGroup::new(gid, entries_read));
    ctx.client.reply.ok();
    add_dirty(ctx.srv, 1);
    ctx.srv.notify(notify::STREAM, "xgroup-create", key, db);
    Ok(())
}

/// XGROUP SETID key group <id|$> [ENTRIESREAD n]
pub fn xgroup_setid_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() != 5 && ctx.argc() != 7 {
        xgroup_lookup(ctx, false, true)?;
        return Err(crate::introspection::help::subcommand_syntax_error(ctx));
    }
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let Some(s) = xgroup_lookup(ctx, false, true)? else {
        return Ok(());
    };
    let last_id = s.last_id;
    let gid = if ctx.arg(4) == b"$" {
        last_id
    } else {
        id::parse(ctx.arg(4), 0)?
    };
    let mut entries_read = INVALID_ENTRIES_READ;
    if ctx.argc() == 7 {
        if !ctx.arg_is(5, "entriesread") {
            return Err(crate::introspection::help::subcommand_syntax_error(ctx));
        }
        entries_read = parse_entries_read(ctx.arg(6))?;
    }
    if let Some(Some(cg)) = stream_at(ctx.srv, db, key, true)?.map(|s| s.cgroups.get_mut(group)) {
        cg.last_id = gid;
        cg.entries_read = entries_read;
    }
    ctx.client.reply.ok();
    add_dirty(ctx.srv, 1);
    ctx.srv.notify(notify::STREAM, "xgroup-setid", key, db);
    Ok(())
}

/// XGROUP DESTROY key group
pub fn xgroup_destroy_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let Some(s) = xgroup_lookup(ctx, false, false)? else {
        return Ok(());
    };
    if s.cgroups.remove(group).is_none() {
        ctx.client.reply.int(0);
        return Ok(());
    }
    ctx.client.reply.int(1);
    add_dirty(ctx.srv, 1);
    ctx.srv.notify(notify::STREAM, "xgroup-destroy", key, db);
    // Blocked XREADGROUPs on this group get -NOGROUP.
    crate::blocking::signal_key_as_ready(ctx.srv, db, key);
    Ok(())
}

/// XGROUP CREATECONSUMER key group consumer
pub fn xgroup_createconsumer_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let name = ctx.argv[4].as_slice();
    let now = ctx.srv.time.mstime;
    let Some(s) = xgroup_lookup(ctx, false, true)? else {
        return Ok(());
    };
    let created = s
        .cgroups
        .get_mut(group)
        .is_some_and(|cg| cg.create_consumer(name, now));
    ctx.client.reply.int(created as i64);
    if created {
        add_dirty(ctx.srv, 1);
        ctx.srv
            .notify(notify::STREAM, "xgroup-createconsumer", key, db);
    }
    Ok(())
}

/// XGROUP DELCONSUMER key group consumer
pub fn xgroup_delconsumer_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[2].as_slice(),
        ctx.argv[3].as_slice(),
    );
    let name = ctx.argv[4].as_slice();
    let Some(s) = xgroup_lookup(ctx, false, true)? else {
        return Ok(());
    };
    let pending = s
        .cgroups
        .get_mut(group)
        .and_then(|cg| cg.del_consumer(name));
    ctx.client.reply.int(pending.unwrap_or(0) as i64);
    if pending.is_some() {
        add_dirty(ctx.srv, 1);
        ctx.srv
            .notify(notify::STREAM, "xgroup-delconsumer", key, db);
    }
    Ok(())
}

/// XACK key group id [id ...]
pub fn xack_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
    );
    let has_group = match stream_at(ctx.srv, db, key, false)? {
        Some(s) => s.cgroups.contains_key(group),
        None => false,
    };
    if !has_group {
        ctx.client.reply.int(0);
        return Ok(());
    }
    // All IDs are parsed first: the command is all or nothing.
    let mut ids = Vec::with_capacity(ctx.argc() - 3);
    for a in &ctx.argv[3..] {
        ids.push(id::parse_strict(a, 0).map_err(|_| INVALID_ID)?);
    }
    let Some(Some(cg)) = stream_at(ctx.srv, db, key, false)?.map(|s| s.cgroups.get_mut(group))
    else {
        return Ok(());
    };
    let acked = ids.into_iter().filter(|&id| cg.ack(id)).count();
    ctx.client.reply.int(acked as i64);
    add_dirty(ctx.srv, acked as u64);
    Ok(())
}

/// The consumer-group commands' table rows.
pub const COMMANDS: &[crate::cmd::CommandImpl] = &[
    crate::cmd::CommandImpl {
        name: "xgroup|create",
        handler: xgroup_create_command,
    },
    crate::cmd::CommandImpl {
        name: "xgroup|setid",
        handler: xgroup_setid_command,
    },
    crate::cmd::CommandImpl {
        name: "xgroup|destroy",
        handler: xgroup_destroy_command,
    },
    crate::cmd::CommandImpl {
        name: "xgroup|createconsumer",
        handler: xgroup_createconsumer_command,
    },
    crate::cmd::CommandImpl {
        name: "xgroup|delconsumer",
        handler: xgroup_delconsumer_command,
    },
    crate::cmd::CommandImpl {
        name: "xgroup|help",
        handler: xgroup_help_command,
    },
    crate::cmd::CommandImpl {
        name: "xack",
        handler: xack_command,
    },
    crate::cmd::CommandImpl {
        name: "xpending",
        handler: super::pending::xpending_command,
    },
    crate::cmd::CommandImpl {
        name: "xclaim",
        handler: super::claim::xclaim_command,
    },
    crate::cmd::CommandImpl {
        name: "xautoclaim",
        handler: super::claim::xautoclaim_command,
    },
    crate::cmd::CommandImpl {
        name: "xreadgroup",
        handler: super::readgroup::xreadgroup_command,
    },
    crate::cmd::CommandImpl {
        name: "xinfo|stream",
        handler: super::info::xinfo_stream_command,
    },
    crate::cmd::CommandImpl {
        name: "xinfo|groups",
        handler: super::info::xinfo_groups_command,
    },
    crate::cmd::CommandImpl {
        name: "xinfo|consumers",
        handler: super::info::xinfo_consumers_command,
    },
    crate::cmd::CommandImpl {
        name: "xinfo|help",
        handler: super::info::xinfo_help_command,
    },
];
