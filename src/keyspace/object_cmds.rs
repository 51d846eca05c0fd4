//! OBJECT (Redis object.c `objectCommand`): ENCODING, FREQ, IDLETIME,
//! REFCOUNT and HELP.

use super::db::lookup;
use super::evict;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::CmdError;
use crate::resp::Reply;
use crate::types::Value;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "object|encoding",
        handler: object_encoding_command,
    },
    CommandImpl {
        name: "object|freq",
        handler: object_freq_command,
    },
    CommandImpl {
        name: "object|idletime",
        handler: object_idletime_command,
    },
    CommandImpl {
        name: "object|refcount",
        handler: object_refcount_command,
    },
    CommandImpl {
        name: "object|help",
        handler: object_help_command,
    },
];

const HELP: &[&str] = &[
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
];

/// Redis's `addReplyHelp`: a header naming the command, the lines, and HELP.
pub fn reply_help(r: &mut Reply, argv0: &[u8], lines: &[&str]) {
    r.array(lines.len() + 3);
    let mut head = argv0.to_ascii_uppercase();
    head.extend_from_slice(b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    r.simple(&head);
    for l in lines {
        r.simple(l.as_bytes());
    }
    r.simple(b"HELP");
    r.simple(b"    Prints this help.");
}

/// The value and access data of a key, without touching it (`objectCommandLookup`).
fn lookup_obj<'a>(ctx: &'a mut Ctx) -> Option<(&'a Value, u32)> {
    let db = ctx.client.db;
    let key = ctx.arg(2);
    ctx.srv
        .lookup_key(db, key, lookup::NOTOUCH | lookup::NONOTIFY)?;
    ctx.srv.dbs[db]
        .dict
        .find(key)
        .map(|e| (&e.val, e.key().meta()))
}

/// OBJECT ENCODING key
fn object_encoding_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    match lookup_obj(ctx).map(|(v, _)| v.encoding()) {
        Some(enc) => ctx.client.reply.bulk(enc.as_bytes()),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

/// OBJECT REFCOUNT key
fn object_refcount_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    match lookup_obj(ctx).map(|(v, _)| v.refcount()) {
        Some(n) => ctx.client.reply.int(n),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

/// OBJECT IDLETIME key
fn object_idletime_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let now = ctx.srv.time.mstime;
    let lfu = evict::is_lfu(ctx.srv.config.maxmemory_policy);
    let Some((_, meta)) = lookup_obj(ctx) else {
        ctx.client.reply.null();
        return Ok(());
    };
    if lfu {
        return Err(CmdError::err("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    ctx.client
        .reply
        .int((evict::idle_ms(meta, now) / 1000) as i64);
    Ok(())
}

/// OBJECT FREQ key
fn object_freq_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let now = ctx.srv.time.mstime;
    let lfu = evict::is_lfu(ctx.srv.config.maxmemory_policy);
    let decay = ctx.srv.config.lfu_decay_time;
    let Some((_, meta)) = lookup_obj(ctx) else {
        ctx.client.reply.null();
        return Ok(());
    };
    if !lfu {
        return Err(CmdError::err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    ctx.client
        .reply
        .int(evict::lfu_decr_and_return(meta, now, decay) as i64);
    Ok(())
}

/// OBJECT HELP
fn object_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let name = ctx.arg(0);
    reply_help(&mut ctx.client.reply, name, HELP);
    Ok(())
}
