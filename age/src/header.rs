//! The age header: version line, recipient stanzas, and the MAC line.
//!
//! Parsing is strict (one encoding per header) and bounded (a hostile file cannot make the
//! reader buffer more than [`MAX_HEADER_LEN`] bytes). The MAC is computed over the bytes
//! exactly as read, which equals the canonical encoding because nothing else parses.

use std::io::{BufRead, Read, Write};

use ring::hmac;

use super::b64;
use super::primitives::{hkdf_sha256, FILE_KEY_LEN};
use super::AgeError;

const VERSION_LINE: &[u8] = b"age-encryption.org/v1";
const VERSION_PREFIX: &[u8] = b"age-encryption.org/";
const STANZA_PREFIX: &[u8] = b"-> ";
const MAC_PREFIX: &[u8] = b"---";
/// Base64 columns of a full stanza body line.
const BODY_COLUMNS: usize = 64;
/// Upper bound on a header; thousands of recipients fit.
const MAX_HEADER_LEN: usize = 1 << 20;
const MAC_B64_LEN: usize = 43;

/// One recipient stanza: `args[0]` is its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stanza {
    pub args: Vec<String>,
    pub body: Vec<u8>,
}

impl Stanza {
    pub fn kind(&self) -> &str {
        self.args.first().map_or("", String::as_str)
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(STANZA_PREFIX);
        out.extend_from_slice(self.args.join(" ").as_bytes());
        out.push(b'\n');
        let body = b64::encode(&self.body);
        let mut lines = body.as_bytes().chunks(BODY_COLUMNS).peekable();
        let mut last_len = 0;
        while let Some(line) = lines.next() {
            out.extend_from_slice(line);
            out.push(b'\n');
            last_len = line.len();
            if lines.peek().is_none() {
                break;
            }
        }
        // The body always ends with a line shorter than 64 columns, possibly empty.
        if last_len == BODY_COLUMNS || body.is_empty() {
            out.push(b'\n');
        }
    }
}

/// A parsed header, with the bytes the MAC covers.
#[derive(Debug)]
pub(crate) struct Header {
    pub stanzas: Vec<Stanza>,
    mac: [u8; 32],
    mac_input: Vec<u8>,
}

fn mac_key(file_key: &[u8; FILE_KEY_LEN]) -> Result<hmac::Key, AgeError> {
    let key = zeroize::Zeroizing::new(hkdf_sha256(&[], file_key, b"header")?);
    Ok(hmac::Key::new(hmac::HMAC_SHA256, &key[..]))
}

impl Header {
    /// Verifies the MAC in constant time.
    pub fn verify_mac(&self, file_key: &[u8; FILE_KEY_LEN]) -> Result<(), AgeError> {
        hmac::verify(&mac_key(file_key)?, &self.mac_input, &self.mac)
            .map_err(|_| AgeError::HeaderMac)
    }

    /// Writes a complete header for `stanzas`, MAC included.
    pub fn write(
        out: &mut impl Write,
        stanzas: &[Stanza],
        file_key: &[u8; FILE_KEY_LEN],
    ) -> Result<(), AgeError> {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(VERSION_LINE);
        bytes.push(b'\n');
        for s in stanzas {
            s.encode_into(&mut bytes);
        }
        bytes.extend_from_slice(MAC_PREFIX);
        let tag = hmac::sign(&mac_key(file_key)?, &bytes);
        bytes.push(b' ');
        bytes.extend_from_slice(b64::encode(tag.as_ref()).as_bytes());
        bytes.push(b'\n');
        out.write_all(&bytes)?;
        Ok(())
    }

