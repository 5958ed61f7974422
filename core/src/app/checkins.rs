//! Check-ins for both kinds of caller: an unlocked app ([`App::checkins`]) and the locked
//! background runner ([`VaultHome::runner`](super::VaultHome::runner)), behind one trait
//! so a shell drives both with the same code.

use super::{App, BuddyRef};
use crate::bookings::Booking;
use crate::checkin::{
    Action, ActionId, AlertFacts, BackgroundRunner, CheckInReceipt, CheckinError, CheckinId,
    CheckinPlan, Checkins, CoveredBooking, LocationFix, LockScreenCheckin, Outcome,
};
use crate::clock::Timestamp;
use crate::vault::{Listing, RecordId};
use crate::watch::{HeldWatch, HeldWatchTimes, Received, SentWatchStatus, WatchAction, WatchState};
use crate::Result;

/// What both an unlocked vault and the locked runner can do with live check-ins.
pub trait Escalation {
    /// Every action due at `now`.
    fn tick(&self, now: Timestamp) -> Result<Vec<Action>>;
    /// When the shell must wake next; `None` when nothing is armed or pending.
    fn next_wakeup(&self) -> Result<Option<Timestamp>>;
    /// How an action went (sent, delivered, failed).
    fn report_outcome(&self, action: &ActionId, outcome: Outcome, now: Timestamp) -> Result<()>;
    /// Check in with the normal or the duress code (the same receipt either way).
    fn check_in(&self, code: &str, now: Timestamp) -> Result<CheckInReceipt>;
    /// A buddy answered: stop the repeat alerts to them.
    fn acknowledge(&self, checkin: &CheckinId, buddy: &RecordId, now: Timestamp) -> Result<()>;
    fn update_location(&self, fix: LocationFix) -> Result<()>;
    /// Every armed or escalating check-in, as a lock screen may show it (no names, numbers
    /// or places): the unlocked app has [`Checkins::list`] for the whole status.
    fn lock_screen(&self) -> Result<Listing<LockScreenCheckin>>;

    // ---- watch over me (see `app/watch.rs`): the same loop, the same wake-ups ---------

    /// The watch actions due at `now` (messages to paired phones, the buddy's reminders
    /// and alarms): call it with [`Escalation::tick`] at every wake-up and report each
    /// outcome with [`Escalation::report_outcome`].
    fn watch_tick(&self, now: Timestamp) -> Result<Vec<WatchAction>>;
    /// An inbound text (SMS, or pasted): a watch message is opened, checked and applied;
    /// every refusal is a specific [`crate::watch::WatchError`] and changes nothing held,
    /// except that a `Replayed` one may queue its ACK again: ask
    /// [`Escalation::next_wakeup`] after every call, refused or not.
    fn receive_watch_message(&self, text: &str, now: Timestamp) -> Result<Received>;
    /// Watches this phone holds for others.
    fn held_watches(&self) -> Result<Vec<HeldWatch>>;
    /// When each watch this phone holds needs it awake, without whose it is: the phone's
    /// and, in a decoy, the decoy's own (whose [`Escalation::held_watches`] lists only its
    /// own). For shells that book wake-ups ahead: a decoy open must not drop the real
    /// watches' alarms.
    fn held_watch_times(&self) -> Result<Vec<HeldWatchTimes>>;
    /// The buddy has seen the alarm and is acting: its remaining steps stop.
    fn acknowledge_watch(&self, watch: &RecordId, now: Timestamp) -> Result<()>;
    /// This phone's check-ins that paired buddies watch, each buddy's last message and
    /// whether it was sent and confirmed, from the device-bound state: what is still to
    /// send survives the shell's process, locked or not (a SAFE not sent yet leaves the
    /// buddy's phone counting down to an alarm).
    fn sent_watches(&self) -> Result<Vec<SentWatchStatus>>;
}

/// A watch state's error that asking again will not mend (damaged, or a newer version's):
/// read as "no wake-up of its own"; any other error is passed on.
fn unreadable_for_good(e: crate::Error) -> Result<Option<Timestamp>> {
    match e {
        crate::Error::Watch(crate::watch::WatchError::StateTooNew)
        | crate::Error::Checkin(CheckinError::WrongDeviceSecret) => Ok(None),
        e => Err(e),
    }
}

