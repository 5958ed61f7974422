//! Duress unlocks and the silent buddy alert they queue: once per coercion.

mod common;

use common::*;
use vigil_core::app::{App, VaultHome};
use vigil_core::checkin::{Action, ActionKind, BuddyDraft, Channel, Outcome};
use vigil_core::vault::{DuressOptions, MIN_KDF_ITERATIONS};

const DEVICE: &[u8] = b"device secret from the keystore!";
const PASS: &str = "real passphrase";

/// A vault whose duress passphrase alerts Ana silently.
fn alerting_vault(dir: &std::path::Path) -> VaultHome {
    let home = VaultHome::new(dir.join("vault.db"));
    let mut app: App = home.create(PASS, Some(DEVICE), MIN_KDF_ITERATIONS).unwrap();
    app.checkins().unwrap().set_codes("4321", "9876").unwrap();
    app.add_buddy(BuddyDraft {
        name: "Ana".into(),
        phone: "07400 123456".into(),
        channel: Channel::Sms,
        language: "en".into(),
        plain_letters: None,
    })
    .unwrap();
    let alert = DuressOptions {
        destroy_real: false,
        alert_buddies: true,
    };
    app.set_duress(PASS, "decoy", alert, &[], at(20, 0))
        .unwrap();
    app.lock();
    home
}

fn buddy_messages(actions: &[Action]) -> Vec<&Action> {
    actions
        .iter()
        .filter(|a| matches!(a.kind, ActionKind::MessageBuddy { .. }))
        .collect()
}

#[test]
fn a_second_duress_unlock_while_the_alert_is_pending_or_sent_queues_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let home = alerting_vault(dir.path());

    // Forced to unlock twice before the runner has sent anything.
    home.unlock("decoy", Some(DEVICE), at(21, 0))
        .unwrap()
        .lock();
    home.unlock("decoy", Some(DEVICE), at(21, 1))
        .unwrap()
        .lock();
    let runner = home.runner(DEVICE).unwrap();
    let actions = runner.tick(at(21, 2)).unwrap();
    let first = buddy_messages(&actions);
    assert_eq!(first.len(), 1, "one alert, not two: {actions:?}");
    let alert = first[0].clone();

    // Being sent: a third unlock still adds nothing.
    home.unlock("decoy", Some(DEVICE), at(21, 3))
        .unwrap()
        .lock();
    assert!(buddy_messages(&runner.tick(at(21, 3)).unwrap()).is_empty());

    // Sent, not yet acknowledged: the first alert repeats on its own schedule (every five
    // minutes from the first unlock), once, and nothing else is added.
    runner
        .report_outcome(&alert.id, Outcome::Sent, at(21, 4))
        .unwrap();
    home.unlock("decoy", Some(DEVICE), at(21, 5))
        .unwrap()
        .lock();
    let repeat = runner.tick(at(21, 5)).unwrap();
    let repeat = buddy_messages(&repeat);
    assert!(repeat.len() <= 1, "{repeat:?}");
    assert!(repeat.iter().all(|a| a.id.checkin == alert.id.checkin));
    for a in &repeat {
        runner
            .report_outcome(&a.id, Outcome::Sent, at(21, 6))
            .unwrap();
    }

    // Ana acknowledged: the next coercion is a new one, and alerts again.
    let ActionKind::MessageBuddy { buddy, .. } = alert.kind else {
        unreachable!()
    };
    runner
        .acknowledge(&alert.id.checkin, &buddy, at(21, 10))
        .unwrap();
    home.unlock("decoy", Some(DEVICE), at(22, 0))
        .unwrap()
        .lock();
    let again = runner.tick(at(22, 0)).unwrap();
    let fresh: Vec<_> = buddy_messages(&again)
        .into_iter()
        .filter(|a| a.id.checkin != alert.id.checkin)
        .collect();
    assert_eq!(fresh.len(), 1, "{again:?}");
}
