//! Recipients (who a file is encrypted to) and identities (what can decrypt it), and the
//! two stanza types: `scrypt` for a passphrase and `X25519` for a public key.

use std::fmt;
use std::str::FromStr;

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Hrp};
use ring::agreement;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::header::Stanza;
use super::primitives::{hkdf_sha256, unwrap_file_key, wrap_file_key, FILE_KEY_LEN, TAG_LEN};
use super::{b64, AgeError, DEFAULT_MAX_WORK_FACTOR, DEFAULT_WORK_FACTOR};

const SCRYPT_SALT_LABEL: &[u8] = b"age-encryption.org/v1/scrypt";
const X25519_INFO: &[u8] = b"age-encryption.org/v1/X25519";
const RECIPIENT_HRP: Hrp = Hrp::parse_unchecked("age");
const IDENTITY_HRP: Hrp = Hrp::parse_unchecked("age-secret-key-");
/// `AGE-SECRET-KEY-1`, 52 data characters, 6 checksum characters.
const IDENTITY_STRING_LEN: usize = 74;
const SCRYPT_SALT_LEN: usize = 16;
const WRAPPED_LEN: usize = FILE_KEY_LEN + TAG_LEN;

/// Parses an age key string: Bech32 with the BIP 173 checksum (age does not accept
/// Bech32m), one case only, and canonical padding (at most 4 bits, all zero), so that each
/// key has exactly one spelling. Unlike BIP 173 the 90-character limit does not apply; the
/// crate's 1023-character code limit does, far above any age key.
fn decode_key(s: &str) -> Option<CheckedHrpstring<'_>> {
    let checked = CheckedHrpstring::new::<Bech32>(s).ok()?;
    checked.validate_segwit_padding().ok()?;
    Some(checked)
}

/// The 32 key bytes of a decoded string; `None` if it holds any other length.
fn key_bytes(checked: &CheckedHrpstring<'_>) -> Option<Zeroizing<[u8; 32]>> {
    let bytes = checked.byte_iter();
    if bytes.len() != 32 {
        return None;
    }
    let mut key = Zeroizing::new([0u8; 32]);
    for (dst, b) in key.iter_mut().zip(bytes) {
        *dst = b;
    }
    Some(key)
}

/// An X25519 public key, written `age1...`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct X25519Recipient([u8; 32]);

impl FromStr for X25519Recipient {
    type Err = AgeError;
    fn from_str(s: &str) -> Result<Self, AgeError> {
        let checked =
            decode_key(s.trim()).ok_or(AgeError::InvalidRecipient("not a valid Bech32 string"))?;
        // `Hrp` compares case-insensitively; the case was already checked to be uniform.
        if checked.hrp() != RECIPIENT_HRP {
            return Err(AgeError::InvalidRecipient(
                "not an age X25519 recipient (age1...)",
            ));
        }
        let key = key_bytes(&checked).ok_or(AgeError::InvalidRecipient("wrong key length"))?;
        Ok(Self(*key))
    }
}

impl fmt::Display for X25519Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        bech32::encode_lower_to_fmt::<Bech32, _>(f, RECIPIENT_HRP, &self.0).map_err(|_| fmt::Error)
    }
}

impl fmt::Debug for X25519Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X25519Recipient({self})")
    }
}

/// An X25519 private key, written `AGE-SECRET-KEY-1...`. Zeroized on drop.
#[derive(Clone)]
pub struct X25519Identity(x25519_dalek::StaticSecret);

impl X25519Identity {
    pub fn generate() -> Result<Self, AgeError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(&mut bytes[..])
            .map_err(|_| AgeError::Crypto)?;
        Ok(Self(x25519_dalek::StaticSecret::from(*bytes)))
    }

    pub fn to_public(&self) -> X25519Recipient {
        X25519Recipient(x25519_dalek::PublicKey::from(&self.0).to_bytes())
    }

    /// The `AGE-SECRET-KEY-1...` encoding, for the user to keep.
    pub fn to_secret_string(&self) -> Zeroizing<String> {
        // Sized up front so the secret is never reallocated (and left behind unzeroized).
        let mut out = Zeroizing::new(String::with_capacity(IDENTITY_STRING_LEN));
        bech32::encode_upper_to_fmt::<Bech32, String>(&mut out, IDENTITY_HRP, self.0.as_bytes())
            .expect("a 32-byte key is far below Bech32's length limit and String never fails");
        out
    }
}

