//! The payload: age's STREAM construction over ChaCha20-Poly1305.
//!
//! The payload key is HKDF-SHA256(file key, salt = 16-byte nonce, "payload"). Plaintext is
//! cut into 64 KiB chunks; chunk *i* is sealed with the nonce `i` (11 bytes, big endian)
//! followed by a flag byte that is 1 on the final chunk only. The final chunk may be full
//! but is empty only when the whole payload is empty. Truncation at a chunk boundary is
//! therefore detectable: the last chunk present is not flagged final.

use std::io::{self, BufRead, BufReader, Read, Write};

use ring::aead::{Aad, LessSafeKey, Nonce, Tag};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::armor::{self, Dearmor};
use super::header::Header;
use super::keys::{is_supported_type, Identity, Recipient};
use super::primitives::{aead_key, hkdf_sha256, FILE_KEY_LEN, TAG_LEN};
use super::{AgeError, DEFAULT_MAX_WORK_FACTOR};

/// Plaintext bytes per chunk.
pub(crate) const CHUNK_LEN: usize = 64 * 1024;
const ENC_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
const NONCE_LEN: usize = 16;
/// The counter is 88 bits; no real file comes near it, but it must never wrap.
const MAX_COUNTER: u128 = (1 << 88) - 1;

fn chunk_nonce(counter: u128, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[..11].copy_from_slice(&counter.to_be_bytes()[5..]);
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

fn payload_key(
    file_key: &[u8; FILE_KEY_LEN],
    nonce: &[u8; NONCE_LEN],
) -> Result<LessSafeKey, AgeError> {
    let key = Zeroizing::new(hkdf_sha256(nonce, file_key, b"payload")?);
    aead_key(&key)
}

/// Encrypts a stream to one or more recipients. Bytes written are buffered up to one
/// chunk; [`AgeWriter::finish`] seals the final chunk. A writer dropped without `finish`
/// leaves a file every reader rejects as truncated, never one that looks complete.
pub struct AgeWriter<W: Write> {
    inner: W,
    key: LessSafeKey,
    counter: u128,
    buf: Zeroizing<Vec<u8>>,
}

impl<W: Write> std::fmt::Debug for AgeWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgeWriter")
            .field("chunks", &self.counter)
            .finish_non_exhaustive()
    }
}

