//! The server's one error type. Every refusal leaves as a JSON body
//! `{"error": "<code>", "message": "<zh-CN> / <English>"}` so a device can
//! branch on the code and a person can read the message in either language.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::order_csv::CsvFileError;

use crate::domain::error::{invalid_message, DomainError};

/// An HTTP refusal or failure with a stable code and a bilingual message.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status to answer with.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// "zh-CN / English" text.
    pub message: String,
    /// Extra headers (e.g. Tus-Version on 412).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// Result alias for handlers and database closures.
pub type ApiResult<T> = Result<T, ApiError>;

/// The JSON body of every error answer; the OpenAPI document names its schema `Error`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Machine-readable code.
    error: ErrorCode,
    /// "zh-CN / English" text.
    message: String,
}

impl ApiError {
    /// Builds an error from a code and the two language versions of the message.
    pub fn new(status: StatusCode, code: ErrorCode, zh: &str, en: &str) -> Self {
        Self { status, code, message: format!("{zh} / {en}"), headers: Vec::new() }
    }

    /// 400 with a code.
    pub fn bad_request(code: ErrorCode, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, zh, en)
    }

    /// 404 that never says whether the thing exists elsewhere (tenancy).
    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        DomainError::not_found(what_zh, what_en).into()
    }

    /// What a path nothing is served at answers (also a page a community switched off).
    pub fn no_such_route() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NoSuchRoute, "没有这个接口", "no such endpoint")
    }

    /// 403 for a role that may not do this.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "无权执行此操作", "your role may not do this")
    }

    /// 401 without a usable credential.
    pub fn unauthorized(code: ErrorCode, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, zh, en)
    }

    /// 422 for well-formed input with invalid content; carries the core's own explanation.
    pub fn invalid(code: ErrorCode, detail: impl std::fmt::Display) -> Self {
        Self { status: StatusCode::UNPROCESSABLE_ENTITY, code, message: invalid_message(detail), headers: Vec::new() }
    }

    /// 500; the cause goes to the log, not to the caller.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "服务器内部错误", "internal server error")
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), v));
        }
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError { status, code, message, headers } = self;
        let body = serde_json::to_vec(&ErrorBody { error: code, message }).unwrap_or_default();
        let mut resp = (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response();
        for (k, v) in headers {
            resp.headers_mut().insert(k, v);
        }
        resp
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DiskFull {
                return ApiError::new(StatusCode::INSUFFICIENT_STORAGE, ErrorCode::DiskFull, "服务器磁盘已满", "server disk is full");
            }
        }
        ApiError::internal(format!("database: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        if e.raw_os_error() == Some(libc::ENOSPC) {
            return ApiError::new(StatusCode::INSUFFICIENT_STORAGE, ErrorCode::DiskFull, "服务器磁盘已满", "server disk is full");
        }
        ApiError::internal(format!("i/o: {e}"))
    }
}

/// The one place a refusal of the rules becomes an HTTP answer.
impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match &e {
            DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
            DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Conflict { .. } => StatusCode::CONFLICT,
            DomainError::CsvFile(CsvFileError::TooManyRows) => StatusCode::PAYLOAD_TOO_LARGE,
            DomainError::CsvFile(_) => StatusCode::BAD_REQUEST,
            DomainError::Db(_) | DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match e {
            DomainError::Db(db) => db.into(),
            DomainError::Internal(cause) => ApiError::internal(cause),
            refusal => Self { status, code: refusal.code(), message: refusal.message(), headers: Vec::new() },
        }
    }
}

impl From<siteproof_protocol::Error> for ApiError {
    fn from(e: siteproof_protocol::Error) -> Self {
        match e {
            // A full disk is the server's state, not a refusal of the rules.
            siteproof_protocol::Error::Io { source, .. } => ApiError::from(source),
            other => DomainError::from(other).into(),
        }
    }
}
