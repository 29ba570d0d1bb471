//! Errors of the core. One public enum that crosses the FFI boundary as-is:
//! every variant carries an owned message a worker or coordinator can read,
//! and the variant itself tells the caller what to do (fix the input, free
//! disk, retry later, stop and ask a coordinator).

use std::io;

/// The one error type of `siteproof-core`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The caller passed something that cannot be valid (bad id, bad coordinates, empty name).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The file is not a format Siteproof accepts.
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// The file claims a supported format but its content is broken or hostile.
    #[error("corrupt media: {0}")]
    CorruptMedia(String),
    /// The input is over a safety limit (decoded pixels, file size).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The device has no space left; nothing was written.
    #[error("disk full: {0}")]
    DiskFull(String),
    /// A file or directory could not be read or written.
    #[error("i/o error: {0}")]
    Io(String),
    /// The SQLite store failed or is damaged.
    #[error("store error: {0}")]
    Store(String),
    /// Key material could not be created, unsealed or used (wrong secret, damaged key file).
    #[error("key error: {0}")]
    Key(String),
    /// Evidence failed an integrity check.
    #[error("integrity failure: {0}")]
    Integrity(String),
    /// A thing named by the caller does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The network or server could not be reached; retrying later may help.
    #[error("network error: {0}")]
    Network(String),
    /// The server refused for a reason retrying will not fix (revoked device, bad signature).
    #[error("rejected by server: {0}")]
    Rejected(String),
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
}

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Maps an I/O error, telling a full disk apart from other failures.
    pub fn from_io(context: &str, e: io::Error) -> Self {
        if e.raw_os_error() == Some(libc::ENOSPC) || e.kind() == io::ErrorKind::StorageFull {
            Error::DiskFull(format!("{context}: {e}"))
        } else if e.kind() == io::ErrorKind::NotFound {
            Error::NotFound(format!("{context}: {e}"))
        } else {
            Error::Io(format!("{context}: {e}"))
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::from_io("i/o", e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DiskFull {
                return Error::DiskFull(e.to_string());
            }
        }
        Error::Store(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Integrity(format!("malformed JSON: {e}"))
    }
}

impl From<siteproof_protocol::Error> for Error {
    fn from(e: siteproof_protocol::Error) -> Self {
        use siteproof_protocol::Error as P;
        match e {
            P::InvalidInput { .. } => Error::InvalidInput(e.to_string()),
            P::MalformedJson(_) | P::BadFormat { .. } | P::BadSignature | P::Mismatch { .. } => Error::Integrity(e.to_string()),
            P::WrongSigningKey { .. } => Error::Key(e.to_string()),
            P::Io { context, source } => Error::from_io(&context, source),
            P::Zip(_) => Error::Io(e.to_string()),
        }
    }
}

impl From<siteproof_media::Error> for Error {
    fn from(e: siteproof_media::Error) -> Self {
        use siteproof_media::Error as Media;
        let message = e.to_string();
        match e {
            Media::UnsupportedFormat(_) => Error::UnsupportedFormat(message),
            Media::CorruptMedia(_) => Error::CorruptMedia(message),
            Media::TooLarge(_) => Error::TooLarge(message),
            Media::EmptyFile | Media::NotAFile(_) => Error::InvalidInput(message),
            // Through from_io, so a full disk or a missing file keeps its own kind.
            Media::Io { context, source } => Error::from_io(&context, source),
        }
    }
}
