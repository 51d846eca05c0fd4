//! The config table's types and their generic behaviour (Redis config.c
//! `standardConfig`, `typeInterface` and the bool/string/enum/numeric type
//! implementations). The rows themselves are in `table_data.rs`.

use super::parse::{memtoull, strtoll, yes_no};
use super::rewrite::RewriteState;
use super::Config;
use crate::util::args::repr;
use crate::util::num::string2ll;

/// Entry flags (Redis *_CONFIG flags).
pub mod flag {
    /// Only settable at startup (config file or command line).
    pub const IMMUTABLE: u32 = 1 << 0;
    /// Refused by CONFIG SET unless enable-protected-configs allows it.
    pub const PROTECTED: u32 = 1 << 1;
    /// Its CONFIG SET value is redacted (`Client::redacted`) from SLOWLOG.
    pub const SENSITIVE: u32 = 1 << 2;
    /// Only an exact name finds it in CONFIG GET, never a pattern.
    pub const HIDDEN: u32 = 1 << 3;
    /// Refused by CONFIG SET while the dataset is loading.
    pub const DENY_LOADING: u32 = 1 << 4;
    /// Listed in the crash report's config section.
    pub const DEBUG: u32 = 1 << 5;
    /// Takes several arguments (CONFIG SET splits its value on spaces).
    pub const MULTI_ARG: u32 = 1 << 6;
}

/// Numeric entry flags (Redis MEMORY_CONFIG, PERCENT_CONFIG, OCTAL_CONFIG).
pub mod numflag {
    pub const MEMORY: u8 = 1 << 0;
    pub const PERCENT: u8 = 1 << 1;
    pub const OCTAL: u8 = 1 << 2;
}

/// What the server must do after a value changed through CONFIG SET (Redis
/// apply functions). The server runs each distinct one once, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    None,
    /// Reopen the TCP listeners on the new port (Redis `updatePort`).
    Port,
    /// Reopen the TCP listeners on the new addresses (Redis `applyBind`).
    Bind,
    /// Adjust the open files limit (Redis `updateMaxclients`).
    MaxClients,
    /// Clamp hz into 1..=500 (Redis `updateHZ`).
    Hz,
    /// Tell the logger the new verbosity.
    LogLevel,
    /// Write /proc/self/oom_score_adj (Redis `updateOOMScoreAdj`).
    OomScoreAdj,
    /// Set the process title again (Redis `updateProcTitleTemplate`).
    ProcTitle,
    /// Copy latency-tracking settings into the latency monitor.
    Latency,
    /// Turn the AOF on or off (Redis `updateAppendonly`).
    AppendOnly,
    /// aof-disable-auto-gc no removes history files at once (persistence/aof).
    AofAutoGc,
    /// Start evicting down to the new maxmemory (Redis `updateMaxmemory`).
    MaxMemory,
    /// Arm or stop the software watchdog (Redis `applyWatchdogPeriod`).
    Watchdog,
    /// Install or remove the fatal-signal report handler (Redis
    /// `updateSighandlerEnabled`).
    CrashLog,
    /// Create or drop the client eviction buckets (conn/evict.rs).
    MaxmemoryClients,
}

/// The C type behind a numeric config: it decides how bounds are compared
/// (signed or unsigned) as in Redis's `numericBoundaryCheck`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumType {
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    SizeT,
    SSizeT,
    TimeT,
    OffT,
}

impl NumType {
    fn unsigned_bounds(self) -> bool {
        matches!(self, NumType::UInt | NumType::ULongLong | NumType::SizeT)
    }
}

pub type BoolCheck = fn(bool) -> Result<(), &'static str>;
pub type NumCheck = fn(i64) -> Result<(), &'static str>;
pub type StrCheck = fn(&Config, &[u8]) -> Result<(), &'static str>;

/// A config with its own syntax (Redis `createSpecialConfig`).
pub struct Special {
    /// Parses every argument of the directive; the error is Redis's reason.
    pub set: fn(&mut Config, &[Vec<u8>]) -> Result<(), String>,
    pub get: fn(&Config) -> String,
    pub rewrite: fn(&Config, &str, &mut RewriteState),
    /// Sets the startup default.
    pub init: fn(&mut Config),
}

