//! "Watch over me" through the bindings: a pairing's number changed after saving.

use std::time::{Duration as StdDuration, SystemTime};

use vigil_core::error::ErrorKind;
use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_core::watch::WatchMessageKind;
use vigil_ffi::{
    BuddyInput, Channel, CheckinInput, Outcome, PairingInput, Session, Vault, WatchActionKind,
    WatchReceipt, WatchRefusal,
};

fn vault(dir: &std::path::Path, name: &str, secret: &[u8]) -> std::sync::Arc<Session> {
    Vault::new(dir.join(name).to_string_lossy().into_owned())
        .create(
            "correct horse battery".into(),
            secret.to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap()
}

#[test]
fn a_pairings_number_is_changed_read_as_when_pairing_and_refused_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::UNIX_EPOCH + StdDuration::from_secs(1_780_000_000);
    let a = vault(dir.path(), "a.db", b"first keystore secret for tests!");
    let b = vault(dir.path(), "b.db", b"other keystore secret for tests!");
    let code = b.own_pairing_code("Bea".into()).unwrap();
    let sas = a.preview_pairing(code.clone()).unwrap().sas;
    let pairing = a
        .add_pairing(
            PairingInput {
                code,
                sas,
                name: None,
                phone: None,
                buddy_id: None,
            },
            now,
        )
        .unwrap();
    assert_eq!(pairing.phone, None);
    // The vault's region (GB by default) reads a national number.
    let changed = a
        .set_pairing_phone(pairing.id.clone(), Some("07400 123456".into()))
        .unwrap();
    assert_eq!(changed.phone.as_deref(), Some("+447400123456"));
    assert_eq!((&changed.id, &changed.name), (&pairing.id, &pairing.name));
    assert_eq!(a.list_pairings().unwrap(), vec![changed.clone()]);
    // A bad number: InvalidInput, without the number, and nothing changed.
    let e = a
        .set_pairing_phone(pairing.id.clone(), Some("07400 12x".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(!e.to_string().contains("12x"), "{e}");
    assert_eq!(a.list_pairings().unwrap(), vec![changed]);
    // None removes it.
    assert_eq!(
        a.set_pairing_phone(pairing.id.clone(), None).unwrap().phone,
        None
    );
    // An unknown or malformed id.
    let unknown = vigil_core::vault::RecordId::random().unwrap().to_string();
    let e = a
        .set_pairing_phone(unknown, Some("07400 123456".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = a
        .set_pairing_phone("not an id".into(), Some("07400 123456".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

/// Two phones paired both ways: `worker` watched over by `buddy` (its buddy record is
/// linked to the pairing), `buddy` holding the worker's number.
struct Pair {
    worker: std::sync::Arc<Session>,
    buddy: std::sync::Arc<Session>,
    buddy_id: String,
}

fn pair(dir: &std::path::Path, worker: &str, buddy: &str, now: SystemTime) -> Pair {
    let w = vault(dir, worker, b"first keystore secret for tests!");
    let b = vault(dir, buddy, b"other keystore secret for tests!");
    let buddy_id = w
        .add_buddy(BuddyInput {
            name: "Bea".into(),
            phone: "+447400654321".into(),
            channel: Channel::Sms,
            language: "en".into(),
            plain_letters: None,
        })
        .unwrap()
        .id;
    w.set_checkin_codes("1111".into(), "2222".into()).unwrap();
    let (wc, bc) = (
        w.own_pairing_code("Mia".into()).unwrap(),
        b.own_pairing_code("Bea".into()).unwrap(),
    );
    let input = |s: &Session, code: String, phone: &str, buddy: Option<String>| PairingInput {
        sas: s.preview_pairing(code.clone()).unwrap().sas,
        code,
        name: None,
        phone: Some(phone.into()),
        buddy_id: buddy,
    };
    w.add_pairing(input(&w, bc, "+447400654321", Some(buddy_id.clone())), now)
        .unwrap();
    b.add_pairing(input(&b, wc, "+447400123456", None), now)
        .unwrap();
    Pair {
        worker: w,
        buddy: b,
        buddy_id,
    }
}

/// The texts of the watch messages the phone's shell would send now (reported Sent).
fn sent_texts(s: &Session, now: SystemTime) -> Vec<String> {
    let mut texts = Vec::new();
    for a in s.watch_tick(now).unwrap() {
        if let WatchActionKind::SendMessage { text, .. } = a.kind {
            s.report_outcome(a.id, Outcome::Sent, now).unwrap();
            texts.push(text);
        }
    }
    texts
}

impl Pair {
    /// The worker starts a check-in with the buddy: the WATCH text.
    fn watch(&self, now: SystemTime) -> String {
        self.worker
            .start_checkin(
                CheckinInput {
                    deadline: now + StdDuration::from_secs(3600),
                    buddy_ids: vec![self.buddy_id.clone()],
                    booking_id: None,
                    reminder_minutes: None,
                    grace_minutes: None,
                    repeat_minutes: None,
                    discreet_notice: None,
                    ladder: vec![],
                },
                now,
            )
            .unwrap();
        let texts = sent_texts(&self.worker, now);
        assert_eq!(texts.len(), 1, "{texts:?}");
        texts.into_iter().next().unwrap()
    }
}

fn refusal(s: &Session, text: &str, now: SystemTime) -> WatchRefusal {
    match s.receive_watch(text.into(), now).unwrap() {
        WatchReceipt::Refused { reason, detail } => {
            assert!(!detail.is_empty());
            // The throwing form refuses it the same way.
            let e = s.receive_watch_message(text.into(), now).unwrap_err();
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::MessageRefused | ErrorKind::NewerVersion
                ),
                "{e:?}"
            );
            reason
        }
        accepted => panic!("accepted: {accepted:?}"),
    }
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + StdDuration::from_secs(1_780_000_000)
}

#[test]
fn an_accepted_message_comes_as_accepted_with_what_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    match p.buddy.receive_watch(watch, t0()).unwrap() {
        WatchReceipt::Accepted { message } => {
            assert_eq!(message.kind, WatchMessageKind::Watch);
            assert!(message.watch_id.is_some());
        }
        refused => panic!("{refused:?}"),
    }
    assert_eq!(p.buddy.held_watches().unwrap().len(), 1);
}

#[test]
fn a_text_that_is_not_a_vigil_message_is_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    assert_eq!(
        refusal(&p.buddy, "Running 10 min late", t0()),
        WatchRefusal::NotAWatchMessage
    );
}

#[test]
fn a_message_that_is_not_base64_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    assert_eq!(
        refusal(&p.buddy, "VGL1:*** not base64 ***", t0()),
        WatchRefusal::Malformed
    );
}

#[test]
fn a_message_cut_in_half_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    // Cut at a whole base64 group, as a lost SMS segment leaves it.
    let cut = 5 + (watch.len() - 5) / 8 * 4;
    assert_eq!(
        refusal(&p.buddy, &watch[..cut], t0()),
        WatchRefusal::Truncated
    );
    assert!(p.buddy.held_watches().unwrap().is_empty());
}

#[test]
fn a_message_of_another_version_is_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    // The first base64 character holds the version byte's high bits: 'B' makes it 4.
    let body = watch.strip_prefix("VGL1:").unwrap();
    assert!(body.starts_with('A'), "version 1 starts with A");
    let newer = format!("VGL1:B{}", &body[1..]);
    assert_eq!(refusal(&p.buddy, &newer, t0()), WatchRefusal::NewerVersion);
}

