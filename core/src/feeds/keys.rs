//! Publisher keys: Ed25519 key pairs for the publisher tools, and public keys as the apps
//! pin them.
//!
//! A key is named by its *key id*, the first 8 bytes of SHA-256 of the 32-byte public key,
//! written as 16 hex digits. Both kinds of key have a one-line text form, so they can be
//! pasted, printed as a QR code or kept in a file:
//!
//! - public key: `vigil-pub:` followed by 64 hex digits;
//! - secret key file: `vigil-secret:` followed by the hex of the PKCS#8 v2 document ring
//!   produces (it contains the public key too, and is checked on load).

use std::fmt;
use std::str::FromStr;

use ring::rand::SecureRandom;
use ring::signature::{self, Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::FeedError;
use crate::{Error, Result};

/// Text prefix of a public key.
pub const PUBLIC_KEY_PREFIX: &str = "vigil-pub:";
/// Text prefix of a secret key file.
pub const SECRET_KEY_PREFIX: &str = "vigil-secret:";
/// Length of an Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// The short name of a publisher key: the first 8 bytes of SHA-256 of the public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublisherKeyId(pub [u8; 8]);

impl PublisherKeyId {
    pub fn of(public_key: &[u8; PUBLIC_KEY_LEN]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, public_key);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest.as_ref()[..8]);
        Self(id)
    }
}

impl fmt::Display for PublisherKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for PublisherKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublisherKeyId({self})")
    }
}

impl FromStr for PublisherKeyId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let mut b = [0u8; 8];
        hex::decode_to_slice(s.trim(), &mut b)
            .map_err(|_| FeedError::InvalidKey("a key id is 16 hexadecimal digits"))?;
        Ok(Self(b))
    }
}

impl Serialize for PublisherKeyId {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PublisherKeyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 public key of a publisher, as pinned by the apps.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; PUBLIC_KEY_LEN]);

impl PublicKey {
    pub fn from_bytes(bytes: [u8; PUBLIC_KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.0
    }

    pub fn key_id(&self) -> PublisherKeyId {
        PublisherKeyId::of(&self.0)
    }

    /// True when `signature` is this key's Ed25519 signature of `message`.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        signature::UnparsedPublicKey::new(&signature::ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }
}

impl fmt::Display for PublicKey {
    /// The text form, `vigil-pub:` + 64 hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_KEY_PREFIX}{}", hex::encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl FromStr for PublicKey {
    type Err = Error;
    /// Parses the text form; surrounding white space is ignored.
    fn from_str(s: &str) -> Result<Self> {
        let hex_part = s
            .trim()
            .strip_prefix(PUBLIC_KEY_PREFIX)
            .ok_or(FeedError::InvalidKey("a public key starts with vigil-pub:"))?;
        let mut b = [0u8; PUBLIC_KEY_LEN];
        hex::decode_to_slice(hex_part, &mut b)
            .map_err(|_| FeedError::InvalidKey("a public key has 64 hexadecimal digits"))?;
        Ok(Self(b))
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A publisher's signing key (publisher tools only; the apps never hold one).
pub struct PublisherKey {
    pkcs8: Zeroizing<Vec<u8>>,
    pair: Ed25519KeyPair,
}

impl fmt::Debug for PublisherKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublisherKey({})", self.key_id())
    }
}

/// Generates a new publisher key: the PKCS#8 document (keep it secret) and its public key.
pub fn generate_publisher_key(rng: &dyn SecureRandom) -> Result<(Zeroizing<Vec<u8>>, PublicKey)> {
    let doc = Ed25519KeyPair::generate_pkcs8(rng).map_err(|_| Error::Random)?;
    let pkcs8 = Zeroizing::new(doc.as_ref().to_vec());
    let key = PublisherKey::from_pkcs8(&pkcs8)?;
    Ok((pkcs8, key.public_key()))
}

impl PublisherKey {
    /// Loads a key from a PKCS#8 v2 document (as [`generate_publisher_key`] makes).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| FeedError::InvalidKey("not an Ed25519 PKCS#8 v2 key"))?;
        Ok(Self {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            pair,
        })
    }

    /// Loads the text form of a key file (`vigil-secret:` + hex of the PKCS#8 document).
    pub fn from_key_file(text: &str) -> Result<Self> {
        let hex_part = text
            .trim()
            .strip_prefix(SECRET_KEY_PREFIX)
            .ok_or(FeedError::InvalidKey(
                "a key file starts with vigil-secret:",
            ))?;
        let bytes = Zeroizing::new(
            hex::decode(hex_part)
                .map_err(|_| FeedError::InvalidKey("a key file holds hexadecimal digits"))?,
        );
        Self::from_pkcs8(&bytes)
    }

    /// The text form of the key file, ending with a newline. Secret: store it like a password.
    pub fn to_key_file(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{SECRET_KEY_PREFIX}{}\n",
            hex::encode(&*self.pkcs8)
        ))
    }

    pub fn public_key(&self) -> PublicKey {
        let mut b = [0u8; PUBLIC_KEY_LEN];
        b.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(b)
    }

    pub fn key_id(&self) -> PublisherKeyId {
        self.public_key().key_id()
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    #[test]
    fn key_text_forms_round_trip() {
        let rng = SystemRandom::new();
        let (pkcs8, public) = generate_publisher_key(&rng).unwrap();
        let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(key.public_key(), public);
        let reloaded = PublisherKey::from_key_file(&key.to_key_file()).unwrap();
        assert_eq!(reloaded.public_key(), public);
        let text = public.to_string();
        assert!(text.starts_with("vigil-pub:") && text.len() == 10 + 64);
        assert_eq!(text.parse::<PublicKey>().unwrap(), public);
        let id = public.key_id();
        assert_eq!(id.to_string().len(), 16);
        assert_eq!(id.to_string().parse::<PublisherKeyId>().unwrap(), id);
        let sig = key.sign(b"message");
        assert!(public.verifies(b"message", &sig));
        assert!(!public.verifies(b"messagE", &sig));
    }

    #[test]
    fn bad_key_text_is_refused() {
        for bad in [
            "",
            "vigil-pub:",
            "vigil-pub:zz",
            "pub:00",
            &format!("vigil-pub:{}", "0".repeat(62)),
        ] {
            assert!(
                matches!(
                    bad.parse::<PublicKey>(),
                    Err(Error::Feed(FeedError::InvalidKey(_)))
                ),
                "{bad:?}"
            );
        }
        assert!(PublisherKey::from_key_file("vigil-secret:00ff").is_err());
        assert!(PublisherKey::from_key_file("vigil-pub:00").is_err());
    }
}
