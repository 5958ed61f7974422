//! The one public error of the bindings.
//!
//! Flat: the shells see a variant and a message. Messages come from the core's errors,
//! which never carry personal data.

use vigil_core::checkin::CheckinError;
use vigil_core::feeds::FeedError;
use vigil_core::Error;

#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum VigilError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("{0}")]
    DeviceSecretRequired(String),
    #[error("the vault is locked")]
    Locked,
    #[error("no vault exists at the given location")]
    VaultNotFound,
    #[error("a vault already exists at the given location")]
    VaultExists,
    #[error("{0}")]
    CorruptVault(String),
    /// The vault (or a file in it) was written by a newer Vigil: ask the person to update
    /// the app. Nothing was read or changed.
    #[error("{0}")]
    NewerVersion(String),
    #[error("{0}")]
    Tampered(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    BundleRejected(String),
    #[error("{0}")]
    CheckinRefused(String),
    #[error("{0}")]
    TooManyAttempts(String),
    #[error("{0}")]
    Internal(String),
}

impl From<Error> for VigilError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e {
            Error::WrongPassphrase => VigilError::WrongPassphrase,
            Error::DeviceSecretRequired => VigilError::DeviceSecretRequired(message),
            Error::Locked => VigilError::Locked,
            Error::VaultNotFound => VigilError::VaultNotFound,
            Error::VaultExists => VigilError::VaultExists,
            Error::NotAVault => VigilError::InvalidInput(message),
            Error::CorruptHeader(_) | Error::WeakKdf => VigilError::CorruptVault(message),
            Error::UnsupportedFormat(_) | Error::SchemaTooNew(_) => {
                VigilError::NewerVersion(message)
            }
            Error::Tampered | Error::Decode(_) => VigilError::Tampered(message),
            Error::NotFound(_) => VigilError::NotFound(message),
            Error::InvalidInput { .. } | Error::Screening(_) | Error::Directory(_) => {
                VigilError::InvalidInput(message)
            }
            Error::Feed(FeedError::InvalidKey(_)) => VigilError::InvalidInput(message),
            Error::Feed(_) | Error::Export(_) => VigilError::BundleRejected(message),
            Error::Checkin(CheckinError::WrongDeviceSecret) => {
                VigilError::DeviceSecretRequired(message)
            }
            // Input a shell got wrong (a ladder, i64::MAX minutes, Instant.MAX), not a refusal.
            Error::Checkin(
                CheckinError::InvalidLadder(_)
                | CheckinError::DurationOutOfRange { .. }
                | CheckinError::TimeOutOfRange,
            ) => VigilError::InvalidInput(message),
            Error::Checkin(_) => VigilError::CheckinRefused(message),
            Error::AttemptCounterTampered | Error::WipedAfterFailedAttempts => {
                VigilError::TooManyAttempts(message)
            }
            _ => VigilError::Internal(message),
        }
    }
}

pub type Result<T, E = VigilError> = std::result::Result<T, E>;
