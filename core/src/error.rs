//! The crate-wide error.
//!
//! Messages never contain personal data (names, numbers, addresses, passphrases): they may
//! be logged or shown on a locked screen. Variants are specific enough for the caller to
//! act on them; the FFI layer maps them onto its own flat enum.

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
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub(crate) fn invalid(field: &'static str, reason: &'static str) -> Self {
        Error::InvalidInput { field, reason }
    }
}
