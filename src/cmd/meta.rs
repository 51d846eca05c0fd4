//! Command metadata (Redis commands.c / the commands/*.json files, server.h
//! `redisCommand`, `keySpec`, `redisCommandArg`): the static description of
//! every Redis 7.0 command that feeds dispatch (arity, flags), COMMAND INFO and
//! DOCS, key extraction, ACL and cluster routing. `meta_data.rs` holds the rows;
//! `tools/gen_command_meta.py` generates it from a live redis-server.

/// Command flags (Redis CMD_*). Bit order is the order COMMAND INFO lists them.
pub mod flags {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const MODULE: u64 = 1 << 3;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 7;
    pub const LOADING: u64 = 1 << 8;
    pub const STALE: u64 = 1 << 9;
    pub const SKIP_MONITOR: u64 = 1 << 10;
    pub const SKIP_SLOWLOG: u64 = 1 << 11;
    pub const ASKING: u64 = 1 << 12;
    pub const FAST: u64 = 1 << 13;
    pub const NO_AUTH: u64 = 1 << 14;
    pub const MAY_REPLICATE: u64 = 1 << 15;
    pub const SENTINEL: u64 = 1 << 16;
    pub const ONLY_SENTINEL: u64 = 1 << 17;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 18;
    pub const PROTECTED: u64 = 1 << 19;
    pub const NO_ASYNC_LOADING: u64 = 1 << 20;
    pub const NO_MULTI: u64 = 1 << 21;
    pub const MOVABLE_KEYS: u64 = 1 << 22;
    pub const ALLOW_BUSY: u64 = 1 << 23;

    /// Names as COMMAND INFO prints them, in bit order (None: Redis hides it).
    pub const NAMES: [Option<&str>; 24] = [
        Some("write"),
        Some("readonly"),
        Some("denyoom"),
        Some("module"),
        Some("admin"),
        Some("pubsub"),
        Some("noscript"),
        Some("blocking"),
        Some("loading"),
        Some("stale"),
        Some("skip_monitor"),
        Some("skip_slowlog"),
        Some("asking"),
        Some("fast"),
        Some("no_auth"),
        None, // may_replicate: hidden on purpose in 7.0
        None,
        None,
        Some("no_mandatory_keys"),
        None,
        Some("no_async_loading"),
        Some("no_multi"),
        Some("movablekeys"),
        Some("allow_busy"),
    ];
}

/// ACL categories (Redis ACL_CATEGORY_*): bit i is `NAMES[i]`, Redis's order.
pub mod acl {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const READ: u32 = 1 << 1;
    pub const WRITE: u32 = 1 << 2;
    pub const SET: u32 = 1 << 3;
    pub const SORTEDSET: u32 = 1 << 4;
    pub const LIST: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const STRING: u32 = 1 << 7;
    pub const BITMAP: u32 = 1 << 8;
    pub const HYPERLOGLOG: u32 = 1 << 9;
    pub const GEO: u32 = 1 << 10;
    pub const STREAM: u32 = 1 << 11;
    pub const PUBSUB: u32 = 1 << 12;
    pub const ADMIN: u32 = 1 << 13;
    pub const FAST: u32 = 1 << 14;
    pub const SLOW: u32 = 1 << 15;
    pub const BLOCKING: u32 = 1 << 16;
    pub const DANGEROUS: u32 = 1 << 17;
    pub const CONNECTION: u32 = 1 << 18;
    pub const TRANSACTION: u32 = 1 << 19;
    pub const SCRIPTING: u32 = 1 << 20;

    pub const NAMES: [&str; 21] = [
        "keyspace",
        "read",
        "write",
        "set",
        "sortedset",
        "list",
        "hash",
        "string",
        "bitmap",
        "hyperloglog",
        "geo",
        "stream",
        "pubsub",
        "admin",
        "fast",
        "slow",
        "blocking",
        "dangerous",
        "connection",
        "transaction",
        "scripting",
    ];

