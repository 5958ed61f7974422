//! "Watch over me" between two vaults, through the application layer: pairing, WATCH,
//! EXTEND, SAFE, DURESS-SAFE, ACK, the buddy's watcher while locked, every refusal, and a
//! property test of lossy, duplicating, delaying transports with restarts.

mod common;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use vigil_core::app::{App, BuddyRef, Escalation, VaultHome};
use vigil_core::checkin::{
    ActionId, AlertFacts, BuddyDraft, Channel, CheckinId, CoveredBooking, Outcome,
};
use vigil_core::clock::Timestamp;
use vigil_core::vault::{RecordId, MIN_KDF_ITERATIONS};
use vigil_core::watch::{
    HeldWatch, PairingDraft, WatchActionKind, WatchError, WatchMessageKind, WatchNotice,
    WatchPhase, MAX_MESSAGE_SEGMENTS,
};
use vigil_core::Error;

const WORKER_SECRET: &[u8] = b"worker-device-secret-0123456789!";
const BUDDY_SECRET: &[u8] = b"buddy-device-secret-0123456789!!";
const THIRD_SECRET: &[u8] = b"third-device-secret-0123456789!!";

fn t(h: u32, m: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

struct Phone {
    home: VaultHome,
    app: App,
    secret: &'static [u8],
}

fn phone(dir: &std::path::Path, name: &str, secret: &'static [u8]) -> Phone {
    let home = VaultHome::new(dir.join(format!("{name}.db")));
    let app = home
        .create("pass", Some(secret), MIN_KDF_ITERATIONS)
        .unwrap();
    Phone { home, app, secret }
}

/// Pairs `a` (who keeps `b` as a buddy when `buddy` is set) with `b`, each confirming the
/// digits the other shows. Returns (a's pairing of b, b's pairing of a).
fn pair(
    a: &Phone,
    a_name: &str,
    b: &Phone,
    b_name: &str,
    buddy: Option<RecordId>,
) -> (RecordId, RecordId) {
    let a_code = a.app.pairings().unwrap().own_code(a_name).unwrap();
    let b_code = b.app.pairings().unwrap().own_code(b_name).unwrap();
    let sas_on_a = a.app.pairings().unwrap().preview(&b_code).unwrap();
    let sas_on_b = b.app.pairings().unwrap().preview(&a_code).unwrap();
    assert_eq!(
        sas_on_a.sas, sas_on_b.sas,
        "both phones show the same digits"
    );
    assert_eq!(sas_on_a.name, b_name);
    let on_a = a
        .app
        .pairings()
        .unwrap()
        .add(
            PairingDraft {
                code: b_code,
                sas: sas_on_b.sas.clone(),
                name: None,
                phone: Some("07400 111222".into()),
                buddy,
            },
            "GB",
            t(12, 0),
        )
        .unwrap();
    let on_b = b
        .app
        .pairings()
        .unwrap()
        .add(
            PairingDraft {
                code: a_code,
                sas: sas_on_a.sas,
                name: None,
                phone: Some("07400 333444".into()),
                buddy: None,
            },
            "GB",
            t(12, 0),
        )
        .unwrap();
    (on_a.id, on_b.id)
}

/// A worker with codes and a buddy Bea, and Bea's own phone, paired.
fn worker_and_buddy(dir: &std::path::Path) -> (Phone, Phone, RecordId) {
    let worker = phone(dir, "worker", WORKER_SECRET);
    let buddy = phone(dir, "buddy", BUDDY_SECRET);
    let checkins = worker.app.checkins().unwrap();
    checkins.set_codes("2468", "1357").unwrap();
    let bea = checkins
        .add_buddy(
            BuddyDraft {
                name: "Bea".into(),
                phone: "07400 111222".into(),
                channel: Channel::Sms,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap()
        .id;
    pair(&worker, "Maria", &buddy, "Bea", Some(bea));
    (worker, buddy, bea)
}

/// Arms a check-in due at 22:00 (grace 10 min) covering a booking at a known place.
fn start(worker: &Phone, bea: RecordId) -> CheckinId {
    let mut plan = worker
        .app
        .checkin_plan(t(22, 0), &[BuddyRef::Id(bea)])
        .unwrap();
    plan.booking = Some(CoveredBooking {
        id: RecordId::random().unwrap(),
        facts: AlertFacts {
            client_label: Some("Tall man, blue car".into()),
            client_identifiers: vec!["+447700900123".into()],
            address: Some("12 Harbour Street, Leith".into()),
            place: Some((55.975_1, -3.172_4)),
            booking_starts_at: Some(t(20, 0)),
        },
    });
    worker.app.start_checkin(plan, t(20, 0)).unwrap().id
}

/// Texts to send (with the kind shown) and the buddy's notices (with the duress mark).
type Woken = (
    Vec<(WatchMessageKind, String)>,
    Vec<(WatchNotice, String, bool)>,
);

/// One wake-up of the watch loop: every action, reported sent. Returns the texts to send
/// (with the kind shown) and the buddy's notices.
fn wake(e: &dyn Escalation, now: Timestamp) -> Woken {
    let mut texts = Vec::new();
    let mut notices = Vec::new();
    for a in e.watch_tick(now).unwrap() {
        match &a.kind {
            WatchActionKind::SendMessage { kind, text, .. } => texts.push((*kind, text.clone())),
            WatchActionKind::NotifyBuddy {
                notice,
                text,
                duress,
                ..
            } => notices.push((*notice, text.clone(), *duress)),
        }
        e.report_outcome(&a.id, Outcome::Sent, now).unwrap();
    }
    (texts, notices)
}

/// The shell reports that she dismissed the composer of `id`: nothing left.
fn dismissed(e: &dyn Escalation, id: &ActionId, at: Timestamp) -> vigil_core::Result<()> {
    Escalation::report_outcome(
        e,
        id,
        Outcome::Failed {
            reason: "composer cancelled".into(),
        },
        at,
    )
}

fn held(e: &dyn Escalation) -> Vec<HeldWatch> {
    e.held_watches().unwrap()
}

fn refusal(r: vigil_core::Result<vigil_core::watch::Received>) -> WatchError {
    match r {
        Err(Error::Watch(w)) => w,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_buddys_locked_phone_alarms_at_deadline_plus_grace_when_the_workers_phone_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    let (texts, _) = wake(&worker.app.checkins().unwrap(), t(20, 0));
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].0, WatchMessageKind::Watch);
    // The buddy's vault is locked: the SMS arrives at the runner.
    let runner = buddy.home.runner(buddy.secret).unwrap();
    let got = runner.receive_watch_message(&texts[0].1, t(20, 1)).unwrap();
    assert_eq!(
        (got.name.as_str(), got.kind),
        ("Maria", WatchMessageKind::Watch)
    );
    // The worker's phone is destroyed now: it never ticks again.
    drop(worker);
    // The buddy's phone sends its ACK (into the void) and waits for the deadline.
    let (acks, notices) = wake(&runner, t(20, 1));
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].0, WatchMessageKind::Ack);
    assert!(notices.is_empty());
    assert_eq!(Escalation::next_wakeup(&runner).unwrap(), Some(t(22, 0)));
    let (_, notices) = wake(&runner, t(22, 0));
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].0, WatchNotice::Reminder);
    assert_eq!(held(&runner)[0].phase, WatchPhase::Overdue);
    assert_eq!(Escalation::next_wakeup(&runner).unwrap(), Some(t(22, 10)));
    assert!(wake(&runner, t(22, 9)).1.is_empty());
    let (_, notices) = wake(&runner, t(22, 10));
    let kinds: Vec<_> = notices.iter().map(|n| n.0).collect();
    assert_eq!(kinds, [WatchNotice::Alarm, WatchNotice::CallWorker]);
    let alarm = &notices[0].1;
    assert!(
        alarm.contains("Maria") && alarm.contains("12 Harbour Street, Leith"),
        "{alarm}"
    );
    assert!(alarm.contains("mlat=55.975100"), "{alarm}");
    assert!(
        notices[1].1.contains("+447400333444"),
        "call her: {}",
        notices[1].1
    );
    assert_eq!(held(&runner)[0].phase, WatchPhase::Alarm);
    // Then emergency services, ten minutes later, unless the buddy acknowledged.
    assert!(wake(&runner, t(22, 19)).1.is_empty());
    let (_, notices) = wake(&runner, t(22, 20));
    assert_eq!(notices[0].0, WatchNotice::CallEmergency);
    assert!(notices[0].1.contains("12 Harbour Street"));
    // The unlocked app sees the same watch.
    let app = buddy
        .home
        .unlock("pass", Some(buddy.secret), t(22, 21))
        .unwrap();
    assert_eq!(held(&app.checkins().unwrap())[0].phase, WatchPhase::Alarm);
}

#[test]
fn safe_before_the_deadline_means_no_alarm_and_the_worker_sees_the_ack() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.app.checkins().unwrap();
    let b = buddy.app.checkins().unwrap();
    let (texts, _) = wake(&w, t(20, 0));
    b.receive_watch_message(&texts[0].1, t(20, 1)).unwrap();
    let (acks, _) = wake(&b, t(20, 1));
    w.receive_watch_message(&acks[0].1, t(20, 2)).unwrap();
    let sent = worker.app.sent_watches().unwrap();
    assert_eq!(sent[0].checkin, id);
    assert!(sent[0].buddies[0].confirmed && sent[0].buddies[0].sent);
    // Check in with the normal code: SAFE goes out.
    Escalation::check_in(&w, "2468", t(21, 30)).unwrap();
    let (texts, _) = wake(&w, t(21, 30));
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].0, WatchMessageKind::Safe);
    let got = b.receive_watch_message(&texts[0].1, t(21, 31)).unwrap();
    assert_eq!(got.kind, WatchMessageKind::Safe);
    assert!(!worker.app.sent_watches().unwrap()[0].buddies[0].confirmed);
    let (acks, _) = wake(&b, t(21, 31));
    w.receive_watch_message(&acks[0].1, t(21, 32)).unwrap();
    assert!(worker.app.sent_watches().unwrap()[0].buddies[0].confirmed);
    assert_eq!(held(&b)[0].phase, WatchPhase::Safe);
    // Nothing at the deadline or ever after.
    for now in [t(22, 0), t(22, 10), t(23, 0)] {
        assert!(wake(&b, now).1.is_empty());
    }
    assert_eq!(Escalation::next_wakeup(&b).unwrap(), None);
}

