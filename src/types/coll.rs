//! Helpers shared by the collection types (Redis t_hash.c, t_set.c, t_zset.c
//! and db.c `scanGenericCommand`): a local random generator, the element
//! SCAN reply, and typed lookups that turn a wrong type into WRONGTYPE.

use crate::cmd::Ctx;
use crate::error::{CmdError, WRONGTYPE};
use crate::keyspace::scan::{parse_cursor, parse_scan_opts};
use crate::util::glob::string_match_len as string_match;

/// A xorshift64* generator seeded from the server's, so random picks can run
/// while a value of the keyspace is borrowed.
pub struct Rng(u64);

impl Rng {
    pub fn new(ctx: &mut Ctx) -> Rng {
        Rng(ctx.srv.ks.random() | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform index below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A uniform double in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How `scan_elements` reads the value: everything at once (compact
/// encodings) or bucket by bucket from a cursor.
pub enum ScanSource<'a> {
    /// Every item in order (field, value, field, value ... for pairs).
    All(Vec<Vec<u8>>),
    /// A step function: visits the buckets at a cursor, pushes their items,
    /// returns the next cursor.
    Cursor(&'a mut dyn FnMut(u64, &mut Vec<Vec<u8>>) -> u64),
}

/// The cursor of HSCAN/SSCAN/ZSCAN, parsed before the lookup as Redis does.
pub fn scan_cursor(ctx: &Ctx) -> Result<u64, CmdError> {
    parse_cursor(ctx.arg(2))
}

/// Runs an element scan (`scanGenericCommand` for a value) and returns the
/// next cursor with the items. `pairs` is true for hashes and sorted sets.
pub fn scan_elements(
    argv: &[Vec<u8>],
    cursor: u64,
    pairs: bool,
    src: ScanSource<'_>,
) -> Result<(u64, Vec<Vec<u8>>), CmdError> {
    let o = parse_scan_opts(argv, 3, false)?;
    let (items, next) = match src {
        ScanSource::All(items) => (items, 0),
        ScanSource::Cursor(step) => {
            let mut items = Vec::new();
            let mut cur = cursor;
            // At most 10*COUNT buckets per call, as Redis.
            let mut maxiter = o.count.saturating_mul(10);
            loop {
                cur = step(cur, &mut items);
                let go = cur != 0 && maxiter > 0 && (items.len() as i64) < o.count;
                maxiter -= 1;
                if !go {
                    break;
                }
            }
            (items, cur)
        }
    };
    let Some(p) = o.pattern else {
        return Ok((next, items));
    };
    let mut kept = Vec::with_capacity(items.len());
    let mut it = items.into_iter();
    while let Some(k) = it.next() {
        let keep = string_match(p, &k, false);
        let v = if pairs { it.next() } else { None };
        if keep {
            kept.push(k);
            kept.extend(v);
        }
    }
    Ok((next, kept))
}

/// Writes a scan reply: the next cursor and the items.
pub fn scan_reply(ctx: &mut Ctx, next: u64, items: &[Vec<u8>]) {
    let r = &mut ctx.client.reply;
    r.array(2);
    r.bulk_i64(next as i64);
    r.array(items.len());
    for i in items {
        r.bulk(i);
    }
}

/// The empty scan reply for a missing key (`shared.emptyscan`).
pub fn empty_scan(ctx: &mut Ctx) {
    let r = &mut ctx.client.reply;
    r.array(2);
    r.bulk(b"0");
    r.array(0);
}

/// Checks a lookup result for the right type.
pub fn typed<T>(found: Option<Option<T>>) -> Result<Option<T>, CmdError> {
    match found {
        None => Ok(None),
        Some(Some(t)) => Ok(Some(t)),
        Some(None) => Err(WRONGTYPE),
    }
}

/// Parses a count argument in [-LONG_MAX, LONG_MAX] with Redis's message
/// (`getRangeLongFromObjectOrReply` with no custom message).
pub fn range_long(arg: &[u8]) -> Result<i64, CmdError> {
    let v = crate::util::num::string2ll(arg).ok_or(crate::error::NOT_INTEGER)?;
    if v == i64::MIN {
        return Err(CmdError::err(format!(
            "value is out of range, value must between {} and {}",
            -i64::MAX,
            i64::MAX
        )));
    }
    Ok(v)
}

/// Mixes a collection's elements into `digest` (debug.c `xorObjectDigest`):
/// order-independent XOR of per-element digests.
pub fn digest_into(digest: &mut crate::keyspace::digest::Digest, v: &crate::types::Value) {
    use crate::keyspace::digest::{mix_digest, xor_digest};
    use crate::types::Value;
    match v {
        Value::Hash(h) => {
            for (f, val) in h.pairs() {
                let mut e = [0u8; 20];
                mix_digest(&mut e, &f);
                mix_digest(&mut e, &val);
                xor_digest(digest, &e);
            }
        }
        Value::Set(s) => s.for_each(|m| xor_digest(digest, m)),
        Value::ZSet(z) => z.for_each(|m, score| {
            let mut e = [0u8; 20];
            mix_digest(&mut e, m);
            mix_digest(&mut e, crate::util::num::fmt_g17(score).as_bytes());
            xor_digest(digest, &e);
        }),
        _ => {}
    }
}

/// Counts changes for SAVE points and replication (`server.dirty`); the one
/// place collections touch it, so its home can move without edits here.
pub fn add_dirty(srv: &mut crate::server::Server, n: u64) {
    srv.status.persistence.dirty += n;
}
