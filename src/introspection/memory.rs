//! The MEMORY command (Redis object.c `memoryCommand`): STATS, DOCTOR,
//! MALLOC-STATS, PURGE, USAGE and HELP.

use super::mem_overhead::{doctor_report, overhead};
use crate::alloc;
use crate::cmd::Ctx;
use crate::ds::dict::Dict;
use crate::error::{CmdError, NOT_INTEGER, SYNTAX};
use crate::keyspace::key::Key;
use crate::resp::Reply;
use crate::types::object::Value;

fn field_int(r: &mut Reply, name: &str, v: i64) {
    r.bulk(name.as_bytes());
    r.int(v);
}

fn field_double(r: &mut Reply, name: &str, v: f32) {
    r.bulk(name.as_bytes());
    r.double(v as f64);
}

pub(super) fn memory_stats_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mh = overhead(ctx.srv, Some(ctx.client));
    let a = ctx.srv.mem.allocator;
    let r = ctx.reply();
    r.map(27 + mh.dbs.len());
    field_int(r, "peak.allocated", mh.peak_allocated as i64);
    field_int(r, "total.allocated", mh.total_allocated as i64);
    field_int(r, "startup.allocated", mh.startup_allocated as i64);
    field_int(r, "replication.backlog", mh.repl_backlog as i64);
    field_int(r, "clients.slaves", mh.clients_slaves as i64);
    field_int(r, "clients.normal", mh.clients_normal as i64);
    field_int(r, "cluster.links", mh.cluster_links as i64);
    field_int(r, "aof.buffer", mh.aof_buffer as i64);
    field_int(r, "lua.caches", mh.lua_caches as i64);
    field_int(r, "functions.caches", mh.functions_caches as i64);
    for (db, main, expires) in &mh.dbs {
        r.bulk(format!("db.{}", db).as_bytes());
        r.map(2);
        field_int(r, "overhead.hashtable.main", *main as i64);
        field_int(r, "overhead.hashtable.expires", *expires as i64);
    }
    field_int(r, "overhead.total", mh.overhead_total as i64);
    field_int(r, "keys.count", mh.total_keys as i64);
    field_int(r, "keys.bytes-per-key", mh.bytes_per_key as i64);
    field_int(r, "dataset.bytes", mh.dataset as i64);
    field_double(r, "dataset.percentage", mh.dataset_perc);
    field_double(r, "peak.percentage", mh.peak_perc);
    field_int(r, "allocator.allocated", a.allocated as i64);
    field_int(r, "allocator.active", a.active as i64);
    field_int(r, "allocator.resident", a.resident as i64);
    field_double(r, "allocator-fragmentation.ratio", mh.allocator_frag);
    field_int(r, "allocator-fragmentation.bytes", mh.allocator_frag_bytes);
    field_double(r, "allocator-rss.ratio", mh.allocator_rss);
    field_int(r, "allocator-rss.bytes", mh.allocator_rss_bytes);
    field_double(r, "rss-overhead.ratio", mh.rss_extra);
    field_int(r, "rss-overhead.bytes", mh.rss_extra_bytes);
    field_double(r, "fragmentation", mh.total_frag);
    field_int(r, "fragmentation.bytes", mh.total_frag_bytes);
    Ok(())
}

pub(super) fn memory_doctor_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let report = doctor_report(ctx.srv, Some(ctx.client));
    ctx.reply().verbatim(report.as_bytes(), "txt");
    Ok(())
}

pub(super) fn memory_malloc_stats_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let text = alloc::malloc_stats_text();
    ctx.reply().verbatim(&text, "txt");
    Ok(())
}

/// MEMORY PURGE: asks jemalloc to return dirty pages to the OS.
pub(super) fn memory_purge_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if !alloc::purge() {
        return Err(CmdError::err("Error purging dirty pages"));
    }
    ctx.reply().ok();
    Ok(())
}

/// OBJ_COMPUTE_SIZE_DEF_SAMPLES.
const DEFAULT_SAMPLES: usize = 5;

/// MEMORY USAGE key [SAMPLES count]: the value's estimated size plus the
/// key and its dict entry. Like Redis it finds the key without expiring it.
pub(super) fn memory_usage_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut samples = DEFAULT_SAMPLES;
    let mut j = 3;
    while j < ctx.argc() {
        if !(ctx.arg_is(j, "samples") && j + 1 < ctx.argc()) {
            return Err(SYNTAX);
        }
        let n = crate::util::num::string2ll(ctx.arg(j + 1)).ok_or(NOT_INTEGER)?;
        if n < 0 {
            return Err(SYNTAX);
        }
        samples = if n == 0 { usize::MAX } else { n as usize };
        j += 2;
    }
    let db = ctx.client.db;
    let Some(entry) = ctx.srv.dbs[db].dict.find(ctx.arg(2)) else {
        ctx.reply().null();
        return Ok(());
    };
    let usage =
        entry.val.mem_usage(samples) + entry.key().heap_bytes() + Dict::<Key, Value>::entry_bytes();
    ctx.reply().int(usage as i64);
    Ok(())
}

pub(super) fn memory_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    super::help::reply_help(
        ctx,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}
