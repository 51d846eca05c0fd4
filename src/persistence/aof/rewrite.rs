//! AOF rewrite (Redis aof.c `rewriteAppendOnlyFileRio`,
//! `backgroundRewriteDoneHandler`): the dataset written as the commands
//! that rebuild it, installed as a new base with a new incremental file.
//!
//! Redis runs the dataset part in a forked child (BGREWRITEAOF). Until the
//! fork child exists (rdb branch, persistence/child.rs), only CONFIG SET
//! appendonly yes uses it, in-process; `write_dataset` is what the child
//! will run.

use std::io::Write;
use std::path::Path;

use super::manifest::{self, FileType};
use super::{cat_command, State};
use crate::server::shutdown::strerror;
use crate::server::Server;
use crate::types::object::ObjType;
use crate::types::Value;
use crate::util::num::fmt_g17;

/// Writes every key as commands: SELECT per non-empty db, SET for strings,
/// PEXPIREAT for keys with a time to live, after a `#TS:` line when
/// aof-timestamp-enabled.
pub fn write_dataset(srv: &Server, out: &mut impl Write) -> std::io::Result<()> {
    if srv.config.aof_timestamp_enabled {
        write!(out, "#TS:{}\r\n", srv.time.unixtime)?;
    }
    let mut cmd = Vec::new();
    for db in &srv.dbs {
        if db.dict.is_empty() {
            continue;
        }
        cmd.clear();
        cat_command(&mut cmd, &[&b"SELECT"[..], db.id.to_string().as_bytes()]);
        out.write_all(&cmd)?;
        for e in db.dict.iter() {
            let key = e.key().bytes();
            cmd.clear();
            value_commands(&mut cmd, key, &e.val)?;
            let when = db.expire_of(key);
            if when >= 0 {
                cat_command(
                    &mut cmd,
                    &[&b"PEXPIREAT"[..], key, when.to_string().as_bytes()],
                );
            }
            out.write_all(&cmd)?;
        }
    }
    Ok(())
}

/// Redis AOF_REWRITE_ITEMS_PER_CMD: collections go out in batches.
const ITEMS_PER_CMD: usize = 64;

/// The commands that rebuild one value (Redis `rewrite*Object`): SET,
/// SADD, HMSET and ZADD (scores as %.17g), 64 items per command.
fn value_commands(cmd: &mut Vec<u8>, key: &[u8], val: &Value) -> std::io::Result<()> {
    match val {
        Value::Set(s) => {
            let items: Vec<Vec<Vec<u8>>> = s.members().into_iter().map(|m| vec![m]).collect();
            batches(cmd, b"SADD", key, &items);
        }
        Value::Hash(h) => {
            let items: Vec<Vec<Vec<u8>>> = h.pairs().into_iter().map(|(f, v)| vec![f, v]).collect();
            batches(cmd, b"HMSET", key, &items);
        }
        Value::ZSet(z) => {
            let mut items = Vec::with_capacity(z.len());
            z.for_each(|m, score| items.push(vec![fmt_g17(score).into_bytes(), m.to_vec()]));
            batches(cmd, b"ZADD", key, &items);
        }
        Value::Stream(s) => super::rewrite_stream::stream_commands(
            cmd,
            key,
            crate::persistence::objects_stream::view(s),
        )?,
        v if v.obj_type() == ObjType::String => {
            let mut t = [0u8; 20];
            cat_command(cmd, &[&b"SET"[..], key, v.str_bytes(&mut t)]);
        }
        v => {
            return Err(std::io::Error::other(format!(
                "the AOF rewrite does not know the {:?} type yet",
                v.obj_type()
            )))
        }
    }
    Ok(())
}

/// `name key item...` commands of at most ITEMS_PER_CMD items each.
fn batches(cmd: &mut Vec<u8>, name: &[u8], key: &[u8], items: &[Vec<Vec<u8>>]) {
    for chunk in items.chunks(ITEMS_PER_CMD) {
        let mut argv: Vec<&[u8]> = vec![name, key];
        for item in chunk {
            argv.extend(item.iter().map(|a| a.as_slice()));
        }
        cat_command(cmd, &argv);
    }
}

