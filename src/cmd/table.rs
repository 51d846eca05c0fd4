//! The command table: every command with a handler, joined with its metadata.
//! Each command family exports `COMMANDS: &[CommandImpl]`; `families()` lists them.

use std::collections::HashMap;

use super::meta::{self, CommandMeta};
use super::Ctx;
use crate::error::CmdError;

pub type Handler = fn(&mut Ctx) -> Result<(), CmdError>;

/// A family's table row: the full command name ("get", "config|get") and its handler.
#[derive(Clone, Copy)]
pub struct CommandImpl {
    pub name: &'static str,
    pub handler: Handler,
}

/// Per-command counters for INFO commandstats.
#[derive(Clone, Debug, Default)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

/// A command that exists in this server.
pub struct Command {
    pub id: usize,
    pub meta: &'static CommandMeta,
    /// None for a container whose work is done by its subcommands.
    pub handler: Option<Handler>,
    /// Ids of subcommands that have handlers.
    pub subcommands: Vec<usize>,
    pub parent: Option<usize>,
    pub stats: CommandStats,
}

impl Command {
    pub fn fullname(&self) -> &'static str {
        self.meta.name
    }
}

/// Result of looking up a request's command.
pub enum Lookup {
    Found(usize),
    Unknown,
    /// argv[0] is a container but argv[1] is not one of its subcommands.
    UnknownSubcommand(usize),
}

/// All commands, indexed by id, with name lookup.
pub struct CommandTable {
    pub cmds: Vec<Command>,
    /// Lowercase top-level names (after `rename-command`) to ids.
    by_name: HashMap<Vec<u8>, usize>,
    /// `by_name` again, as the per-request lookup reads it.
    index: NameIndex,
}

/// A case-insensitive name -> id table for the per-request lookup: open
/// addressing with linear probing over a cheap hash of the case-folded name.
/// The names are the server's own (or `rename-command`'s), never a client's,
/// so a keyed hash buys nothing here; SipHash plus lowercasing into a
/// buffer cost several times this. Rebuilt whenever `by_name` changes.
#[derive(Default)]
struct NameIndex {
    slots: Vec<Option<(Box<[u8]>, usize)>>,
}

impl NameIndex {
    fn build(names: &HashMap<Vec<u8>, usize>) -> NameIndex {
        let size = (names.len() * 2).max(8).next_power_of_two();
        let mut slots: Vec<Option<(Box<[u8]>, usize)>> = vec![None; size];
        for (name, &id) in names {
            let mut i = fold_hash(name) as usize & (size - 1);
            while slots[i].is_some() {
                i = (i + 1) & (size - 1);
            }
            slots[i] = Some((name.clone().into_boxed_slice(), id));
        }
        NameIndex { slots }
    }

    #[inline]
    fn get(&self, name: &[u8]) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = fold_hash(name) as usize & mask;
        // At most half full, so an empty slot always ends the probe.
        while let Some((n, id)) = &self.slots[i] {
            if n.len() == name.len() && n.eq_ignore_ascii_case(name) {
                return Some(*id);
            }
            i = (i + 1) & mask;
        }
        None
    }
}

/// FNV-1a over the name with ASCII letters folded to lowercase (`| 0x20`
/// folds other bytes too, but identically on both sides of a comparison).
#[inline]
fn fold_hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h = (h ^ (b | 0x20) as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

/// Every family's rows. A new family adds one line here.
pub fn families() -> Vec<&'static [CommandImpl]> {
    vec![
        crate::conn::commands::COMMANDS,
        crate::conn::client_cmd::COMMANDS,
        crate::server::commands::COMMANDS,
        crate::config::commands::COMMANDS,
        crate::introspection::COMMANDS,
        crate::pubsub::COMMANDS,
        crate::tracking::COMMANDS,
        crate::types::string::commands::COMMANDS,
        crate::types::string::numeric::COMMANDS,
        crate::types::string::lcs::COMMANDS,
        crate::types::bitmap::commands::COMMANDS,
        crate::types::hll::commands::COMMANDS,
        crate::keyspace::commands::COMMANDS,
        crate::multi::COMMANDS,
        crate::keyspace::expire_cmds::COMMANDS,
        crate::keyspace::scan::COMMANDS,
        crate::keyspace::object_cmds::COMMANDS,
        crate::types::list::commands::COMMANDS,
        crate::types::list::pop::COMMANDS,
        crate::types::sort::COMMANDS,
        crate::types::stream::commands::COMMANDS,
        crate::types::stream::group_cmds::COMMANDS,
        crate::blocking::COMMANDS,
        crate::types::hash::commands::COMMANDS,
        crate::types::set::commands::COMMANDS,
        crate::types::zset::commands::COMMANDS,
        crate::types::geo::commands::COMMANDS,
        crate::persistence::commands::COMMANDS,
        crate::persistence::aof::commands::COMMANDS,
    ]
}

