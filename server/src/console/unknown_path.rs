//! What a browser gets for a console address no route serves: the API's JSON
//! `no_such_route` is a dead end for a person, so a path with a trailing
//! slash goes to the same page without it, and any other unknown console
//! path gets the console's own error page (找不到 / Not found). Likewise a
//! form's address typed or reloaded in the address bar (a GET where only POST
//! is served) gets a page saying to use the page's button.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::ConsoleError;
use crate::error::ApiError;
use siteproof_protocol::wire::error_code::ErrorCode;

/// Whether a path is the console's (everything under `/console`).
pub fn is_console(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

/// The answer for a console path no route serves.
pub fn answer(path: &str, query: Option<&str>) -> Response {
    let trimmed = path.trim_end_matches('/');
    if trimmed != path && is_console(trimmed) {
        let to = match query {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
    }
    ConsoleError(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NoSuchRoute, "没有这个页面", "no such page")).into_response()
}

/// The answer for a console path served, but not with this method (a form's address opened directly).
pub fn wrong_method() -> Response {
    ConsoleError(ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "这个地址只接受页面上的表单提交，请回到页面用按钮操作",
        "this address only takes the page's form; go back and use its button",
    ))
    .into_response()
}
