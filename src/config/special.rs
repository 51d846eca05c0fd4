//! Configs with their own syntax (Redis config.c `createSpecialConfig` rows:
//! dir, save, client-output-buffer-limit, oom-score-adj-values,
//! notify-keyspace-events, bind, replicaof, latency-tracking-info-percentiles)
//! and the validity checks of the ordinary rows.

use super::parse::{c_str, fmt_f_trimmed, format_memory, string2d, strtoll};
use super::table::{rewrite_string, Special};
use super::{notify, Config, ObufLimit};

/// Redis CONFIG_DEFAULT_BINDADDR.
const DEFAULT_BIND: [&str; 2] = ["*", "-::*"];
/// Redis CONFIG_BINDADDR_MAX.
const BINDADDR_MAX: usize = 16;
/// Redis `configOOMScoreAdjValuesDefaults`.
pub const OOM_DEFAULTS: [i64; 3] = [0, 200, 800];
/// Redis `clientBufferLimitsDefaults`.
pub const OBUF_DEFAULTS: [ObufLimit; 3] = [
    ObufLimit {
        hard_limit_bytes: 0,
        soft_limit_bytes: 0,
        soft_limit_seconds: 0,
    },
    ObufLimit {
        hard_limit_bytes: 256 << 20,
        soft_limit_bytes: 64 << 20,
        soft_limit_seconds: 60,
    },
    ObufLimit {
        hard_limit_bytes: 32 << 20,
        soft_limit_bytes: 8 << 20,
        soft_limit_seconds: 60,
    },
];
const OBUF_CLASS_NAMES: [&str; 3] = ["normal", "slave", "pubsub"];

fn one_arg(args: &[Vec<u8>]) -> Result<&[u8], String> {
    match args {
        [a] => Ok(a),
        _ => Err("wrong number of arguments".into()),
    }
}

// ---- dir ----------------------------------------------------------------

pub static DIR: Special = Special {
    set: |c, args| {
        let path = String::from_utf8_lossy(c_str(one_arg(args)?)).into_owned();
        std::env::set_current_dir(&path).map_err(|e| crate::util::strerror(&e))?;
        c.dir = current_dir();
        Ok(())
    },
    get: |_| current_dir(),
    rewrite: |_, name, st| match std::env::current_dir() {
        Ok(p) => rewrite_string(st, name, &p.to_string_lossy(), None, false),
        Err(_) => st.mark_processed(name),
    },
    // Redis has no default: the directory is wherever the server started.
    init: |c| c.dir = current_dir(),
};