    /// The category bit for a name, ignoring case (Redis
    /// `ACLGetCommandCategoryFlagByName`).
    pub fn by_name(name: &[u8]) -> Option<u32> {
        NAMES
            .iter()
            .position(|n| n.as_bytes().eq_ignore_ascii_case(name))
            .map(|i| 1 << i)
    }
}

/// Key spec flags (Redis CMD_KEY_*), in the order COMMAND INFO lists them.
pub mod key {
    pub const RO: u32 = 1 << 0;
    pub const RW: u32 = 1 << 1;
    pub const OW: u32 = 1 << 2;
    pub const RM: u32 = 1 << 3;
    pub const ACCESS: u32 = 1 << 4;
    pub const UPDATE: u32 = 1 << 5;
    pub const INSERT: u32 = 1 << 6;
    pub const DELETE: u32 = 1 << 7;
    pub const NOT_KEY: u32 = 1 << 8;
    pub const INCOMPLETE: u32 = 1 << 9;
    pub const VARIABLE_FLAGS: u32 = 1 << 10;

    pub const NAMES: [&str; 11] = [
        "RO",
        "RW",
        "OW",
        "RM",
        "access",
        "update",
        "insert",
        "delete",
        "not_key",
        "incomplete",
        "variable_flags",
    ];
}

/// Argument flags (Redis CMD_ARG_*), in the order COMMAND DOCS lists them.
pub mod argflag {
    pub const OPTIONAL: u8 = 1 << 0;
    pub const MULTIPLE: u8 = 1 << 1;
    pub const MULTIPLE_TOKEN: u8 = 1 << 2;

    pub const NAMES: [&str; 3] = ["optional", "multiple", "multiple_token"];
}

/// Documentation flags (Redis CMD_DOC_*), in the order COMMAND DOCS lists them.
pub mod docflag {
    pub const DEPRECATED: u8 = 1 << 0;
    pub const SYSCMD: u8 = 1 << 1;

    pub const NAMES: [&str; 2] = ["deprecated", "syscmd"];
}

/// Names of the set bits of `bits`, in bit order, skipping hidden ones.
pub fn bit_names<'a>(
    bits: u64,
    names: &'a [Option<&'a str>],
) -> impl Iterator<Item = &'a str> + Clone {
    names
        .iter()
        .enumerate()
        .filter(move |(i, _)| bits & (1 << i) != 0)
        .filter_map(|(_, n)| *n)
}

/// Like `bit_names` for tables where every bit has a printed name.
pub fn all_bit_names<'a>(bits: u64, names: &'a [&'a str]) -> impl Iterator<Item = &'a str> + Clone {
    names
        .iter()
        .enumerate()
        .filter(move |(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| *n)
}

/// How a key spec finds its first key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeginSearch {
    /// The first key is at this argument index.
    Index(i32),
    /// The first key follows `keyword`, searched from `startfrom` (negative:
    /// from the end, backwards).
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    Unknown,
}

/// How a key spec finds the rest of its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindKeys {
    /// Keys up to `lastkey` (relative to the first key; negative: from the
    /// end), every `keystep`; with `limit` > 0 only 1/limit of what remains.
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    /// The key count is at `keynumidx` (relative to the begin), keys start at
    /// `firstkey` (relative to the begin).
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
    Unknown,
}

/// One key spec (Redis 7 `keySpec`).
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub notes: Option<&'static str>,
    /// `key::*` bits.
    pub flags: u32,
    pub begin_search: BeginSearch,
    pub find_keys: FindKeys,
}

/// Argument types as COMMAND DOCS names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    Str,
    Int,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::Str => "string",
            ArgType::Int => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::OneOf => "oneof",
            ArgType::Block => "block",
        }
    }
}

/// One documented argument (Redis `redisCommandArg`).
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub kind: ArgType,
    /// Index into the command's key specs, -1 when the argument is not a key.
    pub key_spec_index: i32,
    pub token: Option<&'static str>,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    /// `argflag::*` bits.
    pub flags: u8,
    /// Sub-arguments of a `OneOf` or `Block`.
    pub args: &'static [Arg],
}

