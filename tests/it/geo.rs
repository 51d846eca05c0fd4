//! Geo commands against redis-server: every command, option and error, and
//! seeded random points whose scores, geohashes, coordinates, distances and
//! search results must match byte for byte (poles, antimeridian, areas of
//! every size, ties under COUNT).

use crate::support::*;

fn diff(name: &str) -> Option<Differential> {
    Differential::start(name, &[])
}

/// A small seeded generator (SplitMix64), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }

    /// A longitude, often at or next to the antimeridian and zero.
    fn long(&mut self) -> f64 {
        match self.below(12) {
            0 => [-180.0, 180.0, 179.99999, -179.99999, 0.0][self.below(5)],
            _ => self.range(-180.0, 180.0),
        }
    }

    /// A latitude, often at the limits, the poles' step thresholds or zero.
    fn lat(&mut self) -> f64 {
        match self.below(12) {
            0 => [85.05112878, -85.05112878, 85.0, -80.5, 66.5, -66.0, 0.0][self.below(7)],
            _ => self.range(-85.05112878, 85.05112878),
        }
    }
}

#[test]
fn geo_geoadd_options_and_errors() {
    let Some(mut d) = diff("geo_geoadd_options_and_errors") else {
        return;
    };
    d.check_all(&[
        &["GEOADD", "k", "1", "1"],
        &["GEOADD", "k", "1", "1", "a", "2"],
        &["GEOADD", "k", "NX", "XX", "1", "1", "a"],
        &["GEOADD", "k", "GT", "1", "1", "a"],
        &["GEOADD", "k", "CH", "NX", "CH"],
        &["GEOADD", "k", "200", "100", "a"],
        &["GEOADD", "k", "-180.1", "0", "a"],
        &["GEOADD", "k", "0", "85.06", "a"],
        &["GEOADD", "k", "0", "-85.06", "a"],
        &["GEOADD", "k", "inf", "0", "a"],
        &["GEOADD", "k", "-0", "1e300", "a"],
        &["GEOADD", "k", "x", "0", "a"],
        &["GEOADD", "k", "0", "nan", "a"],
        &["GEOADD", "k", " 1", "0", "a"],
        &["GEOADD", "k", "1", "1", "a", "2", "2", "b", "999", "1", "c"],
        &["EXISTS", "k"],
        &["GEOADD", "k", "XX", "1", "1", "a"],
        &["EXISTS", "k"],
        &[
            "GEOADD",
            "k",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ],
        &["GEOADD", "k", "13.361389", "38.115556", "Palermo"],
        &["GEOADD", "k", "CH", "13.361389", "38.115556", "Palermo"],
        &[
            "GEOADD", "k", "CH", "13.4", "38.1", "Palermo", "1", "1", "x",
        ],
        &[
            "GEOADD", "k", "NX", "CH", "0", "0", "Palermo", "2", "2", "y",
        ],
        &["GEOADD", "k", "xx", "ch", "3", "3", "y", "4", "4", "z"],
        &["GEOADD", "k", "Xx", "nX", "1", "1", "a"],
        &["ZRANGE", "k", "0", "-1", "WITHSCORES"],
        &["ZSCORE", "k", "z"],
        &["OBJECT", "ENCODING", "k"],
        &["SET", "str", "v"],
        &["GEOADD", "str", "1", "1", "a"],
        &["GEOADD", "str", "200", "1", "a"],
        &["GEOADD", "str", "1", "1"],
        &["GEOADD", "num", "1", "1", "12345", "2", "2", "-7"],
        &["GEOPOS", "num", "12345", "-7"],
    ]);
}

