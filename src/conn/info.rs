//! The client description line used by CLIENT LIST, CLIENT INFO and log
//! messages (networking.c `catClientInfoString`, `getClientType`).

use std::fmt::Write;

use super::Client;

/// Client classes (Redis CLIENT_TYPE_*), as CLIENT LIST TYPE and CLIENT KILL TYPE name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientType {
    Normal,
    Replica,
    PubSub,
    Master,
}

impl ClientType {
    /// Parses a type name (Redis `getClientTypeByName`).
    pub fn from_name(name: &[u8]) -> Option<ClientType> {
        let lower = name.to_ascii_lowercase();
        match &lower[..] {
            b"normal" => Some(ClientType::Normal),
            b"slave" | b"replica" => Some(ClientType::Replica),
            b"pubsub" => Some(ClientType::PubSub),
            b"master" => Some(ClientType::Master),
            _ => None,
        }
    }
}

/// The class of a client (Redis `getClientType`): pubsub while subscribed,
/// otherwise normal, MONITOR clients included (Redis shows those as normal
/// too), until replication sets its own state.
pub fn client_type(c: &Client) -> ClientType {
    if c.is_pubsub() {
        return ClientType::PubSub;
    }
    ClientType::Normal
}

/// The CLIENT LIST line of `c`, using the arguments stored in the client.
pub fn client_info_line(c: &Client, now_ms: i64) -> String {
    client_info_line_with(c, now_ms, &c.argv)
}

/// The CLIENT LIST line of `c`; `argv` is the command it is running (the
/// dispatcher moves it out of the client while the command runs).
pub fn client_info_line_with(c: &Client, now_ms: i64, argv: &[Vec<u8>]) -> String {
    let name = c
        .name
        .as_ref()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let argv_mem: usize = argv.iter().map(|a| a.len()).sum();
    // obl/oll/omem model Redis's static buffer and reply list (obuf_limits.rs).
    let (obl, oll, omem) = (c.obuf_static_len(), c.obuf_list_len(), c.obuf_memory());
    // Redis `getClientMemoryUsage`, the figure client eviction uses too.
    let tot_mem = super::memory::usage(c, argv_mem, argv.len());
    let now_s = now_ms / 1000;
    let mut s = String::with_capacity(320);
    let _ = write!(
        s,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} \
         sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} \
         rbs={} rbp={} obl={} oll={} omem={} tot-mem={} events={} cmd={} user={} \
         redir={} resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.sock.fd(),
        name,
        now_s - c.ctime_ms / 1000,
        now_s - c.last_interaction_ms / 1000,
        flags_field(c),
        c.db,
        c.sub_count(),
        c.psub_count(),
        c.ssub_count(),
        c.mstate.list_count(),
        c.querybuf.len(),
        c.querybuf.capacity() - c.querybuf.len(),
        argv_mem,
        c.mstate.memory(),
        c.reply.out().head_size(),
        c.reply_peak.max(c.reply.out().head_len()),
        obl,
        oll,
        omem,
        tot_mem,
        events_field(c),
        c.last_cmd,
        c.user,
        crate::tracking::redir_field(c),
        c.reply.resp
    );
    s
}

/// The `flags=` letters in Redis's order; 'N' when none applies.
fn flags_field(c: &Client) -> String {
    let f = &c.flags;
    let mut s = String::new();
    // MONITOR clients are replicas in Redis, shown as 'O'.
    if f.monitor {
        s.push('O');
    }
    if c.is_pubsub() {
        s.push('P');
    }
    if c.mstate.active {
        s.push('x');
    }
    if f.postponed || f.blocked_on_keys {
        s.push('b');
    }
    crate::tracking::push_flags(c, &mut s);
    if c.mstate.dirty_cas {
        s.push('d');
    }
    if f.close_after_reply {
        s.push('c');
    }
    if f.close_asap {
        s.push('A');
    }
    if f.unix_socket {
        s.push('U');
    }
    if f.no_evict {
        s.push('e');
    }
    if s.is_empty() {
        s.push('N');
    }
    s
}

/// `events=`: 'r' while reading, plus 'w' when a reply waits for the socket
/// to drain (Redis installs a write handler only then).
fn events_field(c: &Client) -> &'static str {
    if c.has_pending_output() && !c.pending_write && !c.flags.executing {
        "rw"
    } else {
        "r"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::obuf_limits::REPLY_CHUNK;
    use crate::conn::Socket;

    #[test]
    fn line_has_redis_fields_in_order() {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        let mut c = Client::new(5, 0, Socket::Unix(a), "/s:0".into(), "/s:0".into(), 1_000);
        c.flags.unix_socket = true;
        c.flags.no_evict = true;
        c.name = Some(b"n".to_vec());
        c.reply.raw(&[b'x'; REPLY_CHUNK + 10]);
        let argv = vec![b"client".to_vec(), b"list".to_vec()];
        let line = client_info_line_with(&c, 5_500, &argv);
        let names: Vec<&str> = line
            .split(' ')
            .map(|f| f.split('=').next().unwrap())
            .collect();
        assert_eq!(
            names.join(" "),
            "id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free \
             argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp"
        );
        for want in [
            "id=5 ",
            "name=n ",
            "age=4 ",
            "flags=Ue ",
            "argv-mem=10 ",
            "obl=16384 ",
            "oll=1 ",
            "omem=20464 ",
            "events=rw ",
            "cmd=NULL ",
            "user=default ",
            "resp=2",
        ] {
            assert!(line.contains(want), "{} not in {}", want, line);
        }
    }

    #[test]
    fn type_names() {
        assert_eq!(ClientType::from_name(b"SLAVE"), Some(ClientType::Replica));
        assert_eq!(ClientType::from_name(b"replica"), Some(ClientType::Replica));
        assert_eq!(ClientType::from_name(b"Normal"), Some(ClientType::Normal));
        assert_eq!(ClientType::from_name(b"pubsub"), Some(ClientType::PubSub));
        assert_eq!(ClientType::from_name(b"master"), Some(ClientType::Master));
        assert_eq!(ClientType::from_name(b"other"), None);
    }
}
