//! `GET /console/audit`: who viewed, downloaded and exported what. A
//! coordinator reads the rows of their community's accounts, an admin those
//! of the whole street office; newest first, paged by row id.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use maud::html;
use rusqlite::params;

use super::errors::ConsoleResult;
use super::i18n::{fmt_ms_secs, Lang};
use super::layout::{html_response, page};
use super::session::ConsoleUser;
use crate::api::body::{num, query};
use crate::auth::Role;
use crate::state::AppState;

/// Rows per page.
const PAGE: i64 = 100;

/// One audit row.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// Row id.
    pub id: i64,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Account name.
    pub username: String,
    /// Action code.
    pub action: String,
    /// What it concerned.
    pub target: String,
}

fn action_words(l: Lang, a: &str) -> &str {
    match a {
        "view_order" => l.t("查看工单", "viewed order"),
        "view_original" => l.t("查看原始文件", "viewed original"),
        "download_original" | "download_blob" => l.t("下载原始文件", "downloaded original"),
        "export" => l.t("导出争议证据包", "exported dispute packet"),
        other => other,
    }
}

/// `GET /console/audit?before=ID`.
pub async fn list(u: ConsoleUser, State(st): State<AppState>, RawQuery(q): RawQuery) -> ConsoleResult<Response> {
    let q = query(q.as_deref(), &["before", "lang"])?;
    let before: i64 = num(&q, "before")?.unwrap_or(i64::MAX);
    let (office, admin, comms) = (u.principal.office_id, u.principal.role == Role::Admin, u.principal.communities.clone());
    let rows = st
        .db
        .call(move |c| {
            let ids = if comms.is_empty() { "NULL".to_string() } else { comms.iter().map(i64::to_string).collect::<Vec<_>>().join(",") };
            let mut s = c.prepare(&format!(
                "SELECT a.id, a.at_ms, u.username, a.action, a.target FROM audit a JOIN users u ON u.id = a.user_id
                 WHERE a.id < ?1 AND u.office_id = ?2 AND (?3 OR u.community_id IN ({ids}))
                 ORDER BY a.id DESC LIMIT ?4"
            ))?;
            let v = s
                .query_map(params![before, office, admin, PAGE], |r| {
                    Ok(AuditRow { id: r.get(0)?, at_ms: r.get(1)?, username: r.get(2)?, action: r.get(3)?, target: r.get(4)? })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
        .await?;
    let l = u.lang;
    let content = html! {
        h1 { (l.t("审计日志", "Audit log")) }
        p.muted { (l.t("谁在何时查看、下载、导出了哪些证据", "Who viewed, downloaded and exported which evidence, and when")) }
        table data-test="audit" {
            thead { tr { th { (l.t("时间", "When")) } th { (l.t("账号", "Account")) } th { (l.t("操作", "Action")) } th { (l.t("对象", "Target")) } } }
            tbody { @for r in &rows {
                tr data-action=(r.action) { td { (fmt_ms_secs(r.at_ms)) } td { (r.username) } td { (action_words(l, &r.action)) } td { code { (r.target) } } }
            } }
        }
        @if rows.len() as i64 == PAGE {
            @if let Some(last) = rows.last() { p { a href=(format!("/console/audit?before={}", last.id)) { (l.t("更早 »", "Older »")) } } }
        }
    };
    Ok(html_response(page(&u, l.t("审计日志", "Audit log"), "/console/audit", content)))
}
