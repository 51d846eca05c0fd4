//! The config table (Redis config.c `standardConfig` array).

use super::{Config, LOGLEVELS, PROTECTION};
use crate::util::num::{memtoull, string2ll};

/// Entry flags (Redis *_CONFIG flags).
pub mod flag {
    /// Only settable at startup.
    pub const IMMUTABLE: u32 = 1 << 0;
    /// Refused by CONFIG SET unless enable-protected-configs allows it.
    pub const PROTECTED: u32 = 1 << 1;
    /// Value hidden from logs (passwords).
    pub const SENSITIVE: u32 = 1 << 2;
    /// Not matched by glob patterns in CONFIG GET (only by exact name).
    pub const HIDDEN: u32 = 1 << 3;
    /// CONFIG REWRITE leaves it out.
    pub const NO_REWRITE: u32 = 1 << 4;
}

/// What the server must do after a value changes at runtime (Redis apply functions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    None,
    Listeners,
    LogLevel,
    MaxClients,
    Hz,
}

/// The type of an entry and its accessors into [`Config`].
#[derive(Clone, Copy)]
pub enum Kind {
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    /// An integer; `memory` accepts units like "1gb" (and formats plainly).
    Int {
        min: i64,
        max: i64,
        memory: bool,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
    },
    Enum {
        values: &'static [(&'static str, i64)],
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
    },
    Str {
        get: fn(&Config) -> String,
        set: fn(&mut Config, String),
    },
    /// Custom syntax: parse takes every argument of the directive.
    Special {
        parse: fn(&mut Config, &[Vec<u8>]) -> Result<(), String>,
        format: fn(&Config) -> String,
    },
}

/// One row of the config table.
#[derive(Clone, Copy)]
pub struct ConfigEntry {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub default: &'static str,
    pub kind: Kind,
    pub apply: Apply,
}

impl ConfigEntry {
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    /// Parses `args` and stores the value. Errors are Redis's reason text.
    pub fn set(&self, c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
        if let Kind::Special { parse, .. } = self.kind {
            return parse(c, args);
        }
        if args.len() != 1 {
            return Err("wrong number of arguments".into());
        }
        let v = &args[0];
        match self.kind {
            Kind::Bool { set, .. } => set(c, parse_bool(v)?),
            Kind::Int {
                min,
                max,
                memory,
                set,
                ..
            } => set(c, parse_int(v, min, max, memory)?),
            Kind::Enum { values, set, .. } => set(c, parse_enum(v, values)?),
            Kind::Str { set, .. } => set(c, String::from_utf8_lossy(v).into_owned()),
            Kind::Special { .. } => unreachable!(),
        }
        Ok(())
    }

    /// The value as CONFIG GET shows it.
    pub fn get(&self, c: &Config) -> String {
        match self.kind {
            Kind::Bool { get, .. } => if get(c) { "yes" } else { "no" }.into(),
            Kind::Int { get, .. } => get(c).to_string(),
            Kind::Enum { values, get, .. } => {
                let v = get(c);
                values
                    .iter()
                    .find(|(_, x)| *x == v)
                    .map(|(n, _)| n.to_string())
                    .unwrap_or_default()
            }
            Kind::Str { get, .. } => get(c),
            Kind::Special { format, .. } => format(c),
        }
    }

    pub fn set_default(&self, c: &mut Config) {
        let args = crate::util::args::split_args(self.default.as_bytes()).unwrap_or_default();
        let args = if args.is_empty() && !matches!(self.kind, Kind::Special { .. }) {
            vec![Vec::new()]
        } else {
            args
        };
        if let Err(e) = self.set(c, &args) {
            panic!("bad default for config '{}': {}", self.name, e);
        }
    }
}

fn parse_bool(v: &[u8]) -> Result<bool, String> {
    if v.eq_ignore_ascii_case(b"yes") {
        Ok(true)
    } else if v.eq_ignore_ascii_case(b"no") {
        Ok(false)
    } else {
        Err("argument must be 'yes' or 'no'".into())
    }
}

