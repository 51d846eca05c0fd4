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

/// Reads from the socket `fd` into the spare capacity of `buf`, at most
/// `want` bytes, and appends what was read. Unlike `resize` + `read`, the
/// space is not zero-filled first (Redis reads into `sdsMakeRoomFor`'s room
/// the same way): zeroing 16 KB per read cost more than the rest of a
/// request.
pub fn read_append(
    fd: std::os::unix::io::RawFd,
    buf: &mut Vec<u8>,
    want: usize,
) -> io::Result<usize> {
    buf.reserve(want);
    let spare = buf.spare_capacity_mut();
    let len = want.min(spare.len());
    // SAFETY: `spare` is `len` or more bytes owned by `buf` and not aliased
    // while `read` writes at most `len` bytes into it.
    let n = unsafe { libc::read(fd, spare.as_mut_ptr() as *mut libc::c_void, len) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    // SAFETY: `read` initialised the first `n` (<= `len`) spare bytes.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
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

    #[test]
    fn read_append_keeps_earlier_bytes() {
        use std::io::Write;
        use std::os::unix::io::AsRawFd;
        let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.write_all(b"world").unwrap();
        let mut buf = b"hello ".to_vec();
        assert_eq!(read_append(b.as_raw_fd(), &mut buf, 3).unwrap(), 3);
        assert_eq!(buf, b"hello wor");
        assert_eq!(read_append(b.as_raw_fd(), &mut buf, 16).unwrap(), 2);
        assert_eq!(buf, b"hello world");
        b.set_nonblocking(true).unwrap();
        let e = read_append(b.as_raw_fd(), &mut buf, 16).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(buf, b"hello world");
    }
}
