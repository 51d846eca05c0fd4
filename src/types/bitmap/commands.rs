//! Bitmap commands (Redis bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS,
//! BITOP, BITFIELD and BITFIELD_RO over string values.

use super::{
    first_bit, get_signed, get_unsigned, normalize, parse_offset, parse_type, popcount, set_field,
    signed_add, unsigned_add, FieldType, Overflow, Range,
};
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, NOT_INTEGER, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::server::Server;
use crate::types::Value;
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "setbit",
        handler: setbit_command,
    },
    CommandImpl {
        name: "getbit",
        handler: getbit_command,
    },
    CommandImpl {
        name: "bitcount",
        handler: bitcount_command,
    },
    CommandImpl {
        name: "bitpos",
        handler: bitpos_command,
    },
    CommandImpl {
        name: "bitop",
        handler: bitop_command,
    },
    CommandImpl {
        name: "bitfield",
        handler: bitfield_command,
    },
    CommandImpl {
        name: "bitfield_ro",
        handler: bitfield_ro_command,
    },
];

/// Makes `key` a raw string long enough to address bit `maxbit`, creating
/// it if missing (`lookupStringForBitCommand`). Returns whether it grew.
fn grow_for_bits(srv: &mut Server, db: usize, key: &[u8], maxbit: u64) -> Result<bool, CmdError> {
    let need = (maxbit >> 3) as usize + 1;
    if let Some(v) = srv.lookup_write(db, key) {
        if !v.is_string() {
            return Err(WRONGTYPE);
        }
        let buf = v.str_make_raw();
        let old = buf.len();
        if old < need {
            buf.resize(need, 0);
        }
        return Ok(old < need);
    }
    srv.db_add(db, key, Value::str_raw(vec![0; need]));
    Ok(true)
}

/// The buffer of a key `grow_for_bits` just prepared.
fn raw_buf<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> &'a mut Vec<u8> {
    let e = srv.dbs[db]
        .dict
        .find_mut(key)
        .expect("grow_for_bits created the key");
    e.val.str_make_raw()
}

/// SETBIT key offset value
fn setbit_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let bad_bit = CmdError::fixed("ERR bit is not an integer or out of range");
    let offset = parse_offset(ctx.arg(2), 0, ctx.srv.config.proto_max_bulk_len)?;
    let on = string2ll(ctx.arg(3)).ok_or(bad_bit.clone())?;
    if on & !1 != 0 {
        return Err(bad_bit);
    }
    let (key, db) = (ctx.arg(1), ctx.client.db);
    let grew = grow_for_bits(ctx.srv, db, key, offset)?;
    let buf = raw_buf(ctx.srv, db, key);
    let byte = &mut buf[(offset >> 3) as usize];
    let mask = 1u8 << (7 - (offset & 7));
    let old = *byte & mask != 0;
    if grew || old != (on == 1) {
        *byte = (*byte & !mask) | if on == 1 { mask } else { 0 };
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::STRING, "setbit", key, db);
        ctx.srv.status.persistence.dirty += 1;
    }
    ctx.client.reply.int(old as i64);
    Ok(())
}

/// GETBIT key offset
fn getbit_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let offset = parse_offset(ctx.arg(2), 0, ctx.srv.config.proto_max_bulk_len)?;
    let db = ctx.client.db;
    let bit = match ctx.srv.lookup_read(db, &ctx.argv[1]) {
        None => false,
        Some(v) if !v.is_string() => return Err(WRONGTYPE),
        Some(v) => {
            let mut t = [0u8; 20];
            let s = v.str_bytes(&mut t);
            s.get((offset >> 3) as usize)
                .is_some_and(|b| b & (1 << (7 - (offset & 7))) != 0)
        }
    };
    ctx.client.reply.int(bit as i64);
    Ok(())
}

/// The BYTE|BIT option of BITCOUNT and BITPOS.
fn parse_unit(arg: &[u8]) -> Result<bool, CmdError> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(false)
    } else {
        Err(SYNTAX)
    }
}

