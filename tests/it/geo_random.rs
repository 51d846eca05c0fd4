//! Geo commands against redis-server with seeded random data: many points
//! whose positions, geohashes, distances and search results must match
//! byte for byte in RESP2 and RESP3, at the poles' limits and the
//! antimeridian, for areas of every size, and ties under COUNT.

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
