//! Vigil's core as the Android and iOS shells see it (uniffi proc-macros).
//!
//! Four objects: [`Vault`] (a file on disk: probe, create, unlock, restore, wipe),
//! [`Session`] (an unlocked vault: settings, bookings, notes and screening, buddies and
//! check-ins, bundles and the service directory, backups), [`BackgroundRunner`]
//! (escalation while the vault is locked, with only the device secret) and
//! [`PendingWipe`] (a panic wipe with a cancel window). Every call is safe from any
//! thread; every error is a [`VigilError`]; times are `SystemTime` (Kotlin `Instant`,
//! Swift `Date`, Python `datetime`).
//!
//! This crate only converts: each call goes to the core's application layer
//! (`vigil_core::app`: `VaultHome` while locked, `App` when unlocked, the `Escalation`
//! trait for check-ins either way), which holds every rule.

// ---- booking "past, no status" (issue 20, Android shell) ----
mod booking_outcome;
mod error;
mod reports;
mod types;
mod variants;
// ---- watch over me (issue 17): pairing, inbound messages, watches held ----
mod watch;
pub use watch::*;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use vigil_core::app::{self, BuddyRef, Escalation, LockableApp, SearchBy, VaultHome};
use vigil_core::bookings::TimeRange;
use vigil_core::checkin as c;
use vigil_core::clock::SystemClock;
use vigil_core::directory::{Category, NearbyQuery, OpenFilter};
use vigil_core::export::age::{Identity, Recipient};
use vigil_core::feeds::PublicKey;
use vigil_core::vault::{self as v, DuressOptions};

use error::Result;
pub use error::VigilError;
pub use reports::*;
pub use types::*;
pub use variants::{echo_enum_variants, enum_variants, EnumVariants};

uniffi::setup_scaffolding!();

fn buddy_refs(ids: &[String]) -> Result<Vec<BuddyRef>> {
    ids.iter()
        .map(|id| types::parse_id(id).map(BuddyRef::Id))
        .collect()
}

fn lockable(app: app::App) -> Result<Arc<Session>> {
    Ok(Arc::new(Session {
        inner: LockableApp::new(app, Arc::new(SystemClock))?,
    }))
}

/// A vault file, locked.
#[derive(uniffi::Object)]
pub struct Vault {
    home: VaultHome,
}

#[uniffi::export]
impl Vault {
    #[uniffi::constructor]
    pub fn new(path: String) -> Arc<Self> {
        Arc::new(Self {
            home: VaultHome::new(PathBuf::from(path)),
        })
    }

    /// Whether a vault exists at this path; another kind of file is `NotAVault`.
    pub fn exists(&self) -> Result<bool> {
        Ok(self.home.exists()?)
    }

    /// What can be known without the passphrase: whether a vault is there and whether it
    /// needs the device secret. Reads the header only; a damaged one is `CorruptVault`.
    pub fn probe(&self) -> Result<VaultProbe> {
        let p = self.home.probe()?;
        Ok(VaultProbe {
            exists: p.exists,
            needs_device_secret: p.needs_device_secret,
        })
    }

    /// Creates the vault, tied to `device_secret` (from Android Keystore / iOS Keychain).
    /// `kdf_iterations`: `None` for the default (600,000).
    pub fn create(
        &self,
        passphrase: String,
        device_secret: Vec<u8>,
        kdf_iterations: Option<u32>,
    ) -> Result<Arc<Session>> {
        let kdf = kdf_iterations.unwrap_or(v::DEFAULT_KDF_ITERATIONS);
        lockable(self.home.create(&passphrase, Some(&device_secret), kdf)?)
    }

    /// Unlocks with the passphrase, or the duress passphrase (which opens the decoy the
    /// same way, and sends the silent alert if it was set up to).
    pub fn unlock(
        &self,
        passphrase: String,
        device_secret: Vec<u8>,
        now: SystemTime,
    ) -> Result<Arc<Session>> {
        let now = types::to_time(now)?;
        lockable(self.home.unlock(&passphrase, Some(&device_secret), now)?)
    }

