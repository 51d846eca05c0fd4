//! Placeholder rows until tools/gen_command_meta.py generates this file.
use super::meta::*;

const fn docs(summary: &'static str, since: &'static str, group: &'static str) -> Docs {
    Docs {
        summary,
        since,
        group,
        complexity: Some("O(1)"),
        doc_flags: &[],
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        args: &[],
    }
}

const fn row(name: &'static str, arity: i32, flags: u64, d: Docs) -> CommandMeta {
    CommandMeta {
        name,
        arity,
        flags,
        acl: 0,
        legacy_keys: (0, 0, 0),
        tips: &[],
        key_specs: &[],
        docs: d,
        subcommands: &[],
    }
}

pub static COMMANDS: &[CommandMeta] = &[
    row(
        "ping",
        -1,
        flags::FAST,
        docs("Ping the server", "1.0.0", "connection"),
    ),
    row(
        "echo",
        2,
        flags::FAST,
        docs("Echo the given string", "1.0.0", "connection"),
    ),
    row(
        "quit",
        -1,
        flags::FAST | flags::NO_AUTH,
        docs("Close the connection", "1.0.0", "connection"),
    ),
    row(
        "select",
        2,
        flags::FAST | flags::LOADING,
        docs("Change the selected database", "1.0.0", "connection"),
    ),
];
