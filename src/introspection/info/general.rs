//! INFO server, clients, cpu, modules, cluster and keyspace.

use super::field;
use crate::conn::Client;
use crate::introspection::sys::{self, Who};
use crate::server::Server;

/// Redis LRU_CLOCK_MAX: the LRU clock wraps at 24 bits of seconds.
const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;

pub(super) fn server(out: &mut String, srv: &Server, _c: Option<&Client>) {
    let uptime = srv.time.unixtime - srv.start_time;
    field(out, "redis_version", crate::REDIS_VERSION);
    field(out, "redis_git_sha1", "00000000");
    field(out, "redis_git_dirty", 0);
    field(out, "redis_build_id", build_id());
    field(
        out,
        "redis_mode",
        if srv.status.cluster_enabled {
            "cluster"
        } else {
            "standalone"
        },
    );
    field(out, "os", sys::os_string());
    field(out, "arch_bits", usize::BITS);
    field(out, "monotonic_clock", "POSIX clock_gettime");
    field(out, "multiplexing_api", "epoll");
    field(out, "atomicvar_api", "c11-builtin");
    // Redis prints the GCC version it was built with; 0.0.0 when not GCC.
    field(out, "gcc_version", "0.0.0");
    field(out, "process_id", std::process::id());
    field(out, "process_supervised", supervised_mode(srv));
    field(out, "run_id", &srv.run_id);
    field(out, "tcp_port", srv.config.port);
    field(out, "server_time_usec", srv.time.ustime);
    field(out, "uptime_in_seconds", uptime);
    field(out, "uptime_in_days", uptime / (3600 * 24));
    field(out, "hz", srv.effective_hz());
    field(out, "configured_hz", srv.config.hz);
    field(out, "lru_clock", (srv.time.mstime / 1000) & LRU_CLOCK_MAX);
    field(out, "executable", sys::executable());
    field(
        out,
        "config_file",
        srv.config.config_file.as_deref().unwrap_or(""),
    );
    field(out, "io_threads_active", 0);
    field(out, "ferrodis_version", crate::FERRODIS_VERSION);
}

/// A stable build id: a hash of our version, as hex.
fn build_id() -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in crate::FERRODIS_VERSION.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:x}", h)
}

/// "no", "upstart", "systemd" or "unknown", from the `supervised` setting.
fn supervised_mode(srv: &Server) -> &'static str {
    let mode = crate::introspection::config_value(srv, "supervised").unwrap_or_default();
    match mode.as_str() {
        "upstart" => "upstart",
        "systemd" => "systemd",
        "auto" if std::env::var_os("UPSTART_JOB").is_some() => "upstart",
        "auto" if std::env::var_os("NOTIFY_SOCKET").is_some() => "systemd",
        _ => "no",
    }
}

pub(super) fn clients(out: &mut String, srv: &Server, _c: Option<&Client>) {
    // The slab counts the running client too, although it is taken out.
    let connected = srv.clients.len();
    let replicas = srv.status.repl.replicas.len();
    let (input, output) = srv.client_peaks.recent_max();
    field(out, "connected_clients", connected.saturating_sub(replicas));
    field(out, "cluster_connections", 0);
    field(out, "maxclients", srv.config.maxclients);
    field(out, "client_recent_max_input_buffer", input);
    field(out, "client_recent_max_output_buffer", output);
    field(out, "blocked_clients", srv.status.blocked_clients);
    field(out, "tracking_clients", srv.status.tracking_clients);
    field(
        out,
        "clients_in_timeout_table",
        srv.status.clients_in_timeout_table,
    );
}

fn cpu_field(out: &mut String, name: &str, t: (i64, i64)) {
    field(out, name, format!("{}.{:06}", t.0, t.1));
}

pub(super) fn cpu(out: &mut String, _srv: &Server, _c: Option<&Client>) {
    let me = sys::cpu_times(Who::Process);
    let children = sys::cpu_times(Who::Children);
    let main = sys::cpu_times(Who::MainThread);
    cpu_field(out, "used_cpu_sys", me.sys);
    cpu_field(out, "used_cpu_user", me.user);
    cpu_field(out, "used_cpu_sys_children", children.sys);
    cpu_field(out, "used_cpu_user_children", children.user);
    cpu_field(out, "used_cpu_sys_main_thread", main.sys);
    cpu_field(out, "used_cpu_user_main_thread", main.user);
}

/// The loaded modules, one line each; ferrodis loads none.
pub(super) fn modules(_out: &mut String, _srv: &Server, _c: Option<&Client>) {}

pub(super) fn cluster(out: &mut String, srv: &Server, _c: Option<&Client>) {
    field(out, "cluster_enabled", srv.status.cluster_enabled as i32);
}

/// One `dbN:keys=..,expires=..,avg_ttl=..` line per non-empty database.
pub(super) fn keyspace(out: &mut String, srv: &Server, _c: Option<&Client>) {
    for db in crate::introspection::keyspace_stats(srv) {
        field(
            out,
            &format!("db{}", db.index),
            format!(
                "keys={},expires={},avg_ttl={}",
                db.keys, db.expires, db.avg_ttl
            ),
        );
    }
}
