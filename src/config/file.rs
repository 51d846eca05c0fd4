//! Reading redis.conf and the command line (config.c `loadServerConfig`,
//! `loadServerConfigFromString`; server.c `main` for argv handling and
//! `getAbsolutePath`).

use std::io::Read;

use super::{table, Config};
use crate::util::args::{repr, split_args};
use crate::util::glob::string_match_len;

/// A fatal configuration error, printed as Redis prints it before exiting 1.
#[derive(Debug)]
pub struct FatalConfigError {
    /// Line number (1-based) and trimmed text of the offending line; None
    /// for errors found after the whole text was read.
    pub at: Option<(usize, Vec<u8>)>,
    pub reason: String,
}

impl FatalConfigError {
    /// The block Redis writes to stderr.
    pub fn render(&self) -> Vec<u8> {
        let mut out = format!(
            "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\n",
            crate::REDIS_VERSION
        )
        .into_bytes();
        if let Some((line_no, line)) = &self.at {
            out.extend_from_slice(
                format!("Reading the configuration file, at line {}\n>>> '", line_no).as_bytes(),
            );
            out.extend_from_slice(line);
            out.extend_from_slice(b"'\n");
        }
        out.extend_from_slice(self.reason.as_bytes());
        out.push(b'\n');
        out
    }
}

/// Why loading the configuration failed; either way the server exits 1.
#[derive(Debug)]
pub enum LoadError {
    /// Printed to stderr with [`FatalConfigError::render`].
    Fatal(FatalConfigError),
    /// A config file (or include) that cannot be opened: Redis logs this as
    /// a warning line, `Fatal error, can't open config file '...': ...`.
    CantOpen { path: String, reason: String },
}

impl LoadError {
    fn fatal(at: Option<(usize, &[u8])>, reason: impl Into<String>) -> LoadError {
        LoadError::Fatal(FatalConfigError {
            at: at.map(|(n, l)| (n, l.to_vec())),
            reason: reason.into(),
        })
    }

    /// The log line for `CantOpen`.
    pub fn cant_open_message(path: &str, reason: &str) -> String {
        format!("Fatal error, can't open config file '{}': {}", path, reason)
    }
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum CommandLine {
    Run(RunArgs),
    Version,
    Help,
    /// `--sentinel` (or a redis-sentinel binary name): not supported.
    Sentinel,
}

/// A normal start: the config file, the options turned into config lines,
/// and whether to read more config from standard input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RunArgs {
    /// Absolute path, as Redis's `getAbsolutePath` makes it.
    pub config_file: Option<String>,
    pub options: Vec<u8>,
    pub stdin: bool,
    /// No argument at all (Redis then warns that no config file was given).
    pub no_args: bool,
}

/// Parses argv (without argv[0]) the way redis-server's `main` does: an
/// optional config file first, then `--name value...` options joined into
/// config lines, and `-` (first or last) to read config from stdin.
pub fn parse_command_line(args: &[Vec<u8>]) -> CommandLine {
    if args.iter().any(|a| a == b"--sentinel") {
        return CommandLine::Sentinel;
    }
    let mut run = RunArgs {
        no_args: args.is_empty(),
        ..RunArgs::default()
    };
    let Some(first) = args.first() else {
        return CommandLine::Run(run);
    };
    match first.as_slice() {
        b"-v" | b"--version" => return CommandLine::Version,
        b"-h" | b"--help" => return CommandLine::Help,
        _ => {}
    }
    let mut j = 0;
    if first.first() != Some(&b'-') {
        run.config_file = Some(absolute_path(&String::from_utf8_lossy(first)));
        j = 1;
    }
    let n = args.len();
    let mut handled_last = true;
    let opts = &mut run.options;
    while j < n {
        let a = &args[j];
        let next_is_option = j + 1 < n && args[j + 1].starts_with(b"--");
        if a == b"-" && (j == 0 || j == n - 1) {
            run.stdin = true;
        } else if handled_last && a.starts_with(b"--") {
            if !opts.is_empty() {
                opts.push(b'\n');
            }
            opts.extend_from_slice(&a[2..]);
            opts.push(b' ');
            let words = split_args(a).map_or(0, |v| v.len());
            handled_last = words != 1;
            if words == 1 {
                let is_save = a.eq_ignore_ascii_case(b"--save");
                let is_sentinel = a.eq_ignore_ascii_case(b"--sentinel");
                // `--save` with no value means `save ""` (pre-7.0 command lines).
                if is_save && (next_is_option || j == n - 1) {
                    opts.extend_from_slice(b"\"\"");
                }
                if (is_save || is_sentinel) && next_is_option {
                    handled_last = true;
                }
            }
        } else {
            repr(opts, a);
            opts.push(b' ');
            handled_last = true;
        }
        j += 1;
    }
    CommandLine::Run(run)
}

