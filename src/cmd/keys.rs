//! Key extraction (Redis db.c `getKeysFromCommandWithSpecs`,
//! `getKeysUsingKeySpecs` and the `*GetKeys` procs): finds which arguments of
//! a request are keys, with their access flags. Used by COMMAND GETKEYS, and
//! by ACL key permissions and cluster routing.
//!
//! Key specs are tried first. A command whose specs cannot describe its keys
//! (an `unknown` or `incomplete` spec, a spec that does not fit the arguments,
//! or `variable_flags`) falls back to a proc written for it, as in Redis.

use super::meta::{key, BeginSearch, CommandMeta, FindKeys, KeySpec};
use crate::util::num::string2ll;

/// One key argument: its index in argv and its `key::*` flags (0 when found
/// by a proc that does not report flags, as Redis's do not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRef {
    pub pos: usize,
    pub flags: u32,
}

/// Options for `get_keys_with` (Redis GET_KEYSPEC_*).
#[derive(Clone, Copy, Debug, Default)]
pub struct Search {
    /// Also return arguments of `not_key` specs (shard channels).
    pub include_not_keys: bool,
    /// Skip specs that fail instead of giving up, and never use a proc.
    pub return_partial: bool,
}

/// Redis `doesCommandHaveKeys`: has a proc, or a spec that is not `not_key`.
pub fn has_keys(meta: &CommandMeta) -> bool {
    proc_for(meta.name).is_some() || has_real_spec(meta)
}

fn has_real_spec(meta: &CommandMeta) -> bool {
    meta.key_specs.iter().any(|s| s.flags & key::NOT_KEY == 0)
}

/// The keys of `argv` (argv[0] is the command name) with default options.
/// Empty when the command has no keys or the arguments do not fit.
pub fn get_keys(meta: &CommandMeta, argv: &[Vec<u8>]) -> Vec<KeyRef> {
    get_keys_with(meta, argv, Search::default())
}

/// Redis `getKeysFromCommandWithSpecs`.
pub fn get_keys_with(meta: &CommandMeta, argv: &[Vec<u8>], opts: Search) -> Vec<KeyRef> {
    let variable_flags = meta
        .key_specs
        .iter()
        .any(|s| s.flags & key::VARIABLE_FLAGS != 0);
    if has_real_spec(meta) && !variable_flags {
        if let Some(keys) = keys_from_specs(meta, argv, opts) {
            return keys;
        }
    }
    match proc_for(meta.name) {
        Some(p) => run_proc(p, argv),
        None => Vec::new(),
    }
}

/// Redis `getKeysUsingKeySpecs`: None when a spec cannot be applied (and
/// `return_partial` is off).
fn keys_from_specs(meta: &CommandMeta, argv: &[Vec<u8>], opts: Search) -> Option<Vec<KeyRef>> {
    let mut keys = Vec::new();
    for spec in meta.key_specs {
        if spec.flags & key::NOT_KEY != 0 && !opts.include_not_keys {
            continue;
        }
        let ok = match spec_keys(spec, argv) {
            SpecResult::Keys(found) => {
                let flags = spec.flags;
                keys.extend(found.into_iter().map(|pos| KeyRef { pos, flags }));
                // An incomplete spec fails too, once its keys are counted.
                spec.flags & key::INCOMPLETE == 0
            }
            SpecResult::Skip => true,
            SpecResult::Invalid => false,
        };
        if !ok && !opts.return_partial {
            return None;
        }
    }
    Some(keys)
}

enum SpecResult {
    Keys(Vec<usize>),
    /// The keyword was not found: this spec has no keys here.
    Skip,
    /// The spec does not fit the arguments (or is `unknown`).
    Invalid,
}