fn parse_int(v: &[u8], min: i64, max: i64, memory: bool) -> Result<i64, String> {
    let n = if memory {
        match memtoull(v) {
            Some(n) if n <= i64::MAX as u64 => Some(n as i64),
            _ => string2ll(v),
        }
    } else {
        string2ll(v)
    };
    let Some(n) = n else {
        return Err(if memory {
            "argument must be a memory value"
        } else {
            "argument couldn't be parsed into an integer"
        }
        .into());
    };
    if n < min || n > max {
        return Err(format!(
            "argument must be between {} and {} inclusive",
            min, max
        ));
    }
    Ok(n)
}

fn parse_enum(v: &[u8], values: &[(&str, i64)]) -> Result<i64, String> {
    for (name, val) in values {
        if v.eq_ignore_ascii_case(name.as_bytes()) {
            return Ok(*val);
        }
    }
    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    Err(format!(
        "argument(s) must be one of the following: {}",
        names.join(", ")
    ))
}

macro_rules! bool_cfg {
    ($name:expr, $alias:expr, $flags:expr, $field:ident, $default:expr, $apply:expr) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            default: $default,
            kind: Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
            apply: $apply,
        }
    };
}

macro_rules! int_cfg {
    ($name:expr, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $mem:expr, $default:expr, $apply:expr) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            default: $default,
            kind: Kind::Int {
                min: $min,
                max: $max,
                memory: $mem,
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
            apply: $apply,
        }
    };
}

macro_rules! enum_cfg {
    ($name:expr, $alias:expr, $flags:expr, $field:ident, $values:expr, $default:expr, $apply:expr) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            default: $default,
            kind: Kind::Enum {
                values: $values,
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
            apply: $apply,
        }
    };
}

macro_rules! str_cfg {
    ($name:expr, $alias:expr, $flags:expr, $field:ident, $default:expr, $apply:expr) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            default: $default,
            kind: Kind::Str {
                get: |c| c.$field.clone(),
                set: |c, v| c.$field = v,
            },
            apply: $apply,
        }
    };
}

use flag::*;
const NONE: u32 = 0;
const LLMAX: i64 = i64::MAX;
const INTMAX: i64 = i32::MAX as i64;

/// The whole table.
pub fn entries() -> &'static [ConfigEntry] {
    ENTRIES
}

/// Finds an entry by name or alias, case-insensitively.
pub fn find(name: &[u8]) -> Option<&'static ConfigEntry> {
    ENTRIES.iter().find(|e| {
        name.eq_ignore_ascii_case(e.name.as_bytes())
            || e.alias
                .is_some_and(|a| name.eq_ignore_ascii_case(a.as_bytes()))
    })
}

