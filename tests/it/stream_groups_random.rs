//! Random consumer-group workloads (t_stream.c) run on ferrodis and
//! redis-server side by side, every reply compared after masking what
//! depends on the clock: XADD/XDEL/XTRIM interleaved with XGROUP,
//! XREADGROUP, XACK, XCLAIM, XAUTOCLAIM, XPENDING and XINFO exercise the
//! PELs, entries-read and lag together.

use crate::support::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Masks unix-ms integers, the integer after `idle` / `seen-time`, and
/// the idle time of XPENDING rows (`*4`, id, consumer, :idle, :count).
fn mask(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply).into_owned();
    let lines: Vec<&str> = text.split("\r\n").collect();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    for i in 0..lines.len() {
        let l = lines[i];
        if l.starts_with(':') && l[1..].parse::<i64>().is_ok_and(|v| v >= 100_000_000_000) {
            out[i] = ":T".into();
        }
        if (l == "idle" || l == "seen-time") && i + 1 < lines.len() {
            out[i + 1] = ":T".into();
        }
        let row = i + 6 < lines.len()
            && l == "*4"
            && lines[i + 1].starts_with('$')
            && lines[i + 3].starts_with('$')
            && lines[i + 5].starts_with(':')
            && lines[i + 6].starts_with(':');
        if row {
            out[i + 5] = ":T".into();
        }
    }
    out.join("\r\n")
}

const GROUPS: &[&str] = &["g1", "g2", "g3"];
const CONSUMERS: &[&str] = &["alice", "bob", "carol", "dave"];
const KEYS: &[&str] = &["s1", "s2"];