/// Redis `getAbsolutePath`: trims spaces, joins relative paths to the cwd
/// and folds leading "../" parts, without resolving links.
pub fn absolute_path(path: &str) -> String {
    let mut rel = path.trim_matches([' ', '\r', '\n', '\t']).to_string();
    if rel.starts_with('/') {
        return rel;
    }
    let mut abs = super::special::current_dir();
    if !abs.ends_with('/') {
        abs.push('/');
    }
    while rel.starts_with("../") {
        rel.drain(..3);
        if abs.len() > 1 {
            let trimmed = &abs[..abs.len() - 1];
            let cut = trimmed.rfind('/').map_or(0, |i| i + 1);
            abs.truncate(cut);
        }
    }
    abs.push_str(&rel);
    abs
}

/// Loads the whole configuration (Redis `loadServerConfig`): the config
/// file, then standard input when asked, then the command-line options.
/// `warn` receives the warnings Redis logs while loading.
pub fn load_server_config(
    c: &mut Config,
    run: &RunArgs,
    stdin: &mut dyn Read,
    warn: &mut dyn FnMut(&str),
) -> Result<(), LoadError> {
    c.config_file = run.config_file.clone();
    let mut text = Vec::new();
    if let Some(path) = &run.config_file {
        text = read_config_file(path)?;
    }
    if run.stdin {
        warn("Reading config from stdin");
        let _ = stdin.read_to_end(&mut text);
    }
    text.push(b'\n');
    text.extend_from_slice(&run.options);
    load_from_bytes(c, &text)
}

/// Reads a config file; a directory reads as empty, as with Redis's fgets.
fn read_config_file(path: &str) -> Result<Vec<u8>, LoadError> {
    match std::fs::read(path) {
        Ok(t) => Ok(t),
        Err(e) if e.raw_os_error() == Some(libc::EISDIR) => Ok(Vec::new()),
        Err(e) => Err(LoadError::CantOpen {
            path: path.to_string(),
            reason: crate::util::strerror(&e),
        }),
    }
}

/// Directives Redis skips silently (removed configs kept for old files).
const DEPRECATED: [&str; 3] = [
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// Applies a config text (Redis `loadServerConfigFromString`).
pub fn load_from_bytes(c: &mut Config, text: &[u8]) -> Result<(), LoadError> {
    c.load_state.reading_file = true;
    for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
        let line = trim(raw);
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let at = Some((i + 1, line));
        let Some(mut argv) = split_args(line) else {
            return Err(LoadError::fatal(
                at,
                "Unbalanced quotes in configuration line",
            ));
        };
        if argv.is_empty() {
            continue;
        }
        argv[0].make_ascii_lowercase();
        load_directive(c, &argv).map_err(|e| match e {
            DirectiveError::Reason(reason) => LoadError::fatal(at, reason),
            DirectiveError::Load(e) => e,
        })?;
    }
    let result = check_loaded(c);
    c.load_state.reading_file = false;
    result
}

/// How a directive failed: a reason for its own line, or an error that
/// already happened elsewhere (an included file).
enum DirectiveError {
    Reason(String),
    Load(LoadError),
}

