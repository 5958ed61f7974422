//! Vigil's core as the Android and iOS shells see it (uniffi proc-macros).
//!
//! Three objects: [`Vault`] (a file on disk: create, unlock, wipe), [`Session`] (an
//! unlocked vault: bookings, notes and screening, buddies and check-ins, bundles and the
//! service directory), and [`BackgroundRunner`] (escalation while the vault is locked,
//! with only the device secret). Every call is safe from any thread; every error is a
//! [`VigilError`]; times are `SystemTime` (Kotlin `Instant`, Swift `Date`, Python
//! `datetime`). This crate converts; the rules live in `vigil-core`.

mod error;
mod types;
mod variants;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use vigil_core::bookings::TimeRange;
use vigil_core::checkin::{self as c, EscalationKey};
use vigil_core::clock::SystemClock;
use vigil_core::directory::{Category, LoadedDirectory, NearbyQuery, OpenFilter};
use vigil_core::feeds::PublicKey;
use vigil_core::screening::{NoteDraft, Region};
use vigil_core::vault::{self as v, DuressOptions, LockableSession};
use zeroize::Zeroizing;

use error::Result;
pub use error::VigilError;
pub use types::*;
pub use variants::{echo_enum_variants, enum_variants, EnumVariants};

uniffi::setup_scaffolding!();

/// A vault file, locked.
#[derive(uniffi::Object)]
pub struct Vault {
    path: PathBuf,
}

#[uniffi::export]
impl Vault {
    #[uniffi::constructor]
    pub fn new(path: String) -> Arc<Self> {
        Arc::new(Self { path: path.into() })
    }

    /// Whether a vault exists at this path.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    /// Creates the vault, tied to `device_secret` (from Android Keystore / iOS Keychain).
    /// `kdf_iterations`: `None` for the default (600,000).
    pub fn create(
        &self,
        passphrase: String,
        device_secret: Vec<u8>,
        kdf_iterations: Option<u32>,
        idle_lock_minutes: Option<u32>,
    ) -> Result<Arc<Session>> {
        // Checked before anything is written: a secret too short for the escalation key
        // must not leave a vault behind that the shell then cannot use.
        EscalationKey::from_device_secret(&device_secret)?;
        let options = v::VaultOptions {
            kdf_iterations: kdf_iterations.unwrap_or(v::DEFAULT_KDF_ITERATIONS),
            device_secret: Some(device_secret.clone()),
        };
        let session = v::Vault::create(&self.path, &passphrase, &options)?;
        Session::wrap(session, device_secret, idle_lock_minutes)
    }

    /// Unlocks with the passphrase, or the duress passphrase (which opens the decoy the
    /// same way).
    pub fn unlock(
        &self,
        passphrase: String,
        device_secret: Vec<u8>,
        idle_lock_minutes: Option<u32>,
        now: SystemTime,
    ) -> Result<Arc<Session>> {
        let session = v::Vault::open(&self.path)?.unlock_at(
            &passphrase,
            Some(&device_secret),
            types::to_time(now)?,
        )?;
        Session::wrap(session, device_secret, idle_lock_minutes)
    }

    /// Panic wipe: keys first (the slot file is overwritten in place, then unlinked), then
    /// every file. Needs no passphrase; idempotent; refuses a file that is not a vault.
    /// On flash storage overwriting cannot reach old blocks: the shell must then delete
    /// the device secret from the Keystore/Keychain, which is what makes the wipe final.
    pub fn wipe(&self) -> Result<()> {
        Ok(v::Vault::wipe(&self.path)?)
    }

    /// The escalation runner for when the vault is locked (alarm or boot receiver).
    pub fn background_runner(&self, device_secret: Vec<u8>) -> Result<Arc<BackgroundRunner>> {
        let vault = v::Vault::open(&self.path)?;
        let key = EscalationKey::from_device_secret(&device_secret)?;
        Ok(Arc::new(BackgroundRunner {
            inner: Mutex::new(c::BackgroundRunner::open(&vault, key)?),
        }))
    }
}

