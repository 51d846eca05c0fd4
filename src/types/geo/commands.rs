//! Geo commands (Redis geo.c, command half): GEOADD, GEODIST, GEOHASH,
//! GEOPOS, GEORADIUS[BYMEMBER][_RO], GEOSEARCH and GEOSEARCHSTORE, over
//! the sorted set API.

use super::geohash::{self, Kind, Shape};
use super::{points_in_shape, sort_points, Point};
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, NOT_INTEGER, SYNTAX};
use crate::keyspace::notify;
use crate::types::coll;
use crate::types::zset::commands::{limits, zset_at, zset_read, zset_write};
use crate::types::zset::score::parse_score;
use crate::types::zset::{AddFlags, AddOut, ZSet};
use crate::types::Value;
use crate::util::num::string2ll;

macro_rules! rows {
    ($($name:literal => $h:path),* $(,)?) => {
        &[$(CommandImpl { name: $name, handler: $h }),*]
    };
}

pub const COMMANDS: &[CommandImpl] = rows![
    "geoadd" => geoadd_command,
    "geodist" => geodist_command,
    "geohash" => geohash_command,
    "geopos" => geopos_command,
    "georadius" => georadius_command,
    "georadius_ro" => georadius_ro_command,
    "georadiusbymember" => georadiusbymember_command,
    "georadiusbymember_ro" => georadiusbymember_ro_command,
    "geosearch" => geosearch_command,
    "geosearchstore" => geosearchstore_command,
];

/// A longitude,latitude pair (`extractLongLatOrReply`).
fn parse_lonlat(long: &[u8], lat: &[u8]) -> Result<(f64, f64), CmdError> {
    let (x, y) = (parse_score(long)?, parse_score(lat)?);
    let bad_long = !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x);
    let bad_lat = !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y);
    if bad_long || bad_lat {
        return Err(CmdError::err(format!(
            "invalid longitude,latitude pair {x:.6},{y:.6}"
        )));
    }
    Ok((x, y))
}

/// Meters per unit (`extractUnitOrReply`).
fn parse_unit(u: &[u8]) -> Result<f64, CmdError> {
    match u.to_ascii_lowercase().as_slice() {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err(CmdError::err(
            "unsupported unit provided. please use M, KM, FT, MI",
        )),
    }
}

fn numeric(arg: &[u8], msg: &'static str) -> Result<f64, CmdError> {
    parse_score(arg).map_err(|_| CmdError::err(msg))
}

/// `<radius> <unit>` (`extractDistanceOrReply`): (radius, conversion).
fn parse_distance(r: &[u8], unit: &[u8]) -> Result<(f64, f64), CmdError> {
    let d = numeric(r, "need numeric radius")?;
    if d < 0.0 {
        return Err(CmdError::err("radius cannot be negative"));
    }
    Ok((d, parse_unit(unit)?))
}

/// `<width> <height> <unit>` (`extractBoxOrReply`): (width, height, conversion).
fn parse_box(w: &[u8], h: &[u8], unit: &[u8]) -> Result<(f64, f64, f64), CmdError> {
    let w = numeric(w, "need numeric width")?;
    let h = numeric(h, "need numeric height")?;
    if h < 0.0 || w < 0.0 {
        return Err(CmdError::err("height or width cannot be negative"));
    }
    Ok((w, h, parse_unit(unit)?))
}

/// The decoded position of a member (`longLatFromMember`).
fn member_pos(z: &ZSet, member: &[u8]) -> Result<(f64, f64), CmdError> {
    z.score(member)
        .and_then(geohash::decode_score)
        .ok_or_else(|| CmdError::err("could not decode requested zset member"))
}

