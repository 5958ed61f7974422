//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use vigil_core::clock::Timestamp;
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};

/// Fast KDF settings: tests create many vaults.
pub fn fast_options() -> VaultOptions {
    VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: None,
    }
}

pub fn new_vault(dir: &Path, passphrase: &str) -> (PathBuf, Session) {
    let path = dir.join("vault.db");
    let session = Vault::create(&path, passphrase, &fast_options()).expect("create vault");
    (path, session)
}

/// The device secret the check-in tests bind their vaults to.
pub const DEVICE_SECRET: &[u8] = b"device-secret-from-the-keystore!";

/// A device-bound vault with codes 2468 / duress 1357 and one buddy, Ana (SMS, English):
/// the session, its escalation key and Ana's id.
pub fn vault_with_ana(
    path: &Path,
) -> (
    Session,
    vigil_core::checkin::EscalationKey,
    vigil_core::vault::RecordId,
) {
    use vigil_core::checkin::{BuddyDraft, Channel, EscalationKey};
    let session = Vault::create(
        path,
        "pass",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(DEVICE_SECRET.to_vec()),
        },
    )
    .expect("create vault");
    let key = EscalationKey::from_device_secret(DEVICE_SECRET).expect("escalation key");
    let checkins = session.checkins(&key);
    checkins.set_codes("2468", "1357").expect("codes");
    let ana = checkins
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
        .expect("buddy")
        .id;
    (session, key, ana)
}

pub fn at(h: u32, m: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

/// The vault file and every companion SQLite may keep beside it.
pub fn vault_files(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut p = path.as_os_str().to_owned();
            p.push(s);
            PathBuf::from(p)
        })
        .collect()
}

/// Every encoding of `canary` a careless implementation might leave in a file.
fn encodings(canary: &str) -> Vec<Vec<u8>> {
    let utf16le: Vec<u8> = canary
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let utf16be: Vec<u8> = canary
        .encode_utf16()
        .flat_map(|u| u.to_be_bytes())
        .collect();
    vec![canary.as_bytes().to_vec(), utf16le, utf16be]
}

/// Which of `canaries` appear (in UTF-8 or UTF-16) in any of the vault's files.
pub fn canaries_found(path: &Path, canaries: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in vault_files(path) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for canary in canaries {
            if encodings(canary)
                .iter()
                .any(|needle| bytes.windows(needle.len()).any(|w| w == needle.as_slice()))
            {
                found.push(format!("{canary} in {}", file.display()));
            }
        }
    }
    found
}
