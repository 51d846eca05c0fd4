//! Bitmap commands against redis-server, byte for byte: SETBIT, GETBIT,
//! BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO, their options and errors.

use crate::support::*;

fn diff(name: &str) -> Option<Differential> {
    Differential::start(name, &[])
}

/// A small deterministic generator for randomized differential tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

#[test]
fn setbit_getbit() {
    let Some(mut d) = diff("setbit_getbit") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SETBIT", "k", "0", "1"],
        &["GET", "k"],
        &["OBJECT", "ENCODING", "k"],
        &["SETBIT", "k", "0", "1"],
        &["SETBIT", "k", "0", "0"],
        &["SETBIT", "k", "100", "1"],
        &["STRLEN", "k"],
        &["GET", "k"],
        &["GETBIT", "k", "100"],
        &["GETBIT", "k", "101"],
        &["GETBIT", "k", "100000"],
        &["GETBIT", "nokey", "5"],
        &["SETBIT", "k", "-1", "1"],
        &["SETBIT", "k", "abc", "1"],
        &["SETBIT", "k", "4294967296", "1"],
        &["SETBIT", "k", "9223372036854775807", "1"],
        &["SETBIT", "k", "1", "2"],
        &["SETBIT", "k", "1", "-1"],
        &["SETBIT", "k", "1", "x"],
        &["SETBIT", "k", "1", ""],
        &["GETBIT", "k", "4294967296"],
        &["GETBIT", "k", "-1"],
        &["GETBIT", "k", "01"],
        &["SET", "n", "123"],
        &["OBJECT", "ENCODING", "n"],
        &["GETBIT", "n", "2"],
        &["GETBIT", "n", "3"],
        &["GETBIT", "n", "23"],
        &["GETBIT", "n", "24"],
        &["SETBIT", "n", "7", "0"],
        &["GET", "n"],
        &["OBJECT", "ENCODING", "n"],
        &["SETBIT", "k"],
        &["GETBIT", "k"],
        &["SET", "e", "hello", "EX", "100"],
        &["SETBIT", "e", "0", "1"],
        &["TTL", "e"],
    ];
    d.check_all(cmds);
}

