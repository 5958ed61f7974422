//! The message codec: a fixed binary layout, sealed and signed, as SMS-safe text.
//!
//! ```text
//! text    = "VGL1:" base64(wire)                      (standard alphabet, no padding)
//! wire    = header | sealed | signature
//! header  = version (1) | length of the whole wire (2, BE) | sender key id (8)
//!         | recipient key id (8) | counter (8, BE) | ephemeral X25519 public key (32)
//! sealed  = ChaCha20-Poly1305(HKDF(X25519(eph, recipient), info = header), payload,
//!           aad = header)                             (payload + 16)
//! signature = Ed25519(sender, "vigil.watch.sign.v1" | header | sealed)   (64)
//! payload = kind (1) | check-in id (16) | kind's fields (below)
//! ```
//!
//! WATCH and EXTEND carry the same fields (an EXTEND is a full copy with the new
//! deadline, so a buddy whose WATCH was lost still holds everything): deadline (8, Unix
//! seconds), grace (4, seconds), UTC offset (2, minutes), flags (1: place, booking start),
//! [latitude, longitude (4 + 4, micro-degrees)], [booking start (8)], then four short
//! strings (1-byte length + UTF-8): language, address, client, client's contact. SAFE and
//! DURESS-SAFE carry nothing more, so they have exactly the same length. ACK carries the
//! counter it confirms (8).

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::crypto::{KeyId, KEY_ID_LEN, PUBLIC_LEN, SIGNATURE_LEN, TAG_LEN};
use super::WatchError;
use crate::checkin::sms;
use crate::clock::Timestamp;
use crate::Result;

/// What every watch message starts with, so a shell can pick them out of the SMS inbox.
pub const MESSAGE_PREFIX: &str = "VGL1:";
/// The most SMS segments a message may take (GSM-7: base64 and the prefix are all in the
/// default alphabet, 153 characters a concatenated segment).
pub const MAX_MESSAGE_SEGMENTS: usize = 3;

pub(crate) const VERSION: u8 = 1;
pub(crate) const HEADER_LEN: usize = 1 + 2 + 2 * KEY_ID_LEN + 8 + PUBLIC_LEN;
/// The smallest wire a message can have (the shortest payload is kind + check-in id).
pub(crate) const MIN_WIRE_LEN: usize = HEADER_LEN + 1 + 16 + TAG_LEN + SIGNATURE_LEN;
/// Longest string field (bytes), before fitting.
const MAX_FIELD: usize = 255;

/// The five kinds of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WatchMessageKind {
    /// Worker to buddy: hold this deadline.
    Watch,
    /// Worker to buddy: the deadline moved (a full copy of the watch).
    Extend,
    /// Worker to buddy: checked in, all is well.
    Safe,
    /// Worker to buddy: checked in under duress. Shown as `Safe` on the worker's side.
    DuressSafe,
    /// Buddy to worker: message received.
    Ack,
}

impl WatchMessageKind {
    fn code(self) -> u8 {
        match self {
            Self::Watch => 1,
            Self::Extend => 2,
            Self::Safe => 3,
            Self::DuressSafe => 4,
            Self::Ack => 5,
        }
    }

    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => Self::Watch,
            2 => Self::Extend,
            3 => Self::Safe,
            4 => Self::DuressSafe,
            5 => Self::Ack,
            _ => return None,
        })
    }
}

/// What a WATCH (or EXTEND) tells the buddy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchTerms {
    pub deadline: Timestamp,
    pub grace_secs: u32,
    /// The worker's UTC offset, for times shown to the buddy.
    pub utc_offset_minutes: i16,
    /// The worker's language, for the buddy's screen if theirs has it.
    pub language: String,
    /// The booking's address, as the worker typed it.
    pub address: Option<String>,
    /// The booking place (latitude, longitude), to six decimals.
    pub place: Option<(f64, f64)>,
    pub client: Option<String>,
    /// The client's phone, e-mail or handle.
    pub client_contact: Option<String>,
    pub booking_starts_at: Option<Timestamp>,
}

