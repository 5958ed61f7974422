//! Tests of the pure engine. Every "restart" here is a serde round trip, which is exactly
//! what the store does between operations.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::checkin::{minutes, CheckinError, LadderProblem};
use crate::clock::from_system_time as time_from_system;
use crate::clock::Timestamp;
use crate::vault::RecordId;
use crate::{Error, Result};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

fn min(m: i64) -> Duration {
    Duration::minutes(m)
}

fn contact(i: u8, channel: Channel) -> Contact {
    Contact {
        buddy: RecordId::from_bytes([i + 1; 16]),
        name: format!("Buddy {i}"),
        phone: format!("+44770090012{i}"),
        channel,
        language: "en".into(),
        plain_letters: false,
    }
}

fn spec(deadline: Timestamp, contacts: Vec<Contact>) -> ArmSpec {
    ArmSpec {
        id: RecordId::from_bytes([0xc1; 16]),
        deadline,
        timing: Timing::default(),
        contacts,
        ladder: Vec::new(),
        facts: AlertFacts::default(),
        booking: None,
        worker_language: "en".into(),
        utc_offset_minutes: 0,
    }
}

/// Armed at t0, deadline t0 + 60 min: reminder at 55, overdue at 60, escalation at 70.
fn armed(n: u8) -> CheckinState {
    let contacts = (0..n).map(|i| contact(i, Channel::Sms)).collect();
    CheckinState::arm(spec(t0() + min(60), contacts), t0()).unwrap()
}

fn restart(s: &CheckinState) -> CheckinState {
    serde_json::from_slice(&serde_json::to_vec(s).unwrap()).unwrap()
}

fn notices(actions: &[Action]) -> Vec<WorkerNotice> {
    actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::NotifyWorker { notice, .. } => Some(*notice),
            _ => None,
        })
        .collect()
}

fn buddy_messages(actions: &[Action]) -> Vec<(RecordId, MessagePurpose, Channel, bool)> {
    actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::MessageBuddy {
                buddy,
                purpose,
                channel,
                discreet,
                ..
            } => Some((*buddy, *purpose, *channel, *discreet)),
            _ => None,
        })
        .collect()
}

fn report_all(s: &mut CheckinState, actions: &[Action], outcome: Outcome, now: Timestamp) {
    for a in actions {
        s.report(a.id.seq, outcome.clone(), now).unwrap();
    }
}

fn fail(reason: &str) -> Outcome {
    Outcome::Failed {
        reason: reason.into(),
    }
}

#[test]
fn arming_mistakes_are_caught_at_arming() {
    let c = vec![contact(0, Channel::Sms)];
    let err = |r: Result<CheckinState>| r.unwrap_err();
    assert!(matches!(
        err(CheckinState::arm(spec(t0() - min(1), c.clone()), t0())),
        Error::Checkin(CheckinError::DeadlineNotInFuture)
    ));
    assert!(matches!(
        err(CheckinState::arm(spec(t0(), c.clone()), t0())),
        Error::Checkin(CheckinError::DeadlineNotInFuture)
    ));
    assert!(matches!(
        err(CheckinState::arm(
            spec(t0() + Duration::hours(13), c.clone()),
            t0()
        )),
        Error::Checkin(CheckinError::TooLong)
    ));
    assert!(matches!(
        err(CheckinState::arm(spec(t0() + min(60), vec![]), t0())),
        Error::Checkin(CheckinError::NoBuddies)
    ));
    let mut bad_ladder = spec(t0() + min(60), c.clone());
    bad_ladder.ladder = vec![Step {
        after_secs: 0,
        contacts: vec![3],
        channel: None,
    }];
    assert!(matches!(
        err(CheckinState::arm(bad_ladder, t0())),
        Error::Checkin(CheckinError::InvalidLadder(LadderProblem::BuddyNotChosen {
            step: 1
        }))
    ));
    let mut fast = spec(t0() + min(60), c.clone());
    fast.timing.repeat_every = Duration::seconds(10);
    assert!(matches!(
        err(CheckinState::arm(fast, t0())),
        Error::InvalidInput {
            field: "repeat interval",
            ..
        }
    ));
    let mut negative = spec(t0() + min(60), c.clone());
    negative.timing.grace = min(-1);
    assert!(matches!(
        err(CheckinState::arm(negative, t0())),
        Error::InvalidInput {
            field: "grace period",
            ..
        }
    ));
    let mut orphan = spec(
        t0() + min(60),
        vec![contact(0, Channel::Sms), contact(1, Channel::Sms)],
    );
    orphan.ladder = vec![Step {
        after_secs: 0,
        contacts: vec![0],
        channel: None,
    }];
    assert!(matches!(
        err(CheckinState::arm(orphan, t0())),
        Error::Checkin(CheckinError::InvalidLadder(LadderProblem::BuddyMissing))
    ));
}