#[test]
fn geo_read_commands_and_limits() {
    let Some(mut d) = diff("geo_read_commands_and_limits") else {
        return;
    };
    d.check_all(&[
        &[
            "GEOADD",
            "g",
            "-180",
            "85.05112878",
            "nw",
            "180",
            "85.05112878",
            "ne",
            "-180",
            "-85.05112878",
            "sw",
            "180",
            "-85.05112878",
            "se",
            "0",
            "0",
            "origin",
            "-0",
            "-0",
            "negzero",
            "179.999999",
            "0.000001",
            "am1",
            "-179.999999",
            "-0.000001",
            "am2",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ],
        &["ZRANGE", "g", "0", "-1", "WITHSCORES"],
        &[
            "GEOPOS", "g", "nw", "ne", "sw", "se", "origin", "negzero", "am1", "am2", "Palermo",
            "nosuch",
        ],
        &[
            "GEOHASH", "g", "nw", "ne", "sw", "se", "origin", "negzero", "am1", "am2", "Palermo",
            "nosuch",
        ],
        &["GEOPOS", "g"],
        &["GEOHASH", "g"],
        &["GEOPOS", "nokey", "a", "b"],
        &["GEOHASH", "nokey", "a"],
        &["GEODIST", "g", "Palermo", "Catania"],
        &["GEODIST", "g", "Palermo", "Catania", "KM"],
        &["GEODIST", "g", "Palermo", "Catania", "mi"],
        &["GEODIST", "g", "Palermo", "Catania", "Ft"],
        &["GEODIST", "g", "Palermo", "Catania", "m"],
        &["GEODIST", "g", "Palermo", "Palermo"],
        &["GEODIST", "g", "am1", "am2"],
        &["GEODIST", "g", "nw", "ne"],
        &["GEODIST", "g", "nw", "se"],
        &["GEODIST", "g", "origin", "negzero"],
        &["GEODIST", "g", "Palermo", "Catania", "yards"],
        &["GEODIST", "g", "Palermo", "Catania", "km", "extra"],
        &["GEODIST", "g", "Palermo", "nosuch"],
        &["GEODIST", "g", "nosuch", "Palermo", "km"],
        &["GEODIST", "nokey", "a", "b"],
        &["GEODIST", "nokey", "a", "b", "bad"],
        &["GEODIST", "g", "a"],
        &[
            "ZADD",
            "z",
            "-1",
            "neg",
            "1e17",
            "huge",
            "inf",
            "inf",
            "-inf",
            "ninf",
            "-0.5",
            "h",
            "1e19",
            "e19",
            "1e30",
            "e30",
            "9223372036854775808",
            "p63",
            "4503599627370496",
            "p52",
            "18014398509481983",
            "p54",
            "3.5",
            "frac",
        ],
        &[
            "GEOPOS", "z", "neg", "huge", "inf", "ninf", "h", "e19", "e30", "p63", "p52", "p54",
            "frac",
        ],
        &[
            "GEOHASH", "z", "neg", "huge", "inf", "ninf", "h", "e19", "e30", "p63", "p52", "p54",
            "frac",
        ],
        &["GEODIST", "z", "neg", "inf"],
        &["GEODIST", "z", "e19", "p54", "mi"],
        &["GEORADIUSBYMEMBER", "z", "p54", "100", "km", "WITHHASH"],
        &[
            "GEOSEARCH",
            "z",
            "FROMMEMBER",
            "e30",
            "BYBOX",
            "10",
            "10",
            "km",
            "WITHCOORD",
        ],
        &["SET", "str", "v"],
        &["GEOPOS", "str", "a"],
        &["GEOHASH", "str", "a"],
        &["GEODIST", "str", "a", "b"],
        &["GEODIST", "str", "a", "b", "bad"],
    ]);
}

