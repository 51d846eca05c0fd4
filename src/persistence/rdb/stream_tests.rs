//! Stream RDB tests on payloads written by redis-server 7.0.15, round trips
//! through our writer, and corrupt input (never a panic).

use super::dump;
use super::stream::*;
use super::stream_node::{build_node, walk_node, EntryId};
use super::value::{Loaded, Saving};
use super::*;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `CONFIG SET rdbcompression no; CONFIG SET stream-node-max-entries 3`;
/// XADD s 1-1 .. 7-1 f vN g w; XADD s 8-0 other x; XDEL s 2-1 5-1;
/// XGROUP CREATE s g1 0; XGROUP CREATE s g0 3-1; XREADGROUP g1 alice
/// COUNT 2, bob COUNT 1; XREADGROUP g0 carol NOACK COUNT 2;
/// XGROUP CREATECONSUMER s g1 dave; DUMP s.
const REDIS_DUMP: &str = "
1303100000000000000001000000000000000140424200000018000201010102018166028167020001020100
0100018276310381770205010301010100018276320381770205010201020100018276330381770205
01ff10000000000000000400000000000000014042420000001800020101010201816602816702000102
0100010001827634038177020501030101010001827635038177020501020102010001827636038177
020501ff100000000000000007000000000000000139390000001300020100010201816602816702000102
010001000182763703817702050100010101dfff020101856f74686572068178020601ff06080001010501
0802026730060181ffffffffffffffff0001056361726f6c14de5f0fa201000000026731040181ffffffff
ffffffff0300000000000000010000000000000001f6dd5f0fa2010000010000000000000003000000000000
0001f6dd5f0fa2010000010000000000000004000000000000000108de5f0fa2010000010305616c696365
f6dd5f0fa20100000200000000000000010000000000000001000000000000000300000000000000010362
6f6208de5f0fa20100000100000000000000040000000000000001046461766524de5f0fa2010000000a00
5d53c2f8408b490a";

fn load(p: &[u8], deep: bool) -> LoadResult<Loaded> {
    let opts = LoadOptions {
        deep,
        ..LoadOptions::default()
    };
    dump::load(p, &opts)
}

fn stream_of(l: Loaded) -> StreamData {
    match l {
        Loaded::Stream(s) => *s,
        other => panic!("not a stream: {:?}", other),
    }
}

#[test]
fn loads_a_redis_payload_and_writes_it_back_identically() {
    let p = unhex(REDIS_DUMP);
    assert!(dump::verify(&p, false));
    let s = stream_of(load(&p, true).unwrap());
    assert_eq!(s.nodes.len(), 3);
    assert_eq!(s.meta.length, 6);
    assert_eq!(s.meta.last_id, EntryId::new(8, 0));
    assert_eq!(s.meta.first_id, EntryId::new(1, 1));
    assert_eq!(s.meta.max_deleted, EntryId::new(5, 1));
    assert_eq!(s.meta.entries_added, 8);
    assert_eq!(s.groups.len(), 2);
    let g0 = &s.groups[0];
    assert_eq!(g0.name, b"g0");
    assert_eq!(g0.entries_read, -1);
    assert!(g0.pel.is_empty());
    assert_eq!(g0.consumers[0].name, b"carol");
    let g1 = &s.groups[1];
    assert_eq!(g1.last_id, EntryId::new(4, 1));
    assert_eq!(g1.pel.len(), 3);
    assert_eq!(g1.consumers.len(), 3);
    assert_eq!(g1.pel[2].consumer, 1);
    assert_eq!(g1.pel[2].id, EntryId::new(4, 1));
    assert_eq!(
        g1.consumers[0].pel,
        vec![EntryId::new(1, 1), EntryId::new(3, 1)]
    );
    let mut ids = Vec::new();
    for (master, lp) in &s.nodes {
        walk_node(lp, *master, |e| {
            if !e.deleted {
                ids.push(e.id);
            }
            true
        })
        .unwrap();
    }
    let want: Vec<EntryId> = [(1, 1), (3, 1), (4, 1), (6, 1), (7, 1), (8, 0)]
        .iter()
        .map(|&(a, b)| EntryId::new(a, b))
        .collect();
    assert_eq!(ids, want);
    let ours = Loaded::Stream(Box::new(s)).save_with(|v| dump::create(v, false));
    assert_eq!(ours, p);
}