impl<W: Write> AgeWriter<W> {
    /// Writes the header for `recipients` and returns a writer for the plaintext.
    pub fn new(mut inner: W, recipients: &[Recipient]) -> Result<Self, AgeError> {
        if recipients.is_empty() {
            return Err(AgeError::InvalidRecipient(
                "at least one recipient is needed",
            ));
        }
        if recipients.len() > 1
            && recipients
                .iter()
                .any(|r| matches!(r, Recipient::Passphrase { .. }))
        {
            return Err(AgeError::InvalidRecipient(
                "a passphrase cannot be combined with other recipients",
            ));
        }
        let rng = SystemRandom::new();
        let mut file_key = Zeroizing::new([0u8; FILE_KEY_LEN]);
        rng.fill(&mut file_key[..]).map_err(|_| AgeError::Crypto)?;
        let stanzas = recipients
            .iter()
            .map(|r| r.wrap(&file_key, &rng))
            .collect::<Result<Vec<_>, _>>()?;
        Header::write(&mut inner, &stanzas, &file_key)?;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce).map_err(|_| AgeError::Crypto)?;
        inner.write_all(&nonce)?;
        Ok(Self {
            key: payload_key(&file_key, &nonce)?,
            inner,
            counter: 0,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK_LEN)),
        })
    }

    fn seal_chunk(&mut self, last: bool) -> Result<(), AgeError> {
        if self.counter > MAX_COUNTER {
            return Err(AgeError::MalformedPayload(
                "the payload is too large for the chunk counter",
            ));
        }
        let tag: Tag = self
            .key
            .seal_in_place_separate_tag(
                chunk_nonce(self.counter, last),
                Aad::empty(),
                &mut self.buf[..],
            )
            .map_err(|_| AgeError::Crypto)?;
        self.inner.write_all(&self.buf)?;
        self.inner.write_all(tag.as_ref())?;
        self.buf.clear();
        self.counter += 1;
        Ok(())
    }

    /// Seals the final chunk, flushes, and returns the inner writer.
    pub fn finish(mut self) -> Result<W, AgeError> {
        self.seal_chunk(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for AgeWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while !rest.is_empty() {
            // A full chunk is sealed only once more data proves it is not the last.
            if self.buf.len() == CHUNK_LEN {
                self.seal_chunk(false).map_err(AgeError::into_io)?;
            }
            let take = (CHUNK_LEN - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        Ok(data.len())
    }

    /// Flushes the inner writer; buffered plaintext stays until its chunk is complete.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

enum State {
    Streaming,
    /// The final chunk was released; only the end of input may follow.
    ExpectEnd,
    Done,
    Failed(AgeError),
}

/// Decrypts a stream. Each chunk is authenticated before any of its bytes are returned;
/// after a failure every further read fails the same way.
pub struct AgeReader<R: Read> {
    inner: BufReader<Source<R>>,
    key: LessSafeKey,
    counter: u128,
    enc: Vec<u8>,
    plain: Zeroizing<Vec<u8>>,
    pos: usize,
    state: State,
}

impl<R: Read> std::fmt::Debug for AgeReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgeReader")
            .field("chunks", &self.counter)
            .finish_non_exhaustive()
    }
}

impl<R: Read> AgeReader<R> {
    /// Reads and authenticates the header with the first identity that opens it, with the
    /// default [`ReadOptions`] (armor detected, age's work-factor cap).
    pub fn new(inner: R, identities: &[Identity]) -> Result<Self, AgeError> {
        Self::with_options(inner, identities, &ReadOptions::default())
    }

    pub fn with_options(
        inner: R,
        identities: &[Identity],
        options: &ReadOptions,
    ) -> Result<Self, AgeError> {
        let mut raw = BufReader::with_capacity(8 * 1024, inner);
        let armored = match options.armor {
            ArmorMode::Detect => looks_armored(&mut raw)?,
            ArmorMode::Required => true,
            ArmorMode::Refused => false,
        };
        let source = if armored {
            Source::Armored(Dearmor::new(raw))
        } else {
            Source::Binary(raw)
        };
        let mut inner = BufReader::with_capacity(8 * 1024, source);
        let header = Header::read(&mut inner)?;
        let mut file_key = None;
        for identity in identities {
            if let Some(key) = identity.unwrap(&header.stanzas, options.max_work_factor)? {
                file_key = Some(Zeroizing::new(key));
                break;
            }
        }
        let file_key = file_key.ok_or_else(|| no_match_error(&header, identities))?;
        header.verify_mac(&file_key)?;
        let mut nonce = [0u8; NONCE_LEN];
        inner
            .read_exact(&mut nonce)
            .map_err(|e| match AgeError::from_io(e) {
                AgeError::Io(_) => {
                    AgeError::MalformedHeader("the payload nonce is missing or short")
                }
                other => other,
            })?;
        Ok(Self {
            key: payload_key(&file_key, &nonce)?,
            inner,
            counter: 0,
            enc: Vec::with_capacity(ENC_CHUNK_LEN + 1),
            plain: Zeroizing::new(Vec::with_capacity(CHUNK_LEN)),
            pos: 0,
            state: State::Streaming,
        })
    }

    /// Reads until `enc` holds `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        while self.enc.len() < want {
            let start = self.enc.len();
            self.enc.resize(want, 0);
            match self.inner.read(&mut self.enc[start..]) {
                Ok(0) => {
                    self.enc.truncate(start);
                    return Ok(());
                }
                Ok(n) => self.enc.truncate(start + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => self.enc.truncate(start),
                Err(e) => {
                    self.enc.truncate(start);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Opens `self.enc[..len]` as chunk `counter` into `self.plain`; false if it fails.
    fn try_open(&mut self, len: usize, last: bool) -> bool {
        self.plain.clear();
        self.plain.extend_from_slice(&self.enc[..len]);
        let opened = self
            .key
            .open_in_place(
                chunk_nonce(self.counter, last),
                Aad::empty(),
                &mut self.plain[..],
            )
            .map(|p| p.len());
        match opened {
            Ok(n) => {
                self.plain.truncate(n);
                true
            }
            Err(_) => {
                zeroize::Zeroize::zeroize(&mut self.plain[..]);
                self.plain.clear();
                false
            }
        }
    }

    /// Authenticates the next chunk into `self.plain`.
    fn next_chunk(&mut self) -> Result<(), AgeError> {
        if self.counter > MAX_COUNTER {
            return Err(AgeError::MalformedPayload(
                "the payload is too large for the chunk counter",
            ));
        }
        // One byte beyond a full chunk tells whether more follows.
        self.fill(ENC_CHUNK_LEN + 1)?;
        let n = self.enc.len();
        let index = u64::try_from(self.counter).unwrap_or(u64::MAX);
        if n == 0 {
            return Err(AgeError::Truncated);
        }
        if n < TAG_LEN {
            return Err(AgeError::TamperedChunk { index });
        }
        let more = n > ENC_CHUNK_LEN;
        let len = n.min(ENC_CHUNK_LEN);
        // A short chunk can only be the final one. A full chunk is normally not final, but
        // a full final chunk is valid: the flag byte decides.
        let last = if len < ENC_CHUNK_LEN {
            if !self.try_open(len, true) {
                return Err(AgeError::TamperedChunk { index });
            }
            true
        } else if self.try_open(len, false) {
            false
        } else if self.try_open(len, true) {
            true
        } else {
            return Err(AgeError::TamperedChunk { index });
        };
        if last && self.plain.is_empty() && self.counter > 0 {
            return Err(AgeError::MalformedPayload("the final chunk is empty"));
        }
        self.enc.drain(..len);
        self.pos = 0;
        self.counter += 1;
        self.state = match (last, more) {
            (true, false) => State::Done,
            (true, true) => State::ExpectEnd,
            (false, _) => State::Streaming,
        };
        Ok(())
    }
}

impl<R: Read> Read for AgeReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.plain.len() {
                let n = (self.plain.len() - self.pos).min(out.len());
                out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            match &self.state {
                State::Done => return Ok(0),
                State::Failed(e) => return Err(e.replay().into_io()),
                State::ExpectEnd => {
                    let e = AgeError::TrailingData;
                    self.state = State::Failed(e.replay());
                    return Err(e.into_io());
                }
                State::Streaming => {
                    if let Err(e) = self.next_chunk() {
                        self.plain.clear();
                        self.state = State::Failed(e.replay());
                        return Err(e.into_io());
                    }
                }
            }
        }
    }
}

/// How the reader treats ASCII armor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArmorMode {
    /// Armored if the input, after leading whitespace, starts with `-----`.
    #[default]
    Detect,
    /// Always armored (the caller knows).
    Required,
    /// Binary only.
    Refused,
}

/// Reader settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Highest accepted scrypt work factor (log2 N).
    pub max_work_factor: u8,
    pub armor: ArmorMode,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_work_factor: DEFAULT_MAX_WORK_FACTOR,
            armor: ArmorMode::Detect,
        }
    }
}