static ENTRIES: &[ConfigEntry] = &[
    int_cfg!(
        "port",
        None,
        NONE,
        port,
        0,
        65535,
        false,
        "6379",
        Apply::Listeners
    ),
    ConfigEntry {
        name: "bind",
        alias: None,
        flags: NONE,
        default: "* -::*",
        kind: Kind::Special {
            parse: parse_bind,
            format: |c| c.bind.join(" "),
        },
        apply: Apply::Listeners,
    },
    str_cfg!("unixsocket", None, IMMUTABLE, unixsocket, "", Apply::None),
    int_cfg!(
        "unixsocketperm",
        None,
        IMMUTABLE,
        unixsocketperm,
        0,
        0o777,
        false,
        "0",
        Apply::None
    ),
    int_cfg!(
        "tcp-backlog",
        None,
        IMMUTABLE,
        tcp_backlog,
        0,
        INTMAX,
        false,
        "511",
        Apply::None
    ),
    int_cfg!(
        "tcp-keepalive",
        None,
        NONE,
        tcp_keepalive,
        0,
        INTMAX,
        false,
        "300",
        Apply::None
    ),
    int_cfg!(
        "timeout",
        None,
        NONE,
        timeout,
        0,
        INTMAX,
        false,
        "0",
        Apply::None
    ),
    bool_cfg!(
        "protected-mode",
        None,
        NONE,
        protected_mode,
        "yes",
        Apply::None
    ),
    int_cfg!(
        "maxclients",
        None,
        NONE,
        maxclients,
        1,
        INTMAX,
        false,
        "10000",
        Apply::MaxClients
    ),
    bool_cfg!("daemonize", None, IMMUTABLE, daemonize, "no", Apply::None),
    str_cfg!("pidfile", None, IMMUTABLE, pidfile, "", Apply::None),
    enum_cfg!(
        "loglevel",
        None,
        NONE,
        loglevel,
        LOGLEVELS,
        "notice",
        Apply::LogLevel
    ),
    str_cfg!("logfile", None, IMMUTABLE, logfile, "", Apply::None),
    bool_cfg!(
        "always-show-logo",
        None,
        IMMUTABLE,
        always_show_logo,
        "no",
        Apply::None
    ),
    int_cfg!(
        "databases",
        None,
        IMMUTABLE,
        databases,
        1,
        INTMAX,
        false,
        "16",
        Apply::None
    ),
    int_cfg!("hz", None, NONE, hz, 0, INTMAX, false, "10", Apply::Hz),
    bool_cfg!("dynamic-hz", None, NONE, dynamic_hz, "yes", Apply::None),
    str_cfg!("dir", None, PROTECTED, dir, "", Apply::None),
    str_cfg!("requirepass", None, SENSITIVE, requirepass, "", Apply::None),
    enum_cfg!(
        "enable-debug-command",
        None,
        IMMUTABLE,
        enable_debug_command,
        PROTECTION,
        "no",
        Apply::None
    ),
    enum_cfg!(
        "enable-protected-configs",
        None,
        IMMUTABLE,
        enable_protected_configs,
        PROTECTION,
        "no",
        Apply::None
    ),
    enum_cfg!(
        "enable-module-command",
        None,
        IMMUTABLE,
        enable_module_command,
        PROTECTION,
        "no",
        Apply::None
    ),
    int_cfg!(
        "proto-max-bulk-len",
        None,
        NONE,
        proto_max_bulk_len,
        1024 * 1024,
        LLMAX,
        true,
        "536870912",
        Apply::None
    ),
    int_cfg!(
        "client-query-buffer-limit",
        None,
        NONE,
        client_query_buffer_limit,
        1024 * 1024,
        LLMAX,
        true,
        "1073741824",
        Apply::None
    ),
    int_cfg!(
        "maxmemory",
        None,
        NONE,
        maxmemory,
        0,
        LLMAX,
        true,
        "0",
        Apply::None
    ),
    ConfigEntry {
        name: "save",
        alias: None,
        flags: NONE,
        default: "3600 1 300 100 60 10000",
        kind: Kind::Special {
            parse: parse_save,
            format: format_save,
        },
        apply: Apply::None,
    },
    str_cfg!(
        "dbfilename",
        None,
        PROTECTED,
        dbfilename,
        "dump.rdb",
        Apply::None
    ),
    int_cfg!(
        "slowlog-log-slower-than",
        None,
        NONE,
        slowlog_log_slower_than,
        -1,
        LLMAX,
        false,
        "10000",
        Apply::None
    ),
    int_cfg!(
        "slowlog-max-len",
        None,
        NONE,
        slowlog_max_len,
        0,
        LLMAX,
        false,
        "128",
        Apply::None
    ),
    int_cfg!(
        "latency-monitor-threshold",
        None,
        NONE,
        latency_monitor_threshold,
        0,
        LLMAX,
        false,
        "0",
        Apply::None
    ),
    // Keyspace, expiry, eviction policy (keyspace helper).
    enum_cfg!(
        "maxmemory-policy",
        None,
        NONE,
        maxmemory_policy,
        crate::keyspace::evict::POLICIES,
        "noeviction",
        Apply::None
    ),
    int_cfg!(
        "lfu-log-factor",
        None,
        NONE,
        lfu_log_factor,
        0,
        INTMAX,
        false,
        "10",
        Apply::None
    ),
    // Lists (lists helper).
    int_cfg!(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        NONE,
        list_max_listpack_size,
        i32::MIN as i64,
        INTMAX,
        false,
        "-2",
        Apply::None
    ),
    int_cfg!(
        "list-compress-depth",
        None,
        NONE,
        list_compress_depth,
        0,
        INTMAX,
        false,
        "0",
        Apply::None
    ),
    int_cfg!(
        "lfu-decay-time",
        None,
        NONE,
        lfu_decay_time,
        0,
        INTMAX,
        false,
        "1",
        Apply::None
    ),
    int_cfg!(
        "active-expire-effort",
        None,
        NONE,
        active_expire_effort,
        1,
        10,
        false,
        "1",
        Apply::None
    ),
    bool_cfg!(
        "activerehashing",
        None,
        NONE,
        activerehashing,
        "yes",
        Apply::None
    ),
    bool_cfg!(
        "lazyfree-lazy-eviction",
        None,
        NONE,
        lazyfree_lazy_eviction,
        "no",
        Apply::None
    ),
    bool_cfg!(
        "lazyfree-lazy-expire",
        None,
        NONE,
        lazyfree_lazy_expire,
        "no",
        Apply::None
    ),
    bool_cfg!(
        "lazyfree-lazy-server-del",
        None,
        NONE,
        lazyfree_lazy_server_del,
        "no",
        Apply::None
    ),
    bool_cfg!(
        "lazyfree-lazy-user-del",
        None,
        NONE,
        lazyfree_lazy_user_del,
        "no",
        Apply::None
    ),
    bool_cfg!(
        "lazyfree-lazy-user-flush",
        None,
        NONE,
        lazyfree_lazy_user_flush,
        "no",
        Apply::None
    ),
    ConfigEntry {
        name: "notify-keyspace-events",
        alias: None,
        flags: NONE,
        default: "",
        kind: Kind::Special {
            parse: crate::keyspace::notify::parse_config,
            format: crate::keyspace::notify::format_config,
        },
        apply: Apply::None,
    },
];