#[test]
fn geo_search_option_errors() {
    let Some(mut d) = diff("geo_search_option_errors") else {
        return;
    };
    d.check(&[
        "GEOADD",
        "g",
        "13.361389",
        "38.115556",
        "P",
        "15.087269",
        "37.502669",
        "C",
    ]);
    d.check(&["SET", "str", "v"]);
    for c in [
        &["GEORADIUS", "g", "15", "37", "200", "km", "bogus"][..],
        &["GEORADIUS", "g", "200", "37", "200", "km"],
        &["GEORADIUS", "g", "x", "37", "200", "km"],
        &["GEORADIUS", "g", "15", "37", "-1", "km"],
        &["GEORADIUS", "g", "15", "37", "r", "km"],
        &["GEORADIUS", "g", "15", "37", "1", "kmz"],
        &["GEORADIUS", "g", "15", "37", "1", "km", "COUNT"],
        &["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "0"],
        &["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "-3"],
        &["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "x"],
        &["GEORADIUS", "g", "15", "37", "1", "km", "ANY"],
        &["GEORADIUS", "g", "15", "37", "1", "km", "STORE"],
        &[
            "GEORADIUS",
            "g",
            "15",
            "37",
            "1",
            "km",
            "STORE",
            "d",
            "WITHDIST",
        ],
        &[
            "GEORADIUS",
            "g",
            "15",
            "37",
            "1",
            "km",
            "WITHHASH",
            "STOREDIST",
            "d",
        ],
        &["GEORADIUS", "g", "15", "37", "1", "km", "FROMMEMBER", "P"],
        &["GEORADIUS", "str", "200", "37", "200", "km"],
        &["GEORADIUS", "nokey", "200", "37", "200", "km"],
        &["GEORADIUS", "nokey", "15", "37", "200", "km", "ANY"],
        &["GEORADIUS_RO", "g", "15", "37", "1", "km", "STORE", "d"],
        &["GEORADIUS_RO", "g", "15", "37", "1", "km", "STOREDIST", "d"],
        &["GEORADIUSBYMEMBER", "g", "nosuch", "1", "km"],
        &["GEORADIUSBYMEMBER", "g", "P", "-1", "km"],
        &["GEORADIUSBYMEMBER", "g", "P", "1", "parsec"],
        &[
            "GEORADIUSBYMEMBER",
            "nokey",
            "nosuch",
            "-1",
            "bad",
            "WITHDIST",
        ],
        &["GEORADIUSBYMEMBER", "nokey", "nosuch", "-1", "bad", "bogus"],
        &[
            "GEORADIUSBYMEMBER",
            "nokey",
            "P",
            "1",
            "km",
            "STORE",
            "d",
            "WITHDIST",
        ],
        &["GEORADIUSBYMEMBER", "str", "P", "1", "km"],
        &["GEORADIUSBYMEMBER_RO", "g", "P", "1", "km", "STORE", "d"],
        &["GEOSEARCH", "g", "BYRADIUS", "1", "km"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P"],
        &["GeoSearch", "g", "FROMLONLAT", "1", "1"],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "FROMLONLAT",
            "1",
            "1",
            "BYRADIUS",
            "1",
            "m",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMLONLAT",
            "1",
            "1",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "BYBOX",
            "1",
            "1",
            "m",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYBOX",
            "1",
            "1",
            "m",
            "BYRADIUS",
            "1",
            "m",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "FROMMEMBER",
            "C",
            "BYRADIUS",
            "300",
            "km",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "nosuch",
            "BYRADIUS",
            "1",
            "m",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMLONLAT",
            "181",
            "1",
            "BYRADIUS",
            "1",
            "m",
        ],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYRADIUS", "x", "m"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYRADIUS", "-1", "m"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYBOX", "x", "1", "m"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYBOX", "1", "y", "m"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYBOX", "-1", "y", "m"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYBOX", "-1", "1", "m"],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYBOX",
            "1",
            "-1",
            "mm",
        ],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYBOX", "1", "1", "mm"],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYBOX", "1", "1"],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "STORE",
            "d",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "STOREDIST",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "ANY",
        ],
        &[
            "GEOSEARCH",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "COUNT",
            "0",
        ],
        &[
            "GEOSEARCH",
            "nokey",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
        ],
        &["GEOSEARCH", "nokey", "FROMMEMBER", "P"],
        &["GEOSEARCH", "nokey", "BYBOX", "1", "1", "km"],
        &["GEOSEARCH", "str", "FROMMEMBER", "P", "BYRADIUS", "1", "m"],
        &[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "WITHDIST",
        ],
        &[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "WITHCOORD",
        ],
        &[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "STORE",
            "x",
        ],
        &["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "P"],
        &["geosearchstore", "d", "g", "BYRADIUS", "1", "m"],
        &[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
            "ANY",
        ],
        &[
            "GEOSEARCHSTORE",
            "d",
            "str",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "1",
            "m",
        ],
    ] {
        d.check(c);
    }
}