/// BITCOUNT key [start end [BYTE|BIT]]
fn bitcount_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let argv = ctx.argv;
    let Some(v) = ctx.srv.lookup_read(db, &argv[1]) else {
        ctx.client.reply.int(0);
        return Ok(());
    };
    if !v.is_string() {
        return Err(WRONGTYPE);
    }
    let mut t = [0u8; 20];
    let s = v.str_bytes(&mut t);
    let len = s.len() as i64;
    let r = match argv.len() {
        2 => normalize(0, -1, len, false),
        4 | 5 => {
            let start = string2ll(&argv[2]).ok_or(NOT_INTEGER)?;
            let end = string2ll(&argv[3]).ok_or(NOT_INTEGER)?;
            if start < 0 && end < 0 && start > end {
                ctx.client.reply.int(0);
                return Ok(());
            }
            let bit = match argv.get(4) {
                Some(a) => parse_unit(a)?,
                None => false,
            };
            normalize(start, end, len, bit)
        }
        _ => return Err(SYNTAX),
    };
    if r.start > r.end {
        ctx.client.reply.int(0);
        return Ok(());
    }
    let (a, b) = (r.start as usize, r.end as usize);
    let mut n = popcount(&s[a..=b]);
    n -= (s[a] & r.first_mask).count_ones() as u64;
    n -= (s[b] & r.last_mask).count_ones() as u64;
    ctx.client.reply.int(n as i64);
    Ok(())
}

/// BITPOS key bit [start [end [BYTE|BIT]]]
fn bitpos_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let bit = string2ll(&argv[2]).ok_or(NOT_INTEGER)?;
    if bit != 0 && bit != 1 {
        return Err(CmdError::err("The bit argument must be 1 or 0."));
    }
    let db = ctx.client.db;
    let Some(v) = ctx.srv.lookup_read(db, &argv[1]) else {
        ctx.client.reply.int(if bit == 1 { -1 } else { 0 });
        return Ok(());
    };
    if !v.is_string() {
        return Err(WRONGTYPE);
    }
    let mut t = [0u8; 20];
    let s = v.str_bytes(&mut t);
    let len = s.len() as i64;
    let mut end_given = false;
    let r = match argv.len() {
        3 => normalize(0, -1, len, false),
        4..=6 => {
            let start = string2ll(&argv[3]).ok_or(NOT_INTEGER)?;
            let unit = match argv.get(5) {
                Some(a) => parse_unit(a)?,
                None => false,
            };
            let end = match argv.get(4) {
                Some(a) => {
                    end_given = true;
                    string2ll(a).ok_or(NOT_INTEGER)?
                }
                None => -1,
            };
            normalize(start, end, len, unit)
        }
        _ => return Err(SYNTAX),
    };
    let pos = if r.start > r.end {
        -1
    } else {
        find_in_range(s, &r, bit == 1, end_given)
    };
    ctx.client.reply.int(pos);
    Ok(())
}

