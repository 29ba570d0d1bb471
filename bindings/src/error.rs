//! The one error type the apps see, and the one place core errors become it.
//! Variants are few and say what the app should do; each carries the core's
//! message, which is already bilingual where a worker reads it.

use siteproof_core::Error as CoreError;

/// Why a Siteproof call failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
// Flat: each variant crosses as its message, so Kotlin's `e.message` and Swift's
// description are the bilingual text itself, ready for a dialog.
#[uniffi(flat_error)]
pub enum SiteproofError {
    /// The input cannot be valid (bad order number, empty note, unknown tag): fix it and try again.
    #[error("{message}")]
    InvalidInput { message: String },
    /// The file is not usable evidence (unsupported, truncated, hostile or too large).
    #[error("{message}")]
    BadMedia { message: String },
    /// A named order, visit, item or file does not exist.
    #[error("{message}")]
    NotFound { message: String },
    /// The phone is out of storage; nothing was written.
    #[error("{message}")]
    DiskFull { message: String },
    /// Local storage or key failure (damaged store, wrong sealing secret, store in use).
    #[error("{message}")]
    Storage { message: String },
    /// Evidence or a server answer failed an integrity check.
    #[error("{message}")]
    Integrity { message: String },
    /// The server could not be reached; the queue will retry by itself.
    #[error("{message}")]
    Network { message: String },
    /// The server refused this device or request; retrying will not help, ask a coordinator.
    #[error("{message}")]
    Rejected { message: String },
    /// The caller cancelled the operation.
    #[error("已取消 / cancelled")]
    Cancelled,
}

impl From<CoreError> for SiteproofError {
    fn from(e: CoreError) -> Self {
        // The core's Display prefixes a category ("invalid input: ..."); the variant already
        // carries it, so the app shows the core's own message.
        let message = match &e {
            CoreError::InvalidInput(m)
            | CoreError::UnsupportedFormat(m)
            | CoreError::CorruptMedia(m)
            | CoreError::TooLarge(m)
            | CoreError::NotFound(m)
            | CoreError::DiskFull(m)
            | CoreError::Io(m)
            | CoreError::Store(m)
            | CoreError::Key(m)
            | CoreError::Integrity(m)
            | CoreError::Network(m)
            | CoreError::Rejected(m) => m.clone(),
            CoreError::Cancelled => String::new(),
        };
        match e {
            CoreError::InvalidInput(_) => SiteproofError::InvalidInput { message },
            CoreError::UnsupportedFormat(_) | CoreError::CorruptMedia(_) | CoreError::TooLarge(_) => SiteproofError::BadMedia { message },
            CoreError::NotFound(_) => SiteproofError::NotFound { message },
            CoreError::DiskFull(_) => SiteproofError::DiskFull { message },
            CoreError::Io(_) | CoreError::Store(_) | CoreError::Key(_) => SiteproofError::Storage { message },
            CoreError::Integrity(_) => SiteproofError::Integrity { message },
            CoreError::Network(_) => SiteproofError::Network { message },
            CoreError::Rejected(_) => SiteproofError::Rejected { message },
            CoreError::Cancelled => SiteproofError::Cancelled,
        }
    }
}

/// Result of an exported call.
pub(crate) type Result<T> = std::result::Result<T, SiteproofError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_keeps_its_message_and_lands_in_the_right_variant() {
        let cases = [
            (CoreError::InvalidInput("a".into()), "InvalidInput"),
            (CoreError::UnsupportedFormat("b".into()), "BadMedia"),
            (CoreError::CorruptMedia("c".into()), "BadMedia"),
            (CoreError::TooLarge("d".into()), "BadMedia"),
            (CoreError::NotFound("e".into()), "NotFound"),
            (CoreError::DiskFull("f".into()), "DiskFull"),
            (CoreError::Io("g".into()), "Storage"),
            (CoreError::Store("h".into()), "Storage"),
            (CoreError::Key("i".into()), "Storage"),
            (CoreError::Integrity("j".into()), "Integrity"),
            (CoreError::Network("k".into()), "Network"),
            (CoreError::Rejected("l".into()), "Rejected"),
        ];
        for (core, variant) in cases {
            let text = match &core {
                CoreError::Cancelled => unreachable!(),
                other => other.to_string().split_once(": ").unwrap().1.to_string(),
            };
            let e = SiteproofError::from(core);
            assert!(format!("{e:?}").starts_with(variant), "{e:?} should be {variant}");
            assert_eq!(e.to_string(), text);
        }
        assert!(matches!(SiteproofError::from(CoreError::Cancelled), SiteproofError::Cancelled));
    }
}