    /// Creates the vault and restores a backup into it. If the restore fails the new vault
    /// is wiped again (nothing half-made is left): the shell then deletes the device secret
    /// it made for it.
    pub fn restore_into_new(
        &self,
        passphrase: String,
        device_secret: Vec<u8>,
        kdf_iterations: Option<u32>,
        backup_path: String,
        backup_passphrase: String,
        now: SystemTime,
    ) -> Result<RestoreResult> {
        let now = types::to_time(now)?;
        let input = std::fs::File::open(&backup_path).map_err(vigil_core::Error::from)?;
        let kdf = kdf_iterations.unwrap_or(v::DEFAULT_KDF_ITERATIONS);
        let app = self.home.create(&passphrase, Some(&device_secret), kdf)?;
        let (app, report) =
            app.restore_into_new(input, &[Identity::passphrase(&backup_passphrase)], now)?;
        Ok(RestoreResult {
            session: lockable(app)?,
            summary: report.into(),
        })
    }

    /// Panic wipe: keys first (the slot file is overwritten in place, then unlinked), then
    /// every file. Needs no passphrase; idempotent; refuses a file that is not a vault.
    /// On flash storage overwriting cannot reach old blocks: the shell must then delete
    /// the device secret from the Keystore/Keychain, which is what makes the wipe final.
    pub fn wipe(&self) -> Result<()> {
        Ok(self.home.wipe()?)
    }

    /// A panic wipe after a cancel window of `window_seconds` from `now`: nothing happens
    /// until `poll` is called at or after `dueAt()`; `cancel` stops it.
    pub fn wipe_after(&self, now: SystemTime, window_seconds: u32) -> Result<Arc<PendingWipe>> {
        let now = types::to_time(now)?;
        let window = chrono::Duration::seconds(i64::from(window_seconds));
        Ok(Arc::new(PendingWipe {
            inner: Mutex::new(self.home.wipe_after(now, window)),
        }))
    }

    /// The escalation runner for when the vault is locked (alarm or boot receiver).
    pub fn background_runner(&self, device_secret: Vec<u8>) -> Result<Arc<BackgroundRunner>> {
        Ok(Arc::new(BackgroundRunner {
            inner: Mutex::new(self.home.runner(&device_secret)?),
        }))
    }
}

/// What `Vault.restoreIntoNew` gives: the new vault, unlocked, and what was restored.
#[derive(uniffi::Record)]
pub struct RestoreResult {
    pub session: Arc<Session>,
    pub summary: RestoreSummary,
}

/// A panic wipe waiting out its cancel window.
#[derive(uniffi::Object)]
pub struct PendingWipe {
    inner: Mutex<v::PendingWipe>,
}

impl PendingWipe {
    fn inner(&self) -> std::sync::MutexGuard<'_, v::PendingWipe> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[uniffi::export]
impl PendingWipe {
    pub fn due_at(&self) -> SystemTime {
        types::from_time(self.inner().due_at())
    }

    /// Cancels the wipe if it has not happened yet (`Cancelled`); `Done` if it had.
    pub fn cancel(&self) -> WipeState {
        self.inner().cancel()
    }

    /// Wipes once `now` has reached `dueAt()`; call it from the timer.
    pub fn poll(&self, now: SystemTime) -> Result<WipeState> {
        let now = types::to_time(now)?;
        Ok(self.inner().poll(now)?)
    }
}

/// An unlocked vault. `lock()` (or the idle time from the settings) zeroizes its keys;
/// every call after that fails with `VigilError::Locked`.
#[derive(uniffi::Object)]
pub struct Session {
    inner: LockableApp,
}

impl Session {
    fn with<R>(&self, f: impl FnOnce(&app::App) -> vigil_core::Result<R>) -> Result<R> {
        Ok(self.inner.with(f)?)
    }

    fn with_mut<R>(&self, f: impl FnOnce(&mut app::App) -> vigil_core::Result<R>) -> Result<R> {
        Ok(self.inner.with_mut(f)?)
    }

