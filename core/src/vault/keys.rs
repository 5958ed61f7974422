//! The key hierarchy.
//!
//! passphrase --PBKDF2-HMAC-SHA256--> stretched --HKDF(+ device secret)--> key-encryption key
//! key-encryption key --AES-256-GCM unwrap--> vault key --HKDF--> one subkey per purpose.
//!
//! Only the wrapped vault key is stored. Changing the passphrase re-wraps the same vault
//! key, so no record is re-encrypted. Every key type zeroizes itself on drop.

use std::cell::RefCell;
use std::num::NonZeroU32;

use ring::{aead, hkdf, pbkdf2, rand::SecureRandom};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Result};

/// PBKDF2 iterations for new vaults (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const DEFAULT_KDF_ITERATIONS: u32 = 600_000;
/// Below this a header is refused as downgraded, whatever its authentication says.
pub const MIN_KDF_ITERATIONS: u32 = 100_000;
/// Above this a header is refused as corrupt or tampered, before any key derivation: an
/// edited count of four billion would otherwise hold an unlock for about an hour. Ten times
/// the default leaves room for slower-to-guess vaults on fast machines.
pub const MAX_KDF_ITERATIONS: u32 = 10 * DEFAULT_KDF_ITERATIONS;

pub(crate) const KEY_LEN: usize = 32;
pub(crate) const SALT_LEN: usize = 32;
pub(crate) const NONCE_LEN: usize = aead::NONCE_LEN;
pub(crate) const TAG_LEN: usize = 16;

/// A source of random bytes for nonces and ids.
pub(crate) trait Entropy {
    fn fill_bytes(&self, dest: &mut [u8]) -> Result<()>;
}

impl Entropy for ring::rand::SystemRandom {
    fn fill_bytes(&self, dest: &mut [u8]) -> Result<()> {
        self.fill(dest).map_err(|_| Error::Random)
    }
}

/// Operating-system randomness fetched a block at a time.
///
/// Sealing a record needs 28 random bytes (row id and nonce); one system call per record
/// was a measurable part of the cost of a batch insert. The bytes are the kernel's own,
/// only buffered; they become public (ids, nonces) as soon as they are used.
pub(crate) struct RandomPool {
    rng: ring::rand::SystemRandom,
    pool: RefCell<([u8; 1024], usize)>,
}

impl RandomPool {
    pub fn new() -> Self {
        Self {
            rng: ring::rand::SystemRandom::new(),
            pool: RefCell::new(([0; 1024], 1024)),
        }
    }
}

impl Entropy for RandomPool {
    fn fill_bytes(&self, dest: &mut [u8]) -> Result<()> {
        let mut pool = self.pool.borrow_mut();
        let (bytes, used) = &mut *pool;
        if dest.len() > bytes.len() {
            return self.rng.fill_bytes(dest);
        }
        if bytes.len() - *used < dest.len() {
            self.rng.fill_bytes(bytes)?;
            *used = 0;
        }
        dest.copy_from_slice(&bytes[*used..*used + dest.len()]);
        // Never hand out the same bytes twice.
        bytes[*used..*used + dest.len()].fill(0);
        *used += dest.len();
        Ok(())
    }
}

/// A 256-bit secret that wipes itself.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    pub(crate) fn random(rng: &dyn SecureRandom) -> Result<Self> {
        let mut bytes = [0u8; KEY_LEN];
        rng.fill(&mut bytes).map_err(|_| Error::Random)?;
        Ok(Self(bytes))
    }

    pub(crate) fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Derives an independent subkey for one purpose (HKDF-SHA256, the purpose as info).
    pub(crate) fn subkey(&self, purpose: &[u8]) -> SecretKey {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"vigil.subkey.v1").extract(&self.0);
        expand(&prk, purpose)
    }

    /// The expanded AES-256-GCM key, for sealing many records without re-expanding.
    pub(crate) fn sealing_key(&self) -> SealingKey {
        let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, &self.0)
            .expect("a 32-byte key is always valid for AES-256-GCM");
        SealingKey(aead::LessSafeKey::new(unbound))
    }
}