/// The first bit equal to `bit` within a normalised range: edge bits
/// outside the range are forced to the opposite value. A 0 not found is
/// -1 with an explicit end, else the first bit after the range.
fn find_in_range(s: &[u8], r: &Range, bit: bool, end_given: bool) -> i64 {
    let (a, b) = (r.start as usize, r.end as usize);
    let force = |byte: u8, mask: u8| if bit { byte & !mask } else { byte | mask };
    let in_byte = |byte: u8| first_bit(&[byte], bit).filter(|p| *p < 8);
    let found = if a == b {
        in_byte(force(force(s[a], r.first_mask), r.last_mask))
    } else {
        let mid = &s[a + 1..b];
        let mid_bits = mid.len() as u64 * 8;
        in_byte(force(s[a], r.first_mask))
            .or_else(|| first_bit(mid, bit).filter(|p| *p < mid_bits).map(|p| p + 8))
            .or_else(|| in_byte(force(s[b], r.last_mask)).map(|p| p + 8 + mid_bits))
    };
    match found {
        Some(p) => (p + a as u64 * 8) as i64,
        None if bit || end_given => -1,
        None => (b as i64 + 1) * 8,
    }
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...]
fn bitop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let op = argv[1].to_ascii_lowercase();
    if !matches!(op.as_slice(), b"and" | b"or" | b"xor" | b"not") {
        return Err(SYNTAX);
    }
    if op == b"not" && argv.len() != 4 {
        return Err(CmdError::err(
            "BITOP NOT must be called with a single source key.",
        ));
    }
    let db = ctx.client.db;
    // Lookups first (expiry, stats, type errors in key order), then the
    // sources are borrowed in place rather than copied.
    for key in &argv[3..] {
        if ctx.srv.lookup_read(db, key).is_some_and(|v| !v.is_string()) {
            return Err(WRONGTYPE);
        }
    }
    let dict = &ctx.srv.dbs[db].dict;
    let mut tmps = vec![[0u8; 20]; argv.len() - 3];
    let srcs: Vec<&[u8]> = argv[3..]
        .iter()
        .zip(tmps.iter_mut())
        .map(|(k, t)| dict.get(k).map_or(&[][..], |v| v.str_bytes(t)))
        .collect();
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let res = (maxlen > 0).then(|| bitop(&op, &srcs, maxlen));
    let dest = &argv[2];
    if let Some(res) = res {
        ctx.srv.set_key(db, dest, Value::str_raw(res), false);
        ctx.srv.notify(notify::STRING, "set", dest, db);
        ctx.srv.status.persistence.dirty += 1;
    } else if ctx.srv.db_delete(db, dest) {
        ctx.srv.signal_modified_key(db, dest);
        ctx.srv.notify(notify::GENERIC, "del", dest, db);
        ctx.srv.status.persistence.dirty += 1;
    }
    ctx.client.reply.int(maxlen as i64);
    Ok(())
}

/// The result of a bit operation; shorter inputs are zero padded.
fn bitop(op: &[u8], srcs: &[&[u8]], maxlen: usize) -> Vec<u8> {
    let mut res = srcs[0].to_vec();
    res.resize(maxlen, 0);
    if op == b"not" {
        res.iter_mut().for_each(|b| *b = !*b);
        return res;
    }
    for &src in &srcs[1..] {
        let (have, pad) = res.split_at_mut(src.len().min(maxlen));
        match op {
            b"and" => {
                have.iter_mut().zip(src).for_each(|(r, s)| *r &= s);
                pad.iter_mut().for_each(|r| *r = 0);
            }
            b"or" => have.iter_mut().zip(src).for_each(|(r, s)| *r |= s),
            _ => have.iter_mut().zip(src).for_each(|(r, s)| *r ^= s),
        }
    }
    res
}

/// One parsed BITFIELD operation.
struct FieldOp {
    offset: u64,
    ty: FieldType,
    /// None for GET; the SET value or INCRBY increment otherwise.
    arg: Option<(bool, i64)>,
    overflow: Overflow,
}

/// Parses BITFIELD's operations (the first half of `bitfieldGeneric`).
fn parse_field_ops(argv: &[Vec<u8>], limit: i64) -> Result<Vec<FieldOp>, CmdError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < argv.len() {
        let rem = argv.len() - j - 1;
        let sub = argv[j].to_ascii_lowercase();
        let is_incr = match sub.as_slice() {
            b"get" if rem >= 2 => None,
            b"set" if rem >= 3 => Some(false),
            b"incrby" if rem >= 3 => Some(true),
            b"overflow" if rem >= 1 => {
                overflow = match argv[j + 1].to_ascii_lowercase().as_slice() {
                    b"wrap" => Overflow::Wrap,
                    b"sat" => Overflow::Sat,
                    b"fail" => Overflow::Fail,
                    _ => return Err(CmdError::err("Invalid OVERFLOW type specified")),
                };
                j += 2;
                continue;
            }
            _ => return Err(SYNTAX),
        };
        let ty = parse_type(&argv[j + 1])?;
        let offset = parse_offset(&argv[j + 2], ty.bits, limit)?;
        let arg = match is_incr {
            None => None,
            Some(incr) => Some((incr, string2ll(&argv[j + 3]).ok_or(NOT_INTEGER)?)),
        };
        ops.push(FieldOp {
            offset,
            ty,
            arg,
            overflow,
        });
        j += if is_incr.is_some() { 4 } else { 3 };
    }
    Ok(ops)
}

