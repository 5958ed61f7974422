//! What the command tells a person when something fails, and with which exit status.
//!
//! Every failure becomes one [`CliError`]: a message that says what happened and, where it
//! helps, what to do next. Messages never contain personal data: the core's errors carry
//! none, and this module only adds paths and flag names the person typed themselves.

use std::fmt;
use std::path::Path;

use vigil_core::error::ErrorKind;
use vigil_core::export::age::AgeError;
use vigil_core::Error;

/// Exit statuses, one per kind of failure a script may want to tell apart. `2` is clap's
/// own status for malformed arguments, reused for every usage mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Something unexpected: storage or file-system failure.
    Failure = 1,
    /// The command line is wrong (unknown flag, malformed value, missing `--yes`).
    Usage = 2,
    /// The passphrase is wrong, or none could be obtained.
    Passphrase = 3,
    /// No vault at the given path.
    NoVault = 4,
    /// A vault already exists where one was to be created.
    VaultExists = 5,
    /// A value was rejected by the rules (empty label, end before start, ...).
    Invalid = 6,
    /// Something failed authentication: tampered or corrupt data.
    Tampered = 7,
    /// The vault wiped itself after too many wrong passphrases.
    Wiped = 8,
    /// A file from a newer (or unknown) version of Vigil.
    Unsupported = 9,
    /// The named record does not exist.
    NotFound = 10,
    /// The vault is locked or needs the device secret.
    Locked = 11,
    /// A bundle was refused: signed by a key no trusted publisher has, an older version
    /// than the one accepted, or the wrong kind.
    Refused = 12,
    /// The check-in code is wrong.
    WrongCode = 13,
    /// The path names a file that is not a Vigil vault (refused, e.g. by `wipe`).
    NotAVault = 14,
}

impl Exit {
    /// Every status, in order (for the manual page).
    pub const ALL: [Exit; 14] = [
        Exit::Failure,
        Exit::Usage,
        Exit::Passphrase,
        Exit::NoVault,
        Exit::VaultExists,
        Exit::Invalid,
        Exit::Tampered,
        Exit::Wiped,
        Exit::Unsupported,
        Exit::NotFound,
        Exit::Locked,
        Exit::Refused,
        Exit::WrongCode,
        Exit::NotAVault,
    ];

    /// What the status means, for a person (the manual's EXIT STATUS section).
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Failure => "unexpected or storage failure",
            Exit::Usage => {
                "wrong command line (unknown flag, malformed value or time, missing --yes)"
            }
            Exit::Passphrase => "wrong or missing passphrase (vault or backup)",
            Exit::NoVault => "no vault at the path",
            Exit::VaultExists => "a vault already exists where one was to be created",
            Exit::Invalid => "a value was rejected (empty label, weak passphrase, bad number, ...)",
            Exit::Tampered => "tampered or corrupt data (vault, bundle or backup)",
            Exit::Wiped => "the vault wiped itself after failed unlocks",
            Exit::Unsupported => "written by a newer Vigil",
            Exit::NotFound => "record not found, or no check-in armed",
            Exit::Locked => "locked, or the device-secret file is missing",
            Exit::Refused => "bundle or watch message refused (untrusted key, rollback, wrong kind; forged, replayed, unpaired)",
            Exit::WrongCode => "wrong check-in code",
            Exit::NotAVault => "the path is not a Vigil vault",
        }
    }

    /// A stable name for the JSON error document.
    pub fn kind(self) -> &'static str {
        match self {
            Exit::Failure => "failure",
            Exit::Usage => "usage",
            Exit::Passphrase => "passphrase",
            Exit::NoVault => "no_vault",
            Exit::VaultExists => "vault_exists",
            Exit::Invalid => "invalid",
            Exit::Tampered => "tampered",
            Exit::Wiped => "wiped",
            Exit::Unsupported => "unsupported",
            Exit::NotFound => "not_found",
            Exit::Locked => "locked",
            Exit::Refused => "refused",
            Exit::WrongCode => "wrong_code",
            Exit::NotAVault => "not_a_vault",
        }
    }
}

/// A failure, ready to be shown.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
    /// The core's stable kind code (`"wrong_code"`, ...) when the failure came from the
    /// core; `None` for the CLI's own (usage, files it reads itself).
    pub code: Option<&'static str>,
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
            code: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A file the command had to read or write failed.
    pub fn file(action: &str, path: &Path, e: std::io::Error) -> Self {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "it does not exist".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            std::io::ErrorKind::AlreadyExists => "it already exists".to_owned(),
            _ => e.to_string(),
        };
        Self::new(
            Exit::Failure,
            format!("could not {action} {}: {reason}", path.display()),
        )
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for CliError {
    /// The one mapping from the core: its [`ErrorKind`] decides the exit status, without a
    /// catch-all arm, so a new kind fails to compile until it is given one. The hint is the
    /// core's, except where the CLI can name the command or flag that helps.
    fn from(e: Error) -> Self {
        let kind = e.kind();
        let (exit, cli_hint) = exit_for(kind);
        CliError {
            exit,
            message: e.to_string(),
            hint: cli_hint.or(kind.hint()).map(str::to_owned),
            code: Some(kind.code()),
        }
    }
}