/// One directive.
fn load_directive(c: &mut Config, argv: &[Vec<u8>]) -> Result<(), DirectiveError> {
    let err = |reason: &str| DirectiveError::Reason(reason.to_string());
    let name = &argv[0];
    if let Some(inst) = table::lookup(name) {
        let e = inst.entry;
        if !e.has(table::flag::MULTI_ARG) && argv.len() != 2 {
            return Err(err("wrong number of arguments"));
        }
        // A multi-argument setting given as one non-empty argument (the
        // command line's `--name "a b c"`) is split like a config line, as
        // Redis does; an empty one (`--save ""`) is passed as it is.
        if e.has(table::flag::MULTI_ARG) && argv.len() == 2 && !argv[1].is_empty() {
            let Some(split) = split_args(&argv[1]) else {
                return Err(err("Unbalanced quotes in configuration line"));
            };
            return e.set(c, &split).map_err(|r| err(&r));
        }
        return e.set(c, &argv[1..]).map_err(|r| err(&r));
    }
    if DEPRECATED.iter().any(|d| name == d.as_bytes()) && argv.len() == 2 {
        return Ok(());
    }
    match (name.as_slice(), argv.len()) {
        (b"include", 2) => {
            load_include(c, &String::from_utf8_lossy(&argv[1])).map_err(DirectiveError::Load)
        }
        (b"rename-command", 3) => {
            check_rename(c, &argv[1], &argv[2]).map_err(err)?;
            c.rename_commands.push((argv[1].clone(), argv[2].clone()));
            Ok(())
        }
        (b"user", n) if n >= 2 => {
            c.users.push(argv[1..].to_vec());
            Ok(())
        }
        (b"loadmodule", n) if n >= 2 => {
            c.loadmodules.push(argv[1..].to_vec());
            Ok(())
        }
        _ if name.contains(&b'.') => {
            if argv.len() != 2 {
                return Err(err("Module config specified without value"));
            }
            c.module_configs.retain(|(n, _)| n != name);
            c.module_configs.push((name.clone(), argv[1].clone()));
            Ok(())
        }
        (b"sentinel", 1) => Ok(()),
        (b"sentinel", _) => Err(err("sentinel directive while not in sentinel mode")),
        _ => Err(err("Bad directive or wrong number of arguments")),
    }
}

/// `include path`: a file, or every file matching a glob (none is fine).
fn load_include(c: &mut Config, path: &str) -> Result<(), LoadError> {
    if !path.contains(['*', '?', '[']) {
        let text = read_config_file(path)?;
        return load_from_bytes(c, &text);
    }
    // The matching files are read as one text, as Redis concatenates them.
    let mut text = Vec::new();
    for file in glob_paths(path) {
        text.extend_from_slice(&read_config_file(&file)?);
    }
    if text.is_empty() {
        return Ok(());
    }
    load_from_bytes(c, &text)
}