/// Starts an argument row; the generated table chains the setters below.
pub const fn arg(name: &'static str, kind: ArgType) -> Arg {
    Arg {
        name,
        kind,
        key_spec_index: -1,
        token: None,
        summary: None,
        since: None,
        deprecated_since: None,
        flags: 0,
        args: &[],
    }
}

impl Arg {
    pub const fn key_spec(self, i: i32) -> Arg {
        Arg {
            key_spec_index: i,
            ..self
        }
    }
    pub const fn token(self, t: &'static str) -> Arg {
        Arg {
            token: Some(t),
            ..self
        }
    }
    pub const fn summary(self, s: &'static str) -> Arg {
        Arg {
            summary: Some(s),
            ..self
        }
    }
    pub const fn since(self, s: &'static str) -> Arg {
        Arg {
            since: Some(s),
            ..self
        }
    }
    pub const fn deprecated_since(self, s: &'static str) -> Arg {
        Arg {
            deprecated_since: Some(s),
            ..self
        }
    }
    pub const fn flags(self, f: u8) -> Arg {
        Arg { flags: f, ..self }
    }
    pub const fn args(self, a: &'static [Arg]) -> Arg {
        Arg { args: a, ..self }
    }
}

/// The documentation half of a command (what COMMAND DOCS returns).
#[derive(Clone, Copy, Debug)]
pub struct Docs {
    pub summary: &'static str,
    pub since: &'static str,
    pub group: &'static str,
    pub complexity: Option<&'static str>,
    /// `docflag::*` bits.
    pub doc_flags: u8,
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    /// (version, change) pairs.
    pub history: &'static [(&'static str, &'static str)],
    pub args: &'static [Arg],
}

/// Everything static about a command.
#[derive(Clone, Copy, Debug)]
pub struct CommandMeta {
    /// Lower case; subcommands are "container|sub".
    pub name: &'static str,
    pub arity: i32,
    /// `flags::*` bits.
    pub flags: u64,
    /// `acl::*` bits.
    pub acl: u32,
    /// Legacy (first, last, step) key positions as COMMAND INFO reports them.
    pub legacy_keys: (i32, i32, i32),
    pub tips: &'static [&'static str],
    pub key_specs: &'static [KeySpec],
    pub docs: Docs,
    /// Sorted by name.
    pub subcommands: &'static [CommandMeta],
}

impl CommandMeta {
    pub fn has(&self, flag: u64) -> bool {
        self.flags & flag != 0
    }

    /// The name after the '|' for subcommands.
    pub fn short_name(&self) -> &'static str {
        self.name.rsplit('|').next().unwrap_or(self.name)
    }

    /// A subcommand by its short name, ignoring case.
    pub fn subcommand(&self, short: &[u8]) -> Option<&'static CommandMeta> {
        self.subcommands
            .iter()
            .find(|s| s.short_name().as_bytes().eq_ignore_ascii_case(short))
    }
}

/// Finds a top-level command's metadata by name, ignoring case.
pub fn find(name: &str) -> Option<&'static CommandMeta> {
    find_bytes(name.as_bytes())
}

/// Finds a top-level command's metadata by name bytes, ignoring case. The
/// table is sorted by name, so this is a binary search.
pub fn find_bytes(name: &[u8]) -> Option<&'static CommandMeta> {
    let all = all();
    all.binary_search_by(|m| cmp_ignore_case(m.name.as_bytes(), name))
        .ok()
        .map(|i| &all[i])
}

/// Finds a command or subcommand by full name ("config|get"), ignoring case
/// (Redis `lookupCommandBySds`): more than one '|' finds nothing.
pub fn find_fullname(name: &[u8]) -> Option<&'static CommandMeta> {
    let mut parts = name.split(|&b| b == b'|');
    let top = find_bytes(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(top),
        (Some(sub), None) => top.subcommand(sub),
        _ => None,
    }
}

