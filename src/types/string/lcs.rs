//! LCS (Redis t_string.c `lcsCommand`): the longest common subsequence of
//! two strings, its length, or the matching ranges.

use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, SYNTAX};

pub const COMMANDS: &[CommandImpl] = &[CommandImpl {
    name: "lcs",
    handler: lcs_command,
}];

struct LcsOpts {
    idx: bool,
    len: bool,
    withmatchlen: bool,
    minmatchlen: i64,
}

fn parse_opts(ctx: &Ctx) -> Result<LcsOpts, CmdError> {
    let mut o = LcsOpts {
        idx: false,
        len: false,
        withmatchlen: false,
        minmatchlen: 0,
    };
    let mut j = 3;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        if ctx.arg_is(j, "idx") {
            o.idx = true;
        } else if ctx.arg_is(j, "len") {
            o.len = true;
        } else if ctx.arg_is(j, "withmatchlen") {
            o.withmatchlen = true;
        } else if ctx.arg_is(j, "minmatchlen") && more > 0 {
            o.minmatchlen = ctx.arg_i64(j + 1)?.max(0);
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// The string at `key` (empty when missing); None for a non-string.
fn string_arg(ctx: &mut Ctx, key: &[u8]) -> Option<Vec<u8>> {
    let db = ctx.client.db;
    match ctx.srv.lookup_read(db, key) {
        None => Some(Vec::new()),
        Some(v) if !v.is_string() => None,
        Some(v) => {
            let mut t = [0u8; 20];
            Some(v.str_bytes(&mut t).to_vec())
        }
    }
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
fn lcs_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let a = string_arg(ctx, ctx.arg(1));
    let b = string_arg(ctx, ctx.arg(2));
    let (Some(a), Some(b)) = (a, b) else {
        return Err(CmdError::err(
            "The specified keys must contain string values",
        ));
    };
    let o = parse_opts(ctx)?;
    if o.idx && o.len {
        return Err(CmdError::err(
            "If you want both the length and indexes, please just use IDX.",
        ));
    }
    if a.len() as u64 >= u32::MAX as u64 - 1 || b.len() as u64 >= u32::MAX as u64 - 1 {
        return Err(CmdError::err("String too long for LCS"));
    }
    let cells = (a.len() as u64 + 1) * (b.len() as u64 + 1);
    if cells * 4 > ctx.srv.config.proto_max_bulk_len.max(0) as u64 {
        return Err(CmdError::err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    let mut table: Vec<u32> = Vec::new();
    if table.try_reserve_exact(cells as usize).is_err() {
        return Err(CmdError::err(
            "Insufficient memory, failed allocating transient memory for LCS",
        ));
    }
    table.resize(cells as usize, 0);
    fill_table(&a, &b, &mut table);
    reply_lcs(ctx, &a, &b, &table, &o);
    Ok(())
}

/// LCS[i][j] = length of the LCS of a[..i] and b[..j].
fn fill_table(a: &[u8], b: &[u8], t: &mut [u32]) {
    let w = b.len() + 1;
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            t[i * w + j] = if a[i - 1] == b[j - 1] {
                t[(i - 1) * w + j - 1] + 1
            } else {
                t[(i - 1) * w + j].max(t[i * w + j - 1])
            };
        }
    }
}

/// Walks the table back from the end, emitting the string or the ranges
/// exactly in Redis's order.
fn reply_lcs(ctx: &mut Ctx, a: &[u8], b: &[u8], t: &[u32], o: &LcsOpts) {
    let w = b.len() + 1;
    let (alen, blen) = (a.len(), b.len());
    let total = t[alen * w + blen] as usize;
    let mut idx = total;
    let compute = o.idx || !o.len;
    let mut result = vec![0u8; if compute { total } else { 0 }];
    let r = &mut ctx.client.reply;
    let mut ranges = Vec::new();
    // alen in arange_start means "no range open".
    let (mut as_, mut ae, mut bs, mut be) = (alen, 0usize, 0usize, 0usize);
    let (mut i, mut j) = (alen, blen);
    while compute && i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            result[idx - 1] = a[i - 1];
            if as_ == alen {
                (as_, ae, bs, be) = (i - 1, i - 1, j - 1, j - 1);
            } else if as_ == i && bs == j {
                as_ -= 1;
                bs -= 1;
            } else {
                emit = true;
            }
            if as_ == 0 || bs == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            j -= 1;
        } else {
            if t[(i - 1) * w + j] > t[i * w + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            if as_ != alen {
                emit = true;
            }
        }
        if emit {
            let match_len = (ae - as_ + 1) as i64;
            if o.minmatchlen == 0 || match_len >= o.minmatchlen {
                ranges.push((as_, ae, bs, be, match_len));
            }
            as_ = alen;
        }
    }
    if o.idx {
        r.map(2);
        r.bulk(b"matches");
        r.array(ranges.len());
        for (as_, ae, bs, be, ml) in ranges {
            r.array(2 + o.withmatchlen as usize);
            r.array(2);
            r.int(as_ as i64);
            r.int(ae as i64);
            r.array(2);
            r.int(bs as i64);
            r.int(be as i64);
            if o.withmatchlen {
                r.int(ml);
            }
        }
        r.bulk(b"len");
        r.int(total as i64);
    } else if o.len {
        r.int(total as i64);
    } else {
        r.bulk(&result);
    }
}
