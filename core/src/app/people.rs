//! Buddies, client notes and screening, with the defaults a shell would otherwise pick:
//! buddy choice by id or name, a note's default label, the stored region.

use super::App;
use crate::bookings::{Booking, TimeRange};
use crate::checkin::{Buddy, BuddyDraft};
use crate::clock::Timestamp;
use crate::screening::{
    normalize, ClientNote, Identifier, IdentifierKind, NoteDraft, Risk, ScreeningResult,
};
use crate::vault::RecordId;
use crate::{Error, Result};

/// A buddy named by the worker: by id (a phone's list) or by name (the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuddyRef {
    Id(RecordId),
    /// Matched ignoring case and surrounding spaces; must name exactly one buddy.
    Name(String),
}

/// A new note as the worker typed it; the label defaults to its first identifier.
#[derive(Debug, Clone)]
pub struct NoteDefaults {
    pub label: Option<String>,
    pub risk: Risk,
    /// What she typed, by kind; normalized in the session's region (at least one).
    pub identifiers: Vec<(IdentifierKind, String)>,
    pub text: String,
}

impl App {
    /// The buddies named, in order; every buddy when `refs` is empty.
    pub fn resolve_buddies(&self, refs: &[BuddyRef]) -> Result<Vec<RecordId>> {
        let everyone = self.checkins()?.buddies()?.items;
        if refs.is_empty() {
            return Ok(everyone.iter().map(|b| b.id).collect());
        }
        refs.iter()
            .map(|r| match r {
                BuddyRef::Id(id) => everyone
                    .iter()
                    .find(|b| b.id == *id)
                    .map(|b| b.id)
                    .ok_or(Error::NotFound("buddy")),
                BuddyRef::Name(name) => {
                    let found: Vec<&Buddy> = everyone
                        .iter()
                        .filter(|b| b.name.trim().eq_ignore_ascii_case(name.trim()))
                        .collect();
                    match found.as_slice() {
                        [one] => Ok(one.id),
                        [] => Err(Error::NotFound("buddy")),
                        _ => Err(Error::invalid(
                            "buddy",
                            "more than one buddy has that name; rename one of them",
                        )),
                    }
                }
            })
            .collect()
    }

    /// Adds a buddy; a number without a country code is read in the stored region.
    pub fn add_buddy(&self, draft: BuddyDraft) -> Result<Buddy> {
        let region = self.region()?;
        self.checkins()?.add_buddy(draft, region.code())
    }

    /// Replaces a buddy's details (a rename among them); the number is read in the stored
    /// region, as when the buddy was added. Check-ins already armed keep their own copy.
    pub fn update_buddy(&self, id: &RecordId, draft: BuddyDraft) -> Result<Buddy> {
        let region = self.region()?;
        self.checkins()?.update_buddy(id, draft, region.code())
    }

    /// One buddy, by id or by name (a name must name exactly one).
    pub fn find_buddy(&self, which: &BuddyRef) -> Result<Buddy> {
        let ids = self.resolve_buddies(std::slice::from_ref(which))?;
        let id = ids.first().ok_or(Error::NotFound("buddy"))?;
        self.checkins()?.buddy(id)
    }

    /// Adds a client note; without a label it is labelled by its first identifier.
    pub fn add_note(&self, note: NoteDefaults, now: Timestamp) -> Result<ClientNote> {
        let region = self.region()?;
        let identifiers = note
            .identifiers
            .iter()
            .map(|(kind, raw)| normalize(*kind, raw, region))
            .collect::<Result<Vec<Identifier>>>()?;
        let Some(first) = identifiers.first() else {
            return Err(Error::invalid("note", "needs at least one identifier"));
        };
        let label = note.label.unwrap_or_else(|| first.normalized());
        let mut draft = NoteDraft::new(&label, note.risk, identifiers);
        draft.text = note.text;
        self.screening()?.add_note(draft, now)
    }

    /// Screens a phone number, e-mail, handle or plate against notes and alerts, read in
    /// the stored region. The result carries its damage report (`unreadable_notes`,
    /// `unreadable_alerts`): a shell must say when some records could not be checked.
    pub fn screen(&self, raw: &str, exact: bool, now: Timestamp) -> Result<ScreeningResult> {
        let screening = self.screening()?;
        if exact {
            screening.screen_exact(raw, now)
        } else {
            screening.screen(raw, now)
        }
    }

    /// Every phone number in her notes and the alerts with its label, ascending (for the
    /// phone's call directory). Cached for the session and rebuilt whenever a note or
    /// alert row changed (see [`crate::screening::Screening::call_labels_cached`]).
    pub fn call_labels(&self) -> Result<Vec<crate::screening::CallLabel>> {
        let mut cache = self
            .call_labels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.screening()?.call_labels_cached(&mut cache)
    }

    /// Screening in the stored region, for what needs no further rule (notes list,
    /// edit, remove).
    pub fn screening(&self) -> Result<crate::screening::Screening<'_>> {
        Ok(self.session.screening(self.region()?))
    }

    /// Bookings whose client shares a normalized identifier with the note ("seen in 2
    /// bookings"). The join of two capabilities, so it lives here: neither imports the
    /// other. Booking identifiers are free text; those that do not normalize are ignored.
    pub fn linked_bookings(&self, note_id: &RecordId) -> Result<Vec<Booking>> {
        let note = self.screening()?.get_note(note_id)?;
        let wanted: std::collections::HashSet<&Identifier> =
            note.details.identifiers.iter().collect();
        let region = self.region()?;
        let bookings = self.session.bookings().list(TimeRange::default())?;
        Ok(bookings
            .items
            .into_iter()
            .filter(|b| {
                super::bookings::booking_identifiers(b, region).any(|id| wanted.contains(&id))
            })
            .collect())
    }
}
