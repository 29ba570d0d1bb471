//! A console form post, checked once for every handler: the session (as
//! [`ConsoleUser`]), the Origin header, a body of 64 KiB at most, and the
//! CSRF token, before any handler reads a field. Handlers take a
//! [`CheckedPost`] as their last argument instead of repeating the checks.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;

use super::errors::{ConsoleError, ConsoleResult};
use super::session::{check_origin, ConsoleUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::body::{bytes, form_body};
use siteproof_protocol::wire::error_code::ErrorCode;

/// A form post from a logged-in coordinator that passed the Origin and CSRF checks.
pub struct CheckedPost {
    /// Who posted it.
    pub user: ConsoleUser,
    /// Its fields.
    pub form: Form,
}

impl FromRequest<AppState> for CheckedPost {
    type Rejection = ConsoleError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = ConsoleUser::from_request_parts(&mut parts, st).await?;
        let form = checked_form(&user, &parts.headers, body).await?;
        Ok(CheckedPost { user, form })
    }
}

/// A submitted form: its fields in order.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of a field.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0.iter().filter(|(key, _)| key == k).map(|(_, v)| v.clone()).collect()
    }

    /// A field that must be present.
    pub fn need(&self, k: &str) -> Result<&str, ConsoleError> {
        self.get(k).ok_or_else(|| {
            ConsoleError(ApiError::bad_request(ErrorCode::MissingField, &format!("表单缺少 {k}"), &format!("form field {k} is missing")))
        })
    }
}

/// Reads a form body (64 KiB at most) after the Origin and CSRF checks.
async fn checked_form(u: &ConsoleUser, h: &HeaderMap, body: Body) -> ConsoleResult<Form> {
    check_origin(h)?;
    let b = bytes(body, 64 * 1024).await?;
    let f = Form(form_body(&b)?);
    u.check_csrf(f.get("csrf"))?;
    Ok(f)
}
