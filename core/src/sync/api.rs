//! The case server's HTTP API as the device sees it: one client, one place
//! that decides which failures are worth retrying.

use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;

use crate::error::{Error, Result};

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

    /// Sends and maps transport failures to a retryable network error.
    pub(crate) fn send(&self, rb: RequestBuilder) -> Result<Response> {
        rb.send().map_err(|e| Error::Network(describe_transport(&e)))
    }
}

fn describe_transport(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Turns a non-success response into the right error: refusals that retrying
/// cannot fix become `Rejected`, the rest `Network`.
pub(crate) fn error_for(resp: Response, what: &str) -> Error {
    let status = resp.status();
    let body = resp.text().unwrap_or_default();
    let msg = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let text = format!("{what}: HTTP {} {msg}", status.as_u16());
    if is_permanent(status) {
        Error::Rejected(text)
    } else {
        Error::Network(text)
    }
}

/// 4xx other than timeouts, conflicts and rate limits will fail the same way again.
pub(crate) fn is_permanent(status: StatusCode) -> bool {
    status.is_client_error()
        && !matches!(status.as_u16(), 408 | 409 | 423 | 425 | 429 | 460)
}

/// Authentication refusals stop the whole sync: the device itself is refused.
pub(crate) fn is_auth(status: StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403)
}
