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
