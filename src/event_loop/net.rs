//! Listening sockets (Redis anet.c): built with socket2 so that the backlog,
//! SO_REUSEADDR and IPV6_V6ONLY are set as Redis sets them, then handed to mio.

use std::io;
use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, SockRef, Socket, Type};

/// Opens a non-blocking TCP listener on `addr:port` with the given backlog.
pub fn tcp_listener(addr: &str, port: u16, backlog: i32) -> io::Result<mio::net::TcpListener> {
    let ip: IpAddr = match addr {
        "*" => IpAddr::from([0u8; 4]),
        "::*" => IpAddr::from([0u16; 8]),
        other => other
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad address"))?,
    };
    let sa = SocketAddr::new(ip, port);
    let sock = Socket::new(Domain::for_address(sa), Type::STREAM, None)?;
    sock.set_reuse_address(true)?;
    if sa.is_ipv6() {
        sock.set_only_v6(true)?;
    }
    sock.bind(&sa.into())?;
    sock.listen(backlog)?;
    sock.set_nonblocking(true)?;
    Ok(mio::net::TcpListener::from_std(sock.into()))
}

/// Opens a non-blocking Unix socket listener, replacing a stale socket file,
/// and applies `unixsocketperm` when it is not zero.
pub fn unix_listener(path: &str, perm: u32, backlog: i32) -> io::Result<mio::net::UnixListener> {
    let _ = std::fs::remove_file(path);
    let sock = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    sock.bind(&socket2::SockAddr::unix(path)?)?;
    sock.listen(backlog)?;
    sock.set_nonblocking(true)?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
    }
    let std_listener: std::os::unix::net::UnixListener = sock.into();
    Ok(mio::net::UnixListener::from_std(std_listener))
}

/// Sets TCP_NODELAY and, when `keepalive` is positive, SO_KEEPALIVE as Redis's
/// `anetKeepAlive` does: first probe after `keepalive` idle seconds, then
/// every third of that (at least 1 s), giving up after 3 unanswered probes.
pub fn tune_client_socket(stream: &mio::net::TcpStream, keepalive: i64) {
    let _ = stream.set_nodelay(true);
    if keepalive > 0 {
        let secs = keepalive as u64;
        let ka = socket2::TcpKeepalive::new()
            .with_time(std::time::Duration::from_secs(secs))
            .with_interval(std::time::Duration::from_secs((secs / 3).max(1)))
            .with_retries(3);
        let _ = SockRef::from(stream).set_tcp_keepalive(&ka);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalive_matches_anet_keepalive() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let std_stream = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let stream = mio::net::TcpStream::from_std(std_stream);
        tune_client_socket(&stream, 300);
        let s = SockRef::from(&stream);
        assert!(s.keepalive().unwrap());
        assert_eq!(s.keepalive_time().unwrap().as_secs(), 300);
        assert_eq!(s.keepalive_interval().unwrap().as_secs(), 100);
        assert_eq!(s.keepalive_retries().unwrap(), 3);
        assert!(s.nodelay().unwrap());
        let std_stream2 = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let stream2 = mio::net::TcpStream::from_std(std_stream2);
        tune_client_socket(&stream2, 0);
        assert!(!SockRef::from(&stream2).keepalive().unwrap());
    }
}
