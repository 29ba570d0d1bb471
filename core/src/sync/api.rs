//! The case server's HTTP API as the device sees it: one client, and the one
//! place that decides what a failed exchange means: try again later, give up
//! on this request, or stop because this device itself is refused. The
//! decision reads the HTTP status, the server's JSON error code
//! (`{"error": "<code>", "message": "..."}`, see server/src/error.rs) and its
//! `Retry-After` header, or the type of a transport failure, never the text
//! of a message.
//!
//! The client is `ureq`: truly blocking (no async runtime inside the phone
//! library), rustls for TLS, and it returns 4xx/5xx answers as answers, so the
//! JSON error body and `Retry-After` are read here.

use std::io::ErrorKind;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use ureq::http::Response;
use ureq::typestate::{WithBody, WithoutBody};
use ureq::{Agent, Body, RequestBuilder};

use crate::error::{Error, Failure, Result};
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
pub(crate) fn classify(status: u16, code: Option<&ErrorCode>, retry_after: Option<Duration>) -> RetryKind {
    match (status, code) {
        (401 | 403, _) => RetryKind::StopDevice,
        // Rate limited, gateway down, server overloaded or out of disk: nothing gets through now.
        (429 | 502 | 503 | 504 | 507, _) => RetryKind::Unavailable { retry_after },
        (409, Some(c)) if CONFLICTS_FOR_GOOD.contains(c) => RetryKind::Permanent,
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
    pub code: Option<ErrorCode>,
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

    /// A success answer whose body could not be used (unreadable JSON, a missing header).
    pub(crate) fn unusable_answer(what: &str, detail: impl std::fmt::Display) -> Failure {
        Failure::Refused(Refusal {
            retry: RetryKind::Transient { retry_after: None },
            status: None,
            code: None,
            message: format!("{what}: 服务器的回答无法使用 / unusable answer from the server: {detail}"),
        })
    }

    /// A job the device itself knows can never be sent (its blob is gone): it stops
    /// like a permanent refusal, keeping its row and the reason, and blocks nothing.
    pub(crate) fn job_cannot_be_sent(message: String) -> Failure {
        Failure::Refused(Refusal { retry: RetryKind::Permanent, status: None, code: None, message })
    }
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Self {
        Failure::Refused(r)
    }
}

impl Failure {
    /// A server answer that failed one of our checks (a receipt for another entry): the
    /// server may answer right next time, so it is retried; any other error is the device's own.
    pub(crate) fn from_answer_check(e: Error) -> Failure {
        match e {
            Error::Integrity(m) => Failure::Refused(Refusal {
                retry: RetryKind::Transient { retry_after: None },
                status: None,
                code: None,
                message: format!("服务器的回答未通过校验 / the server's answer failed a check: {m}"),
            }),
            other => Failure::Core(other),
        }
    }

    /// The caller cancelled (a run stops at once, nothing is lost).
    pub(crate) fn is_cancel(&self) -> bool {
        matches!(self, Failure::Core(Error::Cancelled))
    }
}

/// Result of a call that talks to the server: a refusal the run handles by its
/// `RetryKind`, or a failure of the device itself (store, disk, a check of
/// our own, a cancel) that stops the run.
pub(crate) type CallResult<T> = std::result::Result<T, Failure>;

/// An answer from the server (any status).
pub(crate) type Answer = Response<Body>;

/// A client bound to one server and (after enrollment) one device token.
pub(crate) struct Api {
    base: String,
    token: Option<String>,
    agent: Agent,
}

impl Api {
    pub(crate) fn new(base: &str, token: Option<String>) -> Result<Api> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::InvalidInput(format!(
                "服务器地址 {base:?} 必须以 http:// 或 https:// 开头 / server URL {base:?} must start with http:// or https://"
            )));
        }
        let agent = Agent::config_builder()
            // A 4xx/5xx is an answer to classify (JSON error code, Retry-After), not a transport error.
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(15)))
            // Generous, because a 256 KiB chunk on an edge link takes a minute or two.
            .timeout_global(Some(Duration::from_secs(300)))
            // Once the request is sent, a live server answers quickly: a link that died
            // mid-exchange is noticed here well before the global timeout.
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .user_agent(concat!("siteproof-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Api { base, token, agent })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    fn authorized<B>(&self, rb: RequestBuilder<B>) -> RequestBuilder<B> {
        match &self.token {
            Some(t) => rb.header("Authorization", format!("Bearer {t}")),
            None => rb,
        }
    }

    /// A GET request, authorized.
    pub(crate) fn get(&self, path: &str) -> RequestBuilder<WithoutBody> {
        self.authorized(self.agent.get(self.url(path)))
    }

    /// A HEAD request, authorized.
    pub(crate) fn head(&self, path: &str) -> RequestBuilder<WithoutBody> {
        self.authorized(self.agent.head(self.url(path)))
    }

    /// A POST request, authorized.
    pub(crate) fn post(&self, path: &str) -> RequestBuilder<WithBody> {
        self.authorized(self.agent.post(self.url(path)))
    }

    /// A PATCH request, authorized.
    pub(crate) fn patch(&self, path: &str) -> RequestBuilder<WithBody> {
        self.authorized(self.agent.patch(self.url(path)))
    }

    /// The outcome of sending a request: an answer (whatever its status), or a refusal
    /// when no answer came (the server is unavailable for now) or the request could
    /// never be sent (a bad URL: permanent).
    pub(crate) fn answer(&self, sent: std::result::Result<Answer, ureq::Error>) -> CallResult<Answer> {
        sent.map_err(|e| {
            let retry = match e {
                ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::RequireHttpsOnly(_) | ureq::Error::InvalidProxyUrl => {
                    RetryKind::Permanent
                }
                _ => RetryKind::Unavailable { retry_after: None },
            };
            Failure::Refused(Refusal { retry, status: None, code: None, message: self.describe_transport(&e) })
        })
    }

    /// A bilingual account of a request that got no answer, naming the server
    /// and the cause (from the error's type and I/O kind).
    fn describe_transport(&self, e: &ureq::Error) -> String {
        let base = &self.base;
        let cannot_reach = |zh: &str, en: &str| format!("无法连接服务器 {base}（{zh}）/ cannot reach the server at {base}: {en}");
        match e {
            ureq::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused => cannot_reach("连接被拒绝", "connection refused"),
                ErrorKind::TimedOut => cannot_reach("连接超时", "connection timed out"),
                ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => cannot_reach("网络不可达", "network unreachable"),
                _ => format!("与服务器 {base} 的连接中断 / the connection to the server at {base} broke: {io}"),
            },
            ureq::Error::HostNotFound => cannot_reach("找不到服务器地址", "host not found"),
            ureq::Error::ConnectionFailed => cannot_reach("无法建立连接", "connection failed"),
            ureq::Error::Timeout(_) => format!("服务器 {base} 未及时响应 / the server at {base} did not answer in time"),
            other => format!("与服务器 {base} 的连接中断 / the connection to the server at {base} broke: {other}"),
        }
    }
}

