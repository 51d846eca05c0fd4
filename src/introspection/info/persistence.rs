//! INFO persistence and replication.

use super::{f2, field};
use crate::conn::Client;
use crate::server::status::{MasterLink, Persistence};
use crate::server::Server;

fn ok_err(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "err"
    }
}

pub(super) fn persistence(out: &mut String, srv: &Server, _c: Option<&Client>) {
    let p = &srv.status.persistence;
    let now = srv.time.unixtime;
    let since = |pid: Option<i32>, start: i64| if pid.is_some() { now - start } else { -1 };
    let cow_age = if p.current_cow_size_updated_ms > 0 {
        (srv.time.mstime - p.current_cow_size_updated_ms) / 1000
    } else {
        0
    };
    field(out, "loading", p.loading as i32);
    field(out, "async_loading", p.async_loading as i32);
    field(out, "current_cow_peak", p.current_cow_peak);
    field(out, "current_cow_size", p.current_cow_size);
    field(out, "current_cow_size_age", cow_age);
    field(out, "current_fork_perc", f2(p.current_fork_perc));
    field(
        out,
        "current_save_keys_processed",
        p.current_save_keys_processed,
    );
    field(out, "current_save_keys_total", p.current_save_keys_total);
    field(out, "rdb_changes_since_last_save", p.dirty);
    field(
        out,
        "rdb_bgsave_in_progress",
        p.rdb_child_pid.is_some() as i32,
    );
    field(out, "rdb_last_save_time", p.lastsave);
    field(out, "rdb_last_bgsave_status", ok_err(p.lastbgsave_ok));
    field(out, "rdb_last_bgsave_time_sec", p.rdb_last_bgsave_time_sec);
    field(
        out,
        "rdb_current_bgsave_time_sec",
        since(p.rdb_child_pid, p.rdb_save_time_start),
    );
    field(out, "rdb_saves", p.rdb_saves);
    field(out, "rdb_last_cow_size", p.rdb_last_cow_size);
    field(
        out,
        "rdb_last_load_keys_expired",
        p.rdb_last_load_keys_expired,
    );
    field(
        out,
        "rdb_last_load_keys_loaded",
        p.rdb_last_load_keys_loaded,
    );
    field(out, "aof_enabled", p.aof_enabled as i32);
    field(
        out,
        "aof_rewrite_in_progress",
        p.aof_child_pid.is_some() as i32,
    );
    field(out, "aof_rewrite_scheduled", p.aof_rewrite_scheduled as i32);
    field(
        out,
        "aof_last_rewrite_time_sec",
        p.aof_last_rewrite_time_sec,
    );
    field(
        out,
        "aof_current_rewrite_time_sec",
        since(p.aof_child_pid, p.aof_rewrite_time_start),
    );
    field(
        out,
        "aof_last_bgrewrite_status",
        ok_err(p.aof_lastbgrewrite_ok),
    );
    field(out, "aof_rewrites", p.aof_rewrites);
    field(
        out,
        "aof_rewrites_consecutive_failures",
        p.aof_rewrites_consecutive_failures,
    );
    field(out, "aof_last_write_status", ok_err(p.aof_last_write_ok));
    field(out, "aof_last_cow_size", p.aof_last_cow_size);
    field(
        out,
        "module_fork_in_progress",
        p.module_child_pid.is_some() as i32,
    );
    field(
        out,
        "module_fork_last_cow_size",
        p.module_fork_last_cow_size,
    );
    if p.aof_enabled {
        field(out, "aof_current_size", p.aof_current_size);
        field(out, "aof_base_size", p.aof_base_size);
        field(out, "aof_pending_rewrite", p.aof_rewrite_scheduled as i32);
        field(out, "aof_buffer_length", p.aof_buffer_length);
        field(out, "aof_pending_bio_fsync", p.aof_pending_bio_fsync);
        field(out, "aof_delayed_fsync", p.aof_delayed_fsync);
    }
    if p.loading {
        loading(out, p, now);
    }
}

