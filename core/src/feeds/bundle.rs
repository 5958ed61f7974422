//! The signed bundle envelope (see `docs/bundle-format.md`).
//!
//! ```text
//! envelope  = magic "VGLB" ‖ format u8 (=1) ‖ payload length u64 BE ‖ payload ‖ signature[64]
//! payload   = key id[8] ‖ kind length u8 ‖ kind (ASCII) ‖ version u64 BE
//!             ‖ issued_at i64 BE ‖ expires_at i64 BE (Unix seconds)
//!             ‖ content length u64 BE ‖ content
//! signed    = "vigil.bundle.v1\0" ‖ payload length u64 BE ‖ payload
//! ```
//!
//! The key id sits at a fixed offset so that it is the only thing read before the
//! signature is checked; every other field is parsed from verified bytes only.

use std::io::Read;
use std::ops::Range;

use chrono::DateTime;

use super::keys::{PublicKey, PublisherKey, PublisherKeyId, SIGNATURE_LEN};
use super::FeedError;
use crate::clock::Timestamp;
use crate::Result;

/// First bytes of every bundle.
pub const MAGIC: &[u8; 4] = b"VGLB";
/// The envelope format this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Domain-separation string prefixed to the signed message.
pub const SIGNATURE_DOMAIN: &[u8] = b"vigil.bundle.v1\0";
/// Default limit on a bundle's payload: larger input is refused before it is read.
pub const DEFAULT_MAX_BUNDLE_BYTES: u64 = 64 * 1024 * 1024;
/// Longest kind name.
const MAX_KIND_LEN: usize = 32;
const HEADER_LEN: usize = 4 + 1 + 8;
/// Bytes a bundle file has beyond its payload (envelope header and signature): the largest
/// file a reader accepts is `DEFAULT_MAX_BUNDLE_BYTES + ENVELOPE_OVERHEAD`.
pub const ENVELOPE_OVERHEAD: u64 = (HEADER_LEN + SIGNATURE_LEN) as u64;

/// What a bundle contains. The kind is signed, so a directory bundle can never be
/// imported as alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum BundleKind {
    /// Client alerts ("ugly mugs"), imported by `screening`.
    Alerts,
    /// The service directory, imported by `directory`.
    Directory,
}

impl BundleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleKind::Alerts => "alerts",
            BundleKind::Directory => "directory",
        }
    }

    fn parse(s: &[u8]) -> Option<Self> {
        match s {
            b"alerts" => Some(BundleKind::Alerts),
            b"directory" => Some(BundleKind::Directory),
            _ => None,
        }
    }
}

impl std::fmt::Display for BundleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a publisher signs.
#[derive(Debug, Clone)]
pub struct BundleDraft<'a> {
    pub kind: BundleKind,
    /// Must grow with every bundle of this kind the publisher issues.
    pub version: u64,
    pub issued_at: Timestamp,
    /// After this the apps keep the bundle but flag it stale.
    pub expires_at: Timestamp,
    pub content: &'a [u8],
}

/// Signs a bundle (publisher tools). Sub-second precision of the times is dropped.
pub fn sign_bundle(key: &PublisherKey, draft: &BundleDraft<'_>) -> Result<Vec<u8>> {
    if draft.expires_at <= draft.issued_at {
        return Err(FeedError::MalformedEnvelope("expiry must be after issue").into());
    }
    let kind = draft.kind.as_str().as_bytes();
    // The apps refuse a payload over this limit: never sign one they would refuse.
    let payload_len = (8 + 1 + kind.len() + 32) as u64 + draft.content.len() as u64;
    if payload_len > DEFAULT_MAX_BUNDLE_BYTES {
        return Err(FeedError::TooLarge {
            limit: DEFAULT_MAX_BUNDLE_BYTES,
        }
        .into());
    }
    let mut payload = Vec::with_capacity(payload_len as usize);
    payload.extend_from_slice(&key.key_id().0);
    payload.push(kind.len() as u8);
    payload.extend_from_slice(kind);
    payload.extend_from_slice(&draft.version.to_be_bytes());
    payload.extend_from_slice(&draft.issued_at.timestamp().to_be_bytes());
    payload.extend_from_slice(&draft.expires_at.timestamp().to_be_bytes());
    payload.extend_from_slice(&(draft.content.len() as u64).to_be_bytes());
    payload.extend_from_slice(draft.content);
    let signature = key.sign(&signed_message(&payload));
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + SIGNATURE_LEN);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&signature);
    Ok(out)
}

fn signed_message(payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_DOMAIN.len() + 8 + payload.len());
    m.extend_from_slice(SIGNATURE_DOMAIN);
    m.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    m.extend_from_slice(payload);
    m
}

/// Bytes before the payload in the signed message: the domain and the payload length.
const MESSAGE_PREFIX_LEN: usize = SIGNATURE_DOMAIN.len() + 8;

/// A bundle read from input but not yet verified: only its key id may be looked at.
///
/// The payload is read straight into the message the signature covers (domain ‖ length ‖
/// payload), so verifying a large bundle does not copy it (a 100,000-alert bundle is
/// 26.6 MiB; a copy doubled the import's peak memory while it was verified).
#[derive(Debug)]
pub struct UnverifiedBundle {
    message: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
}

