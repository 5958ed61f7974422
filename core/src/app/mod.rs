//! The application layer: the one place a shell (the CLI, the Android and iOS apps through
//! the bindings) calls.
//!
//! It composes the capabilities; they do not know it. Every rule a shell would otherwise
//! copy lives here: the settings and their defaults, which importer a bundle goes to,
//! atomic export and restore with undo, duress set and clear, the directory cache and its
//! search rules, buddy choice by name, a note's default label, and check-ins for unlocked
//! and locked callers alike. Shells convert types, read secrets and draw; nothing more.
//!
//! Two objects, as a shell sees them: [`VaultHome`] (a vault's location: what can be done
//! while it is locked) and [`App`] (an unlocked vault).
//!
//! One file per concern: `settings`, `bundles`, `backup`, `duress` (the duress layer, which
//! runs right after every unlock) and `decoy` (what a decoy vault holds, and its upkeep),
//! `directory`, `people` (buddies, notes, screening), `bookings` (checked phone numbers,
//! a covered booking's timing, a client's past bookings), `checkins`, `reports`
//! (dangerous-client reports: from a booking, to a publisher's report key, into her notes).

mod backup;
mod bookings;
mod bundles;
mod checkins;
pub mod decoy;
mod directory;
pub mod duress;
mod editing;
mod lockable;
mod passphrase;
mod people;
mod places;
mod probe;
mod reports;
mod settings;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use crate::checkin::{BackgroundRunner, EscalationKey};
use crate::clock::Timestamp;
use crate::directory::LoadedDirectory;
use crate::vault::{PendingWipe, Session, Vault, VaultOptions};
use crate::Result;

pub use crate::settings::{
    Settings, MAX_IDLE_LOCK_MINUTES, MAX_UTC_OFFSET_MINUTES, MIN_UTC_OFFSET_MINUTES,
};
pub use backup::export_file_tmp_path;
pub use bookings::{booking_timing, BookingTiming, SeenInBookings, COVERED_BOOKING_SLACK_MINUTES};
pub use bundles::{ImportStep, Imported};
pub use checkins::{covered_booking, Escalation};
pub use directory::{FoundService, NearbyServices, SearchBy, MAX_RADIUS_KM};
pub use editing::NoteForm;
pub use lockable::LockableApp;
pub use passphrase::{
    check_new_passphrase, passphrase_strength, PassphraseStrength, MIN_PASSPHRASE_SCORE,
};
pub use people::{BuddyRef, NoteDefaults};
pub use places::{Beyond, Place, PlaceSource};
pub use probe::Probe;
pub use reports::{ReportRecipient, SentReport};

/// A vault's location, and what can be done with it while it is locked.
#[derive(Debug, Clone)]
pub struct VaultHome {
    path: PathBuf,
}

impl VaultHome {
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a vault is there (see [`Vault::probe`]: another file is an error).
    pub fn exists(&self) -> Result<bool> {
        Vault::probe(&self.path)
    }

    /// Creates the vault. A device secret (the shells always have one) must also make a
    /// valid escalation key: checked first, so a vault is never made that could not run
    /// check-ins.
    pub fn create(
        &self,
        passphrase: &str,
        device_secret: Option<&[u8]>,
        kdf_iterations: u32,
    ) -> Result<App> {
        if let Some(secret) = device_secret {
            EscalationKey::from_device_secret(secret)?;
        }
        let mut options = VaultOptions {
            kdf_iterations,
            device_secret: device_secret.map(<[u8]>::to_vec),
        };
        let created = Vault::create(&self.path, passphrase, &options);
        if let Some(s) = options.device_secret.as_mut() {
            zeroize::Zeroize::zeroize(s);
        }
        App::new(created?, device_secret)
    }

    /// Unlocks the vault at `now`. The duress passphrase opens the decoy through this same
    /// call, and the duress layer then does what the duress slot says (see [`duress`]).
    pub fn unlock(
        &self,
        passphrase: &str,
        device_secret: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<App> {
        let session = Vault::open(&self.path)?.unlock_at(passphrase, device_secret, now)?;
        duress::after_unlock(&session, device_secret, now);
        let app = App::new(session, device_secret)?;
        app.sync_watch_language();
        Ok(app)
    }

    /// The check-in background runner: escalation while the vault is locked.
    pub fn runner(&self, device_secret: &[u8]) -> Result<BackgroundRunner> {
        let vault = Vault::open(&self.path)?;
        BackgroundRunner::open(&vault, EscalationKey::from_device_secret(device_secret)?)
    }

    /// Panic wipe, now (the shell destroys its device secret too).
    pub fn wipe(&self) -> Result<()> {
        Vault::wipe(&self.path)
    }

    /// A panic wipe after a cancel window: `cancel` it, or `poll` it from a timer; it wipes
    /// once `now` reaches the end of the window.
    pub fn wipe_after(&self, now: Timestamp, window: chrono::Duration) -> PendingWipe {
        Vault::wipe_after(&self.path, now, window)
    }
}

/// An unlocked vault, as every shell uses it.
pub struct App {
    session: Session,
    device_secret: Option<Zeroizing<Vec<u8>>>,
    escalation: Option<EscalationKey>,
    /// The directory, loaded once per session (opening every chunk is the slow part).
    directory: Mutex<Option<Arc<LoadedDirectory>>>,
    /// The call-labelling list, rebuilt only when a note or alert row changed.
    call_labels: Mutex<crate::screening::CallLabelCache>,
    device_utc_offset_minutes: i32,
    /// A region for this session only (the command line's `--region`), over the stored one.
    region_override: Option<crate::screening::Region>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    fn new(session: Session, device_secret: Option<&[u8]>) -> Result<Self> {
        let escalation = device_secret
            .map(EscalationKey::from_device_secret)
            .transpose()?;
        Ok(Self {
            session,
            device_secret: device_secret.map(|s| Zeroizing::new(s.to_vec())),
            escalation,
            directory: Mutex::new(None),
            call_labels: Mutex::new(Default::default()),
            device_utc_offset_minutes: 0,
            region_override: None,
        })
    }

    /// The capability-level session, for what the application layer adds no rule to
    /// (bookings, feeds, passphrase change, unlock limit).
    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    pub fn path(&self) -> &Path {
        self.session.path()
    }

    /// Sets the unlock attempt limit (`None` removes it); needs the device secret.
    pub fn set_unlock_limit(&self, attempts: Option<u32>) -> Result<()> {
        let secret = self
            .device_secret
            .as_ref()
            .ok_or(crate::Error::DeviceSecretRequired)?;
        self.session.set_unlock_limit(attempts, secret)
    }

    /// Locks: every key is zeroized.
    pub fn lock(self) {
        drop(self);
    }

    /// Panic wipe from an unlocked vault.
    pub fn wipe(self) -> Result<()> {
        self.session.wipe()
    }

    /// Reads numbers in `region` for the rest of this session only, whatever is stored
    /// (`None`: the stored region again).
    pub fn use_region_for_session(&mut self, region: Option<crate::screening::Region>) {
        self.region_override = region;
    }

    /// The region numbers are read in: this session's, else the stored one.
    pub fn region(&self) -> Result<crate::screening::Region> {
        match self.region_override {
            Some(region) => Ok(region),
            None => self.settings()?.region(),
        }
    }

    fn escalation(&self) -> Result<&EscalationKey> {
        self.escalation
            .as_ref()
            .ok_or(crate::Error::DeviceSecretRequired)
    }
}