/// Rewrites the AOF now: new base from the dataset, old base and
/// incremental files become history (deleted unless aof-disable-auto-gc),
/// a new incremental file is opened and the manifest replaced.
pub(super) fn rewrite_now(srv: &mut Server) -> Result<(), ()> {
    let start = crate::event_loop::clock::unix_us();
    if srv.aof.state == State::On {
        super::flush(srv, true);
    }
    let dir = std::path::PathBuf::from(&srv.config.appenddirname);
    let fname = srv.config.appendfilename.clone();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        srv.log.warning(&format!(
            "Can't open or create append-only dir {}: {}",
            dir.display(),
            strerror(&e)
        ));
        return Err(());
    }
    // Redis reads the manifest at startup even with appendonly no; the
    // files it names become history of this rewrite.
    if srv.aof.state == State::Off && srv.aof.manifest.is_empty() {
        srv.aof.manifest = super::startup::load_manifest(srv, &dir)?;
    }
    let tmp = format!("temp-rewriteaof-{}.aof", std::process::id());
    if let Err(e) = write_temp(srv, Path::new(&tmp)) {
        let _ = std::fs::remove_file(&tmp);
        srv.log.warning(&format!(
            "Error trying to rewrite the AOF file {}: {}",
            tmp,
            strerror(&e)
        ));
        return Err(());
    }
    let mut m = srv.aof.manifest.clone();
    let base = m.new_base(&fname, false);
    for mut i in std::mem::take(&mut m.incr) {
        i.kind = FileType::History;
        m.history.push(i);
    }
    let incr = m.new_incr(&fname);
    if let Err(e) = std::fs::rename(&tmp, dir.join(&base)) {
        let _ = std::fs::remove_file(&tmp);
        srv.log.warning(&format!(
            "Error trying to rename the temporary AOF file {} into {}: {}",
            tmp,
            base,
            strerror(&e)
        ));
        return Err(());
    }
    install(srv, &dir, m, &base, &incr, start)
}

fn write_temp(srv: &Server, path: &Path) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    write_dataset(srv, &mut f)?;
    let f = f.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()
}

/// Opens the new incremental file, persists the manifest and drops history.
fn install(
    srv: &mut Server,
    dir: &Path,
    m: manifest::Manifest,
    base: &str,
    incr: &str,
    start: i64,
) -> Result<(), ()> {
    let fname = srv.config.appendfilename.clone();
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join(incr));
    let file = match file {
        Ok(f) => f,
        Err(e) => {
            srv.log.warning(&format!(
                "Can't open the append-only file {}: {}",
                incr,
                strerror(&e)
            ));
            return Err(());
        }
    };
    if let Err(msg) = manifest::persist(dir, &fname, &m) {
        srv.log.warning(&msg);
        return Err(());
    }
    srv.log.notice(&format!(
        "Successfully renamed the temporary AOF base file into {}",
        base
    ));
    let base_size = std::fs::metadata(dir.join(base)).map_or(0, |md| md.len());
    srv.aof.manifest = m;
    del_history_files(srv, dir);
    srv.aof.file = Some(file);
    srv.aof.last_incr_size = 0;
    let p = &mut srv.status.persistence;
    p.aof_base_size = base_size;
    p.aof_current_size = base_size;
    p.aof_rewrites += 1;
    p.aof_lastbgrewrite_ok = true;
    p.aof_last_rewrite_time_sec = (crate::event_loop::clock::unix_us() - start) / 1_000_000;
    p.aof_enabled = true;
    super::startup::turn_on(srv);
    srv.log.notice("AOF rewrite finished successfully");
    Ok(())
}

/// Deletes the history files and drops them from the manifest, unless
/// aof-disable-auto-gc (Redis `aofDelHistoryFiles`).
pub fn del_history_files(srv: &mut Server, dir: &Path) {
    if srv.config.aof_disable_auto_gc || srv.aof.manifest.history.is_empty() {
        return;
    }
    for h in std::mem::take(&mut srv.aof.manifest.history) {
        srv.log.notice(&format!(
            "Removing the history file {} in the background",
            h.name
        ));
        let _ = std::fs::remove_file(dir.join(&h.name));
    }
    let fname = srv.config.appendfilename.clone();
    if let Err(msg) = manifest::persist(dir, &fname, &srv.aof.manifest) {
        srv.log.warning(&msg);
    }
}
