//! Errors of the core, in two layers.
//!
//! Inside the core a failure keeps its typed cause ([`Failure`]): the SQLite
//! error, the `io::Error` with what we were doing, the serde error with what
//! we were reading, the server's refusal with its HTTP status, wire error code
//! and what the run should do about it. Decisions (retry, stop, free disk) are
//! made on those types, never on message text.
//!
//! At the boundary, `From<Failure> for Error` is the one mapping to the small
//! public [`Error`] the apps (through `bindings/`) and the CLI see: every
//! variant carries a message a worker or coordinator can read, and the variant
//! itself tells the caller what to do (fix the input, free disk, retry later,
//! stop and ask a coordinator).

use std::io;

/// The public error of `siteproof-core`.
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

/// A failure inside the core, with its typed cause.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// A condition the core already states in public terms (bad input, not found, cancelled, ...).
    #[error(transparent)]
    Core(#[from] Error),
    /// The SQLite store failed.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file operation failed; `context` says which.
    #[error("{context}: {source}")]
    Io {
        /// What we were doing, for people.
        context: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// JSON that could not be read or written; `reading` names it.
    #[error("{reading}: {source}")]
    Json {
        /// What the JSON was, for people.
        reading: &'static str,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A rule of the evidence or packet format refused (bad input, a bad signature,
    /// a mismatch, a key that is not the device's). Its file errors become [`Failure::Io`].
    #[error(transparent)]
    Protocol(siteproof_protocol::Error),
    /// A media file was refused (format, damage, size). Its file errors become [`Failure::Io`].
    #[error(transparent)]
    Media(siteproof_media::Error),
    /// The case server refused, or could not be reached; the refusal says what the run does about it.
    #[cfg(feature = "sync")]
    #[error("{}", .0.message)]
    Refused(crate::sync::api::Refusal),
}

impl Failure {
    /// An I/O failure while doing `context`.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Failure {
        Failure::Io { context: context.into(), source }
    }
}

/// The one mapping from a typed failure to the public error.
impl From<Failure> for Error {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Core(e) => e,
            Failure::Sqlite(e) => match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull) => Error::DiskFull(format!("设备存储已满 / the device storage is full: {e}")),
                _ => Error::Store(format!("本机数据库出错 / the device database failed: {e}")),
            },
            Failure::Io { context, source } => {
                let message = format!("{context}: {source}");
                if source.raw_os_error() == Some(libc::ENOSPC) || source.kind() == io::ErrorKind::StorageFull {
                    Error::DiskFull(message)
                } else if source.kind() == io::ErrorKind::NotFound {
                    Error::NotFound(message)
                } else {
                    Error::Io(message)
                }
            }
            Failure::Json { reading, source } if source.is_io() => Error::Io(format!("{reading}: {source}")),
            Failure::Json { reading, source } => Error::Integrity(format!("{reading}: JSON 格式错误 / malformed JSON: {source}")),
            Failure::Protocol(e) => {
                use siteproof_protocol::Error as P;
                match e {
                    P::InvalidInput { .. } => Error::InvalidInput(e.to_string()),
                    P::MalformedJson(_) | P::BadFormat { .. } | P::BadSignature | P::Mismatch { .. } => Error::Integrity(e.to_string()),
                    P::WrongSigningKey { .. } => Error::Key(e.to_string()),
                    P::Io { context, source } => Failure::Io { context, source }.into(),
                    P::Zip(_) => Error::Io(e.to_string()),
                }
            }
            Failure::Media(e) => {
                use siteproof_media::Error as M;
                let message = e.to_string();
                match e {
                    M::UnsupportedFormat(_) => Error::UnsupportedFormat(message),
                    M::CorruptMedia(_) | M::Truncated(_) => Error::CorruptMedia(message),
                    M::TooLarge(_) => Error::TooLarge(message),
                    M::EmptyFile | M::NotAFile(_) => Error::InvalidInput(message),
                    M::Io { context, source } => Failure::Io { context, source }.into(),
                }
            }
            #[cfg(feature = "sync")]
            Failure::Refused(r) => r.into_error(),
        }
    }
}

impl Error {
    /// Maps an I/O error, telling a full disk apart from other failures.
    pub fn from_io(context: &str, e: io::Error) -> Self {
        Failure::io(context, e).into()
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Failure::io("i/o", e).into()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sqlite(e).into()
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Failure::Json { reading: "JSON", source: e }.into()
    }
}

impl From<siteproof_protocol::Error> for Failure {
    fn from(e: siteproof_protocol::Error) -> Self {
        match e {
            siteproof_protocol::Error::Io { context, source } => Failure::Io { context, source },
            e => Failure::Protocol(e),
        }
    }
}

impl From<siteproof_protocol::Error> for Error {
    fn from(e: siteproof_protocol::Error) -> Self {
        Failure::from(e).into()
    }
}

impl From<siteproof_media::Error> for Failure {
    fn from(e: siteproof_media::Error) -> Self {
        match e {
            siteproof_media::Error::Io { context, source } => Failure::Io { context, source },
            e => Failure::Media(e),
        }
    }
}

impl From<siteproof_media::Error> for Error {
    fn from(e: siteproof_media::Error) -> Self {
        Failure::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_type_not_its_text_decides_the_public_error() {
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(matches!(Error::from(Failure::io("write blob", full)), Error::DiskFull(m) if m.starts_with("write blob: ")));
        let gone = io::Error::new(io::ErrorKind::NotFound, "disk full");
        assert!(matches!(Error::from(Failure::io("open", gone)), Error::NotFound(_)), "the text says disk full; the kind decides");
        let sqlite_full = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None);
        assert!(matches!(Error::from(sqlite_full), Error::DiskFull(_)));
        let busy =
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), Some("database or disk is full".into()));
        assert!(matches!(Error::from(busy), Error::Store(_)));
    }

    #[test]
    fn protocol_errors_keep_their_cause_and_take_the_one_mapping() {
        use siteproof_protocol::Error as P;
        let full = P::Io { context: "write packet".into(), source: io::Error::from_raw_os_error(libc::ENOSPC) };
        let failure = Failure::from(full);
        assert!(matches!(&failure, Failure::Io { context, .. } if context == "write packet"), "{failure:?}");
        assert!(matches!(Error::from(failure), Error::DiskFull(m) if m.starts_with("write packet: ")));
        let gone = P::Io { context: "open packet".into(), source: io::Error::from(io::ErrorKind::NotFound) };
        assert!(matches!(Error::from(gone), Error::NotFound(_)));
        assert!(matches!(Failure::from(P::BadSignature), Failure::Protocol(P::BadSignature)));
        assert!(matches!(Error::from(P::BadSignature), Error::Integrity(m) if m == P::BadSignature.to_string()));
        let key = P::WrongSigningKey { zh: "密钥不符".into(), en: "wrong key".into() };
        assert!(matches!(Error::from(key), Error::Key(m) if m == "密钥不符 / wrong key"));
        let bad = P::InvalidInput { zh: "坐标无效".into(), en: "bad coordinates".into() };
        assert!(matches!(Error::from(bad), Error::InvalidInput(m) if m == "坐标无效 / bad coordinates"));
    }

    #[test]
    fn unreadable_json_is_an_io_failure_and_malformed_json_an_integrity_one() {
        struct Broken;
        impl io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("cable pulled"))
            }
        }
        let io_err = serde_json::from_reader::<_, serde_json::Value>(Broken).unwrap_err();
        assert!(matches!(Error::from(io_err), Error::Io(_)));
        let syntax = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert!(matches!(Error::from(syntax), Error::Integrity(m) if m.contains(" / ")));
    }
}