/// Expands a path glob like glob(3): each component may hold wildcards,
/// names starting with '.' need a literal '.', results are sorted.
fn glob_paths(pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let mut found = vec![if absolute {
        "/".to_string()
    } else {
        String::new()
    }];
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    for (k, part) in parts.iter().enumerate() {
        let last = k + 1 == parts.len();
        let mut next = Vec::new();
        for base in &found {
            let dir = if base.is_empty() { "." } else { base.as_str() };
            let join = |name: &str| format!("{}{}{}", base, name, if last { "" } else { "/" });
            if !part.contains(['*', '?', '[']) {
                let candidate = join(part);
                if std::path::Path::new(&candidate).exists() {
                    next.push(candidate);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') || part.starts_with('.'))
                .filter(|n| string_match_len(part.as_bytes(), n.as_bytes(), false))
                .collect();
            names.sort();
            next.extend(names.iter().map(|n| join(n)));
        }
        found = next;
    }
    found.sort();
    found
}

/// Checks a `rename-command` against Redis's command names, renames so
/// far included (Redis looks the name up in its live command table).
fn check_rename(c: &Config, from: &[u8], to: &[u8]) -> Result<(), &'static str> {
    let exists = |name: &[u8]| -> bool {
        let mut live = !name.contains(&b'|') && crate::cmd::meta::find_bytes(name).is_some();
        for (old, new) in &c.rename_commands {
            if old.eq_ignore_ascii_case(name) {
                live = false;
            }
            if !new.is_empty() && new.eq_ignore_ascii_case(name) {
                live = true;
            }
        }
        live
    };
    if !exists(from) {
        return Err("No such command in rename-command");
    }
    if !to.is_empty() && !to.eq_ignore_ascii_case(from) && exists(to) {
        return Err("Target command name already exists");
    }
    Ok(())
}

/// The checks Redis runs once a config text is read.
fn check_loaded(c: &mut Config) -> Result<(), LoadError> {
    if !c.logfile.is_empty() {
        if let Err(e) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&c.logfile)
        {
            return Err(LoadError::fatal(
                None,
                format!("Can't open the log file: {}", crate::util::strerror(&e)),
            ));
        }
    }
    if c.cluster_enabled && c.replicaof.is_some() {
        return Err(LoadError::fatal(
            None,
            "replicaof directive not allowed in cluster mode",
        ));
    }
    // Out-of-range hz values are accepted and clamped (Redis CONFIG_MIN_HZ..CONFIG_MAX_HZ).
    c.hz = c.hz.clamp(1, 500);
    Ok(())
}

