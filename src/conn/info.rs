//! The client description line used by CLIENT LIST, CLIENT INFO and log
//! messages (networking.c `catClientInfoString`).

use super::Client;

/// `id=.. addr=.. laddr=.. fd=.. name=.. age=.. idle=..` and the rest.
pub fn client_info_line(c: &Client, now_ms: i64) -> String {
    let name = c
        .name
        .as_ref()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} db={} cmd={} user={} resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.sock.fd(),
        name,
        (now_ms - c.ctime_ms) / 1000,
        (now_ms - c.last_interaction_ms) / 1000,
        c.db,
        c.last_cmd,
        c.user,
        c.reply.resp
    )
}