#[test]
fn extend_moves_the_buddys_alarm() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.app.checkins().unwrap();
    let b = buddy.home.runner(buddy.secret).unwrap();
    b.receive_watch_message(&wake(&w, t(20, 0)).0[0].1, t(20, 1))
        .unwrap();
    worker
        .app
        .extend_checkin(&id, Duration::minutes(60), t(21, 50))
        .unwrap();
    let (texts, _) = wake(&w, t(21, 50));
    assert_eq!(texts[0].0, WatchMessageKind::Extend);
    b.receive_watch_message(&texts[0].1, t(21, 51)).unwrap();
    assert_eq!(held(&b)[0].alarm_due, Some(t(23, 10)));
    assert_eq!(
        held(&b)[0].terms.as_ref().unwrap().address.as_deref(),
        Some("12 Harbour Street, Leith")
    );
    assert!(wake(&b, t(22, 10)).1.is_empty(), "no alarm at the old time");
    assert_eq!(wake(&b, t(23, 0)).1[0].0, WatchNotice::Reminder);
    assert_eq!(wake(&b, t(23, 10)).1[0].0, WatchNotice::Alarm);
}

#[test]
fn duress_safe_alarms_the_buddy_while_the_workers_side_looks_like_a_normal_check_in() {
    let dir = tempfile::tempdir().unwrap();
    // Two identical worlds: one checks in normally, one under duress.
    let mut seen = Vec::new();
    for code in ["2468", "1357"] {
        let sub = dir.path().join(code);
        std::fs::create_dir(&sub).unwrap();
        let (worker, buddy, bea) = worker_and_buddy(&sub);
        start(&worker, bea);
        let w = worker.app.checkins().unwrap();
        let b = buddy.home.runner(buddy.secret).unwrap();
        b.receive_watch_message(&wake(&w, t(20, 0)).0[0].1, t(20, 1))
            .unwrap();
        let receipt = Escalation::check_in(&w, code, t(21, 0)).unwrap();
        let actions = w.watch_tick(t(21, 0)).unwrap();
        assert_eq!(actions.len(), 1);
        let WatchActionKind::SendMessage {
            kind,
            text,
            channel,
            ..
        } = &actions[0].kind
        else {
            panic!("a message");
        };
        seen.push((
            receipt.checkins.len(),
            *kind,
            *channel,
            text.len(),
            worker.app.sent_watches().unwrap()[0].buddies[0].last,
        ));
        let got = b.receive_watch_message(text, t(21, 1)).unwrap();
        let (_, notices) = wake(&b, t(21, 1));
        if code == "1357" {
            assert_eq!(got.kind, WatchMessageKind::DuressSafe);
            let kinds: Vec<_> = notices.iter().map(|n| n.0).collect();
            assert_eq!(kinds, [WatchNotice::Alarm, WatchNotice::CallEmergency]);
            assert!(notices.iter().all(|n| n.2), "marked duress");
            assert!(notices[0].1.contains("DURESS") && notices[0].1.contains("12 Harbour Street"));
            assert_eq!(held(&b)[0].phase, WatchPhase::Alarm);
        } else {
            assert_eq!(got.kind, WatchMessageKind::Safe);
            assert!(notices.is_empty());
        }
    }
    // Same receipt, same action kind and channel, same text length, same listing.
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0].1, WatchMessageKind::Safe);
}

#[test]
fn every_message_fits_three_sms_segments_even_with_long_booking_details() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let mut plan = worker
        .app
        .checkin_plan(t(22, 0), &[BuddyRef::Id(bea)])
        .unwrap();
    plan.booking = Some(CoveredBooking {
        id: RecordId::random().unwrap(),
        facts: AlertFacts {
            client_label: Some("Ł".repeat(120)),
            client_identifiers: vec!["x".repeat(200), "y".repeat(200)],
            address: Some("ul. Świętokrzyska ".repeat(20)),
            place: Some((52.2, 21.0)),
            booking_starts_at: Some(t(20, 0)),
        },
    });
    let id = worker.app.start_checkin(plan, t(20, 0)).unwrap().id;
    let w = worker.app.checkins().unwrap();
    let b = buddy.app.checkins().unwrap();
    // The WATCH leaves before the EXTEND is queued (an EXTEND queued first supersedes it).
    let mut all = wake(&w, t(20, 0)).0;
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 5))
        .unwrap();
    all.extend(wake(&w, t(20, 5)).0);
    for (_, text) in all.clone() {
        b.receive_watch_message(&text, t(20, 6)).unwrap();
    }
    Escalation::check_in(&w, "1357", t(20, 10)).unwrap();
    all.extend(wake(&w, t(20, 10)).0);
    all.extend(wake(&b, t(20, 11)).0);
    let kinds: Vec<_> = all.iter().map(|m| m.0).collect();
    assert!(kinds.contains(&WatchMessageKind::Watch) && kinds.contains(&WatchMessageKind::Extend));
    assert!(kinds.contains(&WatchMessageKind::Safe) && kinds.contains(&WatchMessageKind::Ack));
    for (kind, text) in &all {
        assert!(text.starts_with("VGL1:"));
        assert_eq!(
            vigil_core::checkin::sms::encoding(text),
            vigil_core::checkin::sms::Encoding::Gsm7
        );
        let n = vigil_core::checkin::sms::segments(text);
        assert!(n <= MAX_MESSAGE_SEGMENTS, "{kind:?} takes {n} segments");
    }
    // The cut address still starts as written.
    let watch = &held(&b)[0];
    assert!(watch
        .terms
        .as_ref()
        .unwrap()
        .address
        .as_ref()
        .unwrap()
        .starts_with("ul. Świętokrzyska"));
}

/// The buddy's state as the refusal tests compare it: nothing may change.
fn snapshot(e: &dyn Escalation) -> (String, Option<Timestamp>) {
    (format!("{:?}", held(e)), e.next_wakeup().unwrap())
}

#[test]
fn forged_replayed_reordered_truncated_unknown_and_misdirected_messages_are_refused_and_change_nothing(
) {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.app.checkins().unwrap();
    let b = buddy.home.runner(buddy.secret).unwrap();
    let watch = wake(&w, t(20, 0)).0.remove(0).1;
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 5))
        .unwrap();
    let extend = wake(&w, t(20, 5)).0.remove(0).1;
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 6))
        .unwrap();
    let extend2 = wake(&w, t(20, 6)).0.remove(0).1;

    b.receive_watch_message(&extend, t(20, 7)).unwrap();
    let before = snapshot(&b);

    // Reordered: the WATCH, older than the EXTEND already taken.
    assert_eq!(
        refusal(b.receive_watch_message(&watch, t(20, 8))),
        WatchError::OutOfOrder
    );
    // Replayed: the EXTEND again.
    assert_eq!(
        refusal(b.receive_watch_message(&extend, t(20, 8))),
        WatchError::Replayed
    );
    // Forged: one character of the signature changed.
    let mut forged: Vec<char> = extend2.chars().collect();
    let last = forged.len() - 3;
    forged[last] = if forged[last] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    assert_eq!(
        refusal(b.receive_watch_message(&forged, t(20, 8))),
        WatchError::Forged
    );
    // Forged: the ciphertext changed (the seal and the signature both break).
    let mut body: Vec<char> = extend2.chars().collect();
    body[120] = if body[120] == 'A' { 'B' } else { 'A' };
    assert_eq!(
        refusal(b.receive_watch_message(&body.into_iter().collect::<String>(), t(20, 8))),
        WatchError::Forged
    );
    // Truncated: the last SMS segment lost, or a paste cut anywhere.
    for cut in [153 * 2, extend2.len() - 1, 40, 7] {
        assert_eq!(
            refusal(b.receive_watch_message(&extend2[..cut], t(20, 8))),
            WatchError::Truncated,
            "cut at {cut}"
        );
    }
    // Not a watch message; damaged base64.
    assert_eq!(
        refusal(b.receive_watch_message("see you at 8", t(20, 8))),
        WatchError::NotAWatchMessage
    );
    assert_eq!(
        refusal(b.receive_watch_message("VGL1:ab$d", t(20, 8))),
        WatchError::Malformed
    );
    // From a phone the buddy never paired with (it paired one way only).
    let third = phone(dir.path(), "third", THIRD_SECRET);
    let b_code = buddy.app.pairings().unwrap().own_code("Bea").unwrap();
    let sas = third.app.pairings().unwrap().preview(&b_code).unwrap().sas;
    let carol_pairing = third
        .app
        .pairings()
        .unwrap()
        .add(
            PairingDraft {
                code: b_code,
                sas,
                name: None,
                phone: None,
                buddy: None,
            },
            "GB",
            t(12, 0),
        )
        .unwrap();
    let third_checkins = third.app.checkins().unwrap();
    third_checkins.set_codes("1111", "2222").unwrap();
    let carol_buddy = third_checkins
        .add_buddy(
            BuddyDraft {
                name: "Bea".into(),
                phone: "07400 111222".into(),
                channel: Channel::Sms,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap()
        .id;
    third
        .app
        .pairings()
        .unwrap()
        .link_buddy(&carol_pairing.id, Some(carol_buddy))
        .unwrap();
    let plan = third
        .app
        .checkin_plan(t(22, 0), &[BuddyRef::Id(carol_buddy)])
        .unwrap();
    third.app.start_checkin(plan, t(20, 0)).unwrap();
    let stranger = wake(&third.app.checkins().unwrap(), t(20, 0)).0.remove(0).1;
    assert_eq!(
        refusal(b.receive_watch_message(&stranger, t(20, 8))),
        WatchError::UnknownSender
    );
    // For another recipient: the worker's message to Bea, delivered to the third phone.
    assert_eq!(
        refusal(
            third
                .app
                .checkins()
                .unwrap()
                .receive_watch_message(&extend2, t(20, 8))
        ),
        WatchError::WrongRecipient
    );

    assert_eq!(snapshot(&b), before, "no refusal changed anything");
    // The next genuine message is still taken.
    b.receive_watch_message(&extend2, t(20, 9)).unwrap();
    assert_eq!(held(&b)[0].alarm_due, Some(t(23, 10)));
}

#[test]
fn pairing_refuses_wrong_digits_and_its_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let a = phone(dir.path(), "a", WORKER_SECRET);
    let b = phone(dir.path(), "b", BUDDY_SECRET);
    let a_code = a.app.pairings().unwrap().own_code("A").unwrap();
    let b_code = b.app.pairings().unwrap().own_code("B").unwrap();
    let draft = |sas: &str| PairingDraft {
        code: b_code.clone(),
        sas: sas.into(),
        name: None,
        phone: None,
        buddy: None,
    };
    let right = a.app.pairings().unwrap().preview(&b_code).unwrap().sas;
    let wrong = if right == "000 000" {
        "000 001"
    } else {
        "000 000"
    };
    assert!(matches!(
        a.app.pairings().unwrap().add(draft(wrong), "GB", t(12, 0)),
        Err(Error::Watch(WatchError::SasMismatch))
    ));
    assert!(a.app.pairings().unwrap().list().unwrap().items.is_empty());
    assert!(matches!(
        a.app.pairings().unwrap().preview(&a_code),
        Err(Error::Watch(WatchError::OwnCode))
    ));
    // Typed without the space: accepted.
    let p = a
        .app
        .pairings()
        .unwrap()
        .add(draft(&right.replace(' ', "")), "GB", t(12, 0))
        .unwrap();
    assert_eq!(p.name, "B");
    assert_eq!(a.app.pairings().unwrap().list().unwrap().items, vec![p]);
}

