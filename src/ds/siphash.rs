//! SipHash over a byte slice (Redis siphash.c), the dict's keyed hash.
//!
//! Redis hashes keys with SipHash-1-2 and a random per-process key, which
//! keeps hash flooding out of reach while costing little for short keys.
//! This is SipHash written from its specification (Aumasson and Bernstein),
//! generic over the number of compression and finalisation rounds so that
//! the tests can check it against the published SipHash-2-4 vectors and the
//! standard library's SipHash-2-4.

/// A keyed SipHash-1-2 hash of `data` (the variant Redis uses for dicts).
#[inline]
pub fn siphash12(k0: u64, k1: u64, data: &[u8]) -> u64 {
    siphash::<1, 2>(k0, k1, data)
}

struct State {
    v0: u64,
    v1: u64,
    v2: u64,
    v3: u64,
}

impl State {
    #[inline(always)]
    fn round(&mut self) {
        self.v0 = self.v0.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(13) ^ self.v0;
        self.v0 = self.v0.rotate_left(32);
        self.v2 = self.v2.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(16) ^ self.v2;
        self.v0 = self.v0.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(21) ^ self.v0;
        self.v2 = self.v2.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(17) ^ self.v2;
        self.v2 = self.v2.rotate_left(32);
    }

    #[inline(always)]
    fn compress<const C: usize>(&mut self, m: u64) {
        self.v3 ^= m;
        for _ in 0..C {
            self.round();
        }
        self.v0 ^= m;
    }
}

/// SipHash-C-D of `data` under the key (`k0`, `k1`), little-endian words.
#[inline]
pub fn siphash<const C: usize, const D: usize>(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut s = State {
        v0: k0 ^ 0x736f_6d65_7073_6575,
        v1: k1 ^ 0x646f_7261_6e64_6f6d,
        v2: k0 ^ 0x6c79_6765_6e65_7261,
        v3: k1 ^ 0x7465_6462_7974_6573,
    };
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        s.compress::<C>(u64::from_le_bytes(b));
    }
    // The last word holds the remaining bytes and the length's low byte on top.
    let rest = words.remainder();
    let mut b = [0u8; 8];
    b[..rest.len()].copy_from_slice(rest);
    b[7] = data.len() as u8;
    s.compress::<C>(u64::from_le_bytes(b));
    s.v2 ^= 0xff;
    for _ in 0..D {
        s.round();
    }
    s.v0 ^ s.v1 ^ s.v2 ^ s.v3
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(deprecated)]
    use std::hash::{Hasher, SipHasher};

    /// The key 00 01 .. 0f of the SipHash paper's test vectors.
    const K0: u64 = 0x0706_0504_0302_0100;
    const K1: u64 = 0x0f0e_0d0c_0b0a_0908;

    #[test]
    fn siphash24_matches_the_paper() {
        // Appendix A: message 00 01 .. 0e.
        let msg: Vec<u8> = (0u8..15).collect();
        assert_eq!(siphash::<2, 4>(K0, K1, &msg), 0xa129_ca61_49be_45e5);
        // The reference implementation's vectors for the empty and 8-byte messages.
        assert_eq!(siphash::<2, 4>(K0, K1, b""), 0x726f_db47_dd0e_0e31);
        let msg: Vec<u8> = (0u8..8).collect();
        assert_eq!(siphash::<2, 4>(K0, K1, &msg), 0x93f5_f579_9a93_2462);
    }

    #[test]
    #[allow(deprecated)]
    fn siphash24_matches_std_for_every_length() {
        let data: Vec<u8> = (0..64u32).map(|i| (i * 37 + 11) as u8).collect();
        for len in 0..=data.len() {
            let mut h = SipHasher::new_with_keys(K0 ^ len as u64, K1);
            h.write(&data[..len]);
            let ours = siphash::<2, 4>(K0 ^ len as u64, K1, &data[..len]);
            assert_eq!(ours, h.finish(), "len {}", len);
        }
    }

    #[test]
    fn siphash12_depends_on_key_and_data() {
        let a = siphash12(1, 2, b"key:1");
        assert_ne!(a, siphash12(1, 3, b"key:1"));
        assert_ne!(a, siphash12(1, 2, b"key:2"));
        assert_eq!(a, siphash12(1, 2, b"key:1"));
    }
}
