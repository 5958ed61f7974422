//! The crate-wide error.
//!
//! Messages never contain personal data (names, numbers, addresses, passphrases): they may
//! be logged or shown on a locked screen. Variants are specific enough for the caller to
//! act on them through [`Error::kind`], the one flat table the bindings and the CLI map
//! from, with [`Error::hint`] for what to do next.

/// Every fallible operation of the core returns this.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("this vault needs the device secret to unlock")]
    DeviceSecretRequired,
    #[error("the vault is locked")]
    Locked,
    #[error("no vault exists at the given location")]
    VaultNotFound,
    #[error("a vault already exists at the given location")]
    VaultExists,
    /// Refused so that a mistyped path never destroys an unrelated file.
    #[error("the file at the given location is not a Vigil vault")]
    NotAVault,
    #[error("the vault header is corrupt: {0}")]
    CorruptHeader(&'static str),
    #[error("the vault uses format version {0}, which this build does not understand")]
    UnsupportedFormat(u32),
    #[error("the vault's key-derivation parameters are below the allowed minimum")]
    WeakKdf,
    /// The file was written by a newer Vigil (its schema version is ahead of this build):
    /// nothing was read or changed; updating Vigil opens it.
    #[error("this vault was written by a newer version of Vigil (schema version {0}); update Vigil to open it")]
    SchemaTooNew(u32),
    #[error("a sealed record failed authentication: it was tampered with or is corrupt")]
    Tampered,
    #[error("no {0} with that id")]
    NotFound(&'static str),
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        field: &'static str,
        reason: &'static str,
    },
    /// A time or duration a caller passed is outside what the core can represent
    /// (see [`crate::clock::MIN_TIME`]): refused instead of a panic or a wrapped value.
    #[error("the {0} is outside the range Vigil accepts")]
    TimeOutOfRange(&'static str),
    #[error("the unlock attempt counter was tampered with; the vault refuses to unlock")]
    AttemptCounterTampered,
    #[error("too many wrong passphrases: the vault has been wiped")]
    WipedAfterFailedAttempts,
    #[error("the system random generator failed")]
    Random,
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("a stored record could not be decoded: {0}")]
    Decode(String),
    #[error(transparent)]
    Feed(#[from] crate::feeds::FeedError),
    #[error(transparent)]
    Directory(#[from] crate::directory::DirectoryError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Checkin(#[from] crate::checkin::CheckinError),
    #[error(transparent)]
    Screening(#[from] crate::screening::ScreeningError),
    #[error(transparent)]
    Watch(#[from] crate::watch::WatchError),
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub(crate) fn invalid(field: &'static str, reason: &'static str) -> Self {
        Error::InvalidInput { field, reason }
    }

    /// What kind of failure this is, for a caller that acts on it (a shell, a script).
    /// One exhaustive table for every error of the core and the capabilities it wraps:
    /// a new variant anywhere fails to compile here until it is given a kind.
    pub fn kind(&self) -> ErrorKind {
        use crate::checkin::CheckinError as C;
        use crate::directory::DirectoryError as D;
        use crate::export::ExportError as X;
        use crate::feeds::FeedError as F;
        use crate::screening::ScreeningError as S;
        use crate::watch::WatchError as W;
        use vigil_age::AgeError as A;
        use ErrorKind as K;
        match self {
            Error::WrongPassphrase => K::WrongPassphrase,
            Error::DeviceSecretRequired => K::DeviceSecretRequired,
            Error::Locked => K::Locked,
            Error::VaultNotFound => K::VaultNotFound,
            Error::VaultExists => K::VaultExists,
            Error::NotAVault => K::NotAVault,
            Error::CorruptHeader(_) => K::CorruptVault,
            Error::UnsupportedFormat(_) | Error::SchemaTooNew(_) => K::NewerVersion,
            Error::WeakKdf => K::WeakKdf,
            Error::Tampered | Error::Decode(_) => K::Tampered,
            Error::NotFound(_) => K::NotFound,
            Error::InvalidInput { .. } => K::InvalidInput,
            Error::TimeOutOfRange(_) => K::TimeOutOfRange,
            Error::AttemptCounterTampered => K::AttemptCounterTampered,
            Error::WipedAfterFailedAttempts => K::Wiped,
            Error::Random => K::Internal,
            Error::Storage(_) | Error::Io(_) => K::Storage,
            Error::Feed(e) => match e {
                F::TooLarge { .. } => K::TooLarge,
                F::Truncated | F::MalformedEnvelope(_) | F::BadSignature => K::BundleDamaged,
                // Signed, so not damaged on its way: the publisher's content is wrong.
                F::MalformedContent(_) => K::InvalidInput,
                F::UnsupportedFormat(_) => K::NewerVersion,
                F::UnknownPublisherKey { .. } => K::UnknownPublisher,
                F::WrongKind { .. } | F::UnknownKind => K::WrongBundleKind,
                F::Rollback { .. } => K::BundleNotNewer,
                F::InvalidKey(_) | F::KeyAlreadyPinned | F::LastKey => K::InvalidInput,
                F::PublisherExists => K::AlreadyExists,
                // Two imports raced; storage-level, and trying again works.
                F::ConcurrentImport => K::Storage,
            },
            Error::Directory(e) => match e {
                D::Read { .. } => K::Storage,
                D::TooLarge { .. } => K::TooLarge,
                D::UnsupportedContentFormat(_) => K::NewerVersion,
                D::MissingColumn { .. }
                | D::EmptyFile { .. }
                | D::UnknownTimeZone(_)
                | D::NotGeoJson(_)
                | D::BadCsvHeader(_)
                | D::DuplicateServiceId => K::InvalidInput,
            },
            Error::Export(e) => match e {
                X::Age(a) => match a {
                    A::WrongPassphrase | A::NoMatchingIdentity => K::WrongBackupKey,
                    A::HeaderMac
                    | A::TamperedChunk { .. }
                    | A::Truncated
                    | A::TrailingData
                    | A::MalformedHeader(_)
                    | A::MalformedPayload(_)
                    | A::Armor(_) => K::BackupDamaged,
                    A::UnsupportedVersion => K::NewerVersion,
                    A::UnsupportedRecipient(_)
                    | A::InvalidRecipient(_)
                    | A::InvalidIdentity(_)
                    | A::WorkFactorTooHigh { .. } => K::InvalidInput,
                    A::Crypto => K::Internal,
                    A::Io(_) => K::Storage,
                },
                X::NotAnExport | X::Malformed(_) => K::BackupDamaged,
                X::UnsupportedVersion(_) => K::NewerVersion,
            },
            Error::Checkin(e) => match e {
                C::WrongDeviceSecret => K::WrongDeviceSecret,
                C::CodesNotSet => K::CodesNotSet,
                C::WrongCode => K::WrongCode,
                C::TooManyWrongCodes { .. } => K::TooManyWrongCodes,
                C::NothingArmed => K::NothingArmed,
                C::NoBuddies => K::NoBuddies,
                C::AlreadyEscalating => K::AlreadyEscalating,
                C::UnknownBuddy | C::UnknownAction => K::NotFound,
                C::DeadlineNotInFuture
                | C::TooLong
                | C::NotAlerted
                | C::InvalidLadder(_)
                | C::DurationOutOfRange { .. } => K::InvalidInput,
            },
            Error::Screening(e) => match e {
                S::InvalidIdentifier { .. } | S::Unrecognized => K::InvalidInput,
            },
            Error::Watch(e) => match e {
                W::BadPairingCode(_) | W::OwnCode | W::SasMismatch | W::NoKeys => K::InvalidInput,
                W::NotAWatchMessage
                | W::Malformed
                | W::Truncated
                | W::WrongRecipient
                | W::UnknownSender
                | W::Forged
                | W::Replayed
                | W::OutOfOrder => K::MessageRefused,
                W::UnsupportedVersion | W::StateTooNew => K::NewerVersion,
            },
        }
    }

    /// For [`ErrorKind::TooManyWrongCodes`]: the seconds to wait before a check-in code is
    /// looked at again (a lock screen shows a countdown). `None` for every other failure.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Error::Checkin(crate::checkin::CheckinError::TooManyWrongCodes { wait_secs }) => {
                Some(*wait_secs)
            }
            _ => None,
        }
    }

    /// A stable machine code for this failure (`"wrong_code"`, ...); see [`ErrorKind::code`].
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// What the person can do about it, in words a shell may show as they are, or `None`
    /// when there is nothing useful to say. Never personal data.
    pub fn hint(&self) -> Option<&'static str> {
        self.kind().hint()
    }
}