impl CommandTable {
    /// Builds the table; panics if a handler names a command Redis does not have,
    /// which the unit test below catches.
    pub fn build(families: &[&'static [CommandImpl]]) -> CommandTable {
        let mut t = CommandTable {
            cmds: Vec::new(),
            by_name: HashMap::new(),
            index: NameIndex::default(),
        };
        for fam in families {
            for imp in fam.iter() {
                t.add(imp);
            }
        }
        t.index = NameIndex::build(&t.by_name);
        t
    }

    fn add(&mut self, imp: &CommandImpl) {
        match imp.name.split_once('|') {
            None => {
                let m =
                    meta::find(imp.name).unwrap_or_else(|| panic!("no metadata for {}", imp.name));
                let id = self.ensure_top(m);
                self.cmds[id].handler = Some(imp.handler);
            }
            Some((parent, _)) => {
                let pm = meta::find(parent).unwrap_or_else(|| panic!("no metadata for {}", parent));
                let sm = pm
                    .subcommands
                    .iter()
                    .find(|s| s.name == imp.name)
                    .unwrap_or_else(|| panic!("no metadata for {}", imp.name));
                let pid = self.ensure_top(pm);
                let id = self.cmds.len();
                self.cmds.push(Command {
                    id,
                    meta: sm,
                    handler: Some(imp.handler),
                    subcommands: Vec::new(),
                    parent: Some(pid),
                    stats: CommandStats::default(),
                });
                self.cmds[pid].subcommands.push(id);
            }
        }
    }

    fn ensure_top(&mut self, m: &'static CommandMeta) -> usize {
        if let Some(&id) = self.by_name.get(m.name.as_bytes()) {
            return id;
        }
        let id = self.cmds.len();
        self.cmds.push(Command {
            id,
            meta: m,
            handler: None,
            subcommands: Vec::new(),
            parent: None,
            stats: CommandStats::default(),
        });
        self.by_name.insert(m.name.as_bytes().to_vec(), id);
        id
    }

    /// Renames a top-level command (redis.conf `rename-command`); an empty
    /// `to` removes it from lookups. False when `from` is not in the table.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        let Some(id) = self.find_top(from) else {
            return false;
        };
        self.by_name.remove(&from.to_ascii_lowercase());
        if !to.is_empty() {
            self.by_name.insert(to.to_ascii_lowercase(), id);
        }
        self.index = NameIndex::build(&self.by_name);
        true
    }

    /// Finds a top-level command by name, case-insensitively, without allocating.
    #[inline]
    pub fn find_top(&self, name: &[u8]) -> Option<usize> {
        self.index.get(name)
    }

    /// Resolves argv to a command or subcommand (Redis `lookupCommand`).
    pub fn lookup(&self, argv: &[Vec<u8>]) -> Lookup {
        let Some(id) = self.find_top(&argv[0]) else {
            return Lookup::Unknown;
        };
        let cmd = &self.cmds[id];
        if cmd.meta.subcommands.is_empty() || argv.len() == 1 {
            return Lookup::Found(id);
        }
        for &sid in &cmd.subcommands {
            if self.cmds[sid]
                .meta
                .short_name()
                .as_bytes()
                .eq_ignore_ascii_case(&argv[1])
            {
                return Lookup::Found(sid);
            }
        }
        Lookup::UnknownSubcommand(id)
    }

    /// Finds any command or subcommand by full name ("config|get").
    pub fn find_by_fullname(&self, name: &str) -> Option<usize> {
        match name.split_once('|') {
            None => self.find_top(name.as_bytes()),
            Some((p, s)) => {
                let pid = self.find_top(p.as_bytes())?;
                self.cmds[pid]
                    .subcommands
                    .iter()
                    .copied()
                    .find(|&sid| self.cmds[sid].meta.short_name().eq_ignore_ascii_case(s))
            }
        }
    }

    /// Top-level commands (containers included).
    pub fn top_level(&self) -> impl Iterator<Item = &Command> {
        self.cmds.iter().filter(|c| c.parent.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_handler_has_metadata() {
        let t = CommandTable::build(&families());
        assert!(t.find_top(b"PING").is_some());
        assert!(t.find_top(b"nosuchcommand").is_none());
    }

    #[test]
    fn lookup_is_case_insensitive_and_follows_renames() {
        let mut t = CommandTable::build(&families());
        let get = t.find_top(b"get").unwrap();
        assert_eq!(t.find_top(b"GeT"), Some(get));
        assert_eq!(t.find_top(b"ge"), None);
        assert_eq!(t.find_top(b"gett"), None);
        assert_eq!(t.find_top(b"g\xc5t"), None);
        assert_eq!(t.find_top(b""), None);
        for (name, &id) in &t.by_name {
            assert_eq!(t.find_top(&name.to_ascii_uppercase()), Some(id));
        }
        assert!(t.rename(b"GET", b"Fetch"));
        assert_eq!(t.find_top(b"get"), None);
        assert_eq!(t.find_top(b"FETCH"), Some(get));
        assert!(t.rename(b"fetch", b""));
        assert_eq!(t.find_top(b"fetch"), None);
        assert!(!t.rename(b"fetch", b"x"));
    }
}