/// An unlocked vault. `lock()` (or the idle timeout) zeroizes its keys; every call after
/// that fails with `VigilError::Locked`.
#[derive(uniffi::Object)]
pub struct Session {
    inner: LockableSession,
    escalation: EscalationKey,
    device_secret: Zeroizing<Vec<u8>>,
    region: Mutex<Region>,
    /// Built once per load; dropped when a bundle is imported.
    directory: Mutex<Option<LoadedDirectory>>,
}

impl Session {
    fn wrap(
        session: v::Session,
        device_secret: Vec<u8>,
        idle_lock_minutes: Option<u32>,
    ) -> Result<Arc<Self>> {
        let escalation = EscalationKey::from_device_secret(&device_secret)?;
        let idle = idle_lock_minutes
            .map(|m| vigil_core::clock::minutes(i64::from(m), "idle lock"))
            .transpose()?;
        Ok(Arc::new(Self {
            inner: LockableSession::new(session, idle, Arc::new(SystemClock)),
            escalation,
            device_secret: Zeroizing::new(device_secret),
            region: Mutex::new(Region::GB),
            directory: Mutex::new(None),
        }))
    }

    fn region(&self) -> Region {
        *self.region.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with<R>(&self, f: impl FnOnce(&v::Session) -> vigil_core::Result<R>) -> Result<R> {
        Ok(self.inner.with(f)?)
    }

    fn note_draft(&self, s: &v::Session, input: NoteInput) -> vigil_core::Result<NoteDraft> {
        let screening = s.screening(self.region());
        let identifiers = input
            .identifiers
            .iter()
            .map(|raw| screening.detect(raw))
            .collect::<vigil_core::Result<Vec<_>>>()?;
        let mut draft = NoteDraft::new(&input.label, input.risk, identifiers);
        draft.text = input.text;
        Ok(draft)
    }
}

#[uniffi::export]
impl Session {
    // ---- the session ----------------------------------------------------------------

