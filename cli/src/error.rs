//! What the command tells a person when something fails, and with which exit status.
//!
//! Every failure becomes one [`CliError`]: a message that says what happened and, where it
//! helps, what to do next. Messages never contain personal data: the core's errors carry
//! none, and this module only adds paths and flag names the person typed themselves.

use std::fmt;
use std::path::Path;

use vigil_core::checkin::CheckinError;
use vigil_core::export::age::AgeError;
use vigil_core::export::ExportError;
use vigil_core::feeds::FeedError;
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
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
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
    fn from(e: Error) -> Self {
        let message = e.to_string();
        let (exit, hint): (Exit, Option<&str>) = match &e {
            Error::WrongPassphrase => (
                Exit::Passphrase,
                Some("check the passphrase (from --passphrase-file, VIGIL_PASSPHRASE or the prompt); if an unlock limit is set, every wrong attempt counts"),
            ),
            Error::DeviceSecretRequired => (
                Exit::Locked,
                Some("the device-secret file beside the vault (<vault>.device) is missing or empty; restore it from where you copied the vault"),
            ),
            Error::Locked => (Exit::Locked, Some("run the command again to unlock")),
            Error::VaultNotFound => (
                Exit::NoVault,
                Some("create one with `vigil init`, or point --vault at an existing vault"),
            ),
            Error::NotAVault => (
                Exit::NotAVault,
                Some("check --vault: it names a file that is not a Vigil vault, which was left untouched"),
            ),
            Error::VaultExists => (
                Exit::VaultExists,
                Some("choose another --vault path, or remove the old one with `vigil wipe --yes`"),
            ),
            Error::CorruptHeader(_) | Error::Tampered | Error::AttemptCounterTampered => {
                (Exit::Tampered, Some("restore the vault from a backup (`vigil restore`)"))
            }
            Error::Decode(_) => (Exit::Tampered, None),
            Error::UnsupportedFormat(_) | Error::SchemaTooNew(_) => (
                Exit::Unsupported,
                Some("this vault was written by a newer Vigil; upgrade the vigil command"),
            ),
            Error::WeakKdf => (Exit::Invalid, None),
            Error::NotFound(_) => (Exit::NotFound, None),
            Error::InvalidInput { .. } => (Exit::Invalid, None),
            Error::WipedAfterFailedAttempts => (Exit::Wiped, None),
            Error::Export(export) => return export_error(export, message),
            Error::Feed(feed) => feed_error(feed),
            Error::Checkin(checkin) => checkin_error(checkin),
            Error::Directory(_) => (Exit::Invalid, None),
            Error::Screening(_) => (Exit::Invalid, None),
            Error::Random | Error::Storage(_) | Error::Io(_) => (Exit::Failure, None),
            _ => (Exit::Failure, None),
        };
        CliError {
            exit,
            message,
            hint: hint.map(str::to_owned),
        }
    }
}

fn feed_error(e: &FeedError) -> (Exit, Option<&'static str>) {
    match e {
        FeedError::BadSignature
        | FeedError::Truncated
        | FeedError::MalformedEnvelope(_) => (
            Exit::Tampered,
            Some("the bundle was altered or damaged on its way; get it again from the publisher"),
        ),
        FeedError::UnknownPublisherKey { .. } => (
            Exit::Refused,
            Some("trust the publisher first: `vigil trust add --name NAME --key PUBLIC_KEY_FILE`, with the key from the publisher themselves"),
        ),
        FeedError::Rollback { .. } => (
            Exit::Refused,
            Some("a newer bundle from this publisher is already imported; nothing changed"),
        ),
        FeedError::WrongKind { .. } | FeedError::UnknownKind => (Exit::Refused, None),
        FeedError::UnsupportedFormat(_) => (
            Exit::Unsupported,
            Some("the bundle was made by a newer Vigil; upgrade the vigil command"),
        ),
        FeedError::TooLarge { .. } | FeedError::MalformedContent(_) => (Exit::Invalid, None),
        FeedError::InvalidKey(_) | FeedError::PublisherExists | FeedError::KeyAlreadyPinned
        | FeedError::LastKey => (Exit::Invalid, None),
        _ => (Exit::Failure, None),
    }
}

fn checkin_error(e: &CheckinError) -> (Exit, Option<&'static str>) {
    match e {
        CheckinError::WrongCode => (Exit::WrongCode, None),
        CheckinError::WrongDeviceSecret => (
            Exit::Locked,
            Some("the device-secret file beside the vault is not the one the check-in was armed with"),
        ),
        CheckinError::CodesNotSet => (
            Exit::Invalid,
            Some("run `vigil checkin set-codes --code C --duress-code D` first"),
        ),
        CheckinError::NoBuddies => (Exit::Invalid, Some("add one with `vigil buddy add`")),
        CheckinError::NothingArmed | CheckinError::UnknownBuddy => (Exit::NotFound, None),
        _ => (Exit::Invalid, None),
    }
}

fn export_error(e: &ExportError, message: String) -> CliError {
    let exit = match e {
        ExportError::Age(age) => match age {
            AgeError::WrongPassphrase | AgeError::NoMatchingIdentity => Exit::Passphrase,
            AgeError::HeaderMac
            | AgeError::TamperedChunk { .. }
            | AgeError::Truncated
            | AgeError::TrailingData
            | AgeError::MalformedHeader(_)
            | AgeError::MalformedPayload(_)
            | AgeError::Armor(_) => Exit::Tampered,
            AgeError::UnsupportedVersion | AgeError::UnsupportedRecipient(_) => Exit::Unsupported,
            AgeError::InvalidRecipient(_)
            | AgeError::InvalidIdentity(_)
            | AgeError::WorkFactorTooHigh { .. } => Exit::Invalid,
            _ => Exit::Failure,
        },
        ExportError::NotAnExport | ExportError::Malformed(_) => Exit::Tampered,
        ExportError::UnsupportedVersion(_) => Exit::Unsupported,
        _ => Exit::Failure,
    };
    let hint = match exit {
        Exit::Passphrase => Some("check the export passphrase or the --identity file"),
        Exit::Tampered => Some("the backup file is damaged or was altered; nothing was imported"),
        _ => None,
    };
    CliError {
        exit,
        message,
        hint: hint.map(str::to_owned),
    }
}

impl From<AgeError> for CliError {
    fn from(e: AgeError) -> Self {
        Error::from(e).into()
    }
}
