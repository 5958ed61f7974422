//! Importing a signed bundle of any kind in one call.

use super::App;
use crate::clock::Timestamp;
use crate::directory::StoredDirectory;
use crate::feeds::{Accepted, BundleKind};
use crate::screening::AlertImport;
use crate::Result;

/// What an import stored, by the bundle's kind.
#[derive(Debug)]
pub enum Imported {
    Directory(Accepted<StoredDirectory>),
    Alerts(Accepted<AlertImport>),
}

impl App {
    /// Verifies the bundle (its kind is only trusted once the signature is), then hands it
    /// to the importer of its kind, which verifies it again inside the transaction that
    /// stores it. Alerts are read in the stored region. A directory import refreshes the
    /// cached directory and the decoy's everyday services.
    pub fn import_bundle(&self, bytes: &[u8], now: Timestamp) -> Result<Imported> {
        let verified = self.session.feeds().verify(bytes, now)?;
        match verified.bundle.kind {
            BundleKind::Directory => {
                let accepted = self.session.directory().accept_bundle(bytes, now)?;
                self.forget_directory();
                // The decoy keeps its everyday services in step (the duress layer).
                super::decoy::refresh_decoy_directory(&self.session, now)?;
                Ok(Imported::Directory(accepted))
            }
            BundleKind::Alerts => {
                let region = self.region()?;
                Ok(Imported::Alerts(
                    self.session.screening(region).import_alerts(bytes, now)?,
                ))
            }
        }
    }
}