/// GEOADD key [NX|XX] [CH] long lat member [long lat member ...]: a ZADD
/// of the encoded positions, with ZADD's events.
fn geoadd_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let (mut nx, mut xx, mut ch) = (false, false, false);
    let mut i = 2;
    while i < argv.len() {
        match argv[i].to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"ch" => ch = true,
            _ => break,
        }
        i += 1;
    }
    let rest = &argv[i..];
    // An empty element list fails ZADD's own check with the same error.
    if !rest.len().is_multiple_of(3) || (nx && xx) || rest.is_empty() {
        return Err(SYNTAX);
    }
    let mut pairs = Vec::with_capacity(rest.len() / 3);
    // Redis runs GEOADD as the ZADD it rewrites itself into, and propagates
    // that: the options as given, then each score as its integer bits.
    let mut zadd: Vec<Vec<u8>> = Vec::with_capacity(i + rest.len() / 3 * 2);
    zadd.push(b"zadd".to_vec());
    zadd.extend(argv[1..i].iter().cloned());
    for t in rest.chunks(3) {
        let (x, y) = parse_lonlat(&t[0], &t[1])?;
        let bits = geohash::encode_wgs84(x, y, geohash::STEP_MAX).ok_or(SYNTAX)?;
        let bits = geohash::align52(bits);
        zadd.push(bits.to_string().into_bytes());
        zadd.push(t[2].clone());
        pairs.push((bits as f64, t[2].as_slice()));
    }
    ctx.propagate_replace(zadd);
    let (key, db, lim) = (argv[1].as_slice(), ctx.client.db, limits(ctx.srv));
    if zset_write(ctx.srv, db, key)?.is_none() {
        if xx {
            ctx.client.reply.int(0);
            return Ok(());
        }
        let z = ZSet::for_first(pairs[0].1.len(), lim);
        ctx.srv.db_add(db, key, Value::ZSet(Box::new(z)));
    }
    let z = zset_at(ctx.srv, db, key);
    let f = AddFlags {
        nx,
        xx,
        ..AddFlags::default()
    };
    let (mut added, mut updated) = (0u64, 0u64);
    for (score, member) in pairs {
        match z.add(member, score, f, lim).0 {
            AddOut::Added => added += 1,
            AddOut::Updated => updated += 1,
            _ => {}
        }
    }
    ctx.client
        .reply
        .int((if ch { added + updated } else { added }) as i64);
    if added + updated > 0 {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::ZSET, "zadd", key, db);
        coll::add_dirty(ctx.srv, added + updated);
    }
    Ok(())
}

/// GEODIST key member1 member2 [unit]
fn geodist_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let to_meter = match argv.len() {
        5 => parse_unit(&argv[4])?,
        n if n > 5 => return Err(SYNTAX),
        _ => 1.0,
    };
    let db = ctx.client.db;
    let z = zset_read(ctx.srv, db, &argv[1])?;
    let pos = |m: &[u8]| z.as_ref().and_then(|z| z.score(m));
    let (a, b) = match (pos(&argv[2]), pos(&argv[3])) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            ctx.client.reply.null();
            return Ok(());
        }
    };
    match (geohash::decode_score(a), geohash::decode_score(b)) {
        (Some((x1, y1)), Some((x2, y2))) => {
            let d = geohash::distance(x1, y1, x2, y2) / to_meter;
            ctx.client.reply.bulk(geohash::fmt_distance(d).as_bytes());
        }
        _ => ctx.client.reply.null(),
    }
    Ok(())
}

/// GEOHASH key [member ...]
fn geohash_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (argv, db) = (ctx.argv, ctx.client.db);
    let z = zset_read(ctx.srv, db, &argv[1])?;
    let r = &mut ctx.client.reply;
    r.array(argv.len() - 2);
    for m in &argv[2..] {
        let s = z.as_ref().and_then(|z| z.score(m));
        match s.and_then(geohash::standard_string) {
            Some(h) => r.bulk(&h),
            None => r.null(),
        }
    }
    Ok(())
}

/// A coordinate reply (`addReplyHumanLongDouble`).
fn reply_coord(r: &mut crate::resp::Reply, v: f64) {
    let s = geohash::fmt_coord(v);
    if r.resp >= 3 {
        r.raw(b",");
        r.raw(s.as_bytes());
        r.raw(b"\r\n");
    } else {
        r.bulk(s.as_bytes());
    }
}

/// GEOPOS key [member ...]
fn geopos_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (argv, db) = (ctx.argv, ctx.client.db);
    let z = zset_read(ctx.srv, db, &argv[1])?;
    let r = &mut ctx.client.reply;
    r.array(argv.len() - 2);
    for m in &argv[2..] {
        let s = z.as_ref().and_then(|z| z.score(m));
        match s.and_then(geohash::decode_score) {
            Some((x, y)) => {
                r.array(2);
                reply_coord(r, x);
                reply_coord(r, y);
            }
            None => r.null_array(),
        }
    }
    Ok(())
}

/// Which search command runs (geo.c RADIUS_* / GEOSEARCH flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Radius { ro: bool },
    ByMember { ro: bool },
    Search,
    SearchStore,
}

impl Form {
    fn is_search(self) -> bool {
        matches!(self, Form::Search | Form::SearchStore)
    }