// ---- property: loss, duplication, delay, restarts -----------------------------------

/// One message on the simulated channel.
#[derive(Debug, Clone)]
struct InFlight {
    arrives: Timestamp,
    text: String,
    /// The worker's order of sending (the counter order).
    order: usize,
    kind: WatchMessageKind,
    deadline: Option<Timestamp>,
}

#[derive(Debug, Clone)]
enum Step {
    Extend(i64),
    CheckIn { duress: bool },
    Nothing,
}

/// Worker steps (what, minutes after 20:00), per-message fates (lost, copies, delay),
/// restarts of the buddy's runner, and what the worker's shell reports for each action
/// (0: sent, 1: failed (no signal, composer dismissed), 2: nothing (the app was killed)).
type Scenario = (Vec<(Step, i64)>, Vec<(bool, u8, i64)>, Vec<bool>, Vec<u8>);

/// One wake-up of the worker's watch loop, each action's outcome taken in turn from
/// `fates`: the texts reported sent (only those reach the transport).
fn wake_worker(
    e: &dyn Escalation,
    now: Timestamp,
    fates: &[u8],
    n: &mut usize,
) -> Vec<(WatchMessageKind, String)> {
    let mut out = Vec::new();
    for a in e.watch_tick(now).unwrap() {
        let fate = fates[*n % fates.len()];
        *n += 1;
        match fate {
            0 => {
                if let WatchActionKind::SendMessage { kind, text, .. } = &a.kind {
                    out.push((*kind, text.clone()));
                }
                e.report_outcome(&a.id, Outcome::Sent, now).unwrap();
            }
            1 => e
                .report_outcome(
                    &a.id,
                    Outcome::Failed {
                        reason: "no service".into(),
                    },
                    now,
                )
                .unwrap(),
            _ => {}
        }
    }
    out
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        // Worker steps after the WATCH: what, and minutes after 20:00.
        prop::collection::vec(
            (
                prop_oneof![
                    (5i64..90).prop_map(Step::Extend),
                    any::<bool>().prop_map(|duress| Step::CheckIn { duress }),
                    Just(Step::Nothing),
                ],
                1i64..200,
            ),
            0..4,
        ),
        // Per message sent: lost?, copies (1..=3), delay in minutes.
        prop::collection::vec((prop::bool::weighted(0.3), 1u8..=3, 0i64..180), 6),
        // Restart the buddy's runner at each wake?
        prop::collection::vec(any::<bool>(), 8),
        // The worker's shell: mostly sent, sometimes failed or no outcome.
        prop::collection::vec(
            prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
            7,
        ),
    )
}

proptest! {
    // Seeded: the same cases on every run (`rng_seed`), as the other property tests.
    #![proptest_config(ProptestConfig {
        cases: 24,
        // Seed 4: two of its cases have a WATCH or EXTEND taken late for the terms a
        // DURESS-SAFE that overtook it lacked (the seed before had none).
        rng_seed: proptest::test_runner::RngSeed::Fixed(4),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    /// The buddy is alarmed iff, at some wake-up, the newest message received so far (the
    /// only one the counters let count) leaves a deadline + grace already passed, or is a
    /// DURESS-SAFE: i.e. iff no valid SAFE/EXTEND covering the deadline arrived in time.
    /// Every alarm carries the address and client iff a WATCH or EXTEND was accepted
    /// before it (newer than all before, or older and carrying terms a DURESS-SAFE that
    /// overtook it lacks: none yet, or an earlier deadline). The worker's shell fails or forgets outcomes, so texts are retried,
    /// superseded and held back; its phone wakes every 5 minutes and at each step.
    #[test]
    fn the_buddy_is_alarmed_iff_no_safe_or_extend_covering_the_deadline_arrived(
        (steps, fates, restarts, outcomes) in scenario()
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (worker, buddy, bea) = worker_and_buddy(dir.path());
        let id = start(&worker, bea);
        let base = t(20, 0);
        let grace = Duration::minutes(10);
        // (sent at, text, kind, deadline, order): a resend (the same text, no ACK came)
        // keeps the first sending's kind, deadline and order (its counter).
        let mut sent: Vec<(Timestamp, String, WatchMessageKind, Option<Timestamp>, usize)> = Vec::new();
        let push = |sent: &mut Vec<(Timestamp, String, WatchMessageKind, Option<Timestamp>, usize)>,
                    at, text: String, kind, d| {
            let first = sent.iter().find(|s| s.1 == text).map(|s| (s.2, s.3, s.4));
            let (kind, d, order) = first.unwrap_or((kind, d, sent.len()));
            sent.push((at, text, kind, d, order));
        };
        let w = worker.app.checkins().unwrap();
        let mut deadline = t(22, 0);
        let mut n = 0;
        for (k, text) in wake_worker(&w, base, &outcomes, &mut n) {
            push(&mut sent, base, text, k, Some(deadline));
        }
        let mut steps: Vec<(Step, i64)> = steps;
        steps.extend((1..=40).map(|m| (Step::Nothing, m * 5)));
        steps.sort_by_key(|s| s.1);
        let mut ended = false;
        let mut duress_used = false;
        for (step, at) in steps {
            let now = base + Duration::minutes(at);
            match step {
                _ if ended => {}
                Step::Extend(by) => {
                    // Refused once the worker's own check-in escalates: then nothing is sent.
                    if worker.app.extend_checkin(&id, Duration::minutes(by), now).is_ok() {
                        deadline += Duration::minutes(by);
                    }
                }
                Step::CheckIn { duress } => {
                    if Escalation::check_in(&w, if duress { "1357" } else { "2468" }, now).is_ok() {
                        ended = true;
                        duress_used = duress;
                    }
                }
                Step::Nothing => {}
            }
            for (k, text) in wake_worker(&w, now, &outcomes, &mut n) {
                let d = matches!(k, WatchMessageKind::Watch | WatchMessageKind::Extend).then_some(deadline);
                // The worker's screen shows `Safe` either way; the test knows the code.
                let k = if k == WatchMessageKind::Safe && duress_used { WatchMessageKind::DuressSafe } else { k };
                push(&mut sent, now, text, k, d);
            }
        }
        // The transport: loss, duplication, delay.
        let mut flight: Vec<InFlight> = Vec::new();
        for (i, (at, text, kind, d, order)) in sent.iter().enumerate() {
            let (lost, copies, delay) = fates[i % fates.len()];
            if lost { continue; }
            for c in 0..copies {
                flight.push(InFlight {
                    arrives: *at + Duration::minutes(delay + i64::from(c) * 7),
                    text: text.clone(),
                    order: *order,
                    kind: *kind,
                    deadline: *d,
                });
            }
        }
        flight.sort_by_key(|f| (f.arrives, f.order));
        // The buddy's phone: locked, woken at each arrival and every 5 minutes; restarts.
        let mut wakes: Vec<Timestamp> = (0..=100).map(|m| base + Duration::minutes(m * 5)).collect();
        wakes.extend(flight.iter().map(|f| f.arrives));
        wakes.sort();
        wakes.dedup();
        let mut runner = buddy.home.runner(buddy.secret).unwrap();
        let mut alarmed = false;
        let mut expected = false;
        let mut newest: Option<&InFlight> = None;
        let mut has_terms = false;
        let mut taken: Vec<usize> = Vec::new();
        let mut next = 0;
        for (i, now) in wakes.iter().enumerate() {
            if restarts[i % restarts.len()] {
                runner = buddy.home.runner(buddy.secret).unwrap();
            }
            while next < flight.len() && flight[next].arrives <= *now {
                let f = &flight[next];
                // The deadline of the terms the buddy's phone holds now, if any.
                let held_deadline = held(&runner).first().and_then(|h| h.terms.as_ref().map(|t| t.deadline));
                let r = runner.receive_watch_message(&f.text, f.arrives);
                let newer = newest.is_none_or(|n| f.order > n.order);
                let carries_terms = matches!(f.kind, WatchMessageKind::Watch | WatchMessageKind::Extend);
                // An older WATCH or EXTEND, never taken, is taken for the terms a
                // DURESS-SAFE that overtook it lacks, or for a later deadline than the
                // terms held.
                let fills_in = !newer
                    && carries_terms
                    && newest.is_some_and(|n| n.kind == WatchMessageKind::DuressSafe)
                    && !taken.contains(&f.order)
                    && held_deadline.is_none_or(|d| f.deadline.is_some_and(|late| late > d));
                prop_assert_eq!(r.is_ok(), newer || fills_in, "accepted iff newer than all before, or terms a DURESS-SAFE lacks");
                if newer { newest = Some(f); }
                if newer || fills_in { taken.push(f.order); }
                has_terms |= (newer || fills_in) && carries_terms;
                next += 1;
            }
            let (_, notices) = wake(&runner, *now);
            for alarm in notices.iter().filter(|n| n.0 == WatchNotice::Alarm) {
                alarmed = true;
                prop_assert_eq!(alarm.1.contains("12 Harbour Street"), has_terms, "{}", alarm.1);
                prop_assert_eq!(alarm.1.contains("Tall man, blue car"), has_terms, "{}", alarm.1);
            }
            // The oracle: the newest message decides.
            if let Some(n) = newest {
                expected |= match n.kind {
                    WatchMessageKind::Watch | WatchMessageKind::Extend => {
                        n.deadline.is_some_and(|d| *now >= d + grace)
                    }
                    WatchMessageKind::DuressSafe => true,
                    _ => false,
                };
            }
        }
        prop_assert_eq!(alarmed, expected);
    }
}

#[test]
fn pairings_are_exported_but_a_restore_asks_to_pair_again() {
    use std::io::Cursor;
    use vigil_core::export::age::{Identity, Recipient};
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, _) = worker_and_buddy(dir.path());
    let pairing = worker
        .app
        .pairings()
        .unwrap()
        .list()
        .unwrap()
        .items
        .remove(0);
    let (file, report) = worker
        .app
        .session()
        .backup()
        .export(
            Vec::new(),
            &[Recipient::passphrase_with_work_factor("x", 10)],
            t(23, 0),
        )
        .unwrap();
    assert!(report.sections.contains(&("pairings", 1)));
    let restored = phone(dir.path(), "restored", THIRD_SECRET);
    let report = restored
        .app
        .session()
        .backup()
        .import(Cursor::new(&file), &[Identity::passphrase("x")])
        .unwrap();
    let pairings = report
        .sections
        .iter()
        .find(|s| s.section == "pairings")
        .expect("the section was read");
    assert_eq!(pairings.rejected.len(), 1);
    assert_eq!(pairings.rejected[0].id, Some(pairing.id));
    assert!(pairings.rejected[0]
        .reason
        .contains("pair the two phones again"));
    assert!(
        !pairings.rejected[0].reason.contains("Bea"),
        "no personal data"
    );
    assert!(restored
        .app
        .pairings()
        .unwrap()
        .list()
        .unwrap()
        .items
        .is_empty());
}