#[test]
fn every_truncation_fails_cleanly() {
    let p = unhex(REDIS_DUMP);
    let body = &p[..p.len() - 10];
    let mut loaded = Vec::new();
    for cut in 0..body.len() {
        let mut q = body[..cut].to_vec();
        q.extend_from_slice(&p[p.len() - 10..]);
        for deep in [false, true] {
            if load(&q, deep).is_ok() {
                loaded.push((cut, deep));
            }
        }
    }
    // RESTORE reads the footer too, as Redis does: for two cuts the
    // footer's bytes complete the value. redis-server 7.0.15 with
    // sanitize-dump-payload yes accepts exactly these two (with "no" also
    // a cut that leaves a pending entry without a consumer, which we
    // always refuse).
    assert_eq!(
        loaded,
        vec![(254, false), (254, true), (466, false), (466, true)]
    );
}

#[test]
fn corrupted_payloads_never_panic() {
    let p = unhex(REDIS_DUMP);
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let mut q = p.clone();
        for _ in 0..1 + rnd() % 4 {
            let i = (rnd() as usize) % (q.len() - 10);
            q[i] = rnd() as u8;
        }
        for deep in [false, true] {
            if let Ok(l) = load(&q, deep) {
                // Whatever loads must save and load again.
                let again = l.save_with(|v| dump::create(v, true));
                load(&again, true).unwrap();
            }
        }
    }
}

fn id(ms: u64, seq: u64) -> EntryId {
    EntryId::new(ms, seq)
}

fn fields(v: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![(b"f".to_vec(), v.as_bytes().to_vec())]
}

/// A valid two-node stream with one group, built by hand.
fn sample() -> StreamData {
    let n1 = build_node(
        id(1, 0),
        &[
            (id(1, 0), false, fields("a")),
            (id(2, 0), true, fields("b")),
        ],
    );
    let n2 = build_node(id(3, 0), &[(id(3, 0), false, fields("c"))]);
    StreamData {
        nodes: vec![(id(1, 0), n1), (id(3, 0), n2)],
        meta: StreamMeta {
            length: 2,
            last_id: id(3, 0),
            first_id: id(1, 0),
            max_deleted: id(2, 0),
            entries_added: 3,
        },
        groups: vec![GroupData {
            name: b"g".to_vec(),
            last_id: id(3, 0),
            entries_read: 3,
            pel: vec![NackData {
                id: id(1, 0),
                delivery_time: 5,
                delivery_count: 2,
                consumer: 0,
            }],
            consumers: vec![ConsumerData {
                name: b"c".to_vec(),
                seen_time: 7,
                pel: vec![id(1, 0)],
            }],
        }],
    }
}

fn payload(s: &StreamData) -> Vec<u8> {
    dump::create(Saving::Stream(s.view()), false)
}

fn reason(r: LoadResult<Loaded>) -> String {
    match r {
        Err(LoadError::Corrupt { reason, .. }) => reason,
        Err(e) => format!("{:?}", e),
        Ok(_) => "loaded".into(),
    }
}

#[test]
fn a_built_stream_round_trips() {
    let s = sample();
    let back = stream_of(load(&payload(&s), true).unwrap());
    assert_eq!(back, s);
}

#[test]
fn inconsistent_streams_are_refused() {
    let mut s = sample();
    s.meta.length = 3;
    assert!(reason(load(&payload(&s), false)).contains("length"));
    let mut s = sample();
    s.nodes.clear();
    assert_eq!(
        reason(load(&payload(&s), false)),
        "Stream length inconsistent with rax entries"
    );
    let mut s = sample();
    s.meta.last_id = id(2, 0);
    assert!(reason(load(&payload(&s), false)).contains("out of order"));
    let mut s = sample();
    s.nodes[1].0 = id(1, 0);
    assert_eq!(
        reason(load(&payload(&s), false)),
        "Listpack re-added with existing key"
    );
    let mut s = sample();
    s.nodes[1].0 = id(3, 1);
    assert!(reason(load(&payload(&s), false)).contains("out of order"));
    let mut s = sample();
    s.groups[0].consumers[0].pel.clear();
    assert_eq!(
        reason(load(&payload(&s), false)),
        "Stream CG PEL entry without consumer"
    );
    let mut s = sample();
    s.groups[0].consumers[0].pel.push(id(9, 9));
    assert_eq!(
        reason(load(&payload(&s), false)),
        "Consumer entry not found in group global PEL"
    );
    let mut s = sample();
    let c = s.groups[0].consumers[0].clone();
    s.groups[0].consumers.push(ConsumerData {
        name: b"d".to_vec(),
        ..c
    });
    assert_eq!(
        reason(load(&payload(&s), false)),
        "Stream consumer PEL entry already has a consumer assigned"
    );
    let mut s = sample();
    let g = s.groups[0].clone();
    s.groups.push(g);
    assert_eq!(
        reason(load(&payload(&s), false)),
        "Duplicated consumer group name g"
    );
}