#[test]
fn timeline_with_default_timing() {
    let mut s = armed(2);
    assert_eq!(s.next_due(), Some(t0() + min(55)));
    assert!(s.tick(t0() + min(54)).is_empty());

    let a = s.tick(t0() + min(55));
    assert_eq!(notices(&a), vec![WorkerNotice::Reminder]);
    report_all(&mut s, &a, Outcome::Sent, t0() + min(55));
    assert_eq!(s.next_due(), Some(t0() + min(60)));

    let a = s.tick(t0() + min(60));
    assert_eq!(notices(&a), vec![WorkerNotice::Overdue]);
    report_all(&mut s, &a, Outcome::Sent, t0() + min(60));
    assert_eq!(s.next_due(), Some(t0() + min(70)));
    assert_eq!(s.phase(), Phase::Armed);

    let a = s.tick(t0() + min(70));
    assert_eq!(notices(&a), vec![WorkerNotice::Escalating]);
    let msgs = buddy_messages(&a);
    assert_eq!(msgs.len(), 2);
    assert!(msgs
        .iter()
        .all(|m| m.1 == MessagePurpose::Alert && m.2 == Channel::Sms && !m.3));
    report_all(&mut s, &a, Outcome::Sent, t0() + min(70));
    assert_eq!(s.phase(), Phase::Escalating);
    assert_eq!(s.status().buddies_alerted, 2);

    // Repeats every 5 minutes until someone acknowledges.
    assert_eq!(s.next_due(), Some(t0() + min(75)));
    let a = s.tick(t0() + min(75));
    assert_eq!(buddy_messages(&a).len(), 2);
    report_all(&mut s, &a, Outcome::Sent, t0() + min(75));
    s.acknowledge(&contact(1, Channel::Sms).buddy, t0() + min(76))
        .unwrap();
    assert_eq!(s.next_due(), None, "acknowledged: nothing left to wake for");
    assert!(s.tick(t0() + min(90)).is_empty());
    assert!(!s.is_finished(), "still waiting for her check-in");

    // Her check-in tells both alerted buddies she is safe, then the state can go.
    assert!(s.check_in(false, t0() + min(95)));
    let a = s.tick(t0() + min(95));
    let msgs = buddy_messages(&a);
    assert_eq!(msgs.len(), 2);
    assert!(msgs.iter().all(|m| m.1 == MessagePurpose::Safe));
    report_all(&mut s, &a, Outcome::Sent, t0() + min(95));
    assert!(s.is_finished());
    assert_eq!(s.next_due(), None);
}

#[test]
fn wake_ups_equal_scheduled_events() {
    // Reminder, overdue, escalation and three repeats: six events, six wake-ups.
    let mut s = armed(1);
    let mut wakeups = Vec::new();
    while let Some(at) = s.next_due() {
        wakeups.push(at);
        let a = s.tick(at);
        assert!(!a.is_empty(), "woken at {at} for nothing");
        report_all(&mut s, &a, Outcome::Sent, at);
        if wakeups.len() == 6 {
            s.acknowledge(&contact(0, Channel::Sms).buddy, at).unwrap();
        }
    }
    let expected: Vec<Timestamp> = [55, 60, 70, 75, 80, 85]
        .iter()
        .map(|m| t0() + min(*m))
        .collect();
    assert_eq!(wakeups, expected);
}

#[test]
fn far_forward_jump_fires_each_due_action_once() {
    let mut s = armed(2);
    let late = t0() + Duration::hours(5);
    let a = s.tick(late);
    // One notice (the stale reminder and overdue notices are folded into it) and one
    // alert per buddy: not one per missed repeat interval.
    assert_eq!(notices(&a), vec![WorkerNotice::Escalating]);
    assert_eq!(buddy_messages(&a).len(), 2);
    report_all(&mut s, &a, Outcome::Sent, late);
    assert!(s.tick(late).is_empty());
    let next = s.next_due().unwrap();
    assert!(
        next > late && next <= late + min(5),
        "next round within one interval: {next}"
    );
    let a = s.tick(next);
    assert_eq!(buddy_messages(&a).len(), 2);
}

#[test]
fn backward_jump_never_unfires() {
    let mut s = armed(1);
    let a = s.tick(t0() + min(70));
    report_all(&mut s, &a, Outcome::Sent, t0() + min(70));
    let before = s.next_due();
    // The clock goes back an hour: nothing fires again, nothing is undone.
    assert!(s.tick(t0() + min(10)).is_empty());
    assert_eq!(s.phase(), Phase::Escalating);
    assert_eq!(s.next_due(), before);
    assert!(
        s.tick(t0() + min(56)).is_empty(),
        "the reminder must not fire again"
    );
    assert!(
        s.tick(t0() + min(61)).is_empty(),
        "the overdue notice must not fire again"
    );
    // When the clock comes back, the repeat fires once.
    let a = s.tick(t0() + min(75));
    assert_eq!(buddy_messages(&a).len(), 1);
}