/// The working directory, or "" when it cannot be read (Redis `getcwd`).
pub fn current_dir() -> String {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

// ---- save ---------------------------------------------------------------

pub static SAVE: Special = Special {
    set: set_save,
    get: |c| {
        let parts: Vec<String> = c.save.iter().map(|(s, n)| format!("{} {}", s, n)).collect();
        parts.join(" ")
    },
    rewrite: |c, name, st| {
        if c.save.is_empty() {
            st.rewrite_line(name, b"save \"\"".to_vec(), true);
        }
        for (s, n) in &c.save {
            st.rewrite_line(name, format!("save {} {}", s, n).into_bytes(), true);
        }
        st.mark_processed(name);
    },
    init: |c| c.save = vec![(3600, 1), (300, 100), (60, 10000)],
};

/// In a config file the first `save` line replaces the default points and
/// later ones add to them; at runtime a value replaces them all.
fn set_save(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    // `save ""` always clears the points, even in the middle of a file.
    let args = if args.len() == 1 && args[0].is_empty() {
        c.save.clear();
        &args[..0]
    } else {
        args
    };
    if !args.len().is_multiple_of(2) {
        return Err("Invalid save parameters".into());
    }
    for (j, a) in args.iter().enumerate() {
        let r = strtoll(a, 10);
        let min = if j % 2 == 0 { 1 } else { 0 };
        if !r.complete(a) || r.value < min {
            return Err("Invalid save parameters".into());
        }
    }
    if !c.load_state.reading_file {
        c.save.clear();
    } else if !c.load_state.save_loaded {
        c.load_state.save_loaded = true;
        c.save.clear();
    }
    for pair in args.chunks(2) {
        let seconds = strtoll(&pair[0], 10).value;
        // Redis keeps the change count in an int.
        let changes = strtoll(&pair[1], 10).value as i32 as i64;
        c.save.push((seconds, changes));
    }
    Ok(())
}

// ---- client-output-buffer-limit ------------------------------------------

pub static CLIENT_OUTPUT_BUFFER_LIMIT: Special = Special {
    set: set_obuf_limits,
    get: |c| {
        let parts: Vec<String> = c
            .client_output_buffer_limit
            .iter()
            .zip(OBUF_CLASS_NAMES)
            .map(|(l, n)| {
                format!(
                    "{} {} {} {}",
                    n, l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                )
            })
            .collect();
        parts.join(" ")
    },
    rewrite: |c, name, st| {
        for (j, l) in c.client_output_buffer_limit.iter().enumerate() {
            let force = *l != OBUF_DEFAULTS[j];
            let class = if j == 1 {
                "replica"
            } else {
                OBUF_CLASS_NAMES[j]
            };
            let line = format!(
                "{} {} {} {} {}",
                name,
                class,
                format_memory(l.hard_limit_bytes as i64),
                format_memory(l.soft_limit_bytes as i64),
                l.soft_limit_seconds
            );
            st.rewrite_line(name, line.into_bytes(), force);
        }
    },
    init: |c| c.client_output_buffer_limit = OBUF_DEFAULTS,
};

/// Redis `getClientTypeByName`, limited to the classes that have limits.
fn obuf_class(name: &[u8]) -> Option<usize> {
    match name.to_ascii_lowercase().as_slice() {
        b"normal" => Some(0),
        b"slave" | b"replica" => Some(1),
        b"pubsub" => Some(2),
        _ => None,
    }
}

/// Redis `updateClientOutputBufferLimit`: all classes are checked before
/// any is changed.
fn set_obuf_limits(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut values = c.client_output_buffer_limit;
    for group in args.chunks(4) {
        let class = obuf_class(&group[0])
            .ok_or("Invalid client class specified in buffer limit configuration.".to_string())?;
        let hard = super::parse::memtoull(&group[1]);
        let soft = super::parse::memtoull(&group[2]);
        let secs = strtoll(&group[3], 10);
        // Redis stores the seconds in an int before checking the sign.
        let secs_int = secs.value as i32;
        match (hard, soft) {
            (Some(h), Some(s)) if secs_int >= 0 && secs.complete(&group[3]) => {
                values[class] = ObufLimit {
                    hard_limit_bytes: h,
                    soft_limit_bytes: s,
                    soft_limit_seconds: secs_int as i64,
                };
            }
            _ => {
                return Err(
                    "Error in hard, soft or soft_seconds setting in buffer limit \
                            configuration."
                        .into(),
                )
            }
        }
    }
    c.client_output_buffer_limit = values;
    Ok(())
}

// ---- oom-score-adj-values -------------------------------------------------

pub static OOM_SCORE_ADJ_VALUES: Special = Special {
    set: |c, args| {
        if args.len() != 3 {
            return Err("wrong number of arguments".into());
        }
        let mut values = [0i64; 3];
        for (v, a) in values.iter_mut().zip(args) {
            let r = strtoll(a, 10);
            if !r.complete(a) || !(-2000..=2000).contains(&r.value) {
                return Err(
                    "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
                );
            }
            *v = r.value;
        }
        c.oom_score_adj_values = values;
        Ok(())
    },
    get: |c| {
        let v = c.oom_score_adj_values;
        format!("{} {} {}", v[0], v[1], v[2])
    },
    rewrite: |c, name, st| {
        let v = c.oom_score_adj_values;
        let line = format!("{} {} {} {}", name, v[0], v[1], v[2]);
        st.rewrite_line(name, line.into_bytes(), v != OOM_DEFAULTS);
    },
    init: |c| c.oom_score_adj_values = OOM_DEFAULTS,
};

// ---- notify-keyspace-events -------------------------------------------------

pub static NOTIFY_KEYSPACE_EVENTS: Special = Special {
    set: |c, args| {
        let v = one_arg(args)?;
        c.notify_keyspace_events = keyspace_events_from_str(v)
            .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
        Ok(())
    },
    get: |c| keyspace_events_to_string(c.notify_keyspace_events),
    rewrite: |c, name, st| {
        let flags = keyspace_events_to_string(c.notify_keyspace_events);
        let mut line = format!("{} ", name).into_bytes();
        crate::util::args::repr(&mut line, flags.as_bytes());
        st.rewrite_line(name, line, c.notify_keyspace_events != 0);
    },
    init: |c| c.notify_keyspace_events = 0,
};

/// Redis `keyspaceEventsStringToFlags`: None for an unknown class character.
pub fn keyspace_events_from_str(s: &[u8]) -> Option<i64> {
    let mut flags = 0;
    for &ch in c_str(s) {
        flags |= match ch {
            b'A' => notify::ALL,
            b'g' => notify::GENERIC,
            b'$' => notify::STRING,
            b'l' => notify::LIST,
            b's' => notify::SET,
            b'h' => notify::HASH,
            b'z' => notify::ZSET,
            b'x' => notify::EXPIRED,
            b'e' => notify::EVICTED,
            b'K' => notify::KEYSPACE,
            b'E' => notify::KEYEVENT,
            b't' => notify::STREAM,
            b'm' => notify::KEY_MISS,
            b'd' => notify::MODULE,
            b'n' => notify::NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Redis `keyspaceEventsFlagsToString`.
pub fn keyspace_events_to_string(flags: i64) -> String {
    let mut s = String::new();
    if flags & notify::ALL == notify::ALL {
        s.push('A');
    } else {
        let classes = [
            (notify::GENERIC, 'g'),
            (notify::STRING, '$'),
            (notify::LIST, 'l'),
            (notify::SET, 's'),
            (notify::HASH, 'h'),
            (notify::ZSET, 'z'),
            (notify::EXPIRED, 'x'),
            (notify::EVICTED, 'e'),
            (notify::STREAM, 't'),
            (notify::MODULE, 'd'),
            (notify::NEW, 'n'),
        ];
        s.extend(
            classes
                .iter()
                .filter(|(f, _)| flags & f != 0)
                .map(|(_, c)| c),
        );
    }
    for (f, c) in [
        (notify::KEYSPACE, 'K'),
        (notify::KEYEVENT, 'E'),
        (notify::KEY_MISS, 'm'),
    ] {
        if flags & f != 0 {
            s.push(c);
        }
    }
    s
}

// ---- bind -------------------------------------------------------------------

pub static BIND: Special = Special {
    set: |c, args| {
        if args.len() > BINDADDR_MAX {
            return Err("Too many bind addresses specified.".into());
        }
        let args = if args.len() == 1 && args[0].is_empty() {
            &args[..0]
        } else {
            args
        };
        c.bind = args
            .iter()
            .map(|a| String::from_utf8_lossy(c_str(a)).into_owned())
            .collect();
        Ok(())
    },
    get: |c| c.bind.join(" "),
    rewrite: |c, name, st| {
        if c.bind == DEFAULT_BIND {
            st.mark_processed(name);
            return;
        }
        let addrs = if c.bind.is_empty() {
            "\"\"".to_string()
        } else {
            c.bind.join(" ")
        };
        st.rewrite_line(name, format!("{} {}", name, addrs).into_bytes(), true);
    },
    init: |c| c.bind = DEFAULT_BIND.iter().map(|s| s.to_string()).collect(),
};

// ---- replicaof ----------------------------------------------------------------

pub static REPLICAOF: Special = Special {
    set: |c, args| {
        if args.len() != 2 {
            return Err("wrong number of arguments".into());
        }
        c.replicaof = None;
        if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
            return Ok(());
        }
        let r = strtoll(&args[1], 10);
        // Redis keeps the port in an int.
        let port = r.value as i32 as i64;
        if !(0..=65535).contains(&port) || !r.complete(&args[1]) {
            return Err("Invalid master port".into());
        }
        c.replicaof = Some((String::from_utf8_lossy(&args[0]).into_owned(), port));
        Ok(())
    },
    get: |c| match &c.replicaof {
        Some((h, p)) => format!("{} {}", h, p),
        None => String::new(),
    },
    rewrite: |c, name, st| match &c.replicaof {
        Some((h, p)) if !c.cluster_enabled => {
            st.rewrite_line(name, format!("{} {} {}", name, h, p).into_bytes(), true)
        }
        _ => st.mark_processed(name),
    },
    init: |c| c.replicaof = None,
};

// ---- latency-tracking-info-percentiles -------------------------------------------

pub static LATENCY_PERCENTILES: Special = Special {
    set: |c, args| {
        c.latency_tracking_info_percentiles.clear();
        if args.len() == 1 && args[0].is_empty() {
            return Ok(());
        }
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            let v = string2d(a).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
            if !(0.0..=100.0).contains(&v) {
                return Err(
                    "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                        .into(),
                );
            }
            values.push(v);
        }
        c.latency_tracking_info_percentiles = values;
        Ok(())
    },
    get: |c| {
        let parts: Vec<String> = c
            .latency_tracking_info_percentiles
            .iter()
            .map(|v| fmt_f_trimmed(*v))
            .collect();
        parts.join(" ")
    },
    rewrite: |c, name, st| {
        let mut line = name.to_string();
        if c.latency_tracking_info_percentiles.is_empty() {
            line.push_str(" \"\"");
        }
        for v in &c.latency_tracking_info_percentiles {
            line.push(' ');
            line.push_str(&fmt_f_trimmed(*v));
        }
        st.rewrite_line(name, line.into_bytes(), true);
    },
    init: |c| c.latency_tracking_info_percentiles = vec![50.0, 99.0, 99.9],
};

// ---- validity checks of ordinary rows ------------------------------------------

/// Redis `pathIsBaseName`.
fn is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/') && !v.contains(&b'\\')
}

pub fn check_dbfilename(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    if !is_base_name(v) {
        return Err("dbfilename can't be a path, just a filename");
    }
    Ok(())
}

pub fn check_aof_filename(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appendfilename can't be empty");
    }
    if !is_base_name(v) {
        return Err("appendfilename can't be a path, just a filename");
    }
    Ok(())
}