#[test]
fn empty_node_errors_depend_on_depth_as_in_redis() {
    let mut s = sample();
    s.nodes[1].1 = crate::ds::listpack::Listpack::new();
    let p = payload(&s);
    assert_eq!(reason(load(&p, false)), "Empty listpack inside stream");
    assert_eq!(
        reason(load(&p, true)),
        "Stream listpack integrity check failed."
    );
}

#[test]
fn type_15_estimates_entries_read() {
    // Type 15: no first ID, max deleted ID, entries added or entries read.
    let s = sample();
    let mut w = crate::persistence::rio::RioWriter::new(Vec::new(), false);
    let _ = w.write(&[TYPE_STREAM_LISTPACKS]);
    let v = s.view();
    let _ = encoding::save_len(&mut w, v.nodes.len() as u64);
    for (k, lp) in &v.nodes {
        let _ = encoding::save_string(&mut w, &k.to_be(), false);
        let _ = encoding::save_string(&mut w, lp.as_bytes(), false);
    }
    for x in [2, 3, 0, 1] {
        let _ = encoding::save_len(&mut w, x);
    }
    let _ = encoding::save_string(&mut w, b"g", false);
    for x in [1, 0, 0, 0] {
        let _ = encoding::save_len(&mut w, x);
    }
    let mut body = w.into_inner();
    body.extend_from_slice(&RDB_VERSION.to_le_bytes());
    body.extend_from_slice(&[0; 8]);
    let back = stream_of(load(&body, true).unwrap());
    assert_eq!(back.meta.entries_added, 2);
    assert_eq!(back.meta.first_id, id(1, 0));
    assert_eq!(back.meta.max_deleted, id(0, 0));
    // The group's last ID is the first entry: added - length + 1.
    assert_eq!(back.groups[0].entries_read, 1);
}

/// BGREWRITEAOF (aof-use-rdb-preamble no) of REDIS_DUMP's stream on
/// redis-server 7.0.15, one command per line.
const REDIS_AOF: &str = "XADD s 1-1 f v1 g w
XADD s 3-1 f v3 g w
XADD s 4-1 f v4 g w
XADD s 6-1 f v6 g w
XADD s 7-1 f v7 g w
XADD s 8-0 other x
XSETID s 8-0 ENTRIESADDED 8 MAXDELETEDID 5-1
XGROUP CREATE s g0 6-1 ENTRIESREAD -1
XGROUP CREATECONSUMER s g0 carol
XGROUP CREATE s g1 4-1 ENTRIESREAD -1
XCLAIM s g1 alice 0 1-1 TIME 1795554270710 RETRYCOUNT 1 JUSTID FORCE
XCLAIM s g1 alice 0 3-1 TIME 1795554270710 RETRYCOUNT 1 JUSTID FORCE
XCLAIM s g1 bob 0 4-1 TIME 1795554270728 RETRYCOUNT 1 JUSTID FORCE
XGROUP CREATECONSUMER s g1 dave";

fn commands_of(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.lines() {
        let argv: Vec<&str> = line.split(' ').collect();
        crate::persistence::aof::cat_command(&mut out, &argv);
    }
    out
}

#[test]
fn aof_rewrite_matches_redis() {
    use crate::persistence::aof::rewrite_stream::stream_commands;
    let s = stream_of(load(&unhex(REDIS_DUMP), true).unwrap());
    let mut out = Vec::new();
    stream_commands(&mut out, b"s", s.view()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&commands_of(REDIS_AOF))
    );
    let empty = StreamData {
        nodes: Vec::new(),
        meta: StreamMeta {
            last_id: id(1795554682778, 0),
            entries_added: 1,
            ..StreamMeta::default()
        },
        groups: Vec::new(),
    };
    let mut out = Vec::new();
    stream_commands(&mut out, b"e", empty.view()).unwrap();
    let want = "XADD e MAXLEN 0 0-1 x y\nXSETID e 1795554682778-0 ENTRIESADDED 1 MAXDELETEDID 0-0";
    assert_eq!(out, commands_of(want));
}
