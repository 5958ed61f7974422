//! The keys of one phone and the sealing of one message.
//!
//! Each phone has a long-term X25519 key (messages are sealed to it) and a long-term
//! Ed25519 key (messages are signed with it). A message is sealed with a fresh ephemeral
//! X25519 key, so every message has its own AEAD key (the nonce can then be fixed, and a
//! state restored from a backup can never reuse a key/nonce pair), and signed over its
//! whole header and ciphertext, which names both ends: a message cannot be re-targeted,
//! altered or attributed to anyone but the holder of the signing key.

use ring::{aead, digest, hkdf, rand::SecureRandom, signature};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::WatchError;
use crate::{Error, Result};

pub(crate) const PUBLIC_LEN: usize = 32;
pub(crate) const SIGNATURE_LEN: usize = 64;
pub(crate) const KEY_ID_LEN: usize = 8;
pub(crate) const TAG_LEN: usize = 16;

const SEAL_SALT: &[u8] = b"vigil.watch.seal.v1";
const SIGN_CONTEXT: &[u8] = b"vigil.watch.sign.v1";
const KEY_ID_CONTEXT: &[u8] = b"vigil.watch.key-id.v1";
const SAS_CONTEXT: &[u8] = b"vigil.watch.sas.v1";

/// The public half of a phone's keys: what a pairing code carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    /// X25519: messages to this phone are sealed to it.
    pub sealing: [u8; PUBLIC_LEN],
    /// Ed25519: messages from this phone are signed with it.
    pub signing: [u8; PUBLIC_LEN],
}

/// A short id of a phone's keys, carried in clear in every message so the receiver finds
/// the pairing (and the sender's key) without trying each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct KeyId(pub [u8; KEY_ID_LEN]);

impl PublicKeys {
    pub fn key_id(&self) -> KeyId {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(KEY_ID_CONTEXT);
        ctx.update(&self.sealing);
        ctx.update(&self.signing);
        let d = ctx.finish();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&d.as_ref()[..KEY_ID_LEN]);
        KeyId(id)
    }

    fn bytes(&self) -> [u8; 2 * PUBLIC_LEN] {
        let mut b = [0u8; 2 * PUBLIC_LEN];
        b[..PUBLIC_LEN].copy_from_slice(&self.sealing);
        b[PUBLIC_LEN..].copy_from_slice(&self.signing);
        b
    }
}

/// The short authentication string both people compare before a pairing is saved: six
/// digits from a hash of both phones' keys, in an order that does not depend on who shows
/// and who scans. Someone who swapped a code in transit would have to find keys of their
/// own giving the same six digits for this very pair (one chance in a million per try, and
/// they cannot try after the fact: the digits are compared face to face or by voice).
pub fn short_authentication_string(a: &PublicKeys, b: &PublicKeys) -> String {
    let (first, second) = if a.bytes() <= b.bytes() {
        (a, b)
    } else {
        (b, a)
    };
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(SAS_CONTEXT);
    ctx.update(&first.bytes());
    ctx.update(&second.bytes());
    let d = ctx.finish();
    let n = u64::from_be_bytes(d.as_ref()[..8].try_into().unwrap_or([0; 8])) % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}

/// A phone's secret keys. Kept only in the device-bound state (see `state.rs`).
#[derive(Clone, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct Identity {
    sealing: [u8; 32],
    signing_seed: [u8; 32],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(..)")
    }
}

impl Identity {
    pub(crate) fn generate(rng: &dyn SecureRandom) -> Result<Self> {
        let mut id = Self {
            sealing: [0; 32],
            signing_seed: [0; 32],
        };
        rng.fill(&mut id.sealing).map_err(|_| Error::Random)?;
        rng.fill(&mut id.signing_seed).map_err(|_| Error::Random)?;
        Ok(id)
    }

    fn signer(&self) -> Result<signature::Ed25519KeyPair> {
        signature::Ed25519KeyPair::from_seed_unchecked(&self.signing_seed)
            .map_err(|_| Error::Decode("watch signing key".into()))
    }

