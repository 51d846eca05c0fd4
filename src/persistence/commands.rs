//! Persistence commands (Redis rdb.c saveCommand, bgsaveCommand,
//! lastsaveCommand; cluster.c dumpCommand, restoreCommand; debug.c
//! DEBUG RELOAD).

use super::rdb::dump;
use super::rdb::{LoadError, LoadOptions};
use crate::cmd::table::CommandImpl;
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::introspection::debug::DebugSub;
use crate::keyspace::db::lookup;
use crate::keyspace::notify;
use crate::server::Server;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "save",
        handler: save_command,
    },
    CommandImpl {
        name: "bgsave",
        handler: bgsave_command,
    },
    CommandImpl {
        name: "lastsave",
        handler: lastsave_command,
    },
    CommandImpl {
        name: "dump",
        handler: dump_command,
    },
    CommandImpl {
        name: "restore",
        handler: restore_command,
    },
];

/// DEBUG rows, chained after introspection's and the keyspace's.
pub const DEBUG_SUBCOMMANDS: &[DebugSub] = &[DebugSub {
    name: "reload",
    min_argc: 2,
    max_argc: usize::MAX,
    handler: debug_reload,
}];

const IN_PROGRESS: &str = "Background save already in progress";
/// Redis's shared.err: an error with no message.
const BARE_ERR: &str = "ERR";

/// SAVE
fn save_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.srv.rdb.child.is_some() {
        return Err(CmdError::err(IN_PROGRESS));
    }
    ctx.srv.status.persistence.rdb_saves += 1;
    if ctx.srv.rdb_save().is_err() {
        return Err(CmdError::fixed(BARE_ERR));
    }
    ctx.reply().ok();
    Ok(())
}

/// BGSAVE [SCHEDULE]
fn bgsave_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let schedule = match ctx.argc() {
        1 => false,
        2 if ctx.arg_is(1, "schedule") => true,
        _ => return Err(SYNTAX),
    };
    let srv = &mut *ctx.srv;
    if srv.rdb.child.is_some() {
        return Err(CmdError::err(IN_PROGRESS));
    }
    if srv.status.persistence.has_child() {
        if !schedule {
            return Err(CmdError::err("Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."));
        }
        srv.rdb.bgsave_scheduled = true;
        ctx.reply().simple(b"Background saving scheduled");
        return Ok(());
    }
    srv.status.persistence.rdb_saves += 1;
    if srv.rdb_save_background().is_err() {
        return Err(CmdError::fixed(BARE_ERR));
    }
    ctx.reply().simple(b"Background saving started");
    Ok(())
}

/// LASTSAVE
fn lastsave_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let t = ctx.srv.status.persistence.lastsave;
    ctx.reply().int(t);
    Ok(())
}

/// DUMP key
fn dump_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let compress = ctx.srv.config.rdbcompression;
    let payload = ctx
        .srv
        .lookup_key(db, ctx.arg(1), 0)
        .map(|v| super::objects::with_saving(v, |s| dump::create(s, compress)));
    match payload {
        None => ctx.reply().null(),
        Some(p) => ctx.reply().bulk(&p),
    }
    Ok(())
}

/// RESTORE's options after the payload.
struct RestoreOpts {
    replace: bool,
    absttl: bool,
    lru_idle: i64,
    lfu_freq: i64,
}