#[test]
fn unreported_action_times_out_and_is_retried_and_a_late_sent_still_counts() {
    let mut s = armed(1);
    let a = s.tick(t0() + min(70));
    let alert = a
        .iter()
        .find(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        .unwrap()
        .clone();
    // The shell was killed mid-send: no outcome. At the acknowledgement timeout the alert
    // counts as failed and is retried at once (the timeout already waited).
    let timeout = t0() + min(70) + Duration::seconds(ACK_TIMEOUT_SECS);
    assert_eq!(s.next_due(), Some(timeout));
    assert!(s.tick(timeout - Duration::seconds(1)).is_empty());
    let retry_at = timeout;
    let a3 = s.tick(retry_at);
    let retry = a3
        .iter()
        .find(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        .unwrap();
    // The retry replaces the first attempt: same id, so the shell does not send twice.
    assert_eq!(retry.id, alert.id, "a retry keeps its action id");
    assert_eq!((alert.attempt, retry.attempt), (1, 2));
    // The first attempt's Sent arrives late: the alert is delivered; nothing is retried.
    s.report(alert.id.seq, Outcome::Sent, retry_at).unwrap();
    let later = retry_at + Duration::seconds(ACK_TIMEOUT_SECS + 200);
    let a4 = s.tick(later);
    assert!(
        buddy_messages(&a4)
            .iter()
            .all(|m| m.1 == MessagePurpose::Alert)
            && buddy_messages(&a4).len() <= 1,
        "at most the next repeat round"
    );
    assert!(s.is_sent(alert.id.seq) && s.is_sent(retry.id.seq));
}

#[test]
fn failures_back_off_then_fall_back_to_other_channels_and_the_worker_is_told() {
    let mut s = armed(1);
    let mut now = t0() + min(70);
    let mut a = s.tick(now);
    // Keep the worker's notices sent, fail every buddy attempt.
    let mut channel_log = Vec::new();
    let mut told = Vec::new();
    let mut waits = Vec::new();
    for _ in 0..40 {
        for act in &a {
            match &act.kind {
                ActionKind::MessageBuddy { channel, .. } => {
                    channel_log.push((*channel, now));
                    s.report(act.id.seq, fail("no signal"), now).unwrap();
                }
                ActionKind::WorkerAlertFailed {
                    next_channel,
                    every_channel_failed,
                    reason,
                    ..
                } => {
                    told.push((*next_channel, *every_channel_failed, reason.clone()));
                    s.report(act.id.seq, Outcome::Sent, now).unwrap();
                }
                ActionKind::NotifyWorker { .. } => {
                    s.report(act.id.seq, Outcome::Sent, now).unwrap()
                }
            }
        }
        if s.status().phase == Phase::Escalating && !told.is_empty() && told.last().unwrap().1 {
            break;
        }
        let next = s.next_due().unwrap();
        waits.push((next - now).num_seconds());
        now = next;
        a = s.tick(now);
    }
    let channels: Vec<Channel> = channel_log.iter().map(|c| c.0).collect();
    assert_eq!(
        channels,
        [
            [Channel::Sms; 4],
            [Channel::Call; 4],
            [Channel::OtherApp; 4]
        ]
        .concat()
    );
    // 30 s, 1 min, 2 min between attempts on one channel; the next channel at once.
    assert_eq!(&waits[..3], &[30, 60, 120]);
    assert_eq!(
        told,
        vec![
            (Some(Channel::Call), false, Some("no signal".into())),
            (Some(Channel::OtherApp), false, Some("no signal".into())),
            (None, true, Some("no signal".into())),
        ]
    );
    assert!(s.buddy_reached_or_worker_told());
}

#[test]
fn a_later_ladder_step_starts_early_when_every_earlier_alert_failed() {
    let mut sp = spec(
        t0() + min(60),
        vec![contact(0, Channel::Sms), contact(1, Channel::Sms)],
    );
    sp.ladder = vec![
        Step {
            after_secs: 0,
            contacts: vec![0],
            channel: None,
        },
        Step {
            after_secs: 3600,
            contacts: vec![1],
            channel: Some(Channel::Call),
        },
    ];
    let mut s = CheckinState::arm(sp, t0()).unwrap();
    let mut now = t0() + min(70);
    let mut reached_second = None;
    for _ in 0..60 {
        let a = s.tick(now);
        for act in &a {
            match &act.kind {
                ActionKind::MessageBuddy { buddy, channel, .. }
                    if *buddy == contact(1, Channel::Sms).buddy =>
                {
                    reached_second.get_or_insert((now, *channel));
                    s.report(act.id.seq, Outcome::Sent, now).unwrap();
                }
                ActionKind::MessageBuddy { .. } => s.report(act.id.seq, fail("x"), now).unwrap(),
                _ => s.report(act.id.seq, Outcome::Sent, now).unwrap(),
            }
        }
        if reached_second.is_some() {
            break;
        }
        now = s.next_due().unwrap();
    }
    let (when, channel) = reached_second.expect("second buddy alerted");
    assert!(when < t0() + min(70) + min(60), "started early, at {when}");
    assert_eq!(channel, Channel::Call, "the step's channel is tried first");
}

#[test]
fn normal_check_in_tells_only_alerted_buddies_and_ends() {
    // Before escalation: nobody alerted, nothing to send, finished at once.
    let mut s = armed(2);
    let a = s.tick(t0() + min(55));
    report_all(&mut s, &a, Outcome::Sent, t0() + min(55));
    assert!(s.check_in(false, t0() + min(57)));
    assert!(s.tick(t0() + min(57)).is_empty());
    assert!(s.is_finished());
    assert!(!s.check_in(false, t0() + min(58)), "already ended");

    // After escalation: "I'm safe" to the buddies who were (or may have been) alerted.
    let mut s = armed(2);
    let a = s.tick(t0() + min(70));
    report_all(&mut s, &a, Outcome::Sent, t0() + min(70));
    s.check_in(false, t0() + min(72));
    assert_eq!(s.phase(), Phase::Ended);
    let a = s.tick(t0() + min(72));
    assert_eq!(
        buddy_messages(&a).iter().map(|m| m.1).collect::<Vec<_>>(),
        vec![MessagePurpose::Safe; 2]
    );
    assert!(!s.is_finished(), "not until the safe messages are sent");
    report_all(&mut s, &a, Outcome::Sent, t0() + min(72));
    assert!(s.is_finished());
}

#[test]
fn after_escalation_a_normal_check_in_places_no_call_just_as_a_duress_one() {
    let mut s = armed(2);
    s.contacts[0].channel = Channel::Call;
    s.contacts[1].channel = Channel::OtherApp;
    // Past deadline + grace: both buddies are alerted, then she checks in (normally).
    let mut now = t0() + min(71);
    let a = s.tick(now);
    report_all(&mut s, &a, Outcome::Sent, now);
    now += min(1);
    assert!(s.check_in(false, now));
    let msgs = buddy_messages(&s.tick(now));
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    for (_, purpose, channel, discreet) in &msgs {
        assert_eq!(*purpose, MessagePurpose::Safe);
        assert!(!discreet);
        assert_ne!(
            *channel,
            Channel::Call,
            "a call would show what a duress code hides"
        );
    }
}

#[test]
fn duress_alerts_repeat_for_an_hour_then_hourly_and_stop_after_a_day() {
    let mut s = armed(1);
    let start = t0() + min(30);
    assert!(s.check_in(true, start));
    let mut sent = Vec::new();
    while let Some(at) = s.next_due() {
        assert!(at <= start + Duration::days(2), "still going at {at}");
        let a = s.tick(at);
        sent.extend(
            buddy_messages(&a)
                .iter()
                .map(|_| (at - start).num_minutes()),
        );
        report_all(&mut s, &a, Outcome::Sent, at);
        if s.is_finished() {
            break;
        }
    }
    // At once, every 5 minutes (the check-in's interval) for an hour, then hourly, the last
    // a day after the duress code; then the row can go.
    let fast: Vec<i64> = (0..=12).map(|k| k * 5).collect();
    let hourly: Vec<i64> = (2..=24).map(|h| h * 60).collect();
    assert_eq!(sent, [fast, hourly].concat());
    assert!(s.is_finished());
    assert_eq!(s.next_due(), None);
}

#[test]
fn the_duress_rounds_count_matches_their_times_for_every_interval() {
    for reached in [false, true] {
        let mut s = armed(1);
        let start = t0() + min(30);
        assert!(s.check_in(true, start));
        let a = s.tick(start);
        let outcome = if reached {
            Outcome::Sent
        } else {
            fail("no signal")
        };
        report_all(&mut s, &a, outcome, start);
        for every in (60..=12 * 3600).step_by(60) {
            s.repeat_secs = every;
            let mut n = 1;
            while let Some(offset) = s.round_offset(n) {
                assert_eq!(s.rounds_due(offset), n, "every {every} s, round {n}");
                assert_eq!(
                    s.rounds_due(offset - 1),
                    n - 1,
                    "every {every} s, round {n}"
                );
                assert!(offset > 0 && (n == 1 || offset > s.round_offset(n - 1).unwrap()));
                n += 1;
                if n > 200 {
                    break;
                }
            }
            if reached {
                assert!(s.round_offset(n).is_none() || n > 200);
                assert!(
                    s.round_offset(n - 1).unwrap() <= 24 * 3600,
                    "every {every} s"
                );
            } else {
                assert!(n > 200, "no end while nobody was told (every {every} s)");
            }
        }
    }
}

#[test]
fn duress_alerts_that_never_left_go_on_hourly_past_the_day_and_stop_once_one_has() {
    let mut s = armed(1);
    let start = t0() + min(30);
    assert!(s.check_in(true, start));
    // No signal for 30 hours: every try fails, and the rounds go on past the day.
    let mut now = start;
    while now < start + Duration::hours(30) {
        now = s.next_due().expect("still trying");
        let a = s.tick(now);
        report_all(&mut s, &a, fail("no signal"), now);
    }
    assert!(!s.is_finished());
    // Signal: the next round goes out, and with it the alerts end.
    now = s.next_due().unwrap();
    let a = s.tick(now);
    assert_eq!(buddy_messages(&a).len(), 1);
    report_all(&mut s, &a, Outcome::Sent, now);
    assert_eq!(s.next_due(), None);
    assert!(s.is_finished());
}

#[test]
fn a_clock_jump_past_the_duress_alerts_day_sends_one_last_round_at_most() {
    let mut s = armed(1);
    let start = t0() + min(30);
    assert!(s.check_in(true, start));
    let a = s.tick(start);
    report_all(&mut s, &a, Outcome::Sent, start);
    let later = start + Duration::days(3);
    let a = s.tick(later);
    assert!(buddy_messages(&a).len() <= 1, "{a:?}");
    report_all(&mut s, &a, Outcome::Sent, later);
    assert_eq!(s.next_due(), None);
    assert!(s.is_finished());
}

#[test]
fn duress_looks_like_a_check_in_and_alerts_everyone_discreetly() {
    let mut normal = armed(2);
    normal.contacts[1].channel = Channel::Call;
    normal.contacts[0].channel = Channel::OtherApp;
    let mut duress = normal.clone();
    let now = t0() + min(30);
    assert_eq!(normal.check_in(false, now), duress.check_in(true, now));
    assert_eq!(normal.status(), duress.status(), "the caller sees the same");
    assert_eq!(duress.phase(), Phase::Ended);

    let a = duress.tick(now);
    assert!(
        notices(&a).is_empty(),
        "nothing shows on the worker's screen"
    );
    let msgs = buddy_messages(&a);
    assert_eq!(msgs.len(), 2);
    for (_, purpose, channel, discreet) in &msgs {
        assert_eq!(*purpose, MessagePurpose::Duress);
        assert!(*discreet);
        assert_eq!(
            *channel,
            Channel::Sms,
            "a call or a share would show on screen"
        );
    }
    let text = a
        .iter()
        .find_map(|a| match &a.kind {
            ActionKind::MessageBuddy { text, .. } => Some(text.clone()),
            _ => None,
        })
        .unwrap();
    assert!(text.contains("I am NOT safe"));
    // Failures are never shown to the worker while under duress, and never move the
    // alert to a channel that shows (a buddy preferring "another app" included).
    for act in &a {
        duress.report(act.id.seq, fail("no signal"), now).unwrap();
    }
    let mut t = now;
    for _ in 0..50 {
        t = duress.next_due().unwrap();
        let a = duress.tick(t);
        assert!(a.iter().all(|a| matches!(
            a.kind,
            ActionKind::MessageBuddy {
                discreet: true,
                channel: Channel::Sms,
                ..
            }
        )));
        report_all(&mut duress, &a, fail("no signal"), t);
    }
    // Repeats go on until a buddy acknowledges.
    assert!(duress.next_due().is_some());
    let a = duress.tick(duress.next_due().unwrap());
    report_all(&mut duress, &a, Outcome::Sent, t);
    duress
        .acknowledge(&contact(0, Channel::Sms).buddy, t)
        .unwrap();
    while let Some(at) = duress.next_due() {
        let a = duress.tick(at);
        report_all(&mut duress, &a, Outcome::Sent, at);
    }
    assert!(duress.is_finished());
}

#[test]
fn extend_and_cancel_only_before_escalation() {
    let mut s = armed(1);
    let a = s.tick(t0() + min(55));
    assert_eq!(notices(&a), vec![WorkerNotice::Reminder]);
    s.extend(min(30), t0() + min(56)).unwrap();
    assert_eq!(s.deadline(), t0() + min(90));
    // The reminder comes again for the new deadline.
    assert_eq!(s.next_due(), Some(t0() + min(85)));
    assert!(matches!(
        s.extend(Duration::hours(12), t0() + min(57)),
        Err(Error::Checkin(CheckinError::TooLong))
    ));
    assert!(matches!(
        s.extend(min(0), t0() + min(57)),
        Err(Error::InvalidInput { .. })
    ));
    let a = s.tick(t0() + min(100));
    report_all(&mut s, &a, Outcome::Sent, t0() + min(100));
    assert_eq!(s.phase(), Phase::Escalating);
    assert!(matches!(
        s.extend(min(30), t0() + min(101)),
        Err(Error::Checkin(CheckinError::AlreadyEscalating))
    ));
    assert!(matches!(
        s.cancel(t0() + min(101)),
        Err(Error::Checkin(CheckinError::AlreadyEscalating))
    ));

    let mut s = armed(1);
    s.cancel(t0() + min(1)).unwrap();
    assert!(s.is_finished());
    assert!(s.tick(t0() + min(200)).is_empty());
}

#[test]
fn alerts_carry_the_latest_location_with_its_age() {
    let mut s = armed(1);
    s.update_location(LocationFix {
        latitude: 51.5,
        longitude: -0.1,
        accuracy_m: Some(20.0),
        at: t0() + min(50),
    });
    // A fix reported late but older is ignored.
    s.update_location(LocationFix {
        latitude: 10.0,
        longitude: 10.0,
        accuracy_m: None,
        at: t0() + min(40),
    });
    let a = s.tick(t0() + min(70));
    let text = a
        .iter()
        .find_map(|a| match &a.kind {
            ActionKind::MessageBuddy { text, .. } => Some(text.clone()),
            _ => None,
        })
        .unwrap();
    assert!(text.contains("mlat=51.50000&mlon=-0.10000"), "{text}");
    assert!(text.contains("20 min ago"), "{text}");
    assert!(text.contains("within 20 m"), "{text}");
}

#[test]
fn unknown_action_and_acknowledging_an_unalerted_buddy_are_errors() {
    let mut s = armed(1);
    assert!(matches!(
        s.report(99, Outcome::Sent, t0()),
        Err(Error::Checkin(CheckinError::UnknownAction))
    ));
    assert!(matches!(
        s.acknowledge(&contact(0, Channel::Sms).buddy, t0()),
        Err(Error::Checkin(CheckinError::NotAlerted))
    ));
    assert!(matches!(
        s.acknowledge(&RecordId::from_bytes([9; 16]), t0()),
        Err(Error::Checkin(CheckinError::UnknownBuddy))
    ));
}

#[test]
fn action_ids_round_trip_as_text() {
    let id = ActionId {
        checkin: RecordId::from_bytes([7; 16]),
        seq: 42,
    };
    assert_eq!(id.to_string().parse::<ActionId>().unwrap(), id);
    assert!("nonsense".parse::<ActionId>().is_err());
}

#[test]
fn indexed_engine_agrees_with_ticking_every_state() {
    let mut states = Vec::new();
    for i in 0..50u8 {
        let mut sp = spec(
            t0() + min(10 + i64::from(i) * 3),
            vec![contact(0, Channel::Sms)],
        );
        sp.id = RecordId::from_bytes([i; 16]);
        states.push(CheckinState::arm(sp, t0()).unwrap());
    }
    let mut engine = Engine::from_states(states.clone());
    let mut naive: BTreeMap<RecordId, CheckinState> =
        states.into_iter().map(|s| (s.id(), s)).collect();
    let mut now = t0();
    for _ in 0..5000 {
        let expected_wakeup = naive.values().filter_map(CheckinState::next_due).min();
        assert_eq!(engine.next_wakeup(), expected_wakeup);
        let Some(w) = expected_wakeup else { break };
        now = now.max(w);
        let mut got = engine.tick(now);
        let mut want: Vec<Action> = naive.values_mut().flat_map(|s| s.tick(now)).collect();
        got.sort_by_key(|a| a.id);
        want.sort_by_key(|a| a.id);
        assert_eq!(got, want);
        for a in &got {
            engine.report(&a.id, Outcome::Sent, now).unwrap();
            naive
                .get_mut(&a.id.checkin)
                .unwrap()
                .report(a.id.seq, Outcome::Sent, now)
                .unwrap();
        }
        let escalating: Vec<(RecordId, RecordId)> = naive
            .values()
            .filter(|s| {
                s.phase() == Phase::Escalating && s.rounds_done >= 2 && s.acknowledged_by.is_none()
            })
            .map(|s| (s.id(), s.contacts()[0].buddy))
            .collect();
        for (id, b) in escalating {
            engine
                .update(&id, |s| s.acknowledge(&b, now))
                .unwrap()
                .unwrap();
            naive.get_mut(&id).unwrap().acknowledge(&b, now).unwrap();
        }
    }
    assert_eq!(engine.next_wakeup(), None);
}

// ---- property test ------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    /// Move the clock by this many seconds (negative: backwards) and tick.
    Clock(i64),
    /// Tick at the next wake-up.
    Wake,
    /// Report outcomes for everything outstanding: `true` sent, `false` failed.
    Report(Vec<bool>),
    /// Forget everything outstanding (the shell was killed).
    ShellKilled,
    CheckIn,
    Duress,
    Extend(i64),
    Cancel,
    Acknowledge(usize),
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (-7200i64..14_400).prop_map(Op::Clock),
        6 => Just(Op::Wake),
        6 => proptest::collection::vec(any::<bool>(), 0..6).prop_map(Op::Report),
        1 => Just(Op::ShellKilled),
        1 => Just(Op::CheckIn),
        1 => Just(Op::Duress),
        1 => (1i64..7200).prop_map(Op::Extend),
        1 => Just(Op::Cancel),
        1 => (0usize..3).prop_map(Op::Acknowledge),
        3 => Just(Op::Restart),
    ]
}