/// The kind of a failure: the one flat, exhaustive list a shell or a script acts on.
///
/// Not `#[non_exhaustive]` on purpose: the bindings and the CLI match it without a
/// catch-all arm, so a new kind fails to compile there until it is mapped. Codes and
/// variants are stable once released; add new ones, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The vault passphrase is wrong (every wrong attempt counts if a limit is set).
    WrongPassphrase,
    /// The vault is bound to a device secret and none was given.
    DeviceSecretRequired,
    /// The device secret is not the one the check-in state was sealed with.
    WrongDeviceSecret,
    /// The session was locked (by hand or by the idle timeout).
    Locked,
    VaultNotFound,
    VaultExists,
    /// The path names a file that is not a Vigil vault; it was left untouched.
    NotAVault,
    /// The vault's header is damaged.
    CorruptVault,
    /// The vault's key-derivation cost is below the allowed minimum: asked for when
    /// creating one, or written in a vault file (which then was altered).
    WeakKdf,
    /// A file (vault, bundle, backup) from a newer Vigil: update the app.
    NewerVersion,
    /// A stored record failed authentication or could not be decoded.
    Tampered,
    /// The unlock attempt counter was edited; the vault refuses to unlock.
    AttemptCounterTampered,
    /// Too many wrong passphrases: the vault wiped itself.
    Wiped,
    /// No record with that id.
    NotFound,
    /// A record with that name already exists (e.g. a trusted publisher).
    AlreadyExists,
    /// A value was refused by the rules.
    InvalidInput,
    /// A time or duration outside the range the core accepts (see
    /// [`crate::clock::MIN_TIME`] and [`crate::clock::MAX_TIME`]).
    TimeOutOfRange,
    /// A bundle or a source file is larger than its limit.
    TooLarge,
    /// A bundle's signature or envelope is broken: damaged on its way or altered.
    BundleDamaged,
    /// A bundle signed with a key no trusted publisher has.
    UnknownPublisher,
    /// A bundle not newer than the one already accepted (a rollback is refused).
    BundleNotNewer,
    /// A bundle of another kind than the operation expects.
    WrongBundleKind,
    /// The backup's passphrase or identity does not open it.
    WrongBackupKey,
    /// The backup file is damaged, altered, or not a Vigil export.
    BackupDamaged,
    /// Arming a check-in needs a check-in code and a duress code first.
    CodesNotSet,
    /// The check-in code is wrong (a check-in is armed).
    WrongCode,
    /// Too many wrong check-in codes in a row: every code is refused for a while (the
    /// wait is in the message and in [`Error::retry_after_secs`]).
    TooManyWrongCodes,
    /// No check-in is armed: there is nothing to check in to.
    NothingArmed,
    /// A check-in needs at least one buddy.
    NoBuddies,
    /// Buddies are already being alerted; only the check-in code ends it.
    AlreadyEscalating,
    /// The device's storage failed (disk full, file not readable, database busy).
    Storage,
    /// A failure inside Vigil or the system (random generator, crypto backend).
    Internal,
    /// A "watch over me" message was refused (damaged, forged, replayed, out of order,
    /// from an unpaired phone or for another one): the message says which; nothing changed.
    MessageRefused,
}

