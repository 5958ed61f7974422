//! Shared helpers: run the built `vigil` binary against a vault in a temporary folder.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

pub const PASSPHRASE: &str = "correct horse battery staple";

/// Only a guard against a hung command: far above what any command takes on a loaded
/// machine, so a slow run never fails a test.
const HANG_GUARD_SECS: u64 = 900;

/// A temporary folder holding one vault.
pub struct Env {
    pub dir: TempDir,
}

impl Env {
    /// A folder with no vault yet.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    /// A folder with a vault made by `vigil init` (at the lowest allowed KDF cost).
    pub fn with_vault() -> Self {
        let env = Self::empty();
        env.vigil()
            .args(["init", "--kdf-iterations", "100000"])
            .assert()
            .success();
        env
    }

    pub fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `vigil --vault <vault>` with the passphrase in the environment, nothing inherited
    /// that could change the outcome, and a timeout so that a hang fails the test.
    pub fn vigil(&self) -> Command {
        let mut cmd = self.bare();
        cmd.env("VIGIL_PASSPHRASE", PASSPHRASE);
        cmd
    }

    /// Like [`Env::vigil`] but with no passphrase source at all.
    pub fn bare(&self) -> Command {
        self.bare_at(&self.vault())
    }

    /// [`Env::vigil`] on another vault path.
    pub fn vigil_at(&self, vault: &Path) -> Command {
        let mut cmd = self.bare_at(vault);
        cmd.env("VIGIL_PASSPHRASE", PASSPHRASE);
        cmd
    }

    pub fn bare_at(&self, vault: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.env_remove("VIGIL_PASSPHRASE")
            .env_remove("VIGIL_DURESS_PASSPHRASE")
            .env_remove("VIGIL_EXPORT_PASSPHRASE")
            .arg("--vault")
            .arg(vault)
            .timeout(Duration::from_secs(HANG_GUARD_SECS));
        cmd
    }

    /// `vigil restore --from <backup>` into the vault at `target` (made if missing, at the
    /// lowest allowed KDF cost), with `export_passphrase` for the backup.
    pub fn restore_at(&self, target: &Path, backup: &Path, export_passphrase: &str) -> Command {
        let mut cmd = self.vigil_at(target);
        cmd.env("VIGIL_EXPORT_PASSPHRASE", export_passphrase)
            .args(["restore", "--kdf-iterations", "100000", "--from"])
            .arg(backup);
        cmd
    }

    /// [`Env::json`] on the vault at `vault`.
    pub fn json_at(&self, vault: &Path, args: &[&str]) -> serde_json::Value {
        let out = self
            .vigil_at(vault)
            .args(args)
            .arg("--json")
            .assert()
            .success();
        parse_one_json(&out.get_output().stdout)
    }

    /// Runs `args` with `--json` and parses stdout, which must be exactly one JSON document.
    /// The usual check-in set-up: buddy Ana (07400 123456), codes 4821 / duress 9137.
    pub fn ana_and_codes(&self) {
        self.vigil()
            .args(["buddy", "add", "--name", "Ana", "--phone", "07400 123456"])
            .assert()
            .success();
        self.vigil()
            .args([
                "checkin",
                "set-codes",
                "--code",
                "4821",
                "--duress-code",
                "9137",
            ])
            .assert()
            .success();
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.vigil().args(args).arg("--json").assert().success();
        parse_one_json(&out.get_output().stdout)
    }
}

pub fn parse_one_json(stdout: &[u8]) -> serde_json::Value {
    let mut docs = serde_json::Deserializer::from_slice(stdout).into_iter::<serde_json::Value>();
    let first = docs
        .next()
        .expect("stdout holds a JSON document")
        .expect("stdout is valid JSON");
    assert!(
        docs.next().is_none(),
        "stdout holds more than one JSON document"
    );
    first
}

/// Every file in `dir`, by name.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
