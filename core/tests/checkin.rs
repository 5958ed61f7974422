//! Check-ins through the real vault file: the unlocked session, the locked background
//! runner, restarts from disk, erasure, the duress code.

use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use vigil_core::bookings::{BookingDraft, BookingKind};
use vigil_core::checkin::{
    Action, ActionKind, BackgroundRunner, BuddyDraft, Channel, CheckInReceipt, CheckinError,
    CheckinPlan, EscalationKey, LadderProblem, LadderStep, LocationFix, MessagePurpose, Outcome,
    Phase, WorkerNotice,
};
use vigil_core::clock::Timestamp;
use vigil_core::vault::{RecordId, Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

const SECRET: &[u8] = b"device-secret-from-the-keystore!";
const OTHER_SECRET: &[u8] = b"some-other-phone-keystore-secret";
const PASS: &str = "correct horse battery staple";
const CODE: &str = "2468";
const DURESS: &str = "1357";
const ANA_PHONE: &str = "+447400123456";

fn key() -> EscalationKey {
    EscalationKey::from_device_secret(SECRET).unwrap()
}

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

fn min(m: i64) -> Duration {
    Duration::minutes(m)
}

fn create(dir: &Path) -> (PathBuf, Session) {
    let path = dir.join("vault.db");
    let session = Vault::create(
        &path,
        PASS,
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(SECRET.to_vec()),
        },
    )
    .unwrap();
    (path, session)
}

fn unlock(path: &Path) -> Session {
    Vault::open(path)
        .unwrap()
        .unlock(PASS, Some(SECRET))
        .unwrap()
}

fn runner(path: &Path) -> BackgroundRunner {
    BackgroundRunner::open(&Vault::open(path).unwrap(), key()).unwrap()
}

fn draft(name: &str, phone: &str, channel: Channel, language: &str) -> BuddyDraft {
    BuddyDraft {
        name: name.into(),
        phone: phone.into(),
        channel,
        language: language.into(),
        plain_letters: None,
    }
}

/// A vault with codes set and two buddies (Ana: SMS, English; Ioana: call, Romanian).
fn setup(dir: &Path) -> (PathBuf, Session, Vec<RecordId>) {
    let (path, session) = create(dir);
    let k = key();
    let c = session.checkins(&k);
    c.set_codes(CODE, DURESS).unwrap();
    let ana = c
        .add_buddy(draft("Ana", "07400 123456", Channel::Sms, "en"), "GB")
        .unwrap();
    let ioana = c
        .add_buddy(draft("Ioana", "+40 721 234 567", Channel::Call, "ro"), "GB")
        .unwrap();
    (path, session, vec![ana.id, ioana.id])
}

fn text_of(a: &Action) -> &str {
    match &a.kind {
        ActionKind::NotifyWorker { text, .. }
        | ActionKind::MessageBuddy { text, .. }
        | ActionKind::WorkerAlertFailed { text, .. } => text,
    }
}

fn buddy_purposes(actions: &[Action]) -> Vec<MessagePurpose> {
    actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::MessageBuddy { purpose, .. } => Some(*purpose),
            _ => None,
        })
        .collect()
}

