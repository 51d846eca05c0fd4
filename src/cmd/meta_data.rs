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

const fn container(
    name: &'static str,
    arity: i32,
    d: Docs,
    subcommands: &'static [CommandMeta],
) -> CommandMeta {
    CommandMeta {
        subcommands,
        ..row(name, arity, 0, d)
    }
}

const ADMIN_LS: u64 = flags::ADMIN | flags::LOADING | flags::STALE;
const ADMIN_NLS: u64 = flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE;
const LS: u64 = flags::LOADING | flags::STALE;

static SLOWLOG_SUBS: &[CommandMeta] = &[
    row(
        "slowlog|get",
        -2,
        ADMIN_LS,
        docs("Get the slow log's entries", "2.2.12", "server"),
    ),
    row(
        "slowlog|len",
        2,
        ADMIN_LS,
        docs("Get the slow log's length", "2.2.12", "server"),
    ),
    row(
        "slowlog|reset",
        2,
        ADMIN_LS,
        docs("Clear all entries from the slow log", "2.2.12", "server"),
    ),
    row(
        "slowlog|help",
        2,
        LS,
        docs(
            "Show helpful text about the different subcommands",
            "6.2.0",
            "server",
        ),
    ),
];

static LATENCY_SUBS: &[CommandMeta] = &[
    row(
        "latency|doctor",
        2,
        ADMIN_NLS,
        docs(
            "Return a human readable latency analysis report.",
            "2.8.13",
            "server",
        ),
    ),
    row(
        "latency|graph",
        3,
        ADMIN_NLS,
        docs("Return a latency graph for the event.", "2.8.13", "server"),
    ),
    row(
        "latency|help",
        2,
        LS,
        docs(
            "Show helpful text about the different subcommands.",
            "2.8.13",
            "server",
        ),
    ),
    row(
        "latency|histogram",
        -2,
        ADMIN_NLS,
        docs(
            "Return the cumulative distribution of latencies of a subset of commands or all.",
            "7.0.0",
            "server",
        ),
    ),
    row(
        "latency|history",
        3,
        ADMIN_NLS,
        docs(
            "Return timestamp-latency samples for the event.",
            "2.8.13",
            "server",
        ),
    ),
    row(
        "latency|latest",
        2,
        ADMIN_NLS,
        docs(
            "Return the latest latency samples for all events.",
            "2.8.13",
            "server",
        ),
    ),
    row(
        "latency|reset",
        -2,
        ADMIN_NLS,
        docs(
            "Reset latency data for one or more events.",
            "2.8.13",
            "server",
        ),
    ),
];

static MEMORY_SUBS: &[CommandMeta] = &[
    row(
        "memory|doctor",
        2,
        0,
        docs("Outputs memory problems report", "4.0.0", "server"),
    ),
    row(
        "memory|help",
        2,
        LS,
        docs(
            "Show helpful text about the different subcommands",
            "4.0.0",
            "server",
        ),
    ),
    row(
        "memory|malloc-stats",
        2,
        0,
        docs("Show allocator internal stats", "4.0.0", "server"),
    ),
    row(
        "memory|purge",
        2,
        0,
        docs("Ask the allocator to release memory", "4.0.0", "server"),
    ),
    row(
        "memory|stats",
        2,
        0,
        docs("Show memory usage details", "4.0.0", "server"),
    ),
    row(
        "memory|usage",
        -3,
        flags::READONLY,
        docs("Estimate the memory usage of a key", "4.0.0", "server"),
    ),
];

pub static COMMANDS: &[CommandMeta] = &[
    row(
        "info",
        -1,
        LS,
        docs(
            "Get information and statistics about the server",
            "1.0.0",
            "server",
        ),
    ),
    container(
        "slowlog",
        -2,
        docs("A container for slow log commands", "2.2.12", "server"),
        SLOWLOG_SUBS,
    ),
    container(
        "latency",
        -2,
        docs(
            "A container for latency diagnostics commands",
            "2.8.13",
            "server",
        ),
        LATENCY_SUBS,
    ),
    container(
        "memory",
        -2,
        docs(
            "A container for memory diagnostics commands",
            "4.0.0",
            "server",
        ),
        MEMORY_SUBS,
    ),
    row(
        "debug",
        -2,
        ADMIN_NLS | flags::PROTECTED,
        docs("A container for debugging commands", "1.0.0", "server"),
    ),
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
