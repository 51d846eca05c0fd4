//! HyperLogLog commands (Redis hyperloglog.c): PFADD, PFCOUNT, PFMERGE,
//! PFDEBUG and PFSELFTEST over HLL strings.

use super::{
    add, cached_card, check, count, create, dense_get, dense_raise, dense_set, estimate,
    invalidate_cache, merge_into, raw_histogram, set_cached_card, sparse, CORRUPTED, DENSE,
    DENSE_SIZE, HDR_SIZE, REGISTERS, REGISTER_MAX, SPARSE,
};
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{c_prefix, CmdError};
use crate::keyspace::notify;
use crate::server::Server;
use crate::types::Value;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "pfadd",
        handler: pfadd_command,
    },
    CommandImpl {
        name: "pfcount",
        handler: pfcount_command,
    },
    CommandImpl {
        name: "pfmerge",
        handler: pfmerge_command,
    },
    CommandImpl {
        name: "pfdebug",
        handler: pfdebug_command,
    },
    CommandImpl {
        name: "pfselftest",
        handler: pfselftest_command,
    },
];

/// hll-sparse-max-bytes as a size.
fn sparse_max(srv: &Server) -> usize {
    srv.config.hll_sparse_max_bytes.max(0) as usize
}

/// The bytes of an existing key after checking it is an HLL, made "raw"
/// for in-place updates (`isHLLObjectOrReply` + `dbUnshareStringValue`).
/// None when the key does not exist.
fn hll_for_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Vec<u8>>, CmdError> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(v) => {
            check(v)?;
            Ok(Some(v.str_make_raw()))
        }
    }
}

/// PFADD key [element ...]
fn pfadd_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, db) = (ctx.arg(1), ctx.client.db);
    let max = sparse_max(ctx.srv);
    let mut updated = 0u64;
    if !ctx.srv.key_exists(db, key) {
        ctx.srv.db_add(db, key, Value::str_raw(create()));
        updated += 1;
    }
    let buf = hll_for_write(ctx.srv, db, key)?.expect("the key exists");
    for ele in &ctx.argv[2..] {
        match add(buf, ele, max) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(_) => return Err(CORRUPTED),
        }
    }
    if updated > 0 {
        invalidate_cache(buf);
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::STRING, "pfadd", key, db);
        ctx.srv.status.persistence.dirty += updated;
    }
    ctx.client.reply.int((updated > 0) as i64);
    Ok(())
}

/// PFCOUNT key [key ...]
fn pfcount_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    if ctx.argc() > 2 {
        let mut max = Box::new([0u8; REGISTERS]);
        for key in &ctx.argv[1..] {
            let Some(v) = ctx.srv.lookup_read(db, key) else {
                continue;
            };
            check(v)?;
            let mut t = [0u8; 20];
            merge_into(&mut max, v.str_bytes(&mut t)).map_err(|_| CORRUPTED)?;
        }
        ctx.client.reply.int(estimate(&raw_histogram(&max)) as i64);
        return Ok(());
    }
    let key = ctx.arg(1);
    if ctx.srv.lookup_read(db, key).is_none() {
        ctx.client.reply.int(0);
        return Ok(());
    }
    let buf = hll_for_write(ctx.srv, db, key)?.expect("the key exists");
    if let Some(card) = cached_card(buf) {
        ctx.client.reply.int(card as i64);
        return Ok(());
    }
    let card = count(buf).map_err(|_| CORRUPTED)?;
    set_cached_card(buf, card);
    // The cache is part of the string: the value changed.
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.int(card as i64);
    Ok(())
}