/// The type of an entry, its default and its accessors into [`Config`].
pub enum Kind {
    Bool {
        default: bool,
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
        check: Option<BoolCheck>,
    },
    Num {
        ty: NumType,
        /// `numflag` bits.
        nflags: u8,
        min: i64,
        max: i64,
        default: i64,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
        check: Option<NumCheck>,
    },
    /// With MULTI_ARG the values are bit flags that combine.
    Enum {
        values: &'static [(&'static str, i64)],
        default: i64,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
        check: Option<NumCheck>,
    },
    /// `default: None` is Redis's NULL. With `empty_is_null`, "" reads as NULL.
    Str {
        default: Option<&'static str>,
        empty_is_null: bool,
        get: for<'a> fn(&'a Config) -> &'a str,
        set: fn(&mut Config, String),
        check: Option<StrCheck>,
    },
    Special(&'static Special),
}

/// One row of the config table.
pub struct ConfigEntry {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
    pub apply: Apply,
}

/// A name a config answers to: its own name or its alias. Redis registers an
/// alias as a second config (ALIAS_CONFIG), so the two are distinct for
/// CONFIG GET patterns and CONFIG SET duplicate checks.
#[derive(Clone, Copy)]
pub struct Instance {
    pub entry: &'static ConfigEntry,
    pub alias: bool,
}

impl Instance {
    pub fn name(&self) -> &'static str {
        match (self.alias, self.entry.alias) {
            (true, Some(a)) => a,
            _ => self.entry.name,
        }
    }

    /// True when both are the same registered config (same entry, same name).
    pub fn same(&self, other: &Instance) -> bool {
        std::ptr::eq(self.entry, other.entry) && self.alias == other.alias
    }
}

/// Every entry, in table order.
pub fn entries() -> impl Iterator<Item = &'static ConfigEntry> {
    super::table_data::ENTRIES.iter()
}

/// Every registered name: each entry, then its alias.
pub fn instances() -> impl Iterator<Item = Instance> {
    entries().flat_map(|e| {
        let alias = e.alias.map(|_| Instance {
            entry: e,
            alias: true,
        });
        std::iter::once(Instance {
            entry: e,
            alias: false,
        })
        .chain(alias)
    })
}

/// The entry behind a name or alias, ignoring case.
pub fn find(name: &[u8]) -> Option<&'static ConfigEntry> {
    lookup(name).map(|i| i.entry)
}

/// Finds a config by name or alias, ignoring case (Redis `lookupConfig`).
pub fn lookup(name: &[u8]) -> Option<Instance> {
    instances().find(|i| name.eq_ignore_ascii_case(i.name().as_bytes()))
}

impl ConfigEntry {
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    /// Stores the default value.
    pub fn init(&self, c: &mut Config) {
        match &self.kind {
            Kind::Bool { default, set, .. } => set(c, *default),
            Kind::Num { default, set, .. } => set(c, *default),
            Kind::Enum { default, set, .. } => set(c, *default),
            Kind::Str { default, set, .. } => set(c, default.unwrap_or("").to_string()),
            Kind::Special(s) => (s.init)(c),
        }
    }

    /// Parses and stores a value. `args` holds exactly one argument unless
    /// the entry is MULTI_ARG. The error is Redis's reason text.
    pub fn set(&self, c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
        let first = args.first().map(|a| a.as_slice()).unwrap_or(b"");
        match &self.kind {
            Kind::Bool { set, check, .. } => {
                let v = yes_no(first).ok_or("argument must be 'yes' or 'no'")?;
                if let Some(check) = check {
                    check(v)?;
                }
                set(c, v);
            }
            Kind::Num {
                ty,
                nflags,
                min,
                max,
                set,
                check,
                ..
            } => {
                let v = parse_numeric(first, *nflags)?;
                bounds_check(v, *ty, *nflags, *min, *max)?;
                if let Some(check) = check {
                    check(v)?;
                }
                set(c, v);
            }
            Kind::Enum {
                values, set, check, ..
            } => {
                let v = parse_enum(args, values, self.has(flag::MULTI_ARG))?;
                if let Some(check) = check {
                    check(v)?;
                }
                set(c, v);
            }
            Kind::Str { set, check, .. } => {
                if let Some(check) = check {
                    check(c, first)?;
                }
                set(c, String::from_utf8_lossy(first).into_owned());
            }
            Kind::Special(s) => (s.set)(c, args)?,
        }
        Ok(())
    }

