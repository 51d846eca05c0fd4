//! Listpack integrity checks (Redis listpack.c lpValidateIntegrity,
//! lpValidateNext), used when loading RDB or RESTORE payloads. Nothing here
//! reads outside the buffer, whatever the bytes claim.

use super::encoding::{
    backlen_size, decode, decode_backlen, encoded_size, hdr_num_elements, hdr_total_bytes,
    header_size, LpValue, EOF, HDR_SIZE, NUMELE_UNKNOWN,
};

/// lpValidateNext: checks the entry at `p` and returns the position after
/// it; `Ok(None)` at the terminator, `Err(())` when the entry is corrupt.
fn validate_next(buf: &[u8], p: usize) -> Result<Option<usize>, ()> {
    let last = buf.len() as u64 - 1;
    let out_of_range = |q: u64| q < HDR_SIZE as u64 || q > last;
    if out_of_range(p as u64) {
        return Err(());
    }
    if buf[p] == EOF {
        return Ok(None);
    }
    let lenbytes = header_size(buf[p]);
    if lenbytes == 0 || out_of_range(p as u64 + lenbytes as u64) {
        return Err(());
    }
    let enc = encoded_size(buf, p).ok_or(())?;
    let back = backlen_size(usize::try_from(enc).map_err(|_| ())?) as u64;
    let entrylen = enc + back;
    let next = p as u64 + entrylen;
    if out_of_range(next) {
        return Err(());
    }
    let next = next as usize;
    // The backlen at the end must describe the same entry length.
    let prevlen = decode_backlen(buf, next - 1).ok_or(())?;
    if prevlen != enc {
        return Err(());
    }
    Ok(Some(next))
}

/// Checks the header: it must be readable, its total-bytes field must
/// equal the buffer size, and the last byte must be the terminator.
fn header_ok(buf: &[u8]) -> bool {
    if buf.len() < HDR_SIZE + 1 {
        return false;
    }
    hdr_total_bytes(buf).map(|n| n as usize) == Some(buf.len()) && buf[buf.len() - 1] == EOF
}

/// The callback a deep validation calls for each entry, with the header's
/// element count; returning false fails the validation.
pub type EntryCheck<'c> = &'c mut dyn FnMut(LpValue<'_>, u16) -> bool;

/// Deep validation returning the number of entries.
pub(super) fn count_entries(buf: &[u8], mut cb: Option<EntryCheck<'_>>) -> Option<usize> {
    if !header_ok(buf) {
        return None;
    }
    let numele = hdr_num_elements(buf)?;
    let mut count = 0usize;
    let mut p = HDR_SIZE;
    loop {
        if buf[p] == EOF {
            break;
        }
        let next = validate_next(buf, p).ok()?;
        if let Some(cb) = cb.as_mut() {
            // validate_next proved the whole entry is inside the buffer.
            let v = decode(buf, p)?;
            if !cb(v, numele) {
                return None;
            }
        }
        count += 1;
        p = next?;
    }
    if p != buf.len() - 1 {
        return None;
    }
    if numele != NUMELE_UNKNOWN && numele as usize != count {
        return None;
    }
    Some(count)
}

/// lpValidateIntegrity. With `deep`, walks every entry (calling `cb` on
/// each) and checks the element count; otherwise checks the header, the
/// terminator and the first entry only.
pub fn validate_integrity(buf: &[u8], deep: bool, cb: Option<EntryCheck<'_>>) -> bool {
    if deep {
        count_entries(buf, cb).is_some()
    } else {
        validate_shallow(buf)
    }
}

/// The shallow form of [`validate_integrity`].
pub fn validate_shallow(buf: &[u8]) -> bool {
    if !header_ok(buf) {
        return false;
    }
    buf[HDR_SIZE] == EOF || validate_next(buf, HDR_SIZE).is_ok()
}