/// The bytes under the header parser: the file itself, or the armor's decoded content.
enum Source<R: Read> {
    Binary(BufReader<R>),
    Armored(Dearmor<BufReader<R>>),
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Binary(r) => r.read(buf),
            Source::Armored(r) => r.read(buf),
        }
    }
}

/// Peeks, without consuming anything, whether the input starts (after whitespace) like a
/// PEM begin line. A binary age file starts with `age-encryption.org/`.
fn looks_armored<R: Read>(input: &mut BufReader<R>) -> Result<bool, AgeError> {
    let buf = input.fill_buf()?;
    let start = buf
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(buf.len());
    Ok(buf[start..].starts_with(&armor::BEGIN[..5]))
}

/// Why no identity opened the header, as precisely as the header allows.
fn no_match_error(header: &Header, identities: &[Identity]) -> AgeError {
    let has_scrypt = header.stanzas.iter().any(|s| s.kind() == "scrypt");
    if has_scrypt
        && identities
            .iter()
            .any(|i| matches!(i, Identity::Passphrase(_)))
    {
        return AgeError::WrongPassphrase;
    }
    if header.stanzas.iter().any(|s| is_supported_type(s.kind())) {
        return AgeError::NoMatchingIdentity;
    }
    let kind: String = header
        .stanzas
        .first()
        .map(|s| s.kind().chars().take(32).collect())
        .unwrap_or_default();
    AgeError::UnsupportedRecipient(kind)
}
