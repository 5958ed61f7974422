//! End to end: what `init` leaves behind when it is interrupted, what `wipe` agrees to
//! destroy, and that the device secret goes with the vault.

mod common;

use common::{file_names, Env};

fn add_booking(env: &Env, client: &str) {
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            client,
            "--at",
            "2026-11-28T20:00:00Z",
        ])
        .assert()
        .success();
}

#[test]
fn init_binds_the_vault_to_its_device_secret() {
    let env = Env::with_vault();
    add_booking(&env, "Tom");
    let device = env.path("vault.db.device");
    let aside = env.path("elsewhere");
    std::fs::rename(&device, &aside).unwrap();
    // The passphrase alone no longer opens the vault.
    env.vigil().args(["booking", "list"]).assert().code(11);
    std::fs::rename(&aside, &device).unwrap();
    env.vigil().args(["booking", "list"]).assert().success();
}

#[test]
fn wipe_refuses_a_file_that_is_not_a_vault_and_touches_nothing() {
    let env = Env::empty();
    let notes = env.path("notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    let beside = env.path("notes.txt.device");
    std::fs::write(&beside, [7u8; 32]).unwrap();
    env.bare_at(&notes)
        .args(["wipe", "--yes"])
        .assert()
        .code(14)
        .stderr(predicates::str::contains("not a Vigil vault"));
    assert_eq!(std::fs::read(&notes).unwrap(), b"my notes");
    assert_eq!(std::fs::read(&beside).unwrap(), [7u8; 32]);
}

#[test]
fn wipe_finishes_a_wipe_that_stopped_half_way() {
    let env = Env::with_vault();
    add_booking(&env, "Tom");
    // As if a wipe stopped after the device secret and the slot file went.
    std::fs::remove_file(env.path("vault.db.device")).unwrap();
    std::fs::remove_file(env.path("vault.db-keys")).unwrap();
    env.bare().args(["wipe", "--yes"]).assert().success();
    assert!(
        file_names(env.dir.path()).is_empty(),
        "left: {:?}",
        file_names(env.dir.path())
    );
}

#[test]
fn an_init_stopped_before_the_vault_was_complete_leaves_no_vault() {
    let env = Env::empty();
    // What an init killed part-way leaves: the device secret under its temporary name, and
    // the vault's files under the temporary name of the main file (here made by a complete
    // init at that name), one of them already renamed.
    let building = env.path("vault.db-creating");
    env.vigil_at(&building)
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .success();
    std::fs::remove_file(env.path("vault.db-creating.device")).unwrap();
    std::fs::write(env.path("vault.db.device.tmp"), [9u8; 32]).unwrap();
    std::fs::copy(
        env.path("vault.db-creating-keys"),
        env.path("vault.db-keys"),
    )
    .unwrap();

    // No half vault is reported as existing.
    env.vigil().args(["booking", "list"]).assert().code(4);
    // And init succeeds, clearing every leftover.
    env.vigil()
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .success();
    add_booking(&env, "Tom");
    let names = file_names(env.dir.path());
    assert!(
        names
            .iter()
            .all(|n| !n.contains("creating") && !n.ends_with(".tmp")),
        "{names:?}"
    );
    assert_ne!(
        std::fs::read(env.path("vault.db.device")).unwrap(),
        [9u8; 32]
    );
}

#[test]
fn an_init_stopped_after_the_vault_was_complete_is_finished_by_the_next_command() {
    let env = Env::with_vault();
    add_booking(&env, "Tom");
    // The vault is complete but the device secret has not got its name yet.
    std::fs::rename(env.path("vault.db.device"), env.path("vault.db.device.tmp")).unwrap();
    env.vigil().args(["booking", "list"]).assert().success();
    assert!(env.path("vault.db.device").is_file());
    assert!(!env.path("vault.db.device.tmp").exists());
}

#[test]
fn init_does_not_overwrite_a_device_secret_whose_vault_is_elsewhere() {
    let env = Env::with_vault();
    std::fs::rename(env.vault(), env.path("moved.db")).unwrap();
    let before = std::fs::read(env.path("vault.db.device")).unwrap();
    env.vigil()
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .code(5);
    assert_eq!(std::fs::read(env.path("vault.db.device")).unwrap(), before);
}

#[test]
fn the_wipe_after_too_many_wrong_passphrases_destroys_the_device_secret_too() {
    let env = Env::with_vault();
    env.json(&["unlock-limit", "--attempts", "1"]);
    env.bare()
        .env("VIGIL_PASSPHRASE", "wrong")
        .args(["booking", "list"])
        .assert()
        .code(8);
    assert!(
        file_names(env.dir.path()).is_empty(),
        "left: {:?}",
        file_names(env.dir.path())
    );
}
