//! "Past, no status" through the bindings: only bookings that are over and still planned or
//! in progress are listed; a settled one (done, cancelled, no-show) and a future one are not.

use std::time::{Duration, SystemTime};

use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_ffi::{BookingInput, BookingKind, BookingStatus, Vault};

fn booking(
    starts_at: SystemTime,
    ends_at: Option<SystemTime>,
    status: BookingStatus,
) -> BookingInput {
    BookingInput {
        client_label: "Tom".into(),
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
        status,
    }
}

#[test]
fn only_past_unsettled_bookings_await_an_outcome() {
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
    let add = |b| session.add_booking(b, now - 10 * hour).unwrap().id;

    let past_planned = add(booking(
        now - 3 * hour,
        Some(now - 2 * hour),
        BookingStatus::Planned,
    ));
    let past_in_progress = add(booking(now - 3 * hour, None, BookingStatus::InProgress));
    add(booking(
        now - 3 * hour,
        Some(now - 2 * hour),
        BookingStatus::Done,
    ));
    add(booking(
        now - 3 * hour,
        Some(now - 2 * hour),
        BookingStatus::Cancelled,
    ));
    add(booking(
        now - 3 * hour,
        Some(now - 2 * hour),
        BookingStatus::NoShow,
    ));
    // Started but not over yet: not waiting.
    add(booking(
        now - hour,
        Some(now + hour),
        BookingStatus::InProgress,
    ));
    add(booking(now + hour, None, BookingStatus::Planned));

    let mut waiting = session.bookings_awaiting_outcome(now).unwrap();
    waiting.sort();
    let mut expected = vec![past_planned, past_in_progress];
    expected.sort();
    assert_eq!(waiting, expected);
}