fn raw_files(path: &Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(bytes) = std::fs::read(PathBuf::from(p)) {
            all.extend(bytes);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn escalation_rows(path: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT id, body FROM checkin_escalation")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    rows.into_iter()
        .filter(|(id, _): &(Vec<u8>, Vec<u8>)| id != &vec![0u8; 16])
        .collect()
}

#[test]
fn buddies_are_normalized_sealed_and_managed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = create(dir.path());
    let k = key();
    let c = session.checkins(&k);
    let ana = c
        .add_buddy(draft(" Ana ", "07400 123456", Channel::Sms, "EN"), "GB")
        .unwrap();
    assert_eq!(
        (ana.name.as_str(), ana.phone.as_str(), ana.language.as_str()),
        ("Ana", ANA_PHONE, "en")
    );
    let bea = c
        .add_buddy(
            draft("Bea", "+351 912 345 678", Channel::OtherApp, "pt-BR"),
            "GB",
        )
        .unwrap();
    assert_eq!(bea.phone, "+351912345678");
    assert_eq!(bea.language, "pt-br");

    // A buddy's number goes through the same normalizer as screening's identifiers.
    assert!(matches!(
        c.add_buddy(draft("X", "hello", Channel::Sms, "en"), "GB"),
        Err(Error::Screening(
            vigil_core::screening::ScreeningError::InvalidIdentifier {
                kind: vigil_core::screening::IdentifierKind::Phone,
                ..
            }
        ))
    ));
    for (bad, field) in [
        (draft("", "07400 123456", Channel::Sms, "en"), "buddy name"),
        (
            draft("X", "07400 123456", Channel::Sms, "english!"),
            "language",
        ),
    ] {
        match c.add_buddy(bad, "GB") {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid {field}, got {other:?}"),
        }
    }
    assert!(matches!(
        c.add_buddy(draft("X", "07400 123456", Channel::Sms, "en"), "XX"),
        Err(Error::InvalidInput {
            field: "region",
            ..
        })
    ));

    let list = c.buddies().unwrap();
    assert_eq!(
        list.items
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Ana", "Bea"]
    );
    let updated = c
        .update_buddy(
            &ana.id,
            draft("Ana M", "+44 7400 123457", Channel::Call, "es"),
            "GB",
        )
        .unwrap();
    assert_eq!(c.buddy(&ana.id).unwrap(), updated);
    c.remove_buddy(&bea.id).unwrap();
    assert!(matches!(c.buddy(&bea.id), Err(Error::NotFound("buddy"))));
    assert!(matches!(
        c.remove_buddy(&bea.id),
        Err(Error::NotFound("buddy"))
    ));

    // Nothing readable on disk.
    session.lock();
    let raw = raw_files(&path);
    for needle in [&b"Ana M"[..], b"+447400123457", b"7400 123457"] {
        assert!(!contains(&raw, needle));
    }
}

#[test]
fn arming_mistakes_are_clear_errors_at_arming() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, session) = create(dir.path());
    let k = key();
    let c = session.checkins(&k);
    let ana = c
        .add_buddy(draft("Ana", "07400 123456", Channel::Sms, "en"), "GB")
        .unwrap();
    let plan = |deadline, buddies| CheckinPlan::new(deadline, buddies);

    let err = |r: vigil_core::Result<_>| -> Error {
        r.map(|_: vigil_core::checkin::CheckinStatus| ())
            .unwrap_err()
    };
    assert!(matches!(
        err(c.arm(plan(t0() + min(60), vec![ana.id]), t0())),
        Error::Checkin(CheckinError::CodesNotSet)
    ));
    c.set_codes(CODE, DURESS).unwrap();
    assert!(matches!(
        err(c.arm(plan(t0() + min(60), vec![]), t0())),
        Error::Checkin(CheckinError::NoBuddies)
    ));
    assert!(matches!(
        err(c.arm(
            plan(t0() + min(60), vec![RecordId::from_bytes([9; 16])]),
            t0()
        )),
        Error::Checkin(CheckinError::UnknownBuddy)
    ));
    assert!(matches!(
        err(c.arm(plan(t0() - min(1), vec![ana.id]), t0())),
        Error::Checkin(CheckinError::DeadlineNotInFuture)
    ));
    assert!(matches!(
        err(c.arm(plan(t0(), vec![ana.id]), t0())),
        Error::Checkin(CheckinError::DeadlineNotInFuture)
    ));
    assert!(matches!(
        err(c.arm(plan(t0() + Duration::hours(13), vec![ana.id]), t0())),
        Error::Checkin(CheckinError::TooLong)
    ));
    let mut bad_ladder = plan(t0() + min(60), vec![ana.id]);
    bad_ladder.ladder = vec![LadderStep {
        after: min(0),
        buddies: vec![RecordId::from_bytes([9; 16])],
        channel: None,
    }];
    assert!(matches!(
        err(c.arm(bad_ladder, t0())),
        Error::Checkin(CheckinError::InvalidLadder(LadderProblem::BuddyNotChosen {
            step: 1
        }))
    ));
    // Nothing was armed by any of these.
    assert!(c.list().unwrap().items.is_empty());
    assert_eq!(c.next_wakeup().unwrap(), None);
    // Error messages carry no personal data.
    assert!(!Error::from(CheckinError::UnknownBuddy)
        .to_string()
        .contains("Ana"));
}

