//! INFO stats, commandstats, errorstats and latencystats.

use super::{f2, field};
use crate::conn::Client;
use crate::introspection::histogram::percentile_name;
use crate::server::Server;

/// Milliseconds since `since_ms`, or 0 when the period is not running.
fn running_ms(since_ms: i64, now_ms: i64) -> i64 {
    if since_ms > 0 {
        now_ms - since_ms
    } else {
        0
    }
}

pub(super) fn stats(out: &mut String, srv: &Server, _c: Option<&Client>) {
    let s = &srv.stats;
    let st = &srv.status;
    let now = srv.time.mstime;
    let kbps = |v: i64| f2(v as f64 / 1024.0);
    field(
        out,
        "total_connections_received",
        s.total_connections_received,
    );
    field(out, "total_commands_processed", s.total_commands_processed);
    field(out, "instantaneous_ops_per_sec", s.ops_sec.value());
    field(out, "total_net_input_bytes", s.net_input_bytes);
    field(out, "total_net_output_bytes", s.net_output_bytes);
    field(out, "total_net_repl_input_bytes", s.net_repl_input_bytes);
    field(out, "total_net_repl_output_bytes", s.net_repl_output_bytes);
    field(out, "instantaneous_input_kbps", kbps(s.input_kbps.value()));
    field(
        out,
        "instantaneous_output_kbps",
        kbps(s.output_kbps.value()),
    );
    field(
        out,
        "instantaneous_input_repl_kbps",
        kbps(s.repl_input_kbps.value()),
    );
    field(
        out,
        "instantaneous_output_repl_kbps",
        kbps(s.repl_output_kbps.value()),
    );
    field(out, "rejected_connections", s.rejected_connections);
    field(out, "sync_full", s.sync_full);
    field(out, "sync_partial_ok", s.sync_partial_ok);
    field(out, "sync_partial_err", s.sync_partial_err);
    field(out, "expired_keys", s.expired_keys);
    field(out, "expired_stale_perc", f2(s.expired_stale_perc));
    field(
        out,
        "expired_time_cap_reached_count",
        s.expired_time_cap_reached_count,
    );
    field(
        out,
        "expire_cycle_cpu_milliseconds",
        s.expire_cycle_time_used_us / 1000,
    );
    field(out, "evicted_keys", s.evicted_keys);
    field(out, "evicted_clients", s.evicted_clients);
    let exceeded = running_ms(s.eviction_exceeded_since_ms, now);
    field(
        out,
        "total_eviction_exceeded_time",
        s.total_eviction_exceeded_time_ms as i64 + exceeded,
    );
    field(out, "current_eviction_exceeded_time", exceeded);
    field(out, "keyspace_hits", s.keyspace_hits);
    field(out, "keyspace_misses", s.keyspace_misses);
    field(out, "pubsub_channels", srv.pubsub.channel_count());
    field(out, "pubsub_patterns", srv.pubsub.pattern_count());
    field(
        out,
        "pubsubshard_channels",
        srv.pubsub.shard_channel_count(),
    );
    field(out, "latest_fork_usec", s.latest_fork_usec);
    field(out, "total_forks", s.total_forks);
    field(out, "migrate_cached_sockets", st.migrate_cached_sockets);
    field(
        out,
        "slave_expires_tracked_keys",
        st.slave_expires_tracked_keys,
    );
    field(out, "active_defrag_hits", s.active_defrag_hits);
    field(out, "active_defrag_misses", s.active_defrag_misses);
    field(out, "active_defrag_key_hits", s.active_defrag_key_hits);
    field(out, "active_defrag_key_misses", s.active_defrag_key_misses);
    let defrag = running_ms(s.active_defrag_since_ms, now);
    field(
        out,
        "total_active_defrag_time",
        s.total_active_defrag_time_ms as i64 + defrag,
    );
    field(out, "current_active_defrag_time", defrag);
    field(out, "tracking_total_keys", st.tracking_total_keys);
    field(out, "tracking_total_items", st.tracking_total_items);
    field(out, "tracking_total_prefixes", st.tracking_total_prefixes);
    field(out, "unexpected_error_replies", s.unexpected_error_replies);
    field(out, "total_error_replies", s.total_error_replies);
    field(
        out,
        "dump_payload_sanitizations",
        s.dump_payload_sanitizations,
    );
    field(out, "total_reads_processed", s.total_reads_processed);
    field(out, "total_writes_processed", s.total_writes_processed);
    field(
        out,
        "io_threaded_reads_processed",
        s.io_threaded_reads_processed,
    );
    field(
        out,
        "io_threaded_writes_processed",
        s.io_threaded_writes_processed,
    );
    field(out, "reply_buffer_shrinks", s.reply_buffer_shrinks);
    field(out, "reply_buffer_expands", s.reply_buffer_expands);
}

/// Names as Redis prints them in INFO (Redis `getSafeInfoString`).
fn safe_name(name: &str) -> String {
    name.replace([':', '\r', '\n'], "_")
}

/// `cmdstat_<name>:calls=..` for every command that was called, failed or
/// rejected; each parent before its subcommands.
pub(super) fn commandstats(out: &mut String, srv: &Server, _c: Option<&Client>) {
    for top in srv.commands.top_level() {
        for id in std::iter::once(top.id).chain(top.subcommands.iter().copied()) {
            let cmd = &srv.commands.cmds[id];
            let s = &cmd.stats;
            if s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0 {
                continue;
            }
            let per_call = if s.calls == 0 {
                0.0
            } else {
                s.usec as f64 / s.calls as f64
            };
            field(
                out,
                &format!("cmdstat_{}", safe_name(cmd.fullname())),
                format!(
                    "calls={},usec={},usec_per_call={},rejected_calls={},failed_calls={}",
                    s.calls,
                    s.usec,
                    f2(per_call),
                    s.rejected_calls,
                    s.failed_calls
                ),
            );
        }
    }
}

/// `errorstat_<CODE>:count=..`, in code order.
pub(super) fn errorstats(out: &mut String, srv: &Server, _c: Option<&Client>) {
    for (code, n) in &srv.stats.errors {
        field(out, &format!("errorstat_{}", code), format!("count={}", n));
    }
}

/// `latency_percentiles_usec_<name>:p50=..,p99=..,p99.9=..` for every
/// command with a histogram.
pub(super) fn latencystats(out: &mut String, srv: &Server, _c: Option<&Client>) {
    let percentiles = &srv.latency.percentiles;
    for top in srv.commands.top_level() {
        for id in std::iter::once(top.id).chain(top.subcommands.iter().copied()) {
            let Some(h) = srv.latency.histogram(id) else {
                continue;
            };
            let values: Vec<String> = percentiles
                .iter()
                .map(|p| {
                    let v = h.value_at_percentile(*p) as f64 / 1000.0;
                    format!("p{}={:.3}", percentile_name(*p), v)
                })
                .collect();
            field(
                out,
                &format!(
                    "latency_percentiles_usec_{}",
                    safe_name(srv.commands.cmds[id].fullname())
                ),
                values.join(","),
            );
        }
    }
}