/// BITFIELD key [GET type offset] [SET type offset value]
/// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
fn bitfield_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    bitfield_generic(ctx, false)
}

/// BITFIELD_RO key [GET type offset ...]
fn bitfield_ro_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    bitfield_generic(ctx, true)
}

/// `bitfieldGeneric`.
fn bitfield_generic(ctx: &mut Ctx, ro: bool) -> Result<(), CmdError> {
    let ops = parse_field_ops(ctx.argv, ctx.srv.config.proto_max_bulk_len)?;
    let (key, db) = (ctx.arg(1), ctx.client.db);
    let writes = ops.iter().filter(|o| o.arg.is_some());
    let highest = writes.map(|o| o.offset + o.ty.bits as u64 - 1).max();
    let Some(highest) = highest else {
        let reply = &mut ctx.client.reply;
        match ctx.srv.lookup_read(db, key) {
            Some(v) if !v.is_string() => return Err(WRONGTYPE),
            Some(v) => {
                let mut t = [0u8; 20];
                field_gets(reply, v.str_bytes(&mut t), &ops);
            }
            None => field_gets(reply, &[], &ops),
        }
        return Ok(());
    };
    if ro {
        return Err(CmdError::err(
            "BITFIELD_RO only supports the GET subcommand",
        ));
    }
    let grew = grow_for_bits(ctx.srv, db, key, highest)?;
    let buf = raw_buf(ctx.srv, db, key);
    let reply = &mut ctx.client.reply;
    reply.array(ops.len());
    let mut changes = 0;
    for op in &ops {
        let Some((incr, n)) = op.arg else {
            field_get(reply, buf, op);
            continue;
        };
        let (off, bits) = (op.offset, op.ty.bits);
        let (ret, old, new) = field_write(buf, op, incr, n);
        match ret {
            // A write that changes nothing is not counted unless the
            // string grew (Redis 7.0.15).
            Some(v) => {
                reply.int(v);
                set_field(buf, off, bits, new);
                if grew || old != new {
                    changes += 1;
                }
            }
            None => reply.null(),
        }
    }
    if changes > 0 {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::STRING, "setbit", key, db);
        ctx.srv.status.persistence.dirty += changes;
    }
    Ok(())
}

/// Computes one SET or INCRBY: the reply value (None when OVERFLOW FAIL
/// refuses it), and the field's old and new bits.
fn field_write(buf: &[u8], op: &FieldOp, incr: bool, n: i64) -> (Option<i64>, u64, u64) {
    let (off, bits, ow) = (op.offset, op.ty.bits, op.overflow);
    if op.ty.signed {
        let old = get_signed(buf, off, bits);
        let r = if incr {
            signed_add(old, n, bits, ow)
        } else {
            signed_add(n, 0, bits, ow)
        };
        match r.map(Some).unwrap_or_else(|v| v) {
            None => (None, 0, 0),
            Some(new) => (Some(if incr { new } else { old }), old as u64, new as u64),
        }
    } else {
        let old = get_unsigned(buf, off, bits);
        let r = if incr {
            unsigned_add(old, n, bits, ow)
        } else {
            unsigned_add(n as u64, 0, bits, ow)
        };
        match r.map(Some).unwrap_or_else(|v| v) {
            None => (None, 0, 0),
            Some(new) => (Some(if incr { new } else { old } as i64), old, new),
        }
    }
}

/// Replies to a read-only BITFIELD: every op is a GET.
fn field_gets(reply: &mut crate::resp::Reply, s: &[u8], ops: &[FieldOp]) {
    reply.array(ops.len());
    for op in ops {
        field_get(reply, s, op);
    }
}

/// One GET: bits past the end of the string read as zeros.
fn field_get(reply: &mut crate::resp::Reply, s: &[u8], op: &FieldOp) {
    let v = if op.ty.signed {
        get_signed(s, op.offset, op.ty.bits)
    } else {
        get_unsigned(s, op.offset, op.ty.bits) as i64
    };
    reply.int(v);
}
