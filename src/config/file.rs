//! Reading redis.conf and the command line (config.c `loadServerConfig`,
//! `loadServerConfigFromString`; server.c `main` for argv handling).

use super::{table, Config};
use crate::util::args::{repr, split_args};

/// A fatal configuration error, printed as Redis prints it before exiting 1.
#[derive(Debug)]
pub struct FatalConfigError {
    pub line_no: usize,
    pub line: String,
    pub reason: String,
}

impl FatalConfigError {
    pub fn render(&self) -> String {
        format!(
            "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}\n",
            crate::REDIS_VERSION,
            self.line_no,
            self.line,
            self.reason
        )
    }
}

/// What the command line asked for.
pub enum CommandLine {
    Run {
        config_file: Option<String>,
        options: String,
        stdin: bool,
    },
    Version,
    Help,
}

/// Parses argv (without argv[0]) the way redis-server's `main` does: an
/// optional config file first, then `--name value...` options, and `-` to
/// read the config from standard input.
pub fn parse_command_line(args: &[String]) -> CommandLine {
    if args.len() == 1 {
        match args[0].as_str() {
            "-v" | "--version" => return CommandLine::Version,
            "-h" | "--help" => return CommandLine::Help,
            _ => {}
        }
    }
    let mut config_file = None;
    let mut rest = args;
    if let Some(first) = args.first() {
        if !first.starts_with('-') {
            config_file = Some(first.clone());
            rest = &args[1..];
        }
    }
    let mut options = String::new();
    let mut stdin = false;
    let mut i = 0;
    while i < rest.len() {
        let a = &rest[i];
        if a == "-" {
            stdin = true;
        } else if let Some(name) = a.strip_prefix("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(name);
            options.push(' ');
        } else {
            let mut quoted = Vec::new();
            repr(&mut quoted, a.as_bytes());
            options.push_str(&String::from_utf8_lossy(&quoted));
            options.push(' ');
        }
        i += 1;
    }
    CommandLine::Run {
        config_file,
        options,
        stdin,
    }
}

/// Applies a whole config text (file contents plus command-line options).
pub fn load_from_string(c: &mut Config, text: &str) -> Result<(), FatalConfigError> {
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_matches(|ch: char| " \t\r\n".contains(ch));
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fatal = |reason: &str| FatalConfigError {
            line_no: i + 1,
            line: line.to_string(),
            reason: reason.into(),
        };
        let Some(mut argv) = split_args(line.as_bytes()) else {
            return Err(fatal("Unbalanced quotes in configuration line"));
        };
        if argv.is_empty() {
            continue;
        }
        argv[0].make_ascii_lowercase();
        if argv[0] == b"include" && argv.len() == 2 {
            let path = String::from_utf8_lossy(&argv[1]).into_owned();
            let inc = std::fs::read_to_string(&path).map_err(|e| {
                fatal(&format!(
                    "Fatal error, can't open config file '{}': {}",
                    path, e
                ))
            })?;
            load_from_string(c, &inc)?;
            continue;
        }
        let Some(entry) = table::find(&argv[0]) else {
            return Err(fatal("Bad directive or wrong number of arguments"));
        };
        entry.set(c, &argv[1..]).map_err(|reason| fatal(&reason))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_options_become_lines() {
        let args: Vec<String> = ["--port", "7000", "--save", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let CommandLine::Run {
            options,
            config_file,
            ..
        } = parse_command_line(&args)
        else {
            panic!()
        };
        assert!(config_file.is_none());
        let mut c = Config::with_defaults();
        load_from_string(&mut c, &options).unwrap();
        assert_eq!(c.port, 7000);
        assert!(c.save.is_empty());
    }

    #[test]
    fn fatal_error_text() {
        let mut c = Config::with_defaults();
        let e = load_from_string(&mut c, "port 7000\nfoo bar\n").unwrap_err();
        assert_eq!(e.line_no, 2);
        assert!(e
            .render()
            .contains("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"));
        assert!(e
            .render()
            .contains(">>> 'foo bar'\nBad directive or wrong number of arguments"));
    }
}
