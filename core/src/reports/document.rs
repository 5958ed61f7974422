//! The report file: one canonical JSON document, padded, encrypted as a standard age v1
//! file to the project's X25519 report key (age's own recipient type, so `age`, `rage` or
//! `pyrage` decrypt it too). See `docs/reports.md` for the fields and for what a file
//! reveals to someone who intercepts it.
//!
//! The plaintext is padded with spaces (JSON allows trailing white space) to a multiple of
//! [`PAD_BLOCK`] bytes, so the file's size says little about how much she wrote. The
//! project knows the padding rule, which also lets it tell a file cut short from one
//! altered in place: both fail authentication, but only a cut changes the length.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{ReportDraft, ReportIdentifier, RoughLocation};
use crate::clock::Timestamp;
use crate::export::age::X25519Recipient;
use crate::export::age::{AgeError, AgeReader, AgeWriter, Identity, Recipient, X25519Identity};
use crate::identifiers::Region;
use crate::screening::AlertCategory;
use crate::{Error, Result};

/// The `format` field of every report document.
pub const REPORT_FORMAT: &str = "vigil-report";
/// The document version this build writes and reads.
pub const REPORT_VERSION: u32 = 1;
/// The plaintext is padded to a multiple of this many bytes.
pub const PAD_BLOCK: usize = 4096;
/// A report file larger than this is refused before it is decrypted.
pub const MAX_REPORT_FILE_BYTES: u64 = 1024 * 1024;
/// age's payload: 64 KiB plaintext chunks, each with a 16-byte tag, after a 16-byte nonce.
const AGE_CHUNK: usize = 64 * 1024;
const AGE_TAG: usize = 16;
const AGE_NONCE: usize = 16;

/// What a report file holds once decrypted: everything the project sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDocument {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// Always [`REPORT_VERSION`] for this build.
    pub version: u32,
    /// Random, 32 hex digits: the same file received twice is counted once.
    pub report_id: String,
    pub sent_at: Timestamp,
    /// Her region: how the project reads numbers written without a country code.
    pub region: Region,
    pub when: String,
    pub occurred_at: Option<Timestamp>,
    pub place: String,
    /// Rounded (see [`RoughLocation::rounded`]).
    pub rough_location: Option<RoughLocation>,
    pub categories: Vec<AlertCategory>,
    pub what_happened: String,
    pub identifiers: Vec<ReportIdentifier>,
    pub description: String,
    pub police_consent: bool,
    /// `None`: she wants to stay anonymous.
    pub contact: Option<String>,
}

impl ReportDocument {
    /// The document for `draft`, sent at `now` from `region`. The booking link and the
    /// draft's own id stay in the vault; coordinates are rounded.
    pub fn from_draft(draft: &ReportDraft, region: Region, now: Timestamp) -> Result<Self> {
        draft.check_sendable(region)?;
        let mut id = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id)
            .map_err(|_| Error::Random)?;
        Ok(Self {
            format: REPORT_FORMAT.to_owned(),
            version: REPORT_VERSION,
            report_id: hex::encode(id),
            sent_at: now,
            region,
            when: draft.when.trim().to_owned(),
            occurred_at: draft.occurred_at,
            place: draft.place.trim().to_owned(),
            rough_location: draft.rough_location.map(|l| l.rounded()),
            categories: draft.categories.clone(),
            what_happened: draft.what_happened.trim().to_owned(),
            identifiers: draft
                .identifiers
                .iter()
                .map(|i| ReportIdentifier {
                    kind: i.kind,
                    value: i.value.trim().to_owned(),
                })
                .collect(),
            description: draft.description.trim().to_owned(),
            police_consent: draft.police_consent,
            contact: draft.contact.clone(),
        })
    }

    /// The checks a received document passes (the sender's limits), without its content
    /// in the reason.
    fn check(&mut self) -> std::result::Result<(), &'static str> {
        if self.format != REPORT_FORMAT {
            return Err("not a Vigil report document");
        }
        if self.version != REPORT_VERSION {
            return Err("a report version this build does not read");
        }
        if self.report_id.len() != 32 || !self.report_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the report id is malformed");
        }
        let mut draft = ReportDraft {
            when: std::mem::take(&mut self.when),
            occurred_at: self.occurred_at,
            place: std::mem::take(&mut self.place),
            rough_location: self.rough_location,
            categories: std::mem::take(&mut self.categories),
            what_happened: std::mem::take(&mut self.what_happened),
            identifiers: std::mem::take(&mut self.identifiers),
            description: std::mem::take(&mut self.description),
            police_consent: self.police_consent,
            contact: self.contact.take(),
            booking: None,
        };
        let checked = draft.validate();
        self.when = draft.when;
        self.place = draft.place;
        self.categories = draft.categories;
        self.what_happened = draft.what_happened;
        self.identifiers = draft.identifiers;
        self.description = draft.description;
        self.contact = draft.contact;
        checked.map_err(|_| "a field is out of range")?;
        if self.categories.is_empty() {
            return Err("the report has no category");
        }
        Ok(())
    }
}