fn spec_keys(spec: &KeySpec, argv: &[Vec<u8>]) -> SpecResult {
    let argc = argv.len() as i64;
    let first = match spec.begin_search {
        BeginSearch::Index(i) => i as i64,
        BeginSearch::Keyword { keyword, startfrom } => {
            match find_keyword(argv, keyword.as_bytes(), startfrom as i64) {
                Some(i) => i + 1,
                None => return SpecResult::Skip,
            }
        }
        BeginSearch::Unknown => return SpecResult::Invalid,
    };
    let (first, last, step) = match spec.find_keys {
        FindKeys::Range {
            lastkey,
            keystep,
            limit,
        } => {
            let (lastkey, limit) = (lastkey as i64, limit as i64);
            let last = if lastkey >= 0 {
                first + lastkey
            } else if limit == 0 {
                argc + lastkey
            } else {
                first + ((argc - first) / limit + lastkey)
            };
            (first, last, keystep as i64)
        }
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            keystep,
        } => {
            let at = first + keynumidx as i64;
            if keynumidx as i64 >= argc || at < 0 || at >= argc {
                return SpecResult::Invalid;
            }
            let Some(n) = string2ll(&argv[at as usize]).filter(|&n| n >= 0) else {
                return SpecResult::Invalid;
            };
            // Redis adds the count as a C int.
            let begin = first + firstkey as i64;
            (begin, begin + (n as i32) as i64 - 1, keystep as i64)
        }
        FindKeys::Unknown => return SpecResult::Invalid,
    };
    if last >= argc || last < first || first >= argc || step <= 0 {
        return SpecResult::Invalid;
    }
    SpecResult::Keys(
        (first..=last)
            .step_by(step as usize)
            .map(|i| i as usize)
            .collect(),
    )
}

/// The index of `keyword` searched from `startfrom` (backwards from the end
/// when negative). Neither the last argument (searching forwards) nor
/// argument 1 (searching backwards) is looked at, as in Redis.
fn find_keyword(argv: &[Vec<u8>], keyword: &[u8], startfrom: i64) -> Option<i64> {
    let argc = argv.len() as i64;
    let (start, end) = if startfrom > 0 {
        (startfrom, argc - 1)
    } else {
        (argc + startfrom, 1)
    };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            return None;
        }
        if argv[i as usize].eq_ignore_ascii_case(keyword) {
            return Some(i);
        }
        i += if start <= end { 1 } else { -1 };
    }
    None
}

/// The procs of Redis 7.0's command table that matter for key extraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proc {
    /// `genericGetKeys(store, count, first, step)`: a key count argument.
    Numkeys {
        store: usize,
        count: usize,
        first: usize,
    },
    Sort,
    SortRo,
    Migrate,
    Georadius,
    Xread,
    Set,
    Bitfield,
}

fn proc_for(name: &str) -> Option<Proc> {
    let numkeys = |store, count, first| Proc::Numkeys {
        store,
        count,
        first,
    };
    Some(match name {
        "zunionstore" | "zinterstore" | "zdiffstore" => numkeys(1, 2, 3),
        "zunion" | "zinter" | "zdiff" | "zintercard" | "sintercard" | "lmpop" | "zmpop" => {
            numkeys(0, 1, 2)
        }
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" | "blmpop"
        | "bzmpop" => numkeys(0, 2, 3),
        "sort" => Proc::Sort,
        "sort_ro" => Proc::SortRo,
        "migrate" => Proc::Migrate,
        "georadius" | "georadiusbymember" => Proc::Georadius,
        "xread" | "xreadgroup" => Proc::Xread,
        "set" => Proc::Set,
        "bitfield" => Proc::Bitfield,
        _ => return None,
    })
}