/// Runs the sequence, then lets time run out with every outcome failing for the buddies
/// in `unreachable`, and checks the safety properties.
fn run_property(n_checkins: usize, ops: Vec<Op>, unreachable: Vec<bool>) {
    let mut engine = Engine::new();
    let mut ids = Vec::new();
    for i in 0..n_checkins {
        let contacts: Vec<Contact> = (0..3u8)
            .map(|c| contact(c, Channel::ALL[c as usize % 3]))
            .collect();
        let mut sp = spec(t0() + min(20 + 25 * i as i64), contacts);
        sp.id = RecordId::from_bytes([0x10 + i as u8; 16]);
        ids.push(sp.id);
        engine.insert(CheckinState::arm(sp, t0()).unwrap());
    }
    let mut now = t0();
    let mut outstanding: Vec<Action> = Vec::new();
    let mut reported_sent: BTreeSet<ActionId> = BTreeSet::new();
    let mut ended: BTreeMap<RecordId, Ending> = BTreeMap::new();

    let check_issue = |engine: &Engine, actions: &[Action], reported_sent: &BTreeSet<ActionId>| {
        for a in actions {
            let s = engine
                .get(&a.id.checkin)
                .expect("actions come from live check-ins");
            let d = s
                .deliveries
                .iter()
                .find(|d| d.attempts.contains(&a.id.seq))
                .expect("every action belongs to a delivery");
            for earlier in &d.attempts {
                let earlier = ActionId {
                    checkin: a.id.checkin,
                    seq: *earlier,
                };
                assert!(
                    !reported_sent.contains(&earlier),
                    "a message reported sent was issued again"
                );
            }
        }
    };
    let sweep = |engine: &mut Engine, ended: &mut BTreeMap<RecordId, Ending>| {
        for s in engine.take_finished() {
            ended.insert(s.id(), s.ending().expect("only ended check-ins finish"));
        }
    };

    for op in ops {
        match op {
            Op::Clock(d) => {
                now += Duration::seconds(d);
                let a = engine.tick(now);
                check_issue(&engine, &a, &reported_sent);
                outstanding.retain(|o| !a.iter().any(|n| n.id == o.id));
                outstanding.extend(a);
            }
            Op::Wake => {
                if let Some(w) = engine.next_wakeup() {
                    now = now.max(w);
                    let a = engine.tick(now);
                    check_issue(&engine, &a, &reported_sent);
                    // The shell contract: an id seen again replaces the earlier action.
                    outstanding.retain(|o| !a.iter().any(|n| n.id == o.id));
                    outstanding.extend(a);
                }
            }
            Op::Report(results) => {
                for (a, ok) in outstanding
                    .drain(..)
                    .zip(results.into_iter().chain(std::iter::repeat(true)))
                {
                    let outcome = if ok { Outcome::Sent } else { fail("x") };
                    if engine.get(&a.id.checkin).is_some() {
                        engine.report(&a.id, outcome, now).unwrap();
                        if ok {
                            reported_sent.insert(a.id);
                        }
                    }
                }
            }
            Op::ShellKilled => outstanding.clear(),
            Op::CheckIn | Op::Duress => {
                engine.update_all(|s| {
                    s.check_in(matches!(op, Op::Duress), now);
                });
            }
            Op::Extend(secs) => {
                for id in &ids {
                    let _ = engine.update(id, |s| s.extend(Duration::seconds(secs), now));
                }
            }
            Op::Cancel => {
                if let Some(id) = ids.first() {
                    let _ = engine.update(id, |s| s.cancel(now));
                }
            }
            Op::Acknowledge(c) => {
                for id in &ids {
                    let _ = engine.update(id, |s| {
                        s.acknowledge(&contact(c as u8, Channel::Sms).buddy, now)
                    });
                }
            }
            Op::Restart => {
                let states: Vec<CheckinState> = engine.states().map(restart).collect();
                engine = Engine::from_states(states);
            }
        }
        sweep(&mut engine, &mut ended);
        // Nothing lost: every check-in is live or ended through a proper ending.
        for id in &ids {
            assert!(
                engine.get(id).is_some() || ended.contains_key(id),
                "check-in lost"
            );
        }
    }

    // Drain: the shell now wakes when asked and reports honestly; some buddies are
    // unreachable on every channel.
    for _ in 0..2000 {
        let Some(w) = engine.next_wakeup() else { break };
        now = now.max(w);
        let a = engine.tick(now);
        check_issue(&engine, &a, &reported_sent);
        for act in a.into_iter().chain(outstanding.drain(..)) {
            let ok = match &act.kind {
                ActionKind::MessageBuddy { buddy, .. } => {
                    let i = (0..3u8)
                        .position(|c| contact(c, Channel::Sms).buddy == *buddy)
                        .unwrap_or(0);
                    !unreachable.get(i).copied().unwrap_or(false)
                }
                _ => true,
            };
            if engine.get(&act.id.checkin).is_some() {
                engine
                    .report(&act.id, if ok { Outcome::Sent } else { fail("x") }, now)
                    .unwrap();
                if ok {
                    reported_sent.insert(act.id);
                }
            }
        }
        sweep(&mut engine, &mut ended);
        if engine
            .states()
            .all(|s| s.phase() == Phase::Escalating && s.buddy_reached_or_worker_told())
        {
            break;
        }
    }

    for id in &ids {
        match (engine.get(id), ended.get(id)) {
            (_, Some(Ending::CheckedIn { .. } | Ending::Cancelled { .. })) => {}
            (Some(s), None) if matches!(s.ending(), Some(Ending::Duress { .. })) => {
                assert!(
                    s.any_buddy_warned(),
                    "a duress check-in issued its silent alerts"
                );
            }
            (Some(s), None) if s.ending().is_some() => {}
            (_, Some(Ending::Duress { .. })) => {}
            (Some(s), None) => {
                assert_eq!(
                    s.phase(),
                    Phase::Escalating,
                    "a live check-in past its deadline escalates"
                );
                assert!(
                    s.buddy_reached_or_worker_told(),
                    "escalated without a buddy reached or the worker told"
                );
            }
            (None, None) => panic!("check-in lost"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn every_check_in_ends_safely_under_random_sequences(
        n in 1usize..4,
        ops in proptest::collection::vec(op(), 0..60),
        unreachable in proptest::collection::vec(any::<bool>(), 3),
    ) {
        run_property(n, ops, unreachable);
    }
}

// ---- issue 13: what the shells need ----------------------------------------------------

fn first_buddy_action(actions: &[Action]) -> Action {
    actions
        .iter()
        .find(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        .expect("a buddy message")
        .clone()
}

/// Ticks at each next due instant, reporting worker notices shown, until a buddy message
/// is issued; returns it with the instant.
fn next_buddy_action(s: &mut CheckinState) -> (Action, Timestamp) {
    loop {
        let now = s.next_due().expect("something due");
        let actions = s.tick(now);
        for a in &actions {
            if !matches!(a.kind, ActionKind::MessageBuddy { .. }) {
                s.report(a.id.seq, Outcome::Sent, now).unwrap();
            }
        }
        if let Some(a) = actions
            .iter()
            .find(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        {
            return (a.clone(), now);
        }
    }
}

fn channel_of(a: &Action) -> Channel {
    match &a.kind {
        ActionKind::MessageBuddy { channel, .. } => *channel,
        _ => panic!("not a buddy message"),
    }
}

#[test]
fn every_retry_on_a_channel_keeps_its_action_id_and_a_new_channel_gets_a_new_one() {
    let mut s = armed(1);
    let mut now = t0() + min(70);
    let first = first_buddy_action(&s.tick(now));
    assert_eq!((first.attempt, channel_of(&first)), (1, Channel::Sms));
    let mut ids = vec![first.id];
    let mut a = first;
    // Fail every attempt on SMS: each retry carries the same id, attempt counting up.
    for attempt in 2..=ATTEMPTS_PER_CHANNEL {
        s.report(a.id.seq, fail("no signal"), now).unwrap();
        s = restart(&s);
        (a, now) = next_buddy_action(&mut s);
        assert_eq!(a.id, ids[0], "retry {attempt} keeps the id");
        assert_eq!(a.attempt, attempt);
        assert_eq!(channel_of(&a), Channel::Sms);
    }
    // The last SMS attempt fails: the next channel is a new action with a new id.
    s.report(a.id.seq, fail("no signal"), now).unwrap();
    let next = first_buddy_action(&s.tick(now));
    assert_eq!(channel_of(&next), Channel::Call);
    assert_ne!(next.id, ids[0]);
    assert_eq!(next.attempt, 1);
    ids.push(next.id);
    // A late Sent for the first channel's id still counts.
    s.report(ids[0].seq, Outcome::Sent, now).unwrap();
    assert!(s.is_sent(next.id.seq));
}

#[test]
fn a_failed_delivery_report_after_sent_is_acted_on_at_once() {
    let mut s = armed(1);
    let at = t0() + min(70);
    let alert = first_buddy_action(&s.tick(at));
    s.report(alert.id.seq, Outcome::Sent, at).unwrap();
    assert_eq!(s.status().buddies_alerted, 1);
    // Two minutes later the SMS delivery report says it never arrived.
    let dr = at + min(2);
    s.report(alert.id.seq, fail("not delivered"), dr).unwrap();
    s = restart(&s);
    assert_eq!(s.status().buddies_alerted, 0, "not delivered: not alerted");
    assert_eq!(s.next_due(), Some(dr), "retried now, not at the next round");
    let a = s.tick(dr);
    let retry = first_buddy_action(&a);
    assert_eq!(
        retry.id, alert.id,
        "the retry replaces the undelivered message"
    );
    assert_eq!(retry.attempt, 2);
    // The last attempt on SMS fails after Sent too: the next channel now, and the worker
    // is told which channel failed, which comes next, and why.
    let mut a = retry;
    let mut now = dr;
    while a.attempt < ATTEMPTS_PER_CHANNEL {
        s.report(a.id.seq, Outcome::Sent, now).unwrap();
        now += Duration::seconds(30);
        s.report(a.id.seq, fail("not delivered"), now).unwrap();
        a = first_buddy_action(&s.tick(now));
    }
    s.report(a.id.seq, Outcome::Sent, now).unwrap();
    s.report(a.id.seq, fail("not delivered"), now).unwrap();
    let actions = s.tick(now);
    let call = first_buddy_action(&actions);
    assert_eq!(channel_of(&call), Channel::Call);
    assert!(actions.iter().any(|x| matches!(
        &x.kind,
        ActionKind::WorkerAlertFailed {
            failed_channel: Channel::Sms,
            next_channel: Some(Channel::Call),
            every_channel_failed: false,
            reason: Some(r),
            ..
        } if r == "not delivered"
    )));
    // Before the first repeat round (at 75 minutes).
    assert!(now < t0() + min(75));
}

#[test]
fn a_failed_report_after_sent_is_not_retried_once_no_longer_needed() {
    let mut s = armed(1);
    let at = t0() + min(70);
    let alert = first_buddy_action(&s.tick(at));
    s.report(alert.id.seq, Outcome::Sent, at).unwrap();
    s.acknowledge(&contact(0, Channel::Sms).buddy, at).unwrap();
    s.report(alert.id.seq, fail("not delivered"), at + min(1))
        .unwrap();
    assert!(buddy_messages(&s.tick(at + min(1))).is_empty());
    // A stale failure for an earlier channel's id changes nothing either.
    let mut s = armed(1);
    let mut a = first_buddy_action(&s.tick(at));
    let sms_id = a.id;
    let mut now = at;
    while channel_of(&a) == Channel::Sms {
        s.report(a.id.seq, fail("x"), now).unwrap();
        (a, now) = next_buddy_action(&mut s);
    }
    s.report(a.id.seq, Outcome::Sent, now).unwrap();
    s.report(sms_id.seq, fail("late"), now).unwrap();
    assert!(s.is_sent(a.id.seq));
    assert!(buddy_messages(&s.tick(now)).is_empty());
}

#[test]
fn a_custom_ladder_must_be_ordered_bounded_and_name_each_buddy_once() {
    let c: Vec<Contact> = (0..3).map(|i| contact(i, Channel::Sms)).collect();
    let step = |after_min: i64, contacts: Vec<usize>| Step {
        after_secs: after_min * 60,
        contacts,
        channel: None,
    };
    let problem = |ladder: Vec<Step>| {
        let mut sp = spec(t0() + min(60), c.clone());
        sp.ladder = ladder;
        match CheckinState::arm(sp, t0()).unwrap_err() {
            Error::Checkin(CheckinError::InvalidLadder(p)) => p,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(
        problem(vec![step(10, vec![0]), step(5, vec![1, 2])]),
        LadderProblem::OutOfOrder { step: 2 }
    );
    assert_eq!(
        problem(vec![step(0, vec![0]), step(0, vec![1, 2])]),
        LadderProblem::OutOfOrder { step: 2 }
    );
    assert_eq!(
        problem(vec![step(0, vec![0, 1]), step(5, vec![1, 2])]),
        LadderProblem::BuddyRepeated { step: 2 }
    );
    assert_eq!(
        problem(vec![step(0, vec![0, 1, 2]), step(5, vec![])]),
        LadderProblem::EmptyStep { step: 2 }
    );
    assert_eq!(
        problem(vec![step(0, vec![0, 1]), step(13 * 60, vec![2])]),
        LadderProblem::StepOutOfRange { step: 2 }
    );
    assert_eq!(
        problem(vec![step(-1, vec![0, 1, 2])]),
        LadderProblem::StepOutOfRange { step: 1 }
    );
    let many: Vec<Step> = (0..=MAX_LADDER_STEPS as i64)
        .map(|k| step(k, vec![0]))
        .collect();
    assert_eq!(
        problem(many),
        LadderProblem::TooManySteps {
            max: MAX_LADDER_STEPS as u32
        }
    );
    // The messages say which step, and nothing personal.
    let e = Error::from(LadderProblem::OutOfOrder { step: 2 }).to_string();
    assert!(e.contains("step 2"), "{e}");
    // A valid ladder runs in its order: buddy 0 at 70 min, 1 and 2 at 80 on a call.
    let mut sp = spec(t0() + min(60), c.clone());
    sp.ladder = vec![
        step(0, vec![0]),
        Step {
            after_secs: 600,
            contacts: vec![1, 2],
            channel: Some(Channel::Call),
        },
    ];
    let mut s = CheckinState::arm(sp, t0()).unwrap();
    let first = buddy_messages(&s.tick(t0() + min(70)));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].0, c[0].buddy);
    let second = buddy_messages(&s.tick(t0() + min(80)));
    let to: BTreeSet<RecordId> = second
        .iter()
        .filter(|m| m.2 == Channel::Call)
        .map(|m| m.0)
        .collect();
    assert!(to.contains(&c[1].buddy) && to.contains(&c[2].buddy));
}

#[test]
fn extreme_times_and_durations_are_typed_errors_not_panics() {
    let c = vec![contact(0, Channel::Sms)];
    let out_of_range = |e: Error| matches!(e, Error::TimeOutOfRange(_));
    // A `now` at the end of what the time type holds (a shell passing Instant.MAX).
    let end = chrono::DateTime::<Utc>::MAX_UTC - Duration::hours(1);
    assert!(out_of_range(
        CheckinState::arm(spec(end + min(30), c.clone()), end).unwrap_err()
    ));
    let mut s = armed(1);
    // An extension of i64::MAX milliseconds would overflow the deadline.
    assert!(matches!(
        s.extend(Duration::MAX, t0()).unwrap_err(),
        Error::Checkin(CheckinError::TooLong)
    ));
    assert!(out_of_range(s.extend(min(5), end).unwrap_err()));
    // Minutes as a shell passes them: i64::MAX and i64::MIN are errors naming the field.
    for m in [i64::MAX, i64::MIN, 12 * 60 + 1] {
        assert!(matches!(
            minutes("grace period", m).unwrap_err(),
            Error::Checkin(CheckinError::DurationOutOfRange {
                field: "grace period"
            })
        ));
    }
    assert_eq!(
        minutes("grace period", 12 * 60).unwrap(),
        Duration::hours(12)
    );
    // Platform times far beyond year 9999 either way.
    let epoch = std::time::UNIX_EPOCH;
    let far = std::time::Duration::from_secs(i64::MAX as u64);
    assert!(out_of_range(time_from_system(epoch + far).unwrap_err()));
    assert!(out_of_range(
        time_from_system(epoch - std::time::Duration::from_secs(400_000 * 365 * 86_400))
            .unwrap_err()
    ));
    let t = time_from_system(std::time::SystemTime::from(t0())).unwrap();
    assert_eq!(t, t0());
    // The core's range starts at the epoch: a phone clock reset before it is refused.
    let before_1970 = Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 40).unwrap();
    assert!(out_of_range(
        time_from_system(std::time::SystemTime::from(before_1970)).unwrap_err()
    ));
}
