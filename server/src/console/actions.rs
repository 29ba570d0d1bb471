//! The console's form posts on an order: status and tags (through the same
//! domain function as `PATCH /v1/orders/{number}`, so history is kept),
//! follow-up windows, and manual before/after pairing. Each checks the
//! Origin header and the CSRF token, then redirects back to the order page.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::{ConsoleError, ConsoleResult};
use super::session::{check_origin, ConsoleUser};
use super::{evidence, followups, pairs, path_segment};
use crate::domain::orders::{self, Actor, OrderEdit};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::body::{bytes, form_body};
use siteproof_protocol::wire::error_code::ErrorCode;

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
pub async fn checked_form(u: &ConsoleUser, h: &HeaderMap, body: Body) -> ConsoleResult<Form> {
    check_origin(h)?;
    let b = bytes(body, 64 * 1024).await?;
    let f = Form(form_body(&b)?);
    u.check_csrf(f.get("csrf"))?;
    Ok(f)
}

/// 303 back to an order page (optionally to an anchor).
pub fn back_to(number: &str, anchor: &str) -> Response {
    let loc = format!("/console/orders/{}{anchor}", path_segment(number));
    (StatusCode::SEE_OTHER, [(header::LOCATION, loc)]).into_response()
}

/// `POST /console/orders/{number}/edit` - status, the four tags, notes.
pub async fn edit(
    u: ConsoleUser,
    State(st): State<AppState>,
    Path(number): Path<String>,
    h: HeaderMap,
    body: Body,
) -> ConsoleResult<Response> {
    let f = checked_form(&u, &h, body).await?;
    let base_version = match f.get("version") {
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ConsoleError(ApiError::bad_request(ErrorCode::BadForm, "version 须为数字", "version must be a number")))?,
        ),
        None => None,
    };
    let upd = OrderEdit {
        status: f.get("status").map(str::to_string),
        tag_type: f.get("tag_type").map(str::to_string),
        tag_handling: f.get("tag_handling").map(str::to_string),
        tag_callback: f.get("tag_callback").map(str::to_string),
        knowledge: f.get("knowledge").map(str::to_string),
        notes: f.get("notes").map(str::to_string),
        base_version,
    };
    let p = u.principal.clone();
    let num = number.clone();
    st.db
        .call(move |c| {
            let tx = c.transaction()?;
            let o = orders::get_visible(&tx, &num, &p.communities)?;
            let actor = Actor { user_id: p.user_id, role: p.role, device_id: None };
            orders::apply_update(&tx, &o, &upd, &actor)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(back_to(&number, ""))
}

/// `POST /console/orders/{number}/followups` - schedules a follow-up window.
pub async fn add_followup(
    u: ConsoleUser,
    State(st): State<AppState>,
    Path(number): Path<String>,
    h: HeaderMap,
    body: Body,
) -> ConsoleResult<Response> {
    let f = checked_form(&u, &h, body).await?;
    let from = followups::parse_local("from", f.need("from")?)?;
    let due = followups::parse_local("due", f.need("due")?)?;
    let note = f.get("note").unwrap_or("").to_string();
    let p = u.principal.clone();
    let num = number.clone();
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &num, &p.communities)?;
            followups::schedule(c, o.id, from, due, &note, p.user_id)
        })
        .await?;
    Ok(back_to(&number, ""))
}

/// `POST /console/orders/{number}/followups/{id}/cancel`.
pub async fn cancel_followup(
    u: ConsoleUser,
    State(st): State<AppState>,
    Path((number, id)): Path<(String, i64)>,
    h: HeaderMap,
    body: Body,
) -> ConsoleResult<Response> {
    checked_form(&u, &h, body).await?;
    let p = u.principal.clone();
    let num = number.clone();
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &num, &p.communities)?;
            followups::cancel(c, o.id, id)
        })
        .await?;
    Ok(back_to(&number, ""))
}

/// `POST /console/orders/{number}/pairs` - sets or clears a manual before/after pairing.
pub async fn set_pair(
    u: ConsoleUser,
    State(st): State<AppState>,
    Path(number): Path<String>,
    h: HeaderMap,
    body: Body,
) -> ConsoleResult<Response> {
    let f = checked_form(&u, &h, body).await?;
    let after = f.need("after")?.to_string();
    let before = f.get("before").unwrap_or("").to_string();
    let p = u.principal.clone();
    let num = number.clone();
    let st2 = st.clone();
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &num, &p.communities)?;
            let items = evidence::for_order(c, o.community_id, &o.number, &st2.key_hex, st2.storage.as_ref())?;
            pairs::set_manual(c, o.community_id, &items, &after, &before, p.user_id)
        })
        .await?;
    Ok(back_to(&number, ""))
}
