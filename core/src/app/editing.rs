//! Notes as a phone's form gives them (identifiers as typed, recognised by the core),
//! editing and deleting notes and buddies, and the passphrase change with the device
//! secret the app already holds.

use super::App;
use crate::clock::Timestamp;
use crate::screening::{ClientNote, NoteDraft, Risk};
use crate::vault::RecordId;
use crate::{Error, Result};

/// A note as typed in one form: each identifier is recognised (phone, e-mail, handle,
/// plate) in the stored region; without a label it is labelled by its first identifier.
#[derive(Debug, Clone)]
pub struct NoteForm {
    pub identifiers: Vec<String>,
    pub label: Option<String>,
    pub risk: Risk,
    pub text: String,
}

impl App {
    fn note_draft(&self, form: NoteForm) -> Result<NoteDraft> {
        let screening = self.screening()?;
        let identifiers = form
            .identifiers
            .iter()
            .map(|raw| screening.detect(raw))
            .collect::<Result<Vec<_>>>()?;
        let Some(first) = identifiers.first() else {
            return Err(Error::invalid("note", "needs at least one identifier"));
        };
        let label = form
            .label
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| first.normalized());
        let mut draft = NoteDraft::new(&label, form.risk, identifiers);
        draft.text = form.text;
        Ok(draft)
    }

    /// Adds a note from a form (see [`NoteForm`]).
    pub fn add_note_form(&self, form: NoteForm, now: Timestamp) -> Result<ClientNote> {
        let draft = self.note_draft(form)?;
        self.screening()?.add_note(draft, now)
    }

    /// Replaces a note's details, with the same rules as adding one.
    pub fn update_note(&self, id: &RecordId, form: NoteForm, now: Timestamp) -> Result<ClientNote> {
        let draft = self.note_draft(form)?;
        self.screening()?.update_note(id, draft, now)
    }

    pub fn delete_note(&self, id: &RecordId) -> Result<()> {
        self.screening()?.delete_note(id)
    }

    /// Removes a buddy. A check-in already armed keeps its copy and still alerts them.
    pub fn remove_buddy(&self, id: &RecordId) -> Result<()> {
        self.checkins()?.remove_buddy(id)
    }

    /// Changes the passphrase (the current one is asked again), with the device secret
    /// given at unlock.
    pub fn change_passphrase(&mut self, current: &str, new: &str) -> Result<()> {
        let secret = self.device_secret.clone();
        self.session
            .change_passphrase(current, new, secret.as_deref().map(|s| &s[..]))
    }
}