// ---- lost messages: resends and ACKs again ------------------------------------------

/// One wake-up of `e`, every action reported sent (the carrier took it): the texts.
fn texts_at(e: &dyn Escalation, now: Timestamp) -> Vec<(WatchMessageKind, String)> {
    wake(e, now).0
}

#[test]
fn an_unconfirmed_watch_is_resent_at_5_15_and_30_minutes_then_stops_and_the_runner_wakes_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    // The worker's vault is locked after arming: the runner does the resends.
    let w = worker.home.runner(worker.secret).unwrap();
    let first = texts_at(&w, t(20, 0));
    assert_eq!(first.len(), 1);
    // The carrier took the SMS (reported sent) but it never arrives, and no delivery
    // report comes: before, nothing else happened until the deadline.
    assert_eq!(Escalation::next_wakeup(&w).unwrap(), Some(t(20, 5)));
    assert!(texts_at(&w, t(20, 4)).is_empty());
    for (now, next) in [
        (t(20, 5), Some(t(20, 15))),
        (t(20, 15), Some(t(20, 30))),
        (t(20, 30), None),
    ] {
        let again = texts_at(&w, now);
        assert_eq!(again, first, "the same text (same counter) at {now}");
        let wakeup = Escalation::next_wakeup(&w).unwrap();
        match next {
            Some(next) => assert_eq!(wakeup, Some(next)),
            // After the last try, only the check-in's own wake-ups remain.
            None => assert!(wakeup.is_none_or(|at| at > t(21, 0)), "{wakeup:?}"),
        }
    }
    assert!(texts_at(&w, t(21, 0)).is_empty(), "three tries, then stop");
    let sent = &worker.app.sent_watches().unwrap()[0].buddies[0];
    assert!(sent.sent && !sent.confirmed, "shown as sent, not confirmed");
}

#[test]
fn a_lost_watch_arrives_by_its_resend_and_the_ack_ends_the_resends() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let b = buddy.home.runner(buddy.secret).unwrap();
    texts_at(&w, t(20, 0)); // lost on the way
    let again = w.watch_tick(t(20, 5)).unwrap();
    Escalation::report_outcome(&w, &again[0].id, Outcome::Sent, t(20, 5)).unwrap();
    let WatchActionKind::SendMessage { text, .. } = &again[0].kind else {
        panic!("a message");
    };
    assert_eq!(
        b.receive_watch_message(text, t(20, 6)).unwrap().kind,
        WatchMessageKind::Watch
    );
    assert_eq!(held(&b)[0].alarm_due, Some(t(22, 10)));
    let ack = texts_at(&b, t(20, 6));
    assert_eq!(ack[0].0, WatchMessageKind::Ack);
    w.receive_watch_message(&ack[0].1, t(20, 7)).unwrap();
    assert!(worker.app.sent_watches().unwrap()[0].buddies[0].confirmed);
    // A delivery report saying it failed, after the ACK proved it arrived: nothing is
    // sent again (before, a `Failed` after `Sent` always sent it again).
    Escalation::report_outcome(
        &w,
        &again[0].id,
        Outcome::Failed {
            reason: "no delivery".into(),
        },
        t(20, 8),
    )
    .unwrap();
    assert!(texts_at(&w, t(20, 8)).is_empty());
    // Confirmed: no resend at 20:15 or 20:30, and no wake-up for one.
    assert!(Escalation::next_wakeup(&w)
        .unwrap()
        .is_none_or(|at| at > t(21, 0)));
    assert!(texts_at(&w, t(20, 15)).is_empty() && texts_at(&w, t(20, 30)).is_empty());
}

#[test]
fn a_lost_ack_is_sent_again_when_the_worker_resends_but_a_replay_cannot_make_the_buddy_send_without_bound(
) {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let b = buddy.home.runner(buddy.secret).unwrap();
    let watch = texts_at(&w, t(20, 0)).remove(0).1;
    b.receive_watch_message(&watch, t(20, 1)).unwrap();
    let lost_ack = texts_at(&b, t(20, 1));
    assert_eq!(lost_ack.len(), 1, "the first ACK, lost on the way");
    let before = snapshot(&b);
    // The worker's phone resends the same text: still refused as a replay (the shell
    // shows the same refusal), changes nothing held, but its ACK goes out again.
    let resend = texts_at(&w, t(20, 5)).remove(0).1;
    assert_eq!(resend, watch);
    assert_eq!(
        refusal(b.receive_watch_message(&resend, t(20, 5))),
        WatchError::Replayed
    );
    assert_eq!(format!("{:?}", held(&b)), before.0);
    assert_eq!(Escalation::next_wakeup(&b).unwrap(), Some(t(20, 5)));
    let ack = texts_at(&b, t(20, 5));
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].0, WatchMessageKind::Ack);
    assert_ne!(ack[0].1, lost_ack[0].1, "a new ACK (its own counter)");
    w.receive_watch_message(&ack[0].1, t(20, 6)).unwrap();
    assert!(worker.app.sent_watches().unwrap()[0].buddies[0].confirmed);
    assert!(texts_at(&w, t(20, 15)).is_empty());
    // Someone who captured the SMS replays it every minute for hours: the buddy's phone
    // answers at most once per interval and at most MAX_REACKS times in all.
    let mut acks = 1;
    for m in 6..240 {
        let now = t(20, 0) + Duration::minutes(m);
        assert_eq!(
            refusal(b.receive_watch_message(&watch, now)),
            WatchError::Replayed
        );
        let sent = texts_at(&b, now);
        if !sent.is_empty() {
            assert!(m >= 5 + 2 * acks, "not more than once per 2 minutes");
        }
        acks += sent.len() as i64;
    }
    assert_eq!(acks, i64::from(vigil_core::watch::MAX_REACKS));
    assert_eq!(vigil_core::watch::REACK_INTERVAL_SECS, 120);
    // An older message of the same watch (superseded by an EXTEND) brings no ACK.
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(21, 0))
        .unwrap();
    let extend = texts_at(&w, t(21, 0)).remove(0).1;
    b.receive_watch_message(&extend, t(21, 1)).unwrap();
    assert_eq!(texts_at(&b, t(21, 1)).len(), 1, "the EXTEND's ACK");
    assert_eq!(
        refusal(b.receive_watch_message(&watch, t(21, 10))),
        WatchError::Replayed
    );
    assert!(texts_at(&b, t(21, 10)).is_empty());
    // The EXTEND's own resend (its ACK lost too) is answered.
    assert_eq!(
        refusal(b.receive_watch_message(&extend, t(21, 10))),
        WatchError::Replayed
    );
    assert_eq!(texts_at(&b, t(21, 10)).len(), 1);
}

#[test]
fn an_unconfirmed_duress_safe_is_resent_exactly_like_a_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for code in ["2468", "1357"] {
        let sub = dir.path().join(code);
        std::fs::create_dir(&sub).unwrap();
        let (worker, buddy, bea) = worker_and_buddy(&sub);
        start(&worker, bea);
        let w = worker.home.runner(worker.secret).unwrap();
        let b = buddy.home.runner(buddy.secret).unwrap();
        b.receive_watch_message(&texts_at(&w, t(20, 0))[0].1, t(20, 1))
            .unwrap();
        let ack = texts_at(&b, t(20, 1)).remove(0).1;
        w.receive_watch_message(&ack, t(20, 2)).unwrap();
        Escalation::check_in(&w, code, t(21, 0)).unwrap();
        // Nothing reaches the buddy; every wake-up of the worker's phone is recorded.
        let mut world = Vec::new();
        let mut first = None;
        // (The duress world's own check-in alerts, the silent alarm, are the check-in
        // engine's: only the watch loop is looked at here.)
        for m in [0, 1, 4, 5, 6, 14, 15, 16, 29, 30, 31, 45, 60, 120] {
            let now = t(21, 0) + Duration::minutes(m);
            let texts = texts_at(&w, now);
            for (kind, text) in &texts {
                first.get_or_insert_with(|| text.clone());
                assert_eq!(Some(text), first.as_ref(), "the same text every time");
                world.push((now, *kind, text.len()));
            }
            let status = worker.app.sent_watches().unwrap()[0].buddies[0].clone();
            world.push((
                now,
                status.last,
                usize::from(status.sent) * 10 + usize::from(status.confirmed),
            ));
        }
        seen.push(world);
        let text = first.unwrap();
        let got = b.receive_watch_message(&text, t(21, 45)).unwrap().kind;
        assert_eq!(
            got,
            if code == "1357" {
                WatchMessageKind::DuressSafe
            } else {
                WatchMessageKind::Safe
            }
        );
    }
    assert_eq!(seen[0], seen[1], "same times, kinds, lengths, status");
    let sends = seen[0]
        .iter()
        .filter(|s| s.1 == WatchMessageKind::Safe && s.2 > 100)
        .count();
    assert_eq!(sends, 4, "sent, then three resends: {:?}", seen[0]);
}

