//! Response headers that tell browsers what a response may do. Every
//! response is `nosniff` (an uploaded blob must never be run as a script or
//! page). Console pages get a strict Content-Security-Policy: they are
//! server-rendered with no JavaScript, one stylesheet, and thumbnails and
//! voice notes from the same server, so nothing else is allowed, forms post
//! only back here, and no other site may frame them (clickjacking a coordinator
//! into exporting or editing an order).

use axum::http::{header, HeaderValue};
use axum::response::Response;

/// The console's policy: only what its pages use.
pub const CONSOLE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds `X-Content-Type-Options: nosniff` to any response.
pub async fn nosniff(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

/// Adds the console's policy headers.
pub async fn console(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONSOLE_CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Order numbers are in console URLs; links to map sites must not carry them.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}
