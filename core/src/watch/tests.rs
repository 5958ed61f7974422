//! Unit tests of the codec and the pairing code (the exchange between two vaults is in
//! `core/tests/watch.rs`).

use super::crypto::{Ephemeral, Identity};
use super::message::{self, Payload, WatchTerms};
use super::*;
use crate::Error;
use chrono::TimeZone;
use ring::rand::SystemRandom;

fn terms(address_len: usize) -> WatchTerms {
    WatchTerms {
        deadline: chrono::Utc.with_ymd_and_hms(2026, 3, 1, 22, 0, 0).unwrap(),
        grace_secs: 600,
        utc_offset_minutes: 60,
        language: "pt-br".into(),
        // An empty field is sent as absent.
        address: (address_len > 0)
            .then(|| "Rua Augusta ".repeat(address_len / 12 + 1)[..address_len].to_owned()),
        place: Some((-23.556_123, -46.662_456)),
        client: Some("João (regular)".into()),
        client_contact: Some("+5511987654321".into()),
        booking_starts_at: Some(chrono::Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()),
    }
}

#[test]
fn payloads_round_trip_and_safe_and_duress_have_the_same_length() {
    let c = [7u8; 16];
    for p in [
        Payload::Watch(c, terms(40)),
        Payload::Extend(c, terms(0)),
        Payload::Safe(c),
        Payload::DuressSafe(c),
        Payload::Ack(c, 42),
    ] {
        assert_eq!(Payload::decode(&p.encode()).unwrap(), p);
    }
    assert_eq!(
        Payload::Safe(c).encode().len(),
        Payload::DuressSafe(c).encode().len()
    );
}

#[test]
fn trailing_or_missing_payload_bytes_are_malformed() {
    let mut b = Payload::Watch([1; 16], terms(10)).encode();
    b.push(0);
    assert!(matches!(
        Payload::decode(&b),
        Err(Error::Watch(WatchError::Malformed))
    ));
    b.truncate(b.len() - 3);
    assert!(matches!(
        Payload::decode(&b),
        Err(Error::Watch(WatchError::Malformed))
    ));
}

#[test]
fn fitting_cuts_long_fields_until_three_gsm7_segments() {
    let mut t = terms(250);
    t.client = Some("x".repeat(200));
    assert!(message::fit_terms([0; 16], &mut t));
    assert!(Payload::Watch([0; 16], t.clone()).encode().len() <= message::max_payload());
    // Sealed and signed, the text is within the SMS budget, and GSM-7 only.
    let rng = SystemRandom::new();
    let (a, b) = (
        Identity::generate(&rng).unwrap(),
        Identity::generate(&rng).unwrap(),
    );
    let (pa, pb) = (a.public().unwrap(), b.public().unwrap());
    let eph = Ephemeral::generate(&rng).unwrap();
    let plain = Payload::Watch([0; 16], t).encode();
    let header = message::header(pa.key_id(), pb.key_id(), u64::MAX, &eph.public, plain.len());
    let mut signed = header.clone();
    signed.extend(eph.seal(&pb, &header, &plain).unwrap());
    let text = message::to_text(&signed, &a.sign(&signed).unwrap());
    assert_eq!(
        crate::checkin::sms::encoding(&text),
        crate::checkin::sms::Encoding::Gsm7
    );
    assert!(crate::checkin::sms::segments(&text) <= MAX_MESSAGE_SEGMENTS);
    assert!(fits_sms(&text));
    // One non-GSM character would make it UCS-2 and far too long: base64 never has one.
    assert!(!fits_sms(&format!("{text}ł")));
}

#[test]
fn pairing_codes_round_trip_and_typos_are_caught() {
    let rng = SystemRandom::new();
    let keys = Identity::generate(&rng).unwrap().public().unwrap();
    let code = PairingCode {
        keys,
        name: "Ana Łukasiewicz".into(),
    };
    let text = code.to_text();
    assert!(text.starts_with(PAIRING_PREFIX));
    assert_eq!(PairingCode::parse(&text).unwrap(), code);
    // Wrapped over lines when copied: still read.
    let (a, b) = text.split_at(30);
    assert_eq!(PairingCode::parse(&format!("{a}\n {b}")).unwrap(), code);
    // One character changed: the check catches it.
    let mut chars: Vec<char> = text.chars().collect();
    chars[20] = if chars[20] == 'A' { 'B' } else { 'A' };
    let typo: String = chars.into_iter().collect();
    assert!(matches!(
        PairingCode::parse(&typo),
        Err(Error::Watch(WatchError::BadPairingCode(_)))
    ));
    assert!(PairingCode::parse(&text[..text.len() - 10]).is_err());
    assert!(PairingCode::parse("hello").is_err());
}

