//! What a domain rule can refuse, in the domain's own words: not found, an
//! invalid value, a conflict with what is stored. No HTTP here; the handlers
//! turn these into answers in one place (`impl From<DomainError> for
//! ApiError` in `crate::error`), so the same rule can run under the admin
//! command line, the API and the console.

use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::order_csv::CsvFileError;

/// A refusal or failure of a domain rule.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Not there, or not visible to the caller: the same answer either way, so existence never leaks.
    #[error("{what_en} not found")]
    NotFound {
        /// What, in Chinese (e.g. "工单 A-1 ").
        what_zh: String,
        /// What, in English.
        what_en: String,
    },
    /// A well-formed value whose content is not acceptable.
    #[error("{code}: {detail}")]
    Invalid {
        /// Stable code.
        code: ErrorCode,
        /// "zh-CN / English" reason.
        detail: String,
    },
    /// The request contradicts what is stored: it exists already, is ambiguous, or is another device's.
    #[error("{code}: {en}")]
    Conflict {
        /// Stable code.
        code: ErrorCode,
        /// Reason in Chinese.
        zh: String,
        /// Reason in English.
        en: String,
    },
    /// An order CSV that cannot be read at all.
    #[error("order CSV: {0:?}")]
    CsvFile(CsvFileError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// Something that should not happen (signing failed); the cause is logged, not shown.
    #[error("{0}")]
    Internal(String),
}

/// Result of a domain rule.
pub type DomainResult<T> = Result<T, DomainError>;

/// The one wording of an invalid value, for the API's answers and an import's row errors alike.
pub fn invalid_message(detail: impl std::fmt::Display) -> String {
    format!("输入无效 / invalid input: {detail}")
}

impl DomainError {
    /// Not found, named in both languages.
    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        DomainError::NotFound { what_zh: what_zh.to_string(), what_en: what_en.to_string() }
    }

    /// An invalid value with its reason.
    pub fn invalid(code: ErrorCode, detail: impl std::fmt::Display) -> Self {
        DomainError::Invalid { code, detail: detail.to_string() }
    }

    /// A conflict with what is stored.
    pub fn conflict(code: ErrorCode, zh: &str, en: &str) -> Self {
        DomainError::Conflict { code, zh: zh.to_string(), en: en.to_string() }
    }

    /// The code an answer carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::NotFound { .. } => ErrorCode::NotFound,
            DomainError::Invalid { code, .. } | DomainError::Conflict { code, .. } => code.clone(),
            DomainError::CsvFile(e) => e.code(),
            DomainError::Db(_) | DomainError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// "zh-CN / English" text for people (internal causes stay in the log).
    pub fn message(&self) -> String {
        match self {
            DomainError::NotFound { what_zh, what_en } => format!("{what_zh}不存在 / {what_en} not found"),
            DomainError::Invalid { detail, .. } => invalid_message(detail),
            DomainError::Conflict { zh, en, .. } => format!("{zh} / {en}"),
            DomainError::CsvFile(e) => {
                let (zh, en) = e.text();
                format!("{zh} / {en}")
            }
            DomainError::Db(_) | DomainError::Internal(_) => "服务器内部错误 / internal server error".to_string(),
        }
    }
}

impl From<siteproof_protocol::Error> for DomainError {
    fn from(e: siteproof_protocol::Error) -> Self {
        use siteproof_protocol::Error as P;
        match e {
            P::InvalidInput { .. } => DomainError::invalid(ErrorCode::InvalidInput, e),
            P::MalformedJson(_) | P::BadFormat { .. } | P::BadSignature | P::Mismatch { .. } => {
                DomainError::invalid(ErrorCode::Integrity, e)
            }
            P::Io { .. } | P::WrongSigningKey { .. } | P::Zip(_) => DomainError::Internal(e.to_string()),
        }
    }
}