/// A message's content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Payload {
    Watch([u8; 16], WatchTerms),
    Extend([u8; 16], WatchTerms),
    Safe([u8; 16]),
    DuressSafe([u8; 16]),
    Ack([u8; 16], u64),
}

impl Payload {
    pub(crate) fn kind(&self) -> WatchMessageKind {
        match self {
            Payload::Watch(..) => WatchMessageKind::Watch,
            Payload::Extend(..) => WatchMessageKind::Extend,
            Payload::Safe(_) => WatchMessageKind::Safe,
            Payload::DuressSafe(_) => WatchMessageKind::DuressSafe,
            Payload::Ack(..) => WatchMessageKind::Ack,
        }
    }

    pub(crate) fn checkin(&self) -> [u8; 16] {
        match self {
            Payload::Watch(c, _)
            | Payload::Extend(c, _)
            | Payload::Safe(c)
            | Payload::DuressSafe(c)
            | Payload::Ack(c, _) => *c,
        }
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.kind().code()];
        out.extend_from_slice(&self.checkin());
        match self {
            Payload::Watch(_, t) | Payload::Extend(_, t) => encode_terms(t, &mut out),
            Payload::Safe(_) | Payload::DuressSafe(_) => {}
            Payload::Ack(_, counter) => out.extend_from_slice(&counter.to_be_bytes()),
        }
        out
    }

    /// Decodes a payload that passed authentication; anything left over or missing is
    /// [`WatchError::Malformed`].
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader(bytes);
        let kind = WatchMessageKind::from_code(r.u8()?).ok_or(WatchError::Malformed)?;
        let checkin: [u8; 16] = r.take(16)?.try_into().map_err(|_| WatchError::Malformed)?;
        let payload = match kind {
            WatchMessageKind::Watch => Payload::Watch(checkin, decode_terms(&mut r)?),
            WatchMessageKind::Extend => Payload::Extend(checkin, decode_terms(&mut r)?),
            WatchMessageKind::Safe => Payload::Safe(checkin),
            WatchMessageKind::DuressSafe => Payload::DuressSafe(checkin),
            WatchMessageKind::Ack => Payload::Ack(checkin, r.u64()?),
        };
        if !r.0.is_empty() {
            return Err(WatchError::Malformed.into());
        }
        Ok(payload)
    }
}

const FLAG_PLACE: u8 = 1;
const FLAG_STARTS: u8 = 2;

fn micro(deg: f64) -> i32 {
    (deg * 1e6).round().clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

fn encode_terms(t: &WatchTerms, out: &mut Vec<u8>) {
    out.extend_from_slice(&t.deadline.timestamp().to_be_bytes());
    out.extend_from_slice(&t.grace_secs.to_be_bytes());
    out.extend_from_slice(&t.utc_offset_minutes.to_be_bytes());
    let flags = if t.place.is_some() { FLAG_PLACE } else { 0 }
        | if t.booking_starts_at.is_some() {
            FLAG_STARTS
        } else {
            0
        };
    out.push(flags);
    if let Some((lat, lon)) = t.place {
        out.extend_from_slice(&micro(lat).to_be_bytes());
        out.extend_from_slice(&micro(lon).to_be_bytes());
    }
    if let Some(s) = t.booking_starts_at {
        out.extend_from_slice(&s.timestamp().to_be_bytes());
    }
    for s in [
        Some(&t.language),
        t.address.as_ref(),
        t.client.as_ref(),
        t.client_contact.as_ref(),
    ] {
        let s = s.map_or("", |s| s.as_str());
        let s = cut(s, MAX_FIELD);
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    }
}

fn time(secs: i64) -> Result<Timestamp> {
    let t = DateTime::<Utc>::from_timestamp(secs, 0).ok_or(WatchError::Malformed)?;
    crate::clock::check_time(t, "time").map_err(|_| WatchError::Malformed)?;
    Ok(t)
}

fn decode_terms(r: &mut Reader<'_>) -> Result<WatchTerms> {
    let deadline = time(r.i64()?)?;
    let grace_secs = r.u32()?;
    if i64::from(grace_secs) > crate::checkin::engine::MAX_TOTAL_SECS {
        return Err(WatchError::Malformed.into());
    }
    let utc_offset_minutes = i16::from_be_bytes(r.array()?);
    if utc_offset_minutes.unsigned_abs() > 14 * 60 {
        return Err(WatchError::Malformed.into());
    }
    let flags = r.u8()?;
    if flags & !(FLAG_PLACE | FLAG_STARTS) != 0 {
        return Err(WatchError::Malformed.into());
    }
    let place = if flags & FLAG_PLACE != 0 {
        let lat = f64::from(i32::from_be_bytes(r.array()?)) / 1e6;
        let lon = f64::from(i32::from_be_bytes(r.array()?)) / 1e6;
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(WatchError::Malformed.into());
        }
        Some((lat, lon))
    } else {
        None
    };
    let booking_starts_at = if flags & FLAG_STARTS != 0 {
        Some(time(r.i64()?)?)
    } else {
        None
    };
    let language = r.string()?;
    let opt = |s: String| (!s.is_empty()).then_some(s);
    Ok(WatchTerms {
        deadline,
        grace_secs,
        utc_offset_minutes,
        language,
        address: opt(r.string()?),
        place,
        client: opt(r.string()?),
        client_contact: opt(r.string()?),
        booking_starts_at,
    })
}