macro_rules! escalation_for {
    ($t:ty) => {
        impl Escalation for $t {
            fn tick(&self, now: Timestamp) -> Result<Vec<Action>> {
                <$t>::tick(self, now)
            }
            /// The check-ins' wake-up never depends on a watch state that will not open
            /// however often it is asked (damaged, or written by a newer version): it adds
            /// no wake-up of its own, and its error shows where it is used (`watch_tick`,
            /// the watch screens), so the armed check-ins keep their alarm. Any other
            /// failure (storage busy) is the caller's to retry soon, as for the check-ins.
            fn next_wakeup(&self) -> Result<Option<Timestamp>> {
                let checkins = <$t>::next_wakeup(self)?;
                let watches = self
                    .with_escalation_conn(|c, k| WatchState::new(c, k).next_wakeup())
                    .or_else(unreadable_for_good)?;
                let own = self
                    .with_decoy_watch(|s| s.next_wakeup())
                    .map(Option::flatten)
                    .or_else(unreadable_for_good)?;
                Ok(checkins.into_iter().chain(watches).chain(own).min())
            }
            fn report_outcome(
                &self,
                action: &ActionId,
                outcome: Outcome,
                now: Timestamp,
            ) -> Result<()> {
                // The check-ins' actions first, then the watch states': one part that cannot
                // be read (a damaged row, a newer version's state) must not keep the other's
                // outcomes from the core (every alert would time out and go again). Action
                // ids never collide (a check-in's id, or a watch text's random one).
                let checkin = <$t>::report_outcome(self, action, outcome.clone(), now);
                if checkin.is_ok() {
                    return checkin;
                }
                let report = |state: &WatchState| -> Result<bool> {
                    if state.owns_action(action)? {
                        state.report(action, outcome.clone(), now).map(|()| true)
                    } else {
                        Ok(false)
                    }
                };
                let watch = self.with_escalation_conn(|c, k| report(&WatchState::new(c, k)));
                let own = self
                    .with_decoy_watch(|s| report(s))
                    .map(|o| o.unwrap_or(false));
                match (watch, own) {
                    (Ok(true), _) | (_, Ok(true)) => Ok(()),
                    // The check-ins did not know it either: a watch state's own failure says
                    // more than "unknown action".
                    (Err(e), _) | (_, Err(e))
                        if matches!(
                            checkin,
                            Err(crate::Error::Checkin(CheckinError::UnknownAction))
                        ) =>
                    {
                        Err(e)
                    }
                    _ => checkin,
                }
            }
            fn check_in(&self, code: &str, now: Timestamp) -> Result<CheckInReceipt> {
                let (receipt, duress) = self.check_in_telling_duress(code, now)?;
                // The paired buddies' phones get SAFE, or DURESS-SAFE: queued the same way.
                self.with_escalation_conn(|c, k| {
                    WatchState::new(c, k).end(&receipt.checkins, duress, now)
                })?;
                self.with_decoy_watch(|s| s.end(&receipt.checkins, duress, now))?;
                Ok(receipt)
            }
            fn watch_tick(&self, now: Timestamp) -> Result<Vec<WatchAction>> {
                crate::checkin::check_time(now)?;
                let mut actions =
                    self.with_escalation_conn(|c, k| WatchState::new(c, k).tick(now))?;
                if let Some(own) = self.with_decoy_watch(|s| s.tick(now))? {
                    actions.extend(own);
                }
                Ok(actions)
            }
            fn receive_watch_message(&self, text: &str, now: Timestamp) -> Result<Received> {
                crate::checkin::check_time(now)?;
                // The phone's state first, always: a decoy must not stop the real watches.
                let phone =
                    self.with_escalation_conn(|c, k| WatchState::new(c, k).receive(text, now));
                match self.with_decoy_watch(|s| Ok(s.receive(text, now)))? {
                    None => phone,
                    // A decoy answers as its own state does (a message for the phone's keys
                    // is "meant for another phone" to it), so no real name comes back;
                    // only a failure that is not a refusal (storage) is the phone's.
                    Some(own) => match phone {
                        Err(e) if !matches!(e, crate::Error::Watch(_)) => Err(e),
                        _ => own,
                    },
                }
            }
            fn held_watches(&self) -> Result<Vec<HeldWatch>> {
                match self.with_decoy_watch(|s| s.held())? {
                    Some(own) => Ok(own),
                    None => self.with_escalation_conn(|c, k| WatchState::new(c, k).held()),
                }
            }
            fn held_watch_times(&self) -> Result<Vec<HeldWatchTimes>> {
                let mut held = self.with_escalation_conn(|c, k| WatchState::new(c, k).held())?;
                held.extend(self.with_decoy_watch(|s| s.held())?.unwrap_or_default());
                let mut times: Vec<HeldWatchTimes> = held.iter().map(Into::into).collect();
                times.sort_by_key(|w| (w.alarm_due, w.id));
                Ok(times)
            }
            fn acknowledge_watch(&self, watch: &RecordId, now: Timestamp) -> Result<()> {
                crate::checkin::check_time(now)?;
                // In a decoy, a watch of its own list; any other is the phone's (its alarm's
                // notice was shown, and answering it works as on the real screen).
                let own = self.with_decoy_watch(|s| {
                    if s.held()?.iter().any(|w| w.id == *watch) {
                        s.acknowledge(watch, now).map(|()| true)
                    } else {
                        Ok(false)
                    }
                })?;
                if own == Some(true) {
                    return Ok(());
                }
                self.with_escalation_conn(|c, k| WatchState::new(c, k).acknowledge(watch, now))
            }
            fn sent_watches(&self) -> Result<Vec<SentWatchStatus>> {
                match self.with_decoy_watch(|s| s.sent())? {
                    Some(own) => Ok(own),
                    None => self.with_escalation_conn(|c, k| WatchState::new(c, k).sent()),
                }
            }
            fn acknowledge(
                &self,
                checkin: &CheckinId,
                buddy: &RecordId,
                now: Timestamp,
            ) -> Result<()> {
                <$t>::acknowledge(self, checkin, buddy, now)
            }
            fn update_location(&self, fix: LocationFix) -> Result<()> {
                <$t>::update_location(self, fix)
            }
            fn lock_screen(&self) -> Result<Listing<LockScreenCheckin>> {
                LockScreenSource::lock_screen(self)
            }
        }
    };
}