#[test]
fn buddy_alerts_carry_the_booking_and_the_first_step_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, session, buddies) = setup(dir.path());
    let mut booking = BookingDraft::new(
        "Tall man, grey coat",
        t0() - min(30),
        120,
        BookingKind::Outcall,
    );
    booking.client.phone = Some("07400 999888".into());
    booking.client.handle = Some("@greycoat".into());
    booking.place.address = Some("12 Example Road, Leeds".into());
    booking.place.latitude = Some(53.8);
    booking.place.longitude = Some(-1.55);
    let booking = session.bookings().add(booking, t0()).unwrap();

    let k = key();
    let c = session.checkins(&k);
    let mut plan = CheckinPlan::new(t0() + min(60), buddies.clone());
    plan.booking = Some(vigil_core::app::covered_booking(&booking));
    let armed = c.arm(plan, t0()).unwrap();
    assert_eq!(armed.phase, Phase::Armed);
    assert_eq!(armed.escalates_at, t0() + min(70));

    let actions = c.tick(t0() + min(70)).unwrap();
    let messages: Vec<&Action> = actions
        .iter()
        .filter(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        .collect();
    assert_eq!(messages.len(), 2);
    let english = messages
        .iter()
        .find(|a| matches!(&a.kind, ActionKind::MessageBuddy { language, .. } if language == "en"))
        .unwrap();
    let text = text_of(english);
    for expected in [
        "ALERT: I have not checked in",
        "Meeting with: Tall man, grey coat",
        "07400 999888",
        "@greycoat",
        "Address: 12 Example Road, Leeds",
        "https://www.openstreetmap.org/?mlat=53.80000&mlon=-1.55000&zoom=17",
        "Meeting started: 19:30 UTC",
        "Check-in was due: 21:00 UTC\n",
        "My phone has not shared its location.",
        "What to do: call me",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    match &english.kind {
        ActionKind::MessageBuddy {
            phone,
            channel,
            discreet,
            ..
        } => {
            assert_eq!(phone, ANA_PHONE);
            assert_eq!(*channel, Channel::Sms);
            assert!(!discreet);
        }
        _ => unreachable!(),
    }
    let romanian = messages
        .iter()
        .find(|a| matches!(&a.kind, ActionKind::MessageBuddy { language, .. } if language == "ro"))
        .unwrap();
    // Romanian buddies get plain letters by default: GSM-7, no diacritics.
    let ro = text_of(romanian);
    assert!(
        ro.starts_with("ALERTA: nu am confirmat ca sunt bine"),
        "{ro}"
    );
    assert!(ro.contains("Adresa: 12 Example Road, Leeds"), "{ro}");
    assert_eq!(
        vigil_core::checkin::sms::encoding(ro),
        vigil_core::checkin::sms::Encoding::Gsm7
    );
    assert!(vigil_core::checkin::sms::segments(ro) <= 4);
}

#[test]
fn the_locked_runner_escalates_with_only_the_device_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    {
        let k = key();
        session
            .checkins(&k)
            .arm(CheckinPlan::new(t0() + min(60), buddies.clone()), t0())
            .unwrap();
    }
    session.lock();

    // No passphrase from here on.
    let r = runner(&path);
    assert_eq!(r.next_wakeup().unwrap(), Some(t0() + min(55)));
    r.update_location(LocationFix {
        latitude: 53.79,
        longitude: -1.54,
        accuracy_m: Some(15.0),
        at: t0() + min(62),
    })
    .unwrap();
    let reminder = r.tick(t0() + min(55)).unwrap();
    assert!(matches!(
        reminder[0].kind,
        ActionKind::NotifyWorker {
            notice: WorkerNotice::Reminder,
            ..
        }
    ));
    r.report_outcome(&reminder[0].id, Outcome::Sent, t0() + min(55))
        .unwrap();
    let alerts = r.tick(t0() + min(70)).unwrap();
    assert_eq!(buddy_purposes(&alerts), vec![MessagePurpose::Alert; 2]);
    let with_location = alerts
        .iter()
        .find(|a| text_of(a).contains("My phone's last location"))
        .unwrap();
    assert!(
        text_of(with_location).contains("8 min ago, within 15 m"),
        "{}",
        text_of(with_location)
    );
    for a in &alerts {
        r.report_outcome(&a.id, Outcome::Sent, t0() + min(70))
            .unwrap();
    }
    assert_eq!(r.list().unwrap().items[0].phase, Phase::Escalating);
    assert_eq!(r.list().unwrap().items[0].buddies_alerted, 2);

    // She checks in from the lock screen; both buddies hear she is safe.
    assert!(matches!(
        r.check_in("0000", t0() + min(72)),
        Err(Error::Checkin(CheckinError::WrongCode))
    ));
    let receipt = r.check_in(CODE, t0() + min(72)).unwrap();
    assert_eq!(receipt.checkins.len(), 1);
    let safe = r.tick(t0() + min(72)).unwrap();
    assert_eq!(buddy_purposes(&safe), vec![MessagePurpose::Safe; 2]);
    for a in &safe {
        r.report_outcome(&a.id, Outcome::Sent, t0() + min(72))
            .unwrap();
    }
    assert_eq!(r.next_wakeup().unwrap(), None);
    assert!(r.list().unwrap().items.is_empty());
    assert!(matches!(
        r.check_in(CODE, t0() + min(73)),
        Err(Error::Checkin(CheckinError::NothingArmed))
    ));
}