/// The exit status for each kind of core failure, and the CLI's own wording of the hint
/// where it can be more precise than the core's shell-neutral one.
pub(crate) fn exit_for(kind: ErrorKind) -> (Exit, Option<&'static str>) {
    use ErrorKind as K;
    match kind {
        K::WrongPassphrase => (
            Exit::Passphrase,
            Some("check the passphrase (from --passphrase-file, VIGIL_PASSPHRASE or the prompt); if an unlock limit is set, every wrong attempt counts"),
        ),
        K::DeviceSecretRequired => (
            Exit::Locked,
            Some("the device-secret file beside the vault (<vault>.device) is missing or empty; restore it from where you copied the vault"),
        ),
        K::WrongDeviceSecret => (
            Exit::Locked,
            Some("the device-secret file beside the vault is not the one the check-in was armed with"),
        ),
        K::Locked => (Exit::Locked, Some("run the command again to unlock")),
        K::VaultNotFound => (
            Exit::NoVault,
            Some("create one with `vigil init`, or point --vault at an existing vault"),
        ),
        K::VaultExists => (
            Exit::VaultExists,
            Some("choose another --vault path, or remove the old one with `vigil wipe --yes`"),
        ),
        K::NotAVault => (
            Exit::NotAVault,
            Some("check --vault: it names a file that is not a Vigil vault, which was left untouched"),
        ),
        K::CorruptVault | K::Tampered | K::AttemptCounterTampered => (
            Exit::Tampered,
            Some("restore the vault from a backup (`vigil restore`)"),
        ),
        K::WeakKdf => (Exit::Invalid, None),
        K::NewerVersion => (
            Exit::Unsupported,
            Some("this was written by a newer Vigil; upgrade the vigil command (nothing was changed)"),
        ),
        K::Wiped => (Exit::Wiped, None),
        K::NotFound | K::NothingArmed => (Exit::NotFound, None),
        K::AlreadyExists | K::InvalidInput | K::TimeOutOfRange | K::TooLarge => {
            (Exit::Invalid, None)
        }
        K::BundleDamaged | K::BackupDamaged => (Exit::Tampered, None),
        K::UnknownPublisher => (
            Exit::Refused,
            Some("trust the publisher first: `vigil trust add --name NAME --key PUBLIC_KEY_FILE`, with the key from the publisher themselves"),
        ),
        K::BundleNotNewer | K::WrongBundleKind => (Exit::Refused, None),
        K::WrongBackupKey => (
            Exit::Passphrase,
            Some("check the export passphrase or the --identity file"),
        ),
        K::CodesNotSet => (
            Exit::Invalid,
            Some("run `vigil checkin set-codes --code C --duress-code D` first"),
        ),
        K::WrongCode | K::TooManyWrongCodes => (Exit::WrongCode, None),
        K::NoBuddies => (Exit::Invalid, Some("add one with `vigil buddy add`")),
        K::AlreadyEscalating => (Exit::Invalid, None),
        K::Storage | K::Internal => (Exit::Failure, None),
        K::MessageRefused => (Exit::Refused, None),
    }
}

impl From<AgeError> for CliError {
    fn from(e: AgeError) -> Self {
        Error::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorKind as K;

    /// Every kind of the core with the exit status a script sees and whether the CLI words
    /// the hint itself (true) or prints the core's (false).
    const TABLE: [(ErrorKind, u8, bool); 33] = [
        (K::WrongPassphrase, 3, true),
        (K::DeviceSecretRequired, 11, true),
        (K::WrongDeviceSecret, 11, true),
        (K::Locked, 11, true),
        (K::VaultNotFound, 4, true),
        (K::VaultExists, 5, true),
        (K::NotAVault, 14, true),
        (K::CorruptVault, 7, true),
        (K::WeakKdf, 6, false),
        (K::NewerVersion, 9, true),
        (K::Tampered, 7, true),
        (K::AttemptCounterTampered, 7, true),
        (K::Wiped, 8, false),
        (K::NotFound, 10, false),
        (K::AlreadyExists, 6, false),
        (K::InvalidInput, 6, false),
        (K::TimeOutOfRange, 6, false),
        (K::TooLarge, 6, false),
        (K::BundleDamaged, 7, false),
        (K::UnknownPublisher, 12, true),
        (K::BundleNotNewer, 12, false),
        (K::WrongBundleKind, 12, false),
        (K::WrongBackupKey, 3, true),
        (K::BackupDamaged, 7, false),
        (K::CodesNotSet, 6, true),
        (K::WrongCode, 13, false),
        (K::TooManyWrongCodes, 13, false),
        (K::NothingArmed, 10, false),
        (K::NoBuddies, 6, true),
        (K::AlreadyEscalating, 6, false),
        (K::Storage, 1, false),
        (K::Internal, 1, false),
        (K::MessageRefused, 12, false),
    ];

    #[test]
    fn every_core_kind_has_its_exit_status_code_and_hint() {
        assert_eq!(
            TABLE.map(|(k, ..)| k),
            ErrorKind::ALL,
            "the table lists every kind"
        );
        for (kind, exit, own_hint) in TABLE {
            let e = CliError::from(Error::example(kind));
            assert_eq!(e.exit as u8, exit, "{kind:?}");
            assert_eq!(e.code, Some(kind.code()));
            let (_, cli_hint) = exit_for(kind);
            assert_eq!(cli_hint.is_some(), own_hint, "{kind:?}");
            assert_eq!(e.hint.as_deref(), cli_hint.or(kind.hint()), "{kind:?}");
        }
    }

    #[test]
    fn a_wrong_code_and_nothing_armed_differ_for_a_script() {
        use vigil_core::checkin::CheckinError;
        let wrong = CliError::from(Error::from(CheckinError::WrongCode));
        let none = CliError::from(Error::from(CheckinError::NothingArmed));
        assert_ne!(wrong.exit, none.exit);
        assert_eq!(
            (wrong.code, none.code),
            (Some("wrong_code"), Some("nothing_armed"))
        );
        assert!(wrong.hint.is_some() && none.hint.is_some());
    }
}
