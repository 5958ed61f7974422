//! The one public error of the bindings.
//!
//! One variant per [`ErrorKind`] of the core, each with the core's message (`detail`) and
//! recovery hint (`hint`), both free of personal data. The conversion is generated from a
//! single list below and matches the core's kind without a catch-all arm: a new kind in the
//! core fails to compile here until it is listed.

use vigil_core::error::ErrorKind;
use vigil_core::Error;

/// Declares [`VigilError`] with one variant per listed kind and the exhaustive conversion.
macro_rules! vigil_error {
    ($($(#[doc = $doc:literal])* $kind:ident,)*) => {
        /// Every failure a shell sees (Kotlin `VigilException.X`, Swift `VigilError.X`,
        /// Python `VigilError.X`). `detail` says what happened, `hint` what the person can
        /// do (or nothing); the variant is the stable kind a shell branches on.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum VigilError {
            $(
                $(#[doc = $doc])*
                #[error("{detail}")]
                $kind { detail: String, hint: Option<String> },
            )*
        }

        impl VigilError {
            /// The core's kind of this error (the inverse of the conversion).
            pub fn kind(&self) -> ErrorKind {
                match self {
                    $(VigilError::$kind { .. } => ErrorKind::$kind,)*
                }
            }

            /// The recovery hint this error carries.
            pub fn hint(&self) -> Option<&str> {
                match self {
                    $(VigilError::$kind { hint, .. } => hint.as_deref(),)*
                }
            }
        }

        impl From<Error> for VigilError {
            fn from(e: Error) -> Self {
                let detail = e.to_string();
                let hint = e.hint().map(str::to_owned);
                match e.kind() {
                    $(ErrorKind::$kind => VigilError::$kind { detail, hint },)*
                }
            }
        }
    };
}

vigil_error! {
    /// The vault passphrase is wrong; every wrong attempt counts if a limit is set.
    WrongPassphrase,
    /// The vault needs the device secret and none was given.
    DeviceSecretRequired,
    /// The device secret is not the one the check-in state was sealed with.
    WrongDeviceSecret,
    /// The session was locked (by hand or by the idle timeout): unlock again.
    Locked,
    VaultNotFound,
    VaultExists,
    /// The path names a file that is not a vault; it was left untouched.
    NotAVault,
    /// The vault header is damaged: restore from a backup.
    CorruptVault,
    /// Key-derivation cost below the minimum (asked for at create, or in an altered file).
    WeakKdf,
    /// Written by a newer Vigil: ask the person to update the app. Nothing was changed.
    NewerVersion,
    /// A stored record failed authentication or could not be decoded.
    Tampered,
    /// The unlock attempt counter was edited; the vault refuses to unlock.
    AttemptCounterTampered,
    /// Too many wrong passphrases: the vault wiped itself.
    Wiped,
    NotFound,
    AlreadyExists,
    InvalidInput,
    /// A time before 1970 or after 9999, or a duration beyond ten thousand years.
    TimeOutOfRange,
    TooLarge,
    /// A bundle's signature or envelope is broken.
    BundleDamaged,
    /// A bundle signed by a key no trusted publisher has.
    UnknownPublisher,
    /// A bundle not newer than the one already accepted.
    BundleNotNewer,
    WrongBundleKind,
    /// The backup's passphrase or identity does not open it.
    WrongBackupKey,
    /// The backup file is damaged, altered, or not a Vigil export.
    BackupDamaged,
    /// Arming needs a check-in code and a duress code first.
    CodesNotSet,
    /// The check-in code is wrong (a check-in is armed).
    WrongCode,
    /// Too many wrong check-in codes: every code is refused for the wait in `detail`.
    TooManyWrongCodes,
    /// No check-in is armed: nothing to check in to.
    NothingArmed,
    NoBuddies,
    /// Buddies are already being alerted; only the check-in code ends it.
    AlreadyEscalating,
    /// The device's storage failed.
    Storage,
    Internal,
    /// A watch message was refused (forged, replayed, out of order, truncated, from an
    /// unpaired phone, for another one): `detail` says which; nothing changed.
    MessageRefused,
}

pub type Result<T, E = VigilError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::checkin::CheckinError;

    /// Every kind of the core arrives as the variant of the same name, with the core's
    /// hint: the table the shells rely on.
    #[test]
    fn every_core_kind_maps_to_its_own_variant_with_its_hint() {
        for kind in ErrorKind::ALL {
            let e = VigilError::from(sample(kind));
            assert_eq!(e.kind(), kind);
            assert_eq!(e.hint(), kind.hint(), "{kind:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn a_lock_screen_tells_a_wrong_code_from_nothing_armed() {
        let wrong = VigilError::from(Error::Checkin(CheckinError::WrongCode));
        let none = VigilError::from(Error::Checkin(CheckinError::NothingArmed));
        assert!(
            matches!(wrong, VigilError::WrongCode { hint: Some(_), .. }),
            "{wrong:?}"
        );
        assert!(
            matches!(none, VigilError::NothingArmed { hint: Some(_), .. }),
            "{none:?}"
        );
        assert!(matches!(
            VigilError::from(Error::WeakKdf),
            VigilError::WeakKdf { .. }
        ));
        assert!(matches!(
            VigilError::from(Error::AttemptCounterTampered),
            VigilError::AttemptCounterTampered { .. }
        ));
    }

    fn sample(kind: ErrorKind) -> Error {
        Error::example(kind)
    }
}