#[test]
fn a_wrong_device_secret_fails_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let k = key();
    session
        .checkins(&k)
        .arm(CheckinPlan::new(t0() + min(60), buddies), t0())
        .unwrap();
    let wrong = EscalationKey::from_device_secret(OTHER_SECRET).unwrap();
    let err = BackgroundRunner::open(&Vault::open(&path).unwrap(), wrong).unwrap_err();
    assert!(
        matches!(err, Error::Checkin(CheckinError::WrongDeviceSecret)),
        "{err:?}"
    );
    assert!(err.to_string().contains("device secret"));
    let wrong = EscalationKey::from_device_secret(OTHER_SECRET).unwrap();
    assert!(matches!(
        session.checkins(&wrong).tick(t0() + min(70)),
        Err(Error::Checkin(CheckinError::WrongDeviceSecret))
    ));
    // ... and it cannot overwrite the codes either.
    assert!(matches!(
        session.checkins(&wrong).set_codes("9999", "8888"),
        Err(Error::Checkin(CheckinError::WrongDeviceSecret))
    ));
    // The right one still works, and the state is intact.
    assert_eq!(session.checkins(&k).list().unwrap().items.len(), 1);
    assert!(matches!(
        EscalationKey::from_device_secret(b""),
        Err(Error::InvalidInput {
            field: "device secret",
            ..
        })
    ));
}

#[test]
fn the_escalation_state_is_erased_when_the_check_in_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let k = key();
    let c = session.checkins(&k);
    c.arm(CheckinPlan::new(t0() + min(60), buddies), t0())
        .unwrap();
    let alerts = c.tick(t0() + min(70)).unwrap();
    let alert_text = text_of(
        alerts
            .iter()
            .find(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
            .unwrap(),
    )
    .to_owned();
    for a in &alerts {
        c.report_outcome(&a.id, Outcome::Sent, t0() + min(70))
            .unwrap();
    }
    let rows = escalation_rows(&path);
    assert_eq!(rows.len(), 1);
    let sealed = rows[0].1.clone();
    assert!(
        contains(&raw_files(&path), &sealed[20..52]),
        "the sealed state is on disk while armed"
    );

    c.check_in(CODE, t0() + min(72)).unwrap();
    for a in c.tick(t0() + min(72)).unwrap() {
        c.report_outcome(&a.id, Outcome::Sent, t0() + min(72))
            .unwrap();
    }
    assert!(escalation_rows(&path).is_empty());
    let raw = raw_files(&path);
    // Not the sealed bytes (main file or WAL), and of course no plaintext.
    assert!(
        !contains(&raw, &sealed[20..52]),
        "sealed escalation state survived on disk"
    );
    assert!(!contains(&raw, ANA_PHONE.as_bytes()));
    assert!(!contains(
        &raw,
        alert_text.lines().next().unwrap().as_bytes()
    ));
    assert!(!contains(&raw, b"SAFETY ALERT"));
    session.lock();
    assert!(!contains(&raw_files(&path), &sealed[20..52]));
}

fn arm_and_escalate(session: &Session, buddies: &[RecordId], deadline: Timestamp) -> RecordId {
    let k = key();
    let c = session.checkins(&k);
    c.arm(CheckinPlan::new(deadline, buddies.to_vec()), t0())
        .unwrap()
        .id
}