#[test]
fn a_pairings_number_can_be_changed_and_queued_messages_follow_it() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    let pairing = worker
        .app
        .pairings()
        .unwrap()
        .list()
        .unwrap()
        .items
        .remove(0);
    assert_eq!(pairing.phone.as_deref(), Some("+447400111222"));
    start(&worker, bea);
    // Read in the vault's region, as when pairing.
    let p = worker
        .app
        .set_pairing_phone(&pairing.id, Some(" 07400 999888 "))
        .unwrap();
    assert_eq!(p.phone.as_deref(), Some("+447400999888"));
    assert_eq!(p.keys, pairing.keys);
    assert_eq!(
        worker
            .app
            .pairings()
            .unwrap()
            .get(&pairing.id)
            .unwrap()
            .phone,
        p.phone
    );
    let send = |now| {
        let e = worker.app.checkins().unwrap();
        let a = e.watch_tick(now).unwrap();
        Escalation::report_outcome(&e, &a[0].id, Outcome::Sent, now).unwrap();
        match &a[0].kind {
            WatchActionKind::SendMessage { phone, channel, .. } => (phone.clone(), *channel),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        send(t(20, 0)),
        (Some("+447400999888".to_owned()), Channel::Sms)
    );
    // A bad number: refused with what is wrong, never the number, and nothing changes.
    for bad in ["07400 9998", "call me maybe 555"] {
        let e = worker
            .app
            .set_pairing_phone(&pairing.id, Some(bad))
            .unwrap_err();
        assert_eq!(e.kind(), vigil_core::error::ErrorKind::InvalidInput, "{e}");
        let shown = e.to_string();
        assert!(!shown.contains("9998") && !shown.contains("555"), "{shown}");
    }
    assert_eq!(
        worker
            .app
            .pairings()
            .unwrap()
            .get(&pairing.id)
            .unwrap()
            .phone
            .as_deref(),
        Some("+447400999888")
    );
    // No number: messages go through another app (the resend at 20:05 too).
    let p = worker
        .app
        .set_pairing_phone(&pairing.id, Some("  "))
        .unwrap();
    assert_eq!(p.phone, None);
    assert_eq!(send(t(20, 5)), (None, Channel::OtherApp));
    assert!(matches!(
        worker
            .app
            .set_pairing_phone(&RecordId::random().unwrap(), Some("07400 999888")),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn the_buddys_notices_are_in_the_buddys_own_language_even_while_locked() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    // The buddy reads Polish; the worker's own messages stay in hers (English).
    let mut settings = buddy.app.settings().unwrap();
    settings.worker_languages = vec!["pl".into(), "en".into()];
    buddy.app.set_settings(&settings).unwrap();
    start(&worker, bea);
    let runner = buddy.home.runner(buddy.secret).unwrap();
    runner
        .receive_watch_message(
            &wake(&worker.app.checkins().unwrap(), t(20, 0)).0[0].1,
            t(20, 1),
        )
        .unwrap();
    let reminder = wake(&runner, t(22, 0)).1;
    assert!(
        reminder[0]
            .1
            .starts_with("Maria miała potwierdzić do 2026-11-28 22:00 UTC"),
        "{}",
        reminder[0].1
    );
    let alarm = wake(&runner, t(22, 10)).1;
    assert!(
        alarm[0].1.starts_with("ALARM: Maria nie potwierdziła"),
        "{}",
        alarm[0].1
    );
    assert!(
        alarm[0].1.contains("\nAdres: 12 Harbour Street, Leith"),
        "{}",
        alarm[0].1
    );
    assert!(
        alarm[1]
            .1
            .starts_with("Zadzwoń teraz (Maria): +447400333444"),
        "{}",
        alarm[1].1
    );
    // Back to English in the settings: the next notice follows.
    settings.worker_languages = vec!["en".into()];
    buddy.app.set_settings(&settings).unwrap();
    let emergency = wake(&runner, t(22, 20)).1;
    assert!(
        emergency[0].1.starts_with("If you have not reached Maria"),
        "{}",
        emergency[0].1
    );
}

// ---- the shell's send ledger: one send per id --------------------------------------

/// A shell like Android's (`SendLedger` in `logic/Requests.kt`): an id it already reported
/// `Sent` is never sent again (it reports `Sent` again instead). Returns the texts that
/// really left at this wake-up.
fn wake_with_ledger(
    e: &dyn Escalation,
    ledger: &mut std::collections::HashSet<String>,
    now: Timestamp,
) -> Vec<(WatchMessageKind, String)> {
    let mut out = Vec::new();
    for a in e.watch_tick(now).unwrap() {
        let key = format!("{}:{}", a.id.checkin, a.id.seq);
        if let WatchActionKind::SendMessage { kind, text, .. } = &a.kind {
            if ledger.insert(key) {
                out.push((*kind, text.clone()));
            }
        }
        e.report_outcome(&a.id, Outcome::Sent, now).unwrap();
    }
    out
}

#[test]
fn each_resend_round_has_a_new_id_so_a_shell_that_sends_an_id_once_really_resends() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let mut ledger = std::collections::HashSet::new();
    let first = wake_with_ledger(&w, &mut ledger, t(20, 0));
    assert_eq!(first.len(), 1);
    // Taken by the carrier, never delivered, no ACK: the WATCH leaves again at each slot
    // (before, the resends kept the id, and such a shell reported them sent unsent).
    for m in [5, 15, 30] {
        let again = wake_with_ledger(&w, &mut ledger, t(20, m));
        assert_eq!(again, first, "the WATCH really leaves again at 20:{m}");
    }
    assert!(wake_with_ledger(&w, &mut ledger, t(21, 0)).is_empty());
}

#[test]
fn a_late_report_for_an_earlier_round_is_recognised_and_does_not_end_the_current_round() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let first = w.watch_tick(t(20, 0)).unwrap();
    Escalation::report_outcome(&w, &first[0].id, Outcome::Sent, t(20, 0)).unwrap();
    // The resend at 20:05 fails at once (no signal) and waits to retry.
    let resend = w.watch_tick(t(20, 5)).unwrap();
    assert_eq!(resend.len(), 1);
    Escalation::report_outcome(
        &w,
        &resend[0].id,
        Outcome::Failed {
            reason: "no service".into(),
        },
        t(20, 5),
    )
    .unwrap();
    // A late `Sent` for the first round's id: recognised, and the retry still goes.
    Escalation::report_outcome(&w, &first[0].id, Outcome::Sent, t(20, 5)).unwrap();
    let retry = Escalation::next_wakeup(&w).unwrap().unwrap();
    assert!(retry <= t(20, 7), "the retry is still due: {retry}");
    let again = w.watch_tick(retry).unwrap();
    assert_eq!(again.len(), 1, "the round was not ended by the old report");
    assert_eq!(again[0].id, resend[0].id);
    assert_eq!(again[0].attempt, 2);
}

#[test]
fn a_phone_that_wakes_after_several_resend_slots_sends_once_not_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    assert_eq!(texts_at(&w, t(20, 0)).len(), 1);
    // Off (or dozing) from 20:00 to 20:40: the 20:05, 20:15 and 20:30 slots passed.
    let late = texts_at(&w, t(20, 40));
    assert_eq!(late.len(), 1, "one resend");
    let wakeup = Escalation::next_wakeup(&w).unwrap();
    assert!(
        wakeup.is_none_or(|at| at > t(21, 0)),
        "no other resend: {wakeup:?}"
    );
    assert!(texts_at(&w, t(20, 40)).is_empty() && texts_at(&w, t(20, 41)).is_empty());
}

#[test]
fn safe_and_duress_safe_look_the_same_on_the_workers_phone_when_the_buddy_never_held_the_watch() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for code in ["2468", "1357"] {
        let sub = dir.path().join(code);
        std::fs::create_dir(&sub).unwrap();
        let (worker, buddy, bea) = worker_and_buddy(&sub);
        start(&worker, bea);
        let w = worker.home.runner(worker.secret).unwrap();
        let b = buddy.home.runner(buddy.secret).unwrap();
        // The WATCH is lost; she checks in (normal or duress code) before its resend.
        assert_eq!(texts_at(&w, t(20, 0)).len(), 1);
        Escalation::check_in(&w, code, t(20, 2)).unwrap();
        let mut world = Vec::new();
        let mut lost_first_ack = false;
        for m in [2, 3, 6, 7, 8, 17, 18, 32, 33, 60] {
            let now = t(20, 0) + Duration::minutes(m);
            for (kind, text) in texts_at(&w, now) {
                world.push((now, kind, text.len()));
                // Every SAFE (or DURESS-SAFE) arrives; the buddy's first ACK is lost,
                // every later one arrives a minute later (delivered at the next step).
                let _ = b.receive_watch_message(&text, now);
            }
            for (kind, ack) in texts_at(&b, now) {
                assert_eq!(kind, WatchMessageKind::Ack);
                if lost_first_ack {
                    w.receive_watch_message(&ack, now + Duration::minutes(1))
                        .unwrap();
                } else {
                    lost_first_ack = true;
                }
            }
            let status = worker.app.sent_watches().unwrap()[0].buddies[0].clone();
            world.push((
                now,
                status.last,
                usize::from(status.sent) * 10 + usize::from(status.confirmed),
            ));
        }
        assert!(lost_first_ack);
        seen.push(world);
    }
    assert_eq!(seen[0], seen[1], "same times, kinds, lengths, status");
    let last = seen[0].last().unwrap();
    assert_eq!(
        last.2, 11,
        "sent and confirmed by the resend's ACK: {:?}",
        seen[0]
    );
    let sends = seen[0].iter().filter(|s| s.2 > 100).count();
    assert_eq!(sends, 2, "sent, then one resend: {:?}", seen[0]);
}

#[test]
fn a_number_added_to_a_pairing_that_had_none_sends_the_queued_text_by_sms_with_fresh_tries() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    let pairing = worker.app.pairings().unwrap().list().unwrap().items[0].id;
    worker.app.set_pairing_phone(&pairing, None).unwrap();
    start(&worker, bea);
    // The WATCH goes through another app, which fails: it waits to retry there.
    let e = worker.app.checkins().unwrap();
    let first = e.watch_tick(t(20, 0)).unwrap();
    assert!(matches!(
        first[0].kind,
        WatchActionKind::SendMessage {
            channel: Channel::OtherApp,
            ..
        }
    ));
    Escalation::report_outcome(
        &e,
        &first[0].id,
        Outcome::Failed {
            reason: "no app".into(),
        },
        t(20, 0),
    )
    .unwrap();
    // A number is added meanwhile: the retry goes by SMS, from its first try.
    worker
        .app
        .set_pairing_phone(&pairing, Some("07400 999888"))
        .unwrap();
    let at = Escalation::next_wakeup(&e).unwrap().unwrap();
    let retry = e.watch_tick(at).unwrap();
    assert_eq!(retry.len(), 1);
    match &retry[0].kind {
        WatchActionKind::SendMessage { phone, channel, .. } => {
            assert_eq!(
                (phone.as_deref(), *channel),
                (Some("+447400999888"), Channel::Sms)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(retry[0].attempt, 1, "fresh tries on the new channel");
    assert_ne!(retry[0].id, first[0].id, "a new channel, a new id");
}

#[test]
fn a_decoy_session_does_not_change_the_language_of_the_buddys_notices() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, mut buddy, bea) = worker_and_buddy(dir.path());
    let mut settings = buddy.app.settings().unwrap();
    settings.worker_languages = vec!["pl".into()];
    buddy.app.set_settings(&settings).unwrap();
    buddy
        .app
        .set_duress(
            "pass",
            "decoy pass",
            vigil_core::vault::DuressOptions {
                destroy_real: false,
                alert_buddies: false,
            },
            &[],
            t(19, 0),
        )
        .unwrap();
    // Opened with the duress passphrase: the decoy's settings change, and its pairing
    // screens are opened; the owner's notices stay in her language.
    buddy.app = buddy
        .home
        .unlock("decoy pass", Some(buddy.secret), t(19, 30))
        .unwrap();
    let mut decoy = buddy.app.settings().unwrap();
    decoy.worker_languages = vec!["es".into()];
    buddy.app.set_settings(&decoy).unwrap();
    let _ = buddy.app.pairings().unwrap().list().unwrap();
    start(&worker, bea);
    let runner = buddy.home.runner(buddy.secret).unwrap();
    runner
        .receive_watch_message(
            &wake(&worker.app.checkins().unwrap(), t(20, 0)).0[0].1,
            t(20, 1),
        )
        .unwrap();
    let reminder = wake(&runner, t(22, 0)).1;
    assert!(
        reminder[0].1.starts_with("Maria miała potwierdzić"),
        "{}",
        reminder[0].1
    );
}