/// One random command; `next_id` is the top ID handed out so far and
/// `added` the IDs added (so that IDs often name real entries).
fn random_command(r: &mut Rng, next_id: &mut (u64, u64), added: &mut Vec<String>) -> Vec<String> {
    let key = r.pick(KEYS).to_string();
    let g = r.pick(GROUPS).to_string();
    let c = r.pick(CONSUMERS).to_string();
    let known = added.clone();
    let past = move |r: &mut Rng, top: (u64, u64)| {
        if !known.is_empty() && r.below(4) != 0 {
            return known[r.below(known.len() as u64) as usize].clone();
        }
        format!("{}-{}", r.below(top.0 + 2), r.below(3))
    };
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match r.below(23) {
        20 => {
            // Both keys at once, `>` or a history ID for each.
            let mut cmd = v(&[
                "XREADGROUP",
                "GROUP",
                &g,
                &c,
                "COUNT",
                "2",
                "STREAMS",
                "s1",
                "s2",
            ]);
            for _ in 0..2 {
                cmd.push(if r.below(2) == 0 {
                    ">".into()
                } else {
                    "0".into()
                });
            }
            cmd
        }
        21 => v(&["XINFO", "STREAM", &key]),
        22 => v(&[
            "XPENDING",
            &key,
            &g,
            "IDLE",
            "0",
            "-",
            "+",
            &r.below(5).to_string(),
        ]),
        0..=3 => {
            next_id.0 += 1 + r.below(3);
            next_id.1 = r.below(3);
            let id = format!("{}-{}", next_id.0, next_id.1);
            added.push(id.clone());
            v(&["XADD", &key, &id, "f", &id])
        }
        4 => v(&["XDEL", &key, &past(r, *next_id)]),
        5 => v(&["XTRIM", &key, "MAXLEN", &r.below(6).to_string()]),
        6 => {
            let id = match r.below(3) {
                0 => "$".to_string(),
                1 => "0".to_string(),
                _ => past(r, *next_id),
            };
            match r.below(3) {
                0 => v(&["XGROUP", "CREATE", &key, &g, &id, "MKSTREAM"]),
                1 => v(&["XGROUP", "SETID", &key, &g, &id]),
                _ => v(&[
                    "XGROUP",
                    "SETID",
                    &key,
                    &g,
                    &id,
                    "ENTRIESREAD",
                    &r.below(9).to_string(),
                ]),
            }
        }
        7 => match r.below(8) {
            0 => v(&["XGROUP", "DESTROY", &key, &g]),
            1..=3 => v(&["XGROUP", "CREATE", &key, &g, "0", "MKSTREAM"]),
            4 | 5 => v(&["XGROUP", "CREATECONSUMER", &key, &g, &c]),
            _ => v(&["XGROUP", "DELCONSUMER", &key, &g, &c]),
        },
        8..=11 => {
            let mut cmd = v(&["XREADGROUP", "GROUP", &g, &c]);
            if r.below(2) == 0 {
                cmd.extend(v(&["COUNT", &(1 + r.below(3)).to_string()]));
            }
            if r.below(4) == 0 {
                cmd.push("NOACK".into());
            }
            let id = if r.below(3) == 0 {
                past(r, *next_id)
            } else {
                ">".into()
            };
            cmd.extend(v(&["STREAMS", &key, &id]));
            cmd
        }
        12 => v(&["XACK", &key, &g, &past(r, *next_id), &past(r, *next_id)]),
        13 => {
            let mut cmd = v(&[
                "XCLAIM",
                &key,
                &g,
                &c,
                "0",
                &past(r, *next_id),
                &past(r, *next_id),
            ]);
            for opt in [
                &["JUSTID"][..],
                &["FORCE"],
                &["RETRYCOUNT", "5"],
                &["TIME", "1000"],
            ] {
                if r.below(3) == 0 {
                    cmd.extend(v(opt));
                }
            }
            if r.below(4) == 0 {
                cmd.extend(v(&["LASTID", &past(r, *next_id)]));
            }
            cmd
        }
        14 => {
            let start = if r.below(2) == 0 {
                "0".to_string()
            } else {
                past(r, *next_id)
            };
            let mut cmd = v(&["XAUTOCLAIM", &key, &g, &c, "0", &start]);
            cmd.extend(v(&["COUNT", &(1 + r.below(4)).to_string()]));
            if r.below(2) == 0 {
                cmd.push("JUSTID".into());
            }
            cmd
        }
        15 => v(&["XPENDING", &key, &g]),
        16 => match r.below(2) {
            0 => v(&["XPENDING", &key, &g, "-", "+", "10"]),
            _ => v(&["XPENDING", &key, &g, "-", "+", "10", &c]),
        },
        17 => v(&["XINFO", "GROUPS", &key]),
        18 => v(&["XINFO", "CONSUMERS", &key, &g]),
        _ => v(&["XINFO", "STREAM", &key, "FULL"]),
    }
}

#[test]
fn random_group_workloads_match_redis() {
    let Some(mut d) = Differential::start("xgroup_random", &[]) else {
        return;
    };
    // XGROUP_RANDOM_SEEDS=n runs more seeds when hunting a bug.
    let seeds: u64 = std::env::var("XGROUP_RANDOM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    for seed in 1..=seeds {
        // Odd seeds speak RESP3 (HELLO names the client id: not compared).
        let proto = if seed % 2 == 1 { "3" } else { "2" };
        d.check_masked_by(&["HELLO", proto], |_| String::new());
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut top = (0, 0);
        let mut added = Vec::new();
        for k in KEYS {
            for g in GROUPS {
                d.check(&["XGROUP", "CREATE", k, g, "$", "MKSTREAM"]);
            }
        }
        if seed % 3 == 0 {
            d.check(&["CONFIG", "SET", "stream-node-max-entries", "3"]);
        }
        for _ in 0..500 {
            let cmd = random_command(&mut r, &mut top, &mut added);
            let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
            d.check_masked_by(&args, mask);
        }
        d.check(&["FLUSHALL"]);
        d.check(&["CONFIG", "SET", "stream-node-max-entries", "100"]);
    }
}