#[test]
fn the_duress_code_returns_exactly_what_a_normal_check_in_returns() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let k = key();
    let c = session.checkins(&k);
    let now = t0() + min(30);

    let normal_id = arm_and_escalate(&session, &buddies, t0() + min(60));
    let normal = c.check_in(CODE, now).unwrap();
    let normal_after = (
        c.list().unwrap().items,
        c.status(&normal_id).map_err(|e| e.to_string()),
    );

    let duress_id = arm_and_escalate(&session, &buddies, t0() + min(60));
    let duress = c.check_in(DURESS, now).unwrap();
    let duress_after = (
        c.list().unwrap().items,
        c.status(&duress_id).map_err(|e| e.to_string()),
    );

    // Same type, same fields, same follow-up view.
    assert_eq!(
        normal,
        CheckInReceipt {
            checkins: vec![normal_id],
            at: now
        }
    );
    assert_eq!(
        duress,
        CheckInReceipt {
            checkins: vec![duress_id],
            at: now
        }
    );
    assert_eq!(normal_after, duress_after);
    assert!(normal_after.0.is_empty());
    assert_eq!(normal_after.1, Err("no check-in with that id".to_owned()));

    // Meanwhile every buddy of the ladder gets a silent duress alert.
    let actions = c.tick(now).unwrap();
    assert_eq!(actions.len(), 2);
    for a in &actions {
        match &a.kind {
            ActionKind::MessageBuddy {
                purpose,
                discreet,
                channel,
                text,
                ..
            } => {
                assert_eq!(*purpose, MessagePurpose::Duress);
                assert!(*discreet);
                assert_ne!(*channel, Channel::Call);
                assert!(
                    text.contains("I am NOT safe") || text.contains("NU sunt bine"),
                    "{text}"
                );
            }
            other => panic!("nothing may show to the worker: {other:?}"),
        }
    }
    // It keeps going while locked, after a restart, until a buddy answers.
    session.lock();
    let r = runner(&path);
    for a in &actions {
        r.report_outcome(&a.id, Outcome::Sent, now).unwrap();
    }
    let repeat_at = r.next_wakeup().unwrap().unwrap();
    assert_eq!(repeat_at, now + min(5));
    let again = r.tick(repeat_at).unwrap();
    assert_eq!(buddy_purposes(&again), vec![MessagePurpose::Duress; 2]);
    for a in &again {
        r.report_outcome(&a.id, Outcome::Sent, repeat_at).unwrap();
    }
    r.acknowledge(&duress_id, &buddies[0], repeat_at).unwrap();
    assert_eq!(r.next_wakeup().unwrap(), None);
    assert!(
        escalation_rows(&path).is_empty(),
        "erased once a buddy acknowledged"
    );
}

/// One door to the state: the unlocked session or the locked runner.
enum Door {
    Session(Box<Session>),
    Runner(BackgroundRunner),
}

impl Door {
    fn open(path: &Path, step: usize) -> Door {
        if step % 2 == 0 {
            Door::Runner(runner(path))
        } else {
            Door::Session(Box::new(unlock(path)))
        }
    }
    fn tick(&self, now: Timestamp) -> Vec<Action> {
        match self {
            Door::Session(s) => s.checkins(&key()).tick(now).unwrap(),
            Door::Runner(r) => r.tick(now).unwrap(),
        }
    }
    fn next_wakeup(&self) -> Option<Timestamp> {
        match self {
            Door::Session(s) => s.checkins(&key()).next_wakeup().unwrap(),
            Door::Runner(r) => r.next_wakeup().unwrap(),
        }
    }
    fn report(&self, a: &Action, outcome: Outcome, now: Timestamp) {
        match self {
            Door::Session(s) => s
                .checkins(&key())
                .report_outcome(&a.id, outcome, now)
                .unwrap(),
            Door::Runner(r) => r.report_outcome(&a.id, outcome, now).unwrap(),
        }
    }
    fn check_in(&self, code: &str, now: Timestamp) -> CheckInReceipt {
        match self {
            Door::Session(s) => s.checkins(&key()).check_in(code, now).unwrap(),
            Door::Runner(r) => r.check_in(code, now).unwrap(),
        }
    }
    fn acknowledge(&self, checkin: &RecordId, buddy: &RecordId, now: Timestamp) {
        match self {
            Door::Session(s) => s.checkins(&key()).acknowledge(checkin, buddy, now).unwrap(),
            Door::Runner(r) => r.acknowledge(checkin, buddy, now).unwrap(),
        }
    }
}

/// A whole check-in, with the shell killed once mid-send. With `restarts`, everything is
/// dropped and reopened from disk (alternately locked and unlocked) between every two
/// steps. Returns a log of what was issued.
fn scripted_run(restarts: bool) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let id = arm_and_escalate(&session, &buddies, t0() + min(60));
    let mut door = Door::Session(Box::new(session));
    let mut step = 0;
    let mut log = Vec::new();
    let mut reopen = |door: &mut Door| {
        if restarts {
            step += 1;
            *door = Door::open(&path, step);
        }
    };
    let describe = |a: &Action| -> String {
        match &a.kind {
            ActionKind::NotifyWorker { notice, .. } => format!("{}: worker {notice:?}", a.id.seq),
            ActionKind::MessageBuddy {
                name,
                purpose,
                channel,
                ..
            } => {
                format!("{}: {name} {purpose:?} by {channel:?}", a.id.seq)
            }
            ActionKind::WorkerAlertFailed { buddy_name, .. } => {
                format!("{}: worker told {buddy_name} failed", a.id.seq)
            }
        }
    };

    let mut now = t0();
    let mut wakeups = 0;
    while let Some(at) = door.next_wakeup() {
        reopen(&mut door);
        now = now.max(at);
        wakeups += 1;
        let actions = door.tick(now);
        assert!(!actions.is_empty(), "woken for nothing at {now}");
        reopen(&mut door);
        for a in &actions {
            let line = describe(a);
            log.push(line.clone());
            // The first alert to Ioana: the shell is killed before it can report.
            if line.contains("Ioana Alert") && !log.iter().any(|l| l.starts_with("killed")) {
                log.push("killed".into());
                continue;
            }
            door.report(a, Outcome::Sent, now);
            reopen(&mut door);
        }
        if log.iter().filter(|l| l.contains("Ana Alert")).count() == 2
            && !log.iter().any(|l| l == "ack")
        {
            door.acknowledge(&id, &buddies[0], now);
            log.push("ack".into());
            reopen(&mut door);
        }
        if log.iter().any(|l| l == "ack")
            && !log.iter().any(|l| l == "checked in")
            && door.next_wakeup().is_none()
        {
            door.check_in(CODE, now + min(1));
            log.push("checked in".into());
        }
    }
    log.push(format!("wake-ups: {wakeups}"));
    log
}