    fn no_store(self) -> bool {
        matches!(
            self,
            Form::Radius { ro: true } | Form::ByMember { ro: true }
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// Everything a search was asked for.
struct Query<'a> {
    center: Option<(f64, f64)>,
    /// (kind, conversion)
    area: Option<(Kind, f64)>,
    store: Option<&'a [u8]>,
    storedist: bool,
    withdist: bool,
    withhash: bool,
    withcoord: bool,
    sort: Sort,
    any: bool,
    count: i64,
    frommember: bool,
    fromloc: bool,
    byradius: bool,
    bybox: bool,
}

impl<'a> Query<'a> {
    fn new() -> Query<'a> {
        Query {
            center: None,
            area: None,
            store: None,
            storedist: false,
            withdist: false,
            withhash: false,
            withcoord: false,
            sort: Sort::None,
            any: false,
            count: 0,
            frommember: false,
            fromloc: false,
            byradius: false,
            bybox: false,
        }
    }
}

/// The fixed arguments before the options (`georadiusGeneric` step 1):
/// returns the index of the first option.
fn parse_base<'a>(
    argv: &'a [Vec<u8>],
    form: Form,
    z: Option<&ZSet>,
    q: &mut Query<'a>,
) -> Result<usize, CmdError> {
    match form {
        Form::Radius { .. } => {
            q.center = Some(parse_lonlat(&argv[2], &argv[3])?);
            let (r, conv) = parse_distance(&argv[4], &argv[5])?;
            q.area = Some((Kind::Radius(r), conv));
            Ok(6)
        }
        Form::ByMember { .. } => {
            // Without the key the member and radius are never read.
            if let Some(z) = z {
                q.center = Some(member_pos(z, &argv[2])?);
                let (r, conv) = parse_distance(&argv[3], &argv[4])?;
                q.area = Some((Kind::Radius(r), conv));
            }
            Ok(5)
        }
        Form::Search => Ok(2),
        Form::SearchStore => {
            q.store = Some(&argv[1]);
            Ok(3)
        }
    }
}

/// One option at `argv[j]`; returns how many extra arguments it took.
fn parse_opt<'a>(
    argv: &'a [Vec<u8>],
    j: usize,
    form: Form,
    z: Option<&ZSet>,
    q: &mut Query<'a>,
) -> Result<usize, CmdError> {
    let left = argv.len() - j - 1;
    let store_ok = !form.no_store() && !form.is_search();
    let search = form.is_search();
    match argv[j].to_ascii_lowercase().as_slice() {
        b"withdist" => q.withdist = true,
        b"withhash" => q.withhash = true,
        b"withcoord" => q.withcoord = true,
        b"any" => q.any = true,
        b"asc" => q.sort = Sort::Asc,
        b"desc" => q.sort = Sort::Desc,
        b"count" if left >= 1 => {
            q.count = string2ll(&argv[j + 1]).ok_or(NOT_INTEGER)?;
            if q.count <= 0 {
                return Err(CmdError::err("COUNT must be > 0"));
            }
            return Ok(1);
        }
        b"store" if left >= 1 && store_ok => {
            (q.store, q.storedist) = (Some(argv[j + 1].as_slice()), false);
            return Ok(1);
        }
        b"storedist" if left >= 1 && store_ok => {
            (q.store, q.storedist) = (Some(argv[j + 1].as_slice()), true);
            return Ok(1);
        }
        b"storedist" if form == Form::SearchStore => q.storedist = true,
        b"frommember" if left >= 1 && search && !q.fromloc => {
            if let Some(z) = z {
                q.center = Some(member_pos(z, &argv[j + 1])?);
            }
            q.frommember = true;
            return Ok(1);
        }
        b"fromlonlat" if left >= 2 && search && !q.frommember => {
            q.center = Some(parse_lonlat(&argv[j + 1], &argv[j + 2])?);
            q.fromloc = true;
            return Ok(2);
        }
        b"byradius" if left >= 2 && search && !q.bybox => {
            let (r, conv) = parse_distance(&argv[j + 1], &argv[j + 2])?;
            q.area = Some((Kind::Radius(r), conv));
            q.byradius = true;
            return Ok(2);
        }
        b"bybox" if left >= 3 && search && !q.byradius => {
            let (width, height, conv) = parse_box(&argv[j + 1], &argv[j + 2], &argv[j + 3])?;
            q.area = Some((Kind::Box { width, height }, conv));
            q.bybox = true;
            return Ok(3);
        }
        _ => return Err(SYNTAX),
    }
    Ok(0)
}

