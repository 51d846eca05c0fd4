//! INFO (Redis server.c `infoCommand`, `genRedisInfoString`,
//! `genInfoSectionDict`): every section of Redis 7.0 with its field names in
//! Redis's order, selected by name, `default`, `all` or `everything`.

mod general;
mod memory;
mod persistence;
mod stats;

pub use memory::not_counted_for_evict;

use std::collections::HashSet;
use std::fmt::Display;

use crate::cmd::Ctx;
use crate::conn::Client;
use crate::error::CmdError;
use crate::server::Server;

/// The sections `INFO` and `INFO default` show.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// What the arguments asked for.
#[derive(Debug, Default)]
pub struct Selection {
    names: HashSet<String>,
    /// `all` and `everything` (the latter also asks for module-generated
    /// sections, of which there are none).
    all: bool,
}

impl Selection {
    /// Parses INFO's arguments (Redis `genInfoSectionDict`).
    pub fn parse(args: &[Vec<u8>]) -> Selection {
        let mut sel = Selection::default();
        let add_defaults = |s: &mut Selection| {
            s.names
                .extend(DEFAULT_SECTIONS.iter().map(|n| n.to_string()));
        };
        if args.is_empty() {
            add_defaults(&mut sel);
        }
        for a in args {
            if a.eq_ignore_ascii_case(b"default") {
                add_defaults(&mut sel);
            } else if a.eq_ignore_ascii_case(b"all") || a.eq_ignore_ascii_case(b"everything") {
                sel.all = true;
            } else {
                sel.names
                    .insert(String::from_utf8_lossy(a).to_ascii_lowercase());
            }
        }
        sel
    }

    fn wants(&self, name: &str) -> bool {
        self.all || self.names.contains(name)
    }
}

/// A section's writer.
type SectionFn = fn(&mut String, &Server, Option<&Client>);

/// Sections in output order, with the names that select them.
const SECTIONS: &[(&[&str], &str, SectionFn)] = &[
    (&["server"], "Server", general::server),
    (&["clients"], "Clients", general::clients),
    (&["memory"], "Memory", memory::memory),
    (&["persistence"], "Persistence", persistence::persistence),
    (&["stats"], "Stats", stats::stats),
    (&["replication"], "Replication", persistence::replication),
    (&["cpu"], "CPU", general::cpu),
    (&["modules", "module_list"], "Modules", general::modules),
    (&["commandstats"], "Commandstats", stats::commandstats),
    (&["errorstats"], "Errorstats", stats::errorstats),
    (&["latencystats"], "Latencystats", stats::latencystats),
    (&["cluster"], "Cluster", general::cluster),
    (&["keyspace"], "Keyspace", general::keyspace),
];

/// The INFO text for a selection. `current` is the client running the
/// command, which is out of the client table while it runs.
pub fn info_string(srv: &Server, current: Option<&Client>, sel: &Selection) -> String {
    // Grown as written, like Redis's sds: a large buffer reserved up front
    // would count in the used_memory this same call reports (maxmemory.tcl
    // checks INFO's figure against the limit with 4 KB of slack).
    let mut out = String::new();
    let mut sections = 0;
    for (names, title, write) in SECTIONS {
        if !names.iter().any(|n| sel.wants(n)) {
            continue;
        }
        if sections > 0 {
            out.push_str("\r\n");
        }
        sections += 1;
        out.push_str("# ");
        out.push_str(title);
        out.push_str("\r\n");
        write(&mut out, srv, current);
    }
    out
}

/// INFO [section ...]
pub(super) fn info_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    // Refresh the peak as Redis does before reporting memory.
    let used = crate::alloc::used_memory();
    ctx.srv.stats.track_peak_memory(used);
    let sel = Selection::parse(&ctx.argv[1..]);
    let text = info_string(ctx.srv, Some(ctx.client), &sel);
    ctx.reply().verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// Appends `name:value\r\n`.
fn field(out: &mut String, name: &str, value: impl Display) {
    use std::fmt::Write;
    let _ = write!(out, "{}:{}\r\n", name, value);
}

/// `%.2f` as C prints it.
fn f2(v: f64) -> String {
    format!("{:.2}", v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn selection() {
        let s = Selection::parse(&[]);
        assert!(s.wants("server") && !s.wants("commandstats"));
        let s = Selection::parse(&args(&["SERVER", "Clients"]));
        assert!(s.wants("server") && s.wants("clients") && !s.wants("memory"));
        let s = Selection::parse(&args(&["all"]));
        assert!(s.wants("commandstats") && s.wants("latencystats"));
        let s = Selection::parse(&args(&["default", "commandstats"]));
        assert!(s.wants("keyspace") && s.wants("commandstats") && !s.wants("latencystats"));
        let s = Selection::parse(&args(&["nosuch"]));
        assert!(!s.wants("server"));
    }
}
