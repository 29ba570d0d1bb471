//! The case server's HTTP API as the device sees it: one client, and the one
//! place that decides what a failed exchange means: try again later, give up
//! on this request, or stop because this device itself is refused. The
//! decision reads the HTTP status, the server's JSON error code
//! (`{"error": "<code>", "message": "..."}`, see server/src/error.rs) and its
//! `Retry-After` header, never the text of a message.

use std::io::ErrorKind;
use std::time::{Duration, SystemTime};

use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::Deserialize;

use crate::error::{Error, Result};
use siteproof_protocol::wire::error_code::ErrorCode;

/// What a failed exchange with the server means for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryKind {
    /// This request may succeed later (a conflict of the moment, a server
    /// fault); other requests are unaffected. `retry_after` is the server's hint.
    Transient { retry_after: Option<Duration> },
    /// The server, or the link to it, is down or overloaded: every request
    /// would fail now, so the run waits rather than trying the rest of the queue.
    Unavailable { retry_after: Option<Duration> },
    /// This request will fail the same way again: stop it, keep its data, say why.
    Permanent,
    /// The device itself is refused (revoked, unknown, expired token): stop the whole run.
    StopDevice,
}

impl RetryKind {
    /// For the kinds worth trying again: how long the server asked us to wait, if it did.
    pub(crate) fn retry_later(self) -> Option<Option<Duration>> {
        match self {
            RetryKind::Transient { retry_after } | RetryKind::Unavailable { retry_after } => Some(retry_after),
            RetryKind::Permanent | RetryKind::StopDevice => None,
        }
    }
}

/// Server error codes of a 409 that retrying cannot resolve: the thing already exists.
const CONFLICTS_FOR_GOOD: &[ErrorCode] = &[ErrorCode::AlreadyExists, ErrorCode::DeviceExists, ErrorCode::OrderExists];

/// The one classification of a server refusal, from its status and error code
/// (read into the shared [`ErrorCode`]; a code this build does not know is judged by its status).
pub(crate) fn classify(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> RetryKind {
    let code = code.map(ErrorCode::parse);
    match (status, code) {
        (401 | 403, _) => RetryKind::StopDevice,
        // Rate limited, gateway down, server overloaded or out of disk: nothing gets through now.
        (429 | 502 | 503 | 504 | 507, _) => RetryKind::Unavailable { retry_after },
        (409, Some(c)) if CONFLICTS_FOR_GOOD.contains(&c) => RetryKind::Permanent,
        // Conflicts of the moment: media not uploaded yet, an upload offset that moved,
        // a chunk another request is writing, a damaged chunk (tus 460).
        (409, Some(ErrorCode::MediaMissing | ErrorCode::OffsetMismatch))
        | (423, Some(ErrorCode::UploadLocked))
        | (460, Some(ErrorCode::ChecksumMismatch)) => RetryKind::Transient { retry_after },
        // Timeout, any other conflict, locked, too early, damaged chunk: the same request can succeed later.
        (408 | 409 | 423 | 425 | 460, _) => RetryKind::Transient { retry_after },
        (400..=499, _) => RetryKind::Permanent,
        _ => RetryKind::Transient { retry_after },
    }
}

/// A failed exchange with the server, with what to do about it already decided.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    /// What the run should do.
    pub retry: RetryKind,
    /// HTTP status; None when no usable answer came (refused, cut, timed out, unreadable).
    pub status: Option<u16>,
    /// The server's error code, when it sent one.
    pub code: Option<String>,
    /// For people: what failed and why.
    pub message: String,
}

impl Refusal {
    /// The public error for this refusal: `Rejected` when retrying cannot help, else `Network`.
    pub(crate) fn into_error(self) -> Error {
        match self.retry {
            RetryKind::Permanent | RetryKind::StopDevice => Error::Rejected(self.message),
            RetryKind::Transient { .. } | RetryKind::Unavailable { .. } => Error::Network(self.message),
        }
    }
}