fn run_proc(p: Proc, argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let at = |pos: usize, flags: u32| KeyRef { pos, flags };
    match p {
        Proc::Numkeys {
            store,
            count,
            first,
        } => numkeys_keys(argv, store, count, first),
        Proc::Sort => sort_keys(argv),
        Proc::SortRo => vec![at(1, key::RO | key::ACCESS)],
        Proc::Migrate => migrate_keys(argv),
        Proc::Georadius => georadius_keys(argv),
        Proc::Xread => xread_keys(argv),
        Proc::Set => {
            let get = argv.iter().skip(3).any(|a| is_get(a));
            let flags = if get {
                key::RW | key::ACCESS | key::UPDATE
            } else {
                key::OW | key::UPDATE
            };
            vec![at(1, flags)]
        }
        Proc::Bitfield => {
            let flags = if bitfield_readonly(argv) {
                key::RO | key::ACCESS
            } else {
                key::RW | key::ACCESS | key::UPDATE
            };
            vec![at(1, flags)]
        }
    }
}

/// C's `atoi` (glibc: `(int)strtol`): leading spaces, a sign, digits, and the
/// rest ignored; out-of-range values saturate as `long` then wrap to `int`.
fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-') | Some(b'+')) {
        i += 1;
    }
    let mut v: i64 = 0;
    for &c in s[i..].iter().take_while(|c| c.is_ascii_digit()) {
        let d = (c - b'0') as i64;
        v = if neg {
            v.saturating_mul(10).saturating_sub(d)
        } else {
            v.saturating_mul(10).saturating_add(d)
        };
    }
    v as i32
}

/// Redis `genericGetKeys`: `argv[count]` keys from `first`, then the store
/// key (if any) last; nothing when the count does not fit.
fn numkeys_keys(argv: &[Vec<u8>], store: usize, count: usize, first: usize) -> Vec<KeyRef> {
    let Some(n) = argv.get(count).map(|a| atoi(a) as i64) else {
        return Vec::new();
    };
    let room = argv.len() as i64 - first as i64;
    if n < 1 || n > room {
        return Vec::new();
    }
    let mut keys: Vec<KeyRef> = (0..n as usize)
        .map(|i| KeyRef {
            pos: first + i,
            flags: 0,
        })
        .collect();
    if store != 0 {
        keys.push(KeyRef {
            pos: store,
            flags: 0,
        });
    }
    keys
}

/// Redis `sortGetKeys`: the sorted key, then the last STORE target. Options
/// with arguments (LIMIT, GET, BY) are skipped so their values are not taken
/// for STORE.
fn sort_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut keys = vec![KeyRef {
        pos: 1,
        flags: key::RO | key::ACCESS,
    }];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(pos) = store {
        keys.push(KeyRef {
            pos,
            flags: key::OW | key::UPDATE,
        });
    }
    keys
}

/// Redis `migrateGetKeys`: argv[3], or the keys after KEYS when argv[3] is
/// empty (a non-empty key with KEYS is a syntax error: no keys).
fn migrate_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let (mut first, mut num) = (3, 1);
    let mut i = 6;
    while i < argv.len() {
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"keys") {
            if argv[3].is_empty() {
                first = i + 1;
                num = argv.len() - first;
            } else {
                num = 0;
            }
            break;
        }
        if a.eq_ignore_ascii_case(b"auth") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"auth2") {
            i += 2;
        }
        i += 1;
    }
    let flags = key::RW | key::ACCESS | key::DELETE;
    (first..first + num)
        .filter(|&pos| pos < argv.len())
        .map(|pos| KeyRef { pos, flags })
        .collect()
}

/// Redis `georadiusGetKeys`: the key, then the last STORE/STOREDIST target.
fn georadius_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut stored = None;
    let mut i = 5;
    while i < argv.len() {
        let a = &argv[i];
        if (a.eq_ignore_ascii_case(b"store") || a.eq_ignore_ascii_case(b"storedist"))
            && i + 1 < argv.len()
        {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    let mut keys = vec![KeyRef { pos: 1, flags: 0 }];
    if let Some(pos) = stored {
        keys.push(KeyRef { pos, flags: 0 });
    }
    keys
}

/// Redis `xreadGetKeys`: parses options up to STREAMS; half of what follows
/// are keys. Nothing on a syntax error.
fn xread_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut streams = None;
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"block") || a.eq_ignore_ascii_case(b"count") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"group") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"streams") {
            streams = Some(i);
            break;
        } else if !a.eq_ignore_ascii_case(b"noack") {
            break;
        }
        i += 1;
    }
    let Some(sp) = streams else {
        return Vec::new();
    };
    let rest = argv.len() - sp - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        return Vec::new();
    }
    (sp + 1..sp + 1 + rest / 2)
        .map(|pos| KeyRef { pos, flags: 0 })
        .collect()
}

