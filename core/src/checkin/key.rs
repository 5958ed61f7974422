//! The escalation key and the check-in code verifiers.
//!
//! The escalation key comes from the device secret alone (bytes the shell keeps in the
//! Android Keystore / iOS Keychain; the desktop CLI keeps them in a file), so the
//! background runner can read the escalation state while the vault is locked. It protects
//! only what escalation needs; everything else stays under the vault key.
//!
//! Check-in codes are never stored: only a salted HMAC-SHA256 under a subkey of the
//! escalation key, verified in constant time. Guessing a code from a stolen file needs the
//! device secret, which never leaves the phone's keystore.

use ring::{hkdf, hmac, rand::SecureRandom};
use serde::{Deserialize, Serialize};

use super::CheckinError;
use crate::vault::SecretKey;
use crate::{Error, Result};

/// Shortest device secret accepted (128 bits).
pub const MIN_DEVICE_SECRET_LEN: usize = 16;
/// Shortest check-in code accepted.
pub const MIN_CODE_LEN: usize = 4;
const MAX_CODE_LEN: usize = 64;

const ESCALATION_SALT: &[u8] = b"vigil.escalation-key.v1";
const ESCALATION_INFO: &[u8] = b"vigil.escalation.v1";
const CODES_PURPOSE: &[u8] = b"vigil.checkin-codes.v1";
const CODE_SALT_LEN: usize = 16;

/// The key for everything the locked background runner needs. Zeroized on drop.
pub struct EscalationKey(SecretKey);

impl std::fmt::Debug for EscalationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EscalationKey(..)")
    }
}

impl EscalationKey {
    /// Derives the key from the device secret (HKDF-SHA256 with its own purpose label).
    pub fn from_device_secret(secret: &[u8]) -> Result<Self> {
        if secret.len() < MIN_DEVICE_SECRET_LEN {
            return Err(Error::invalid("device secret", "must be at least 16 bytes"));
        }
        struct Len;
        impl hkdf::KeyType for Len {
            fn len(&self) -> usize {
                32
            }
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, ESCALATION_SALT).extract(secret);
        let mut out = [0u8; 32];
        prk.expand(&[ESCALATION_INFO], Len)
            .and_then(|okm| okm.fill(&mut out))
            .map_err(|_| Error::Random)?;
        let key = SecretKey::from_bytes(out);
        zeroize::Zeroize::zeroize(&mut out);
        Ok(Self(key))
    }

    pub(crate) fn secret(&self) -> &SecretKey {
        &self.0
    }

    fn code_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, self.0.subkey(CODES_PURPOSE).as_bytes())
    }
}

/// A salted MAC of one code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Verifier {
    salt: Vec<u8>,
    mac: Vec<u8>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(..)")
    }
}

/// The verifiers of the normal and the duress code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CodeVerifiers {
    normal: Verifier,
    duress: Verifier,
}

/// Which code was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeMatch {
    Normal,
    Duress,
}

fn normalize_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.chars().count() < MIN_CODE_LEN {
        return Err(Error::invalid(
            "check-in code",
            "must be at least 4 characters",
        ));
    }
    if code.chars().count() > MAX_CODE_LEN {
        return Err(Error::invalid(
            "check-in code",
            "must be at most 64 characters",
        ));
    }
    Ok(code.to_owned())
}

fn mac(key: &hmac::Key, salt: &[u8], code: &str) -> Vec<u8> {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(salt);
    ctx.update(code.as_bytes());
    ctx.sign().as_ref().to_vec()
}

impl CodeVerifiers {
    pub(crate) fn new(
        key: &EscalationKey,
        rng: &dyn SecureRandom,
        normal: &str,
        duress: &str,
    ) -> Result<Self> {
        let normal = normalize_code(normal)?;
        let duress = normalize_code(duress)?;
        if normal == duress {
            return Err(Error::invalid(
                "duress code",
                "must differ from the normal code",
            ));
        }
        let hk = key.code_key();
        let make = |code: &str| -> Result<Verifier> {
            let mut salt = vec![0u8; CODE_SALT_LEN];
            rng.fill(&mut salt).map_err(|_| Error::Random)?;
            let mac = mac(&hk, &salt, code);
            Ok(Verifier { salt, mac })
        };
        Ok(Self {
            normal: make(&normal)?,
            duress: make(&duress)?,
        })
    }

    /// Checks `code` against both verifiers, always both, in constant time each.
    pub(crate) fn verify(&self, key: &EscalationKey, code: &str) -> Result<CodeMatch> {
        let code = code.trim();
        let hk = key.code_key();
        let check = |v: &Verifier| {
            let mut msg = Vec::with_capacity(v.salt.len() + code.len());
            msg.extend_from_slice(&v.salt);
            msg.extend_from_slice(code.as_bytes());
            let ok = hmac::verify(&hk, &msg, &v.mac).is_ok();
            zeroize::Zeroize::zeroize(&mut msg);
            ok
        };
        let normal = check(&self.normal);
        let duress = check(&self.duress);
        match (normal, duress) {
            (true, _) => Ok(CodeMatch::Normal),
            (false, true) => Ok(CodeMatch::Duress),
            (false, false) => Err(CheckinError::WrongCode.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    #[test]
    fn short_or_empty_device_secret_is_refused() {
        assert!(matches!(
            EscalationKey::from_device_secret(b""),
            Err(Error::InvalidInput {
                field: "device secret",
                ..
            })
        ));
        assert!(EscalationKey::from_device_secret(&[1u8; 15]).is_err());
        assert!(EscalationKey::from_device_secret(&[1u8; 16]).is_ok());
    }

    #[test]
    fn key_depends_on_the_secret() {
        let a = EscalationKey::from_device_secret(&[1u8; 32]).unwrap();
        let b = EscalationKey::from_device_secret(&[2u8; 32]).unwrap();
        let a2 = EscalationKey::from_device_secret(&[1u8; 32]).unwrap();
        assert_ne!(a.secret().as_bytes(), b.secret().as_bytes());
        assert_eq!(a.secret().as_bytes(), a2.secret().as_bytes());
        assert_ne!(a.secret().as_bytes(), &[1u8; 32]);
    }

    #[test]
    fn codes_verify_and_need_the_right_key() {
        let rng = SystemRandom::new();
        let key = EscalationKey::from_device_secret(&[3u8; 32]).unwrap();
        let v = CodeVerifiers::new(&key, &rng, "2468", " 1357 ").unwrap();
        assert_eq!(v.verify(&key, "2468").unwrap(), CodeMatch::Normal);
        assert_eq!(v.verify(&key, "1357").unwrap(), CodeMatch::Duress);
        assert!(matches!(
            v.verify(&key, "0000"),
            Err(Error::Checkin(CheckinError::WrongCode))
        ));
        let other = EscalationKey::from_device_secret(&[4u8; 32]).unwrap();
        assert!(v.verify(&other, "2468").is_err());
        // Nothing of the code itself is stored.
        let json = serde_json::to_string(&v).unwrap();
        assert!(!json.contains("2468") && !json.contains("1357"));
    }

    #[test]
    fn weak_or_equal_codes_are_refused() {
        let rng = SystemRandom::new();
        let key = EscalationKey::from_device_secret(&[3u8; 32]).unwrap();
        assert!(CodeVerifiers::new(&key, &rng, "12", "9876").is_err());
        assert!(CodeVerifiers::new(&key, &rng, "1234", "1234").is_err());
    }
}
