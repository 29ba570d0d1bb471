//! How the console refuses: the API's error (code and bilingual message)
//! shown as an HTML page, except that a missing or expired session sends the
//! browser to the login form instead of showing a dead end.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::error::ApiError;

/// A console refusal; wraps the API error so domain code is shared unchanged.
#[derive(Debug)]
pub struct ConsoleError(pub ApiError);

/// Result alias for console handlers.
pub type ConsoleResult<T> = Result<T, ConsoleError>;

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        ConsoleError(e)
    }
}

impl From<rusqlite::Error> for ConsoleError {
    fn from(e: rusqlite::Error) -> Self {
        ConsoleError(e.into())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.status == StatusCode::UNAUTHORIZED {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/console/login"), (header::CACHE_CONTROL, "no-store")]).into_response();
        }
        let page = html! {
            (maud::DOCTYPE)
            html lang="zh-CN" {
                (super::layout::head("出错了 / Error"))
                body { main.narrow {
                    h1 { (e.status.as_u16()) " " (e.status.canonical_reason().unwrap_or("")) }
                    p.error data-code=(e.code) { (e.message) }
                    p { a href="/console/orders" { "返回工单列表 / back to the order list" } }
                } }
            }
        };
        (e.status, [(header::CACHE_CONTROL, "no-store")], page).into_response()
    }
}
