//! Startup (server.c `main`, `initServer`, `listenToPort`, `redisAsciiArt`):
//! opening listeners and the startup log lines.

use mio::{Interest, Token};

use super::{Listener, Server};
use crate::event_loop::{net, LISTENER_TOKEN_BASE};

impl Server {
    /// Opens the TCP listeners for `bind`/`port` and the Unix socket (Redis
    /// `listenToPort`). Addresses starting with '-' are optional: one that is
    /// not available on this host is skipped.
    pub fn listen(&mut self) -> Result<(), String> {
        self.listeners.clear();
        if self.config.port != 0 {
            let bind = self.config.bind.clone();
            for addr in &bind {
                let (optional, addr) = match addr.strip_prefix('-') {
                    Some(a) => (true, a),
                    None => (false, addr.as_str()),
                };
                match net::tcp_listener(
                    addr,
                    self.config.port as u16,
                    self.config.tcp_backlog as i32,
                ) {
                    Ok(sock) => self.listeners.push(Listener::Tcp {
                        addr: addr.to_string(),
                        sock,
                    }),
                    Err(e) if optional && is_unavailable_address(&e) => continue,
                    Err(e) => {
                        self.log.warning(&format!(
                            "Warning: Could not create server TCP listening socket {}:{}: {}",
                            addr, self.config.port, e
                        ));
                        return Err(format!(
                            "Failed listening on port {} (tcp), aborting.",
                            self.config.port
                        ));
                    }
                }
            }
        }
        if !self.config.unixsocket.is_empty() {
            let path = self.config.unixsocket.clone();
            let perm = self.config.unixsocketperm as u32;
            match net::unix_listener(&path, perm, self.config.tcp_backlog as i32) {
                Ok(sock) => self.listeners.push(Listener::Unix { path, sock }),
                Err(e) => return Err(format!("Failed opening Unix socket: {}", e)),
            }
        }
        for (i, l) in self.listeners.iter_mut().enumerate() {
            let token = Token(LISTENER_TOKEN_BASE + i);
            let res = match l {
                Listener::Tcp { sock, .. } => {
                    self.registry.register(sock, token, Interest::READABLE)
                }
                Listener::Unix { sock, .. } => {
                    self.registry.register(sock, token, Interest::READABLE)
                }
            };
            res.map_err(|e| format!("Can't register listener: {}", e))?;
        }
        Ok(())
    }

    /// Closes and deregisters every listener.
    pub fn close_listeners(&mut self) {
        for l in self.listeners.iter_mut() {
            let _ = match l {
                Listener::Tcp { sock, .. } => self.registry.deregister(sock),
                Listener::Unix { sock, .. } => self.registry.deregister(sock),
            };
        }
        self.listeners.clear();
    }

    /// The lines logged once the server is set up (after "Configuration loaded").
    pub fn log_startup(&mut self) {
        self.log.role = 'M';
        self.log.notice("monotonic clock: POSIX clock_gettime");
        let stdout_tty = self.log.file.is_empty() && is_stdout_tty();
        if self.config.always_show_logo || stdout_tty {
            self.log.log_raw(&ascii_art(self.config.port, self.log.pid));
        } else {
            self.log.notice(&format!(
                "Running mode=standalone, port={}.",
                self.config.port
            ));
        }
        self.log.warning("Server initialized");
    }
}

impl Server {
    /// "Ready to accept connections", per kind of listener, as Redis logs it.
    pub fn log_ready(&self) {
        if self
            .listeners
            .iter()
            .any(|l| matches!(l, Listener::Tcp { .. }))
        {
            self.log.notice("Ready to accept connections");
        }
        if !self.config.unixsocket.is_empty() {
            self.log.notice(&format!(
                "The server is now ready to accept connections at {}",
                self.config.unixsocket
            ));
        }
        crate::keyspace::evict::perform::warn_small_maxmemory(self);
    }
}

fn is_unavailable_address(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EADDRNOTAVAIL) | Some(libc::EAFNOSUPPORT) | Some(libc::EPROTONOSUPPORT)
    )
}

fn is_stdout_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// The startup banner, ferrodis's own drawing with the lines tools read from
/// Redis's (version, mode, port, PID).
fn ascii_art(port: i64, pid: u32) -> String {
    let version = crate::REDIS_VERSION;
    format!(
        r"
         ______                        _ _
        |  ____|                      | (_)            Redis {version} (00000000/0) 64 bit
        | |__ ___ _ __ _ __ ___     __| |_ ___
        |  __/ _ \ '__| '__/ _ \   / _` | / __|        Running in standalone mode
        | | |  __/ |  | | | (_) | | (_| | \__ \        Port: {port}
        |_|  \___|_|  |_|  \___/   \__,_|_|___/        PID: {pid}

                                                       ferrodis {fv}

",
        fv = crate::FERRODIS_VERSION
    )
}

/// `len` random lowercase hex characters (the run id, CONFIG SET defaults).
pub fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len.div_ceil(2)];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    let mut s: String = bytes.iter().map(|b| format!("{:02x}", b)).collect();
    s.truncate(len);
    s
}
