//! ferrodis-server: argv and config file -> Config, signals, Server, event loop.
//! No logic lives here (Redis server.c `main`).

use std::io::Read;

use ferrodis::config::file::{load_from_string, parse_command_line, CommandLine};
use ferrodis::config::Config;
use ferrodis::event_loop::{process, signals, EventLoop};
use ferrodis::log::{Level, Logger};
use ferrodis::server::Server;

#[global_allocator]
static GLOBAL: ferrodis::alloc::CountingJemalloc = ferrodis::alloc::CountingJemalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config_file, options, stdin) = match parse_command_line(&args) {
        CommandLine::Version => {
            println!(
                "Redis server v={} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0 (ferrodis {})",
                ferrodis::REDIS_VERSION,
                ferrodis::FERRODIS_VERSION
            );
            return;
        }
        CommandLine::Help => {
            print!("{}", usage());
            return;
        }
        CommandLine::Run {
            config_file,
            options,
            stdin,
        } => (config_file, options, stdin),
    };
    let mut text = String::new();
    if let Some(path) = &config_file {
        match std::fs::read_to_string(path) {
            Ok(t) => text = t,
            Err(e) => fatal(&format!(
                "Fatal error, can't open config file '{}': {}",
                path, e
            )),
        }
    }
    if stdin {
        let mut input = String::new();
        let _ = std::io::stdin().read_to_string(&mut input);
        text.push('\n');
        text.push_str(&input);
    }
    text.push('\n');
    text.push_str(&options);
    let mut config = Config::with_defaults();
    if let Err(e) = load_from_string(&mut config, &text) {
        eprint!("{}", e.render());
        exit(1);
    }
    config.config_file = config_file.map(|p| {
        std::fs::canonicalize(&p)
            .map(|a| a.display().to_string())
            .unwrap_or(p)
    });
    let bare_invocation = args
        .is_empty()
        .then(|| std::env::args().next().unwrap_or_default());
    run(config, bare_invocation);
}

fn run(config: Config, bare_invocation: Option<String>) {
    if config.daemonize {
        if let Err(e) = process::daemonize() {
            fatal(&format!("Can't daemonize: {}", e));
        }
    }
    let mut log = Logger::new();
    log.level = level_of(config.loglevel);
    log.file = config.logfile.clone();
    log.warning("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    log.warning(&format!(
        "Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started",
        ferrodis::REDIS_VERSION,
        log.pid
    ));
    // Redis warns only when it got no arguments at all, naming its argv[0].
    if let Some(argv0) = bare_invocation {
        log.warning(&format!("Warning: no config file specified, using the default config. In order to specify a config file use {} /path/to/redis.conf", argv0));
    } else {
        log.warning("Configuration loaded");
    }
    signals::install();
    let mut event_loop =
        EventLoop::new().unwrap_or_else(|e| fatal(&format!("Can't create event loop: {}", e)));
    let registry = event_loop
        .registry()
        .unwrap_or_else(|e| fatal(&format!("Can't create event loop: {}", e)));
    let mut server = Server::new(config, log, registry);
    server.log_startup();
    if let Err(msg) = server.listen() {
        server.log.warning(&msg);
        exit(1);
    }
    if !server.config.pidfile.is_empty() {
        if let Err(e) = process::write_pidfile(&server.config.pidfile) {
            server
                .log
                .warning(&format!("Failed to write PID file: {}", e));
        }
    }
    server.log_ready();
    event_loop.run(&mut server);
    exit(server.exit_code);
}

fn level_of(v: i64) -> Level {
    match v {
        0 => Level::Debug,
        1 => Level::Verbose,
        2 => Level::Notice,
        _ => Level::Warning,
    }
}

fn fatal(msg: &str) -> ! {
    eprintln!("{}", msg);
    exit(1)
}

#[allow(clippy::disallowed_methods)]
fn exit(code: i32) -> ! {
    std::process::exit(code)
}

fn usage() -> &'static str {
    "Usage: ./ferrodis-server [/path/to/redis.conf] [options] [-]
       ./ferrodis-server - (read config from stdin)
       ./ferrodis-server -v or --version
       ./ferrodis-server -h or --help

Examples:
       ./ferrodis-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./ferrodis-server -
       ./ferrodis-server /etc/redis/6379.conf
       ./ferrodis-server --port 7777
       ./ferrodis-server --port 7777 --replicaof 127.0.0.1 8888
       ./ferrodis-server /etc/myredis.conf --loglevel verbose -
       ./ferrodis-server /etc/myredis.conf --loglevel verbose
"
}