#[test]
fn setbit_dirty_and_limits() {
    let Some(mut d) = diff("setbit_dirty_and_limits") else {
        return;
    };
    let dirty = |d: &mut Differential| {
        let a = d.ours.cmd(&["INFO", "persistence"]);
        let b = d.theirs.cmd(&["INFO", "persistence"]);
        let pick = |r: Vec<u8>| {
            String::from_utf8_lossy(&r)
                .lines()
                .find(|l| l.starts_with("rdb_changes_since_last_save"))
                .map(str::to_string)
        };
        assert_eq!(pick(a), pick(b));
    };
    for c in [
        &["SETBIT", "k", "7", "1"][..],
        &["SETBIT", "k", "7", "1"],
        &["SETBIT", "k", "7", "0"],
        &["SETBIT", "k", "20", "0"],
        &["BITFIELD", "k", "SET", "u8", "0", "0"],
        &[
            "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100",
        ],
        &["BITFIELD", "k", "GET", "u8", "0"],
        &["BITOP", "NOT", "d", "k"],
        &["BITOP", "AND", "d", "nokey"],
        &["BITOP", "AND", "d", "nokey"],
    ] {
        d.check(c);
        dirty(&mut d);
    }
    // The offset limit follows proto-max-bulk-len.
    d.check_all(&[
        &["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
        &["SETBIT", "big", "8388608", "1"],
        &["SETBIT", "big", "8388607", "1"],
        &["STRLEN", "big"],
        &["GETBIT", "big", "8388608"],
        &["BITFIELD", "big", "SET", "u8", "#1048575", "1"],
        &["BITFIELD", "big", "SET", "u8", "#1048576", "1"],
        &["BITFIELD", "big", "GET", "u8", "8388600"],
        &["CONFIG", "SET", "proto-max-bulk-len", "512mb"],
        &["SETBIT", "big", "4294967296", "1"],
        &["BITFIELD", "big", "GET", "u8", "4294967296"],
        &["BITFIELD", "big", "GET", "u8", "4294967295"],
        &["BITFIELD", "big", "GET", "i64", "4294967295"],
        &["BITFIELD", "big", "SET", "u8", "4294967296", "1"],
        &["BITFIELD", "big", "GET", "u8", "#536870912"],
        &["BITFIELD", "big", "GET", "u8", "#536870911"],
        &["BITFIELD", "big", "GET", "i64", "#1152921504606846976"],
    ]);
}

#[test]
fn bitcount_and_bitpos() {
    let Some(mut d) = diff("bitcount_and_bitpos") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "s", "foobar"],
        &["BITCOUNT", "s"],
        &["BITCOUNT", "s", "0", "0"],
        &["BITCOUNT", "s", "1", "1"],
        &["BITCOUNT", "s", "1", "1", "BYTE"],
        &["BITCOUNT", "s", "5", "30", "BIT"],
        &["BITCOUNT", "s", "5", "30", "bit"],
        &["BITCOUNT", "s", "-3", "-1"],
        &["BITCOUNT", "s", "-1", "-3"],
        &["BITCOUNT", "s", "-1", "-3", "FOO"],
        &["BITCOUNT", "s", "0", "-3", "FOO"],
        &["BITCOUNT", "s", "0"],
        &["BITCOUNT", "s", "a", "b"],
        &["BITCOUNT", "s", "0", "b"],
        &["BITCOUNT", "s", "0", "1", "BIT", "x"],
        &["BITCOUNT", "nokey", "a", "b"],
        &["BITCOUNT", "nokey", "0"],
        &["BITCOUNT", "s", "100", "200"],
        &["BITCOUNT", "s", "-100", "-50"],
        &[
            "BITCOUNT",
            "s",
            "-9223372036854775808",
            "9223372036854775807",
        ],
        &[
            "BITCOUNT",
            "s",
            "-9223372036854775808",
            "9223372036854775807",
            "BIT",
        ],
        &["SET", "n", "-12345"],
        &["BITCOUNT", "n"],
        &["BITPOS", "n", "1"],
        &["SET", "e", ""],
        &["BITCOUNT", "e"],
        &["BITCOUNT", "e", "0", "-1"],
        &["BITPOS", "e", "0"],
        &["BITPOS", "e", "1"],
        &["BITPOS", "e", "0", "0", "-1", "BIT"],
        &["SET", "z", "\u{0}\u{0}\u{0}"],
        &["SETRANGE", "f", "0", "\u{7f}"],
        &["BITPOS", "z", "1"],
        &["BITPOS", "z", "0"],
        &["BITPOS", "nokey", "1"],
        &["BITPOS", "nokey", "0"],
        &["BITPOS", "nokey", "0", "1", "2", "3", "4"],
        &["BITPOS", "s", "2"],
        &["BITPOS", "s", "-1"],
        &["BITPOS", "s", "x"],
        &["BITPOS", "s", "1", "x"],
        &["BITPOS", "s", "1", "0", "x"],
        &["BITPOS", "s", "1", "0", "1", "FOO"],
        &["BITPOS", "s", "1", "0", "1", "BIT", "x"],
        &["BITPOS", "s", "1", "2", "-1", "BYTE"],
        &["BITPOS", "s", "0", "2", "-1", "BIT"],
        &["BITCOUNT"],
        &["BITPOS", "s"],
    ];
    d.check_all(cmds);
}

#[test]
fn bitcount_bitpos_random_ranges() {
    let Some(mut d) = diff("bitcount_bitpos_random_ranges") else {
        return;
    };
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..40 {
        let len = rng.below(24) as usize;
        let val: Vec<u8> = (0..len)
            .map(|_| match rng.below(4) {
                0 => 0,
                1 => 0xff,
                _ => rng.next() as u8,
            })
            .collect();
        d.check_bytes(&[b"SET", b"r", &val]);
        for _ in 0..25 {
            let bits = (len * 8) as i64 + 10;
            let a = rng.range(-bits, bits).to_string();
            let b = rng.range(-bits, bits).to_string();
            let bit = rng.below(2).to_string();
            let unit = ["BIT", "BYTE"][rng.below(2) as usize];
            d.check(&["BITCOUNT", "r", &a, &b, unit]);
            d.check(&["BITPOS", "r", &bit, &a, &b, unit]);
            d.check(&["BITPOS", "r", &bit, &a, &b]);
            d.check(&["BITPOS", "r", &bit, &a]);
        }
        d.check(&["BITCOUNT", "r"]);
        d.check(&["BITPOS", "r", &(round % 2).to_string()]);
    }
}