impl ErrorKind {
    /// Every kind, in declaration order (for tables and tests).
    pub const ALL: [ErrorKind; 33] = [
        ErrorKind::WrongPassphrase,
        ErrorKind::DeviceSecretRequired,
        ErrorKind::WrongDeviceSecret,
        ErrorKind::Locked,
        ErrorKind::VaultNotFound,
        ErrorKind::VaultExists,
        ErrorKind::NotAVault,
        ErrorKind::CorruptVault,
        ErrorKind::WeakKdf,
        ErrorKind::NewerVersion,
        ErrorKind::Tampered,
        ErrorKind::AttemptCounterTampered,
        ErrorKind::Wiped,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::InvalidInput,
        ErrorKind::TimeOutOfRange,
        ErrorKind::TooLarge,
        ErrorKind::BundleDamaged,
        ErrorKind::UnknownPublisher,
        ErrorKind::BundleNotNewer,
        ErrorKind::WrongBundleKind,
        ErrorKind::WrongBackupKey,
        ErrorKind::BackupDamaged,
        ErrorKind::CodesNotSet,
        ErrorKind::WrongCode,
        ErrorKind::TooManyWrongCodes,
        ErrorKind::NothingArmed,
        ErrorKind::NoBuddies,
        ErrorKind::AlreadyEscalating,
        ErrorKind::Storage,
        ErrorKind::Internal,
        ErrorKind::MessageRefused,
    ];

