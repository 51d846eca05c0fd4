//! Lookups of a client by id (Redis `lookupClientByID`) among many clients:
//! CLIENT LIST ID, CLIENT KILL ID, CLIENT UNBLOCK, CLIENT TRACKING REDIRECT.
//! The same scenario runs on redis-server and the observations (with ids
//! named by connection index) must match.

use std::time::Duration;

use crate::support::*;

const CLIENTS: usize = 200;

fn int(r: &[u8]) -> i64 {
    String::from_utf8_lossy(r)
        .trim_start_matches(':')
        .trim()
        .parse()
        .unwrap_or(i64::MIN)
}

/// The `id=` fields of a CLIENT LIST reply, as connection indexes.
fn listed(reply: &[u8], ids: &[i64]) -> Vec<usize> {
    String::from_utf8_lossy(reply)
        .lines()
        .filter_map(|l| l.split_whitespace().find_map(|f| f.strip_prefix("id=")))
        .filter_map(|v| v.parse::<i64>().ok())
        .filter_map(|id| ids.iter().position(|&x| x == id))
        .collect()
}

fn scenario(flavor: Flavor) -> Vec<String> {
    let s = Server::spawn(flavor, &[]);
    let mut conns: Vec<RawConn> = (0..CLIENTS).map(|_| s.raw()).collect();
    let ids: Vec<i64> = conns
        .iter_mut()
        .map(|c| int(&c.cmd(&["CLIENT", "ID"])))
        .collect();
    let id = |i: usize| ids[i].to_string();
    let mut seen = Vec::new();
    let mut note =
        |what: &str, r: &[u8]| seen.push(format!("{}: {}", what, String::from_utf8_lossy(r)));
    let absent = (ids.iter().max().unwrap() + 1000).to_string();

    // CLIENT LIST ID: in the order asked, unknown and negative ids skipped.
    let r = conns[0].cmd(&[
        "CLIENT",
        "LIST",
        "ID",
        &id(150),
        &absent,
        &id(3),
        "-5",
        &id(0),
    ]);
    note("list", format!("{:?}", listed(&r, &ids)).as_bytes());
    note("list bad id", &conns[0].cmd(&["CLIENT", "LIST", "ID", "x"]));

    // CLIENT UNBLOCK: the blocked one among many, then nothing to unblock.
    conns[120].send(&RawConn::encode(&[b"BLPOP", b"nolist", b"0"]));
    wait_blocked(&s, 1);
    note("unblock", &conns[0].cmd(&["CLIENT", "UNBLOCK", &id(120)]));
    note("unblocked reply", &conns[120].read_reply().unwrap());
    note(
        "unblock again",
        &conns[0].cmd(&["CLIENT", "UNBLOCK", &id(120)]),
    );
    note(
        "unblock idle",
        &conns[0].cmd(&["CLIENT", "UNBLOCK", &id(121)]),
    );
    note(
        "unblock absent",
        &conns[0].cmd(&["CLIENT", "UNBLOCK", &absent]),
    );
    conns[130].send(&RawConn::encode(&[b"BLPOP", b"nolist", b"0"]));
    wait_blocked(&s, 1);
    note(
        "unblock error",
        &conns[0].cmd(&["CLIENT", "UNBLOCK", &id(130), "ERROR"]),
    );
    note("unblocked error", &conns[130].read_reply().unwrap());

    // CLIENT KILL ID: exactly that client, with the other filters applied.
    note("kill", &conns[0].cmd(&["CLIENT", "KILL", "ID", &id(10)]));
    assert!(poll_until(Duration::from_secs(5), || conns[10].is_closed()));
    note(
        "kill again",
        &conns[0].cmd(&["CLIENT", "KILL", "ID", &id(10)]),
    );
    note(
        "kill wrong type",
        &conns[0].cmd(&["CLIENT", "KILL", "ID", &id(11), "TYPE", "pubsub"]),
    );
    note(
        "kill absent",
        &conns[0].cmd(&["CLIENT", "KILL", "ID", &absent]),
    );
    note(
        "kill self skipped",
        &conns[0].cmd(&["CLIENT", "KILL", "ID", &id(0)]),
    );
    let r = conns[0].cmd(&["CLIENT", "LIST", "ID", &id(10), &id(11)]);
    note("after kill", format!("{:?}", listed(&r, &ids)).as_bytes());

    // CLIENT TRACKING REDIRECT checks the target exists.
    note(
        "redirect",
        &conns[1].cmd(&["CLIENT", "TRACKING", "on", "REDIRECT", &id(199)]),
    );
    note(
        "redirect gone",
        &conns[2].cmd(&["CLIENT", "TRACKING", "on", "REDIRECT", &id(10)]),
    );
    seen
}

#[test]
fn clients_are_found_by_id_among_many() {
    let ours = scenario(Flavor::Ferrodis);
    assert!(
        ours.contains(&"list: [150, 3, 0]".to_string()),
        "{:?}",
        ours
    );
    if have_redis("clients_are_found_by_id_among_many") {
        assert_eq!(ours, scenario(Flavor::Redis));
    }
}
