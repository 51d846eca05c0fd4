//! Score and lexicographic ranges (Redis t_zset.c zrangespec,
//! zlexrangespec, zslParseRange, zslParseLexRange, sdscmplex).

use std::cmp::Ordering;

/// A score interval; `minex`/`maxex` make an end exclusive ("(1.5").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// An inclusive interval.
    pub fn new(min: f64, max: f64) -> ScoreRange {
        ScoreRange {
            min,
            max,
            minex: false,
            maxex: false,
        }
    }

    /// zslParseRange: each end is a number, optionally prefixed by `(` for an
    /// exclusive end. `strtod` parses one number with the server's rules
    /// (C strtod over the whole argument, so "inf", "-inf" and "+inf" work);
    /// NaN is rejected here.
    pub fn parse_with(
        min: &[u8],
        max: &[u8],
        strtod: impl Fn(&[u8]) -> Option<f64>,
    ) -> Option<ScoreRange> {
        let end = |s: &[u8]| -> Option<(f64, bool)> {
            let (body, ex) = match s.first() {
                Some(b'(') => (&s[1..], true),
                _ => (s, false),
            };
            let v = strtod(body)?;
            (!v.is_nan()).then_some((v, ex))
        };
        let (min, minex) = end(min)?;
        let (max, maxex) = end(max)?;
        Some(ScoreRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    /// zslValueGteMin.
    pub fn value_gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    /// zslValueLteMax.
    pub fn value_lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// True when no score can be inside (min > max, or an empty point).
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }

    /// Whether `v` is inside the interval.
    pub fn contains(&self, v: f64) -> bool {
        self.value_gte_min(v) && self.value_lte_max(v)
    }
}

/// One end of a lexicographic range: `-`, `+`, `[value` or `(value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every string.
    Min,
    /// `+`: above every string.
    Max,
    /// `[value`.
    Incl(Vec<u8>),
    /// `(value`.
    Excl(Vec<u8>),
}

impl LexBound {
    /// zslParseLexRangeItem. `None` for anything else (the caller replies
    /// "min or max not valid string range item").
    pub fn parse(item: &[u8]) -> Option<LexBound> {
        match item.first()? {
            b'+' if item.len() == 1 => Some(LexBound::Max),
            b'-' if item.len() == 1 => Some(LexBound::Min),
            b'(' => Some(LexBound::Excl(item[1..].to_vec())),
            b'[' => Some(LexBound::Incl(item[1..].to_vec())),
            _ => None,
        }
    }

    /// Redis marks `+` and `-` exclusive; only the empty-range test sees it.
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Incl(_))
    }

    fn value(&self) -> Option<&[u8]> {
        match self {
            LexBound::Incl(v) | LexBound::Excl(v) => Some(v),
            _ => None,
        }
    }
}

/// sdscmplex between two bounds: the sentinels sort below and above every
/// string and equal only themselves.
fn cmp_bounds(a: &LexBound, b: &LexBound) -> Ordering {
    use LexBound::*;
    match (a, b) {
        (Min, Min) | (Max, Max) => Ordering::Equal,
        (Min, _) | (_, Max) => Ordering::Less,
        (Max, _) | (_, Min) => Ordering::Greater,
        _ => a.value().cmp(&b.value()),
    }
}

/// A lexicographic interval for ZRANGEBYLEX and friends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    /// zslParseLexRange.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    /// zslLexValueGteMin.
    pub fn value_gte_min(&self, v: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Incl(m) => v >= m.as_slice(),
            LexBound::Excl(m) => v > m.as_slice(),
        }
    }

    /// zslLexValueLteMax.
    pub fn value_lte_max(&self, v: &[u8]) -> bool {
        match &self.max {
            LexBound::Max => true,
            LexBound::Min => false,
            LexBound::Incl(m) => v <= m.as_slice(),
            LexBound::Excl(m) => v < m.as_slice(),
        }
    }

    /// True when no string can be inside.
    pub fn is_empty(&self) -> bool {
        match cmp_bounds(&self.min, &self.max) {
            Ordering::Greater => true,
            Ordering::Equal => self.min.exclusive() || self.max.exclusive(),
            Ordering::Less => false,
        }
    }

    /// Whether `v` is inside the interval.
    pub fn contains(&self, v: &[u8]) -> bool {
        self.value_gte_min(v) && self.value_lte_max(v)
    }
}