fn restore_options(ctx: &Ctx) -> Result<RestoreOpts, CmdError> {
    let mut o = RestoreOpts {
        replace: false,
        absttl: false,
        lru_idle: -1,
        lfu_freq: -1,
    };
    let mut j = 4;
    while j < ctx.argc() {
        let more = ctx.argc() - j - 1;
        if ctx.arg_is(j, "replace") {
            o.replace = true;
        } else if ctx.arg_is(j, "absttl") {
            o.absttl = true;
        } else if ctx.arg_is(j, "idletime") && more >= 1 && o.lfu_freq == -1 {
            o.lru_idle = ctx.arg_i64(j + 1)?;
            if o.lru_idle < 0 {
                return Err(CmdError::err("Invalid IDLETIME value, must be >= 0"));
            }
            j += 1;
        } else if ctx.arg_is(j, "freq") && more >= 1 && o.lru_idle == -1 {
            o.lfu_freq = ctx.arg_i64(j + 1)?;
            if !(0..=255).contains(&o.lfu_freq) {
                return Err(CmdError::err("Invalid FREQ value, must be >= 0 and <= 255"));
            }
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]
fn restore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = restore_options(ctx)?;
    let db = ctx.client.db;
    let key = ctx.arg(1);
    if !o.replace && ctx.srv.lookup_key(db, key, lookup::WRITE).is_some() {
        return Err(CmdError::fixed("BUSYKEY Target key name already exists."));
    }
    let mut ttl = ctx.arg_i64(2)?;
    if ttl < 0 {
        return Err(CmdError::err("Invalid TTL value, must be >= 0"));
    }
    let payload = ctx.arg(3);
    if !dump::verify(payload, ctx.srv.debug.skip_checksum_validation) {
        return Err(CmdError::err("DUMP payload version or checksum are wrong"));
    }
    let opts = super::load::load_options(ctx.srv, true);
    let bad = || CmdError::err("Bad data format");
    let loaded = dump::load(payload, &opts);
    ctx.srv.stats.dump_payload_sanitizations += opts.sanitized.get();
    let loaded = loaded.map_err(|e| restore_error(ctx, &opts, e))?;
    let share = ctx.srv.share_integers();
    let value = super::objects::value_from(loaded, share).map_err(|_| bad())?;
    let srv = &mut *ctx.srv;
    let deleted = o.replace && srv.db_delete(db, key);
    let now = srv.time.mstime;
    if ttl != 0 && !o.absttl {
        ttl = ttl.saturating_add(now);
    }
    if ttl != 0 && srv.check_already_expired(ttl) {
        // Already expired: the key is not created (and a replaced one is gone).
        if deleted {
            srv.signal_modified_key(db, key);
            srv.notify(notify::GENERIC, "del", key, db);
            srv.status.persistence.dirty += 1;
            // What replicas and the AOF must see is the deletion (a DEL
            // even under lazyfree-lazy-server-del, as Redis 7.0).
            ctx.propagate_replace(vec![b"DEL".to_vec(), key.to_vec()]);
        }
        ctx.reply().ok();
        return Ok(());
    }
    srv.db_add(db, key, value);
    if ttl != 0 {
        srv.set_expire(db, key, ttl);
    }
    set_access_meta(srv, db, key, &o, now);
    srv.signal_modified_key(db, key);
    srv.notify(notify::GENERIC, "restore", key, db);
    srv.status.persistence.dirty += 1;
    if ttl != 0 && !o.absttl {
        // A relative TTL propagates as the absolute time it gave, so a
        // replica or an AOF load later sets the same expire.
        let mut argv = ctx.argv.to_vec();
        argv[2] = ttl.to_string().into_bytes();
        argv.push(b"ABSTTL".to_vec());
        ctx.propagate_replace(argv);
    }
    ctx.reply().ok();
    Ok(())
}

/// RESTORE's IDLETIME / FREQ on the key it created.
fn set_access_meta(srv: &mut Server, db: usize, key: &[u8], o: &RestoreOpts, now: i64) {
    let access = super::load::access_meta(srv, o.lfu_freq, o.lru_idle, now);
    if o.lfu_freq >= 0 || o.lru_idle >= 0 {
        if let Some(e) = srv.dbs[db].dict.find_mut(key) {
            e.key_meta_mut().set_meta(access);
        }
    }
}

/// RESTORE's reply for a payload that does not load; corrupt data is
/// logged as rdbReportCorruptRDB logs it in a RESTORE context.
fn restore_error(ctx: &mut Ctx, opts: &LoadOptions, e: LoadError) -> CmdError {
    // RESTORE logs corruption at verbose level (rdbReportError in a
    // restore context), after any hexdump Redis would have written.
    opts.log_hexdumps(&ctx.srv.log);
    if let LoadError::Corrupt { .. } = e {
        ctx.srv.log.verbose(&e.describe(0));
    }
    CmdError::err("Bad data format")
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]
fn debug_reload(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (mut flush, mut save, mut merge) = (true, true, false);
    for j in 2..ctx.argc() {
        if ctx.arg_is(j, "merge") {
            merge = true;
        } else if ctx.arg_is(j, "noflush") {
            flush = false;
        } else if ctx.arg_is(j, "nosave") {
            save = false;
        } else {
            return Err(CmdError::err(
                "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            ));
        }
    }
    let srv = &mut *ctx.srv;
    if save && srv.rdb_save().is_err() {
        return Err(CmdError::fixed(BARE_ERR));
    }
    if flush {
        crate::keyspace::commands::empty_data(srv, None, false);
    }
    match srv.rdb_load(merge, None) {
        Ok(()) => {}
        Err(super::load::LoadFailure::Fatal) => {
            // Redis exits after a corrupt file, even from DEBUG RELOAD.
            srv.stop = true;
            srv.exit_code = 1;
            return Err(CmdError::err(
                "Error trying to load the RDB dump, check server logs.",
            ));
        }
        Err(_) => {
            return Err(CmdError::err(
                "Error trying to load the RDB dump, check server logs.",
            ))
        }
    }
    srv.log.warning("DB reloaded by DEBUG RELOAD");
    ctx.reply().ok();
    Ok(())
}
