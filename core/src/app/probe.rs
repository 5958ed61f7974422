//! What can be learnt about a vault without its passphrase: whether one is there, and
//! whether unlocking it needs the device secret.

use super::VaultHome;
use crate::vault::Vault;
use crate::Result;

/// A vault's location, looked at without unlocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// A vault file is there (another kind of file is an error, `NotAVault`).
    pub exists: bool,
    /// Unlocking needs the device secret (the shells' vaults always do).
    pub needs_device_secret: bool,
}

impl VaultHome {
    /// Looks at the vault without a passphrase: reads its header only (a damaged header
    /// or a newer version is an error, as at unlock). No key derivation.
    pub fn probe(&self) -> Result<Probe> {
        if !self.exists()? {
            return Ok(Probe {
                exists: false,
                needs_device_secret: false,
            });
        }
        let needs_device_secret = Vault::open(self.path())?.device_bound()?;
        Ok(Probe {
            exists: true,
            needs_device_secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MIN_KDF_ITERATIONS;

    #[test]
    fn tells_a_device_bound_vault_from_a_plain_one_without_a_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let bound = VaultHome::new(dir.path().join("bound.db"));
        let plain = VaultHome::new(dir.path().join("plain.db"));
        let nothing = Probe {
            exists: false,
            needs_device_secret: false,
        };
        assert_eq!(bound.probe().unwrap(), nothing);
        drop(
            bound
                .create("p", Some(&[7; 32]), MIN_KDF_ITERATIONS)
                .unwrap(),
        );
        drop(plain.create("p", None, MIN_KDF_ITERATIONS).unwrap());
        assert_eq!(
            bound.probe().unwrap(),
            Probe {
                exists: true,
                needs_device_secret: true
            }
        );
        assert_eq!(
            plain.probe().unwrap(),
            Probe {
                exists: true,
                needs_device_secret: false
            }
        );
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "not a vault").unwrap();
        assert!(matches!(
            VaultHome::new(&other).probe(),
            Err(crate::Error::NotAVault)
        ));
    }
}