#[test]
fn bitop() {
    let Some(mut d) = diff("bitop") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "a", "foobar"],
        &["SET", "b", "abc"],
        &["SET", "n", "12345"],
        &["BITOP", "AND", "d", "a", "b"],
        &["GET", "d"],
        &["OBJECT", "ENCODING", "d"],
        &["BITOP", "or", "d", "a", "b", "n"],
        &["GET", "d"],
        &["BITOP", "XOR", "d", "a", "b", "nokey"],
        &["GET", "d"],
        &["BITOP", "AND", "d", "a", "nokey"],
        &["GET", "d"],
        &["BITOP", "NOT", "d", "a"],
        &["GET", "d"],
        &["BITOP", "NOT", "d", "a", "b"],
        &["BITOP", "NOT", "d", "nokey"],
        &["EXISTS", "d"],
        &["SET", "d", "x", "EX", "100"],
        &["BITOP", "OR", "d", "a"],
        &["TTL", "d"],
        &["BITOP", "OR", "d", "nokey1", "nokey2"],
        &["EXISTS", "d"],
        &["BITOP", "FOO", "d", "a"],
        &["BITOP", "NOR", "d", "a"],
        &["BITOP", "AND", "d"],
        &["SET", "e", ""],
        &["BITOP", "AND", "d", "e"],
        &["EXISTS", "d"],
        &["BITOP", "OR", "a", "a", "b"],
        &["GET", "a"],
    ];
    d.check_all(cmds);
}

#[test]
fn bitfield_ops_and_errors() {
    let Some(mut d) = diff("bitfield_ops_and_errors") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["BITFIELD", "bf", "SET", "i8", "0", "-100", "GET", "u8", "0"],
        &["GET", "bf"],
        &["OBJECT", "ENCODING", "bf"],
        &[
            "BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102",
            "1",
        ],
        &[
            "BITFIELD", "bf", "SET", "u8", "#1", "255", "GET", "u8", "#1", "GET", "i4", "#3",
        ],
        &[
            "BITFIELD", "bf", "INCRBY", "i5", "100", "1", "GET", "u4", "0",
        ],
        &[
            "BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "300",
        ],
        &[
            "BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300",
        ],
        &[
            "BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "-300",
        ],
        &[
            "BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300", "GET", "u8", "0",
        ],
        &[
            "BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "i8", "0", "128",
        ],
        &["BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "128"],
        &[
            "BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "-129",
        ],
        &["BITFIELD", "bf", "SET", "i8", "0", "128"],
        &["BITFIELD", "bf", "SET", "u8", "0", "-1"],
        &["BITFIELD", "bf", "OVERFLOW", "sat", "SET", "u8", "0", "-1"],
        &["BITFIELD", "bf", "SET", "i64", "0", "9223372036854775807"],
        &["BITFIELD", "bf", "INCRBY", "i64", "0", "1"],
        &[
            "BITFIELD",
            "bf",
            "OVERFLOW",
            "SAT",
            "INCRBY",
            "i64",
            "0",
            "-1",
            "INCRBY",
            "i64",
            "0",
            "9223372036854775807",
        ],
        &[
            "BITFIELD",
            "bf",
            "OVERFLOW",
            "FAIL",
            "INCRBY",
            "i64",
            "0",
            "-9223372036854775808",
            "INCRBY",
            "i64",
            "0",
            "-9223372036854775808",
        ],
        &[
            "BITFIELD",
            "bf",
            "SET",
            "u63",
            "0",
            "9223372036854775807",
            "INCRBY",
            "u63",
            "0",
            "1",
        ],
        &[
            "BITFIELD",
            "bf",
            "OVERFLOW",
            "SAT",
            "INCRBY",
            "u63",
            "0",
            "-9223372036854775808",
        ],
        &[
            "BITFIELD", "bf", "SET", "i1", "3", "1", "GET", "i1", "3", "GET", "u1", "3",
        ],
        &["BITFIELD", "bf", "GET", "u64", "0"],
        &["BITFIELD", "bf", "GET", "i65", "0"],
        &["BITFIELD", "bf", "GET", "i0", "0"],
        &["BITFIELD", "bf", "GET", "I8", "0"],
        &["BITFIELD", "bf", "GET", "x8", "0"],
        &["BITFIELD", "bf", "GET", "", "0"],
        &["BITFIELD", "bf", "GET", "u", "0"],
        &["BITFIELD", "bf", "GET", "u08", "0"],
        &["BITFIELD", "bf", "GET", "u8", "-1"],
        &["BITFIELD", "bf", "GET", "u8", "#-1"],
        &["BITFIELD", "bf", "GET", "u8", "#"],
        &["BITFIELD", "bf", "GET", "u8", "x"],
        &["BITFIELD", "bf", "GET", "u8"],
        &["BITFIELD", "bf", "SET", "u8", "0"],
        &["BITFIELD", "bf", "SET", "u8", "0", "x"],
        &["BITFIELD", "bf", "INCRBY", "u8", "0", "1.5"],
        &["BITFIELD", "bf", "OVERFLOW", "FOO", "GET", "u8", "0"],
        &["BITFIELD", "bf", "OVERFLOW"],
        &["BITFIELD", "bf", "FOO", "u8", "0"],
        &["BITFIELD", "bf", "GET", "u8", "0", "BAR"],
        &["BITFIELD", "bf"],
        &["BITFIELD", "nokey"],
        &["BITFIELD", "nokey", "GET", "i16", "100"],
        &["EXISTS", "nokey"],
        &[
            "BITFIELD", "bf", "get", "u8", "0", "overflow", "fail", "incrby", "u8", "8", "1",
        ],
        &["BITFIELD_RO", "bf", "GET", "u8", "0", "GET", "i3", "#2"],
        &["BITFIELD_RO", "bf", "SET", "u8", "0", "1"],
        &["BITFIELD_RO", "bf", "INCRBY", "u8", "0", "1"],
        &["BITFIELD_RO", "bf", "OVERFLOW", "SAT"],
        &["BITFIELD_RO", "bf", "SET", "u8", "0"],
        &["BITFIELD_RO", "nokey", "GET", "u8", "0"],
        &["BITFIELD_RO", "bf"],
        &["SET", "n", "255"],
        &[
            "BITFIELD", "n", "GET", "u8", "0", "GET", "u24", "0", "GET", "u32", "0",
        ],
        &["BITFIELD"],
        &["BITFIELD_RO"],
    ];
    d.check_all(cmds);
}