    /// Check-ins of this vault, through the same trait the locked runner implements.
    fn escalation<R>(&self, f: impl FnOnce(&dyn Escalation) -> vigil_core::Result<R>) -> Result<R> {
        self.with(|a| f(&a.checkins()?))
    }
}

#[uniffi::export]
impl Session {
    // ---- the session ----------------------------------------------------------------

    pub fn lock(&self) {
        self.inner.lock();
    }

    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// The worker's settings, stored in the vault (defaults until changed).
    pub fn settings(&self) -> Result<Settings> {
        self.with(|a| a.settings()).map(Into::into)
    }

    /// Stores new settings, every field checked first (`InvalidInput` names the field,
    /// and nothing is stored). A new idle time applies at once.
    pub fn set_settings(&self, settings: Settings) -> Result<()> {
        Ok(self.inner.set_settings(&settings.into())?)
    }

    /// The device clock's UTC offset now, in minutes: used for times in buddy messages
    /// while the settings' `utcOffsetMinutes` is `None`. Call after unlock and whenever
    /// the time zone changes.
    pub fn set_device_utc_offset(&self, minutes: i32) -> Result<()> {
        self.with_mut(|a| a.set_device_utc_offset(minutes))
    }

    pub fn change_passphrase(&self, current: String, new: String) -> Result<()> {
        self.with_mut(|a| a.change_passphrase(&current, &new))
    }

    /// Sets the duress passphrase. With `alert_buddies`, a duress unlock silently alerts
    /// `buddy_ids` (every buddy when empty), in the worker's language and UTC offset.
    pub fn set_duress(
        &self,
        current: String,
        duress: String,
        destroy_real: bool,
        alert_buddies: bool,
        buddy_ids: Vec<String>,
        now: SystemTime,
    ) -> Result<()> {
        let options = DuressOptions {
            destroy_real,
            alert_buddies,
        };
        let buddies = buddy_refs(&buddy_ids)?;
        let now = types::to_time(now)?;
        self.with_mut(|a| a.set_duress(&current, &duress, options, &buddies, now))
    }

    /// Removes the duress passphrase and its silent alert.
    pub fn clear_duress(&self) -> Result<()> {
        self.with_mut(|a| a.clear_duress())
    }

    /// Wipe after `attempts` consecutive wrong passphrases; `None` removes the limit.
    pub fn set_unlock_limit(&self, attempts: Option<u32>) -> Result<()> {
        self.with(|a| a.set_unlock_limit(attempts))
    }

    /// Panic wipe from an unlocked session.
    pub fn wipe(&self) -> Result<()> {
        Ok(self.inner.take()?.wipe()?)
    }

    // ---- backups ----------------------------------------------------------------------

    /// Exports the whole vault to `path`, encrypted with `backup_passphrase`: written to
    /// `path.partial`, synced, then renamed, so `path` is never half a backup.
    pub fn export_to_file(
        &self,
        path: String,
        backup_passphrase: String,
        now: SystemTime,
    ) -> Result<ExportSummary> {
        let now = types::to_time(now)?;
        let recipients = [Recipient::passphrase(&backup_passphrase)];
        self.with(|a| a.export_to_file(path.as_ref(), &recipients, now))
            .map(Into::into)
    }

    /// Restores a backup into this vault: records merge, the newer copy wins.
    pub fn restore(
        &self,
        path: String,
        backup_passphrase: String,
        now: SystemTime,
    ) -> Result<RestoreSummary> {
        let now = types::to_time(now)?;
        self.with(|a| {
            let input = std::fs::File::open(&path)?;
            a.restore(input, &[Identity::passphrase(&backup_passphrase)], now)
        })
        .map(Into::into)
    }

    // ---- bookings -------------------------------------------------------------------

    pub fn add_booking(&self, input: BookingInput, now: SystemTime) -> Result<Booking> {
        self.with(|a| a.add_booking(input.try_into()?, types::to_time(now)?))
            .map(Into::into)
    }

