//! What a browser gets for a console address no route serves: the API's JSON
//! `no_such_route` is a dead end for a person, so a path with a trailing
//! slash goes to the same page without it, and any other unknown console
//! path gets the console's own error page (找不到 / Not found).

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
