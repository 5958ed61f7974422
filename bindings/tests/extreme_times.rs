//! Extreme times from a shell (Kotlin `Instant.MAX`, a clock before 1970) arrive as
//! `VigilError::TimeOutOfRange`, and `Long.MAX_VALUE` minutes as `InvalidInput` (beyond the
//! check-in rules' 12 hours), never as a panic, through every entry point that takes one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use vigil_ffi::*;

const DEVICE: &[u8] = b"0123456789abcdef0123456789abcdef";
/// 2026-03-01T12:00:00Z.
const T0_SECS: u64 = 1_772_366_400;

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T0_SECS)
}

/// The shells' extremes: far future (i64::MAX seconds, as Java's `Instant.MAX` is beyond
/// chrono), year 10000, and before 1970.
fn extremes() -> [SystemTime; 3] {
    [
        UNIX_EPOCH + Duration::from_secs(i64::MAX as u64),
        UNIX_EPOCH + Duration::from_secs(253_402_300_800),
        UNIX_EPOCH - Duration::from_secs(1),
    ]
}

fn out_of_range<T>(r: Result<T, VigilError>, what: &str) {
    match r {
        Err(VigilError::TimeOutOfRange { hint, .. }) => assert!(hint.is_some(), "{what}"),
        Err(other) => panic!("{what}: expected TimeOutOfRange, got {other:?}"),
        Ok(_) => panic!("{what}: expected TimeOutOfRange, got a success"),
    }
}

/// Minutes beyond what any check-in can use (12 hours) are the check-in's own refusal:
/// invalid input naming the field, not a clock problem.
fn beyond_a_checkin<T>(r: Result<T, VigilError>, what: &str) {
    match r {
        Err(VigilError::InvalidInput { detail, .. }) => {
            assert!(detail.contains("out of range"), "{what}: {detail}")
        }
        Err(other) => panic!("{what}: expected InvalidInput, got {other:?}"),
        Ok(_) => panic!("{what}: expected InvalidInput, got a success"),
    }
}

fn booking(starts_at: SystemTime, ends_at: Option<SystemTime>) -> BookingInput {
    BookingInput {
        client_label: "x".into(),
        client_phone: None,
        client_email: None,
        client_handle: None,
        starts_at,
        ends_at,
        kind: BookingKind::Incall,
        address: None,
        latitude: None,
        longitude: None,
        terms: None,
        notes: None,
        status: BookingStatus::Planned,
    }
}

fn checkin(deadline: SystemTime, buddy: &str) -> CheckinInput {
    CheckinInput {
        deadline,
        buddy_ids: vec![buddy.to_owned()],
        booking_id: None,
        reminder_minutes: None,
        grace_minutes: None,
        repeat_minutes: None,
        discreet_notice: None,
        ladder: Vec::new(),
    }
}