#[test]
fn a_message_sealed_to_another_phone_is_wrong_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    // The worker's own phone is not the one it was sealed to.
    assert_eq!(
        refusal(&p.worker, &watch, t0()),
        WatchRefusal::WrongRecipient
    );
}

#[test]
fn a_message_from_a_phone_not_paired_back_is_unknown_sender() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    // The buddy forgets the worker's phone: the same genuine message is now from a stranger.
    let id = p.buddy.list_pairings().unwrap().remove(0).id;
    p.buddy.remove_pairing(id).unwrap();
    assert_eq!(refusal(&p.buddy, &watch, t0()), WatchRefusal::UnknownSender);
}

#[test]
fn a_message_with_one_character_changed_is_forged() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    let i = watch.len() / 2;
    let c = if watch.as_bytes()[i] == b'A' {
        'B'
    } else {
        'A'
    };
    let tampered = format!("{}{c}{}", &watch[..i], &watch[i + 1..]);
    assert_eq!(refusal(&p.buddy, &tampered, t0()), WatchRefusal::Forged);
    assert!(p.buddy.held_watches().unwrap().is_empty());
}

#[test]
fn a_message_received_twice_is_replayed_and_its_ack_is_queued_again() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    assert!(matches!(
        p.buddy.receive_watch(watch.clone(), t0()).unwrap(),
        WatchReceipt::Accepted { .. }
    ));
    assert_eq!(sent_texts(&p.buddy, t0()).len(), 1, "the first ACK");
    let later = t0() + StdDuration::from_secs(5 * 60);
    match p.buddy.receive_watch(watch, later).unwrap() {
        WatchReceipt::Refused { reason, .. } => assert_eq!(reason, WatchRefusal::Replayed),
        accepted => panic!("{accepted:?}"),
    }
    // Refused, yet the core queued the ACK again: the shell's wake-up right after the
    // refusal sends it (the worker's phone is still waiting for one).
    let again = sent_texts(&p.buddy, later);
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(
        p.worker
            .receive_watch_message(again[0].clone(), later)
            .unwrap()
            .kind,
        WatchMessageKind::Ack
    );
}

#[test]
fn an_older_message_after_a_newer_one_is_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    let later = t0() + StdDuration::from_secs(60);
    p.worker.check_in("1111".into(), later).unwrap();
    let safe = sent_texts(&p.worker, later);
    assert_eq!(safe.len(), 1, "{safe:?}");
    assert!(matches!(
        p.buddy.receive_watch(safe[0].clone(), later).unwrap(),
        WatchReceipt::Accepted { .. }
    ));
    assert_eq!(refusal(&p.buddy, &watch, later), WatchRefusal::OutOfOrder);
}