#[test]
fn bitfield_random() {
    let Some(mut d) = diff("bitfield_random") else {
        return;
    };
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let values = [
        "0",
        "1",
        "-1",
        "127",
        "128",
        "-129",
        "255",
        "65535",
        "9223372036854775807",
        "-9223372036854775808",
        "4611686018427387904",
    ];
    for _ in 0..400 {
        let mut cmd: Vec<String> = vec!["BITFIELD".into(), "r".into()];
        for _ in 0..rng.range(1, 4) {
            let sign = if rng.below(2) == 0 { "i" } else { "u" };
            let max = if sign == "i" { 64 } else { 63 };
            let ty = format!("{}{}", sign, rng.range(1, max));
            let off = if rng.below(4) == 0 {
                format!("#{}", rng.below(8))
            } else {
                rng.below(80).to_string()
            };
            let v = if rng.below(2) == 0 {
                values[rng.below(values.len() as u64) as usize].to_string()
            } else {
                rng.range(-1000, 1000).to_string()
            };
            match rng.below(5) {
                0 => cmd.extend(["GET".into(), ty, off]),
                1 => cmd.extend(["SET".into(), ty, off, v]),
                2 => cmd.extend(["INCRBY".into(), ty, off, v]),
                _ => {
                    let ow = ["WRAP", "SAT", "FAIL"][rng.below(3) as usize];
                    cmd.extend(["OVERFLOW".into(), ow.into(), "INCRBY".into(), ty, off, v]);
                }
            }
        }
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        d.check(&args);
    }
    d.check(&["GET", "r"]);
}

/// Wrong-type errors against a set.
#[test]
fn wrong_type() {
    let Some(mut d) = diff("bitmaps_wrong_type") else {
        return;
    };
    d.check(&["SADD", "l", "a"]);
    d.check_all(&[
        &["SETBIT", "l", "0", "1"],
        &["GETBIT", "l", "0"],
        &["BITCOUNT", "l"],
        &["BITPOS", "l", "1"],
        &["BITPOS", "l", "7"],
        &["SET", "a", "x"],
        &["BITOP", "AND", "d", "a", "l"],
        &["BITOP", "AND", "l", "a"],
        &["TYPE", "l"],
        &["BITFIELD", "l", "GET", "u8", "0"],
        &["BITFIELD", "l", "SET", "u8", "0", "1"],
        &["BITFIELD_RO", "l", "GET", "u8", "0"],
        &["BITFIELD", "l", "GET", "u99", "0"],
    ]);
}

/// RESP3: BITFIELD's refused write is a RESP3 null, PFDEBUG ENCODING a status.
#[test]
fn resp3_replies() {
    if !have_redis("bitmaps_resp3_replies") {
        return;
    }
    let ours = Server::start(&[]);
    let theirs = Server::start_redis(&[]);
    let mut a = ours.raw();
    let mut b = theirs.raw();
    if a.cmd(&["HELLO", "3"]).starts_with(b"-") {
        return;
    }
    b.cmd(&["HELLO", "3"]);
    for cmd in [
        &[
            "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9", "GET", "u2", "0",
        ][..],
        &["BITFIELD_RO", "k", "GET", "i8", "0"],
        &["PFADD", "h", "a"],
        &["PFDEBUG", "ENCODING", "h"],
        &["PFCOUNT", "h"],
        &["BITPOS", "k", "1"],
    ] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{:?}", cmd);
    }
}