#[test]
fn a_code_paired_again_on_one_phone_keeps_the_counters_so_later_messages_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let b = buddy.home.runner(buddy.secret).unwrap();
    b.receive_watch_message(
        &texts_at(&worker.app.checkins().unwrap(), t(20, 0))[0].1,
        t(20, 1),
    )
    .unwrap();
    let ack = texts_at(&b, t(20, 1)).remove(0).1;
    worker
        .app
        .checkins()
        .unwrap()
        .receive_watch_message(&ack, t(20, 2))
        .unwrap();
    // The worker scans Bea's code again (say, to fix the name): only her phone re-pairs.
    let code = buddy.app.pairings().unwrap().own_code("Bea").unwrap();
    let sas = worker.app.pairings().unwrap().preview(&code).unwrap().sas;
    worker
        .app
        .add_pairing(
            PairingDraft {
                code,
                sas,
                name: Some("Bea B".into()),
                phone: Some("07400 111222".into()),
                buddy: Some(bea),
            },
            t(20, 3),
        )
        .unwrap();
    // Her next message and Bea's next ACK are still accepted (before, her counter started
    // over and Bea's phone refused the EXTEND as a replay: the deadline was not moved).
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 4))
        .unwrap();
    let extend = texts_at(&worker.app.checkins().unwrap(), t(20, 4))
        .remove(0)
        .1;
    assert_eq!(
        b.receive_watch_message(&extend, t(20, 5)).unwrap().kind,
        WatchMessageKind::Extend
    );
    assert_eq!(held(&b)[0].alarm_due, Some(t(22, 40)));
    let ack = texts_at(&b, t(20, 5)).remove(0).1;
    worker
        .app
        .checkins()
        .unwrap()
        .receive_watch_message(&ack, t(20, 6))
        .unwrap();
    assert!(worker.app.sent_watches().unwrap()[0].buddies[0].confirmed);
}

/// How the shell left the WATCH before the check-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WatchLeft {
    /// Reported sent, never confirmed (its no-ACK resends were due at 5, 15, 30 min).
    SentUnconfirmed,
    /// The composer was cancelled (a retry was due after the backoff).
    Failed,
    /// No outcome at all: the shell died with it (a retry was due after the timeout).
    NoOutcome,
}

#[test]
fn a_safe_queued_behind_an_unsent_watch_waits_for_a_fresh_extend_and_never_resends_the_watch() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for left in [
        WatchLeft::SentUnconfirmed,
        WatchLeft::Failed,
        WatchLeft::NoOutcome,
    ] {
        for code in ["2468", "1357"] {
            let sub = dir.path().join(format!("{left:?}-{code}"));
            std::fs::create_dir(&sub).unwrap();
            let (worker, _buddy, bea) = worker_and_buddy(&sub);
            start(&worker, bea);
            let w = worker.home.runner(worker.secret).unwrap();
            let first = w.watch_tick(t(20, 0)).unwrap();
            assert_eq!(first.len(), 1);
            let WatchActionKind::SendMessage { text: watch, .. } = &first[0].kind else {
                panic!("the WATCH");
            };
            match left {
                WatchLeft::SentUnconfirmed => {
                    Escalation::report_outcome(&w, &first[0].id, Outcome::Sent, t(20, 0))
                }
                WatchLeft::Failed => dismissed(&w, &first[0].id, t(20, 0)),
                WatchLeft::NoOutcome => Ok(()),
            }
            .unwrap();
            // She checks in (normal or duress code): a SAFE is queued. The shell takes
            // every text but reports none sent until 20:20 (no signal, composer left open,
            // app killed), then reports each one sent.
            Escalation::check_in(&w, code, t(20, 1)).unwrap();
            let mut offered = Vec::new();
            for m in 1..=45 {
                let now = t(20, 0) + Duration::minutes(m);
                for a in w.watch_tick(now).unwrap() {
                    let WatchActionKind::SendMessage { kind, text, .. } = &a.kind else {
                        panic!("a message");
                    };
                    offered.push((m, *kind, text.clone()));
                    if m >= 20 {
                        Escalation::report_outcome(&w, &a.id, Outcome::Sent, now).unwrap();
                    }
                }
            }
            let kinds: Vec<_> = offered.iter().map(|o| (o.0, o.1)).collect();
            assert!(
                offered.iter().all(|o| &o.2 != watch),
                "{left:?}/{code}: the old WATCH is never offered again: {kinds:?}"
            );
            let first_safe = offered
                .iter()
                .position(|o| o.1 == WatchMessageKind::Safe)
                .expect("the SAFE is offered");
            if left == WatchLeft::SentUnconfirmed {
                // The WATCH left: the buddy may have it, the SAFE goes at once.
                assert_eq!(offered[0].0, 1, "{kinds:?}");
                assert!(
                    offered.iter().all(|o| o.1 == WatchMessageKind::Safe),
                    "{left:?}/{code}: {kinds:?}"
                );
            } else {
                // It never left: a fresh EXTEND (the whole WATCH) first, the SAFE only
                // once the EXTEND was reported sent (20:20), never before.
                assert!(first_safe > 0, "{kinds:?}");
                assert!(offered[..first_safe]
                    .iter()
                    .all(|o| o.1 == WatchMessageKind::Extend && o.2 == offered[0].2));
                let extend_left = offered[first_safe - 1].0;
                assert!(extend_left >= 20, "{kinds:?}");
                assert!(offered[first_safe].0 > extend_left, "{kinds:?}");
                assert!(
                    offered[first_safe..]
                        .iter()
                        .all(|o| o.1 == WatchMessageKind::Safe),
                    "{kinds:?}"
                );
            }
            // A late outcome for the old WATCH is still recognised (no error for the
            // shell) and sends nothing.
            Escalation::report_outcome(&w, &first[0].id, Outcome::Sent, t(20, 46)).unwrap();
            assert!(w.watch_tick(t(20, 46)).unwrap().is_empty());
            let status = &worker.app.sent_watches().unwrap()[0].buddies[0];
            assert_eq!(status.last, WatchMessageKind::Safe);
            assert!(status.sent, "{left:?}/{code}: the SAFE left");
            seen.push((
                left,
                offered
                    .iter()
                    .map(|o| (o.0, o.1, o.2.len()))
                    .collect::<Vec<_>>(),
            ));
        }
    }
    // The duress code changes nothing the worker's phone does.
    for pair in seen.chunks(2) {
        assert_eq!(pair[0], pair[1]);
    }
}

/// Delivers to `to` (in order) every text `from` offers at `now`, each reported to `from`
/// as `outcome`; with no signal (`Failed`) nothing is delivered.
fn exchange(
    from: &dyn Escalation,
    to: &dyn Escalation,
    signal: bool,
    now: Timestamp,
) -> Vec<(WatchMessageKind, usize)> {
    let mut sent = Vec::new();
    for a in from.watch_tick(now).unwrap() {
        if let WatchActionKind::SendMessage { kind, text, .. } = &a.kind {
            sent.push((*kind, text.len()));
            if signal {
                let _ = to.receive_watch_message(text, now);
            }
        }
        let outcome = if signal {
            Outcome::Sent
        } else {
            Outcome::Failed {
                reason: "no service".into(),
            }
        };
        from.report_outcome(&a.id, outcome, now).unwrap();
    }
    sent
}

#[test]
fn a_duress_check_in_made_with_no_signal_still_gives_the_buddy_the_address_and_client() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for code in ["1357", "2468"] {
        let sub = dir.path().join(code);
        std::fs::create_dir(&sub).unwrap();
        let (worker, buddy, bea) = worker_and_buddy(&sub);
        start(&worker, bea);
        let w = worker.home.runner(worker.secret).unwrap();
        let b = buddy.home.runner(buddy.secret).unwrap();
        // No signal from 20:00: the WATCH fails and waits to be retried. She is made to
        // check in at 20:03 (the duress code in one world). Signal is back at 20:25:
        // everything offered from then on reaches the buddy's phone, and its ACKs come
        // back.
        let mut world = Vec::new();
        let mut notices = Vec::new();
        for m in 0..=90 {
            let now = t(20, 0) + Duration::minutes(m);
            if m == 3 {
                Escalation::check_in(&w, code, now).unwrap();
            }
            let signal = m >= 25;
            for s in exchange(&w, &b, signal, now) {
                world.push((m, s));
            }
            for a in b.watch_tick(now).unwrap() {
                match &a.kind {
                    WatchActionKind::SendMessage { text, .. } if signal => {
                        let _ = w.receive_watch_message(text, now);
                    }
                    WatchActionKind::SendMessage { .. } => {}
                    WatchActionKind::NotifyBuddy { notice, text, .. } => {
                        notices.push((*notice, text.clone()))
                    }
                }
                Escalation::report_outcome(&b, &a.id, Outcome::Sent, now).unwrap();
            }
        }
        let status = worker.app.sent_watches().unwrap()[0].buddies[0].clone();
        assert!(status.sent && status.confirmed, "{status:?}");
        let watch = &held(&b)[0];
        assert!(watch.terms.is_some(), "the buddy holds the terms");
        if code == "1357" {
            let alarm = notices
                .iter()
                .find(|n| n.0 == WatchNotice::Alarm)
                .expect("the duress alarm");
            assert!(alarm.1.contains("DURESS"), "{}", alarm.1);
            assert!(alarm.1.contains("12 Harbour Street"), "{}", alarm.1);
            assert!(alarm.1.contains("Tall man, blue car"), "{}", alarm.1);
            assert_eq!(watch.phase, WatchPhase::Alarm);
        } else {
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(watch.phase, WatchPhase::Safe);
        }
        seen.push(world);
    }
    assert_eq!(seen[0], seen[1], "the worker's phone behaves the same");
}

