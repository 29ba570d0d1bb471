//! `GET /console/followups`: every follow-up window of the user's
//! communities that ended in the last 30 days or is still to come, with
//! which are due now and which were missed.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use maud::html;

use super::errors::ConsoleResult;
use super::followups::{self, FollowupState};
use super::i18n::fmt_ms;
use super::layout::{html_response, page};
use super::path_segment;
use super::session::ConsoleUser;
use crate::db::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::body::query;
use siteproof_protocol::wire::error_code::ErrorCode;

/// How far back closed windows are listed.
const LOOKBACK_MS: i64 = 30 * 86_400_000;

/// `GET /console/followups?state=due|missed|observed|upcoming`.
pub async fn list(u: ConsoleUser, State(st): State<AppState>, RawQuery(q): RawQuery) -> ConsoleResult<Response> {
    let q = query(q.as_deref(), &["state", "lang"])?;
    let want = match q.get("state").map(String::as_str) {
        None | Some("") => None,
        Some("due") => Some(FollowupState::Due),
        Some("missed") => Some(FollowupState::Missed),
        Some("observed") => Some(FollowupState::Observed),
        Some("upcoming") => Some(FollowupState::Upcoming),
        Some(_) => {
            return Err(ApiError::bad_request(
                ErrorCode::BadQuery,
                "state 只能是 due/missed/observed/upcoming",
                "state must be due, missed, observed or upcoming",
            )
            .into())
        }
    };
    let comms = u.principal.communities.clone();
    let mut rows = st.db.call(move |c| followups::of_communities(c, &comms, now_ms() - LOOKBACK_MS)).await?;
    rows.retain(|f| want.is_none_or(|w| f.state == w));
    let l = u.lang;
    let states = [FollowupState::Due, FollowupState::Missed, FollowupState::Upcoming, FollowupState::Observed];
    let content = html! {
        h1 { (l.t("跟进观察", "Follow-up observation")) }
        div.filters {
            a.on[want.is_none()] href="/console/followups" { (l.t("全部", "All")) }
            @for s in states {
                @let (zh, en) = s.words();
                a.on[want == Some(s)] href=(format!("/console/followups?state={}", s.code())) { (l.t(zh, en)) }
            }
        }
        @if rows.is_empty() { p.muted data-test="empty" { (l.t("没有跟进观察", "No follow-ups")) } }
        @else {
            table data-test="followups" {
                thead { tr { th { (l.t("工单号", "Order")) } th { (l.t("窗口", "Window")) } th { (l.t("要看什么", "What to check")) } th { (l.t("安排人", "By")) } th { (l.t("状态", "State")) } } }
                tbody { @for f in &rows {
                    @let (zh, en) = f.state.words();
                    tr data-state=(f.state.code()) data-order=(f.order_number) {
                        td { a href=(format!("/console/orders/{}", path_segment(&f.order_number))) { (f.order_number) } }
                        td { (fmt_ms(f.from_ms)) " – " (fmt_ms(f.due_ms)) }
                        td { (f.note) }
                        td { (f.created_by) }
                        td class=(match f.state { FollowupState::Missed => "bad", FollowupState::Due => "warn", FollowupState::Observed => "ok", FollowupState::Upcoming => "muted" }) { (l.t(zh, en)) }
                    }
                } }
            }
        }
    };
    Ok(html_response(page(&u, l.t("跟进观察", "Follow-ups"), "/console/followups", content)))
}