    /// The stable machine code (snake case), e.g. for the CLI's `--json` error document.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::DeviceSecretRequired => "device_secret_required",
            ErrorKind::WrongDeviceSecret => "wrong_device_secret",
            ErrorKind::Locked => "locked",
            ErrorKind::VaultNotFound => "vault_not_found",
            ErrorKind::VaultExists => "vault_exists",
            ErrorKind::NotAVault => "not_a_vault",
            ErrorKind::CorruptVault => "corrupt_vault",
            ErrorKind::WeakKdf => "weak_kdf",
            ErrorKind::NewerVersion => "newer_version",
            ErrorKind::Tampered => "tampered",
            ErrorKind::AttemptCounterTampered => "attempt_counter_tampered",
            ErrorKind::Wiped => "wiped",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::TimeOutOfRange => "time_out_of_range",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::BundleDamaged => "bundle_damaged",
            ErrorKind::UnknownPublisher => "unknown_publisher",
            ErrorKind::BundleNotNewer => "bundle_not_newer",
            ErrorKind::WrongBundleKind => "wrong_bundle_kind",
            ErrorKind::WrongBackupKey => "wrong_backup_key",
            ErrorKind::BackupDamaged => "backup_damaged",
            ErrorKind::CodesNotSet => "codes_not_set",
            ErrorKind::WrongCode => "wrong_code",
            ErrorKind::TooManyWrongCodes => "too_many_wrong_codes",
            ErrorKind::NothingArmed => "nothing_armed",
            ErrorKind::NoBuddies => "no_buddies",
            ErrorKind::AlreadyEscalating => "already_escalating",
            ErrorKind::Storage => "storage",
            ErrorKind::Internal => "internal",
            ErrorKind::MessageRefused => "message_refused",
        }
    }

    /// The recovery hint, shell-neutral (no command names, no buttons).
    pub fn hint(self) -> Option<&'static str> {
        Some(match self {
            ErrorKind::WrongPassphrase => {
                "check the passphrase and try again; if an unlock limit is set, every wrong attempt counts"
            }
            ErrorKind::DeviceSecretRequired => {
                "this vault opens only on the device it was made on, with its device secret"
            }
            ErrorKind::WrongDeviceSecret => {
                "the device secret is not the one the check-in was armed with; use the device that armed it"
            }
            ErrorKind::Locked => "unlock the vault again",
            ErrorKind::VaultNotFound => "create a vault first, or choose the location of an existing one",
            ErrorKind::VaultExists => "choose another location, or wipe the old vault first",
            ErrorKind::NotAVault => {
                "the location holds a file that is not a Vigil vault; it was left untouched"
            }
            ErrorKind::CorruptVault | ErrorKind::Tampered => "restore the vault from a backup",
            ErrorKind::WeakKdf => {
                "a new vault needs at least the minimum key-derivation cost; a vault file that asks for less was altered: restore it from a backup"
            }
            ErrorKind::NewerVersion => {
                "this was written by a newer version of Vigil; update Vigil to open it (nothing was changed)"
            }
            ErrorKind::AttemptCounterTampered => {
                "the vault's attempt counter was altered, so it refuses to unlock; restore the vault from a backup"
            }
            ErrorKind::Wiped => {
                "the vault was wiped after too many wrong passphrases; restore it from a backup"
            }
            ErrorKind::NotFound | ErrorKind::AlreadyExists | ErrorKind::InvalidInput => return None,
            ErrorKind::TimeOutOfRange => {
                "check the device's date and time; times must lie between 1970 and 9999"
            }
            ErrorKind::TooLarge => "the file is larger than Vigil accepts; nothing was imported",
            ErrorKind::BundleDamaged => {
                "the bundle was damaged or altered on its way; get it again from the publisher"
            }
            ErrorKind::UnknownPublisher => {
                "trust the publisher first, with the key you got from the publisher themselves"
            }
            ErrorKind::BundleNotNewer => {
                "a newer bundle from this publisher is already imported; nothing changed"
            }
            ErrorKind::WrongBundleKind => "this bundle holds another kind of content; nothing changed",
            ErrorKind::WrongBackupKey => "check the backup's passphrase or identity file",
            ErrorKind::BackupDamaged => {
                "the backup file is damaged, altered or not a Vigil backup; nothing was imported"
            }
            ErrorKind::CodesNotSet => "set a check-in code and a duress code first",
            ErrorKind::WrongCode => "check the check-in code and try again",
            ErrorKind::TooManyWrongCodes => {
                "wait until the time shown, then enter the check-in code again; each further wrong code makes the wait longer"
            }
            ErrorKind::NothingArmed => "no check-in is running: there is nothing to check in to",
            ErrorKind::NoBuddies => "add a buddy first",
            ErrorKind::AlreadyEscalating => {
                "your buddies are already being alerted; check in with your code to stop it"
            }
            ErrorKind::Storage => "check that the device has free space, then try again",
            ErrorKind::Internal => return None,
            ErrorKind::MessageRefused => {
                "the message was ignored and nothing changed; if it should have been accepted, pair the two phones again"
            }
        })
    }
}

