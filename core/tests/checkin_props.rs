//! Property test through the real file: random clock moves (backwards too), outcomes,
//! killed shells, check-ins (normal, duress, wrong code), acknowledgements and restarts of
//! the locked runner. Every armed check-in must end checked in (or duress), or escalate with
//! a buddy alert reported sent or the worker told that every channel failed; no action id
//! reported sent is ever issued again (a retry keeps its id until then); no check-in is
//! lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use vigil_core::checkin::{
    Action, ActionId, ActionKind, BackgroundRunner, BuddyDraft, Channel, CheckinPlan,
    EscalationKey, MessagePurpose, Outcome,
};
use vigil_core::clock::Timestamp;
use vigil_core::vault::{RecordId, Vault, VaultOptions, MIN_KDF_ITERATIONS};

const SECRET: &[u8] = b"device-secret-from-the-keystore!";

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

fn runner(path: &Path) -> BackgroundRunner {
    BackgroundRunner::open(
        &Vault::open(path).unwrap(),
        EscalationKey::from_device_secret(SECRET).unwrap(),
    )
    .unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Clock(i64),
    Wake,
    Report(Vec<bool>),
    ShellKilled,
    CheckIn,
    Duress,
    WrongCode,
    Acknowledge(usize),
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (-7200i64..10_800).prop_map(Op::Clock),
        6 => Just(Op::Wake),
        6 => proptest::collection::vec(any::<bool>(), 0..5).prop_map(Op::Report),
        1 => Just(Op::ShellKilled),
        1 => Just(Op::CheckIn),
        1 => Just(Op::Duress),
        1 => Just(Op::WrongCode),
        1 => (0usize..2).prop_map(Op::Acknowledge),
        4 => Just(Op::Restart),
    ]
}

struct World {
    /// Ids reported sent: never issued again (a retry keeps its id only until then).
    reported_sent: BTreeSet<ActionId>,
    outstanding: Vec<Action>,
    sent_alert: BTreeSet<RecordId>,
    told_all_failed: BTreeSet<RecordId>,
    ended: BTreeSet<RecordId>,
}

impl World {
    fn take(&mut self, actions: Vec<Action>) {
        for a in actions {
            assert!(
                !self.reported_sent.contains(&a.id),
                "action id {} reported sent was issued again",
                a.id
            );
            // The shell contract: an id seen again replaces the earlier action.
            self.outstanding.retain(|o| o.id != a.id);
            if let ActionKind::WorkerAlertFailed {
                every_channel_failed: true,
                ..
            } = a.kind
            {
                self.told_all_failed.insert(a.id.checkin);
            }
            self.outstanding.push(a);
        }
    }

    fn report(
        &mut self,
        r: &BackgroundRunner,
        results: &[bool],
        unreachable: &[RecordId],
        now: Timestamp,
    ) {
        let mut results = results.iter().copied().chain(std::iter::repeat(true));
        for a in std::mem::take(&mut self.outstanding) {
            let mut ok = results.next().unwrap_or(true);
            if let ActionKind::MessageBuddy { buddy, .. } = &a.kind {
                ok &= !unreachable.contains(buddy);
            }
            let outcome = if ok {
                Outcome::Sent
            } else {
                Outcome::Failed {
                    reason: "no signal".into(),
                }
            };
            // Reports for check-ins already erased are refused; nothing else may fail.
            match r.report_outcome(&a.id, outcome, now) {
                Ok(()) => {}
                Err(vigil_core::Error::Checkin(
                    vigil_core::checkin::CheckinError::UnknownAction,
                )) if !r.list().unwrap().items.iter().any(|s| s.id == a.id.checkin) => {
                    // A late report for a check-in that has finished and been erased.
                    continue;
                }
                Err(e) => panic!("report failed: {e}"),
            }
            if ok {
                self.reported_sent.insert(a.id);
                if let ActionKind::MessageBuddy {
                    purpose: MessagePurpose::Alert,
                    ..
                } = a.kind
                {
                    self.sent_alert.insert(a.id.checkin);
                }
            }
        }
    }
}

