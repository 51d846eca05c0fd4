//! A latency histogram with the bucket layout of HdrHistogram (Redis
//! deps/hdr_histogram, as used by server.c for per-command latency):
//! values from 1 ns to 1 s, two significant figures. Percentiles and the
//! cumulative distribution come out exactly as Redis computes them.

/// Redis LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE, in nanoseconds.
pub const MIN_VALUE: i64 = 1;
pub const MAX_VALUE: i64 = 1_000_000_000;

/// Two significant figures: 2 * 10^2 = 200 values at unit resolution need 256
/// sub-buckets (magnitude 8); half of them per bucket after the first.
const SUB_BUCKET_HALF_MAGNITUDE: u32 = 7;
const SUB_BUCKET_COUNT: i64 = 1 << (SUB_BUCKET_HALF_MAGNITUDE + 1);
const SUB_BUCKET_HALF: i64 = SUB_BUCKET_COUNT / 2;
const SUB_BUCKET_MASK: i64 = SUB_BUCKET_COUNT - 1;
/// Buckets needed so that 256 << (buckets - 1) exceeds MAX_VALUE.
const BUCKET_COUNT: usize = 23;
const COUNTS_LEN: usize = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF as usize;

#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

fn bucket_index(v: i64) -> i64 {
    let pow2ceiling = 64 - (v | SUB_BUCKET_MASK).leading_zeros() as i64;
    pow2ceiling - (SUB_BUCKET_HALF_MAGNITUDE as i64 + 1)
}

fn sub_bucket_index(v: i64, bucket: i64) -> i64 {
    v >> bucket
}

fn counts_index_for(v: i64) -> i64 {
    let b = bucket_index(v);
    let sb = sub_bucket_index(v, b);
    ((b + 1) << SUB_BUCKET_HALF_MAGNITUDE) + sb - SUB_BUCKET_HALF
}

fn value_at_index(idx: i64) -> i64 {
    let mut b = (idx >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
    let mut sb = (idx & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
    if b < 0 {
        sb -= SUB_BUCKET_HALF;
        b = 0;
    }
    sb << b
}

fn lowest_equivalent(v: i64) -> i64 {
    let b = bucket_index(v);
    sub_bucket_index(v, b) << b
}

fn range_size(v: i64) -> i64 {
    let b = bucket_index(v);
    let adjusted = if sub_bucket_index(v, b) >= SUB_BUCKET_COUNT {
        b + 1
    } else {
        b
    };
    1 << adjusted
}

fn highest_equivalent(v: i64) -> i64 {
    lowest_equivalent(v) + range_size(v) - 1
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; COUNTS_LEN],
            total: 0,
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Records a value, clamped to [MIN_VALUE, MAX_VALUE] as Redis does.
    pub fn record(&mut self, value: i64) {
        let v = value.clamp(MIN_VALUE, MAX_VALUE);
        let idx = counts_index_for(v);
        if idx >= 0 && (idx as usize) < COUNTS_LEN {
            self.counts[idx as usize] += 1;
            self.total += 1;
        }
    }

    /// HdrHistogram's `hdr_value_at_percentile`.
    pub fn value_at_percentile(&self, percentile: f64) -> i64 {
        let p = percentile.min(100.0);
        let wanted = (((p / 100.0) * self.total as f64) + 0.5) as i64;
        let wanted = wanted.max(1) as u64;
        let mut seen = 0u64;
        let mut value = 0;
        for (idx, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= wanted {
                value = value_at_index(idx as i64);
                break;
            }
        }
        if percentile == 0.0 {
            lowest_equivalent(value)
        } else {
            highest_equivalent(value)
        }
    }

    /// The cumulative distribution Redis's LATENCY HISTOGRAM reports: one
    /// (bucket upper bound in µs, cumulative count) pair per power-of-two
    /// step from 1024 ns where the count grew (HdrHistogram's log iterator).
    pub fn cdf_usec(&self) -> Vec<(i64, u64)> {
        let mut it = LogIter::new(self);
        let mut out = Vec::new();
        let mut previous = 0;
        while it.next() {
            if it.cumulative > previous {
                out.push((it.highest_equivalent / 1000, it.cumulative));
            }
            previous = it.cumulative;
        }
        out
    }
}

/// HdrHistogram's logarithmic iterator (first bucket 1024, base 2).
struct LogIter<'a> {
    h: &'a Histogram,
    index: i64,
    cumulative: u64,
    value: i64,
    highest_equivalent: i64,
    next_level: i64,
    next_level_lowest: i64,
}

impl<'a> LogIter<'a> {
    fn new(h: &'a Histogram) -> LogIter<'a> {
        LogIter {
            h,
            index: -1,
            cumulative: 0,
            value: 0,
            highest_equivalent: 0,
            next_level: 1024,
            next_level_lowest: lowest_equivalent(1024),
        }
    }

    fn move_next(&mut self) -> bool {
        self.index += 1;
        if self.index as usize >= COUNTS_LEN {
            return false;
        }
        self.cumulative += self.h.counts[self.index as usize];
        self.value = value_at_index(self.index);
        self.highest_equivalent = highest_equivalent(self.value);
        true
    }

    fn next(&mut self) -> bool {
        let has_next = self.cumulative < self.h.total;
        let more_levels = (self.index as usize) < COUNTS_LEN
            && value_at_index(self.index + 1) > self.next_level_lowest;
        if !has_next && !more_levels {
            return false;
        }
        loop {
            if self.value >= self.next_level_lowest {
                self.next_level *= 2;
                self.next_level_lowest = lowest_equivalent(self.next_level);
                return true;
            }
            if !self.move_next() {
                return true;
            }
        }
    }
}

/// Percentile names as Redis prints them: `%f` with trailing zeros trimmed.
pub fn percentile_name(p: f64) -> String {
    let s = format!("{:.6}", p);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_hdr() {
        assert_eq!(COUNTS_LEN, 3072);
        assert_eq!(highest_equivalent(4000), 4015);
        assert_eq!(highest_equivalent(255), 255);
        assert_eq!(highest_equivalent(1000), 1003);
        assert!(counts_index_for(MAX_VALUE) < COUNTS_LEN as i64);
    }

    #[test]
    fn percentiles_like_redis() {
        let mut h = Histogram::new();
        h.record(4000);
        assert_eq!(h.value_at_percentile(50.0), 4015);
        assert_eq!(h.value_at_percentile(99.9), 4015);
        let mut h = Histogram::new();
        for v in 1..=100 {
            h.record(v * 1000);
        }
        assert_eq!(h.value_at_percentile(50.0), 50175);
        assert_eq!(h.value_at_percentile(100.0), 100351);
    }

    #[test]
    fn cdf_steps() {
        let mut h = Histogram::new();
        h.record(1000);
        h.record(1000);
        h.record(3000);
        assert_eq!(h.cdf_usec(), vec![(1, 2), (4, 3)]);
        assert_eq!(Histogram::new().cdf_usec(), vec![]);
    }

    #[test]
    fn percentile_names() {
        assert_eq!(percentile_name(50.0), "50");
        assert_eq!(percentile_name(99.9), "99.9");
    }
}