    /// The value as CONFIG GET shows it.
    pub fn get(&self, c: &Config) -> String {
        match &self.kind {
            Kind::Bool { get, .. } => if get(c) { "yes" } else { "no" }.into(),
            Kind::Num { get, nflags, .. } => format_numeric(get(c), *nflags),
            Kind::Enum { values, get, .. } => enum_name(values, get(c), self.has(flag::MULTI_ARG)),
            Kind::Str { get, .. } => get(c).to_string(),
            Kind::Special(s) => (s.get)(c),
        }
    }

    /// Writes this entry's line(s) into a CONFIG REWRITE state.
    pub fn rewrite(&self, c: &Config, st: &mut RewriteState) {
        let name = self.name;
        match &self.kind {
            Kind::Bool { default, get, .. } => {
                let v = get(c);
                let line = format!("{} {}", name, if v { "yes" } else { "no" });
                st.rewrite_line(name, line.into_bytes(), v != *default);
            }
            Kind::Num {
                default,
                get,
                nflags,
                ..
            } => {
                let (text, force) = rewrite_numeric(get(c), *default, *nflags);
                st.rewrite_line(name, format!("{} {}", name, text).into_bytes(), force);
            }
            Kind::Enum { default, get, .. } => {
                let v = get(c);
                let line = format!("{} {}", name, self.get(c));
                st.rewrite_line(name, line.into_bytes(), v != *default);
            }
            Kind::Str {
                default,
                empty_is_null,
                get,
                ..
            } => rewrite_string(st, name, get(c), *default, *empty_is_null),
            Kind::Special(s) => (s.rewrite)(c, name, st),
        }
    }
}

/// Redis `rewriteConfigStringOption`: NULL strings drop the directive.
pub fn rewrite_string(
    st: &mut RewriteState,
    name: &str,
    value: &str,
    default: Option<&str>,
    empty_is_null: bool,
) {
    if empty_is_null && value.is_empty() {
        st.mark_processed(name);
        return;
    }
    let force = default != Some(value);
    let mut line = format!("{} ", name).into_bytes();
    repr(&mut line, value.as_bytes());
    st.rewrite_line(name, line, force);
}

/// Redis `numericParseString`: memory units, then percent, then octal, and
/// a plain integer only for entries without such flags.
fn parse_numeric(v: &[u8], nflags: u8) -> Result<i64, &'static str> {
    if nflags & numflag::MEMORY != 0 {
        if let Some(n) = memtoull(v) {
            return Ok(n as i64);
        }
    }
    if nflags & numflag::PERCENT != 0 && v.len() > 1 && v.ends_with(b"%") {
        if let Some(n) = string2ll(&v[..v.len() - 1]).filter(|n| *n >= 0) {
            return Ok(-n);
        }
    }
    if nflags & numflag::OCTAL != 0 {
        let r = strtoll(v, 8);
        if !r.overflow && r.complete(v) {
            return Ok(r.value);
        }
    }
    if nflags == 0 {
        if let Some(n) = string2ll(v) {
            return Ok(n);
        }
    }
    Err(
        if nflags & numflag::MEMORY != 0 && nflags & numflag::PERCENT != 0 {
            "argument must be a memory or percent value"
        } else if nflags & numflag::MEMORY != 0 {
            "argument must be a memory value"
        } else if nflags & numflag::OCTAL != 0 {
            "argument couldn't be parsed as an octal number"
        } else {
            "argument couldn't be parsed into an integer"
        },
    )
}

/// Redis `numericBoundaryCheck`.
fn bounds_check(v: i64, ty: NumType, nflags: u8, min: i64, max: i64) -> Result<(), String> {
    if ty.unsigned_bounds() {
        let (u, lo, hi) = (v as u64, min as u64, max as u64);
        if u > hi || u < lo {
            return Err(if nflags & numflag::OCTAL != 0 {
                format!("argument must be between {:o} and {:o} inclusive", lo, hi)
            } else {
                format!("argument must be between {} and {} inclusive", lo, hi)
            });
        }
    } else if nflags & numflag::PERCENT != 0 && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
    } else if v > max || v < min {
        return Err(format!(
            "argument must be between {} and {} inclusive",
            min, max
        ));
    }
    Ok(())
}