/// `s` cut to at most `max` bytes at a character boundary.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        if self.0.len() < n {
            return Err(WatchError::Malformed.into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self
            .take(N)?
            .try_into()
            .map_err(|_| WatchError::Malformed)?)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_be_bytes(self.array()?))
    }
    fn string(&mut self) -> Result<String> {
        let n = usize::from(self.u8()?);
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| WatchError::Malformed.into())
    }
}

/// A message as read off the wire, before anything is checked but its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wire {
    pub sender: KeyId,
    pub recipient: KeyId,
    pub counter: u64,
    pub ephemeral: [u8; PUBLIC_LEN],
    /// Header and sealed payload: what the signature covers.
    pub signed: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Wire {
    pub(crate) fn header(&self) -> &[u8] {
        &self.signed[..HEADER_LEN]
    }

    pub(crate) fn sealed(&self) -> &[u8] {
        &self.signed[HEADER_LEN..]
    }
}

/// The header of a message whose payload is `payload_len` bytes.
pub(crate) fn header(
    sender: KeyId,
    recipient: KeyId,
    counter: u64,
    ephemeral: &[u8; PUBLIC_LEN],
    payload_len: usize,
) -> Vec<u8> {
    let total = HEADER_LEN + payload_len + TAG_LEN + SIGNATURE_LEN;
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.push(VERSION);
    h.extend_from_slice(&u16::try_from(total).unwrap_or(u16::MAX).to_be_bytes());
    h.extend_from_slice(&sender.0);
    h.extend_from_slice(&recipient.0);
    h.extend_from_slice(&counter.to_be_bytes());
    h.extend_from_slice(ephemeral);
    h
}

/// The text form of a signed wire.
pub(crate) fn to_text(signed: &[u8], signature: &[u8]) -> String {
    let mut all = signed.to_vec();
    all.extend_from_slice(signature);
    format!("{MESSAGE_PREFIX}{}", STANDARD_NO_PAD.encode(all))
}

/// Whether `text` looks like a watch message at all (the prefix), for a shell sorting
/// its inbox. Says nothing about whether it is valid.
pub fn is_watch_message(text: &str) -> bool {
    text.trim_start().starts_with(MESSAGE_PREFIX)
}