#[test]
fn geo_search_results_and_store() {
    let Some(mut d) = diff("geo_search_results_and_store") else {
        return;
    };
    d.check(&[
        "GEOADD",
        "Sicily",
        "13.361389",
        "38.115556",
        "Palermo",
        "15.087269",
        "37.502669",
        "Catania",
        "12.758489",
        "38.788135",
        "edge1",
        "17.241510",
        "38.788135",
        "edge2",
    ]);
    for c in [
        &["GEORADIUS", "Sicily", "15", "37", "200", "km"][..],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "WITHDIST",
            "WITHCOORD",
            "WITHHASH",
        ],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "DESC",
            "WITHDIST",
        ],
        &["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1"],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "COUNT",
            "1",
            "ANY",
        ],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "COUNT",
            "3",
            "DESC",
        ],
        &["GEORADIUS", "Sicily", "15", "37", "0", "km"],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "1000",
            "mi",
            "ASC",
            "WITHDIST",
        ],
        &[
            "GEORADIUS_RO",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "WITHDIST",
            "ASC",
        ],
        &[
            "GEORADIUSBYMEMBER",
            "Sicily",
            "Palermo",
            "200",
            "km",
            "WITHDIST",
        ],
        &[
            "GEORADIUSBYMEMBER_RO",
            "Sicily",
            "Palermo",
            "200",
            "km",
            "WITHCOORD",
        ],
        &[
            "GEOSEARCH",
            "Sicily",
            "FROMLONLAT",
            "15",
            "37",
            "BYBOX",
            "400",
            "400",
            "km",
        ],
        &[
            "GEOSEARCH",
            "Sicily",
            "FROMLONLAT",
            "15",
            "37",
            "BYBOX",
            "400",
            "400",
            "km",
            "ASC",
        ],
        &[
            "GEOSEARCH",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYBOX",
            "0",
            "0",
            "km",
        ],
        &[
            "GEOSEARCH",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYRADIUS",
            "0",
            "km",
            "WITHDIST",
        ],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "STORE",
            "dst",
        ],
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        &["OBJECT", "ENCODING", "dst"],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "STOREDIST",
            "dst",
            "DESC",
            "COUNT",
            "1",
        ],
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        &[
            "GEORADIUSBYMEMBER",
            "Sicily",
            "Palermo",
            "300",
            "km",
            "STOREDIST",
            "dst",
        ],
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        &["GEORADIUS", "Sicily", "0", "0", "1", "km", "STORE", "dst"],
        &["EXISTS", "dst"],
        &[
            "GEORADIUS",
            "nokey",
            "0",
            "0",
            "1",
            "km",
            "STORE",
            "Sicily2",
        ],
        &[
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYRADIUS",
            "300",
            "km",
        ],
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        &[
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMMEMBER",
            "Catania",
            "BYBOX",
            "9",
            "9",
            "mi",
            "STOREDIST",
        ],
        &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        &[
            "GEOSEARCHSTORE",
            "dst",
            "nokey",
            "FROMMEMBER",
            "Catania",
            "BYRADIUS",
            "9",
            "mi",
        ],
        &["EXISTS", "dst"],
        &["SET", "str", "v"],
        &[
            "GEOSEARCHSTORE",
            "str",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYRADIUS",
            "300",
            "km",
        ],
        &["TYPE", "str"],
        &[
            "GEOSEARCHSTORE",
            "Sicily",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYRADIUS",
            "1",
            "m",
        ],
        &["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"],
    ] {
        d.check(c);
    }
}

/// Many members at a few locations: COUNT takes Redis's partial quicksort
/// path, so equal distances must come out in its order.
#[test]
fn geo_ties_follow_redis_partial_sort() {
    let Some(mut d) = diff("geo_ties_follow_redis_partial_sort") else {
        return;
    };
    let mut rng = Rng(42);
    let locs: Vec<(f64, f64)> = (0..9)
        .map(|_| (rng.range(9.0, 11.0), rng.range(9.0, 11.0)))
        .collect();
    let mut args = vec!["GEOADD".to_string(), "t".to_string()];
    for i in 0..200 {
        let (x, y) = locs[rng.below(locs.len())];
        args.extend([x.to_string(), y.to_string(), format!("m{i}")]);
    }
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    d.check(&refs);
    for count in [
        "1", "2", "3", "6", "7", "8", "40", "41", "100", "199", "200", "500",
    ] {
        for order in ["ASC", "DESC"] {
            d.check(&[
                "GEOSEARCH",
                "t",
                "FROMLONLAT",
                "10",
                "10",
                "BYRADIUS",
                "500",
                "km",
                "COUNT",
                count,
                order,
            ]);
            d.check(&[
                "GEOSEARCHSTORE",
                "s",
                "t",
                "FROMLONLAT",
                "10.5",
                "9.5",
                "BYBOX",
                "900",
                "900",
                "km",
                "COUNT",
                count,
                order,
                "STOREDIST",
            ]);
            d.check(&["ZRANGE", "s", "0", "-1", "WITHSCORES"]);
        }
        d.check(&["GEORADIUS", "t", "10", "10", "500", "km", "COUNT", count]);
    }
    d.check(&["GEORADIUS", "t", "10", "10", "500", "km", "DESC"]);
    d.check(&["GEORADIUS", "t", "10", "10", "500", "km", "ASC", "WITHDIST"]);
}