/// Redis `numericConfigGet`.
fn format_numeric(v: i64, nflags: u8) -> String {
    if nflags & numflag::PERCENT != 0 && v < 0 {
        format!("{}%", v.unsigned_abs())
    } else if nflags & numflag::MEMORY != 0 {
        (v as u64).to_string()
    } else if nflags & numflag::OCTAL != 0 {
        format!("{:o}", v as u64)
    } else {
        v.to_string()
    }
}

/// Redis `numericConfigRewrite`: the text after the name and whether the
/// line must be written even if absent from the file.
fn rewrite_numeric(v: i64, default: i64, nflags: u8) -> (String, bool) {
    if nflags & numflag::PERCENT != 0 && v < 0 {
        (format!("{}%", -v), -v != default)
    } else if nflags & numflag::MEMORY != 0 {
        (super::parse::format_memory(v), v != default)
    } else if nflags & numflag::OCTAL != 0 {
        (format!("{:o}", v as u64), v != default)
    } else {
        (v.to_string(), v != default)
    }
}

/// Redis `configEnumGetValue`: with bit flags every argument must name a
/// value and the values combine.
fn parse_enum(args: &[Vec<u8>], values: &[(&str, i64)], bitflags: bool) -> Result<i64, String> {
    let bad = || {
        let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
        format!(
            "argument(s) must be one of the following: {}",
            names.join(", ")
        )
    };
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return Err(bad());
    }
    let mut result = 0;
    for a in args {
        let mut matched = false;
        for (name, v) in values {
            if a.eq_ignore_ascii_case(name.as_bytes()) {
                result |= v;
                matched = true;
            }
        }
        if !matched {
            return Err(bad());
        }
    }
    Ok(result)
}

/// Redis `configEnumGetName`: an exact value's name, else (bit flags) the
/// names of the set bits in table order, else "unknown".
pub fn enum_name(values: &[(&str, i64)], v: i64, bitflags: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = v;
    for (name, val) in values {
        if *val == v {
            return name.to_string();
        }
        if bitflags && *val != 0 && *val == (unmatched & val) {
            names.push(name);
            unmatched &= !val;
        }
    }
    if names.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    names.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_parsing_follows_flags() {
        use numflag::*;
        assert_eq!(parse_numeric(b"1kb", MEMORY), Ok(1024));
        assert_eq!(parse_numeric(b"12", 0), Ok(12));
        assert!(parse_numeric(b"1kb", 0).is_err());
        assert_eq!(parse_numeric(b"10%", MEMORY | PERCENT), Ok(-10));
        assert_eq!(
            parse_numeric(b"-1%", MEMORY | PERCENT),
            Err("argument must be a memory or percent value")
        );
        assert_eq!(parse_numeric(b"777", OCTAL), Ok(0o777));
        assert_eq!(parse_numeric(b"", OCTAL), Ok(0));
        assert_eq!(
            parse_numeric(b"9", OCTAL),
            Err("argument couldn't be parsed as an octal number")
        );
    }

    #[test]
    fn bounds_use_the_c_type() {
        let e = bounds_check(-5, NumType::UInt, 0, 1, u32::MAX as i64).unwrap_err();
        assert_eq!(e, "argument must be between 1 and 4294967295 inclusive");
        let e = bounds_check(-1, NumType::UInt, numflag::OCTAL, 0, 0o777).unwrap_err();
        assert_eq!(e, "argument must be between 0 and 777 inclusive");
        let e = bounds_check(-200, NumType::SSizeT, 3, -100, i64::MAX).unwrap_err();
        assert_eq!(e, "percentage argument must be less or equal to 100");
        assert!(bounds_check(-5, NumType::ULong, 0, 0, i64::MAX).is_err());
        assert!(bounds_check(-1, NumType::ULongLong, 1, 0, -1).is_ok());
    }

    #[test]
    fn enum_names_and_flags() {
        let v = crate::config::SHUTDOWN_FLAGS;
        assert_eq!(enum_name(v, 2 | 4, true), "nosave now");
        assert_eq!(enum_name(v, 0, true), "default");
        assert_eq!(enum_name(v, 16, true), "unknown");
        let args = vec![b"NOW".to_vec(), b"nosave".to_vec()];
        assert_eq!(parse_enum(&args, v, true), Ok(6));
        assert!(parse_enum(&args, v, false).is_err());
        assert!(parse_enum(&[], v, true).is_err());
        assert_eq!(enum_name(crate::config::OOM_SCORE_ADJ, 1, false), "yes");
    }
}