    pub fn get_booking(&self, id: String) -> Result<Booking> {
        let id = types::parse_id(&id)?;
        self.with(|a| a.session().bookings().get(&id))
            .map(Into::into)
    }

    pub fn update_booking(
        &self,
        id: String,
        input: BookingInput,
        now: SystemTime,
    ) -> Result<Booking> {
        let id = types::parse_id(&id)?;
        self.with(|a| a.update_booking(&id, input.try_into()?, types::to_time(now)?))
            .map(Into::into)
    }

    pub fn delete_booking(&self, id: String) -> Result<()> {
        let id = types::parse_id(&id)?;
        self.with(|a| a.session().bookings().delete(&id))
    }

    /// Bookings starting within [from, to], newest first, and the unreadable rows' ids.
    pub fn list_bookings(
        &self,
        from: Option<SystemTime>,
        to: Option<SystemTime>,
    ) -> Result<BookingListing> {
        let range = TimeRange {
            from: from.map(types::to_time).transpose()?,
            to: to.map(types::to_time).transpose()?,
        };
        self.with(|a| a.session().bookings().list(range))
            .map(Into::into)
    }

    /// One page of the bookings starting within [from, to], newest first: up to `limit`
    /// (at least 1) after `after` (a `next_cursor` from the previous page; `None` for the
    /// first). Memory stays that of one page however long the log is.
    pub fn list_bookings_page(
        &self,
        from: Option<SystemTime>,
        to: Option<SystemTime>,
        after: Option<String>,
        limit: u32,
    ) -> Result<BookingPage> {
        let range = TimeRange {
            from: from.map(types::to_time).transpose()?,
            to: to.map(types::to_time).transpose()?,
        };
        let after = after
            .map(|c| c.parse::<vigil_core::bookings::BookingCursor>())
            .transpose()?;
        self.with(|a| {
            a.session()
                .bookings()
                .list_page(range, after, limit as usize)
        })
        .map(Into::into)
    }

    // ---- client notes and screening -------------------------------------------------

    pub fn add_note(&self, input: NoteInput, now: SystemTime) -> Result<ClientNote> {
        let now = types::to_time(now)?;
        self.with(|a| a.add_note_form(input.into(), now))
            .map(Into::into)
    }

    /// Replaces a note's identifiers, label, risk and text (same rules as `addNote`).
    pub fn update_note(&self, id: String, input: NoteInput, now: SystemTime) -> Result<ClientNote> {
        let id = types::parse_id(&id)?;
        let now = types::to_time(now)?;
        self.with(|a| a.update_note(&id, input.into(), now))
            .map(Into::into)
    }

    pub fn delete_note(&self, id: String) -> Result<()> {
        let id = types::parse_id(&id)?;
        self.with(|a| a.delete_note(&id))
    }

    pub fn list_notes(&self) -> Result<NoteListing> {
        self.with(|a| a.screening()?.notes()).map(Into::into)
    }

    /// Screens a number, e-mail, handle or plate (or the last 6+ digits of a number), in
    /// the stored region. The result carries its damage report.
    pub fn screen(&self, input: String, now: SystemTime) -> Result<ScreenResult> {
        let now = types::to_time(now)?;
        self.with(|a| a.screen(&input, false, now)).map(Into::into)
    }