impl Error {
    /// One error of `kind`, for the tables that test a mapping of every kind (the CLI's,
    /// the bindings'). Not for production use.
    #[doc(hidden)]
    pub fn example(kind: ErrorKind) -> Error {
        use crate::checkin::CheckinError as C;
        use crate::export::ExportError as X;
        use crate::feeds::FeedError as F;
        use vigil_age::AgeError as A;
        match kind {
            ErrorKind::WrongPassphrase => Error::WrongPassphrase,
            ErrorKind::DeviceSecretRequired => Error::DeviceSecretRequired,
            ErrorKind::WrongDeviceSecret => C::WrongDeviceSecret.into(),
            ErrorKind::Locked => Error::Locked,
            ErrorKind::VaultNotFound => Error::VaultNotFound,
            ErrorKind::VaultExists => Error::VaultExists,
            ErrorKind::NotAVault => Error::NotAVault,
            ErrorKind::CorruptVault => Error::CorruptHeader("example"),
            ErrorKind::WeakKdf => Error::WeakKdf,
            ErrorKind::NewerVersion => Error::SchemaTooNew(1000),
            ErrorKind::Tampered => Error::Tampered,
            ErrorKind::AttemptCounterTampered => Error::AttemptCounterTampered,
            ErrorKind::Wiped => Error::WipedAfterFailedAttempts,
            ErrorKind::NotFound => Error::NotFound("record"),
            ErrorKind::AlreadyExists => F::PublisherExists.into(),
            ErrorKind::InvalidInput => Error::invalid("example", "example"),
            ErrorKind::TimeOutOfRange => Error::TimeOutOfRange("time"),
            ErrorKind::TooLarge => F::TooLarge { limit: 1 }.into(),
            ErrorKind::BundleDamaged => F::BadSignature.into(),
            ErrorKind::UnknownPublisher => F::UnknownPublisherKey {
                key_id: crate::feeds::PublisherKeyId([0; 8]),
            }
            .into(),
            ErrorKind::BundleNotNewer => F::Rollback {
                kind: crate::feeds::BundleKind::Directory,
                offered: 1,
                accepted: 2,
            }
            .into(),
            ErrorKind::WrongBundleKind => F::UnknownKind.into(),
            ErrorKind::WrongBackupKey => A::WrongPassphrase.into(),
            ErrorKind::BackupDamaged => X::NotAnExport.into(),
            ErrorKind::CodesNotSet => C::CodesNotSet.into(),
            ErrorKind::WrongCode => C::WrongCode.into(),
            ErrorKind::TooManyWrongCodes => C::TooManyWrongCodes { wait_secs: 30 }.into(),
            ErrorKind::NothingArmed => C::NothingArmed.into(),
            ErrorKind::NoBuddies => C::NoBuddies.into(),
            ErrorKind::AlreadyEscalating => C::AlreadyEscalating.into(),
            ErrorKind::Storage => Error::Io(std::io::Error::other("example")),
            ErrorKind::Internal => Error::Random,
            ErrorKind::MessageRefused => crate::watch::WatchError::Forged.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkin::CheckinError as C;
    use crate::directory::DirectoryError as D;
    use crate::export::ExportError as X;
    use crate::feeds::{BundleKind, FeedError as F, PublisherKeyId};
    use crate::screening::{IdentifierKind, ScreeningError as S};
    use vigil_age::AgeError as A;
    use ErrorKind as K;

    /// Every variant of the core's error and of the errors it wraps, with the kind it is
    /// meant to have. A variant missing here is caught by `kind()`'s exhaustive match;
    /// this table pins the intended answer.
    fn table() -> Vec<(Error, ErrorKind)> {
        let io = || std::io::Error::other("x");
        let file = || "f.csv".to_owned();
        vec![
            (Error::WrongPassphrase, K::WrongPassphrase),
            (Error::DeviceSecretRequired, K::DeviceSecretRequired),
            (Error::Locked, K::Locked),
            (Error::VaultNotFound, K::VaultNotFound),
            (Error::VaultExists, K::VaultExists),
            (Error::NotAVault, K::NotAVault),
            (Error::CorruptHeader("x"), K::CorruptVault),
            (Error::UnsupportedFormat(9), K::NewerVersion),
            (Error::WeakKdf, K::WeakKdf),
            (Error::SchemaTooNew(9), K::NewerVersion),
            (Error::Tampered, K::Tampered),
            (Error::NotFound("x"), K::NotFound),
            (Error::invalid("x", "y"), K::InvalidInput),
            (Error::TimeOutOfRange("time"), K::TimeOutOfRange),
            (Error::AttemptCounterTampered, K::AttemptCounterTampered),
            (Error::WipedAfterFailedAttempts, K::Wiped),
            (Error::Random, K::Internal),
            (Error::Storage(rusqlite::Error::InvalidQuery), K::Storage),
            (Error::Io(io()), K::Storage),
            (Error::Decode("x".into()), K::Tampered),
            (F::TooLarge { limit: 1 }.into(), K::TooLarge),
            (F::Truncated.into(), K::BundleDamaged),
            (F::MalformedEnvelope("x").into(), K::BundleDamaged),
            (F::UnsupportedFormat(9).into(), K::NewerVersion),
            (F::BadSignature.into(), K::BundleDamaged),
            (
                F::UnknownPublisherKey {
                    key_id: PublisherKeyId([0; 8]),
                }
                .into(),
                K::UnknownPublisher,
            ),
            (
                F::WrongKind {
                    expected: BundleKind::Alerts,
                    found: BundleKind::Directory,
                }
                .into(),
                K::WrongBundleKind,
            ),
            (F::UnknownKind.into(), K::WrongBundleKind),
            (
                F::Rollback {
                    kind: BundleKind::Alerts,
                    offered: 1,
                    accepted: 2,
                }
                .into(),
                K::BundleNotNewer,
            ),
            (F::MalformedContent("x".into()).into(), K::InvalidInput),
            (F::InvalidKey("x").into(), K::InvalidInput),
            (F::PublisherExists.into(), K::AlreadyExists),
            (F::KeyAlreadyPinned.into(), K::InvalidInput),
            (F::LastKey.into(), K::InvalidInput),
            (
                D::MissingColumn {
                    file: file(),
                    column: "x",
                }
                .into(),
                K::InvalidInput,
            ),
            (
                D::Read {
                    file: file(),
                    source: io(),
                }
                .into(),
                K::Storage,
            ),
            (
                D::TooLarge {
                    file: file(),
                    limit: 1,
                }
                .into(),
                K::TooLarge,
            ),
            (D::EmptyFile { file: file() }.into(), K::InvalidInput),
            (D::UnknownTimeZone("x".into()).into(), K::InvalidInput),
            (D::NotGeoJson("x").into(), K::InvalidInput),
            (D::BadCsvHeader("x".into()).into(), K::InvalidInput),
            (D::UnsupportedContentFormat(9).into(), K::NewerVersion),
            (D::DuplicateServiceId.into(), K::InvalidInput),
            (A::UnsupportedVersion.into(), K::NewerVersion),
            (A::Armor("x").into(), K::BackupDamaged),
            (A::MalformedHeader("x").into(), K::BackupDamaged),
            (
                A::WorkFactorTooHigh { log_n: 30, max: 20 }.into(),
                K::InvalidInput,
            ),
            (A::WrongPassphrase.into(), K::WrongBackupKey),
            (A::NoMatchingIdentity.into(), K::WrongBackupKey),
            (A::UnsupportedRecipient("x".into()).into(), K::InvalidInput),
            (A::HeaderMac.into(), K::BackupDamaged),
            (A::TamperedChunk { index: 1 }.into(), K::BackupDamaged),
            (A::Truncated.into(), K::BackupDamaged),
            (A::TrailingData.into(), K::BackupDamaged),
            (A::MalformedPayload("x").into(), K::BackupDamaged),
            (A::InvalidRecipient("x").into(), K::InvalidInput),
            (A::InvalidIdentity("x").into(), K::InvalidInput),
            (A::Crypto.into(), K::Internal),
            (A::Io(io()).into(), K::Storage),
            (X::NotAnExport.into(), K::BackupDamaged),
            (X::UnsupportedVersion(9).into(), K::NewerVersion),
            (X::Malformed("x".into()).into(), K::BackupDamaged),
            (C::WrongDeviceSecret.into(), K::WrongDeviceSecret),
            (C::CodesNotSet.into(), K::CodesNotSet),
            (C::WrongCode.into(), K::WrongCode),
            (
                C::TooManyWrongCodes { wait_secs: 60 }.into(),
                K::TooManyWrongCodes,
            ),
            (C::NothingArmed.into(), K::NothingArmed),
            (C::DeadlineNotInFuture.into(), K::InvalidInput),
            (C::TooLong.into(), K::InvalidInput),
            (
                C::InvalidLadder(crate::checkin::LadderProblem::BuddyMissing).into(),
                K::InvalidInput,
            ),
            (
                C::DurationOutOfRange { field: "grace" }.into(),
                K::InvalidInput,
            ),
            (C::NoBuddies.into(), K::NoBuddies),
            (C::UnknownBuddy.into(), K::NotFound),
            (C::AlreadyEscalating.into(), K::AlreadyEscalating),
            (C::UnknownAction.into(), K::NotFound),
            (C::NotAlerted.into(), K::InvalidInput),
            (
                S::InvalidIdentifier {
                    kind: IdentifierKind::Phone,
                    reason: "x",
                }
                .into(),
                K::InvalidInput,
            ),
            (S::Unrecognized.into(), K::InvalidInput),
        ]
    }

    #[test]
    fn every_variant_has_its_intended_kind() {
        for (error, kind) in table() {
            assert_eq!(error.kind(), kind, "{error:?}");
            assert_eq!(error.code(), kind.code());
            assert_eq!(error.hint(), kind.hint());
        }
    }

    #[test]
    fn kinds_are_complete_with_unique_codes_and_examples() {
        let codes: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        for kind in ErrorKind::ALL {
            assert_eq!(Error::example(kind).kind(), kind);
            assert!(kind
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        // Every kind the table reaches is listed in ALL.
        for (_, kind) in table() {
            assert!(ErrorKind::ALL.contains(&kind));
        }
    }

    /// The distinctions issue 13 asked for, stated once.
    #[test]
    fn a_lock_screen_and_a_backup_screen_can_tell_failures_apart() {
        assert_ne!(
            Error::from(C::WrongCode).kind(),
            Error::from(C::NothingArmed).kind()
        );
        assert!(Error::from(C::WrongCode).hint().is_some());
        assert!(Error::from(C::NothingArmed).hint().is_some());
        // Export errors are about the backup file, not a bundle.
        for e in [Error::from(X::NotAnExport), Error::from(A::WrongPassphrase)] {
            assert!(!matches!(
                e.kind(),
                K::BundleDamaged | K::UnknownPublisher | K::WrongBundleKind
            ));
        }
    }

    /// Hints are fixed text: no value from the input can reach them.
    #[test]
    fn hints_are_fixed_text_without_placeholders() {
        for kind in ErrorKind::ALL {
            if let Some(h) = kind.hint() {
                assert!(!h.contains('{') && !h.is_empty(), "{kind:?}");
            }
        }
    }
}