    /// Reads a header, leaving `input` positioned at the payload nonce.
    pub fn read(input: &mut impl BufRead) -> Result<Header, AgeError> {
        let mut raw = Vec::with_capacity(256);
        let version =
            read_line(input, &mut raw)?.ok_or(AgeError::MalformedHeader("the file is empty"))?;
        if version != VERSION_LINE {
            return Err(if version.starts_with(VERSION_PREFIX) {
                AgeError::UnsupportedVersion
            } else {
                AgeError::MalformedHeader("not an age file")
            });
        }
        let mut stanzas = Vec::new();
        loop {
            let line_start = raw.len();
            let line = read_line(input, &mut raw)?
                .ok_or(AgeError::MalformedHeader("the header ends before its MAC"))?;
            if let Some(rest) = line.strip_prefix(STANZA_PREFIX) {
                let args = parse_args(rest)?;
                let body = read_body(input, &mut raw)?;
                stanzas.push(Stanza { args, body });
            } else if let Some(rest) = line.strip_prefix(MAC_PREFIX) {
                let encoded = rest
                    .strip_prefix(b" ")
                    .filter(|m| m.len() == MAC_B64_LEN)
                    .ok_or(AgeError::MalformedHeader("malformed MAC line"))?;
                let mac: [u8; 32] = b64::decode(encoded)
                    .and_then(|m| m.try_into().ok())
                    .ok_or(AgeError::MalformedHeader("MAC is not canonical base64"))?;
                raw.truncate(line_start + MAC_PREFIX.len());
                if stanzas.is_empty() {
                    return Err(AgeError::MalformedHeader(
                        "the header has no recipient stanza",
                    ));
                }
                if stanzas.len() > 1 && stanzas.iter().any(|s| s.kind() == "scrypt") {
                    return Err(AgeError::MalformedHeader(
                        "a passphrase stanza must be the only one",
                    ));
                }
                return Ok(Header {
                    stanzas,
                    mac,
                    mac_input: raw,
                });
            } else {
                return Err(AgeError::MalformedHeader("unexpected line in the header"));
            }
        }
    }
}

/// Reads one LF-terminated line (appended to `raw`), without the LF; `None` at end of input.
fn read_line(input: &mut impl BufRead, raw: &mut Vec<u8>) -> Result<Option<Vec<u8>>, AgeError> {
    let budget = MAX_HEADER_LEN.saturating_sub(raw.len());
    let mut line = Vec::new();
    let n = input.take(budget as u64).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    raw.extend_from_slice(&line);
    if line.pop() != Some(b'\n') {
        return Err(if raw.len() >= MAX_HEADER_LEN {
            AgeError::MalformedHeader("the header is too long")
        } else {
            AgeError::MalformedHeader("the header ends in the middle of a line")
        });
    }
    Ok(Some(line))
}

fn parse_args(rest: &[u8]) -> Result<Vec<String>, AgeError> {
    rest.split(|&c| c == b' ')
        .map(|arg| {
            if arg.is_empty() {
                Err(AgeError::MalformedHeader("empty stanza argument"))
            } else if !arg.iter().all(|c| (0x21..=0x7e).contains(c)) {
                Err(AgeError::MalformedHeader(
                    "invalid character in a stanza argument",
                ))
            } else {
                // Printable ASCII, so always valid UTF-8.
                String::from_utf8(arg.to_vec())
                    .map_err(|_| AgeError::MalformedHeader("invalid stanza argument"))
            }
        })
        .collect()
}

/// Body lines: full 64-column lines, then one shorter (possibly empty) line.
fn read_body(input: &mut impl BufRead, raw: &mut Vec<u8>) -> Result<Vec<u8>, AgeError> {
    let mut encoded = Vec::new();
    loop {
        let line = read_line(input, raw)?.ok_or(AgeError::MalformedHeader(
            "a stanza body is missing its final line",
        ))?;
        if line.len() > BODY_COLUMNS {
            return Err(AgeError::MalformedHeader("stanza body line is too long"));
        }
        if !line.iter().all(|&c| b64::is_alphabet(c)) {
            return Err(AgeError::MalformedHeader(
                "invalid character in a stanza body",
            ));
        }
        encoded.extend_from_slice(&line);
        if line.len() < BODY_COLUMNS {
            return b64::decode(&encoded).ok_or(AgeError::MalformedHeader(
                "stanza body is not canonical base64",
            ));
        }
    }
}