#[test]
fn every_entry_point_taking_a_time_refuses_extremes_with_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create("pass".into(), DEVICE.to_vec(), Some(100_000))
        .unwrap();
    let buddy = session
        .add_buddy(BuddyInput {
            name: "B".into(),
            phone: "07400 123456".into(),
            channel: Channel::Sms,
            language: "en".into(),
            plain_letters: None,
        })
        .unwrap();
    session
        .set_checkin_codes("4321".into(), "9876".into())
        .unwrap();
    let ok = booking(t0(), None);
    let stored = session.add_booking(ok.clone(), t0()).unwrap();
    for t in extremes() {
        out_of_range(vault.unlock("pass".into(), DEVICE.to_vec(), t), "unlock");
        out_of_range(session.add_booking(ok.clone(), t), "add_booking now");
        out_of_range(session.add_booking(booking(t, None), t0()), "booking start");
        out_of_range(
            session.add_booking(booking(t0(), Some(t)), t0()),
            "booking end",
        );
        out_of_range(
            session.update_booking(stored.id.clone(), ok.clone(), t),
            "update_booking",
        );
        out_of_range(session.list_bookings(Some(t), None), "list_bookings from");
        out_of_range(session.list_bookings(None, Some(t)), "list_bookings to");
        let note = NoteInput {
            identifiers: vec!["07700 900461".into()],
            label: Some("x".into()),
            risk: Risk::Caution,
            text: String::new(),
        };
        out_of_range(session.add_note(note, t), "add_note");
        out_of_range(session.screen("07700 900461".into(), t), "screen");
        out_of_range(
            session.start_checkin(checkin(t, &buddy.id), t0()),
            "deadline",
        );
        out_of_range(
            session.start_checkin(checkin(t0(), &buddy.id), t),
            "arm now",
        );
        out_of_range(session.check_in("4321".into(), t), "check_in");
        out_of_range(session.extend_checkin("00".repeat(16), 5, t), "extend now");
        out_of_range(session.cancel_checkin("00".repeat(16), t), "cancel");
        out_of_range(
            session.acknowledge("00".repeat(16), buddy.id.clone(), t),
            "acknowledge",
        );
        out_of_range(
            session.update_location(51.5, -0.1, None, t),
            "update_location",
        );
        out_of_range(session.tick(t), "tick");
        let action = ActionId {
            checkin: "00".repeat(16),
            seq: 1,
        };
        out_of_range(
            session.report_outcome(action.clone(), Outcome::Sent, t),
            "report_outcome",
        );
        let key = vigil_core::feeds::PublicKey::from_bytes([7; 32]).to_string();
        out_of_range(
            session.trust_publisher("P".into(), key, t),
            "trust_publisher",
        );
        out_of_range(session.import_bundle(vec![0; 8], t), "import_bundle");
        let near = |open_at| NearbyInput {
            latitude: 51.5,
            longitude: -0.1,
            radius_km: 5.0,
            limit: 5,
            categories: vec![],
            open_at,
            include_maybe_open: false,
        };
        out_of_range(session.nearby_services(near(None), t), "nearby now");
        out_of_range(
            session.nearby_services(near(Some(t)), t0()),
            "nearby open_at",
        );
        out_of_range(
            session.search_services("clinic".into(), 5, t),
            "search_services",
        );
    }
    session.lock();
    let runner = vault.background_runner(DEVICE.to_vec()).unwrap();
    for t in extremes() {
        out_of_range(runner.tick(t), "runner tick");
        out_of_range(runner.check_in("4321".into(), t), "runner check_in");
        let action = ActionId {
            checkin: "00".repeat(16),
            seq: 1,
        };
        out_of_range(
            runner.report_outcome(action, Outcome::Sent, t),
            "runner report_outcome",
        );
    }
}

#[test]
fn extreme_durations_are_typed_errors_and_the_idle_lock_is_a_checked_setting() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create("pass".into(), DEVICE.to_vec(), Some(100_000))
        .unwrap();
    // The idle lock is a setting: u32::MAX minutes is refused, not a panic.
    let mut settings = session.settings().unwrap();
    settings.idle_lock_minutes = u32::MAX;
    assert!(matches!(
        session.set_settings(settings),
        Err(VigilError::InvalidInput { .. })
    ));
    let buddy = session
        .add_buddy(BuddyInput {
            name: "B".into(),
            phone: "07400 123456".into(),
            channel: Channel::Sms,
            language: "en".into(),
            plain_letters: None,
        })
        .unwrap();
    session
        .set_checkin_codes("4321".into(), "9876".into())
        .unwrap();
    let deadline = t0() + Duration::from_secs(3600);
    for m in [i64::MAX, i64::MIN] {
        let mut input = checkin(deadline, &buddy.id);
        input.reminder_minutes = Some(m);
        beyond_a_checkin(session.start_checkin(input, t0()), "reminder");
        let mut input = checkin(deadline, &buddy.id);
        input.grace_minutes = Some(m);
        beyond_a_checkin(session.start_checkin(input, t0()), "grace");
        let mut input = checkin(deadline, &buddy.id);
        input.repeat_minutes = Some(m);
        beyond_a_checkin(session.start_checkin(input, t0()), "repeat");
    }
    let armed = session
        .start_checkin(checkin(deadline, &buddy.id), t0())
        .unwrap();
    for m in [i64::MAX, i64::MIN] {
        beyond_a_checkin(session.extend_checkin(armed.id.clone(), m, t0()), "extend");
    }
    // The check-in is untouched by the refusals.
    assert!(session.next_wakeup().unwrap().is_some());
}