/// Why a call to the server failed: a refusal the run handles by its kind, or a failure of
/// the device itself that stops the run.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The server refused or could not be reached (or the device knows the job cannot be
    /// sent as it is); `Refusal::retry` says what the run does about it.
    Refused(Refusal),
    /// The device failed (store, disk, a check of our own) or the caller cancelled.
    Local(Error),
}

/// Result of a call that talks to the server.
pub(crate) type CallResult<T> = std::result::Result<T, CallError>;

impl CallError {
    /// A success answer whose body could not be used (unreadable JSON, a missing header).
    pub(crate) fn unusable_answer(what: &str, detail: impl std::fmt::Display) -> CallError {
        CallError::Refused(Refusal {
            retry: RetryKind::Transient { retry_after: None },
            status: None,
            code: None,
            message: format!("{what}: 服务器的回答无法使用 / unusable answer from the server: {detail}"),
        })
    }

    /// A job the device itself knows can never be sent (its blob is gone): it stops
    /// like a permanent refusal, keeping its row and the reason, and blocks nothing.
    pub(crate) fn job_cannot_be_sent(message: String) -> CallError {
        CallError::Refused(Refusal { retry: RetryKind::Permanent, status: None, code: None, message })
    }

    /// A server answer that failed one of our checks (a receipt for another entry): the
    /// server may answer right next time, so it is retried; any other error is the device's own.
    pub(crate) fn from_answer_check(e: Error) -> CallError {
        match e {
            Error::Integrity(m) => CallError::Refused(Refusal {
                retry: RetryKind::Transient { retry_after: None },
                status: None,
                code: None,
                message: format!("服务器的回答未通过校验 / the server's answer failed a check: {m}"),
            }),
            other => CallError::Local(other),
        }
    }
}

impl From<Refusal> for CallError {
    fn from(r: Refusal) -> Self {
        CallError::Refused(r)
    }
}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        CallError::Local(e)
    }
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Refused(r) => r.into_error(),
            CallError::Local(e) => e,
        }
    }
}

/// A client bound to one server and (after enrollment) one device token.
pub(crate) struct Api {
    base: String,
    token: Option<String>,
    pub(crate) http: Client,
}

impl Api {
    pub(crate) fn new(base: &str, token: Option<String>) -> Result<Api> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::InvalidInput(format!("server URL {base:?} must start with http:// or https://")));
        }
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(15))
            // Generous, because a 256 KiB chunk on an edge link takes a minute or two;
            // keepalive notices a dead link well before that.
            .timeout(Duration::from_secs(300))
            .tcp_keepalive(Duration::from_secs(15))
            .user_agent(concat!("siteproof-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Network(format!("cannot build HTTP client: {e}")))?;
        Ok(Api { base, token, http })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        rb
    }

    /// Sends; a request that got no answer is a refusal: the server is unavailable for now.
    pub(crate) fn send(&self, rb: RequestBuilder) -> CallResult<Response> {
        rb.send().map_err(|e| {
            let retry = if e.is_builder() { RetryKind::Permanent } else { RetryKind::Unavailable { retry_after: None } };
            CallError::Refused(Refusal { retry, status: None, code: None, message: self.describe_transport(&e) })
        })
    }

    /// A bilingual account of a request that got no answer, naming the server
    /// and the cause (from the typed I/O error), not the HTTP client's own chain.
    fn describe_transport(&self, e: &reqwest::Error) -> String {
        let base = &self.base;
        if e.is_connect() {
            let (zh, en) = match io_cause(e).map(std::io::Error::kind) {
                Some(ErrorKind::ConnectionRefused) => ("连接被拒绝".to_string(), "connection refused".to_string()),
                Some(ErrorKind::TimedOut) => ("连接超时".to_string(), "connection timed out".to_string()),
                Some(ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable) => {
                    ("网络不可达".to_string(), "network unreachable".to_string())
                }
                _ => ("无法建立连接".to_string(), innermost_cause(e)),
            };
            return format!("无法连接服务器 {base}（{zh}）/ cannot reach the server at {base}: {en}");
        }
        if e.is_timeout() {
            return format!("服务器 {base} 未及时响应 / the server at {base} did not answer in time");
        }
        format!("与服务器 {base} 的连接中断 / the connection to the server at {base} broke: {}", innermost_cause(e))
    }
}

