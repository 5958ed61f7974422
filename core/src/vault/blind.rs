//! Blind indexes: searchable fields without storing them.
//!
//! `HMAC-SHA256(blind subkey, domain ‖ 0 ‖ normalized value)`, truncated to a few bits
//! *fewer* than the number of records needs, so that values collide on purpose: the index
//! narrows a lookup to a handful of candidates (decrypted and compared exactly) but an
//! attacker with the file cannot confirm a guessed value from the index alone.

use ring::hmac;

use super::keys::SecretKey;

/// The blind-index key, set up once per session: HMAC's key schedule (two SHA-256 blocks)
/// was otherwise redone for every value, ~7 % of an alert import's CPU (docs/PERFORMANCE.md).
/// Like the session's record key (a ring key), its state is not wiped when dropped.
pub(crate) struct BlindIndexer {
    mac: hmac::Key,
}

impl BlindIndexer {
    pub(crate) fn new(key: &SecretKey) -> Self {
        Self {
            mac: hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes()),
        }
    }

    /// A truncated keyed hash of one normalized value.
    pub(crate) fn index(&self, domain: &str, normalized: &str, bits: u32) -> i64 {
        let bits = bits.clamp(1, 63);
        let mut ctx = hmac::Context::with_key(&self.mac);
        ctx.update(domain.as_bytes());
        ctx.update(&[0]);
        ctx.update(normalized.as_bytes());
        let tag = ctx.sign();
        let mut head = [0u8; 8];
        head.copy_from_slice(&tag.as_ref()[..8]);
        (u64::from_be_bytes(head) >> (64 - bits)) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::keys::KEY_LEN;

    #[test]
    fn truncation_bounds_and_domain_separation() {
        let key = BlindIndexer::new(&SecretKey::from_bytes([3; KEY_LEN]));
        for bits in [1, 8, 12, 20, 63] {
            for v in ["+447700900123", "a@b.c", "AB12CDE"] {
                let x = key.index("phone", v, bits);
                assert!(x >= 0 && (x as u64) < (1u64 << bits), "{bits} {x}");
            }
        }
        let a = key.index("phone", "+447700900123", 63);
        assert_eq!(a, key.index("phone", "+447700900123", 63));
        assert_ne!(a, key.index("email", "+447700900123", 63));
        let other = BlindIndexer::new(&SecretKey::from_bytes([4; KEY_LEN]));
        assert_ne!(a, other.index("phone", "+447700900123", 63));
    }

    /// Indexes already stored in vaults must keep matching: the value is the top `bits` of
    /// HMAC-SHA256(key, domain ‖ 0 ‖ value), as when the key was set up on every call.
    #[test]
    fn the_index_is_the_top_bits_of_the_hmac_of_domain_zero_value() {
        let secret = SecretKey::from_bytes([7; KEY_LEN]);
        let indexer = BlindIndexer::new(&secret);
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
            b"phone\0+447700900123",
        );
        let top = u64::from_be_bytes(tag.as_ref()[..8].try_into().unwrap());
        for bits in [8, 20, 63] {
            assert_eq!(
                indexer.index("phone", "+447700900123", bits),
                (top >> (64 - bits)) as i64
            );
        }
    }

    #[test]
    fn few_bits_collide_on_purpose() {
        let key = BlindIndexer::new(&SecretKey::from_bytes([5; KEY_LEN]));
        let mut seen = std::collections::HashSet::new();
        for i in 0..1000 {
            seen.insert(key.index("phone", &format!("+4477009{i:05}"), 8));
        }
        // 1,000 values into 256 buckets: values share buckets, and the buckets fill as a
        // uniform function's would (about 251 used; 249 with this fixed key).
        assert!(seen.len() < 1000);
        assert!((240..=256).contains(&seen.len()), "{}", seen.len());
    }
}