/// An expanded AES-256-GCM key. ring does not zeroize its key schedule; a session keeps one
/// per purpose for its lifetime instead of leaving a fresh copy behind on every operation.
pub(crate) struct SealingKey(aead::LessSafeKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

fn expand(prk: &hkdf::Prk, info: &[u8]) -> SecretKey {
    struct Len;
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            KEY_LEN
        }
    }
    let info = [info];
    let okm = prk
        .expand(&info, Len)
        .expect("HKDF-SHA256 can always produce 32 bytes");
    let mut out = [0u8; KEY_LEN];
    okm.fill(&mut out)
        .expect("HKDF-SHA256 can always produce 32 bytes");
    SecretKey(out)
}

/// The password-based key derivation parameters stored in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KdfParams {
    pub iterations: u32,
    pub salt: [u8; SALT_LEN],
    /// Whether a device secret from the platform keystore is mixed into the KEK.
    pub device_bound: bool,
}

impl KdfParams {
    /// The key-encryption key for these parameters.
    pub fn derive_kek(&self, passphrase: &str, device_secret: Option<&[u8]>) -> Result<SecretKey> {
        if self.iterations < MIN_KDF_ITERATIONS {
            return Err(Error::WeakKdf);
        }
        if self.iterations > MAX_KDF_ITERATIONS {
            return Err(Error::CorruptHeader("iteration count out of range"));
        }
        let device_secret = match (self.device_bound, device_secret) {
            (true, Some(s)) if !s.is_empty() => s,
            (true, _) => return Err(Error::DeviceSecretRequired),
            (false, _) => &[][..],
        };
        let iterations = NonZeroU32::new(self.iterations).ok_or(Error::WeakKdf)?;
        let mut stretched = [0u8; KEY_LEN];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            &self.salt,
            passphrase.as_bytes(),
            &mut stretched,
        );
        // The device secret is the HKDF salt: without it the stretched passphrase is useless,
        // so a copied file cannot be attacked off the phone.
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, device_secret).extract(&stretched);
        stretched.zeroize();
        Ok(expand(&prk, b"vigil.kek.v1"))
    }

    /// Associated data for a key slot: binds the wrapped key to these exact parameters, so
    /// that a header edited to weaker parameters fails to unwrap.
    pub fn slot_aad(&self, format: u32, slot: u32) -> Vec<u8> {
        let mut aad = Vec::with_capacity(64);
        aad.extend_from_slice(b"vigil.keyslot\0");
        aad.extend_from_slice(&format.to_be_bytes());
        aad.extend_from_slice(&slot.to_be_bytes());
        aad.extend_from_slice(b"pbkdf2-hmac-sha256\0");
        aad.extend_from_slice(&self.iterations.to_be_bytes());
        aad.extend_from_slice(&self.salt);
        aad.push(u8::from(self.device_bound));
        aad
    }
}

/// AES-256-GCM with a random nonce: `nonce ‖ ciphertext ‖ tag`.
pub(crate) fn seal_with(
    key: &SealingKey,
    rng: &dyn Entropy,
    aad: &[u8],
    plaintext: &[u8],
    prefix: &[u8],
) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce)?;
    let mut out = Vec::with_capacity(prefix.len() + NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(prefix);
    out.extend_from_slice(&nonce);
    let body_start = out.len();
    out.extend_from_slice(plaintext);
    let tag = key
        .0
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut out[body_start..],
        )
        .map_err(|_| Error::Random)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens what [`seal_with`] produced (without its prefix). Fails with [`Error::Tampered`].
pub(crate) fn open_with(key: &SealingKey, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let len = open_into(key, aad, sealed, &mut buf)?;
    buf.truncate(len);
    Ok(buf)
}