pub fn check_aof_dirname(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appenddirname can't be empty");
    }
    if !is_base_name(v) {
        return Err("appenddirname can't be a path, just a dirname");
    }
    Ok(())
}

/// Redis `isValidAnnouncedHostname` (NET_HOST_STR_LEN is 256).
pub fn check_hostname(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    let v = c_str(v);
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if !v
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

/// Redis `isValidShutdownOnSigFlags`.
pub fn check_shutdown_flags(v: i64) -> Result<(), &'static str> {
    // SHUTDOWN_SAVE is 1, SHUTDOWN_NOSAVE is 2.
    if v & 1 != 0 && v & 2 != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    Ok(())
}

/// Redis `isValidActiveDefrag` in a build without HAVE_DEFRAG: active
/// defragmentation needs the defrag hint of Redis's patched jemalloc, which
/// the stock jemalloc ferrodis links lacks (Debian's redis-server behaves
/// the same way).
pub fn check_active_defrag(v: bool) -> Result<(), &'static str> {
    if v {
        return Err(
            "Active defragmentation cannot be enabled: it requires a Redis server \
                    compiled with a modified Jemalloc like the one shipped by default with the \
                    Redis source distribution",
        );
    }
    Ok(())
}

/// Redis `isValidProcTitleTemplate`: it must expand, with an empty title,
/// to something other than spaces.
pub fn check_proc_title(c: &Config, v: &[u8]) -> Result<(), &'static str> {
    match expand_proc_title(c, &String::from_utf8_lossy(c_str(v)), "") {
        Some(s) if !s.is_empty() => Ok(()),
        _ => Err("template format is invalid or contains unknown variables"),
    }
}