#[test]
fn a_duress_safe_that_overtakes_the_fresh_extend_still_gives_the_buddy_the_address_and_client() {
    for code in ["1357", "2468"] {
        for buddy_woke_between in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let (worker, buddy, bea) = worker_and_buddy(dir.path());
            start(&worker, bea);
            let w = worker.home.runner(worker.secret).unwrap();
            let b = buddy.home.runner(buddy.secret).unwrap();
            // No signal from 20:00 (the WATCH never leaves); she checks in at 20:03.
            for m in 0..25 {
                let now = t(20, 0) + Duration::minutes(m);
                if m == 3 {
                    Escalation::check_in(&w, code, now).unwrap();
                }
                exchange(&w, &b, false, now);
            }
            // Signal at 20:25: the fresh EXTEND leaves, then the SAFE or DURESS-SAFE. The
            // carrier delivers the short one first.
            let mut texts = Vec::new();
            for m in 25..=28 {
                texts.extend(wake(&w, t(20, 0) + Duration::minutes(m)).0);
            }
            let kinds: Vec<_> = texts.iter().map(|t| t.0).collect();
            assert_eq!(
                kinds,
                [WatchMessageKind::Extend, WatchMessageKind::Safe],
                "{code}"
            );
            let (extend, last) = (&texts[0].1, &texts[1].1);
            b.receive_watch_message(last, t(20, 36)).unwrap();
            let mut alarms = Vec::new();
            if buddy_woke_between {
                alarms.extend(wake(&b, t(20, 36)).1);
            }
            let late = b.receive_watch_message(extend, t(20, 37));
            let (texts, notices) = wake(&b, t(20, 37));
            alarms.extend(notices);
            // The buddy's phone answers the SAFE or DURESS-SAFE once, and nothing else.
            let acks: Vec<_> = if buddy_woke_between {
                assert!(texts.is_empty(), "no ACK for the late EXTEND: {texts:?}");
                Vec::new()
            } else {
                assert_eq!(texts.len(), 1, "{texts:?}");
                texts
            };
            let alarms: Vec<_> = alarms
                .into_iter()
                .filter(|n| n.0 == WatchNotice::Alarm)
                .collect();
            if code == "2468" {
                // SAFE: no watch was held, and a late EXTEND must not open one (it would
                // alarm at its deadline for a worker who is safe).
                assert_eq!(refusal(late), WatchError::OutOfOrder);
                assert!(alarms.is_empty(), "{alarms:?}");
                assert!(held(&b).is_empty());
                continue;
            }
            assert_eq!(late.unwrap().kind, WatchMessageKind::Extend);
            if buddy_woke_between {
                // The alarm raised on the DURESS-SAFE alone had no details; it is raised
                // again with them.
                assert_eq!(alarms.len(), 2, "{alarms:?}");
                assert!(
                    !alarms[0].1.contains("12 Harbour Street"),
                    "{}",
                    alarms[0].1
                );
            } else {
                assert_eq!(alarms.len(), 1, "{alarms:?}");
            }
            let alarm = alarms.last().unwrap();
            assert!(alarm.2, "a duress alarm");
            assert!(alarm.1.contains("DURESS"), "{}", alarm.1);
            assert!(alarm.1.contains("12 Harbour Street"), "{}", alarm.1);
            assert!(alarm.1.contains("Tall man, blue car"), "{}", alarm.1);
            let watch = &held(&b)[0];
            assert_eq!(watch.phase, WatchPhase::Alarm);
            assert!(watch.terms.is_some());
            // The same EXTEND again is a replay: no second alarm, no ACK.
            assert_eq!(
                refusal(b.receive_watch_message(extend, t(20, 38))),
                WatchError::Replayed
            );
            assert_eq!(wake(&b, t(20, 38)), (Vec::new(), Vec::new()));
            // The DURESS-SAFE's ACK confirms everything to her phone: nothing is resent.
            if let Some((_, ack)) = acks.first() {
                w.receive_watch_message(ack, t(20, 39)).unwrap();
                let status = worker.app.sent_watches().unwrap()[0].buddies[0].clone();
                assert!(status.sent && status.confirmed, "{status:?}");
                for m in 0..120 {
                    assert_eq!(wake(&w, t(20, 40) + Duration::minutes(m)).0, Vec::new());
                }
            }
        }
    }
}

#[test]
fn late_terms_after_a_duress_alarm_take_the_latest_deadline_and_ring_an_acknowledged_alarm_once_more(
) {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let b = buddy.home.runner(buddy.secret).unwrap();
    // The WATCH (due 22:00) and an EXTEND (due 23:00) leave; the carrier holds both. The
    // duress code at 20:20: the DURESS-SAFE goes alone (terms had left).
    let watch = wake(&w, t(20, 0)).0.remove(0).1;
    worker
        .app
        .extend_checkin(&id, Duration::minutes(60), t(20, 10))
        .unwrap();
    let extend = wake(&w, t(20, 10)).0.remove(0).1;
    Escalation::check_in(&w, "1357", t(20, 20)).unwrap();
    let duress = wake(&w, t(20, 20)).0;
    assert_eq!(duress.len(), 1, "{duress:?}");
    b.receive_watch_message(&duress[0].1, t(20, 30)).unwrap();
    let first = wake(&b, t(20, 30)).1;
    assert!(first.iter().any(|n| n.0 == WatchNotice::CallEmergency));
    let held_id = held(&b)[0].id;
    b.acknowledge_watch(&held_id, t(20, 31)).unwrap();
    assert!(held(&b)[0].acknowledged);
    // Hours later the WATCH arrives: its terms are taken, and the alarm rings once more
    // with the address, to be acknowledged again (the emergency step is not repeated).
    let later = t(20, 31) + Duration::hours(3);
    b.receive_watch_message(&watch, later).unwrap();
    let again = wake(&b, later).1;
    let kinds: Vec<_> = again.iter().map(|n| n.0).collect();
    assert_eq!(kinds, [WatchNotice::Alarm], "{again:?}");
    assert!(again[0].1.contains("12 Harbour Street"), "{}", again[0].1);
    let h = held(&b)[0].clone();
    assert!(!h.acknowledged);
    assert_eq!(h.phase, WatchPhase::Alarm);
    assert_eq!(h.terms.unwrap().deadline, t(22, 0));
    // Then the EXTEND, older than the DURESS-SAFE but newer than the WATCH: its later
    // deadline is taken, silently (the details are the same).
    let got = b.receive_watch_message(&extend, later + Duration::minutes(1));
    assert_eq!(got.unwrap().kind, WatchMessageKind::Extend);
    assert_eq!(
        wake(&b, later + Duration::minutes(1)),
        (Vec::new(), Vec::new())
    );
    assert_eq!(held(&b)[0].terms.as_ref().unwrap().deadline, t(23, 0));
    // The WATCH again: a replay now; an older deadline would not be taken anyway.
    assert_eq!(
        refusal(b.receive_watch_message(&watch, later + Duration::minutes(2))),
        WatchError::Replayed
    );
    assert_eq!(held(&b)[0].terms.as_ref().unwrap().deadline, t(23, 0));
}

#[test]
fn a_watch_state_that_cannot_be_read_does_not_take_the_check_ins_alarm_or_outcomes_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    start(&worker, bea);
    let runner = worker.home.runner(worker.secret).unwrap();
    let due = runner.next_wakeup().unwrap();
    assert!(due.is_some());
    // The watch state's row damaged on disk (or written by a newer version).
    let raw = rusqlite::Connection::open(dir.path().join("worker.db")).unwrap();
    let changed = raw
        .execute("UPDATE watch_state SET body = randomblob(length(body))", [])
        .unwrap();
    assert_eq!(changed, 1);
    drop(raw);
    assert!(
        runner.watch_tick(t(20, 1)).is_err(),
        "the watch side says so"
    );
    // The check-in's wake-up is still there, and its alerts' outcomes still reach it.
    assert_eq!(Escalation::next_wakeup(&runner).unwrap(), due);
    let alerts = runner.tick(t(22, 10)).unwrap();
    let alert = alerts
        .iter()
        .find(|a| matches!(a.kind, vigil_core::checkin::ActionKind::MessageBuddy { .. }))
        .expect("the buddy alert at deadline + grace");
    Escalation::report_outcome(&runner, &alert.id, Outcome::Sent, t(22, 10)).unwrap();
    let again = runner.tick(t(22, 13)).unwrap();
    assert!(
        !again.iter().any(|a| a.id == alert.id),
        "a reported alert is not sent again: {again:?}"
    );
}

#[test]
fn once_an_extend_is_queued_the_older_watch_is_never_offered_again() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let first = w.watch_tick(t(20, 0)).unwrap();
    dismissed(&w, &first[0].id, t(20, 0)).unwrap();
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 1))
        .unwrap();
    let mut kinds = Vec::new();
    for m in 1..=45 {
        for a in w.watch_tick(t(20, 0) + Duration::minutes(m)).unwrap() {
            let WatchActionKind::SendMessage { kind, .. } = &a.kind else {
                panic!("a message");
            };
            kinds.push((m, *kind));
        }
    }
    assert!(
        kinds.iter().all(|k| k.1 == WatchMessageKind::Extend) && !kinds.is_empty(),
        "only the EXTEND (which carries the whole WATCH): {kinds:?}"
    );
}

/// A worker's phone as a coercer finds it: paired with Bea, a WATCH of its own check-in
/// queued for Bea's phone, and a watch held for Bea's check-in. Returns the worker, Bea's
/// phone, the worker's check-in and Bea's.
fn worker_watching_and_watched(dir: &std::path::Path) -> (Phone, Phone, CheckinId, CheckinId) {
    let worker = phone(dir, "worker", WORKER_SECRET);
    let buddy = phone(dir, "buddy", BUDDY_SECRET);
    let add = |p: &Phone, name: &str, number: &str| {
        let checkins = p.app.checkins().unwrap();
        checkins.set_codes("2468", "1357").unwrap();
        checkins
            .add_buddy(
                BuddyDraft {
                    name: name.into(),
                    phone: number.into(),
                    channel: Channel::Sms,
                    language: "en".into(),
                    plain_letters: None,
                },
                "GB",
            )
            .unwrap()
            .id
    };
    let bea = add(&worker, "Bea", "07400 111222");
    let maria = add(&buddy, "Maria", "07400 333444");
    let (_, on_buddy) = pair(&worker, "Maria", &buddy, "Bea", Some(bea));
    buddy
        .app
        .pairings()
        .unwrap()
        .link_buddy(&on_buddy, Some(maria))
        .unwrap();
    // Bea's check-in, watched by the worker's phone (received while it was locked).
    let plan = buddy
        .app
        .checkin_plan(t(23, 0), &[BuddyRef::Id(maria)])
        .unwrap();
    let beas = buddy.app.start_checkin(plan, t(19, 0)).unwrap().id;
    let watch = wake(&buddy.app.checkins().unwrap(), t(19, 0)).0;
    let runner = worker.home.runner(worker.secret).unwrap();
    runner.receive_watch_message(&watch[0].1, t(19, 1)).unwrap();
    assert_eq!(wake(&runner, t(19, 1)).0[0].0, WatchMessageKind::Ack);
    // The worker's own check-in: its WATCH to Bea is queued, not sent yet.
    let own = start(&worker, bea);
    (worker, buddy, own, beas)
}

