//! age's ASCII armor: strict PEM (RFC 7468) with the label `AGE ENCRYPTED FILE`.
//!
//! Accepted: whitespace before the first and after the last line, LF or CRLF line ends,
//! no line end after the last line. Everything else is rejected: other labels, PEM
//! headers, empty or blank lines inside, lines longer than 64 columns, a short line that
//! is not the last, missing or non-canonical padding, and anything after the end line.
//! Decoding streams one line at a time.

use std::io::{self, BufRead, Read};

use super::{b64, AgeError};

pub(crate) const BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
const END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";
const COLUMNS: usize = 64;
const BYTES_PER_LINE: usize = COLUMNS / 4 * 3;
/// age's bound on the whitespace it skips around the armor.
const MAX_WHITESPACE: usize = 1024;
/// Longer than any valid line (the begin line, 34 bytes, plus CRLF).
const MAX_LINE: u64 = 128;

#[derive(Debug)]
enum State {
    Begin,
    Data,
    /// The end line was read; the error, if any, is reported after the last data.
    Ending(Option<&'static str>),
    Done,
    Failed(&'static str),
}

pub(crate) struct Dearmor<R: BufRead> {
    inner: R,
    state: State,
    out: [u8; BYTES_PER_LINE],
    out_len: usize,
    out_pos: usize,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<R: BufRead> Dearmor<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            state: State::Begin,
            out: [0; BYTES_PER_LINE],
            out_len: 0,
            out_pos: 0,
        }
    }

    /// One line without its LF or CRLF; `None` at the end of input.
    fn line(&mut self) -> Result<Option<Vec<u8>>, AgeError> {
        let mut line = Vec::new();
        let n = (&mut self.inner)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        } else if n as u64 == MAX_LINE {
            return Err(AgeError::Armor("line too long"));
        }
        Ok(Some(line))
    }

    /// After the end line: at most some whitespace, then the end of input.
    fn trailing(&mut self) -> Result<(), AgeError> {
        let mut rest = Vec::new();
        (&mut self.inner)
            .take(MAX_WHITESPACE as u64 + 1)
            .read_to_end(&mut rest)?;
        if !rest.iter().all(|&c| is_space(c)) {
            return Err(AgeError::Armor("data after the end line"));
        }
        if rest.len() > MAX_WHITESPACE {
            return Err(AgeError::Armor("too much whitespace after the end line"));
        }
        Ok(())
    }

    fn step(&mut self) -> Result<(), AgeError> {
        match self.state {
            State::Begin => {
                let mut skipped = 0;
                loop {
                    let line = self.line()?.ok_or(AgeError::Armor("no begin line"))?;
                    if line.iter().all(|&c| is_space(c)) {
                        skipped += line.len() + 1;
                        if skipped > MAX_WHITESPACE {
                            return Err(AgeError::Armor(
                                "too much whitespace before the begin line",
                            ));
                        }
                        continue;
                    }
                    if line != BEGIN {
                        return Err(AgeError::Armor("invalid begin line"));
                    }
                    self.state = State::Data;
                    return Ok(());
                }
            }
            State::Data => {
                let line = self.line()?.ok_or(AgeError::Armor("no end line"))?;
                if line == END {
                    self.state = State::Ending(self.trailing().err().map(armor_reason));
                    return Ok(());
                }
                if line.is_empty() {
                    return Err(AgeError::Armor("empty line"));
                }
                if line.len() > COLUMNS {
                    return Err(AgeError::Armor("line longer than 64 columns"));
                }
                let bytes = b64::decode_padded(&line)
                    .ok_or(AgeError::Armor("invalid or non-canonical base64"))?;
                self.out[..bytes.len()].copy_from_slice(&bytes);
                self.out_len = bytes.len();
                self.out_pos = 0;
                if bytes.len() < BYTES_PER_LINE {
                    // Only the last line may be short.
                    let next = self.line()?;
                    if next.as_deref() != Some(END) {
                        return Err(AgeError::Armor(
                            "a short line is not followed by the end line",
                        ));
                    }
                    self.state = State::Ending(self.trailing().err().map(armor_reason));
                }
                Ok(())
            }
            State::Ending(None) => {
                self.state = State::Done;
                Ok(())
            }
            State::Ending(Some(reason)) => Err(AgeError::Armor(reason)),
            State::Done => Ok(()),
            State::Failed(reason) => Err(AgeError::Armor(reason)),
        }
    }
}

fn armor_reason(e: AgeError) -> &'static str {
    match e {
        AgeError::Armor(reason) => reason,
        _ => "unreadable data after the end line",
    }
}

impl<R: BufRead> Read for Dearmor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = (self.out_len - self.out_pos).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if matches!(self.state, State::Done) {
                return Ok(0);
            }
            if let Err(e) = self.step() {
                if let AgeError::Armor(reason) = e {
                    self.state = State::Failed(reason);
                }
                return Err(e.into_io());
            }
        }
    }
}