/// Redis `expandProcTitleTemplate`: `{name}` variables, `{{` for a brace,
/// then spaces trimmed. None for an unknown variable or an open brace.
pub fn expand_proc_title(c: &Config, template: &str, title: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return None;
        }
        if let Some(r) = after.strip_prefix('{') {
            out.push('{');
            rest = r;
            continue;
        }
        let close = after.find('}')?;
        out.push_str(&proc_title_variable(c, &after[..close], title)?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out.trim_matches(' ').to_string())
}

/// Redis `redisProcTitleGetVariable`.
fn proc_title_variable(c: &Config, name: &str, title: &str) -> Option<String> {
    Some(match name {
        "title" => title.to_string(),
        "listen-addr" if c.port != 0 || c.tls_port != 0 => format!(
            "{}:{}",
            c.bind.first().map(|s| s.as_str()).unwrap_or("*"),
            if c.port != 0 { c.port } else { c.tls_port }
        ),
        "listen-addr" => format!("unixsocket:{}", c.unixsocket),
        "server-mode" if c.cluster_enabled => "[cluster]".into(),
        "server-mode" => String::new(),
        // Redis shows "-" when the server runs without a config file.
        "config-file" => c.config_file.clone().unwrap_or_else(|| "-".into()),
        "port" => c.port.to_string(),
        "tls-port" => c.tls_port.to_string(),
        "unixsocket" => c.unixsocket.clone(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn save_runtime_replaces_and_file_appends() {
        let mut c = Config::with_defaults();
        set_save(&mut c, &args(&["100", "10", "200", "20"])).unwrap();
        assert_eq!(c.save, vec![(100, 10), (200, 20)]);
        set_save(&mut c, &args(&[""])).unwrap();
        assert!(c.save.is_empty());
        assert!(set_save(&mut c, &args(&["1", "2", "3"])).is_err());
        assert!(set_save(&mut c, &args(&["0", "2"])).is_err());
        assert!(set_save(&mut c, &args(&["1", "-1"])).is_err());
        set_save(&mut c, &args(&["+5", "-0"])).unwrap();
        assert_eq!(c.save, vec![(5, 0)]);
        set_save(&mut c, &args(&["5", "99999999999"])).unwrap();
        assert_eq!(c.save, vec![(5, 1215752191)]);

        let mut c = Config::with_defaults();
        c.load_state.reading_file = true;
        set_save(&mut c, &args(&["100", "1"])).unwrap();
        set_save(&mut c, &args(&["200", "2"])).unwrap();
        assert_eq!(c.save, vec![(100, 1), (200, 2)]);
    }

    #[test]
    fn obuf_limits() {
        let mut c = Config::with_defaults();
        set_obuf_limits(
            &mut c,
            &args(&["normal", "1mb", "2mb", "3", "replica", "1k", "2kb", "4"]),
        )
        .unwrap();
        assert_eq!(
            (CLIENT_OUTPUT_BUFFER_LIMIT.get)(&c),
            "normal 1048576 2097152 3 slave 1000 2048 4 pubsub 33554432 8388608 60"
        );
        let e = set_obuf_limits(&mut c, &args(&["master", "1", "2", "3"])).unwrap_err();
        assert_eq!(
            e,
            "Invalid client class specified in buffer limit configuration."
        );
        assert!(set_obuf_limits(&mut c, &args(&["pubsub", "1", "2", "4294967295"])).is_err());
        assert!(set_obuf_limits(&mut c, &args(&["pubsub", "1", "2"])).is_err());
    }

    #[test]
    fn keyspace_event_strings() {
        let f =
            |s: &str| keyspace_events_to_string(keyspace_events_from_str(s.as_bytes()).unwrap());
        assert_eq!(f("KEA"), "AKE");
        assert_eq!(f("Kg$"), "g$K");
        assert_eq!(f("lshzxetmdn"), "lshzxetdnm");
        assert_eq!(f("g$lshzxetdmn"), "Am");
        assert_eq!(f("Elsh"), "lshE");
        assert_eq!(f(""), "");
        assert!(keyspace_events_from_str(b"KEAq").is_none());
    }

    #[test]
    fn proc_title_templates() {
        let c = Config::with_defaults();
        let ok = |t: &str| check_proc_title(&c, t.as_bytes()).is_ok();
        assert!(ok("abc"));
        assert!(ok("{title} {listen-addr} {server-mode}"));
        assert!(ok("{title}}"));
        assert!(ok("{port}"));
        assert!(!ok(""));
        assert!(!ok("{title}"));
        assert!(!ok("{foo}"));
        assert!(!ok("{title"));
        assert!(!ok("{server-mode}"));
        assert_eq!(
            expand_proc_title(&c, "{title} {listen-addr}", "redis-server").unwrap(),
            "redis-server *:6379"
        );
    }

    #[test]
    fn hostnames() {
        let c = Config::default();
        assert!(check_hostname(&c, b"good-host.x").is_ok());
        assert!(check_hostname(&c, b"bad_host!").is_err());
        assert!(check_hostname(&c, &[b'a'; 300]).is_err());
    }
}
