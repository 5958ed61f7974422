//! age v1 encryption (<https://age-encryption.org/v1>, the C2SP specification), written
//! for Vigil so that an export stays readable with the standard `age` and `rage` tools
//! even if Vigil itself disappears.
//!
//! Supported: passphrase (`scrypt`) and `X25519` recipients for writing; passphrase and
//! X25519 identities for reading; reading ASCII-armored files (strict PEM, detected
//! automatically). Not supported: writing armor, post-quantum hybrid and plugin recipients
//! (reported as [`AgeError::UnsupportedRecipient`] when nothing else in the header matches).
//!
//! Both directions stream in 64 KiB chunks, so memory stays flat whatever the size. The
//! reader authenticates each chunk before releasing any byte of it and never releases
//! anything after a failure.

mod armor;
mod b64;
mod header;
mod keys;
mod stream;

pub use keys::{Identity, Recipient, X25519Identity, X25519Recipient};
pub use stream::{AgeReader, AgeWriter, ArmorMode, ReadOptions};

/// The scrypt work factor (log2 N) used when encrypting with a passphrase, as age does.
pub const DEFAULT_WORK_FACTOR: u8 = 18;
/// The highest scrypt work factor the reader accepts by default, and the highest the writer
/// uses. The work factor comes from the file, before any authentication: at 22 (age's own
/// cap) scrypt needs 4 GiB and ~45 s, so a hostile file could exhaust a phone. 20 (1 GiB)
/// still opens what age writes (18) and what rage chooses for about a second of work on
/// ordinary hardware (18-20); a file above it is refused before scrypt runs.
pub const DEFAULT_MAX_WORK_FACTOR: u8 = 20;

/// What can go wrong reading or writing an age file. Messages carry no secret or personal
/// data; stanza type names come from the file and are printable ASCII.
///
/// Deliberately not `#[non_exhaustive]`: vigil-core maps every variant to an error kind
/// without a catch-all arm, so a new variant must be given a kind there before it builds.
#[derive(Debug, thiserror::Error)]
pub enum AgeError {
    #[error("the file uses an age format version this build does not support")]
    UnsupportedVersion,
    #[error("invalid ASCII armor: {0}")]
    Armor(&'static str),
    #[error("malformed age header: {0}")]
    MalformedHeader(&'static str),
    #[error("the passphrase work factor 2^{log_n} is above the allowed maximum 2^{max}")]
    WorkFactorTooHigh { log_n: u64, max: u8 },
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("none of the given identities can decrypt this file")]
    NoMatchingIdentity,
    #[error("the file is encrypted to an unsupported recipient type ({0})")]
    UnsupportedRecipient(String),
    #[error("the age header failed authentication: it was tampered with")]
    HeaderMac,
    #[error("payload chunk {index} failed authentication: the file was altered or cut short")]
    TamperedChunk { index: u64 },
    #[error("the file is truncated: it ends before its final chunk")]
    Truncated,
    #[error("the file has data after its final chunk")]
    TrailingData,
    #[error("malformed age payload: {0}")]
    MalformedPayload(&'static str),
    #[error("invalid recipient: {0}")]
    InvalidRecipient(&'static str),
    #[error("invalid identity: {0}")]
    InvalidIdentity(&'static str),
    #[error("the cryptographic backend failed")]
    Crypto,
    #[error("i/o error: {0}")]
    Io(#[source] std::io::Error),
}

impl AgeError {
    /// A fresh copy for a reader that keeps reporting its first failure.
    fn replay(&self) -> AgeError {
        match self {
            AgeError::TamperedChunk { index } => AgeError::TamperedChunk { index: *index },
            AgeError::Truncated => AgeError::Truncated,
            AgeError::TrailingData => AgeError::TrailingData,
            AgeError::MalformedPayload(r) => AgeError::MalformedPayload(r),
            AgeError::Armor(r) => AgeError::Armor(r),
            AgeError::Io(e) => {
                AgeError::Io(std::io::Error::new(e.kind(), "an earlier read failed"))
            }
            _ => AgeError::Crypto,
        }
    }

    /// Recovers an age error carried through `std::io::Read`/`Write`.
    pub fn from_io(e: std::io::Error) -> AgeError {
        if e.get_ref().is_some_and(|inner| inner.is::<AgeError>()) {
            if let Some(inner) = e.into_inner() {
                if let Ok(age) = inner.downcast::<AgeError>() {
                    return *age;
                }
            }
            return AgeError::Crypto;
        }
        AgeError::Io(e)
    }

    fn into_io(self) -> std::io::Error {
        match self {
            AgeError::Io(e) => e,
            other => std::io::Error::other(other),
        }
    }
}

impl From<std::io::Error> for AgeError {
    /// Unwraps an age error that travelled through an `io::Error` (from the armor decoder).
    fn from(e: std::io::Error) -> Self {
        AgeError::from_io(e)
    }
}

/// Small wrappers over ring for the three primitives age uses.
mod primitives {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
    use ring::hkdf;

    use super::AgeError;

    pub(super) const FILE_KEY_LEN: usize = 16;
    pub(super) const TAG_LEN: usize = 16;

    pub(super) fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> Result<[u8; 32], AgeError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
        let info = [info];
        let okm = prk
            .expand(&info, hkdf::HKDF_SHA256)
            .map_err(|_| AgeError::Crypto)?;
        let mut out = [0u8; 32];
        okm.fill(&mut out).map_err(|_| AgeError::Crypto)?;
        Ok(out)
    }

    pub(super) fn aead_key(key: &[u8; 32]) -> Result<LessSafeKey, AgeError> {
        UnboundKey::new(&CHACHA20_POLY1305, key)
            .map(LessSafeKey::new)
            .map_err(|_| AgeError::Crypto)
    }

    /// Wraps the file key under a one-time key (age uses an all-zero nonce here).
    pub(super) fn wrap_file_key(
        key: &[u8; 32],
        file_key: &[u8; FILE_KEY_LEN],
    ) -> Result<Vec<u8>, AgeError> {
        let mut out = file_key.to_vec();
        aead_key(key)?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key([0; 12]),
                Aad::empty(),
                &mut out,
            )
            .map_err(|_| AgeError::Crypto)?;
        Ok(out)
    }

    /// `None` when the body does not open under `key` (a different recipient or passphrase).
    pub(super) fn unwrap_file_key(
        key: &[u8; 32],
        body: &[u8],
    ) -> Result<Option<[u8; FILE_KEY_LEN]>, AgeError> {
        let mut buf = body.to_vec();
        let opened = aead_key(key)?
            .open_in_place(
                Nonce::assume_unique_for_key([0; 12]),
                Aad::empty(),
                &mut buf,
            )
            .ok()
            .and_then(|plain| <[u8; FILE_KEY_LEN]>::try_from(&plain[..]).ok());
        zeroize::Zeroize::zeroize(&mut buf);
        Ok(opened)
    }
}

#[cfg(test)]
mod tests;
