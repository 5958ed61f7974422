//! Pairing codes: a phone's public keys and display name as one short line of text (the QR
//! code's content is the same string).
//!
//! ```text
//! code = "VGP1:" base64(version (1) | X25519 public (32) | Ed25519 public (32)
//!                       | name length (1) | name (UTF-8) | check (4))
//! ```
//!
//! `check` is the first four bytes of SHA-256 over what precedes it: a typo in a code
//! copied by hand is caught before anything is compared. It is not a security measure:
//! the short authentication string is (see `crypto::short_authentication_string`).

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use ring::digest;

use super::crypto::{PublicKeys, PUBLIC_LEN};
use super::WatchError;
use crate::{Error, Result};

/// What every pairing code starts with.
pub const PAIRING_PREFIX: &str = "VGP1:";
const VERSION: u8 = 1;
/// Longest display name in a code, in bytes.
pub const MAX_PAIRING_NAME: usize = 60;
const CHECK_LEN: usize = 4;

/// A pairing code, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCode {
    pub keys: PublicKeys,
    /// The name the other phone's owner chose to show (not verified: the people pairing
    /// know each other).
    pub name: String,
}

fn check(bytes: &[u8]) -> [u8; CHECK_LEN] {
    let d = digest::digest(&digest::SHA256, bytes);
    let mut c = [0u8; CHECK_LEN];
    c.copy_from_slice(&d.as_ref()[..CHECK_LEN]);
    c
}

/// A display name as a code carries it: trimmed, not empty, at most
/// [`MAX_PAIRING_NAME`] bytes, no control characters.
pub(crate) fn normalize_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("pairing name", "must not be empty"));
    }
    if name.len() > MAX_PAIRING_NAME {
        return Err(Error::invalid(
            "pairing name",
            "must be at most 60 bytes (about 60 letters, fewer in other scripts)",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "pairing name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

impl PairingCode {
    pub fn to_text(&self) -> String {
        let mut b = vec![VERSION];
        b.extend_from_slice(&self.keys.sealing);
        b.extend_from_slice(&self.keys.signing);
        let name = super::message::cut(&self.name, MAX_PAIRING_NAME);
        b.push(name.len() as u8);
        b.extend_from_slice(name.as_bytes());
        let c = check(&b);
        b.extend_from_slice(&c);
        format!("{PAIRING_PREFIX}{}", STANDARD_NO_PAD.encode(b))
    }

    /// Reads a code (whitespace inside is ignored, as in a code copied over two lines).
    /// Every way it can be wrong is [`WatchError::BadPairingCode`] with what is wrong.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |what: &'static str| Error::from(WatchError::BadPairingCode(what));
        let text = text.trim();
        let body = text
            .strip_prefix(PAIRING_PREFIX)
            .ok_or_else(|| bad("it does not start with VGP1:"))?;
        let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = STANDARD_NO_PAD
            .decode(body.as_bytes())
            .map_err(|_| bad("it is not valid base64"))?;
        let min = 1 + 2 * PUBLIC_LEN + 1 + CHECK_LEN;
        if bytes.len() < min {
            return Err(bad("it is too short (cut off?)"));
        }
        if bytes[0] != VERSION {
            return Err(bad("it is from a newer version of Vigil"));
        }
        let (content, c) = bytes.split_at(bytes.len() - CHECK_LEN);
        if check(content) != c {
            return Err(bad("its check digits do not match (a typo?)"));
        }
        let name_len = usize::from(content[1 + 2 * PUBLIC_LEN]);
        let name_bytes = &content[2 + 2 * PUBLIC_LEN..];
        if name_bytes.len() != name_len {
            return Err(bad("its length is wrong"));
        }
        let name = std::str::from_utf8(name_bytes).map_err(|_| bad("its name is not text"))?;
        let name = normalize_name(name).map_err(|_| bad("its name is not valid"))?;
        let mut sealing = [0u8; PUBLIC_LEN];
        let mut signing = [0u8; PUBLIC_LEN];
        sealing.copy_from_slice(&content[1..1 + PUBLIC_LEN]);
        signing.copy_from_slice(&content[1 + PUBLIC_LEN..1 + 2 * PUBLIC_LEN]);
        Ok(Self {
            keys: PublicKeys { sealing, signing },
            name,
        })
    }
}
