//! KEYS and SCAN (Redis db.c `keysCommand`, `scanGenericCommand`). The SCAN
//! option parsing and filtering are shared so HSCAN, SSCAN and ZSCAN can
//! reuse them.

use super::db::lookup;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, SYNTAX};
use crate::types::ObjType;
use crate::util::glob::string_match_len;
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "keys",
        handler: keys_command,
    },
    CommandImpl {
        name: "scan",
        handler: scan_command,
    },
];

/// KEYS pattern: every live key matching the glob.
fn keys_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let pattern = ctx.arg(1);
    let db = ctx.client.db;
    let all = pattern == b"*";
    let now = ctx.srv.time.mstime;
    let stop_at = crate::conn::obuf_limits::reply_stop_at(ctx.srv, ctx.client);
    let d = &ctx.srv.dbs[db];
    let r = &mut ctx.client.reply;
    let at = r.defer_len();
    let mut n = 0;
    for e in d.dict.iter() {
        // Over the output limit the client is closed: stop here.
        if r.out().blocks_memory() >= stop_at {
            break;
        }
        let k = e.key().bytes();
        if all || string_match_len(pattern, k, false) {
            // Expired keys are skipped, not deleted, as Redis does here.
            let when = d.expire_of(k);
            if when >= 0 && now > when {
                continue;
            }
            r.bulk(k);
            n += 1;
        }
    }
    r.set_deferred_array(at, n);
    Ok(())
}

/// Parses a SCAN cursor as C's `strtoul` does (`parseScanCursorOrReply`).
pub fn parse_cursor(s: &[u8]) -> Result<u64, CmdError> {
    let bad = || CmdError::err("invalid cursor");
    // strtoul reads the C string: a NUL byte ends the cursor.
    let s = crate::config::parse::c_str(s);
    if s.is_empty() {
        return Ok(0);
    }
    if matches!(s[0], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        return Err(bad());
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut v: u64 = 0;
    for &b in digits {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((b - b'0') as u64))
            .ok_or_else(bad)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// SCAN options (COUNT, MATCH, TYPE).
pub struct ScanOpts<'a> {
    pub count: i64,
    pub pattern: Option<&'a [u8]>,
    pub type_name: Option<&'a [u8]>,
}

/// Parses options from `from`; TYPE only when `allow_type` (the keyspace SCAN).
pub fn parse_scan_opts<'a>(
    argv: &'a [Vec<u8>],
    from: usize,
    allow_type: bool,
) -> Result<ScanOpts<'a>, CmdError> {
    let mut o = ScanOpts {
        count: 10,
        pattern: None,
        type_name: None,
    };
    let mut i = from;
    while i < argv.len() {
        let left = argv.len() - i;
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"count") && left >= 2 {
            o.count = string2ll(&argv[i + 1]).ok_or(crate::error::NOT_INTEGER)?;
            if o.count < 1 {
                return Err(SYNTAX);
            }
        } else if a.eq_ignore_ascii_case(b"match") && left >= 2 {
            let p = argv[i + 1].as_slice();
            o.pattern = if p == b"*" { None } else { Some(p) };
        } else if a.eq_ignore_ascii_case(b"type") && allow_type && left >= 2 {
            o.type_name = Some(&argv[i + 1]);
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }
    Ok(o)
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
fn scan_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut cursor = parse_cursor(ctx.arg(1))?;
    let o = parse_scan_opts(ctx.argv, 2, true)?;
    let db = ctx.client.db;
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let dict = &ctx.srv.dbs[db].dict;
    // At most 10*COUNT buckets per call, so sparse tables cannot block us.
    let mut max_iterations = o.count.saturating_mul(10);
    loop {
        cursor = dict.scan(cursor, |e| keys.push(e.key().bytes().to_vec()));
        let go_on = cursor != 0 && max_iterations > 0 && (keys.len() as i64) < o.count;
        max_iterations -= 1;
        if !go_on {
            break;
        }
    }
    keys.retain(|k| keep_key(ctx, db, k, &o));
    let r = &mut ctx.client.reply;
    r.array(2);
    r.bulk_i64(cursor as i64);
    r.array(keys.len());
    for k in &keys {
        r.bulk(k);
    }
    Ok(())
}

/// SCAN's filters: pattern, type, and expired keys (which are deleted).
fn keep_key(ctx: &mut Ctx, db: usize, k: &[u8], o: &ScanOpts) -> bool {
    if let Some(p) = o.pattern {
        if !string_match_len(p, k, false) {
            return false;
        }
    }
    if let Some(t) = o.type_name {
        let name = ctx
            .srv
            .lookup_key(db, k, lookup::NOTOUCH)
            .map(|v| v.obj_type().name())
            .unwrap_or("none");
        if !name.as_bytes().eq_ignore_ascii_case(t) {
            return false;
        }
    }
    !ctx.srv.expire_if_needed(db, k, false)
}

/// The type SCAN TYPE names, if it is a known one.
pub fn scan_type(name: &[u8]) -> Option<ObjType> {
    ObjType::from_name(name)
}