/// The checks after the options, in Redis's order.
fn check_query(q: &Query<'_>, form: Form, name: &[u8]) -> Result<(), CmdError> {
    let name = String::from_utf8_lossy(name);
    if q.store.is_some() && (q.withdist || q.withhash || q.withcoord) {
        let what = if form == Form::SearchStore {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(CmdError::err(format!(
            "{what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    if form.is_search() && !(q.frommember || q.fromloc) {
        return Err(CmdError::err(format!(
            "exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if form.is_search() && !(q.byradius || q.bybox) {
        return Err(CmdError::err(format!(
            "exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if q.any && q.count == 0 {
        return Err(CmdError::err("the ANY argument requires COUNT argument"));
    }
    Ok(())
}

/// GEORADIUS and friends (`georadiusGeneric`); `src` is the source key's index.
fn search_generic(ctx: &mut Ctx, src: usize, form: Form) -> Result<(), CmdError> {
    let (argv, db) = (ctx.argv, ctx.client.db);
    let z = zset_read(ctx.srv, db, &argv[src])?.map(|z| &*z);
    let mut q = Query::new();
    let mut j = parse_base(argv, form, z, &mut q)?;
    while j < argv.len() {
        j += parse_opt(argv, j, form, z, &mut q)? + 1;
    }
    check_query(&q, form, &argv[0])?;
    let (Some(z), Some((long, lat)), Some((kind, conversion))) = (z, q.center, q.area) else {
        // No source key: an empty reply, or an emptied destination.
        match q.store {
            Some(dst) => store_points(ctx, dst, &[], false, 1.0, form),
            None => ctx.client.reply.array(0),
        }
        return Ok(());
    };
    let shape = Shape {
        long,
        lat,
        conversion,
        kind,
    };
    if q.count != 0 && q.sort == Sort::None && !q.any {
        q.sort = Sort::Asc;
    }
    let limit = if q.any { q.count as usize } else { 0 };
    let mut pts = points_in_shape(z, &shape, limit);
    let keep = if q.count > 0 && (q.count as u64) < pts.len() as u64 {
        q.count as usize
    } else {
        pts.len()
    };
    if q.sort != Sort::None {
        sort_points(&mut pts, q.sort == Sort::Desc, keep);
    }
    pts.truncate(keep);
    match q.store {
        Some(dst) => store_points(ctx, dst, &pts, q.storedist, conversion, form),
        None => reply_points(ctx, &pts, &q, conversion),
    }
    Ok(())
}

/// The search reply: members, or arrays with the WITH* fields.
fn reply_points(ctx: &mut Ctx, pts: &[Point], q: &Query<'_>, conversion: f64) {
    let r = &mut ctx.client.reply;
    let opts = q.withdist as usize + q.withhash as usize + q.withcoord as usize;
    r.array(pts.len());
    for p in pts {
        if opts > 0 {
            r.array(opts + 1);
        }
        r.bulk(&p.member);
        if q.withdist {
            r.bulk(geohash::fmt_distance(p.dist / conversion).as_bytes());
        }
        if q.withhash {
            r.int(p.score as i64);
        }
        if q.withcoord {
            r.array(2);
            reply_coord(r, p.long);
            reply_coord(r, p.lat);
        }
    }
}

/// STORE / STOREDIST / GEOSEARCHSTORE: the points as a new sorted set, or
/// the destination deleted when there are none.
fn store_points(ctx: &mut Ctx, dst: &[u8], pts: &[Point], dist: bool, conv: f64, form: Form) {
    let (db, lim) = (ctx.client.db, limits(ctx.srv));
    if pts.is_empty() {
        if ctx.srv.db_delete(db, dst) {
            ctx.srv.signal_modified_key(db, dst);
            ctx.srv.notify(notify::GENERIC, "del", dst, db);
            coll::add_dirty(ctx.srv, 1);
        }
        ctx.client.reply.int(0);
        return;
    }
    let maxlen = pts.iter().map(|p| p.member.len()).max().unwrap_or(0);
    let mut z = ZSet::with_hint(pts.len(), maxlen, lim);
    for p in pts {
        let score = if dist { p.dist / conv } else { p.score };
        z.add(&p.member, score, AddFlags::default(), lim);
    }
    ctx.srv.set_key(db, dst, Value::ZSet(Box::new(z)), false);
    let event = if form.is_search() {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    ctx.srv.notify(notify::ZSET, event, dst, db);
    coll::add_dirty(ctx.srv, pts.len() as u64);
    ctx.client.reply.int(pts.len() as i64);
}

fn georadius_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    search_generic(ctx, 1, Form::Radius { ro: false })
}

fn georadius_ro_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    search_generic(ctx, 1, Form::Radius { ro: true })
}

fn georadiusbymember_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    search_generic(ctx, 1, Form::ByMember { ro: false })
}

fn georadiusbymember_ro_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    search_generic(ctx, 1, Form::ByMember { ro: true })
}

fn geosearch_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    search_generic(ctx, 1, Form::Search)
}

fn geosearchstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    search_generic(ctx, 2, Form::SearchStore)
}