    pub(crate) fn public(&self) -> Result<PublicKeys> {
        let secret = x25519_dalek::StaticSecret::from(self.sealing);
        let sealing = x25519_dalek::PublicKey::from(&secret).to_bytes();
        let mut signing = [0u8; PUBLIC_LEN];
        signing.copy_from_slice(signature::KeyPair::public_key(&self.signer()?).as_ref());
        Ok(PublicKeys { sealing, signing })
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        let mut ctx = Vec::with_capacity(SIGN_CONTEXT.len() + msg.len());
        ctx.extend_from_slice(SIGN_CONTEXT);
        ctx.extend_from_slice(msg);
        let sig = self.signer()?.sign(&ctx);
        let mut out = [0u8; SIGNATURE_LEN];
        out.copy_from_slice(sig.as_ref());
        Ok(out)
    }

    /// Opens a ciphertext sealed to this phone with `ephemeral` (the sender's one-time
    /// public key) and bound to `header`.
    pub(crate) fn open(
        &self,
        ephemeral: &[u8; PUBLIC_LEN],
        header: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>> {
        let secret = x25519_dalek::StaticSecret::from(self.sealing);
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*ephemeral));
        if !shared.was_contributory() {
            return Err(WatchError::Forged.into());
        }
        let key = aead_key(shared.as_bytes(), header)?;
        let mut buf = sealed.to_vec();
        let plain = key
            .open_in_place(
                aead::Nonce::assume_unique_for_key([0; 12]),
                aead::Aad::from(header),
                &mut buf,
            )
            .map_err(|_| Error::from(WatchError::Forged))?
            .to_vec();
        Ok(plain)
    }
}

/// Checks `sig` by `signer` over `msg`.
pub(crate) fn verify(signer: &PublicKeys, msg: &[u8], sig: &[u8]) -> bool {
    let mut ctx = Vec::with_capacity(SIGN_CONTEXT.len() + msg.len());
    ctx.extend_from_slice(SIGN_CONTEXT);
    ctx.extend_from_slice(msg);
    signature::UnparsedPublicKey::new(&signature::ED25519, &signer.signing)
        .verify(&ctx, sig)
        .is_ok()
}

/// A fresh one-time key for sealing one message to `recipient`: its public half goes in
/// the header, then [`Ephemeral::seal`] encrypts under a key bound to that header.
pub(crate) struct Ephemeral {
    secret: x25519_dalek::StaticSecret,
    pub public: [u8; PUBLIC_LEN],
}

impl Ephemeral {
    pub(crate) fn generate(rng: &dyn SecureRandom) -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill(bytes.as_mut()).map_err(|_| Error::Random)?;
        let secret = x25519_dalek::StaticSecret::from(*bytes);
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        Ok(Self { secret, public })
    }

    pub(crate) fn seal(
        self,
        recipient: &PublicKeys,
        header: &[u8],
        plain: &[u8],
    ) -> Result<Vec<u8>> {
        let shared = self
            .secret
            .diffie_hellman(&x25519_dalek::PublicKey::from(recipient.sealing));
        if !shared.was_contributory() {
            return Err(Error::invalid(
                "pairing",
                "the paired phone's key is not usable",
            ));
        }
        let key = aead_key(shared.as_bytes(), header)?;
        let mut buf = plain.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key([0; 12]),
            aead::Aad::from(header),
            &mut buf,
        )
        .map_err(|_| Error::Random)?;
        Ok(buf)
    }
}

/// HKDF-SHA256 of the shared secret, bound to the whole header (version, both key ids,
/// counter, ephemeral key), to a ChaCha20-Poly1305 key used for exactly one message.
fn aead_key(shared: &[u8], header: &[u8]) -> Result<aead::LessSafeKey> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SEAL_SALT).extract(shared);
    let info = [header];
    let okm = prk
        .expand(&info, &aead::CHACHA20_POLY1305)
        .map_err(|_| Error::Random)?;
    Ok(aead::LessSafeKey::new(aead::UnboundKey::from(okm)))
}