fn parse_bind(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    c.bind = args
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    Ok(())
}

fn parse_save(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() == 1 && args[0].is_empty() || args.is_empty() {
        c.save.clear();
        return Ok(());
    }
    if !args.len().is_multiple_of(2) {
        return Err("Invalid save parameters".into());
    }
    let mut points = Vec::new();
    for pair in args.chunks(2) {
        let secs = string2ll(&pair[0]).filter(|v| *v >= 1);
        let changes = string2ll(&pair[1]).filter(|v| *v >= 0);
        match (secs, changes) {
            (Some(s), Some(ch)) => points.push((s, ch)),
            _ => return Err("Invalid save parameters".into()),
        }
    }
    c.save = points;
    Ok(())
}

fn format_save(c: &Config) -> String {
    c.save
        .iter()
        .map(|(s, ch)| format!("{} {}", s, ch))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let c = Config::with_defaults();
        assert_eq!(c.port, 6379);
        assert_eq!(c.bind, vec!["*", "-::*"]);
        assert_eq!(c.save, vec![(3600, 1), (300, 100), (60, 10000)]);
        assert_eq!(c.proto_max_bulk_len, 512 * 1024 * 1024);
        assert_eq!(find(b"PORT").unwrap().get(&c), "6379");
    }

    #[test]
    fn int_bounds_text() {
        let e = find(b"port").unwrap();
        let mut c = Config::with_defaults();
        let err = e.set(&mut c, &[b"70000".to_vec()]).unwrap_err();
        assert_eq!(err, "argument must be between 0 and 65535 inclusive");
    }
}
