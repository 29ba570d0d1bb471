//! `GET /console/audit`: who viewed, downloaded and exported what. A
//! coordinator reads the rows of their community's accounts, an admin those
//! of the whole street office; newest first, paged by row id. Below them
//! stands the server key fingerprint the office publishes for its dispute
//! packets.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use maud::html;

use super::errors::ConsoleResult;
use super::i18n::{fmt_ms_secs, Lang};
use super::layout::{html_response, page};
use super::session::ConsoleUser;
use crate::auth::Role;
use crate::error::ApiError;
use crate::repo;
use crate::repo::audit::AuditScope;
use crate::state::AppState;
use crate::web::body::{num, query};

/// Rows per page.
const PAGE: i64 = 100;

pub use crate::repo::audit::AuditRow;

fn action_words(l: Lang, a: &str) -> &str {
    match a {
        "view_order" => l.t("查看工单", "viewed order"),
        "view_original" => l.t("查看原始文件", "viewed original"),
        "download_original" | "download_blob" => l.t("下载原始文件", "downloaded original"),
        "export" => l.t("导出争议证据包", "exported dispute packet"),
        "enroll_code" => l.t("创建注册码", "created enrollment code"),
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
            let scope = if admin { AuditScope::Office(office) } else { AuditScope::Communities(office, &comms) };
            Ok(repo::audit::page(c, scope, before, PAGE)?)
        })
        .await?;
    let l = u.lang;
    // Published here so a coordinator can tell the 12345 office which key their dispute packets must be signed with.
    let fingerprint = siteproof_protocol::packet::key_fingerprint(&st.key_hex).map_err(ApiError::from)?;
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
        section data-test="server-key" {
            h2 { (l.t("本服务器公钥指纹", "This server's key fingerprint")) }
            p { code data-test="server-key-fingerprint" { (fingerprint) } }
            p.muted { (l.t(
                "争议证据包由这把密钥签发。核验时请对方用 siteproof verify --server-key 指定此指纹，或按证据包内 GUIDE.txt 手工核对。",
                "Dispute packets are signed with this key. Reviewers pin it with siteproof verify --server-key, or compare it by hand as the packet's GUIDE.txt explains.",
            )) }
        }
    };
    Ok(html_response(page(&u, l.t("审计日志", "Audit log"), "/console/audit", content)))
}