/// Fills `small` (listpack) and `big` (skiplist) with seeded random points
/// and a cluster around `center`; returns the member names.
fn fill_random(rng: &mut Rng, check: &mut dyn FnMut(&[&str]), center: (f64, f64)) -> Vec<String> {
    let mut names = Vec::new();
    for (key, n) in [("small", 40), ("big", 300)] {
        let mut args = vec!["GEOADD".to_string(), key.to_string()];
        for i in 0..n {
            let (x, y) = if i % 3 == 0 {
                let x = (center.0 + rng.range(-0.7, 0.7)).clamp(-180.0, 180.0);
                let y = (center.1 + rng.range(-0.7, 0.7)).clamp(-85.05112878, 85.05112878);
                (x, y)
            } else {
                (rng.long(), rng.lat())
            };
            args.extend([x.to_string(), y.to_string(), format!("m{i}")]);
            if key == "small" {
                names.push(format!("m{i}"));
            }
        }
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        check(&refs);
        check(&["OBJECT", "ENCODING", key]);
    }
    names
}

/// One random GEORADIUS / GEOSEARCH / GEOSEARCHSTORE round.
fn random_search(rng: &mut Rng, check: &mut dyn FnMut(&[&str]), key: &str, center: (f64, f64)) {
    let unit = rng.pick(&["m", "km", "ft", "mi"]);
    let per = match unit {
        "m" => 1.0,
        "km" => 1000.0,
        "ft" => 0.3048,
        _ => 1609.34,
    };
    let meters = [0.0, 1.0, 50.0, 800.0, 5e3, 4e4, 2e5, 1e6, 5e6, 2e7, 3e7][rng.below(11)];
    let size = (meters / per * rng.range(0.1, 2.0)).to_string();
    let (w, h) = (
        (meters / per * rng.range(0.1, 2.0)).to_string(),
        (meters / per * rng.range(0.1, 2.0)).to_string(),
    );
    let (cx, cy) = match rng.below(3) {
        0 => (rng.long(), rng.lat()),
        _ => center,
    };
    let (cx, cy) = (cx.to_string(), cy.to_string());
    let mut opts: Vec<String> = Vec::new();
    for o in ["WITHDIST", "WITHCOORD", "WITHHASH"] {
        if rng.below(3) > 0 {
            opts.push(o.into());
        }
    }
    match rng.below(3) {
        0 => opts.push("ASC".into()),
        1 => opts.push("DESC".into()),
        _ => {}
    }
    if rng.below(3) == 0 {
        opts.extend(["COUNT".into(), (1 + rng.below(25)).to_string()]);
        if rng.below(3) == 0 {
            opts.push("ANY".into());
        }
    }
    let o: Vec<&str> = opts.iter().map(|s| s.as_str()).collect();
    let plain: Vec<&str> = o
        .iter()
        .copied()
        .filter(|s| !s.starts_with("WITH"))
        .collect();
    let by: Vec<&str> = if rng.below(2) == 0 {
        vec!["BYRADIUS", &size, unit]
    } else {
        vec!["BYBOX", &w, &h, unit]
    };
    let mut c = vec!["GEOSEARCH", key, "FROMLONLAT", &cx, &cy];
    c.extend(&by);
    c.extend(&o);
    check(&c);
    let mut c = vec!["GEORADIUS", key, &cx, &cy, &size, unit];
    c.extend(&o);
    check(&c);
    let mut c = vec!["GEORADIUSBYMEMBER_RO", key, "m3", &size, unit];
    c.extend(&o);
    check(&c);
    let mut c = vec!["GEOSEARCHSTORE", "dst", key, "FROMMEMBER", "m0"];
    c.extend(&by);
    c.extend(&plain);
    if rng.below(2) == 0 {
        c.push("STOREDIST");
    }
    check(&c);
    check(&["ZRANGE", "dst", "0", "-1", "WITHSCORES"]);
}

/// The full random session: positions, hashes, distances and searches.
fn random_session(seed: u64, at: Option<(f64, f64)>, check: &mut dyn FnMut(&[&str])) {
    let mut rng = Rng(seed);
    let center = (rng.long(), rng.lat());
    let center = at.unwrap_or(center);
    let names = fill_random(&mut rng, check, center);
    for key in ["small", "big"] {
        let mut args = vec!["GEOPOS", key];
        args.extend(names.iter().map(|s| s.as_str()));
        check(&args);
        args[0] = "GEOHASH";
        check(&args);
        for _ in 0..40 {
            let a = &names[rng.below(names.len())];
            let b = &names[rng.below(names.len())];
            check(&["GEODIST", key, a, b, rng.pick(&["m", "km", "ft", "mi"])]);
        }
        for _ in 0..60 {
            random_search(&mut rng, check, key, center);
        }
    }
}

