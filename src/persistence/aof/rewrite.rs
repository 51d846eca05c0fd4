//! AOF rewrite, the dataset part (Redis aof.c `rewriteAppendOnlyFileRio`
//! and the `rewrite*Object` emitters): the dataset written as the commands
//! that rebuild it, for a base file under `aof-use-rdb-preamble no`. The
//! fork, the file and the switch of the manifest are in `bgrewrite.rs`.

use std::io::Write;

use super::cat_command;
use crate::ds::quicklist::End;
use crate::server::Server;
use crate::types::object::ObjType;
use crate::types::Value;
use crate::util::num::fmt_g17;

/// How often the child reports progress (checked every 1024 keys).
const INFO_EVERY_MS: i64 = 1000;

/// Writes every key as commands: SELECT per non-empty db, one emitter per
/// type, PEXPIREAT for keys with a time to live, after a `#TS:` line when
/// aof-timestamp-enabled. `rdb-key-save-delay` sleeps per key (tests catch
/// a rewrite in flight with it); `progress` gets the keys written about
/// once a second.
pub fn write_dataset(
    srv: &Server,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
) -> std::io::Result<()> {
    if srv.config.aof_timestamp_enabled {
        write!(out, "#TS:{}\r\n", srv.time.unixtime)?;
    }
    let mut cmd = Vec::new();
    let mut keys = 0u64;
    let mut last_info = 0;
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
            if srv.config.rdb_key_save_delay != 0 {
                crate::persistence::save::key_delay(srv.config.rdb_key_save_delay, keys);
            }
            // Redis checks the clock every 1024 keys, from the first one.
            let check = keys.is_multiple_of(1024);
            keys += 1;
            if check {
                let t = crate::event_loop::clock::unix_ms();
                if t - last_info >= INFO_EVERY_MS {
                    progress(keys);
                    last_info = t;
                }
            }
        }
    }
    Ok(())
}

/// Redis AOF_REWRITE_ITEMS_PER_CMD: collections go out in batches.
const ITEMS_PER_CMD: usize = 64;

/// The commands that rebuild one value (Redis `rewrite*Object`), one arm
/// per type: SET, RPUSH, SADD, HMSET and ZADD (scores as %.17g), 64 items
/// per command; streams through `rewrite_stream.rs` (Redis `rewriteStreamObject`).
fn value_commands(cmd: &mut Vec<u8>, key: &[u8], val: &Value) -> std::io::Result<()> {
    match val {
        Value::List(ql) => rewrite_list(cmd, key, ql),
        Value::Set(s) => rewrite_set(cmd, key, s),
        Value::Hash(h) => rewrite_hash(cmd, key, h),
        Value::ZSet(z) => rewrite_zset(cmd, key, z),
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

/// rewriteListObject: RPUSH, head to tail, one batch held at a time.
fn rewrite_list(cmd: &mut Vec<u8>, key: &[u8], ql: &crate::ds::quicklist::Quicklist) {
    let mut batch: Vec<Vec<Vec<u8>>> = Vec::with_capacity(ITEMS_PER_CMD);
    ql.for_each_from(0, End::Head, |v| {
        batch.push(vec![v.to_vec()]);
        if batch.len() == ITEMS_PER_CMD {
            batches(cmd, b"RPUSH", key, &batch);
            batch.clear();
        }
        true
    });
    batches(cmd, b"RPUSH", key, &batch);
}

/// rewriteSetObject: SADD.
fn rewrite_set(cmd: &mut Vec<u8>, key: &[u8], s: &crate::types::set::Set) {
    let items: Vec<Vec<Vec<u8>>> = s.members().into_iter().map(|m| vec![m]).collect();
    batches(cmd, b"SADD", key, &items);
}

/// rewriteHashObject: HMSET.
fn rewrite_hash(cmd: &mut Vec<u8>, key: &[u8], h: &crate::types::hash::Hash) {
    let items: Vec<Vec<Vec<u8>>> = h.pairs().into_iter().map(|(f, v)| vec![f, v]).collect();
    batches(cmd, b"HMSET", key, &items);
}

/// rewriteSortedSetObject: ZADD score member.
fn rewrite_zset(cmd: &mut Vec<u8>, key: &[u8], z: &crate::types::zset::ZSet) {
    let mut items = Vec::with_capacity(z.len());
    z.for_each(|m, score| items.push(vec![fmt_g17(score).into_bytes(), m.to_vec()]));
    batches(cmd, b"ZADD", key, &items);
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