    pub fn lock(&self) {
        self.inner.lock();
        *self.directory.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// The region national phone numbers are read in ("GB", "RO", ...).
    pub fn set_region(&self, region: String) -> Result<()> {
        let region: Region = region.parse()?;
        *self.region.lock().unwrap_or_else(|e| e.into_inner()) = region;
        Ok(())
    }

    pub fn change_passphrase(&self, current: String, new: String) -> Result<()> {
        let secret = self.device_secret.clone();
        Ok(self
            .inner
            .with_mut(|s| s.change_passphrase(&current, &new, Some(&secret)))?)
    }

    /// Sets the duress passphrase. With `alert_buddies`, call `prepare_duress_alert` first.
    pub fn set_duress(
        &self,
        current: String,
        duress: String,
        destroy_real: bool,
        alert_buddies: bool,
        now: SystemTime,
    ) -> Result<()> {
        let secret = self.device_secret.clone();
        let options = DuressOptions {
            destroy_real,
            alert_buddies,
        };
        Ok(self.inner.with_mut(|s| {
            s.set_duress(
                &current,
                &duress,
                options,
                Some(&secret),
                types::to_time(now)?,
            )
        })?)
    }

    /// Wipe after `attempts` consecutive wrong passphrases; `None` removes the limit.
    pub fn set_unlock_limit(&self, attempts: Option<u32>) -> Result<()> {
        self.with(|s| s.set_unlock_limit(attempts, &self.device_secret))
    }

    /// Panic wipe from an unlocked session.
    pub fn wipe(&self) -> Result<()> {
        let session = self.inner.take()?;
        *self.directory.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(session.wipe()?)
    }

    // ---- bookings -------------------------------------------------------------------

    pub fn add_booking(&self, input: BookingInput, now: SystemTime) -> Result<Booking> {
        self.with(|s| s.bookings().add(input.try_into()?, types::to_time(now)?))
            .map(Into::into)
    }

    pub fn get_booking(&self, id: String) -> Result<Booking> {
        let id = types::parse_id(&id)?;
        self.with(|s| s.bookings().get(&id)).map(Into::into)
    }

    pub fn update_booking(
        &self,
        id: String,
        input: BookingInput,
        now: SystemTime,
    ) -> Result<Booking> {
        let id = types::parse_id(&id)?;
        self.with(|s| {
            s.bookings()
                .update(&id, input.try_into()?, types::to_time(now)?)
        })
        .map(Into::into)
    }

    pub fn delete_booking(&self, id: String) -> Result<()> {
        let id = types::parse_id(&id)?;
        self.with(|s| s.bookings().delete(&id))
    }

    /// Bookings starting within [from, to], newest first.
    pub fn list_bookings(
        &self,
        from: Option<SystemTime>,
        to: Option<SystemTime>,
    ) -> Result<Vec<Booking>> {
        let range = TimeRange {
            from: from.map(types::to_time).transpose()?,
            to: to.map(types::to_time).transpose()?,
        };
        self.with(|s| s.bookings().list(range))
            .map(|l| l.items.into_iter().map(Into::into).collect())
    }

    // ---- client notes and screening -------------------------------------------------

    pub fn add_note(&self, input: NoteInput, now: SystemTime) -> Result<ClientNote> {
        self.with(|s| {
            let draft = self.note_draft(s, input)?;
            s.screening(self.region())
                .add_note(draft, types::to_time(now)?)
        })
        .map(Into::into)
    }

    pub fn list_notes(&self) -> Result<Vec<ClientNote>> {
        self.with(|s| s.screening(self.region()).notes())
            .map(|l| l.items.into_iter().map(Into::into).collect())
    }

    /// Screens a number, e-mail, handle or plate (or the last 6+ digits of a number).
    pub fn screen(&self, input: String, now: SystemTime) -> Result<ScreenResult> {
        self.with(|s| {
            s.screening(self.region())
                .screen(&input, types::to_time(now)?)
        })
        .map(Into::into)
    }

    /// Every number with its label, ascending: for call labelling while offline.
    pub fn call_labels(&self) -> Result<Vec<CallLabel>> {
        self.with(|s| s.screening(self.region()).call_labels())
            .map(|labels| {
                labels
                    .into_iter()
                    .map(|l| CallLabel {
                        number: l.number,
                        label: l.label,
                        risk: l.risk,
                    })
                    .collect()
            })
    }

    // ---- buddies and check-ins ------------------------------------------------------

    pub fn add_buddy(&self, input: BuddyInput) -> Result<Buddy> {
        let region = self.region().to_string();
        self.with(|s| {
            s.checkins(&self.escalation).add_buddy(
                c::BuddyDraft {
                    name: input.name,
                    phone: input.phone,
                    channel: input.channel,
                    language: input.language,
                    plain_letters: input.plain_letters,
                },
                &region,
            )
        })
        .map(Into::into)
    }

    pub fn list_buddies(&self) -> Result<Vec<Buddy>> {
        self.with(|s| s.checkins(&self.escalation).buddies())
            .map(|l| l.items.into_iter().map(Into::into).collect())
    }

    /// The check-in code and the duress code (different, at least 4 characters).
    pub fn set_checkin_codes(&self, code: String, duress_code: String) -> Result<()> {
        self.with(|s| s.checkins(&self.escalation).set_codes(&code, &duress_code))
    }

    /// The buddies a duress unlock alerts silently.
    pub fn prepare_duress_alert(
        &self,
        buddy_ids: Vec<String>,
        worker_language: String,
    ) -> Result<()> {
        let ids = buddy_ids
            .iter()
            .map(|id| types::parse_id(id))
            .collect::<Result<Vec<_>>>()?;
        self.with(|s| {
            s.checkins(&self.escalation)
                .prepare_duress_alert(&ids, &worker_language, 0)
        })
    }

    pub fn start_checkin(&self, input: CheckinInput, now: SystemTime) -> Result<CheckinStatus> {
        let buddies = input
            .buddy_ids
            .iter()
            .map(|id| types::parse_id(id))
            .collect::<Result<Vec<_>>>()?;
        let mut plan = c::CheckinPlan::new(types::to_time(input.deadline)?, buddies);
        plan.booking = input
            .booking_id
            .as_deref()
            .map(types::parse_id)
            .transpose()?;
        if let Some(m) = input.reminder_minutes {
            plan.timing.reminder_before = c::minutes("reminder", m)?;
        }
        if let Some(m) = input.grace_minutes {
            plan.timing.grace = c::minutes("grace period", m)?;
        }
        if let Some(m) = input.repeat_minutes {
            plan.timing.repeat_every = c::minutes("repeat interval", m)?;
        }
        plan.ladder = input
            .ladder
            .iter()
            .map(LadderStepInput::to_core)
            .collect::<Result<Vec<_>>>()?;
        plan.worker_language = input.worker_language;
        plan.utc_offset_minutes = input.utc_offset_minutes;
        plan.discreet_notice = input.discreet_notice;
        let now = types::to_time(now)?;
        self.with(|s| s.checkins(&self.escalation).arm(plan, now))
            .map(Into::into)
    }

    /// Checks in with the code or the duress code: the answer is the same for both.
    pub fn check_in(&self, code: String, now: SystemTime) -> Result<CheckInReceipt> {
        let now = types::to_time(now)?;
        self.with(|s| s.checkins(&self.escalation).check_in(&code, now))
            .map(Into::into)
    }

    pub fn extend_checkin(
        &self,
        id: String,
        minutes: i64,
        now: SystemTime,
    ) -> Result<CheckinStatus> {
        let id = types::parse_id(&id)?;
        let by = c::minutes("extension", minutes)?;
        let now = types::to_time(now)?;
        self.with(|s| s.checkins(&self.escalation).extend(&id, by, now))
            .map(Into::into)
    }

    pub fn cancel_checkin(&self, id: String, now: SystemTime) -> Result<()> {
        let id = types::parse_id(&id)?;
        let now = types::to_time(now)?;
        self.with(|s| s.checkins(&self.escalation).cancel(&id, now))
    }

    /// A buddy answered: alerts stop repeating.
    pub fn acknowledge(&self, checkin_id: String, buddy_id: String, now: SystemTime) -> Result<()> {
        let (checkin, buddy) = (types::parse_id(&checkin_id)?, types::parse_id(&buddy_id)?);
        let now = types::to_time(now)?;
        self.with(|s| {
            s.checkins(&self.escalation)
                .acknowledge(&checkin, &buddy, now)
        })
    }

    pub fn update_location(
        &self,
        latitude: f64,
        longitude: f64,
        accuracy_m: Option<f64>,
        at: SystemTime,
    ) -> Result<()> {
        let fix = c::LocationFix {
            latitude,
            longitude,
            accuracy_m,
            at: types::to_time(at)?,
        };
        self.with(|s| s.checkins(&self.escalation).update_location(fix))
    }

    /// Everything due at `now`; perform each and report its outcome. An action whose id
    /// was seen before replaces the earlier one (docs/bindings.md).
    pub fn tick(&self, now: SystemTime) -> Result<Vec<Action>> {
        let now = types::to_time(now)?;
        self.with(|s| s.checkins(&self.escalation).tick(now))
            .map(|actions| actions.into_iter().map(Into::into).collect())
    }

    /// When the shell must wake the core next (an exact alarm); `None`: nothing armed.
    pub fn next_wakeup(&self) -> Result<Option<SystemTime>> {
        self.with(|s| s.checkins(&self.escalation).next_wakeup())
            .map(|t| t.map(types::from_time))
    }

    pub fn report_outcome(
        &self,
        action: ActionId,
        outcome: Outcome,
        now: SystemTime,
    ) -> Result<()> {
        let id = action.to_core()?;
        let now = types::to_time(now)?;
        self.with(|s| {
            s.checkins(&self.escalation)
                .report_outcome(&id, outcome, now)
        })
    }

    pub fn list_checkins(&self) -> Result<Vec<CheckinStatus>> {
        self.with(|s| s.checkins(&self.escalation).list())
            .map(|l| l.items.into_iter().map(Into::into).collect())
    }

    // ---- publishers, bundles and the directory ---------------------------------------

    /// Pins a publisher's key (`vigil-pub:...`).
    pub fn trust_publisher(&self, name: String, public_key: String, now: SystemTime) -> Result<()> {
        let key: PublicKey = public_key.parse()?;
        self.with(|s| s.feeds().trust(&name, key, types::to_time(now)?))
            .map(|_| ())
    }

    /// Verifies and imports an alert or directory bundle from a trusted publisher.
    pub fn import_bundle(&self, bundle: Vec<u8>, now: SystemTime) -> Result<ImportSummary> {
        let now = types::to_time(now)?;
        let summary = self.with(|s| {
            let verified = s.feeds().verify(bundle.as_slice(), now)?;
            match verified.bundle.kind {
                BundleKind::Directory => {
                    let accepted = s.directory().accept_bundle(bundle.as_slice(), now)?;
                    Ok(ImportSummary {
                        kind: BundleKind::Directory,
                        publisher: accepted.status.publisher,
                        version: accepted.status.version,
                        stale: accepted.status.stale,
                        records: accepted.imported.services as u64,
                        skipped: 0,
                    })
                }
                BundleKind::Alerts => {
                    let accepted = s
                        .screening(self.region())
                        .import_alerts(bundle.as_slice(), now)?;
                    Ok(ImportSummary {
                        kind: BundleKind::Alerts,
                        publisher: accepted.status.publisher,
                        version: accepted.status.version,
                        stale: accepted.status.stale,
                        records: accepted.imported.imported as u64,
                        skipped: accepted.imported.skipped.len() as u64,
                    })
                }
            }
        })?;
        *self.directory.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(summary)
    }

    /// Services near a point, nearest first, each with its distance and opening state.
    /// With `open_at`, only services known to be open then; with `include_maybe_open` as
    /// well, those whose state is unknown follow them (nearest first, at most `limit`).
    pub fn nearby_services(&self, query: NearbyInput, now: SystemTime) -> Result<Vec<ServiceHit>> {
        let categories = query
            .categories
            .iter()
            .map(|name| {
                Category::parse_loose(name).ok_or(vigil_core::Error::InvalidInput {
                    field: "category",
                    reason: "not a known category",
                })
            })
            .collect::<vigil_core::Result<Vec<_>>>()?;
        let (at, filter) = match query.open_at {
            Some(t) => (types::to_time(t)?, OpenFilter::OpenOnly),
            None => (types::to_time(now)?, OpenFilter::Any),
        };
        let q = NearbyQuery::new(
            query.latitude,
            query.longitude,
            query.radius_km * 1000.0,
            query.limit as usize,
            at,
        )
        .categories(&categories)
        .open(filter);
        let with_maybe = query.include_maybe_open && filter == OpenFilter::OpenOnly;
        self.with_directory(|dir| {
            let hits = if with_maybe {
                let found = dir.index.nearby_open(&q)?;
                found.open.into_iter().chain(found.maybe_open).collect()
            } else {
                dir.index.nearby(&q)?
            };
            Ok(hits
                .into_iter()
                .map(|h| types::service_hit(h.service, h.publisher, h.distance_m, h.hours))
                .collect())
        })
    }

    /// Services whose name contains `text` (case- and accent-insensitive), or whose
    /// postcode starts with it.
    pub fn search_services(
        &self,
        text: String,
        limit: u32,
        now: SystemTime,
    ) -> Result<Vec<ServiceHit>> {
        let at = types::to_time(now)?;
        self.with_directory(|dir| {
            let mut hits = dir.index.search_name(&text, limit as usize, at)?;
            if hits.is_empty() {
                hits = dir.index.search_postcode(&text, limit as usize, at)?;
            }
            Ok(hits
                .into_iter()
                .map(|m| types::service_hit(m.service, m.publisher, 0.0, m.hours))
                .collect())
        })
    }
}

impl Session {
    fn with_directory<R>(
        &self,
        f: impl FnOnce(&LoadedDirectory) -> vigil_core::Result<R>,
    ) -> Result<R> {
        let mut cached = self.directory.lock().unwrap_or_else(|e| e.into_inner());
        if cached.is_none() || self.inner.is_locked() {
            *cached = Some(self.with(|s| s.directory().load())?);
        }
        let dir = cached.as_ref().ok_or(vigil_core::Error::Locked)?;
        Ok(f(dir)?)
    }
}

/// Escalation while the vault is locked: opened with the device secret only.
#[derive(uniffi::Object)]
pub struct BackgroundRunner {
    inner: Mutex<c::BackgroundRunner>,
}

impl BackgroundRunner {
    fn with<R>(&self, f: impl FnOnce(&c::BackgroundRunner) -> vigil_core::Result<R>) -> Result<R> {
        Ok(f(&self.inner.lock().unwrap_or_else(|e| e.into_inner()))?)
    }
}

#[uniffi::export]
impl BackgroundRunner {
    /// Everything due at `now`; an action whose id was seen before replaces the earlier
    /// one (docs/bindings.md, "Action ids and retries").
    pub fn tick(&self, now: SystemTime) -> Result<Vec<Action>> {
        let now = types::to_time(now)?;
        self.with(|r| r.tick(now))
            .map(|actions| actions.into_iter().map(Into::into).collect())
    }