#[test]
fn the_sas_is_symmetric_and_depends_on_both_keys() {
    let rng = SystemRandom::new();
    let a = Identity::generate(&rng).unwrap().public().unwrap();
    let b = Identity::generate(&rng).unwrap().public().unwrap();
    let c = Identity::generate(&rng).unwrap().public().unwrap();
    let ab = short_authentication_string(&a, &b);
    assert_eq!(ab, short_authentication_string(&b, &a));
    assert_ne!(ab, short_authentication_string(&a, &c));
    assert_eq!(ab.len(), 7);
}

#[test]
fn a_message_is_retried_with_the_same_id_then_on_the_next_channel_and_resent_under_a_new_id() {
    use crate::checkin::Outcome;
    use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
    let dir = tempfile::tempdir().unwrap();
    let session = Vault::create(
        dir.path().join("v.db"),
        "pass",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(vec![7; 32]),
        },
    )
    .unwrap();
    let key = crate::checkin::EscalationKey::from_device_secret(&[7; 32]).unwrap();
    let state = WatchState::new(session.conn(), &key);
    let rng = SystemRandom::new();
    state.own_keys(&rng).unwrap();
    let other = Identity::generate(&rng).unwrap().public().unwrap();
    let pairing = crate::vault::RecordId::random().unwrap();
    state
        .add_peer(pairing, "B".into(), Some("+447400111222".into()), other)
        .unwrap();
    let now = terms(0).deadline - chrono::Duration::hours(2);
    state
        .start(
            crate::vault::RecordId::random().unwrap(),
            terms(0),
            &[pairing],
            now,
        )
        .unwrap();
    let first = state.tick(now).unwrap();
    assert_eq!(first.len(), 1);
    let id = first[0].id;
    // Failed: retried after the backoff under the same id, then on the next channel.
    state
        .report(&id, Outcome::Failed { reason: "x".into() }, now)
        .unwrap();
    assert!(state.tick(now).unwrap().is_empty());
    let mut t = now;
    let mut ids = vec![];
    for _ in 0..8 {
        t += chrono::Duration::seconds(121);
        for a in state.tick(t).unwrap() {
            ids.push((a.id, a.attempt));
            state
                .report(&a.id, Outcome::Failed { reason: "x".into() }, t)
                .unwrap();
        }
    }
    assert_eq!(ids[0], (id, 2));
    assert!(
        ids.iter().any(|(i, _)| i.seq == 2),
        "moved to the next channel"
    );
    // Reported sent: no more retries; but with no ACK from the buddy's phone, the same
    // text goes again 5 minutes later from the first channel, under a new id (a shell
    // never sends an id twice once it reported it sent).
    let last = ids.last().unwrap().0;
    state.report(&last, Outcome::Sent, t).unwrap();
    let resend = t + chrono::Duration::seconds(RESEND_AFTER_SECS[0]);
    assert_eq!(state.next_wakeup().unwrap(), Some(resend));
    assert!(state
        .tick(resend - chrono::Duration::seconds(1))
        .unwrap()
        .is_empty());
    let again = state.tick(resend).unwrap();
    assert_eq!(again.len(), 1);
    assert_ne!(
        again[0].id.checkin, id.checkin,
        "a new id for the resend round"
    );
    assert_eq!(again[0].id.seq, 1, "the first channel");
    assert_eq!(again[0].attempt, 1);
    // The old round's ids are still known (a late report is routed here) and ignored.
    assert!(state.owns_action(&last).unwrap());
    state
        .report(&last, Outcome::Failed { reason: "x".into() }, resend)
        .unwrap();
    assert!(
        state.tick(resend).unwrap().is_empty(),
        "the new round goes on"
    );
}
