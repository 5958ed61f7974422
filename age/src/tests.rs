use std::io::{Cursor, Read, Write};

use super::stream::CHUNK_LEN;
use super::*;

const WF: u8 = 8;
const TAG: usize = 16;

fn pass(p: &str) -> Vec<Recipient> {
    vec![Recipient::passphrase_with_work_factor(p, WF)]
}

fn seal(plain: &[u8], recipients: &[Recipient]) -> Vec<u8> {
    let mut w = AgeWriter::new(Vec::new(), recipients).unwrap();
    // Uneven writes, to cross chunk boundaries mid-write.
    for part in plain.chunks(10_007) {
        w.write_all(part).unwrap();
    }
    w.finish().unwrap()
}

fn open(file: &[u8], identities: &[Identity]) -> (Vec<u8>, Option<AgeError>) {
    let mut r = match AgeReader::new(Cursor::new(file), identities) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 30_000];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Some(AgeError::from_io(e))),
        }
    }
}

fn payload_offset(file: &[u8]) -> usize {
    let mac = file.windows(4).position(|w| w == b"\n---").unwrap() + 1;
    mac + file[mac..].iter().position(|&c| c == b'\n').unwrap() + 1 + 16
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn round_trips_at_every_chunk_boundary() {
    for len in [
        0,
        1,
        CHUNK_LEN - 1,
        CHUNK_LEN,
        CHUNK_LEN + 1,
        2 * CHUNK_LEN,
        3 * CHUNK_LEN + 5,
    ] {
        let plain = data(len);
        let file = seal(&plain, &pass("pw"));
        // Chunk layout: full chunks, and a final one that is empty only for empty input.
        let payload = file.len() - payload_offset(&file);
        let chunks = len.div_ceil(CHUNK_LEN).max(1);
        assert_eq!(payload, len + chunks * TAG, "len {len}");
        let (out, err) = open(&file, &[Identity::passphrase("pw")]);
        assert!(err.is_none(), "len {len}: {err:?}");
        assert_eq!(out, plain, "len {len}");
    }
}

#[test]
fn x25519_round_trip_and_key_encodings() {
    let id = X25519Identity::generate().unwrap();
    let secret = id.to_secret_string();
    assert!(secret.starts_with("AGE-SECRET-KEY-1"));
    let parsed: X25519Identity = secret.parse().unwrap();
    assert_eq!(parsed.to_public(), id.to_public());
    let public = id.to_public().to_string();
    assert!(public.starts_with("age1") && public.len() == 62, "{public}");
    assert_eq!(public.parse::<X25519Recipient>().unwrap(), id.to_public());

    let plain = data(100_000);
    let file = seal(&plain, &[Recipient::X25519(id.to_public())]);
    assert_eq!(open(&file, &[Identity::X25519(parsed)]).0, plain);
}

#[test]
fn a_known_identity_encoding_round_trips() {
    // The CCTV `x25519` vector's identity (the vectors check that it decrypts).
    let id: X25519Identity =
        "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
            .parse()
            .unwrap();
    let back = id.to_secret_string();
    assert_eq!(
        &*back,
        "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
    );
}

#[test]
fn key_parsing_rejects_wrong_kinds() {
    let id = X25519Identity::generate().unwrap();
    let public = id.to_public().to_string();
    assert!(matches!(
        public.parse::<X25519Identity>(),
        Err(AgeError::InvalidIdentity(_))
    ));
    assert!(matches!(
        id.to_secret_string().parse::<X25519Recipient>(),
        Err(AgeError::InvalidRecipient(_))
    ));
    let mut typo = public.clone();
    typo.replace_range(10..11, if &public[10..11] == "q" { "p" } else { "q" });
    assert!(matches!(
        typo.parse::<X25519Recipient>(),
        Err(AgeError::InvalidRecipient(_))
    ));
}

/// Builds a key string from raw 5-bit groups, so tests can write forms the encoder never
/// produces (bad padding, the Bech32m checksum).
fn bech32_string<Ck: bech32::Checksum>(hrp: &str, fes: &[u8], upper: bool) -> String {
    use bech32::primitives::iter::Fe32IterExt;
    let hrp = bech32::Hrp::parse(hrp).unwrap();
    let fes = fes.iter().map(|&v| bech32::Fe32::try_from(v).unwrap());
    let s: String = fes.with_checksum::<Ck>(&hrp).chars().collect();
    if upper {
        s.to_ascii_uppercase()
    } else {
        s
    }
}

/// The 5-bit groups of `bytes`, zero-padded (the canonical form).
fn groups(bytes: &[u8]) -> Vec<u8> {
    use bech32::primitives::iter::ByteIterExt;
    bytes
        .iter()
        .copied()
        .bytes_to_fes()
        .map(|fe| fe.to_u8())
        .collect()
}

#[test]
fn key_strings_have_exactly_one_spelling() {
    let key = [0x5au8; 32];
    let fes = groups(&key);
    assert_eq!(fes.len(), 52, "256 bits: 52 groups and 4 padding bits");

    // The canonical forms parse, and upper-case recipients are accepted as in age.
    let recipient = bech32_string::<bech32::Bech32>("age", &fes, false);
    assert_eq!(
        recipient.parse::<X25519Recipient>().unwrap().to_string(),
        recipient
    );
    assert_eq!(
        recipient
            .to_ascii_uppercase()
            .parse::<X25519Recipient>()
            .unwrap()
            .to_string(),
        recipient
    );
    let identity = bech32_string::<bech32::Bech32>("age-secret-key-", &fes, true);
    assert_eq!(
        identity
            .parse::<X25519Identity>()
            .unwrap()
            .to_secret_string()
            .as_str(),
        identity
    );

    // Non-zero padding bits: the same key, a second spelling.
    let mut dirty = fes.clone();
    *dirty.last_mut().unwrap() |= 1;
    assert!(matches!(
        bech32_string::<bech32::Bech32>("age", &dirty, false).parse::<X25519Recipient>(),
        Err(AgeError::InvalidRecipient("not a valid Bech32 string"))
    ));
    assert!(matches!(
        bech32_string::<bech32::Bech32>("age-secret-key-", &dirty, true).parse::<X25519Identity>(),
        Err(AgeError::InvalidIdentity("not a valid Bech32 string"))
    ));

    // A whole extra group of padding (9 bits).
    let mut long = fes.clone();
    long.push(0);
    assert!(bech32_string::<bech32::Bech32>("age", &long, false)
        .parse::<X25519Recipient>()
        .is_err());

    // Bech32m, Bitcoin's later checksum, is not what age writes or reads.
    assert!(matches!(
        bech32_string::<bech32::Bech32m>("age", &fes, false).parse::<X25519Recipient>(),
        Err(AgeError::InvalidRecipient("not a valid Bech32 string"))
    ));
    assert!(matches!(
        bech32_string::<bech32::Bech32m>("age-secret-key-", &fes, true).parse::<X25519Identity>(),
        Err(AgeError::InvalidIdentity("not a valid Bech32 string"))
    ));

    // Mixed case, and a lower-case identity.
    let mut mixed = recipient.clone();
    mixed.replace_range(0..1, "A");
    assert!(mixed.parse::<X25519Recipient>().is_err());
    assert!(matches!(
        identity.to_ascii_lowercase().parse::<X25519Identity>(),
        Err(AgeError::InvalidIdentity(
            "identities are written in upper case"
        ))
    ));

    // A 31- or 33-byte key under the right prefix.
    for len in [31, 33] {
        let other = bech32_string::<bech32::Bech32>("age", &groups(&vec![7u8; len]), false);
        assert!(matches!(
            other.parse::<X25519Recipient>(),
            Err(AgeError::InvalidRecipient("wrong key length"))
        ));
    }
}

#[test]
fn writer_rejects_bad_recipient_sets() {
    let id = X25519Identity::generate().unwrap();
    let mixed = [
        Recipient::passphrase("a"),
        Recipient::X25519(id.to_public()),
    ];
    assert!(matches!(
        AgeWriter::new(Vec::new(), &mixed),
        Err(AgeError::InvalidRecipient(_))
    ));
    assert!(matches!(
        AgeWriter::new(Vec::new(), &[]),
        Err(AgeError::InvalidRecipient(_))
    ));
    assert!(matches!(
        AgeWriter::new(Vec::new(), &pass("")),
        Err(AgeError::InvalidRecipient(_))
    ));
    let too_hard = [Recipient::passphrase_with_work_factor("a", 23)];
    assert!(matches!(
        AgeWriter::new(Vec::new(), &too_hard),
        Err(AgeError::InvalidRecipient(_))
    ));
}

#[test]
fn default_work_factor_is_ages() {
    match Recipient::passphrase("x") {
        Recipient::Passphrase { work_factor, .. } => assert_eq!(work_factor, 18),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_passphrase_and_missing_identity_are_distinguished() {
    let file = seal(b"hello", &pass("right"));
    assert!(matches!(
        open(&file, &[Identity::passphrase("wrong")]).1,
        Some(AgeError::WrongPassphrase)
    ));
    let id = X25519Identity::generate().unwrap();
    assert!(matches!(
        open(&file, &[Identity::X25519(id.clone())]).1,
        Some(AgeError::NoMatchingIdentity)
    ));
    let x_file = seal(
        b"hello",
        &[Recipient::X25519(
            X25519Identity::generate().unwrap().to_public(),
        )],
    );
    assert!(matches!(
        open(&x_file, &[Identity::X25519(id)]).1,
        Some(AgeError::NoMatchingIdentity)
    ));
}

#[test]
fn work_factor_above_the_cap_is_refused_before_any_work() {
    let file = seal(
        b"hello",
        &[Recipient::passphrase_with_work_factor("pw", 12)],
    );
    let err = AgeReader::with_options(
        Cursor::new(&file),
        &[Identity::passphrase("pw")],
        &ReadOptions {
            max_work_factor: 11,
            ..ReadOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, AgeError::WorkFactorTooHigh { log_n: 12, max: 11 }),
        "{err:?}"
    );
}

#[test]
fn tampered_mac_is_a_header_mac_failure() {
    let mut file = seal(b"hello", &pass("pw"));
    let mac = file.windows(4).position(|w| w == b"\n---").unwrap() + 5;
    // Change one MAC character to another base64 character, keeping it canonical.
    file[mac] = if file[mac] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        open(&file, &[Identity::passphrase("pw")]).1,
        Some(AgeError::HeaderMac)
    ));
}

#[test]
fn no_byte_of_a_failed_chunk_is_released() {
    let plain = data(3 * CHUNK_LEN);
    let file = seal(&plain, &pass("pw"));
    let start = payload_offset(&file);
    let enc = CHUNK_LEN + TAG;
    let mut tampered = file.clone();
    tampered[start + enc + 17] ^= 0x80;
    let (out, err) = open(&tampered, &[Identity::passphrase("pw")]);
    assert!(
        matches!(err, Some(AgeError::TamperedChunk { index: 1 })),
        "{err:?}"
    );
    assert_eq!(out, plain[..CHUNK_LEN], "exactly the first chunk");

    let (out, err) = open(&file[..start + 2 * enc], &[Identity::passphrase("pw")]);
    assert!(matches!(err, Some(AgeError::Truncated)), "{err:?}");
    assert_eq!(out, plain[..2 * CHUNK_LEN]);

    let mut trailing = file.clone();
    trailing.push(0);
    let (out, err) = open(&trailing, &[Identity::passphrase("pw")]);
    assert!(matches!(err, Some(AgeError::TrailingData)), "{err:?}");
    assert_eq!(
        out, plain,
        "the final chunk authenticated before the extra byte was seen"
    );
}

/// PEM-armors `file` the way `age -a` does: padded base64, 64 columns, `eol` line ends.
fn armor(file: &[u8], eol: &str) -> Vec<u8> {
    let mut text = format!("-----BEGIN AGE ENCRYPTED FILE-----{eol}");
    for chunk in file.chunks(48) {
        text.push_str(&b64::encode_padded(chunk));
        text.push_str(eol);
    }
    text.push_str(&format!("-----END AGE ENCRYPTED FILE-----{eol}"));
    text.into_bytes()
}

#[test]
fn armored_files_are_read_transparently() {
    for len in [0, 100, CHUNK_LEN + 7] {
        let plain = data(len);
        let file = seal(&plain, &pass("pw"));
        for eol in ["\n", "\r\n"] {
            let mut armored = b" \n\t\n".to_vec();
            armored.extend(armor(&file, eol));
            armored.extend_from_slice(b"\n  \n");
            let (out, err) = open(&armored, &[Identity::passphrase("pw")]);
            assert!(err.is_none(), "len {len}: {err:?}");
            assert_eq!(out, plain);
        }
    }
}

#[test]
fn invalid_armor_is_an_armor_error_and_releases_nothing() {
    let plain = data(200);
    let good = String::from_utf8(armor(&seal(&plain, &pass("pw")), "\n")).unwrap();
    let cases = [
        good.replace("-----END AGE ENCRYPTED FILE-----\n", ""),
        good.replace(
            "-----END AGE ENCRYPTED FILE-----\n",
            "-----END AGE ENCRYPTED FILE-----\nmore",
        ),
        good.replacen('\n', "\n\n", 2),
        good.replace("BEGIN AGE", "BEGIN age"),
        {
            // A space at the end of the first data line.
            let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
            lines[1].push(' ');
            lines.join("\n") + "\n"
        },
        // The first data line cut short: a short line that is not the last.
        {
            let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
            lines[1].truncate(16);
            lines.join("\n") + "\n"
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        let (out, err) = open(case.as_bytes(), &[Identity::passphrase("pw")]);
        assert!(matches!(err, Some(AgeError::Armor(_))), "case {i}: {err:?}");
        assert!(out.is_empty(), "case {i} released plaintext");
    }
}

#[test]
fn non_age_input_is_malformed() {
    for input in [&b""[..], b"hello world\n", b"age-encryption.org/v2\n"] {
        let err = open(input, &[Identity::passphrase("pw")]).1.unwrap();
        assert!(
            matches!(
                err,
                AgeError::MalformedHeader(_) | AgeError::UnsupportedVersion
            ),
            "{err:?}"
        );
    }
}

#[test]
fn stanza_bodies_of_full_lines_end_with_an_empty_line() {
    // A 48-byte body is exactly one 64-column line, so an empty line must follow.
    let stanza = header::Stanza {
        args: vec!["test".into()],
        body: vec![7u8; 48],
    };
    let mut out = Vec::new();
    let key = [1u8; 16];
    header::Header::write(&mut out, std::slice::from_ref(&stanza), &key).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2].len(), 64);
    assert_eq!(lines[3], "");
    let parsed = header::Header::read(&mut Cursor::new(&out)).unwrap();
    assert_eq!(parsed.stanzas, vec![stanza]);
    parsed.verify_mac(&key).unwrap();
    assert!(matches!(
        parsed.verify_mac(&[2u8; 16]),
        Err(AgeError::HeaderMac)
    ));
}

#[test]
fn a_file_only_for_unknown_recipient_types_says_so() {
    let stanza = header::Stanza {
        args: vec!["mlkem768x25519".into(), "c2hhcmU".into()],
        body: vec![9u8; 32],
    };
    let mut file = Vec::new();
    header::Header::write(&mut file, &[stanza], &[3u8; 16]).unwrap();
    file.extend_from_slice(&[0u8; 16 + 16]);
    let err = open(&file, &[Identity::passphrase("pw")]).1;
    assert!(
        matches!(&err, Some(AgeError::UnsupportedRecipient(kind)) if kind == "mlkem768x25519"),
        "{err:?}"
    );
}