/// SET's GET option, compared as C strings ("get" then a NUL or the end).
fn is_get(a: &[u8]) -> bool {
    a.len() >= 3 && a[..3].eq_ignore_ascii_case(b"get") && (a.len() == 3 || a[3] == 0)
}

/// Redis `bitfieldGetKeys`: read-only when every operation is a complete GET
/// (OVERFLOW allowed); anything else counts as a write.
fn bitfield_readonly(argv: &[Vec<u8>]) -> bool {
    let mut i = 2;
    while i < argv.len() {
        let remaining = argv.len() - i - 1;
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"get") && remaining >= 2 {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"overflow") && remaining >= 1 {
            i += 1;
        } else {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::meta::find;

    fn keys(args: &[&str]) -> Vec<(String, u32)> {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let m = find(args[0]).unwrap();
        get_keys(m, &argv)
            .into_iter()
            .map(|k| (args[k.pos].to_string(), k.flags))
            .collect()
    }

    fn names(args: &[&str]) -> Vec<String> {
        keys(args).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn specs() {
        assert_eq!(names(&["get", "k"]), ["k"]);
        assert_eq!(names(&["mset", "a", "1", "b", "2"]), ["a", "b"]);
        assert_eq!(names(&["blpop", "a", "b", "0"]), ["a", "b"]);
        assert_eq!(names(&["zunionstore", "d", "2", "a", "b"]), ["d", "a", "b"]);
        assert_eq!(
            names(&["xread", "count", "2", "streams", "a", "b", "1", "2"]),
            ["a", "b"]
        );
        assert_eq!(
            names(&[
                "georadius",
                "k",
                "1",
                "2",
                "3",
                "m",
                "store",
                "a",
                "storedist",
                "b"
            ]),
            ["k", "a", "b"]
        );
    }

    #[test]
    fn procs() {
        assert_eq!(
            names(&["zunionstore", "d", "2abc", "a", "b"]),
            ["a", "b", "d"]
        );
        assert!(names(&["eval", "s", "3", "a", "b"]).is_empty());
        assert_eq!(
            names(&["sort", "k", "by", "x", "store", "d", "get", "y", "store", "e"]),
            ["k", "e"]
        );
        assert_eq!(
            names(&["migrate", "h", "p", "", "0", "5", "copy", "keys", "a", "b"]),
            ["a", "b"]
        );
        assert!(names(&["migrate", "h", "p", "k", "0", "5", "keys", "a", "b"]).is_empty());
        assert_eq!(
            keys(&["set", "k", "v"]),
            [("k".into(), key::OW | key::UPDATE)]
        );
        assert_eq!(
            keys(&["set", "k", "v", "GET"])[0].1,
            key::RW | key::ACCESS | key::UPDATE
        );
        assert_eq!(
            keys(&["bitfield", "k", "get", "u8", "0"])[0].1,
            key::RO | key::ACCESS
        );
        assert_eq!(
            keys(&["sintercard", "2a", "a", "b"]),
            [("a".into(), 0), ("b".into(), 0)]
        );
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi(b" 12x"), 12);
        assert_eq!(atoi(b"-3"), -3);
        assert_eq!(atoi(b"+4"), 4);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b"99999999999999999999"), -1);
        assert_eq!(atoi(b"4294967297"), 1);
    }

    #[test]
    fn has_keys_rules() {
        assert!(has_keys(find("get").unwrap()));
        assert!(!has_keys(find("spublish").unwrap()));
        assert!(!has_keys(find("ping").unwrap()));
    }
}