/// Reads a success answer's JSON body; an unreadable one is an unusable answer (`what` names the step).
pub(crate) fn read_json<T: DeserializeOwned>(mut resp: Answer, what: &str) -> CallResult<T> {
    let body = resp.body_mut().read_to_string().map_err(|e| Refusal::unusable_answer(what, e))?;
    serde_json::from_str(&body).map_err(|e| Refusal::unusable_answer(what, e))
}

/// A header of an answer as a number.
pub(crate) fn header_u64(resp: &Answer, name: &str) -> Option<u64> {
    resp.headers().get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The body of a server refusal.
#[derive(Deserialize)]
struct ServerError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: String,
}

/// Longest refusal body read: the server's JSON error is small; anything else is cut for the message.
const REFUSAL_BODY_LIMIT: u64 = 64 * 1024;

/// Reads a non-success response into a classified refusal; `what` names the step for people.
pub(crate) fn refused(mut resp: Answer, what: &str) -> Refusal {
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(ureq::http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let body = resp.body_mut().with_config().limit(REFUSAL_BODY_LIMIT).read_to_string().unwrap_or_default();
    let (code, msg) = match serde_json::from_str::<ServerError>(&body) {
        Ok(e) => (e.error.as_deref().map(ErrorCode::parse), e.message),
        Err(_) => (None, body.chars().take(200).collect()),
    };
    let retry = classify(status, code.as_ref(), retry_after);
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
            assert_eq!(classify(*status, code.map(ErrorCode::parse).as_ref(), hint), *want, "HTTP {status} {code:?}");
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

    /// Serves one canned HTTP answer on a local port and returns the base URL.
    fn one_answer(raw: &'static str) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            conn.write_all(raw.as_bytes()).unwrap();
        });
        base
    }

    #[test]
    fn an_error_status_is_an_answer_whose_json_code_and_retry_after_decide() {
        let body = r#"{"error":"rate_limited","message":"slow down"}"#;
        let raw = Box::leak(
            format!(
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_boxed_str(),
        );
        let api = Api::new(&one_answer(raw), Some("tok".into())).unwrap();
        let resp = api.answer(api.get("/v1/time").call()).expect("a 429 is an answer, not a transport error");
        let r = refused(resp, "step");
        assert_eq!(r.status, Some(429));
        assert_eq!(r.code.as_ref().map(ErrorCode::as_str), Some("rate_limited"));
        assert_eq!(r.retry, RetryKind::Unavailable { retry_after: Some(Duration::from_secs(7)) });
        assert_eq!(r.message, "step: HTTP 429 slow down");
    }

    #[test]
    fn no_answer_is_classified_from_the_error_type() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let api = Api::new(&base, None).unwrap();
        match api.answer(api.get("/v1/time").call()) {
            Err(Failure::Refused(r)) => {
                assert_eq!((r.retry, r.status), (RetryKind::Unavailable { retry_after: None }, None));
                assert!(r.message.starts_with(&format!("无法连接服务器 {base}（连接被拒绝）/ cannot reach")), "{}", r.message);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
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