/// The decoy's own watch state (its pairings, the watches it holds and sends), apart from
/// the phone's: `None` for the real session and the locked runner, which have only the
/// phone's. A decoy session drives both, so the real watches keep going while it is open
/// (the shell ticks the open session), but its screens list only its own.
trait DecoyWatch {
    fn with_decoy_watch<R>(
        &self,
        f: impl FnOnce(&WatchState<'_>) -> Result<R>,
    ) -> Result<Option<R>>;
}

impl DecoyWatch for Checkins<'_> {
    fn with_decoy_watch<R>(
        &self,
        f: impl FnOnce(&WatchState<'_>) -> Result<R>,
    ) -> Result<Option<R>> {
        self.with_decoy_conn(|c, k| f(&WatchState::new(c, k)))
    }
}

impl DecoyWatch for BackgroundRunner {
    fn with_decoy_watch<R>(
        &self,
        _: impl FnOnce(&WatchState<'_>) -> Result<R>,
    ) -> Result<Option<R>> {
        Ok(None)
    }
}

/// How each caller builds the lock-screen listing (the runner never holds the full status).
trait LockScreenSource {
    fn lock_screen(&self) -> Result<Listing<LockScreenCheckin>>;
}

escalation_for!(Checkins<'_>);
escalation_for!(BackgroundRunner);

impl LockScreenSource for Checkins<'_> {
    fn lock_screen(&self) -> Result<Listing<LockScreenCheckin>> {
        let listing = self.list()?;
        Ok(Listing {
            items: listing.items.into_iter().map(Into::into).collect(),
            unreadable: listing.unreadable,
        })
    }
}

impl LockScreenSource for BackgroundRunner {
    fn lock_screen(&self) -> Result<Listing<LockScreenCheckin>> {
        self.list()
    }
}

/// What a check-in's buddy messages say about `booking` (empty fields left out), copied
/// when the check-in is armed.
pub fn covered_booking(booking: &Booking) -> CoveredBooking {
    let d = &booking.details;
    let given = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    CoveredBooking {
        id: booking.id,
        facts: AlertFacts {
            client_label: Some(d.client.label.clone()).filter(|s| !s.trim().is_empty()),
            client_identifiers: [&d.client.phone, &d.client.email, &d.client.handle]
                .into_iter()
                .filter_map(given)
                .collect(),
            address: given(&d.place.address),
            place: d.place.latitude.zip(d.place.longitude),
            booking_starts_at: Some(d.starts_at),
        },
    }
}

impl App {
    /// The booking with this id as a check-in covers it ([`CheckinPlan::booking`]): the join
    /// of bookings and check-ins lives here, so neither capability reads the other.
    pub fn covered_booking(&self, id: &RecordId) -> Result<CoveredBooking> {
        Ok(covered_booking(&self.session.bookings().get(id)?))
    }

    /// A check-in plan with what the worker chose once: the buddies (all when `buddies` is
    /// empty), her first language and her UTC offset for the messages.
    pub fn checkin_plan(&self, deadline: Timestamp, buddies: &[BuddyRef]) -> Result<CheckinPlan> {
        let mut plan = CheckinPlan::new(deadline, self.resolve_buddies(buddies)?);
        plan.worker_language = self.settings()?.language().to_owned();
        plan.utc_offset_minutes = self.utc_offset_minutes()?;
        Ok(plan)
    }

    /// The check-in a command is about: `id` when given, else the only one armed or
    /// escalating. None armed is [`crate::checkin::CheckinError::NothingArmed`]; several
    /// is an invalid-input error, and the shell lists them ([`Checkins::list`]) for the
    /// worker to choose.
    pub fn armed_checkin(&self, id: Option<CheckinId>) -> Result<CheckinId> {
        if let Some(id) = id {
            return Ok(id);
        }
        match self.checkins()?.list()?.items.as_slice() {
            [one] => Ok(one.id),
            [] => Err(crate::checkin::CheckinError::NothingArmed.into()),
            _ => Err(crate::Error::invalid(
                "check-in",
                "more than one check-in is armed: say which one",
            )),
        }
    }

    /// Check-ins and buddies of this vault (needs the device secret given at unlock).
    pub fn checkins(&self) -> Result<Checkins<'_>> {
        Ok(self.session.checkins(self.escalation()?))
    }
}