#[test]
fn a_decoy_session_shows_nothing_of_the_real_watches_while_the_runner_keeps_them_going() {
    let dir = tempfile::tempdir().unwrap();
    let (mut worker, buddy, own, beas) = worker_watching_and_watched(dir.path());
    let real_code = worker.app.pairings().unwrap().own_code("Maria").unwrap();
    worker
        .app
        .set_duress(
            "pass",
            "decoy pass",
            vigil_core::vault::DuressOptions {
                destroy_real: false,
                alert_buddies: false,
            },
            &[],
            t(20, 0),
        )
        .unwrap();
    worker.app = worker
        .home
        .unlock("decoy pass", Some(worker.secret), t(20, 0))
        .unwrap();
    let decoy = &worker.app;
    let esc = decoy.checkins().unwrap();

    // Every watch screen of the decoy: its own, empty.
    assert!(decoy.sent_watches().unwrap().is_empty());
    assert!(esc.sent_watches().unwrap().is_empty());
    assert!(esc.held_watches().unwrap().is_empty());
    assert!(decoy.pairings().unwrap().list().unwrap().items.is_empty());
    // Its pairing code is its own: not the phone's keys (which Bea's phone knows).
    let decoy_code = decoy.pairings().unwrap().own_code("Maria").unwrap();
    assert_ne!(decoy_code, real_code);
    // Bea moves her deadline: the SMS reaches the open decoy. The phone's state takes it
    // (the watch follows), the decoy answers as a phone with other keys would.
    let extend = {
        buddy
            .app
            .extend_checkin(&beas, Duration::minutes(30), t(20, 5))
            .unwrap();
        let texts = wake(&buddy.app.checkins().unwrap(), t(20, 5)).0;
        assert_eq!(texts[0].0, WatchMessageKind::Extend);
        texts[0].1.clone()
    };
    let answer = format!("{:?}", esc.receive_watch_message(&extend, t(20, 6)));
    assert!(answer.contains("WrongRecipient"), "{answer}");
    assert!(esc.held_watches().unwrap().is_empty());
    // What a shell books its wake-ups from still has the real watch (times only), moved.
    let times = esc.held_watch_times().unwrap();
    assert_eq!(times.len(), 1);
    assert_eq!(
        (times[0].deadline, times[0].alarm_due),
        (Some(t(23, 30)), Some(t(23, 40)))
    );
    let answers = format!(
        "{answer} {:?} {:?} {:?} {:?} {decoy_code}",
        decoy.sent_watches(),
        esc.sent_watches(),
        esc.held_watches(),
        decoy.pairings().unwrap().list(),
    );
    for real in [
        "Bea",
        "7400111222",
        "7400333444",
        &own.to_string(),
        &beas.to_string(),
    ] {
        assert!(!answers.contains(real), "{real} in {answers}");
    }

    // Meanwhile the real watches go on: the open decoy's tick drives them (a shell ticks
    // the open session), and the locked runner sees them all.
    let (texts, _) = wake(&esc, t(20, 10));
    let mut kinds: Vec<_> = texts.iter().map(|t| format!("{:?}", t.0)).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["Ack", "Watch"],
        "the ACK of Bea's EXTEND and the worker's WATCH still go out"
    );
    let watch = texts
        .iter()
        .find(|t| t.0 == WatchMessageKind::Watch)
        .unwrap()
        .1
        .clone();
    let runner = worker.home.runner(worker.secret).unwrap();
    let sent = runner.sent_watches().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].checkin, own);
    assert_eq!(sent[0].buddies[0].name, "Bea");
    assert!(sent[0].buddies[0].sent && !sent[0].buddies[0].confirmed);
    let held_real = held(&runner);
    assert_eq!(held_real.len(), 1);
    assert_eq!(held_real[0].worker_name, "Bea");
    assert_eq!(
        held_real[0].alarm_due,
        Some(t(23, 30) + Duration::minutes(10))
    );
    // Unconfirmed, the WATCH is resent 5 minutes after it left, by the runner.
    let resent = texts_at(&runner, t(20, 15));
    assert_eq!(resent, [(WatchMessageKind::Watch, watch)]);
}

#[test]
fn pairing_and_watching_inside_a_decoy_work_and_stay_out_of_the_phones_real_watches() {
    let dir = tempfile::tempdir().unwrap();
    let (mut worker, _buddy, own, _) = worker_watching_and_watched(dir.path());
    worker
        .app
        .set_duress(
            "pass",
            "decoy pass",
            vigil_core::vault::DuressOptions {
                destroy_real: false,
                alert_buddies: false,
            },
            &[],
            t(20, 0),
        )
        .unwrap();
    worker.app = worker
        .home
        .unlock("decoy pass", Some(worker.secret), t(20, 0))
        .unwrap();
    // Whoever holds the decoy pairs their own phone and arms a check-in with it: it works
    // as in a real vault.
    let third = phone(dir.path(), "third", THIRD_SECRET);
    let cleo = worker
        .app
        .checkins()
        .unwrap()
        .add_buddy(
            BuddyDraft {
                name: "Cleo".into(),
                phone: "07400 555666".into(),
                channel: Channel::Sms,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap()
        .id;
    pair(&worker, "Maria", &third, "Cleo", Some(cleo));
    let names: Vec<_> = (worker.app.pairings().unwrap().list().unwrap().items)
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Cleo"]);
    let plan = worker
        .app
        .checkin_plan(t(21, 0), &[BuddyRef::Id(cleo)])
        .unwrap();
    let decoys = worker.app.start_checkin(plan, t(20, 1)).unwrap().id;
    let esc = worker.app.checkins().unwrap();
    let texts = wake(&esc, t(20, 1)).0;
    let to_cleo: Vec<_> = texts
        .iter()
        .filter(|(_, text)| {
            third
                .app
                .checkins()
                .unwrap()
                .receive_watch_message(text, t(20, 2))
                .is_ok()
        })
        .collect();
    assert_eq!(to_cleo.len(), 1, "Cleo's phone holds the decoy's check-in");
    let ack = wake(&third.app.checkins().unwrap(), t(20, 2)).0;
    esc.receive_watch_message(&ack[0].1, t(20, 3)).unwrap();
    let sent = worker.app.sent_watches().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].checkin, decoys);
    assert_eq!(sent[0].buddies[0].name, "Cleo");
    assert!(sent[0].buddies[0].confirmed);
    // Checked in from the decoy: Cleo's phone gets its SAFE.
    Escalation::check_in(&esc, "2468", t(20, 30)).unwrap();
    let safe = wake(&esc, t(20, 30)).0;
    let got: Vec<_> = safe
        .iter()
        .map(|(kind, text)| {
            (
                kind,
                third
                    .app
                    .checkins()
                    .unwrap()
                    .receive_watch_message(text, t(20, 31)),
            )
        })
        .collect();
    assert!(
        got.iter()
            .any(|(kind, r)| **kind == WatchMessageKind::Safe && r.is_ok()),
        "{got:?}"
    );

    // The phone's real watches know nothing of Cleo, and the real vault lists only Bea.
    let runner = worker.home.runner(worker.secret).unwrap();
    let sent = runner.sent_watches().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].checkin, own);
    assert!(format!("{sent:?} {:?}", held(&runner))
        .find("Cleo")
        .is_none());
    let from_cleo = wake(&third.app.checkins().unwrap(), t(20, 31)).0;
    assert_eq!(
        refusal(runner.receive_watch_message(&from_cleo[0].1, t(20, 32))),
        WatchError::WrongRecipient
    );
    worker.app = worker
        .home
        .unlock("pass", Some(worker.secret), t(20, 40))
        .unwrap();
    let names: Vec<_> = (worker.app.pairings().unwrap().list().unwrap().items)
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Bea"]);
}

#[test]
fn a_newer_extend_queued_after_one_that_left_is_not_shown_as_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    assert_eq!(texts_at(&w, t(20, 0)).len(), 1);
    let status = || worker.app.sent_watches().unwrap()[0].buddies[0].clone();
    // EXTEND #1 leaves.
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 10))
        .unwrap();
    assert_eq!(texts_at(&w, t(20, 10))[0].0, WatchMessageKind::Extend);
    assert!(status().sent);
    // EXTEND #2 is queued, not sent yet: the buddy does not have the new deadline.
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 20))
        .unwrap();
    let s = status();
    assert_eq!(s.last, WatchMessageKind::Extend);
    assert!(!s.sent, "EXTEND #1 having left does not make #2 sent");
    assert_eq!(texts_at(&w, t(20, 20))[0].0, WatchMessageKind::Extend);
    assert!(status().sent);
}

#[test]
fn an_extend_that_superseded_an_unsent_watch_gives_the_buddy_the_whole_watch() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    let b = buddy.home.runner(buddy.secret).unwrap();
    // The WATCH never leaves (composer dismissed); she extends by 30 minutes.
    let first = w.watch_tick(t(20, 0)).unwrap();
    dismissed(&w, &first[0].id, t(20, 0)).unwrap();
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(20, 1))
        .unwrap();
    let sent = texts_at(&w, t(20, 1));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, WatchMessageKind::Extend);
    // Only the EXTEND reaches the buddy: it holds the whole watch, with the new deadline.
    assert_eq!(
        b.receive_watch_message(&sent[0].1, t(20, 2)).unwrap().kind,
        WatchMessageKind::Extend
    );
    let watch = held(&b)[0].clone();
    let terms = watch.terms.expect("the terms");
    assert_eq!(terms.deadline, t(22, 30));
    assert_eq!(terms.address.as_deref(), Some("12 Harbour Street, Leith"));
    assert_eq!(terms.client.as_deref(), Some("Tall man, blue car"));
    assert_eq!(watch.alarm_due, Some(t(22, 40)));
    assert_eq!(watch.phase, WatchPhase::Watching);
    // No SAFE comes: the alarm at the new deadline + grace carries the details.
    assert!(wake(&b, t(22, 39))
        .1
        .iter()
        .all(|n| n.0 != WatchNotice::Alarm));
    let (_, notices) = wake(&b, t(22, 40));
    let alarm = notices
        .iter()
        .find(|n| n.0 == WatchNotice::Alarm)
        .expect("the alarm");
    assert!(alarm.1.contains("12 Harbour Street"), "{}", alarm.1);
}

#[test]
fn once_the_watch_left_the_safe_does_not_wait_behind_an_unsent_extend() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, _buddy, bea) = worker_and_buddy(dir.path());
    let id = start(&worker, bea);
    let w = worker.home.runner(worker.secret).unwrap();
    // The WATCH left: the buddy's phone holds the deadline (22:00, alarm at 22:10).
    assert_eq!(texts_at(&w, t(20, 0))[0].0, WatchMessageKind::Watch);
    // She extends; the EXTEND's composer is dismissed every time.
    worker
        .app
        .extend_checkin(&id, Duration::minutes(30), t(21, 50))
        .unwrap();
    let ext = w.watch_tick(t(21, 50)).unwrap();
    dismissed(&w, &ext[0].id, t(21, 50)).unwrap();
    // She checks in at 21:55: the SAFE goes at once, or the old deadline would pass.
    Escalation::check_in(&w, "2468", t(21, 55)).unwrap();
    let kinds: Vec<_> = w
        .watch_tick(t(21, 55))
        .unwrap()
        .iter()
        .filter_map(|a| match &a.kind {
            WatchActionKind::SendMessage { kind, .. } => Some(*kind),
            WatchActionKind::NotifyBuddy { .. } => None,
        })
        .collect();
    assert!(kinds.contains(&WatchMessageKind::Safe), "{kinds:?}");
}
