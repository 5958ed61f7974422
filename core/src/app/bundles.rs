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

/// The steps of an import, in order, for a shell's progress display: the worker sees
/// which of the long steps is running (a large directory takes seconds on a phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStep {
    /// Checking the publisher's signature and the bundle's version.
    Verifying,
    /// Storing what the bundle holds (its services or alerts).
    Storing(BundleKind),
    /// Giving the decoy vault its everyday services (directory only).
    UpdatingDecoy,
}

impl ImportStep {
    /// How many steps an import of `kind` has.
    pub fn count(kind: Option<BundleKind>) -> u64 {
        match kind {
            Some(BundleKind::Alerts) => 2,
            _ => 3,
        }
    }
}

impl App {
    /// Verifies the bundle (its kind is only trusted once the signature is), then hands it
    /// to the importer of its kind, which verifies it again inside the transaction that
    /// stores it. Alerts are read in the stored region. A directory import refreshes the
    /// cached directory and the decoy's everyday services.
    pub fn import_bundle(&self, bytes: &[u8], now: Timestamp) -> Result<Imported> {
        self.import_bundle_with_progress(bytes, now, |_| {})
    }

    /// [`Self::import_bundle`], calling `step` as each [`ImportStep`] begins.
    pub fn import_bundle_with_progress(
        &self,
        bytes: &[u8],
        now: Timestamp,
        mut step: impl FnMut(ImportStep),
    ) -> Result<Imported> {
        step(ImportStep::Verifying);
        let verified = self.session.feeds().verify(bytes, now)?;
        let kind = verified.bundle.kind;
        step(ImportStep::Storing(kind));
        match kind {
            BundleKind::Directory => {
                let accepted = self.session.directory().accept_bundle(bytes, now)?;
                self.forget_directory();
                step(ImportStep::UpdatingDecoy);
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