#[test]
fn geo_random_points_match_redis_resp2() {
    let Some(mut d) = diff("geo_random_points_match_redis_resp2") else {
        return;
    };
    for seed in [1, 2, 3] {
        d.check(&["FLUSHALL"]);
        random_session(seed, None, &mut |args: &[&str]| {
            d.check(args);
        });
    }
}

#[test]
fn geo_random_points_match_redis_resp3() {
    let Some(d) = diff("geo_random_points_match_redis_resp3") else {
        return;
    };
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    ours.cmd(&["HELLO", "3"]);
    theirs.cmd(&["HELLO", "3"]);
    for seed in [11, 12] {
        ours.cmd(&["FLUSHALL"]);
        theirs.cmd(&["FLUSHALL"]);
        random_session(seed, None, &mut |args: &[&str]| {
            let (a, b) = (ours.cmd(args), theirs.cmd(args));
            assert!(
                a == b,
                "RESP3 replies differ for {args:?}\n  ferrodis: {}\n  redis:    {}",
                a.escape_ascii(),
                b.escape_ascii()
            );
        });
    }
    for c in [
        &["GEOPOS", "small", "m1", "nosuch"][..],
        &["GEOHASH", "small", "m1", "nosuch"],
        &["GEODIST", "small", "m1", "nosuch"],
        &["GEODIST", "nokey", "m1", "m2"],
    ] {
        assert_eq!(ours.cmd(c), theirs.cmd(c), "{c:?}");
    }
}

/// Clusters and searches centered on the latitude limits, the step
/// thresholds near the poles and both sides of the antimeridian.
#[test]
fn geo_poles_and_antimeridian_match_redis() {
    let Some(mut d) = diff("geo_poles_and_antimeridian_match_redis") else {
        return;
    };
    let centers = [
        (180.0, 85.05112878),
        (-180.0, -85.05112878),
        (179.95, 0.0),
        (-179.999, 66.01),
        (0.0001, -80.01),
        (-0.0001, 84.9),
    ];
    for (i, c) in centers.into_iter().enumerate() {
        d.check(&["FLUSHALL"]);
        random_session(100 + i as u64, Some(c), &mut |args: &[&str]| {
            d.check(args);
        });
    }
}

/// Runs `cmds` and returns the keyevent messages, or None without pub/sub.
fn events(server: &Server, cmds: &[&[&str]]) -> Option<Vec<String>> {
    let mut sub = server.raw();
    if sub
        .cmd(&["PSUBSCRIBE", "__keyevent@0__:*"])
        .starts_with(b"-")
    {
        return None;
    }
    let mut c = server.raw();
    for cmd in cmds {
        c.cmd(cmd);
    }
    c.cmd(&["SET", "marker", "1"]);
    let mut out = Vec::new();
    while let Some(m) = sub.read_reply() {
        let text = String::from_utf8_lossy(&m).into_owned();
        if text.contains("__keyevent@0__:set\r\n$6\r\nmarker") {
            return Some(out);
        }
        out.push(text);
    }
    Some(out)
}

#[test]
fn geo_keyspace_events_match_redis() {
    if !have_redis("geo_keyspace_events_match_redis") {
        return;
    }
    let args = ["--notify-keyspace-events", "EA"];
    let ours = Server::start(&args);
    let theirs = Server::start_redis(&args);
    let cmds: &[&[&str]] = &[
        &[
            "GEOADD",
            "g",
            "13.361389",
            "38.115556",
            "P",
            "15.087269",
            "37.502669",
            "C",
        ],
        &["GEOADD", "g", "13.361389", "38.115556", "P"],
        &["GEOADD", "g", "NX", "1", "1", "P"],
        &["GEOADD", "g", "XX", "1", "1", "P"],
        &["GEOADD", "g", "XX", "1", "1", "nosuch"],
        &["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"],
        &["GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "d"],
        &["GEORADIUSBYMEMBER", "g", "C", "1", "m", "STORE", "d"],
        &["GEORADIUSBYMEMBER", "g", "C", "1", "m", "STORE", "d"],
        &[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "900",
            "km",
        ],
        &[
            "GEOSEARCHSTORE",
            "d",
            "nokey",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "9",
            "km",
        ],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYRADIUS", "900", "km"],
    ];
    let Some(a) = events(&ours, cmds) else {
        eprintln!("SKIP geo_keyspace_events_match_redis: no pub/sub in ferrodis yet");
        return;
    };
    let b = events(&theirs, cmds).expect("redis subscribes");
    assert_eq!(a, b);
}
