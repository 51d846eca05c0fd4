//! DUMP/RESTORE payloads (Redis cluster.c createDumpPayload,
//! verifyDumpPayload): the value in RDB form, then the 2-byte RDB version
//! and a CRC-64 of everything before it, both little endian.

use super::value::{load_value, save_value, Loaded, Saving};
use super::*;
use crate::persistence::rio::{crc64, RioReader, RioWriter};

/// createDumpPayload.
pub fn create(val: Saving<'_>, compress: bool) -> Vec<u8> {
    let mut w = RioWriter::new(Vec::new(), false);
    let t = val.rdb_type();
    // Writing to a Vec cannot fail.
    let _ = w.write(&[t]);
    let _ = save_value(&mut w, val, compress);
    let mut out = w.into_inner();
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// verifyDumpPayload: the footer's version must be one we read, and the
/// checksum must match unless `skip_checksum`.
pub fn verify(p: &[u8], skip_checksum: bool) -> bool {
    if p.len() < 10 {
        return false;
    }
    let footer = &p[p.len() - 10..];
    let ver = u16::from_le_bytes([footer[0], footer[1]]);
    if ver > RDB_VERSION {
        return false;
    }
    if skip_checksum {
        return true;
    }
    let crc = crc64(0, &p[..p.len() - 8]);
    crc.to_le_bytes() == footer[2..]
}

/// Decodes a verified payload's value (RESTORE's rdbLoadObjectType +
/// rdbLoadObject); bytes after the value are ignored, as Redis does.
/// Redis reads from the whole payload, footer included, so a value whose
/// last length runs into the footer still loads: so do we.
pub fn load(p: &[u8], opts: &LoadOptions) -> LoadResult<Loaded> {
    let mut r = RioReader::new(p, false);
    let t = super::encoding::load_u8(&mut r)?;
    if !is_object_type(t) {
        return Err(corrupt(format!("Unknown RDB encoding type {}", t)));
    }
    load_value(&mut r, t, opts)
}