impl UnverifiedBundle {
    /// Reads one bundle from `input`, refusing a declared payload over `max_bytes` before
    /// reading it, and input that ends early or goes on after the signature.
    pub fn read(mut input: impl Read, max_bytes: u64) -> Result<Self> {
        let mut header = [0u8; HEADER_LEN];
        read_exact_or_truncated(&mut input, &mut header)?;
        if &header[..4] != MAGIC {
            return Err(FeedError::MalformedEnvelope("not a Vigil bundle").into());
        }
        if header[4] != FORMAT_VERSION {
            return Err(FeedError::UnsupportedFormat(header[4]).into());
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&header[5..13]);
        let declared = u64::from_be_bytes(len);
        if declared > max_bytes {
            return Err(FeedError::TooLarge { limit: max_bytes }.into());
        }
        let declared =
            usize::try_from(declared).map_err(|_| FeedError::TooLarge { limit: max_bytes })?;
        // Grow as bytes actually arrive: a lying length cannot make us allocate it up front.
        let mut message = Vec::with_capacity(MESSAGE_PREFIX_LEN + declared.min(1 << 20));
        message.extend_from_slice(SIGNATURE_DOMAIN);
        message.extend_from_slice(&(declared as u64).to_be_bytes());
        (&mut input)
            .take(declared as u64)
            .read_to_end(&mut message)?;
        if message.len() - MESSAGE_PREFIX_LEN != declared {
            return Err(FeedError::Truncated.into());
        }
        let mut signature = [0u8; SIGNATURE_LEN];
        read_exact_or_truncated(&mut input, &mut signature)?;
        let mut extra = [0u8; 1];
        if read_some(&mut input, &mut extra)? != 0 {
            return Err(FeedError::MalformedEnvelope("data after the signature").into());
        }
        Ok(Self { message, signature })
    }

    /// The key id the bundle claims to be signed with (unauthenticated until verified).
    pub fn key_id(&self) -> Result<PublisherKeyId> {
        let id: [u8; 8] = self
            .message
            .get(MESSAGE_PREFIX_LEN..MESSAGE_PREFIX_LEN + 8)
            .and_then(|s| s.try_into().ok())
            .ok_or(FeedError::MalformedEnvelope("payload too short"))?;
        Ok(PublisherKeyId(id))
    }

    /// Checks the signature with `key`, then parses the signed header fields.
    pub fn verify(self, key: &PublicKey) -> Result<SignedBundle> {
        let key_id = self.key_id()?;
        if key.key_id() != key_id {
            return Err(FeedError::UnknownPublisherKey { key_id }.into());
        }
        if !key.verifies(&self.message, &self.signature) {
            return Err(FeedError::BadSignature.into());
        }
        SignedBundle::parse(self.message, MESSAGE_PREFIX_LEN)
    }
}

/// A bundle whose signature has been checked against a pinned key.
#[derive(Debug)]
pub struct SignedBundle {
    pub key_id: PublisherKeyId,
    pub kind: BundleKind,
    pub version: u64,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    /// The signed message (the payload from `start`); the content is a range of it.
    payload: Vec<u8>,
    content: Range<usize>,
}

impl SignedBundle {
    /// Parses the payload, which starts at `start` in `message`.
    fn parse(payload: Vec<u8>, start: usize) -> Result<Self> {
        let mut r = Cursor {
            buf: &payload,
            pos: start,
        };
        let key_id = PublisherKeyId(r.array::<8>()?);
        let kind_len = r.array::<1>()?[0] as usize;
        if kind_len == 0 || kind_len > MAX_KIND_LEN {
            return Err(FeedError::MalformedEnvelope("kind length out of range").into());
        }
        let kind = BundleKind::parse(r.bytes(kind_len)?).ok_or(FeedError::UnknownKind)?;
        let version = u64::from_be_bytes(r.array()?);
        let issued_at = time(i64::from_be_bytes(r.array()?))?;
        let expires_at = time(i64::from_be_bytes(r.array()?))?;
        if expires_at <= issued_at {
            return Err(FeedError::MalformedEnvelope("expiry is not after issue").into());
        }
        let content_len = usize::try_from(u64::from_be_bytes(r.array()?))
            .map_err(|_| FeedError::MalformedEnvelope("content length out of range"))?;
        let start = r.pos;
        if payload.len() - start != content_len {
            return Err(FeedError::MalformedEnvelope("content length does not match").into());
        }
        Ok(Self {
            key_id,
            kind,
            version,
            issued_at,
            expires_at,
            content: start..payload.len(),
            payload,
        })
    }

    /// The content bytes, for the kind's importer to parse.
    pub fn content(&self) -> &[u8] {
        &self.payload[self.content.clone()]
    }

    /// Frees the content once an importer has consumed it (the header fields stay), so a
    /// large bundle is not held while its rows are written.
    pub(crate) fn release_content(&mut self) {
        self.payload = Vec::new();
        self.content = 0..0;
    }

    /// Expired bundles are kept and used, but shown as stale.
    pub fn is_stale(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

fn time(secs: i64) -> Result<Timestamp> {
    Ok(DateTime::from_timestamp(secs, 0)
        .ok_or(FeedError::MalformedEnvelope("time out of range"))?)
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(FeedError::MalformedEnvelope("payload header is cut short"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }
}

fn read_some(input: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    loop {
        match input.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

fn read_exact_or_truncated(input: &mut impl Read, buf: &mut [u8]) -> Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = read_some(input, &mut buf[filled..])?;
        if n == 0 {
            return Err(FeedError::Truncated.into());
        }
        filled += n;
    }
    Ok(())
}