    pub fn next_wakeup(&self) -> Result<Option<SystemTime>> {
        self.with(|r| r.next_wakeup())
            .map(|t| t.map(types::from_time))
    }

    /// `Failed` after `Sent` (an SMS delivery report) is acted on at once.
    pub fn report_outcome(
        &self,
        action: ActionId,
        outcome: Outcome,
        now: SystemTime,
    ) -> Result<()> {
        let id = action.to_core()?;
        let now = types::to_time(now)?;
        self.with(|r| r.report_outcome(&id, outcome, now))
    }

    /// Check in from the lock screen.
    pub fn check_in(&self, code: String, now: SystemTime) -> Result<CheckInReceipt> {
        let now = types::to_time(now)?;
        self.with(|r| r.check_in(&code, now)).map(Into::into)
    }

    /// A buddy replied or called back while the phone is locked: the repeat alerts stop.
    pub fn acknowledge(&self, checkin_id: String, buddy_id: String, now: SystemTime) -> Result<()> {
        let (checkin, buddy) = (types::parse_id(&checkin_id)?, types::parse_id(&buddy_id)?);
        let now = types::to_time(now)?;
        self.with(|r| r.acknowledge(&checkin, &buddy, now))
    }

    /// The phone's latest location, for the buddy messages.
    pub fn update_location(
        &self,
        latitude: f64,
        longitude: f64,
        accuracy_m: Option<f64>,
        at: SystemTime,
    ) -> Result<()> {
        let fix = c::LocationFix {
            latitude,
            longitude,
            accuracy_m,
            at: types::to_time(at)?,
        };
        self.with(|r| r.update_location(fix))
    }

    /// What the lock screen / foreground notification may show: state, deadline, when
    /// escalation starts, how many buddies were alerted, whether one answered. No names,
    /// numbers, booking or location.
    pub fn list(&self) -> Result<LockScreenListing> {
        self.with(|r| r.list()).map(Into::into)
    }
}

/// The languages buddy messages can be written in, with their own names, whether "plain
/// letters" is on by default, and the neutral text offered for discreet notifications.
#[uniffi::export]
pub fn message_languages() -> Vec<MessageLanguage> {
    c::templates::language_list()
        .into_iter()
        .map(|l| MessageLanguage {
            discreet_notice_default: c::templates::discreet_notice_default(&l.tag),
            tag: l.tag,
            name: l.name,
            plain_letters_default: l.plain_letters_default,
        })
        .collect()
}