    /// Every number with its label, ascending: for call labelling while offline.
    pub fn call_labels(&self) -> Result<Vec<CallLabel>> {
        self.with(|a| a.call_labels()).map(|labels| {
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

    /// Adds a buddy; a number without a country code is read in the stored region.
    pub fn add_buddy(&self, input: BuddyInput) -> Result<Buddy> {
        self.with(|a| a.add_buddy(input.into())).map(Into::into)
    }

    pub fn update_buddy(&self, id: String, input: BuddyInput) -> Result<Buddy> {
        let id = types::parse_id(&id)?;
        self.with(|a| a.update_buddy(&id, input.into()))
            .map(Into::into)
    }

    /// Removes a buddy; a check-in already armed still alerts them.
    pub fn remove_buddy(&self, id: String) -> Result<()> {
        let id = types::parse_id(&id)?;
        self.with(|a| a.remove_buddy(&id))
    }

    pub fn list_buddies(&self) -> Result<BuddyListing> {
        self.with(|a| a.checkins()?.buddies()).map(Into::into)
    }

    /// The check-in code and the duress code (different, at least 4 characters).
    pub fn set_checkin_codes(&self, code: String, duress_code: String) -> Result<()> {
        self.with(|a| a.checkins()?.set_codes(&code, &duress_code))
    }

    pub fn start_checkin(&self, input: CheckinInput, now: SystemTime) -> Result<CheckinStatus> {
        let buddies = buddy_refs(&input.buddy_ids)?;
        let deadline = types::to_time(input.deadline)?;
        let booking = input
            .booking_id
            .as_deref()
            .map(types::parse_id)
            .transpose()?;
        let reminder = input
            .reminder_minutes
            .map(|m| c::minutes("reminder", m))
            .transpose()?;
        let grace = input
            .grace_minutes
            .map(|m| c::minutes("grace period", m))
            .transpose()?;
        let repeat = input
            .repeat_minutes
            .map(|m| c::minutes("repeat interval", m))
            .transpose()?;
        let ladder = input
            .ladder
            .iter()
            .map(LadderStepInput::to_core)
            .collect::<Result<Vec<_>>>()?;
        let now = types::to_time(now)?;
        self.with(|a| {
            let mut plan = a.checkin_plan(deadline, &buddies)?;
            plan.booking = booking.map(|id| a.covered_booking(&id)).transpose()?;
            if let Some(r) = reminder {
                plan.timing.reminder_before = r;
            }
            if let Some(g) = grace {
                plan.timing.grace = g;
            }
            if let Some(r) = repeat {
                plan.timing.repeat_every = r;
            }
            plan.ladder = ladder;
            plan.discreet_notice = input.discreet_notice;
            // The app layer also asks paired buddies' phones to watch.
            a.start_checkin(plan, now)
        })
        .map(Into::into)
    }

    /// Checks in with the code or the duress code: the answer is the same for both.
    pub fn check_in(&self, code: String, now: SystemTime) -> Result<CheckInReceipt> {
        let now = types::to_time(now)?;
        self.escalation(|e| e.check_in(&code, now)).map(Into::into)
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
        self.with(|a| a.extend_checkin(&id, by, now))
            .map(Into::into)
    }

    pub fn cancel_checkin(&self, id: String, now: SystemTime) -> Result<()> {
        let id = types::parse_id(&id)?;
        let now = types::to_time(now)?;
        self.with(|a| a.cancel_checkin(&id, now))
    }

    /// A buddy answered: alerts stop repeating.
    pub fn acknowledge(&self, checkin_id: String, buddy_id: String, now: SystemTime) -> Result<()> {
        let (checkin, buddy) = (types::parse_id(&checkin_id)?, types::parse_id(&buddy_id)?);
        let now = types::to_time(now)?;
        self.escalation(|e| e.acknowledge(&checkin, &buddy, now))
    }

    pub fn update_location(
        &self,
        latitude: f64,
        longitude: f64,
        accuracy_m: Option<f64>,
        at: SystemTime,
    ) -> Result<()> {
        let fix = types::location_fix(latitude, longitude, accuracy_m, at)?;
        self.escalation(|e| e.update_location(fix))
    }

    /// Everything due at `now`; perform each and report its outcome. An action whose id
    /// was seen before replaces the earlier one (docs/bindings.md).
    pub fn tick(&self, now: SystemTime) -> Result<Vec<Action>> {
        let now = types::to_time(now)?;
        self.escalation(|e| e.tick(now))
            .map(|actions| actions.into_iter().map(Into::into).collect())
    }

    /// When the shell must wake the core next (an exact alarm); `None`: nothing armed.
    pub fn next_wakeup(&self) -> Result<Option<SystemTime>> {
        self.escalation(|e| e.next_wakeup())
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
        self.escalation(|e| e.report_outcome(&id, outcome, now))
    }

    /// Live check-ins with their full status, and the unreadable rows' ids.
    pub fn list_checkins(&self) -> Result<CheckinListing> {
        self.with(|a| a.checkins()?.list()).map(Into::into)
    }

    /// Ended check-ins, latest first (a check-in ended with the duress code shows as
    /// checked in; a decoy vault has none).
    pub fn checkin_history(&self) -> Result<CheckinHistory> {
        self.with(|a| a.checkins()?.history()).map(Into::into)
    }

    /// How often the worker booked the client `input` names ("seen in 2 bookings").
    pub fn seen_in_bookings(&self, input: String, now: SystemTime) -> Result<SeenInBookings> {
        let now = types::to_time(now)?;
        self.with(|a| a.seen_in_bookings(&input, now))
            .map(Into::into)
    }

    // ---- publishers, bundles and the directory ---------------------------------------

    /// Pins a publisher's key (`vigil-pub:...`).
    pub fn trust_publisher(&self, name: String, public_key: String, now: SystemTime) -> Result<()> {
        let key: PublicKey = public_key.parse()?;
        let now = types::to_time(now)?;
        self.with(|a| a.session().feeds().trust(&name, key, now))
            .map(|_| ())
    }

    /// The publishers she trusts, with their pinned keys.
    pub fn trusted_publishers(&self) -> Result<PublisherListing> {
        self.with(|a| a.session().feeds().publishers())
            .map(Into::into)
    }

    /// The last accepted bundle of every publisher and kind: version, issue and expiry
    /// dates, and whether it is past its expiry at `now`.
    pub fn feed_status(&self, now: SystemTime) -> Result<Vec<FeedStatus>> {
        let now = types::to_time(now)?;
        self.with(|a| a.session().feeds().status(now))
            .map(|all| all.into_iter().map(Into::into).collect())
    }

    /// Verifies and imports an alert or directory bundle from a trusted publisher.
    pub fn import_bundle(&self, bundle: Vec<u8>, now: SystemTime) -> Result<ImportSummary> {
        let now = types::to_time(now)?;
        self.with(|a| a.import_bundle(&bundle, now)).map(Into::into)
    }

    /// Services near a point, nearest first, each with its distance and opening state.
    /// With `open_at`, only services known to be open then; with `include_maybe_open` as
    /// well, those whose state is unknown come in `maybeOpen`.
    pub fn nearby_services(&self, query: NearbyInput, now: SystemTime) -> Result<ServiceListing> {
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
        self.with(|a| {
            let found = a.services_near(&q)?;
            let maybe_open = if query.include_maybe_open {
                found.maybe_open
            } else {
                Vec::new()
            };
            Ok(types::service_listing(
                found.services,
                maybe_open,
                &*a.directory()?,
            ))
        })
    }

    /// Services whose name contains `text` (case- and accent-insensitive), or, when no
    /// name does, whose postcode starts with it.
    pub fn search_services(
        &self,
        text: String,
        limit: u32,
        now: SystemTime,
    ) -> Result<ServiceListing> {
        let at = types::to_time(now)?;
        self.with(|a| {
            let found = a.search_services(&text, SearchBy::Auto, limit as usize, at)?;
            Ok(types::service_listing(found, Vec::new(), &*a.directory()?))
        })
    }
}

// ---- dangerous-client reports (docs/reports.md) -----------------------------------------

#[uniffi::export]
impl Session {
    /// Saves a new report draft; nothing is sent.
    pub fn add_report(&self, input: ReportInput, now: SystemTime) -> Result<ReportDraft> {
        let draft = input.to_core()?;
        let now = types::to_time(now)?;
        self.with(|a| a.reports().add(draft, now)).map(Into::into)
    }

    /// Starts a draft from a booking: its client's phone, e-mail and handle, its place.
    pub fn start_report_from_booking(
        &self,
        booking_id: String,
        now: SystemTime,
    ) -> Result<ReportDraft> {
        let id = reports::id(&booking_id)?;
        let now = types::to_time(now)?;
        self.with(|a| a.start_report_from_booking(&id, now))
            .map(Into::into)
    }

    pub fn get_report(&self, id: String) -> Result<ReportDraft> {
        let id = reports::id(&id)?;
        self.with(|a| a.reports().get(&id)).map(Into::into)
    }

    /// Replaces a draft's fields (the booking it came from stays linked).
    pub fn update_report(
        &self,
        id: String,
        input: ReportInput,
        now: SystemTime,
    ) -> Result<ReportDraft> {
        let id = reports::id(&id)?;
        let draft = input.to_core()?;
        let now = types::to_time(now)?;
        self.with(|a| a.reports().update(&id, draft, now))
            .map(Into::into)
    }

    pub fn delete_report(&self, id: String) -> Result<()> {
        let id = reports::id(&id)?;
        self.with(|a| a.reports().delete(&id))
    }

    pub fn list_reports(&self) -> Result<ReportListing> {
        self.with(|a| a.reports().list()).map(Into::into)
    }

    /// The trusted publishers whose signed feed carries a report key.
    pub fn report_recipients(&self) -> Result<Vec<ReportRecipient>> {
        self.with(|a| a.report_recipients())
            .map(|all| all.into_iter().map(Into::into).collect())
    }

    /// Encrypts a draft to a publisher's report key (`publisher`: its name; `None`: the
    /// only one that takes reports). Hand `file` to the share sheet under `fileName`.
    pub fn encrypt_report(
        &self,
        id: String,
        publisher: Option<String>,
        now: SystemTime,
    ) -> Result<EncryptedReport> {
        let id = reports::id(&id)?;
        let now = types::to_time(now)?;
        self.with(|a| a.send_report(&id, publisher.as_deref(), now))
            .map(Into::into)
    }

    /// Adds the report's client to her own notes (offered after sending; danger unless
    /// `risk` says otherwise).
    pub fn note_from_report(
        &self,
        id: String,
        risk: Option<Risk>,
        now: SystemTime,
    ) -> Result<ClientNote> {
        let id = reports::id(&id)?;
        let now = types::to_time(now)?;
        self.with(|a| a.note_from_report(&id, risk, now))
            .map(Into::into)
    }
}

/// Escalation while the vault is locked: opened with the device secret only.
#[derive(uniffi::Object)]
pub struct BackgroundRunner {
    inner: Mutex<c::BackgroundRunner>,
}

impl BackgroundRunner {
    fn with<R>(&self, f: impl FnOnce(&dyn Escalation) -> vigil_core::Result<R>) -> Result<R> {
        Ok(f(&*self.inner.lock().unwrap_or_else(|e| e.into_inner()))?)
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
        let fix = types::location_fix(latitude, longitude, accuracy_m, at)?;
        self.with(|r| r.update_location(fix))
    }

    /// What the lock screen / foreground notification may show: state, deadline, when
    /// escalation starts, how many buddies were alerted, whether one answered. No names,
    /// numbers, booking or location.
    pub fn list(&self) -> Result<LockScreenListing> {
        self.with(|r| r.lock_screen()).map(Into::into)
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

/// Measures this device (docs/PERFORMANCE.md, "vigil bench"): unlock at the real
/// key-derivation cost, bookings, exact screening and the directory, on generated data, in
/// a new folder inside `dir` (e.g. the app's cache directory; removed afterwards). Returns
/// the same JSON document as `vigil bench --json`. Seconds with `quick`, minutes without:
/// call it off the main thread. For a developer build, not for the person's screens.
#[uniffi::export]
pub fn run_benchmark(dir: String, quick: bool) -> Result<String> {
    use vigil_core::benchmark::{self, BenchConfig};
    let config = if quick {
        BenchConfig::quick()
    } else {
        BenchConfig::full()
    };
    let report = benchmark::run(std::path::Path::new(&dir), &config, &mut |_| {})?;
    Ok(report.to_json()?)
}
