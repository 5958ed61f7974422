//! Check-in history: written once when a check-in ends, the duress code indistinguishable
//! from the normal one, kept short (count and age).

mod common;

use chrono::Duration;
use common::{at, vault_with_ana};
use vigil_core::checkin::{CheckinPlan, EndedHow, HISTORY_KEEP, HISTORY_KEEP_DAYS};

#[test]
fn a_duress_check_in_is_recorded_exactly_like_a_normal_one() {
    let dir = tempfile::tempdir().unwrap();
    let (session, key, ana) = vault_with_ana(&dir.path().join("vault.db"));
    let checkins = session.checkins(&key);
    let mut ended = Vec::new();
    for code in ["2468", "1357"] {
        let t0 = at(20, 0);
        let armed = checkins
            .arm(CheckinPlan::new(t0 + Duration::minutes(30), vec![ana]), t0)
            .unwrap();
        checkins.check_in(code, t0 + Duration::minutes(10)).unwrap();
        ended.push(armed.id);
    }
    // The duress alerts go out and are reported sent afterwards: the entry stays as it was.
    let later = at(20, 20);
    for action in checkins.tick(later).unwrap() {
        checkins
            .report_outcome(&action.id, vigil_core::checkin::Outcome::Sent, later)
            .unwrap();
    }
    let history = checkins.history().unwrap().items;
    assert_eq!(history.len(), 2);
    let entry = |id| history.iter().find(|e| e.id == id).unwrap().clone();
    let (normal, duress) = (entry(ended[0]), entry(ended[1]));
    assert_eq!(normal.how, EndedHow::CheckedIn);
    assert_eq!(duress.how, EndedHow::CheckedIn);
    assert_eq!(
        (normal.escalated, normal.buddies_alerted, normal.booking),
        (duress.escalated, duress.buddies_alerted, duress.booking)
    );
    assert_eq!(
        normal.ended_at - normal.armed_at,
        duress.ended_at - duress.armed_at
    );
}

#[test]
fn the_history_keeps_the_newest_entries_of_the_last_days_only() {
    let dir = tempfile::tempdir().unwrap();
    let (session, key, ana) = vault_with_ana(&dir.path().join("vault.db"));
    let checkins = session.checkins(&key);
    let cancel_at = |t0: chrono::DateTime<chrono::Utc>| {
        let s = checkins
            .arm(CheckinPlan::new(t0 + Duration::minutes(30), vec![ana]), t0)
            .unwrap();
        checkins.cancel(&s.id, t0 + Duration::minutes(1)).unwrap();
        s.id
    };
    let old = cancel_at(at(8, 0) - Duration::days(HISTORY_KEEP_DAYS + 5));
    assert_eq!(checkins.history().unwrap().items.len(), 1);
    let mut ids = Vec::new();
    for k in 0..(HISTORY_KEEP as i64 + 5) {
        ids.push(cancel_at(at(8, 0) + Duration::hours(k)));
    }
    let history = checkins.history().unwrap().items;
    assert_eq!(history.len(), HISTORY_KEEP);
    assert!(
        history.iter().all(|e| e.id != old),
        "an entry past the age limit stayed"
    );
    assert!(history.iter().all(|e| e.how == EndedHow::Cancelled));
    // Latest first, and the oldest five of the new ones are the ones dropped.
    assert_eq!(history[0].id, *ids.last().unwrap());
    assert!(history.iter().all(|e| !ids[..5].contains(&e.id)));
}
