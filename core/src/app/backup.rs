//! Export to a file (atomic) and restore (into a vault just made: undone on failure).

use std::fs;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};

use super::App;
use crate::clock::Timestamp;
use crate::export::age::{Identity, Recipient};
use crate::export::{ExportReport, ImportReport};
use crate::vault::create_private_file;
use crate::{Error, Result};

/// Where an export is written before it gets its name: `<out>.partial`.
pub fn export_file_tmp_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

impl App {
    /// Exports the whole vault to `out`, atomically: written to a temporary file beside it,
    /// synced, then renamed over `out` (and the folder synced), so `out` is either the
    /// old file or the complete new export, never half of one. The temporary file is
    /// removed on failure.
    pub fn export_to_file(
        &self,
        out: &Path,
        recipients: &[Recipient],
        now: Timestamp,
    ) -> Result<ExportReport> {
        let tmp = export_file_tmp_path(out);
        let file = create_private_file(&tmp)?;
        let written = self
            .session
            .backup()
            .export(BufWriter::new(file), recipients, now)
            .and_then(|(w, report)| {
                let file = w.into_inner().map_err(|e| Error::Io(e.into_error()))?;
                file.sync_all()?;
                Ok(report)
            })
            .and_then(|report| {
                fs::rename(&tmp, out)?;
                Ok(report)
            });
        match written {
            Ok(report) => {
                if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                    if let Ok(d) = fs::File::open(dir) {
                        let _ = d.sync_all();
                    }
                }
                Ok(report)
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Restores an export into this (existing) vault: records merge, newer wins. Like a
    /// directory import, it then brings the decoy along (the duress layer): its everyday
    /// services from the restored directory, pinned at `now`, and the settings the vault
    /// holds now, so a decoy opened after a restore does not look older than the vault.
    pub fn restore(
        &self,
        input: impl Read,
        identities: &[Identity],
        now: Timestamp,
    ) -> Result<ImportReport> {
        let report = self.session.backup().import(input, identities)?;
        self.forget_directory();
        super::decoy::refresh_decoy_directory(&self.session, now)?;
        super::decoy::mirror_settings(&self.session)?;
        Ok(report)
    }

    /// Restores into a vault just created for it. If the restore fails the new vault is
    /// wiped, so a failed restore leaves no empty vault behind; the shell then destroys
    /// its device secret too.
    pub fn restore_into_new(
        self,
        input: impl Read,
        identities: &[Identity],
        now: Timestamp,
    ) -> Result<(App, ImportReport)> {
        match self.restore(input, identities, now) {
            Ok(report) => Ok((self, report)),
            Err(e) => {
                let path = self.path().to_path_buf();
                drop(self);
                let _ = crate::vault::Vault::wipe(&path);
                Err(e)
            }
        }
    }
}