fn run(n: usize, ops: Vec<Op>, unreachable_mask: Vec<bool>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let session = Vault::create(
        &path,
        "pass phrase",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .unwrap();
    let key = EscalationKey::from_device_secret(SECRET).unwrap();
    let c = session.checkins(&key);
    c.set_codes("2468", "1357").unwrap();
    let buddies: Vec<RecordId> = [
        ("Ana", "07400 123456", Channel::Sms),
        ("Bo", "07400 123457", Channel::Call),
    ]
    .iter()
    .map(|(name, phone, channel)| {
        c.add_buddy(
            BuddyDraft {
                name: (*name).into(),
                phone: (*phone).into(),
                channel: *channel,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap()
        .id
    })
    .collect();
    let unreachable: Vec<RecordId> = buddies
        .iter()
        .zip(&unreachable_mask)
        .filter(|(_, u)| **u)
        .map(|(b, _)| *b)
        .collect();
    let mut armed = Vec::new();
    for i in 0..n {
        let deadline = t0() + Duration::minutes(20 + 30 * i as i64);
        armed.push(
            c.arm(CheckinPlan::new(deadline, buddies.clone()), t0())
                .unwrap()
                .id,
        );
    }
    session.lock();

    let mut r = runner(&path);
    let mut now = t0();
    let mut w = World {
        reported_sent: BTreeSet::new(),
        outstanding: Vec::new(),
        sent_alert: BTreeSet::new(),
        told_all_failed: BTreeSet::new(),
        ended: BTreeSet::new(),
    };
    let mut duress: BTreeMap<RecordId, bool> = BTreeMap::new();

    for op in ops {
        match op {
            Op::Clock(d) => {
                now += Duration::seconds(d);
                w.take(r.tick(now).unwrap());
            }
            Op::Wake => {
                if let Some(at) = r.next_wakeup().unwrap() {
                    now = now.max(at);
                    w.take(r.tick(now).unwrap());
                }
            }
            Op::Report(results) => w.report(&r, &results, &unreachable, now),
            Op::ShellKilled => w.outstanding.clear(),
            Op::CheckIn | Op::Duress => {
                let code = if matches!(op, Op::Duress) {
                    "1357"
                } else {
                    "2468"
                };
                if let Ok(receipt) = r.check_in(code, now) {
                    for id in receipt.checkins {
                        w.ended.insert(id);
                        duress.insert(id, matches!(op, Op::Duress));
                    }
                }
            }
            Op::WrongCode => assert!(r.check_in("0000", now).is_err()),
            Op::Acknowledge(b) => {
                for id in &armed {
                    let _ = r.acknowledge(id, &buddies[b], now);
                }
            }
            Op::Restart => {
                drop(r);
                r = runner(&path);
            }
        }
        // Nothing lost: every check-in is listed or was ended by a check-in.
        let listed: BTreeSet<RecordId> = r.list().unwrap().items.iter().map(|s| s.id).collect();
        for id in &armed {
            assert!(listed.contains(id) || w.ended.contains(id), "check-in lost");
        }
    }

    // The shell now wakes when told and reports honestly until everything escalated has
    // reached a buddy or told the worker.
    for _ in 0..300 {
        let listed: Vec<RecordId> = r.list().unwrap().items.iter().map(|s| s.id).collect();
        if listed
            .iter()
            .all(|id| w.sent_alert.contains(id) || w.told_all_failed.contains(id))
        {
            break;
        }
        let Some(at) = r.next_wakeup().unwrap() else {
            break;
        };
        now = now.max(at);
        w.take(r.tick(now).unwrap());
        w.report(&r, &[], &unreachable, now);
        if now > t0() + Duration::hours(14) {
            break;
        }
    }
    for id in &armed {
        if w.ended.contains(id) {
            continue;
        }
        assert!(
            w.sent_alert.contains(id) || w.told_all_failed.contains(id),
            "escalated with no buddy reached and the worker not told"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn armed_check_ins_end_safely_across_restarts(
        n in 1usize..3,
        ops in proptest::collection::vec(op(), 0..40),
        unreachable in proptest::collection::vec(any::<bool>(), 2),
    ) {
        run(n, ops, unreachable);
    }
}