/// Opens what [`seal_with`] produced (without its prefix) into `buf`, which is cleared
/// first and may be reused across rows (one copy of the ciphertext, no allocation once it
/// is large enough); the plaintext is `buf[..len]`, for the caller to wipe after use.
/// Fails with [`Error::Tampered`].
pub(crate) fn open_into(
    key: &SealingKey,
    aad: &[u8],
    sealed: &[u8],
    buf: &mut Vec<u8>,
) -> Result<usize> {
    buf.clear();
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(Error::Tampered);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| Error::Tampered)?;
    buf.extend_from_slice(body);
    key.0
        .open_in_place(nonce, aead::Aad::from(aad), buf)
        .map(|plain| plain.len())
        .map_err(|_| Error::Tampered)
}

/// Seals `buf[body_start..]` in place under `nonce` and appends the tag: the record path
/// writes its header, nonce and plaintext into one buffer and seals it there, with no
/// second copy of the plaintext.
pub(crate) fn seal_in_place(
    key: &SealingKey,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut Vec<u8>,
    body_start: usize,
) -> Result<()> {
    let tag = key
        .0
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut buf[body_start..],
        )
        .map_err(|_| Error::Random)?;
    buf.extend_from_slice(tag.as_ref());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    fn params() -> KdfParams {
        KdfParams {
            iterations: MIN_KDF_ITERATIONS,
            salt: [7; SALT_LEN],
            device_bound: false,
        }
    }

    #[test]
    fn kek_depends_on_passphrase_salt_and_device_secret() {
        let p = params();
        let a = p.derive_kek("correct horse", None).unwrap();
        let b = p.derive_kek("correct horsf", None).unwrap();
        assert_ne!(a.as_bytes(), b.as_bytes());
        let mut salted = p.clone();
        salted.salt[0] ^= 1;
        assert_ne!(
            a.as_bytes(),
            salted.derive_kek("correct horse", None).unwrap().as_bytes()
        );

        let mut bound = p.clone();
        bound.device_bound = true;
        assert!(matches!(
            bound.derive_kek("correct horse", None),
            Err(Error::DeviceSecretRequired)
        ));
        let d1 = bound
            .derive_kek("correct horse", Some(b"device-1"))
            .unwrap();
        let d2 = bound
            .derive_kek("correct horse", Some(b"device-2"))
            .unwrap();
        assert_ne!(d1.as_bytes(), d2.as_bytes());
        assert_ne!(d1.as_bytes(), a.as_bytes());
    }

    #[test]
    fn weak_iteration_counts_are_refused_before_any_work() {
        let mut p = params();
        p.iterations = MIN_KDF_ITERATIONS - 1;
        assert!(matches!(p.derive_kek("x", None), Err(Error::WeakKdf)));
    }

    #[test]
    fn seal_open_round_trip_and_tamper_detection() {
        let rng = SystemRandom::new();
        let key = SecretKey::random(&rng).unwrap().sealing_key();
        let sealed = seal_with(&key, &rng, b"aad", b"hello", b"").unwrap();
        assert_eq!(open_with(&key, b"aad", &sealed).unwrap(), b"hello");
        assert!(matches!(
            open_with(&key, b"other", &sealed),
            Err(Error::Tampered)
        ));
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x01;
            assert!(
                matches!(open_with(&key, b"aad", &t), Err(Error::Tampered)),
                "byte {i}"
            );
        }
        assert!(matches!(
            open_with(&key, b"aad", &sealed[..10]),
            Err(Error::Tampered)
        ));
    }

    #[test]
    fn the_random_pool_never_repeats_itself() {
        let pool = RandomPool::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let mut nonce = [0u8; NONCE_LEN];
            pool.fill_bytes(&mut nonce).unwrap();
            assert!(seen.insert(nonce), "a nonce repeated");
        }
        let mut big = [0u8; 4000];
        pool.fill_bytes(&mut big).unwrap();
        assert!(big.iter().any(|&b| b != 0));
    }

    #[test]
    fn subkeys_are_distinct_per_purpose() {
        let key = SecretKey::from_bytes([1; KEY_LEN]);
        assert_ne!(key.subkey(b"a").as_bytes(), key.subkey(b"b").as_bytes());
        assert_eq!(key.subkey(b"a").as_bytes(), key.subkey(b"a").as_bytes());
        assert_ne!(key.subkey(b"a").as_bytes(), key.as_bytes());
    }
}