fn io_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

fn innermost_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(inner) = cur.source() {
        cur = inner;
    }
    cur.to_string()
}

/// The body of a server refusal.
#[derive(Deserialize)]
struct ServerError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: String,
}

/// Reads a non-success response into a classified refusal; `what` names the step for people.
pub(crate) fn refused(resp: Response, what: &str) -> Refusal {
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let body = resp.text().unwrap_or_default();
    let (code, msg) = match serde_json::from_str::<ServerError>(&body) {
        Ok(e) => (e.error, e.message),
        Err(_) => (None, body.chars().take(200).collect()),
    };
    let retry = classify(status, code.as_deref(), retry_after);
    Refusal { retry, status: Some(status), code, message: format!("{what}: HTTP {status} {msg}") }
}

/// `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past means now.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_code_decide_the_retry_kind() {
        let hint = Some(Duration::from_secs(7));
        let cases: &[(u16, Option<&str>, RetryKind)] = &[
            (401, Some("token_revoked"), RetryKind::StopDevice),
            (401, Some("unknown_device"), RetryKind::StopDevice),
            (403, Some("forbidden"), RetryKind::StopDevice),
            (429, None, RetryKind::Unavailable { retry_after: hint }),
            (503, None, RetryKind::Unavailable { retry_after: hint }),
            (502, None, RetryKind::Unavailable { retry_after: hint }),
            (507, Some("disk_full"), RetryKind::Unavailable { retry_after: hint }),
            (409, Some("media_missing"), RetryKind::Transient { retry_after: hint }),
            (409, Some("offset_mismatch"), RetryKind::Transient { retry_after: hint }),
            (409, None, RetryKind::Transient { retry_after: hint }),
            (409, Some("device_exists"), RetryKind::Permanent),
            (409, Some("order_exists"), RetryKind::Permanent),
            (423, Some("upload_locked"), RetryKind::Transient { retry_after: hint }),
            (460, Some("checksum_mismatch"), RetryKind::Transient { retry_after: hint }),
            (413, Some("body_too_large"), RetryKind::Permanent),
            (422, Some("bad_manifest"), RetryKind::Permanent),
            (404, Some("not_found"), RetryKind::Permanent),
            (500, Some("internal"), RetryKind::Transient { retry_after: hint }),
            // A code from a newer server is judged by its status alone.
            (409, Some("a_code_from_a_newer_server"), RetryKind::Transient { retry_after: hint }),
            (422, Some("a_code_from_a_newer_server"), RetryKind::Permanent),
        ];
        for (status, code, want) in cases {
            assert_eq!(classify(*status, *code, hint), *want, "HTTP {status} {code:?}");
        }
        assert_eq!(RetryKind::Permanent.retry_later(), None);
        assert_eq!(RetryKind::StopDevice.retry_later(), None);
        assert_eq!(RetryKind::Unavailable { retry_after: hint }.retry_later(), Some(hint));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(90)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn a_refusal_becomes_the_public_error_its_kind_implies() {
        let r = |retry| Refusal { retry, status: Some(503), code: None, message: "m".into() };
        assert_eq!(r(RetryKind::Unavailable { retry_after: None }).into_error(), Error::Network("m".into()));
        assert_eq!(r(RetryKind::Transient { retry_after: None }).into_error(), Error::Network("m".into()));
        assert_eq!(r(RetryKind::Permanent).into_error(), Error::Rejected("m".into()));
        assert_eq!(r(RetryKind::StopDevice).into_error(), Error::Rejected("m".into()));
    }
}
