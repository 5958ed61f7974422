//! The enums the shells and the CLI pick from: `ALL` lists every variant, and `as_str` is
//! the stored (serde) name, so a picker built from them can offer and parse every value.

use vigil_core::bookings::{BookingKind, BookingStatus};
use vigil_core::checkin::Channel;
use vigil_core::screening::Risk;

fn serde_name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn all_lists_every_variant_once_under_its_stored_name() {
    // No wildcard: a new variant does not build until it is handled here and in `ALL`.
    let in_all = |r: Risk| match r {
        Risk::Safe | Risk::Unknown | Risk::Caution | Risk::Danger | Risk::Blocked => {
            Risk::ALL.contains(&r)
        }
    };
    for r in Risk::ALL {
        assert!(in_all(r));
        assert_eq!(r.as_str(), serde_name(r));
    }
    assert_eq!(Risk::ALL.len(), 5);

    let in_all = |c: Channel| match c {
        Channel::Sms | Channel::Call | Channel::OtherApp => Channel::ALL.contains(&c),
    };
    for c in Channel::ALL {
        assert!(in_all(c));
        assert_eq!(c.as_str(), serde_name(c));
    }
    assert_eq!(Channel::ALL.len(), 3);

    let in_all = |k: BookingKind| match k {
        BookingKind::Incall | BookingKind::Outcall | BookingKind::Video | BookingKind::Other => {
            BookingKind::ALL.contains(&k)
        }
    };
    for k in BookingKind::ALL {
        assert!(in_all(k));
        assert_eq!(k.as_str(), serde_name(k));
    }
    assert_eq!(BookingKind::ALL.len(), 4);

    for s in [
        BookingStatus::Planned,
        BookingStatus::InProgress,
        BookingStatus::Done,
        BookingStatus::Cancelled,
        BookingStatus::NoShow,
        BookingStatus::Incident,
    ] {
        assert_eq!(s.as_str(), serde_name(s));
    }
}