#[test]
fn a_restart_between_any_two_steps_loses_nothing_and_repeats_nothing() {
    let straight = scripted_run(false);
    let restarted = scripted_run(true);
    assert_eq!(straight, restarted, "restarts changed what happened");
    // What happened is right: reminder, overdue, escalation to both, the killed send to
    // Ioana retried at the acknowledgement timeout, one repeat round, acknowledgement, and
    // "I'm safe" to both after the check-in: 6 wake-ups (55, 60, 70, 72, 75 min, and the
    // check-in's own "I'm safe" round).
    let expected = [
        "1: worker Reminder",
        "2: worker Overdue",
        "3: worker Escalating",
        "4: Ana Alert by Sms",
        "5: Ioana Alert by Call",
        "killed",
        // The retry replaces the unreported send: the same action id.
        "5: Ioana Alert by Call",
        "6: Ana Alert by Sms",
        "7: Ioana Alert by Call",
        "ack",
        "checked in",
        "8: Ana Safe by Sms",
        // Never by a call, which a duress check-in would not place: her SMS instead.
        "9: Ioana Safe by Sms",
        "wake-ups: 6",
    ];
    assert_eq!(&straight[..expected.len()], &expected, "{straight:#?}");
    // Every issued seq appears once, except the retry of the killed send: nothing
    // reported sent was issued again.
    let seqs: Vec<&str> = straight
        .iter()
        .filter_map(|l| l.split_once(':').map(|p| p.0))
        .filter(|s| s.parse::<u32>().is_ok())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = seqs.iter().collect();
    assert_eq!(seqs.len(), unique.len() + 1);
    assert_eq!(seqs.iter().filter(|s| **s == "5").count(), 2);
}

#[test]
fn wake_ups_equal_scheduled_events_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let id = arm_and_escalate(&session, &buddies[..1], t0() + min(60));
    session.lock();
    let r = runner(&path);
    let mut wakeups = Vec::new();
    while let Some(at) = r.next_wakeup().unwrap() {
        wakeups.push(at);
        for a in r.tick(at).unwrap() {
            r.report_outcome(&a.id, Outcome::Sent, at).unwrap();
        }
        if wakeups.len() == 5 {
            r.acknowledge(&id, &buddies[0], at).unwrap();
        }
    }
    // Reminder, overdue, escalation, two repeats: five events, five wake-ups.
    let expected: Vec<Timestamp> = [55, 60, 70, 75, 80]
        .iter()
        .map(|m| t0() + min(*m))
        .collect();
    assert_eq!(wakeups, expected);
}

#[test]
fn the_session_and_the_runner_work_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let r = runner(&path);
    let k = key();
    let c = session.checkins(&k);
    c.arm(CheckinPlan::new(t0() + min(60), vec![buddies[0]]), t0())
        .unwrap();
    assert_eq!(r.next_wakeup().unwrap(), Some(t0() + min(55)));
    let reminder = r.tick(t0() + min(55)).unwrap();
    c.report_outcome(&reminder[0].id, Outcome::Sent, t0() + min(55))
        .unwrap();
    c.arm(
        CheckinPlan::new(t0() + min(90), vec![buddies[1]]),
        t0() + min(56),
    )
    .unwrap();
    assert_eq!(r.list().unwrap().items.len(), 2);
    let id = r.list().unwrap().items[1].id;
    c.extend(&id, min(30), t0() + min(57)).unwrap();
    assert_eq!(r.list().unwrap().items[1].deadline, t0() + min(120));
    c.cancel(&id, t0() + min(58)).unwrap();
    assert_eq!(r.list().unwrap().items.len(), 1);
    assert_eq!(r.next_wakeup().unwrap(), Some(t0() + min(60)));
}