/// Encrypts `doc` to the project's report key as a binary age file.
pub fn encrypt_report(doc: &ReportDocument, recipient: &X25519Recipient) -> Result<Vec<u8>> {
    let mut plain = Zeroizing::new(
        serde_json::to_vec(doc)
            .map_err(|_| Error::Decode("the report could not be written".into()))?,
    );
    let padded = plain.len().div_ceil(PAD_BLOCK).max(1) * PAD_BLOCK;
    plain.resize(padded, b' ');
    let mut writer = AgeWriter::new(Vec::new(), &[Recipient::X25519(*recipient)])?;
    writer.write_all(&plain)?;
    Ok(writer.finish()?)
}

/// A file name that says nothing about what the file is beyond "age": 16 random hex
/// digits and `.age`.
pub fn suggested_file_name() -> Result<String> {
    let mut b = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b)
        .map_err(|_| Error::Random)?;
    Ok(format!("{}.age", hex::encode(b)))
}

/// Why a received file was not accepted as a report. The reason never quotes the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is larger than a report can be (over 1 MiB)")]
    TooLarge,
    #[error("not an age file")]
    NotAge,
    #[error("encrypted to another key, not this project's report key")]
    OtherKey,
    #[error("truncated: the file ends early")]
    Truncated,
    #[error("altered: the file failed authentication (changed in transit or on disk)")]
    Altered,
    #[error("decrypted, but not a Vigil report: {0}")]
    NotAReport(&'static str),
    #[error("the file could not be read")]
    Unreadable,
}

/// Decrypts and checks one received file with the project's report identity.
pub fn open_report(
    file: &[u8],
    identity: &X25519Identity,
) -> std::result::Result<ReportDocument, Refusal> {
    if file.len() as u64 > MAX_REPORT_FILE_BYTES {
        return Err(Refusal::TooLarge);
    }
    let armored = file
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .is_some_and(|start| file[start..].starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    if !file.starts_with(b"age-encryption.org/") && !armored {
        return Err(Refusal::NotAge);
    }
    let identities = [Identity::X25519(identity.clone())];
    let mut reader = AgeReader::new(file, &identities).map_err(|e| header_refusal(e, file))?;
    let mut plain = Zeroizing::new(Vec::new());
    if let Err(e) = reader.read_to_end(&mut plain) {
        return Err(payload_refusal(AgeError::from_io(e), file, armored));
    }
    let mut doc: ReportDocument = serde_json::from_slice(&plain)
        .map_err(|_| Refusal::NotAReport("not a Vigil report document"))?;
    doc.check().map_err(Refusal::NotAReport)?;
    Ok(doc)
}

fn header_refusal(e: AgeError, file: &[u8]) -> Refusal {
    match e {
        AgeError::NoMatchingIdentity | AgeError::UnsupportedRecipient(_) => Refusal::OtherKey,
        AgeError::UnsupportedVersion => Refusal::NotAge,
        // The header never got to its MAC line: the file was cut inside it.
        AgeError::MalformedHeader(_) if header_end(file).is_none() => Refusal::Truncated,
        AgeError::MalformedHeader(_) | AgeError::HeaderMac | AgeError::Armor(_) => Refusal::Altered,
        AgeError::Truncated => Refusal::Truncated,
        _ => Refusal::Unreadable,
    }
}

fn payload_refusal(e: AgeError, file: &[u8], armored: bool) -> Refusal {
    match e {
        AgeError::Truncated => Refusal::Truncated,
        AgeError::TamperedChunk { .. } if !armored && !length_is_whole(file) => Refusal::Truncated,
        AgeError::TamperedChunk { .. } | AgeError::TrailingData | AgeError::MalformedPayload(_) => {
            Refusal::Altered
        }
        _ => Refusal::Unreadable,
    }
}

/// Where the binary header ends (just after its `---` MAC line), if it is complete.
fn header_end(file: &[u8]) -> Option<usize> {
    let mac = file.windows(5).position(|w| w == b"\n--- ")? + 1;
    let nl = file[mac..].iter().position(|&b| b == b'\n')?;
    Some(mac + nl + 1)
}

/// Whether the payload has the length a padded report always has: a whole number of
/// [`PAD_BLOCK`]s of plaintext, plus a tag per 64 KiB chunk, after the nonce.
fn length_is_whole(file: &[u8]) -> bool {
    let Some(end) = header_end(file) else {
        return false;
    };
    let Some(ct) = (file.len() - end).checked_sub(AGE_NONCE) else {
        return false;
    };
    let chunks = ct.div_ceil(AGE_CHUNK + AGE_TAG);
    let Some(plain) = ct.checked_sub(chunks * AGE_TAG) else {
        return false;
    };
    plain > 0 && plain % PAD_BLOCK == 0 && plain.div_ceil(AGE_CHUNK) == chunks
}
