//! Issue 20 through the bindings: a booking's number is checked and stored in E.164, the
//! check-in history (duress code shown as a check-in), a client's past bookings.

use std::time::{Duration, SystemTime};

use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_ffi::{
    BookingInput, BookingKind, BookingStatus, BuddyInput, Channel, CheckinInput, Vault,
};

fn booking(label: &str, phone: &str, starts_at: SystemTime, status: BookingStatus) -> BookingInput {
    BookingInput {
        client_label: label.into(),
        client_phone: Some(phone.into()),
        client_email: None,
        client_handle: None,
        starts_at,
        ends_at: None,
        kind: BookingKind::Incall,
        address: None,
        latitude: None,
        longitude: None,
        terms: None,
        notes: None,
        status,
    }
}

#[test]
fn bookings_history_and_own_bookings_cross_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create(
            "correct horse battery".into(),
            b"keystore secret for the tests!!!".to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let day = Duration::from_secs(24 * 3600);

    assert!(session
        .add_booking(
            booking("Tom", "not a number", now, BookingStatus::Planned),
            now
        )
        .is_err());
    let b = session
        .add_booking(
            booking("Tom", "07700 900123", now - day, BookingStatus::NoShow),
            now,
        )
        .unwrap();
    assert_eq!(b.details.client_phone.as_deref(), Some("+447700900123"));
    session
        .add_booking(
            booking("Tom", "+44 7700 900123", now + day, BookingStatus::Planned),
            now,
        )
        .unwrap();
    let seen = session.seen_in_bookings("07700900123".into(), now).unwrap();
    assert_eq!((seen.bookings, seen.no_shows), (2, 1));
    assert_eq!(seen.last, Some(now - day));
    assert_eq!(seen.next, Some(now + day));

    session
        .add_buddy(BuddyInput {
            name: "Ana".into(),
            phone: "07400 123456".into(),
            channel: Channel::Sms,
            language: "en".into(),
            plain_letters: None,
        })
        .unwrap();
    session
        .set_checkin_codes("4321".into(), "9876".into())
        .unwrap();
    for code in ["4321", "9876"] {
        session
            .start_checkin(
                CheckinInput {
                    deadline: now + Duration::from_secs(1800),
                    buddy_ids: Vec::new(),
                    booking_id: None,
                    reminder_minutes: None,
                    grace_minutes: None,
                    repeat_minutes: None,
                    discreet_notice: None,
                    ladder: Vec::new(),
                },
                now,
            )
            .unwrap();
        session
            .check_in(code.into(), now + Duration::from_secs(60))
            .unwrap();
    }
    let history = session.checkin_history().unwrap();
    assert_eq!(history.entries.len(), 2);
    assert!(history.entries.iter().all(|e| e.checked_in && !e.escalated));
}

/// "Past, no status": the ids of the bookings over and still planned or in progress (the
/// core's `Booking::awaiting_outcome`), none of a settled or future one.
#[test]
fn bookings_awaiting_outcome_lists_past_unsettled_bookings_only() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create(
            "correct horse battery".into(),
            b"keystore secret for the tests!!!".to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let hour = Duration::from_secs(3600);
    let add = |starts_at, status| {
        session
            .add_booking(booking("Tom", "07700 900123", starts_at, status), now)
            .unwrap()
            .id
    };
    let past_planned = add(now - hour, BookingStatus::Planned);
    let past_in_progress = add(now - 2 * hour, BookingStatus::InProgress);
    add(now - hour, BookingStatus::Done);
    add(now - hour, BookingStatus::Cancelled);
    add(now - hour, BookingStatus::NoShow);
    let future = add(now + hour, BookingStatus::Planned);
    // Started, but its end is still ahead: not waiting yet.
    session
        .add_booking(
            BookingInput {
                ends_at: Some(now + hour),
                ..booking("Tom", "07700 900123", now - hour, BookingStatus::InProgress)
            },
            now,
        )
        .unwrap();
    let mut ids = session.bookings_awaiting_outcome(now).unwrap();
    ids.sort();
    let mut expected = vec![past_planned, past_in_progress];
    expected.sort();
    assert_eq!(ids, expected);
    // Once its time has passed, the future booking waits for her word too.
    assert!(session
        .bookings_awaiting_outcome(now + 2 * hour)
        .unwrap()
        .contains(&future));
}