#[test]
fn bad_locked_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let id = arm_and_escalate(&session, &buddies, t0() + min(60));
    session.lock();
    let r = runner(&path);
    let before = r.list().unwrap().items;
    for (lat, lon, acc) in [
        (91.0, 0.0, None),
        (0.0, f64::NAN, None),
        (0.0, 0.0, Some(-1.0)),
    ] {
        let fix = LocationFix {
            latitude: lat,
            longitude: lon,
            accuracy_m: acc,
            at: t0(),
        };
        assert!(matches!(
            r.update_location(fix),
            Err(Error::InvalidInput { .. })
        ));
    }
    assert!(matches!(
        r.acknowledge(&id, &buddies[0], t0()),
        Err(Error::Checkin(CheckinError::NotAlerted))
    ));
    assert!(matches!(
        r.acknowledge(&RecordId::from_bytes([5; 16]), &buddies[0], t0()),
        Err(Error::NotFound("check-in"))
    ));
    let bogus = format!("{id}-999").parse().unwrap();
    assert!(matches!(
        r.report_outcome(&bogus, Outcome::Sent, t0()),
        Err(Error::Checkin(CheckinError::UnknownAction))
    ));
    assert_eq!(r.list().unwrap().items, before);
}

#[test]
fn plain_letters_follow_the_language_unless_chosen_and_pt_br_is_its_own_language() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, session, _) = setup(dir.path());
    let k = key();
    let c = session.checkins(&k);
    let pl = c
        .add_buddy(draft("Kasia", "07400 111222", Channel::Sms, "pl"), "GB")
        .unwrap();
    assert!(
        pl.plain_letters,
        "Polish SMS are usually written without diacritics"
    );
    let mut d = draft("Bruna", "07400 333444", Channel::Sms, "pt-BR");
    assert!(!c.add_buddy(d.clone(), "GB").unwrap().plain_letters);
    d.plain_letters = Some(true);
    let bruna = c.add_buddy(d, "GB").unwrap();
    assert!(bruna.plain_letters);
    assert_eq!(bruna.language, "pt-br");
    let mut d = draft("Ola", "07400 555666", Channel::Sms, "pl");
    d.plain_letters = Some(false);
    assert!(!c.add_buddy(d, "GB").unwrap().plain_letters);

    let mut plan = CheckinPlan::new(t0() + min(30), vec![pl.id, bruna.id]);
    plan.timing.reminder_before = Duration::zero();
    c.arm(plan, t0()).unwrap();
    let actions = c.tick(t0() + min(40)).unwrap();
    let texts: Vec<&str> = actions
        .iter()
        .filter(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        .map(text_of)
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("ALARM: minal czas")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Meu celular nao enviou")),
        "{texts:?}"
    );
}

#[test]
fn buddies_stored_before_plain_letters_load_with_their_language_default() {
    let old = |language: &str| {
        serde_json::json!({
            "id": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
            "name": "Ana",
            "phone": "+447400123456",
            "channel": "sms",
            "language": language,
        })
    };
    let ro: vigil_core::checkin::Buddy = serde_json::from_value(old("ro")).unwrap();
    assert!(ro.plain_letters);
    let en: vigil_core::checkin::Buddy = serde_json::from_value(old("en")).unwrap();
    assert!(!en.plain_letters);
    let mut chosen = old("ro");
    chosen["plain_letters"] = false.into();
    let ro: vigil_core::checkin::Buddy = serde_json::from_value(chosen).unwrap();
    assert!(!ro.plain_letters);
}

#[test]
fn discreet_wording_hides_what_the_worker_notices_say_but_not_the_buddy_alert() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, session, buddies) = setup(dir.path());
    let k = key();
    let c = session.checkins(&k);
    let mut plan = CheckinPlan::new(t0() + min(30), buddies.clone());
    plan.discreet_notice = Some(format!("Buy bread{}", "!".repeat(100)));
    assert!(matches!(
        c.arm(plan.clone(), t0()),
        Err(Error::InvalidInput {
            field: "discreet notice",
            ..
        })
    ));
    plan.discreet_notice = Some("  Buy bread  ".into());
    c.arm(plan, t0()).unwrap();
    let mut notices = Vec::new();
    let mut buddy_texts = Vec::new();
    for m in [25, 30, 40] {
        for a in c.tick(t0() + min(m)).unwrap() {
            match a.kind {
                ActionKind::NotifyWorker { ref text, .. } => notices.push(text.clone()),
                ActionKind::MessageBuddy { ref text, .. } => buddy_texts.push(text.clone()),
                _ => {}
            }
        }
    }
    // Reminder, overdue, escalating (each repeated until reported shown): all neutral.
    assert!(notices.len() >= 3);
    assert!(notices.iter().all(|n| n == "Buy bread"), "{notices:?}");
    assert!(buddy_texts
        .iter()
        .any(|t| t.starts_with("ALERT: I have not checked in")));
}

