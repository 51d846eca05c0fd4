//! The partial sort of search results (Redis pqsort.c): a Bentley-McIlroy
//! quicksort that only recurses into partitions overlapping the wanted
//! ranks. Redis uses it when COUNT cuts the results, so members at equal
//! distances come out in its order only if we sort the same way.

use std::cmp::Ordering;

/// Sorts `v` enough that ranks `lrange..=rrange` hold the right elements,
/// in the order Redis's `pqsort` leaves them.
pub fn pqsort<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering, lrange: usize, rrange: usize) {
    sort_part(v, 0, v.len(), cmp, lrange, rrange);
}

/// Index of the median of three.
fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &dyn Fn(&T, &T) -> Ordering) -> usize {
    let lt = |x: usize, y: usize| cmp(&v[x], &v[y]) == Ordering::Less;
    let gt = |x: usize, y: usize| cmp(&v[x], &v[y]) == Ordering::Greater;
    if lt(a, b) {
        if lt(b, c) {
            b
        } else if lt(a, c) {
            c
        } else {
            a
        }
    } else if gt(b, c) {
        b
    } else if lt(a, c) {
        a
    } else {
        c
    }
}

/// Swaps `n` elements starting at `a` with those starting at `b`.
fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

/// The pivot position for `n` elements from `a` (median of three, or of
/// three medians past 40 elements).
fn pivot<T>(v: &[T], a: usize, n: usize, cmp: &dyn Fn(&T, &T) -> Ordering) -> usize {
    let mut pm = a + n / 2;
    if n > 7 {
        let mut pl = a;
        let mut pn = a + n - 1;
        if n > 40 {
            let d = n / 8;
            pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
            pm = med3(v, pm - d, pm, pm + d, cmp);
            pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
        }
        pm = med3(v, pl, pm, pn, cmp);
    }
    pm
}

/// Sorts the `n` elements from `a`; partitions wholly outside
/// [lrange, rrange] are left unsorted.
fn sort_part<T>(
    v: &mut [T],
    mut a: usize,
    mut n: usize,
    cmp: &dyn Fn(&T, &T) -> Ordering,
    lrange: usize,
    rrange: usize,
) {
    let outside = |s: usize, m: usize| rrange < s || lrange >= s + m;
    loop {
        if n < 7 {
            for pm in a + 1..a + n {
                let mut pl = pm;
                while pl > a && cmp(&v[pl - 1], &v[pl]) == Ordering::Greater {
                    v.swap(pl, pl - 1);
                    pl -= 1;
                }
            }
            return;
        }
        let pm = pivot(v, a, n, cmp);
        v.swap(a, pm);
        let (pa, pb, pc, pd) = partition(v, a, n, cmp);
        let pn = a + n;
        let r = (pa - a).min(pb - pa);
        vecswap(v, a, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && !outside(a, r) {
            sort_part(v, a, r, cmp, lrange, rrange);
        }
        let r = pd - pc;
        if r <= 1 {
            return;
        }
        a = pn - r;
        n = r;
        if outside(a, n) {
            return;
        }
    }
}

/// The split-end partition around the pivot at `v[a]`: returns
/// (pa, pb, pc, pd) with the elements equal to it gathered at both ends.
fn partition<T>(
    v: &mut [T],
    a: usize,
    n: usize,
    cmp: &dyn Fn(&T, &T) -> Ordering,
) -> (usize, usize, usize, usize) {
    let (mut pa, mut pb) = (a + 1, a + 1);
    let (mut pc, mut pd) = (a + n - 1, a + n - 1);
    loop {
        while pb <= pc {
            let c = cmp(&v[pb], &v[a]);
            if c == Ordering::Greater {
                break;
            }
            if c == Ordering::Equal {
                v.swap(pa, pb);
                pa += 1;
            }
            pb += 1;
        }
        while pb <= pc {
            let c = cmp(&v[pc], &v[a]);
            if c == Ordering::Less {
                break;
            }
            if c == Ordering::Equal {
                v.swap(pc, pd);
                pd -= 1;
            }
            pc -= 1;
        }
        if pb > pc {
            break;
        }
        v.swap(pb, pc);
        pb += 1;
        pc -= 1;
    }
    (pa, pb, pc, pd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_the_wanted_ranks() {
        let mut seed = 7u64;
        for n in [0usize, 1, 5, 7, 8, 41, 100, 300] {
            let mut v: Vec<u64> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (seed >> 33) % 50
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort();
            let k = n / 3;
            if n > 0 {
                pqsort(&mut v, &|a: &u64, b: &u64| a.cmp(b), 0, k);
                assert_eq!(v[..=k], sorted[..=k]);
            }
        }
    }
}