/// PFMERGE destkey [sourcekey ...]
fn pfmerge_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let mut max = Box::new([0u8; REGISTERS]);
    let mut use_dense = false;
    for key in &ctx.argv[1..] {
        let Some(v) = ctx.srv.lookup_read(db, key) else {
            continue;
        };
        check(v)?;
        let mut t = [0u8; 20];
        let s = v.str_bytes(&mut t);
        use_dense |= s[4] == DENSE;
        merge_into(&mut max, s).map_err(|_| CORRUPTED)?;
    }
    let key = ctx.arg(1);
    let sparse_limit = sparse_max(ctx.srv);
    if ctx.srv.lookup_write(db, key).is_none() {
        ctx.srv.db_add(db, key, Value::str_raw(create()));
    }
    let buf = hll_for_write(ctx.srv, db, key)?.expect("the key exists");
    if use_dense {
        sparse::to_dense(buf).map_err(|_| CORRUPTED)?;
    }
    for (i, &m) in max.iter().enumerate().filter(|(_, m)| **m > 0) {
        if buf[4] == DENSE {
            dense_raise(&mut buf[HDR_SIZE..], i, m);
        } else {
            // Redis ignores a failure here: the sources were validated.
            let _ = sparse::set(buf, i, m, sparse_limit);
        }
    }
    invalidate_cache(buf);
    ctx.srv.signal_modified_key(db, key);
    // Redis fires "pfadd" for PFMERGE too.
    ctx.srv.notify(notify::STRING, "pfadd", key, db);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.ok();
    Ok(())
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
fn pfdebug_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (sub, key, db) = (ctx.arg(1), ctx.arg(2), ctx.client.db);
    let wrong_args = ctx.wrong_args();
    let Some(buf) = hll_for_write(ctx.srv, db, key)? else {
        return Err(CmdError::err("The specified key does not exist"));
    };
    let reply = &mut ctx.client.reply;
    let argc = ctx.argv.len();
    let is = |w: &str| sub.eq_ignore_ascii_case(w.as_bytes());
    if !(is("getreg") || is("decode") || is("encoding") || is("todense")) {
        let mut t = b"ERR Unknown PFDEBUG subcommand '".to_vec();
        t.extend_from_slice(c_prefix(sub, usize::MAX));
        t.push(b'\'');
        return Err(CmdError::from_bytes(t));
    }
    if argc != 3 {
        return Err(wrong_args);
    }
    let mut dirty = 0;
    if is("getreg") || is("todense") {
        let was_sparse = buf[4] == SPARSE;
        if was_sparse {
            sparse::to_dense(buf).map_err(|_| CORRUPTED)?;
            dirty = 1;
        }
        if is("todense") {
            reply.int(was_sparse as i64);
        } else {
            reply.array(REGISTERS);
            for i in 0..REGISTERS {
                reply.int(dense_get(&buf[HDR_SIZE..], i) as i64);
            }
        }
    } else if is("decode") {
        if buf[4] != SPARSE {
            return Err(CmdError::err("HLL encoding is not sparse"));
        }
        reply.bulk(&sparse::decode_text(&buf[HDR_SIZE..]));
    } else {
        reply.simple(if buf[4] == DENSE { b"dense" } else { b"sparse" });
    }
    ctx.srv.status.persistence.dirty += dirty;
    Ok(())
}

const SELFTEST_CYCLES: usize = 1000;

/// PFSELFTEST: checks dense register access, then that sparse and dense
/// HLLs agree and stay within the expected error up to 10M elements.
fn pfselftest_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    selftest_registers(ctx)?;
    selftest_estimates(ctx)?;
    ctx.client.reply.ok();
    Ok(())
}

/// Registers set to random values read back the same.
fn selftest_registers(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
    let mut expect = vec![0u8; REGISTERS];
    for _ in 0..SELFTEST_CYCLES {
        for (i, e) in expect.iter_mut().enumerate() {
            *e = (ctx.srv.ks.random() as u8) & REGISTER_MAX;
            dense_set(&mut regs, i, *e);
        }
        for (i, e) in expect.iter().enumerate() {
            let v = dense_get(&regs, i);
            if v != *e {
                return Err(CmdError::err(format!(
                    "TESTFAILED Register {} should be {} but is {}",
                    i, e, v
                )));
            }
        }
    }
    Ok(())
}

/// Sparse and dense HLLs fed the same elements agree, and the estimate
/// stays within six standard errors at every power of ten.
fn selftest_estimates(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut dense = create();
    sparse::to_dense(&mut dense).map_err(|_| CORRUPTED)?;
    let mut hll = create();
    let limit = sparse_max(ctx.srv);
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let seed = ctx.srv.ks.random();
    let mut checkpoint: u64 = 1;
    for j in 1..=10_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        add(&mut dense, &ele, limit).map_err(|_| CORRUPTED)?;
        add(&mut hll, &ele, limit).map_err(|_| CORRUPTED)?;
        if j != checkpoint {
            continue;
        }
        if j < (limit / 2) as u64 && hll[4] != SPARSE {
            return Err(CmdError::err("TESTFAILED sparse encoding not used"));
        }
        let card = count(&dense).map_err(|_| CORRUPTED)?;
        if Ok(card) != count(&hll) {
            return Err(CmdError::err("TESTFAILED dense/sparse disagree"));
        }
        let abserr = (checkpoint as i64 - card as i64).unsigned_abs();
        let maxerr = if j == 10 {
            1
        } else {
            (relerr * 6.0 * checkpoint as f64).ceil() as u64
        };
        if abserr > maxerr {
            return Err(CmdError::err(format!(
                "TESTFAILED Too big error. card:{} abserr:{}",
                checkpoint, abserr
            )));
        }
        checkpoint *= 10;
    }
    Ok(())
}