/// The loading_* fields, with Redis's progress and ETA arithmetic.
fn loading(out: &mut String, p: &Persistence, now: i64) {
    let mut perc = 0.0;
    let mut remaining: u64 = 1;
    if p.loading_total_bytes > 0 {
        perc = p.loading_loaded_bytes as f64 / p.loading_total_bytes as f64 * 100.0;
        remaining = p.loading_total_bytes.saturating_sub(p.loading_loaded_bytes);
    } else if p.loading_loaded_bytes > 0 {
        remaining = 1;
    }
    let elapsed = now - p.loading_start_time;
    let eta = if elapsed == 0 {
        1
    } else {
        (elapsed as i128 * remaining as i128 / (p.loading_loaded_bytes as i128 + 1)) as i64
    };
    field(out, "loading_start_time", p.loading_start_time);
    field(out, "loading_total_bytes", p.loading_total_bytes);
    field(out, "loading_rdb_used_mem", p.loading_rdb_used_mem);
    field(out, "loading_loaded_bytes", p.loading_loaded_bytes);
    field(out, "loading_loaded_perc", f2(perc));
    field(out, "loading_eta_seconds", eta);
}

pub(super) fn replication(out: &mut String, srv: &Server, _c: Option<&Client>) {
    let r = &srv.status.repl;
    match &r.master {
        None => field(out, "role", "master"),
        Some(m) => {
            field(out, "role", "slave");
            replica_fields(out, srv, m);
        }
    }
    field(out, "connected_slaves", r.replicas.len());
    let min_replicas = crate::introspection::config_value(srv, "min-replicas-to-write")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let max_lag = crate::introspection::config_value(srv, "min-replicas-max-lag")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(10);
    if min_replicas > 0 && max_lag > 0 {
        field(out, "min_slaves_good_slaves", r.good_replicas);
    }
    for (i, s) in r.replicas.iter().enumerate() {
        field(
            out,
            &format!("slave{}", i),
            format!(
                "ip={},port={},state={},offset={},lag={}",
                s.ip, s.port, s.state, s.offset, s.lag
            ),
        );
    }
    field(out, "master_failover_state", r.failover_state);
    field(out, "master_replid", &r.replid);
    field(out, "master_replid2", &r.replid2);
    field(out, "master_repl_offset", r.master_repl_offset);
    field(out, "second_repl_offset", r.second_replid_offset);
    let (first, histlen) = r.backlog.map(|b| (b.0, b.1)).unwrap_or((0, 0));
    field(out, "repl_backlog_active", r.backlog.is_some() as i32);
    let size = crate::introspection::config_value(srv, "repl-backlog-size")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1024 * 1024);
    field(out, "repl_backlog_size", size);
    field(out, "repl_backlog_first_byte_offset", first);
    field(out, "repl_backlog_histlen", histlen);
}

/// What a replica reports about its master link.
fn replica_fields(out: &mut String, srv: &Server, m: &MasterLink) {
    let now = srv.time.unixtime;
    field(out, "master_host", &m.host);
    field(out, "master_port", m.port);
    field(
        out,
        "master_link_status",
        if m.link_up { "up" } else { "down" },
    );
    field(out, "master_last_io_seconds_ago", m.last_io_seconds_ago);
    field(out, "master_sync_in_progress", m.sync_in_progress as i32);
    field(out, "slave_read_repl_offset", m.read_repl_offset);
    field(out, "slave_repl_offset", m.repl_offset);
    if m.sync_in_progress {
        let perc = if m.transfer_size > 0 {
            m.transfer_read as f64 / m.transfer_size as f64 * 100.0
        } else {
            0.0
        };
        field(out, "master_sync_total_bytes", m.transfer_size);
        field(out, "master_sync_read_bytes", m.transfer_read);
        field(
            out,
            "master_sync_left_bytes",
            m.transfer_size - m.transfer_read,
        );
        field(out, "master_sync_perc", f2(perc));
        field(
            out,
            "master_sync_last_io_seconds_ago",
            now - m.transfer_last_io,
        );
    }
    if !m.link_up {
        let down = if m.down_since > 0 {
            now - m.down_since
        } else {
            -1
        };
        field(out, "master_link_down_since_seconds", down);
    }
    let num = |name: &str, default: i64| {
        crate::introspection::config_value(srv, name)
            .and_then(|v| match v.as_str() {
                "yes" => Some(1),
                "no" => Some(0),
                n => n.parse::<i64>().ok(),
            })
            .unwrap_or(default)
    };
    field(out, "slave_priority", num("replica-priority", 100));
    field(out, "slave_read_only", num("replica-read-only", 1));
    field(out, "replica_announced", num("replica-announced", 1));
}