/// Reads the shape of a message: prefix, base64, version, length. Whitespace inside (a
/// pasted message wrapped over lines) is ignored. A message shorter than its header says
/// (an SMS segment lost, a paste cut off) is [`WatchError::Truncated`].
pub(crate) fn parse(text: &str) -> Result<Wire> {
    let text = text.trim();
    let body = text
        .strip_prefix(MESSAGE_PREFIX)
        .ok_or(WatchError::NotAWatchMessage)?;
    let mut body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    // Cut anywhere, base64 can end one character into a byte: read what is whole.
    let cut_mid_byte = body.len() % 4 == 1;
    if cut_mid_byte {
        body.pop();
    }
    let bytes = STANDARD_NO_PAD
        .decode(body.as_bytes())
        .map_err(|_| WatchError::Malformed)?;
    if bytes.first().is_some_and(|v| *v != VERSION) {
        return Err(WatchError::UnsupportedVersion.into());
    }
    if bytes.len() < 3 {
        return Err(WatchError::Truncated.into());
    }
    let declared = usize::from(u16::from_be_bytes([bytes[1], bytes[2]]));
    if bytes.len() < declared || cut_mid_byte {
        return Err(WatchError::Truncated.into());
    }
    if bytes.len() > declared || declared < MIN_WIRE_LEN {
        return Err(WatchError::Malformed.into());
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let mut at = 3;
    let mut next = |n: usize| {
        let s = &signed[at..at + n];
        at += n;
        s
    };
    let sender = KeyId(
        next(KEY_ID_LEN)
            .try_into()
            .map_err(|_| WatchError::Truncated)?,
    );
    let recipient = KeyId(
        next(KEY_ID_LEN)
            .try_into()
            .map_err(|_| WatchError::Truncated)?,
    );
    let counter = u64::from_be_bytes(next(8).try_into().map_err(|_| WatchError::Truncated)?);
    let ephemeral: [u8; PUBLIC_LEN] = next(PUBLIC_LEN)
        .try_into()
        .map_err(|_| WatchError::Truncated)?;
    Ok(Wire {
        sender,
        recipient,
        counter,
        ephemeral,
        signed: signed.to_vec(),
        signature: signature.to_vec(),
    })
}

/// For the fuzz target only: decodes `bytes` as a payload (what follows authentication)
/// and, when it decodes, checks that encoding it again decodes to the same payload.
/// Returns whether it decoded.
#[doc(hidden)]
pub fn fuzz_payload_round_trip(bytes: &[u8]) -> bool {
    let Ok(p) = Payload::decode(bytes) else {
        return false;
    };
    let again = Payload::decode(&p.encode()).expect("an encoded payload decodes");
    assert_eq!(again, p, "payload round trip changed it");
    true
}

/// Whether a text fits the SMS budget.
pub fn fits_sms(text: &str) -> bool {
    sms::segments(text) <= MAX_MESSAGE_SEGMENTS
}

/// Text length (characters) of a wire of `n` bytes.
pub(crate) fn text_len(wire_len: usize) -> usize {
    MESSAGE_PREFIX.len() + (wire_len * 4).div_ceil(3)
}

/// The payload budget in bytes: the largest payload whose message stays within
/// [`MAX_MESSAGE_SEGMENTS`] GSM-7 segments.
pub(crate) fn max_payload() -> usize {
    let overhead = HEADER_LEN + TAG_LEN + SIGNATURE_LEN;
    let mut n = 0;
    while text_len(overhead + n + 1) <= 153 * MAX_MESSAGE_SEGMENTS {
        n += 1;
    }
    n
}

/// Shortens the free-text fields of `terms` (longest first, at character boundaries) until
/// its payload fits the budget. Returns whether anything was cut.
pub(crate) fn fit_terms(checkin: [u8; 16], terms: &mut WatchTerms) -> bool {
    let budget = max_payload();
    let mut cut_any = false;
    loop {
        let len = Payload::Watch(checkin, terms.clone()).encode().len();
        if len <= budget {
            return cut_any;
        }
        let over = len - budget;
        cut_any = true;
        let fields = [
            &mut terms.address,
            &mut terms.client,
            &mut terms.client_contact,
        ];
        let Some(longest) = fields
            .into_iter()
            .filter(|f| f.is_some())
            .max_by_key(|f| f.as_ref().map_or(0, |s| s.len()))
        else {
            // Only fixed fields and the language left: drop the language.
            terms.language.clear();
            return true;
        };
        let s = longest.take().unwrap_or_default();
        let keep = cut(&s, s.len().saturating_sub(over).min(MAX_FIELD)).to_owned();
        *longest = (!keep.is_empty()).then_some(keep);
    }
}