impl FromStr for X25519Identity {
    type Err = AgeError;
    fn from_str(s: &str) -> Result<Self, AgeError> {
        let s = s.trim();
        if s.bytes().any(|c| c.is_ascii_lowercase()) {
            return Err(AgeError::InvalidIdentity(
                "identities are written in upper case",
            ));
        }
        let checked =
            decode_key(s).ok_or(AgeError::InvalidIdentity("not a valid Bech32 string"))?;
        if checked.hrp() != IDENTITY_HRP {
            return Err(AgeError::InvalidIdentity(
                "not an age X25519 identity (AGE-SECRET-KEY-1...)",
            ));
        }
        let key = key_bytes(&checked).ok_or(AgeError::InvalidIdentity("wrong key length"))?;
        Ok(Self(x25519_dalek::StaticSecret::from(*key)))
    }
}

impl fmt::Debug for X25519Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X25519Identity({})", self.to_public())
    }
}

/// Who a file is encrypted to. A passphrase must be the only recipient of a file.
#[derive(Clone)]
pub enum Recipient {
    Passphrase {
        passphrase: Zeroizing<String>,
        /// log2 of scrypt's N.
        work_factor: u8,
    },
    X25519(X25519Recipient),
}

impl Recipient {
    /// A passphrase recipient with age's default work factor.
    pub fn passphrase(passphrase: &str) -> Self {
        Self::passphrase_with_work_factor(passphrase, DEFAULT_WORK_FACTOR)
    }

    pub fn passphrase_with_work_factor(passphrase: &str, work_factor: u8) -> Self {
        Recipient::Passphrase {
            passphrase: Zeroizing::new(passphrase.to_owned()),
            work_factor,
        }
    }

    pub(super) fn wrap(
        &self,
        file_key: &[u8; FILE_KEY_LEN],
        rng: &SystemRandom,
    ) -> Result<Stanza, AgeError> {
        match self {
            Recipient::Passphrase {
                passphrase,
                work_factor,
            } => {
                if passphrase.is_empty() {
                    return Err(AgeError::InvalidRecipient("the passphrase is empty"));
                }
                if *work_factor == 0 || *work_factor > DEFAULT_MAX_WORK_FACTOR {
                    return Err(AgeError::InvalidRecipient(
                        "scrypt work factor must be between 1 and 20",
                    ));
                }
                let mut salt = [0u8; SCRYPT_SALT_LEN];
                rng.fill(&mut salt).map_err(|_| AgeError::Crypto)?;
                let key = scrypt_key(passphrase, &salt, *work_factor)?;
                Ok(Stanza {
                    args: vec!["scrypt".into(), b64::encode(&salt), work_factor.to_string()],
                    body: wrap_file_key(&key, file_key)?,
                })
            }
            Recipient::X25519(recipient) => {
                let ephemeral = agreement::EphemeralPrivateKey::generate(&agreement::X25519, rng)
                    .map_err(|_| AgeError::Crypto)?;
                let share = ephemeral
                    .compute_public_key()
                    .map_err(|_| AgeError::Crypto)?;
                let share = share.as_ref().to_vec();
                let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, recipient.0);
                let shared =
                    agreement::agree_ephemeral(ephemeral, &peer, |s| Zeroizing::new(s.to_vec()))
                        .map_err(|_| {
                            AgeError::InvalidRecipient("the public key is a low-order point")
                        })?;
                let key = x25519_wrap_key(&shared, &share, &recipient.0)?;
                Ok(Stanza {
                    args: vec!["X25519".into(), b64::encode(&share)],
                    body: wrap_file_key(&key, file_key)?,
                })
            }
        }
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Passphrase { work_factor, .. } => {
                write!(f, "Passphrase(work factor {work_factor})")
            }
            Recipient::X25519(r) => write!(f, "{r:?}"),
        }
    }
}

/// What can decrypt a file.
#[derive(Clone, Debug)]
pub enum Identity {
    Passphrase(PassphraseIdentity),
    X25519(X25519Identity),
}

/// A passphrase held for decryption; zeroized on drop, never printed.
#[derive(Clone)]
pub struct PassphraseIdentity(Zeroizing<String>);

impl fmt::Debug for PassphraseIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassphraseIdentity(..)")
    }
}

impl Identity {
    pub fn passphrase(passphrase: &str) -> Self {
        Identity::Passphrase(PassphraseIdentity(Zeroizing::new(passphrase.to_owned())))
    }