#[test]
fn a_locked_phone_gets_the_same_reasons_from_the_background_runner() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    let runner = Vault::new(dir.path().join("b.db").to_string_lossy().into_owned())
        .background_runner(b"other keystore secret for tests!".to_vec())
        .unwrap();
    let i = watch.len() / 2;
    let c = if watch.as_bytes()[i] == b'A' {
        'B'
    } else {
        'A'
    };
    let tampered = format!("{}{c}{}", &watch[..i], &watch[i + 1..]);
    assert!(matches!(
        runner.receive_watch(tampered, t0()).unwrap(),
        WatchReceipt::Refused {
            reason: WatchRefusal::Forged,
            ..
        }
    ));
    assert!(matches!(
        runner.receive_watch(watch, t0()).unwrap(),
        WatchReceipt::Accepted { .. }
    ));
}

#[test]
fn a_locked_runner_made_after_a_restart_still_knows_the_unsent_safe() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    p.watch(t0());
    let later = t0() + StdDuration::from_secs(600);
    // The duress code: the same on this phone as the normal one.
    p.worker.check_in("2222".into(), later).unwrap();
    // The SAFE is handed to the shell, which dies before it is sent.
    let offered = p.worker.watch_tick(later).unwrap();
    assert_eq!(offered.len(), 1);
    p.worker.lock();
    drop(p.worker);
    let runner = Vault::new(dir.path().join("w.db").to_string_lossy().into_owned())
        .background_runner(b"first keystore secret for tests!".to_vec())
        .unwrap();
    let sent = runner.sent_watches().unwrap();
    assert_eq!(sent.len(), 1);
    let buddy = &sent[0].buddies[0];
    assert_eq!(buddy.last, WatchMessageKind::Safe);
    assert!(!buddy.sent && !buddy.confirmed, "{buddy:?}");
    assert!(buddy.pairing_id.is_some());
    // The core offers it again (the silent try timed out), and once it is reported sent
    // the runner says so.
    let mut safes = 0;
    for m in 1..=10 {
        if safes > 0 {
            break;
        }
        let again = later + StdDuration::from_secs(60 * m);
        for a in runner.watch_tick(again).unwrap() {
            if let WatchActionKind::SendMessage { kind, .. } = a.kind {
                assert_eq!(kind, WatchMessageKind::Safe);
                safes += 1;
                runner.report_outcome(a.id, Outcome::Sent, again).unwrap();
            }
        }
    }
    assert_eq!(safes, 1, "offered again, then sent");
    assert!(runner.sent_watches().unwrap()[0].buddies[0].sent);
}

#[test]
fn a_decoy_lists_none_of_the_phones_watches_but_keeps_their_wake_times() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(dir.path(), "w.db", "b.db", t0());
    let watch = p.watch(t0());
    assert!(matches!(
        p.buddy.receive_watch(watch, t0()).unwrap(),
        WatchReceipt::Accepted { .. }
    ));
    let secrets: [(&Session, &str, &[u8]); 2] = [
        (&p.worker, "w.db", b"first keystore secret for tests!"),
        (&p.buddy, "b.db", b"other keystore secret for tests!"),
    ];
    for (session, file, secret) in secrets {
        session
            .set_duress(
                "correct horse battery".into(),
                "decoy horse battery".into(),
                false,
                false,
                vec![],
                t0(),
            )
            .unwrap();
        let home = Vault::new(dir.path().join(file).to_string_lossy().into_owned());
        let decoy = home
            .unlock("decoy horse battery".into(), secret.to_vec(), t0())
            .unwrap();
        let shown = format!(
            "{:?} {:?} {:?} {:?}",
            decoy.sent_watches().unwrap(),
            decoy.held_watches().unwrap(),
            decoy.list_pairings().unwrap(),
            decoy.held_watch_times().unwrap(),
        );
        for real in ["Bea", "Mia", "7400654321", "7400123456"] {
            assert!(!shown.contains(real), "{real} in {shown}");
        }
        assert!(decoy.sent_watches().unwrap().is_empty());
        assert!(decoy.held_watches().unwrap().is_empty());
        assert!(decoy.list_pairings().unwrap().is_empty());
        let runner = home.background_runner(secret.to_vec()).unwrap();
        let held = runner.held_watches().unwrap();
        // The buddy's phone: the watch is held, and the decoy still wakes for it.
        assert_eq!(
            decoy.held_watch_times().unwrap().len(),
            held.len(),
            "{file}"
        );
        if file == "b.db" {
            assert_eq!(held[0].worker_name, "Mia");
            assert_eq!(
                decoy.held_watch_times().unwrap()[0].alarm_due,
                held[0].alarm_due
            );
        } else {
            assert_eq!(runner.sent_watches().unwrap()[0].buddies[0].name, "Bea");
        }
    }
}
