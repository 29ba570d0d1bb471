//! The console's form posts on an order: status and tags (through the same
//! domain function as `PATCH /v1/orders/{number}`, so history is kept),
//! follow-up windows, manual before/after pairing, and the assigned worker's
//! real name (真实姓名, as the packet prints it). Each checks the
//! Origin header and the CSRF token, then redirects back to the order page.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::{ConsoleError, ConsoleResult};
use super::form::CheckedPost;
use super::{evidence, followups, path_segment};
use crate::domain::accounts;
use crate::domain::orders::{self, Actor, OrderEdit};
use crate::domain::pairs;
use crate::error::ApiError;
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;

/// 303 back to an order page (optionally to an anchor).
pub fn back_to(number: &str, anchor: &str) -> Response {
    let loc = format!("/console/orders/{}{anchor}", path_segment(number));
    (StatusCode::SEE_OTHER, [(header::LOCATION, loc)]).into_response()
}

/// `POST /console/orders/{number}/edit` - status, the four tags, notes.
pub async fn edit(
    State(st): State<AppState>,
    Path(number): Path<String>,
    CheckedPost { user: u, form: f }: CheckedPost,
) -> ConsoleResult<Response> {
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
    State(st): State<AppState>,
    Path(number): Path<String>,
    CheckedPost { user: u, form: f }: CheckedPost,
) -> ConsoleResult<Response> {
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
    State(st): State<AppState>,
    Path((number, id)): Path<(String, i64)>,
    CheckedPost { user: u, .. }: CheckedPost,
) -> ConsoleResult<Response> {
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
    State(st): State<AppState>,
    Path(number): Path<String>,
    CheckedPost { user: u, form: f }: CheckedPost,
) -> ConsoleResult<Response> {
    let after = f.need("after")?.to_string();
    let before = f.get("before").unwrap_or("").to_string();
    let p = u.principal.clone();
    let num = number.clone();
    let st2 = st.clone();
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &num, &p.communities)?;
            let items = evidence::for_order(c, o.community_id, &o.number, &st2.key_hex, st2.storage.as_ref())?;
            Ok(pairs::set_manual(c, o.community_id, &items, &after, &before, p.user_id)?)
        })
        .await?;
    Ok(back_to(&number, ""))
}

/// `POST /console/orders/{number}/assignee-name` - sets (or, empty, clears) the real name of the order's assigned worker,
/// by the same rule as `PUT /v1/users/{username}/real-name`.
pub async fn set_assignee_name(
    State(st): State<AppState>,
    Path(number): Path<String>,
    CheckedPost { user: u, form: f }: CheckedPost,
) -> ConsoleResult<Response> {
    let name = f.get("real_name").unwrap_or("").to_string();
    let p = u.principal.clone();
    let num = number.clone();
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &num, &p.communities)?;
            let login = o.assignee.ok_or_else(|| ApiError::not_found("工单的承办社工", "the order's assigned worker"))?;
            let by = accounts::SeenBy { role: p.role, office_id: p.office_id, communities: &p.communities };
            accounts::set_real_name(c, Some(&by), &login, &name)?;
            accounts::audit(c, Some(p.user_id), "set_real_name", &login)?;
            Ok(())
        })
        .await?;
    Ok(back_to(&number, ""))
}