/// Compares a lower-case table name with any-case bytes as if both were lower.
fn cmp_ignore_case(table: &[u8], other: &[u8]) -> std::cmp::Ordering {
    let a = table.iter();
    let b = other.iter().map(|c| c.to_ascii_lowercase());
    a.copied().cmp(b)
}

/// All top-level commands Redis 7.0 knows, with or without a handler here.
pub fn all() -> &'static [CommandMeta] {
    super::meta_data::COMMANDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sane(m: &CommandMeta, parent: Option<&CommandMeta>) {
        assert!(m.arity != 0, "{}", m.name);
        assert_eq!(m.name, m.name.to_ascii_lowercase(), "{}", m.name);
        match parent {
            None => assert!(!m.name.contains('|'), "{}", m.name),
            Some(p) => assert_eq!(m.name, format!("{}|{}", p.name, m.short_name())),
        }
        assert!(m.acl < 1 << acl::NAMES.len(), "{}", m.name);
        assert!(!m.docs.summary.is_empty(), "{}", m.name);
        assert!(m.docs.since.chars().all(|c| c.is_ascii_digit() || c == '.'));
        for ks in m.key_specs {
            assert!(ks.flags < 1 << key::NAMES.len(), "{}", m.name);
            if let FindKeys::Range { keystep, .. } | FindKeys::Keynum { keystep, .. } = ks.find_keys
            {
                assert!(keystep > 0, "{}", m.name);
            }
        }
        check_args(m, m.docs.args);
        // Write and read-only are exclusive; write implies the @write category.
        assert!(
            !(m.has(flags::WRITE) && m.has(flags::READONLY)),
            "{}",
            m.name
        );
        if m.has(flags::WRITE) {
            assert!(m.acl & acl::WRITE != 0, "{}", m.name);
        }
        for w in m.subcommands.windows(2) {
            assert!(w[0].name < w[1].name, "subcommands of {} unsorted", m.name);
        }
        for s in m.subcommands {
            sane(s, Some(m));
        }
    }

    fn check_args(m: &CommandMeta, args: &[Arg]) {
        for a in args {
            let container = matches!(a.kind, ArgType::OneOf | ArgType::Block);
            assert_eq!(container, !a.args.is_empty(), "{} {}", m.name, a.name);
            assert!(a.key_spec_index < m.key_specs.len() as i32, "{}", m.name);
            if a.kind == ArgType::Key {
                assert!(a.key_spec_index >= 0, "{} {}", m.name, a.name);
            }
            if a.kind == ArgType::PureToken {
                assert!(a.token.is_some(), "{} {}", m.name, a.name);
            }
            check_args(m, a.args);
        }
    }

    #[test]
    fn every_row_is_sane_and_sorted() {
        let all = all();
        assert!(all.len() >= 200);
        for w in all.windows(2) {
            assert!(w[0].name < w[1].name, "{} >= {}", w[0].name, w[1].name);
        }
        for m in all {
            sane(m, None);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(find("get").map(|m| m.arity), Some(2));
        assert_eq!(find("GeT").map(|m| m.name), Some("get"));
        assert!(find("nosuch").is_none());
        assert_eq!(
            find_fullname(b"CONFIG|get").map(|m| m.name),
            Some("config|get")
        );
        assert!(find_fullname(b"config|get|x").is_none());
        assert!(find_fullname(b"get|x").is_none());
        let names: Vec<_> = bit_names(flags::READONLY | flags::FAST, &flags::NAMES).collect();
        assert_eq!(names, ["readonly", "fast"]);
        assert_eq!(acl::by_name(b"Admin"), Some(acl::ADMIN));
    }

    #[test]
    fn hidden_flags_are_kept() {
        assert!(find("debug").is_some_and(|m| m.has(flags::PROTECTED)));
        let load = find_fullname(b"module|load");
        assert!(load.is_some_and(|m| m.has(flags::PROTECTED)));
    }
}