    /// Tries every stanza of the header. `Ok(None)`: none is for this identity. `Err`: a
    /// stanza of this identity's type is malformed, which fails the whole file (as in age).
    pub(super) fn unwrap(
        &self,
        stanzas: &[Stanza],
        max_work_factor: u8,
    ) -> Result<Option<[u8; FILE_KEY_LEN]>, AgeError> {
        for stanza in stanzas {
            let found = match self {
                Identity::Passphrase(p) if stanza.kind() == "scrypt" => {
                    unwrap_scrypt(&p.0, stanza, max_work_factor)?
                }
                Identity::X25519(id) if stanza.kind() == "X25519" => unwrap_x25519(id, stanza)?,
                _ => None,
            };
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}

/// Stanza types this implementation knows how to open.
pub(super) fn is_supported_type(kind: &str) -> bool {
    kind == "scrypt" || kind == "X25519"
}

fn scrypt_key(passphrase: &str, salt: &[u8], log_n: u8) -> Result<Zeroizing<[u8; 32]>, AgeError> {
    let mut full_salt = Vec::with_capacity(SCRYPT_SALT_LABEL.len() + salt.len());
    full_salt.extend_from_slice(SCRYPT_SALT_LABEL);
    full_salt.extend_from_slice(salt);
    let params = scrypt::Params::new(log_n, 8, 1)
        .map_err(|_| AgeError::MalformedHeader("invalid scrypt parameters"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase.as_bytes(), &full_salt, &params, &mut key[..])
        .map_err(|_| AgeError::Crypto)?;
    Ok(key)
}

/// Parses scrypt's work factor: decimal, no sign, no leading zero.
fn parse_work_factor(arg: &str, max: u8) -> Result<u8, AgeError> {
    let bytes = arg.as_bytes();
    if bytes.is_empty() || bytes[0] == b'0' || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(AgeError::MalformedHeader(
            "scrypt work factor is not a positive decimal number",
        ));
    }
    let log_n: u64 = arg
        .parse()
        .map_err(|_| AgeError::MalformedHeader("scrypt work factor is out of range"))?;
    if log_n > u64::from(max) {
        return Err(AgeError::WorkFactorTooHigh { log_n, max });
    }
    u8::try_from(log_n).map_err(|_| AgeError::MalformedHeader("scrypt work factor is out of range"))
}

fn unwrap_scrypt(
    passphrase: &str,
    stanza: &Stanza,
    max_work_factor: u8,
) -> Result<Option<[u8; FILE_KEY_LEN]>, AgeError> {
    let [_, salt, work_factor] = stanza.args.as_slice() else {
        return Err(AgeError::MalformedHeader(
            "scrypt stanza needs a salt and a work factor",
        ));
    };
    let salt = b64::decode(salt.as_bytes())
        .filter(|s| s.len() == SCRYPT_SALT_LEN)
        .ok_or(AgeError::MalformedHeader(
            "scrypt salt is not 16 bytes of canonical base64",
        ))?;
    let log_n = parse_work_factor(work_factor, max_work_factor)?;
    if stanza.body.len() != WRAPPED_LEN {
        return Err(AgeError::MalformedHeader(
            "scrypt stanza body has the wrong length",
        ));
    }
    let key = scrypt_key(passphrase, &salt, log_n)?;
    unwrap_file_key(&key, &stanza.body)
}

fn x25519_wrap_key(
    shared: &[u8],
    share: &[u8],
    recipient: &[u8; 32],
) -> Result<Zeroizing<[u8; 32]>, AgeError> {
    let mut salt = Vec::with_capacity(64);
    salt.extend_from_slice(share);
    salt.extend_from_slice(recipient);
    Ok(Zeroizing::new(hkdf_sha256(&salt, shared, X25519_INFO)?))
}

fn unwrap_x25519(
    identity: &X25519Identity,
    stanza: &Stanza,
) -> Result<Option<[u8; FILE_KEY_LEN]>, AgeError> {
    let [_, share] = stanza.args.as_slice() else {
        return Err(AgeError::MalformedHeader(
            "X25519 stanza needs exactly one argument",
        ));
    };
    let share: [u8; 32] = b64::decode(share.as_bytes())
        .and_then(|s| s.try_into().ok())
        .ok_or(AgeError::MalformedHeader(
            "X25519 share is not 32 bytes of canonical base64",
        ))?;
    if stanza.body.len() != WRAPPED_LEN {
        return Err(AgeError::MalformedHeader(
            "X25519 stanza body has the wrong length",
        ));
    }
    let shared = identity
        .0
        .diffie_hellman(&x25519_dalek::PublicKey::from(share));
    if !shared.was_contributory() {
        return Err(AgeError::MalformedHeader(
            "X25519 share is a low-order point",
        ));
    }
    let key = x25519_wrap_key(shared.as_bytes(), &share, &identity.to_public().0)?;
    unwrap_file_key(&key, &stanza.body)
}
