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
    // Connection and server rows (conn helper), until the generated file lands.
    row(
        "auth",
        -2,
        NO_AUTH_FLAGS,
        docs("Authenticate to the server", "1.0.0", "connection"),
    ),
    row(
        "hello",
        -1,
        NO_AUTH_FLAGS,
        docs("Handshake with Redis", "6.0.0", "connection"),
    ),
    row(
        "reset",
        1,
        NO_AUTH_FLAGS,
        docs("Reset the connection", "6.2.0", "connection"),
    ),
    CommandMeta {
        subcommands: CLIENT_SUBCOMMANDS,
        ..row(
            "client",
            -2,
            0,
            docs(
                "A container for client connection commands",
                "2.4.0",
                "connection",
            ),
        )
    },
    row(
        "time",
        1,
        flags::LOADING | flags::STALE | flags::FAST,
        docs("Return the current server time", "2.6.0", "server"),
    ),
    row(
        "lastsave",
        1,
        flags::LOADING | flags::STALE | flags::FAST,
        docs(
            "Get the UNIX time stamp of the last successful save to disk",
            "1.0.0",
            "server",
        ),
    ),
    row(
        "monitor",
        1,
        CONN_ADMIN,
        docs(
            "Listen for all requests received by the server in real time",
            "1.0.0",
            "server",
        ),
    ),
    row(
        "shutdown",
        -1,
        CONN_ADMIN | flags::NO_MULTI | flags::ALLOW_BUSY,
        docs(
            "Synchronously save the dataset to disk and then shut down the server",
            "1.0.0",
            "server",
        ),
    ),
];

const fn sub(name: &'static str, arity: i32, flags: u64, summary: &'static str) -> CommandMeta {
    row(name, arity, flags, docs(summary, "2.4.0", "connection"))
}

const CONN_FLAGS: u64 = flags::NOSCRIPT | flags::LOADING | flags::STALE;
const CONN_ADMIN: u64 = flags::ADMIN | CONN_FLAGS;
const NO_AUTH_FLAGS: u64 = CONN_FLAGS | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY;

static CLIENT_SUBCOMMANDS: &[CommandMeta] = &[
    sub(
        "client|id",
        2,
        CONN_FLAGS,
        "Returns the client ID for the current connection",
    ),
    sub(
        "client|info",
        2,
        CONN_FLAGS,
        "Returns information about the current client connection.",
    ),
    sub(
        "client|list",
        -2,
        CONN_ADMIN,
        "Get the list of client connections",
    ),
    sub(
        "client|kill",
        -3,
        CONN_ADMIN,
        "Kill the connection of a client",
    ),
    sub(
        "client|setname",
        3,
        CONN_FLAGS,
        "Set the current connection name",
    ),
    sub(
        "client|getname",
        2,
        CONN_FLAGS,
        "Get the current connection name",
    ),
    sub(
        "client|pause",
        -3,
        CONN_ADMIN,
        "Stop processing commands from clients for some time",
    ),
    sub(
        "client|unpause",
        2,
        CONN_ADMIN,
        "Resume processing of clients that were paused",
    ),
    sub(
        "client|reply",
        3,
        CONN_FLAGS,
        "Instruct the server whether to reply to commands",
    ),
    sub(
        "client|no-evict",
        3,
        CONN_ADMIN,
        "Set client eviction mode for the current connection",
    ),
    sub(
        "client|help",
        2,
        flags::LOADING | flags::STALE,
        "Show helpful text about the different subcommands",
    ),
    sub(
        "client|unblock",
        -3,
        CONN_ADMIN,
        "Unblock a client blocked in a blocking command from a different connection",
    ),
    sub(
        "client|tracking",
        -3,
        CONN_FLAGS,
        "Enable or disable server assisted client side caching support",
    ),
    sub(
        "client|trackinginfo",
        2,
        CONN_FLAGS,
        "Return information about server assisted client side caching for the current connection",
    ),
    sub(
        "client|caching",
        3,
        CONN_FLAGS,
        "Instruct the server about tracking or not keys in the next request",
    ),
    sub(
        "client|getredir",
        2,
        CONN_FLAGS,
        "Get tracking notifications redirection client ID if any",
    ),
];
