//! The geo type (Redis geo.c, type half): a geo set is a sorted set whose
//! scores are 52-bit geohashes. This module finds the members inside a
//! search shape by scanning the score intervals of the nine search cells.

pub mod commands;
pub mod geohash;
mod sort;

use crate::ds::skiplist::ScoreRange;
use crate::types::zset::ZSet;
use geohash::Shape;

/// A member found by a search (`geoPoint`).
pub struct Point {
    pub member: Vec<u8>,
    pub long: f64,
    pub lat: f64,
    /// Meters from the shape's center.
    pub dist: f64,
    pub score: f64,
}

/// Appends the members of `z` inside `shape` in Redis's scan order: the
/// cells center, N, S, E, W, NE, NW, SE, SW, each by ascending score,
/// skipping a cell equal to the last one scanned. `limit` > 0 stops the
/// search once that many were found (COUNT .. ANY).
pub fn points_in_shape(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let cells = geohash::search_areas(shape);
    let mut out = Vec::new();
    // Redis compares with the last cell scanned only once that is not the
    // center (its `last_processed` index is 0 for both "none" and center).
    let mut last = 0;
    for (i, cell) in cells.iter().enumerate() {
        if *cell == geohash::Bits::ZERO {
            continue;
        }
        if last != 0 && cells[last] == *cell {
            continue;
        }
        if full(&out, limit) {
            break;
        }
        let (min, max) = geohash::score_interval(*cell);
        scan_interval(z, min, max, shape, limit, &mut out);
        last = i;
    }
    out
}

fn full(out: &[Point], limit: usize) -> bool {
    !out.is_empty() && limit > 0 && out.len() >= limit
}

/// The members with min <= score < max that fall inside the shape.
fn scan_interval(z: &ZSet, min: f64, max: f64, shape: &Shape, limit: usize, out: &mut Vec<Point>) {
    let r = ScoreRange {
        min,
        max,
        minex: false,
        maxex: true,
    };
    let (a, b) = z.score_span(&r);
    for (member, score) in z.slice(a, b, false) {
        if let Some((long, lat)) = geohash::decode_score(score) {
            if let Some(dist) = geohash::within(shape, long, lat) {
                out.push(Point {
                    member,
                    long,
                    lat,
                    dist,
                    score,
                });
            }
        }
        if full(out, limit) {
            break;
        }
    }
}

/// Orders search results by distance as Redis does: a full sort when all
/// are returned (glibc's qsort, a stable merge sort), else its partial
/// quicksort over the first `keep` ranks.
pub fn sort_points(pts: &mut [Point], desc: bool, keep: usize) {
    let cmp = |a: &Point, b: &Point| {
        let o = a
            .dist
            .partial_cmp(&b.dist)
            .unwrap_or(std::cmp::Ordering::Equal);
        if desc {
            o.reverse()
        } else {
            o
        }
    };
    if keep >= pts.len() {
        pts.sort_by(cmp);
    } else if keep > 0 {
        sort::pqsort(pts, &cmp, 0, keep - 1);
    }
}
