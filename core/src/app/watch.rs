//! "Watch over me" composed with check-ins: arming a check-in with a paired buddy asks
//! that buddy's phone to hold the deadline (WATCH), extending it sends EXTEND, ending it
//! (check-in, duress check-in, cancel) sends SAFE or DURESS-SAFE. The watch capability
//! knows nothing of check-ins or bookings: the join is here.

use chrono::Duration;

use super::App;
use crate::checkin::{CheckinId, CheckinPlan, CheckinStatus};
use crate::clock::Timestamp;
use crate::vault::RecordId;
use crate::watch::{Pairing, PairingDraft, Pairings, SentWatchStatus, WatchState, WatchTerms};
use crate::Result;

/// What a WATCH tells the buddy, from the plan the worker armed.
fn terms(plan: &CheckinPlan) -> WatchTerms {
    let facts = plan.booking.as_ref().map(|b| &b.facts);
    WatchTerms {
        deadline: plan.deadline,
        grace_secs: u32::try_from(plan.timing.grace.num_seconds().max(0)).unwrap_or(u32::MAX),
        utc_offset_minutes: i16::try_from(plan.utc_offset_minutes).unwrap_or(0),
        language: plan.worker_language.clone(),
        address: facts.and_then(|f| f.address.clone()),
        place: facts.and_then(|f| f.place),
        client: facts.and_then(|f| f.client_label.clone()),
        client_contact: facts.and_then(|f| {
            (!f.client_identifiers.is_empty()).then(|| f.client_identifiers.join(", "))
        }),
        booking_starts_at: facts.and_then(|f| f.booking_starts_at),
    }
}

impl App {
    /// Pairings with other phones (needs the device secret given at unlock: the keys live
    /// under the escalation key).
    pub fn pairings(&self) -> Result<Pairings<'_>> {
        Ok(Pairings::new(&self.session, self.escalation()?))
    }

    /// Copies the owner's language into the device-bound state, where the locked runner
    /// reads it for the buddy's notices: at unlock and when the settings are saved (not on
    /// every pairing screen: that took a write lock each time, against the runner). Never
    /// from a decoy session: its settings are not the owner's. Best effort (the settings
    /// are already saved; a vault opened without the device secret has no watch state,
    /// and a broken one fails the next real operation anyway).
    pub(super) fn sync_watch_language(&self) {
        if self.session.is_decoy() {
            return;
        }
        let (Ok(pairings), Ok(settings)) = (self.pairings(), self.settings()) else {
            return;
        };
        let _ = pairings.with_state(|s| s.set_language(settings.language()));
    }

    /// The watch state the open vault's screens read: the decoy's own in a decoy.
    fn watch_state<R>(&self, f: impl FnOnce(&WatchState<'_>) -> Result<R>) -> Result<R> {
        self.pairings()?.with_state(f)
    }

    /// Runs `f` on the phone's watch state and, in a decoy, on the decoy's own too: a
    /// check-in belongs to the phone (armed in the real vault, it can be extended, cancelled
    /// or checked in from the decoy), and each state skips the check-ins and pairings it
    /// does not hold.
    fn every_watch_state(&self, f: impl Fn(&WatchState<'_>) -> Result<()>) -> Result<()> {
        let pairings = self.pairings()?;
        pairings.with_phone_state(&f)?;
        if pairings.is_decoy() {
            pairings.with_state(&f)?;
        }
        Ok(())
    }

    /// Arms a check-in, and asks the phone of every chosen buddy who is paired to hold its
    /// deadline (a WATCH message each, in the next [`super::Escalation::watch_tick`]).
    pub fn start_checkin(&self, plan: CheckinPlan, now: Timestamp) -> Result<CheckinStatus> {
        let terms = terms(&plan);
        let pairings = self.pairings()?.for_buddies(&plan.buddies)?;
        let status = self.checkins()?.arm(plan, now)?;
        if !pairings.is_empty() {
            // The pairings are the open vault's: in a decoy only its own state has them.
            self.watch_state(|s| s.start(status.id, terms, &pairings, now))?;
        }
        Ok(status)
    }

    /// Moves a check-in's deadline later; paired buddies get EXTEND.
    pub fn extend_checkin(
        &self,
        id: &CheckinId,
        by: Duration,
        now: Timestamp,
    ) -> Result<CheckinStatus> {
        let status = self.checkins()?.extend(id, by, now)?;
        self.every_watch_state(|s| s.extend(*id, status.deadline, now))?;
        Ok(status)
    }

    /// Cancels a check-in before escalation; paired buddies get SAFE (nothing to watch).
    pub fn cancel_checkin(&self, id: &CheckinId, now: Timestamp) -> Result<()> {
        self.checkins()?.cancel(id, now)?;
        self.every_watch_state(|s| s.end(&[*id], false, now))
    }

    /// Saves a pairing once the digits match; numbers are read in the vault's region.
    pub fn add_pairing(&self, draft: PairingDraft, now: Timestamp) -> Result<Pairing> {
        let region = self.region()?;
        self.pairings()?.add(draft, region.code(), now)
    }

    /// Changes a pairing's number (`None` or blank removes it), read in the vault's region
    /// as when pairing; a number that does not read is refused and nothing changes.
    pub fn set_pairing_phone(&self, id: &RecordId, phone: Option<&str>) -> Result<Pairing> {
        let region = self.region()?;
        self.pairings()?.set_phone(id, phone, region.code())
    }

    /// This phone's check-ins that paired buddies watch, with each buddy's confirmation
    /// (in a decoy, only those sent to the decoy's own pairings).
    pub fn sent_watches(&self) -> Result<Vec<SentWatchStatus>> {
        self.watch_state(|s| s.sent())
    }
}