fn trim(s: &[u8]) -> &[u8] {
    let is_trim = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = s.iter().position(|c| !is_trim(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !is_trim(c)).map_or(start, |e| e + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn run(v: &[&str]) -> RunArgs {
        match parse_command_line(&argv(v)) {
            CommandLine::Run(r) => r,
            other => panic!("{:?}", other),
        }
    }

    fn load(text: &str) -> Result<Config, LoadError> {
        let mut c = Config::with_defaults();
        load_from_bytes(&mut c, text.as_bytes()).map(|_| c)
    }

    fn fatal(text: &str) -> (Option<usize>, String) {
        match load(text) {
            Err(LoadError::Fatal(f)) => (f.at.map(|a| a.0), f.reason),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn options_become_lines() {
        let r = run(&["--port", "7000", "--save", ""]);
        assert_eq!(r.options, b"port \"7000\" \nsave \"\" ");
        assert!(r.config_file.is_none());
        let mut c = Config::with_defaults();
        load_from_bytes(&mut c, &[b"\n".as_slice(), &r.options].concat()).unwrap();
        assert_eq!(c.port, 7000);
        assert!(c.save.is_empty());
    }

    #[test]
    fn option_joining_matches_redis() {
        assert_eq!(
            run(&["--save", "--port", "abc"]).options,
            b"save \"\"\nport \"abc\" "
        );
        assert_eq!(run(&["--port"]).options, b"port ");
        assert_eq!(
            run(&["--port", "--bind", "x"]).options,
            b"port \"--bind\" \"x\" "
        );
        assert_eq!(run(&["--port 6380"]).options, b"port 6380 ");
        assert_eq!(run(&["--save"]).options, b"save \"\"");
        let r = run(&["-", "--port", "1"]);
        assert!(r.stdin);
        let r = run(&["--loglevel", "verbose", "-"]);
        assert!(r.stdin);
        assert_eq!(r.options, b"loglevel \"verbose\" ");
        assert_eq!(parse_command_line(&argv(&["-v"])), CommandLine::Version);
        assert_eq!(
            parse_command_line(&argv(&["--help", "x"])),
            CommandLine::Help
        );
        assert_eq!(
            parse_command_line(&argv(&["--sentinel"])),
            CommandLine::Sentinel
        );
        assert!(run(&[]).no_args);
    }

    #[test]
    fn config_file_argument_is_absolute() {
        let r = run(&["/etc/redis.conf", "--port", "1"]);
        assert_eq!(r.config_file.as_deref(), Some("/etc/redis.conf"));
        let r = run(&["x.conf"]);
        assert!(r.config_file.unwrap().ends_with("/x.conf"));
    }

    #[test]
    fn fatal_errors_name_the_line() {
        assert_eq!(
            fatal("port 7000\nfoo bar\n"),
            (Some(2), "Bad directive or wrong number of arguments".into())
        );
        assert_eq!(
            fatal("\nport \"7000\" \"x\""),
            (Some(2), "wrong number of arguments".into())
        );
        assert_eq!(
            fatal("port \"abc"),
            (Some(1), "Unbalanced quotes in configuration line".into())
        );
        assert_eq!(
            fatal("maxclients 0"),
            (
                Some(1),
                "argument must be between 1 and 4294967295 inclusive".into()
            )
        );
        assert_eq!(
            fatal("sentinel monitor x"),
            (
                Some(1),
                "sentinel directive while not in sentinel mode".into()
            )
        );
        assert_eq!(
            fatal("a.b"),
            (Some(1), "Module config specified without value".into())
        );
        assert_eq!(
            fatal("cluster-enabled yes\nreplicaof 127.0.0.1 6379"),
            (
                None,
                "replicaof directive not allowed in cluster mode".into()
            )
        );
        let block = FatalConfigError {
            at: Some((3, b"maxclients \"abc\"".to_vec())),
            reason: "argument couldn't be parsed into an integer".into(),
        }
        .render();
        assert_eq!(
            String::from_utf8(block).unwrap(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, \
             at line 3\n>>> 'maxclients \"abc\"'\nargument couldn't be parsed into an integer\n"
        );
    }

    #[test]
    fn directives_are_case_insensitive_and_deprecated_ones_skipped() {
        let c =
            load("PORT 7001\nSlave-Priority 5\nlist-max-ziplist-entries 5\nsentinel\n").unwrap();
        assert_eq!(c.port, 7001);
        assert_eq!(c.replica_priority, 5);
    }

    #[test]
    fn save_lines_in_a_file() {
        assert_eq!(
            load("save 100 1\nsave 200 2").unwrap().save,
            vec![(100, 1), (200, 2)]
        );
        assert_eq!(
            load("save 100 1\nsave \"\"\nsave 200 2").unwrap().save,
            vec![(200, 2)]
        );
        assert_eq!(
            load("hz 10").unwrap().save,
            vec![(3600, 1), (300, 100), (60, 10000)]
        );
    }

    #[test]
    fn hz_is_clamped_after_loading() {
        assert_eq!(load("hz 0").unwrap().hz, 1);
        assert_eq!(load("hz 100000").unwrap().hz, 500);
    }

    #[test]
    fn file_only_directives_are_stored() {
        let c = load("rename-command ping pong\nuser alice on\nloadmodule /x.so a\nm.x 1").unwrap();
        assert_eq!(
            c.rename_commands,
            vec![(b"ping".to_vec(), b"pong".to_vec())]
        );
        assert_eq!(c.users, vec![argv(&["alice", "on"])]);
        assert_eq!(c.loadmodules, vec![argv(&["/x.so", "a"])]);
        assert_eq!(c.module_configs, vec![(b"m.x".to_vec(), b"1".to_vec())]);
        assert_eq!(
            fatal("rename-command nosuchcmd x"),
            (Some(1), "No such command in rename-command".into())
        );
        assert_eq!(
            fatal("rename-command ping echo"),
            (Some(1), "Target command name already exists".into())
        );
        assert!(load("rename-command ping x\nrename-command x ping").is_ok());
    }

    #[test]
    fn absolute_paths_fold_parent_dirs() {
        let cwd = super::super::special::current_dir();
        let parent = &cwd[..cwd.rfind('/').unwrap() + 1];
        assert_eq!(absolute_path("../x.conf"), format!("{}x.conf", parent));
        assert_eq!(absolute_path(" /a/b "), "/a/b");
    }
}
