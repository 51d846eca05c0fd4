//! ferrodis-server: argv and config file -> Config, signals, Server, event loop.
//! No logic lives here (Redis server.c `main`).

use std::io::Write;
use std::os::unix::ffi::OsStringExt;

use ferrodis::config::file::{load_server_config, parse_command_line, CommandLine, LoadError};
use ferrodis::config::Config;
use ferrodis::event_loop::{process, signals, EventLoop};
use ferrodis::log::Logger;
use ferrodis::server::config_apply::log_level;
use ferrodis::server::Server;

#[global_allocator]
static GLOBAL: ferrodis::alloc::CountingJemalloc = ferrodis::alloc::CountingJemalloc;

/// Where a daemonized server writes its pid without a pidfile setting.
const DEFAULT_PID_FILE: &str = "/var/run/redis.pid";

fn main() {
    let args: Vec<Vec<u8>> = std::env::args_os().skip(1).map(|a| a.into_vec()).collect();
    let run_args = match parse_command_line(&args) {
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
        CommandLine::Sentinel => fatal("Sentinel mode is not supported by ferrodis"),
        CommandLine::Run(r) => r,
    };
    let mut config = Config::with_defaults();
    let early = Logger::new();
    let loaded = load_server_config(&mut config, &run_args, &mut std::io::stdin(), &mut |msg| {
        early.warning(msg)
    });
    match loaded {
        Ok(()) => {
            let bare_invocation = run_args
                .no_args
                .then(|| std::env::args_os().next().unwrap_or_default())
                .map(|a| a.to_string_lossy().into_owned());
            run(config, bare_invocation)
        }
        Err(LoadError::Fatal(e)) => {
            let _ = std::io::stderr().write_all(&e.render());
            exit(1)
        }
        Err(LoadError::CantOpen { path, reason }) => {
            early.warning(&LoadError::cant_open_message(&path, &reason));
            exit(1)
        }
    }
}

fn run(mut config: Config, bare_invocation: Option<String>) {
    // argv[0] for the process title (`init_proc_title`, which must run
    // before any thread exists: it rebuilds the environment).
    let argv0 = std::env::args_os().next().unwrap_or_default().into_vec();
    if config.daemonize {
        if config.pidfile.is_empty() {
            config.pidfile = DEFAULT_PID_FILE.into();
        }
        if let Err(e) = process::daemonize() {
            fatal(&format!("Can't daemonize: {}", e));
        }
    }
    let mut log = Logger::new();
    log.level = log_level(config.loglevel);
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
    ferrodis::event_loop::crash_signal::install(&config.logfile, config.crash_log_enabled);
    if config.watchdog_period != 0 {
        let hz = config.hz;
        ferrodis::event_loop::crash_signal::apply_watchdog(&mut config.watchdog_period, hz);
    }
    let mut event_loop =
        EventLoop::new().unwrap_or_else(|e| fatal(&format!("Can't create event loop: {}", e)));
    let registry = event_loop
        .registry()
        .unwrap_or_else(|e| fatal(&format!("Can't create event loop: {}", e)));
    let mut server = Server::new(config, log, registry);
    server.init_proc_title(argv0);
    server.log.role = 'M';
    if server.adjust_open_files_limit().is_err() {
        exit(1);
    }
    server.log_startup();
    if let Err(lines) = server.check_modules() {
        for l in lines {
            server.log.warning(&l);
        }
        exit(1);
    }
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
    if server.config.set_proc_title {
        server.set_proc_title(None);
    }
    // loadDataFromDisk: the AOF when appendonly is on, else the RDB file.
    let mut serve = |srv: &mut Server| event_loop.process_events_while_blocked(srv);
    match ferrodis::persistence::aof::start(&mut server, &mut serve) {
        Ok(()) => {}
        Err(ferrodis::persistence::aof::StartError::Stopped) => exit(server.exit_code),
        Err(_) => exit(1),
    }
    if !server.config.appendonly {
        match server.load_data_from_disk(&mut serve) {
            Ok(()) => {}
            Err(ferrodis::persistence::load::LoadFailure::Stopped) => exit(server.exit_code),
            Err(_) => exit(1),
        }
    }
    server.log_ready();
    let _ = server.set_oom_score_adj();
    event_loop.run(&mut server);
    exit(server.exit_code);
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
