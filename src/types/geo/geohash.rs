//! Geohash math (Redis geohash.c and geohash_helper.c): 52-bit interleaved
//! encoding, decoding, neighbor cells, the search area of a shape and the
//! haversine distances. Every double operation happens in Redis's order so
//! scores, coordinates and distances agree to the last bit.

pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
/// Bits per coordinate of a stored score.
pub const STEP_MAX: u8 = 26;

const D_R: f64 = std::f64::consts::PI / 180.0;
/// Earth's quadratic mean radius for WGS-84, as Redis uses it.
const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;

/// A coordinate interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// An interleaved hash of `step` bits per coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bits {
    pub bits: u64,
    pub step: u8,
}

impl Bits {
    pub const ZERO: Bits = Bits { bits: 0, step: 0 };

    fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

/// The cell a hash covers.
#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

pub const WGS84_LONG: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
pub const WGS84_LAT: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

fn deg_rad(ang: f64) -> f64 {
    ang * D_R
}

fn rad_deg(ang: f64) -> f64 {
    ang / D_R
}

/// Spreads the low 32 bits of `v` to the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gathers the even bit positions of `v` into 32 bits.
fn squash(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// Latitude bits in the even positions, longitude bits in the odd ones.
fn interleave(lat: u32, long: u32) -> u64 {
    spread(lat) | (spread(long) << 1)
}

/// Encodes a point with `step` bits per coordinate over the given ranges
/// (`geohashEncode`); None outside the WGS84 limits or the ranges.
pub fn encode(lr: Range, ar: Range, long: f64, lat: f64, step: u8) -> Option<Bits> {
    if step > 32 || step == 0 || ar.max - ar.min == 0.0 || lr.max - lr.min == 0.0 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&long) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < ar.min || lat > ar.max || long < lr.min || long > lr.max {
        return None;
    }
    let mut lat_off = (lat - ar.min) / (ar.max - ar.min);
    let mut long_off = (long - lr.min) / (lr.max - lr.min);
    lat_off *= (1u64 << step) as f64;
    long_off *= (1u64 << step) as f64;
    // C converts to uint32_t by truncation; the offsets are in [0, 2^32).
    Some(Bits {
        bits: interleave(lat_off as u32, long_off as u32),
        step,
    })
}

pub fn encode_wgs84(long: f64, lat: f64, step: u8) -> Option<Bits> {
    encode(WGS84_LONG, WGS84_LAT, long, lat, step)
}

/// The cell of a hash (`geohashDecode`).
pub fn decode(lr: Range, ar: Range, h: Bits) -> Option<Area> {
    if h.is_zero() || ar.max - ar.min == 0.0 || lr.max - lr.min == 0.0 {
        return None;
    }
    let ilat = squash(h.bits);
    let ilong = squash(h.bits >> 1);
    let lat_scale = ar.max - ar.min;
    let long_scale = lr.max - lr.min;
    let div = (1u64 << h.step) as f64;
    let edge = |min: f64, i: u32, scale: f64| min + (i as f64 / div) * scale;
    Some(Area {
        latitude: Range {
            min: edge(ar.min, ilat, lat_scale),
            max: edge(ar.min, ilat.wrapping_add(1), lat_scale),
        },
        longitude: Range {
            min: edge(lr.min, ilong, long_scale),
            max: edge(lr.min, ilong.wrapping_add(1), long_scale),
        },
    })
}

/// x86-64's `(uint64_t)` of a double, as gcc compiles it: below 2^63 a
/// truncating signed conversion, else one of `x - 2^63` with the top bit
/// flipped; out of range (or NaN) the hardware gives 0x8000000000000000.
/// Sorted set scores can be anything, so GEOPOS of a negative score or an
/// infinite one decodes these bits as Redis does.
fn c_double_to_u64(x: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    let cvtt = |v: f64| -> i64 {
        if (-TWO63..TWO63).contains(&v) {
            v as i64
        } else {
            i64::MIN
        }
    };
    if x >= TWO63 {
        (cvtt(x - TWO63) as u64) ^ (1 << 63)
    } else {
        cvtt(x) as u64
    }
}

/// The center of a stored score, clamped to the WGS84 limits (`decodeGeohash`).
pub fn decode_score(score: f64) -> Option<(f64, f64)> {
    let h = Bits {
        bits: c_double_to_u64(score),
        step: STEP_MAX,
    };
    let a = decode(WGS84_LONG, WGS84_LAT, h)?;
    let long = ((a.longitude.min + a.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.latitude.min + a.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    Some((long, lat))
}

/// Left-aligns a hash to 52 bits (`geohashAlign52Bits`).
pub fn align52(h: Bits) -> u64 {
    h.bits << (52 - h.step as u32 * 2)
}

/// The score a point is stored with.
pub fn score_of(long: f64, lat: f64) -> Option<f64> {
    encode_wgs84(long, lat, STEP_MAX).map(|h| align52(h) as f64)
}

/// The 11-character standard geohash of a score: its point re-encoded
/// over latitude -90..90 (GEOHASH).
pub fn standard_string(score: f64) -> Option<[u8; 11]> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (long, lat) = decode_score(score)?;
    let lat_range = Range {
        min: -90.0,
        max: 90.0,
    };
    let h = encode(WGS84_LONG, lat_range, long, lat, 26)?;
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let idx = (h.bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    Some(out)
}

/// Moves a hash one cell east (d > 0) or west (d < 0).
fn move_x(h: &mut Bits, d: i8) {
    let shift = 64 - h.step as u32 * 2;
    let mut x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    h.bits = x | y;
}

/// Moves a hash one cell north (d > 0) or south (d < 0).
fn move_y(h: &mut Bits, d: i8) {
    let shift = 64 - h.step as u32 * 2;
    let x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> shift;
    h.bits = x | y;
}

/// The eight neighbors, in Redis's search order after the center:
/// north, south, east, west, north-east, north-west, south-east, south-west.
pub fn neighbors(h: Bits) -> [Bits; 8] {
    let at = |dx: i8, dy: i8| {
        let mut n = h;
        if dx != 0 {
            move_x(&mut n, dx);
        }
        if dy != 0 {
            move_y(&mut n, dy);
        }
        n
    };
    [
        at(0, 1),
        at(0, -1),
        at(1, 0),
        at(-1, 0),
        at(1, 1),
        at(-1, 1),
        at(1, -1),
        at(-1, -1),
    ]
}

/// The search shape of GEORADIUS / GEOSEARCH.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Radius(f64),
    Box { width: f64, height: f64 },
}

#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub long: f64,
    pub lat: f64,
    /// Meters per unit.
    pub conversion: f64,
    pub kind: Kind,
}

/// Step estimate for the nine search cells (`geohashEstimateStepsByRadius`).
pub fn estimate_steps(mut range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_meters < MERCATOR_MAX {
        range_meters *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// [min long, min lat, max long, max lat] of a shape (`geohashBoundingBox`).
pub fn bounding_box(s: &Shape) -> [f64; 4] {
    let (h, w) = match s.kind {
        Kind::Radius(r) => (s.conversion * r, s.conversion * r),
        Kind::Box { width, height } => {
            (s.conversion * (height / 2.0), s.conversion * (width / 2.0))
        }
    };
    let lat_delta = rad_deg(h / EARTH_RADIUS_IN_METERS);
    let top = rad_deg(w / EARTH_RADIUS_IN_METERS / deg_rad(s.lat + lat_delta).cos());
    let bottom = rad_deg(w / EARTH_RADIUS_IN_METERS / deg_rad(s.lat - lat_delta).cos());
    let d = if s.lat < 0.0 { bottom } else { top };
    [s.long - d, s.lat - lat_delta, s.long + d, s.lat + lat_delta]
}

/// The center cell and its neighbors to scan, a zero hash meaning "skip"
/// (`geohashCalculateAreasByShapeWGS84`), in scan order.
pub fn search_areas(s: &Shape) -> [Bits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(s);
    let radius = match s.kind {
        Kind::Radius(r) => r,
        Kind::Box { width, height } => {
            ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
        }
    } * s.conversion;
    let mut steps = estimate_steps(radius, s.lat);
    let cell = |steps: u8| {
        let h = encode_wgs84(s.long, s.lat, steps).unwrap_or(Bits::ZERO);
        (h, neighbors(h))
    };
    let (mut hash, mut n) = cell(steps);
    let dec = |b: Bits| decode(WGS84_LONG, WGS84_LAT, b);
    let too_small = match (dec(n[0]), dec(n[1]), dec(n[2]), dec(n[3])) {
        (Some(no), Some(so), Some(ea), Some(we)) => {
            no.latitude.max < max_lat
                || so.latitude.min > min_lat
                || ea.longitude.max < max_lon
                || we.longitude.min > min_lon
        }
        _ => false,
    };
    if steps > 1 && too_small {
        steps -= 1;
        (hash, n) = cell(steps);
    }
    if steps >= 2 {
        if let Some(area) = dec(hash) {
            // Indexes into `n`: 0 N, 1 S, 2 E, 3 W, 4 NE, 5 NW, 6 SE, 7 SW.
            let mut zero = |idx: [usize; 3]| idx.iter().for_each(|&i| n[i] = Bits::ZERO);
            if area.latitude.min < min_lat {
                zero([1, 7, 6]);
            }
            if area.latitude.max > max_lat {
                zero([0, 4, 5]);
            }
            if area.longitude.min < min_lon {
                zero([3, 7, 5]);
            }
            if area.longitude.max > max_lon {
                zero([2, 6, 4]);
            }
        }
    }
    [hash, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]]
}

/// The [min, max) score interval of the points inside a cell.
pub fn score_interval(h: Bits) -> (f64, f64) {
    let min = align52(h);
    let max = align52(Bits {
        bits: h.bits.wrapping_add(1),
        step: h.step,
    });
    (min as f64, max as f64)
}

/// Distance along a meridian (`geohashGetLatDistance`).
fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters (`geohashGetDistance`).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// The distance from the shape's center to a point when the point is
/// inside the shape (`geoWithinShape`).
pub fn within(s: &Shape, long: f64, lat: f64) -> Option<f64> {
    match s.kind {
        Kind::Radius(r) => {
            let d = distance(s.long, s.lat, long, lat);
            (d <= r * s.conversion).then_some(d)
        }
        Kind::Box { width, height } => {
            let (w, h) = (width * s.conversion, height * s.conversion);
            if lat_distance(lat, s.lat) > h / 2.0 {
                return None;
            }
            if distance(long, lat, s.long, lat) > w / 2.0 {
                return None;
            }
            Some(distance(s.long, s.lat, long, lat))
        }
    }
}

/// A distance with four decimals, rounded as Redis's `fixedpoint_d2string`
/// does (the double scaled by 10^4 and rounded half to even).
pub fn fmt_distance(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".into();
    }
    let scaled = (d * 10000.0).round_ties_even();
    // llrint gives LLONG_MIN for values it cannot represent.
    let v: i64 = if (-9.223372036854776e18..9.223372036854776e18).contains(&scaled) {
        scaled as i64
    } else {
        i64::MIN
    };

    let sign = if v < 0 { "-" } else { "" };
    let u = v.unsigned_abs();
    format!("{sign}{}.{:04}", u / 10000, u % 10000)
}

/// A coordinate as Redis's `addReplyHumanLongDouble` writes it: "%.17Lf"
/// without trailing zeros, "-0" as "0".
pub fn fmt_coord(v: f64) -> String {
    let s = format!("{v:.17}");
    let t = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s.as_str()
    };
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_palermo() {
        let s = score_of(13.361389, 38.115556).unwrap();
        assert_eq!(s, 3479099956230698.0);
        let (lo, la) = decode_score(s).unwrap();
        assert_eq!(fmt_coord(lo), "13.36138933897018433");
        assert_eq!(fmt_coord(la), "38.11555639549629859");
        assert_eq!(&standard_string(s).unwrap(), b"sqc8b49rny0");
    }

    #[test]
    fn distances_format_like_redis() {
        assert_eq!(fmt_distance(0.0), "0.0000");
        assert_eq!(fmt_distance(0.00004), "0.0000");
        assert_eq!(fmt_distance(166274.15156960033), "166274.1516");
        assert_eq!(fmt_distance(12.5), "12.5000");
        assert_eq!(fmt_coord(-0.0), "0");
        assert_eq!(fmt_coord(180.0), "180");
    }

    #[test]
    fn interleave_round_trips() {
        for (a, b) in [(0u32, 0u32), (1, 2), (0xffff_ffff, 0x1234_5678)] {
            let v = interleave(a, b);
            assert_eq!(squash(v), a);
            assert_eq!(squash(v >> 1), b);
        }
    }
}