#[test]
fn the_locked_runner_lists_for_the_lock_screen_and_a_buddy_reply_stops_the_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    {
        let k = key();
        let c = session.checkins(&k);
        // A custom ladder: Ana at the end of the grace period, Ioana 10 minutes later.
        let mut plan = CheckinPlan::new(t0() + min(60), buddies.clone());
        plan.ladder = vec![
            LadderStep {
                after: min(10),
                buddies: vec![buddies[1]],
                channel: None,
            },
            LadderStep {
                after: min(0),
                buddies: vec![buddies[0]],
                channel: None,
            },
        ];
        assert!(matches!(
            c.arm(plan.clone(), t0()),
            Err(Error::Checkin(CheckinError::InvalidLadder(
                LadderProblem::OutOfOrder { step: 2 }
            )))
        ));
        plan.ladder.reverse();
        c.arm(plan, t0()).unwrap();
    }
    session.lock();
    let r = runner(&path);
    r.update_location(LocationFix {
        latitude: 53.79,
        longitude: -1.54,
        accuracy_m: None,
        at: t0() + min(1),
    })
    .unwrap();

    // The lock screen: state and times, no names, numbers or location.
    let listing = r.list().unwrap();
    assert_eq!(listing.items.len(), 1);
    let item = &listing.items[0];
    assert_eq!(
        (item.phase, item.deadline, item.escalates_at),
        (Phase::Armed, t0() + min(60), t0() + min(70))
    );
    let shown = format!("{listing:?}");
    for private in ["Ana", "Ioana", "7400", "721", "53.79"] {
        assert!(!shown.contains(private), "the lock screen shows {private}");
    }

    // Escalation: only Ana at 70 (her step); she replies while the phone is locked.
    let a = r.tick(t0() + min(70)).unwrap();
    assert_eq!(buddy_purposes(&a), vec![MessagePurpose::Alert]);
    for x in &a {
        r.report_outcome(&x.id, Outcome::Sent, t0() + min(70))
            .unwrap();
    }
    let checkin = item.id;
    assert!(matches!(
        r.acknowledge(&checkin, &buddies[1], t0() + min(71)),
        Err(Error::Checkin(CheckinError::NotAlerted))
    ));
    r.acknowledge(&checkin, &buddies[0], t0() + min(71))
        .unwrap();
    let item = &r.list().unwrap().items[0];
    assert!(item.acknowledged && item.phase == Phase::Escalating);
    assert_eq!(item.buddies_alerted, 1);
    // No repeat round at 75 for Ana; Ioana's own step still starts at 80.
    assert!(buddy_purposes(&r.tick(t0() + min(75)).unwrap()).is_empty());
    let later = r.tick(t0() + min(80)).unwrap();
    assert_eq!(buddy_purposes(&later), vec![MessagePurpose::Alert]);
}

#[test]
fn extreme_times_from_a_shell_are_typed_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session, buddies) = setup(dir.path());
    let k = key();
    let c = session.checkins(&k);
    let far = chrono::DateTime::<Utc>::MAX_UTC - Duration::hours(1);
    let out = |r: vigil_core::Result<()>| matches!(r, Err(Error::TimeOutOfRange(_)));
    assert!(out(c
        .arm(CheckinPlan::new(far + min(30), buddies.clone()), far)
        .map(drop)));
    c.arm(CheckinPlan::new(t0() + min(60), buddies.clone()), t0())
        .unwrap();
    session.lock();
    let r = runner(&path);
    let before = r.next_wakeup().unwrap();
    assert!(out(r.tick(far).map(drop)));
    assert!(out(r.check_in(CODE, far).map(drop)));
    let id = r.list().unwrap().items[0].id;
    assert!(out(r.acknowledge(&id, &buddies[0], far)));
    assert!(out(r.update_location(LocationFix {
        latitude: 0.0,
        longitude: 0.0,
        accuracy_m: None,
        at: far,
    })));
    assert_eq!(r.next_wakeup().unwrap(), before);
    assert_eq!(r.list().unwrap().items[0].phase, Phase::Armed);
}
