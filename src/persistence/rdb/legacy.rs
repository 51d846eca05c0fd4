//! Encodings older files hold (Redis ziplist.c, zipmap.c): read-only walks
//! with full bounds and consistency checks, used to convert them to
//! listpacks on load. Nothing here reads outside the buffer.

use crate::ds::listpack::LpValue;

const ZL_HEADER: usize = 10;
const ZL_END: u8 = 0xFF;
const ZL_BIG_PREVLEN: u8 = 0xFE;

/// Walks a ziplist (ziplistValidateIntegrity with deep=1), calling `f` on
/// each entry; false if any check fails or `f` refuses an entry.
pub fn ziplist_for_each(zl: &[u8], mut f: impl FnMut(LpValue<'_>) -> bool) -> bool {
    if zl.len() < ZL_HEADER + 1 {
        return false;
    }
    let bytes = u32::from_le_bytes([zl[0], zl[1], zl[2], zl[3]]) as usize;
    let tail = u32::from_le_bytes([zl[4], zl[5], zl[6], zl[7]]) as usize;
    let header_count = u16::from_le_bytes([zl[8], zl[9]]);
    if bytes != zl.len() || zl[zl.len() - 1] != ZL_END {
        return false;
    }
    let end = zl.len() - 1;
    let mut p = ZL_HEADER;
    let mut prev_len = 0usize;
    let mut prev_start = ZL_HEADER;
    let mut count = 0usize;
    while p < end {
        let Some((entry_len, value)) = ziplist_entry(zl, p, end, prev_len) else {
            return false;
        };
        if !f(value) {
            return false;
        }
        prev_start = p;
        prev_len = entry_len;
        p += entry_len;
        count += 1;
    }
    if p != end {
        return false;
    }
    // The tail offset names the last entry (or the end when empty).
    let expected_tail = if count == 0 { ZL_HEADER } else { prev_start };
    if tail != expected_tail {
        return false;
    }
    header_count == u16::MAX || header_count as usize == count
}

/// Decodes the entry at `p` (zipEntrySafe): its total length and value.
fn ziplist_entry(zl: &[u8], p: usize, end: usize, prev_len: usize) -> Option<(usize, LpValue<'_>)> {
    let byte = |i: usize| if i < end { Some(zl[i]) } else { None };
    // prevlen: 1 byte, or 0xFE + 4 bytes.
    let (prevlensize, prevlen) = if byte(p)? < ZL_BIG_PREVLEN {
        (1, zl[p] as usize)
    } else {
        let b = zl.get(p + 1..p + 5)?;
        if p + 5 > end {
            return None;
        }
        (5, u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    if prevlen != prev_len {
        return None;
    }
    let e = p + prevlensize;
    let enc = byte(e)?;
    let (hdr, len, int) = match enc >> 6 {
        0 => (1, (enc & 0x3F) as usize, None),
        1 => (
            2,
            (((enc & 0x3F) as usize) << 8) | byte(e + 1)? as usize,
            None,
        ),
        2 => {
            let b = zl.get(e + 1..e + 5)?;
            (
                5,
                u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize,
                None,
            )
        }
        _ => match enc {
            0xC0 => (1, 2, Some(2)),
            0xD0 => (1, 4, Some(4)),
            0xE0 => (1, 8, Some(8)),
            0xF0 => (1, 3, Some(3)),
            0xFE => (1, 1, Some(1)),
            0xF1..=0xFD => (1, 0, Some(0)),
            _ => return None,
        },
    };
    let data = e.checked_add(hdr)?;
    let next = data.checked_add(len)?;
    if next > end {
        return None;
    }
    let raw = &zl[data..next];
    let value = match int {
        None => LpValue::Str(raw),
        Some(0) => LpValue::Int((enc & 0x0F) as i64 - 1),
        Some(n) => LpValue::Int(read_int_le(raw, n)),
    };
    Some((next - p, value))
}

/// A little-endian signed integer of 1, 2, 3, 4 or 8 bytes.
fn read_int_le(b: &[u8], n: usize) -> i64 {
    let mut buf = [0u8; 8];
    buf[..n].copy_from_slice(&b[..n]);
    let shift = 64 - 8 * n as u32;
    (i64::from_le_bytes(buf) << shift) >> shift
}

const ZM_BIGLEN: u8 = 254;
const ZM_END: u8 = 255;

/// Walks a zipmap (zipmapValidateIntegrity, deep), calling `f` with each
/// field and value; false if any check fails or `f` refuses a pair.
pub fn zipmap_for_each(zm: &[u8], mut f: impl FnMut(&[u8], &[u8]) -> bool) -> bool {
    if zm.len() < 2 || zm[zm.len() - 1] != ZM_END {
        return false;
    }
    let header_count = zm[0];
    let end = zm.len() - 1;
    let mut p = 1usize;
    let mut count = 0usize;
    while p < end {
        let Some((field, after)) = zipmap_str(zm, p, end, false) else {
            return false;
        };
        let Some((value, after)) = zipmap_str(zm, after, end, true) else {
            return false;
        };
        if !f(field, value) {
            return false;
        }
        p = after;
        count += 1;
    }
    // An empty zipmap is refused too (Redis 7.0 does).
    if p != end || count == 0 {
        return false;
    }
    header_count >= ZM_BIGLEN || header_count as usize == count
}

/// One zipmap string at `p`: its bytes and the position after it (and
/// after the free space that follows a value).
fn zipmap_str(zm: &[u8], p: usize, end: usize, is_value: bool) -> Option<(&[u8], usize)> {
    if p >= end {
        return None;
    }
    let (lensize, len) = if zm[p] < ZM_BIGLEN {
        (1, zm[p] as usize)
    } else if zm[p] == ZM_BIGLEN {
        let b = zm.get(p + 1..p + 5)?;
        (5, u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    } else {
        return None;
    };
    let mut q = p.checked_add(lensize)?;
    let free = if is_value {
        let f = *zm.get(q)? as usize;
        q += 1;
        f
    } else {
        0
    };
    let s_end = q.checked_add(len)?;
    let after = s_end.checked_add(free)?;
    if after > end {
        return None;
    }
    Some((&zm[q..s_end], after))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist holding "hello", 5, 300, -70000 and a 70-byte string.
    fn sample() -> (Vec<u8>, Vec<Vec<u8>>) {
        let long = vec![b'x'; 70];
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let mut body = Vec::new();
        let mut prev = 0usize;
        let push = |enc: Vec<u8>, body: &mut Vec<u8>, prev: &mut usize| {
            let mut e = vec![*prev as u8];
            e.extend_from_slice(&enc);
            *prev = e.len();
            body.extend_from_slice(&e);
            e.len()
        };
        let mut starts = vec![];
        for enc in [
            [&[0x05u8][..], b"hello"].concat(),
            vec![0xF6],
            [&[0xC0u8][..], &300i16.to_le_bytes()].concat(),
            [&[0xF0u8][..], &(-70000i32).to_le_bytes()[..3]].concat(),
            [&[0x40u8, 70][..], &long].concat(),
        ] {
            starts.push(ZL_HEADER + body.len());
            push(enc, &mut body, &mut prev);
        }
        for s in ["hello", "5", "300", "-70000"] {
            entries.push(s.as_bytes().to_vec());
        }
        entries.push(long);
        let total = ZL_HEADER + body.len() + 1;
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&(*starts.last().unwrap() as u32).to_le_bytes());
        zl.extend_from_slice(&5u16.to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(ZL_END);
        (zl, entries)
    }

    #[test]
    fn ziplist_walk_and_checks() {
        let (zl, want) = sample();
        let mut got = vec![];
        assert!(ziplist_for_each(&zl, |v| {
            got.push(v.to_vec());
            true
        }));
        assert_eq!(got, want);
        // Every single-byte corruption is either caught or still decodes
        // without reading out of bounds.
        for i in 0..zl.len() {
            for x in [0u8, 0xFF, 0x7F, 0xFE] {
                let mut z = zl.clone();
                z[i] = x;
                ziplist_for_each(&z, |_| true);
            }
        }
        let mut bad = zl.clone();
        bad[8] = 4;
        assert!(!ziplist_for_each(&bad, |_| true));
        assert!(!ziplist_for_each(&zl[..zl.len() - 1], |_| true));
    }

    #[test]
    fn zipmap_walk() {
        // zmlen=2, "a" -> "1" (free 0), "bb" -> "xyz" with 2 free bytes.
        let zm = [
            2, 1, b'a', 1, 0, b'1', 2, b'b', b'b', 3, 2, b'x', b'y', b'z', 0, 0, 255,
        ];
        let mut got = vec![];
        assert!(zipmap_for_each(&zm, |f, v| {
            got.push((f.to_vec(), v.to_vec()));
            true
        }));
        assert_eq!(
            got,
            vec![
                (b"a".to_vec(), b"1".to_vec()),
                (b"bb".to_vec(), b"xyz".to_vec())
            ]
        );
        let mut bad = zm;
        bad[0] = 3;
        assert!(!zipmap_for_each(&bad, |_, _| true));
        assert!(!zipmap_for_each(&zm[..10], |_, _| true));
    }
}
