//! DEBUG DIGEST and DIGEST-VALUE (Redis debug.c `computeDatasetDigest`,
//! `xorObjectDigest`): SHA1-based mixing, order-independent over keys, so the
//! same dataset gives the same digest in ferrodis and in Redis.

use super::db::Db;
use crate::types::{ObjType, Value};

pub type Digest = [u8; 20];

fn sha1(data: &[u8]) -> Digest {
    sha1_smol::Sha1::from(data).digest().bytes()
}

/// digest ^= SHA1(data) (`xorDigest`).
pub fn xor_digest(digest: &mut Digest, data: &[u8]) {
    let h = sha1(data);
    for (d, x) in digest.iter_mut().zip(h.iter()) {
        *d ^= x;
    }
}

/// digest = SHA1(digest ^ SHA1(data)) (`mixDigest`): order-dependent.
pub fn mix_digest(digest: &mut Digest, data: &[u8]) {
    xor_digest(digest, data);
    *digest = sha1(&digest[..]);
}

/// The type number Redis hashes (OBJ_STRING = 0, ...).
fn type_code(t: ObjType) -> u32 {
    match t {
        ObjType::String => 0,
        ObjType::List => 1,
        ObjType::Set => 2,
        ObjType::ZSet => 3,
        ObjType::Hash => 4,
        ObjType::Stream => 6,
    }
}

/// Mixes one value (and whether it has a TTL) into `digest` (`xorObjectDigest`).
pub fn object_digest(digest: &mut Digest, v: &Value, has_expire: bool) {
    mix_digest(digest, &type_code(v.obj_type()).to_be_bytes());
    if v.is_string() {
        let mut t = [0u8; 20];
        mix_digest(digest, v.str_bytes(&mut t));
    } else {
        crate::types::coll::digest_into(digest, v);
    }
    if let Value::List(ql) = v {
        for e in ql.iter(crate::ds::quicklist::End::Head) {
            mix_digest(digest, &e.into_bytes());
        }
    }
    if let Value::Stream(s) = v {
        crate::types::stream::digest_into(digest, s);
    }
    if has_expire {
        xor_digest(digest, b"!!expire!!");
    }
}

/// The digest of every database (`computeDatasetDigest`); zeros when empty.
pub fn dataset_digest(dbs: &[Db]) -> Digest {
    let mut fin = [0u8; 20];
    for (j, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_digest(&mut fin, &(j as u32).to_be_bytes());
        for e in db.dict.iter() {
            let mut d = [0u8; 20];
            let k = e.key().bytes();
            mix_digest(&mut d, k);
            object_digest(&mut d, &e.val, db.expire_of(k) != -1);
            xor_digest(&mut fin, &d);
        }
    }
    fin
}

pub fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{:02x}", b)).collect()
}
