//! The growing delay after wrong check-in codes: shared by the unlocked session and the
//! locked runner, kept across restarts, and blind to which code is typed during it.

use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use vigil_core::checkin::{
    ActionKind, BackgroundRunner, BuddyDraft, Channel, CheckinError, CheckinPlan, EscalationKey,
    MessagePurpose, FIRST_CODE_DELAY_SECS, FREE_WRONG_CODES, MAX_CODE_DELAY_SECS,
};
use vigil_core::clock::Timestamp;
use vigil_core::error::ErrorKind;
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

const SECRET: &[u8] = b"device-secret-from-the-keystore!";
const CODE: &str = "2468";
const DURESS: &str = "1357";

fn key() -> EscalationKey {
    EscalationKey::from_device_secret(SECRET).unwrap()
}

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

fn secs(s: i64) -> Duration {
    Duration::seconds(s)
}

/// A vault with codes, one buddy and a check-in armed for an hour from `t0`.
fn armed(dir: &Path) -> PathBuf {
    let path = dir.join("vault.db");
    let session = Vault::create(
        &path,
        "pass phrase",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(SECRET.to_vec()),
        },
    )
    .unwrap();
    let k = key();
    let c = session.checkins(&k);
    c.set_codes(CODE, DURESS).unwrap();
    let ana = c
        .add_buddy(
            BuddyDraft {
                name: "Ana".into(),
                phone: "07400 123456".into(),
                channel: Channel::Sms,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap();
    c.arm(
        CheckinPlan::new(t0() + Duration::hours(1), vec![ana.id]),
        t0(),
    )
    .unwrap();
    session.lock();
    path
}

fn runner(path: &Path) -> BackgroundRunner {
    BackgroundRunner::open(&Vault::open(path).unwrap(), key()).unwrap()
}

fn wait_of(result: vigil_core::Result<impl std::fmt::Debug>) -> u64 {
    match result {
        Err(e @ Error::Checkin(CheckinError::TooManyWrongCodes { .. })) => {
            assert_eq!(e.kind(), ErrorKind::TooManyWrongCodes);
            assert!(e.hint().is_some());
            e.retry_after_secs().unwrap()
        }
        other => panic!("expected a delay, got {other:?}"),
    }
}

/// Enters the free wrong codes; the last one starts the first delay.
fn use_up_free_codes(r: &BackgroundRunner, at: Timestamp) -> u64 {
    for _ in 1..FREE_WRONG_CODES {
        assert!(matches!(
            r.check_in("0000", at),
            Err(Error::Checkin(CheckinError::WrongCode))
        ));
    }
    wait_of(r.check_in("0000", at))
}

#[test]
fn wrong_codes_start_a_delay_that_doubles_up_to_a_cap_and_a_right_code_resets_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = armed(dir.path());
    let r = runner(&path);
    let mut now = t0() + secs(60);
    assert_eq!(use_up_free_codes(&r, now), FIRST_CODE_DELAY_SECS as u64);
    // During the delay even the right code is refused, with the time left.
    now += secs(10);
    assert_eq!(wait_of(r.check_in(CODE, now)), 20);
    // Each further wrong code after a delay doubles it, up to the cap.
    let mut expected = FIRST_CODE_DELAY_SECS as u64;
    for _ in 0..8 {
        now += secs(expected as i64);
        expected = (expected * 2).min(MAX_CODE_DELAY_SECS as u64);
        assert_eq!(wait_of(r.check_in("0000", now)), expected);
    }
    assert_eq!(expected, MAX_CODE_DELAY_SECS as u64);
    // Once it has passed, the right code checks in, and the count starts again.
    now += secs(expected as i64);
    r.check_in(CODE, now).unwrap();
    assert!(matches!(
        r.check_in("0000", now),
        Err(Error::Checkin(CheckinError::WrongCode))
    ));
}

#[test]
fn the_delay_is_shared_by_session_and_runner_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = armed(dir.path());
    let now = t0() + secs(60);
    // Wrong codes typed in the unlocked app...
    let session = Vault::open(&path)
        .unwrap()
        .unlock("pass phrase", Some(SECRET))
        .unwrap();
    let k = key();
    for _ in 1..FREE_WRONG_CODES {
        assert!(session.checkins(&k).check_in("0000", now).is_err());
    }
    assert_eq!(
        wait_of(session.checkins(&k).check_in("0000", now)),
        FIRST_CODE_DELAY_SECS as u64
    );
    session.lock();
    // ...hold on the lock screen, also after the phone restarted.
    let r = runner(&path);
    assert_eq!(wait_of(r.check_in(CODE, now + secs(5))), 25);
    drop(r);
    let r = runner(&path);
    assert_eq!(wait_of(r.check_in(CODE, now + secs(6))), 24);
    // The clock set back cannot make it longer than the longest delay.
    assert!(wait_of(r.check_in(CODE, now - Duration::days(3))) <= MAX_CODE_DELAY_SECS as u64);
    assert_eq!(r.list().unwrap().items.len(), 1, "still armed");
    r.check_in(CODE, now + secs(30)).unwrap();
}

#[test]
fn during_a_delay_the_duress_code_gets_exactly_the_answer_the_real_code_gets() {
    let (real_dir, duress_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (real, duress) = (
        runner(&armed(real_dir.path())),
        runner(&armed(duress_dir.path())),
    );
    let now = t0() + secs(60);
    use_up_free_codes(&real, now);
    use_up_free_codes(&duress, now);

    let later = now + secs(12);
    let a = real.check_in(CODE, later).unwrap_err();
    let b = duress.check_in(DURESS, later).unwrap_err();
    assert_eq!(
        (a.kind(), a.to_string(), a.hint(), a.retry_after_secs()),
        (b.kind(), b.to_string(), b.hint(), b.retry_after_secs())
    );
    // Nothing ended, nothing was sent, the lock screen shows the same.
    let shown = |r: &BackgroundRunner| {
        r.list()
            .unwrap()
            .items
            .into_iter()
            .map(|c| (c.phase, c.deadline))
            .collect::<Vec<_>>()
    };
    assert_eq!(shown(&real), shown(&duress));
    assert!(duress.tick(later).unwrap().is_empty());

    // After the delay the duress code works as it always does: the same receipt shape,
    // and the silent alert.
    let after = now + secs(FIRST_CODE_DELAY_SECS);
    let a = real.check_in(CODE, after).unwrap();
    let b = duress.check_in(DURESS, after).unwrap();
    assert_eq!((a.checkins.len(), a.at), (b.checkins.len(), b.at));
    let sent = duress.tick(after).unwrap();
    assert!(sent.iter().any(|x| matches!(
        x.kind,
        ActionKind::MessageBuddy {
            purpose: MessagePurpose::Duress,
            discreet: true,
            ..
        }
    )));
}
