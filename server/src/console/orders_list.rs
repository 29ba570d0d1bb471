//! `GET /console/orders`: the work-order list with the filters coordinators
//! use every morning (due today, overdue, reopened, the four tags, community,
//! worker), a text search that keeps them, and keyset paging.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use maud::{html, Markup};

use super::errors::ConsoleResult;
use super::i18n::{fmt_ms, Lang};
use super::layout::{html_response, page};
use super::orders_query::{self, Filter, ListRow};
use super::query_string;
use super::session::ConsoleUser;
use super::stamps::{axis_name, stamp, term_stamp};
use crate::db::now_ms;
use crate::state::AppState;
use crate::web::body::query;
use siteproof_protocol::vocab::{TagAxis, ORDER_KINDS, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;

/// `GET /console/orders`.
pub async fn list(u: ConsoleUser, State(st): State<AppState>, RawQuery(q): RawQuery) -> ConsoleResult<Response> {
    let q = query(q.as_deref(), orders_query::KEYS)?;
    let f = Filter::parse(&q)?;
    let comms = u.principal.communities.clone();
    let f2 = f.clone();
    let (rows, more, workers, communities) = st
        .db
        .call(move |c| {
            let (rows, more) = orders_query::page(c, &comms, &f2, now_ms(), PAGE_SIZE)?;
            Ok((rows, more, orders_query::workers(c, &comms)?, orders_query::communities(c, &comms)?))
        })
        .await?;
    let here = format!("/console/orders{}", query_string(&f.pairs()));
    let title = u.lang.t("工单列表", "Work orders");
    Ok(html_response(page(&u, title, &here, body(u.lang, &f, &rows, more, &workers, &communities))))
}

/// A filter link: toggles one filter, keeps the others, resets paging.
fn toggle(f: &Filter, key: &'static str, value: &str) -> (String, bool) {
    let mut pairs = f.pairs();
    let on = pairs.iter().any(|(k, v)| *k == key && v == value);
    pairs.retain(|(k, _)| *k != key);
    if !on {
        pairs.push((key, value.to_string()));
    }
    (format!("/console/orders{}", query_string(&pairs)), on)
}

fn chip(f: &Filter, key: &'static str, value: &str, label: &str) -> Markup {
    let (href, on) = toggle(f, key, value);
    html! { a.on[on] href=(href) data-filter=(format!("{key}={value}")) { (label) } }
}

fn body(l: Lang, f: &Filter, rows: &[ListRow], more: bool, workers: &[String], communities: &[(i64, String)]) -> Markup {
    html! {
        h1 { (l.t("工单列表", "Work orders")) }
        (search_form(l, f))
        div.filters {
            (chip(f, "due", "today", l.t("今日到期", "Due today")))
            (chip(f, "due", "overdue", l.t("已超期", "Overdue")))
            (chip(f, "reopened", "1", l.t("重办", "Reopened")))
            (chip(f, "knowledge", "1", l.t("有知识点", "Has knowledge notes")))
        }
        div.filters {
            span.muted { (axis_name(l, TagAxis::Type)) ":" }
            @for (code, _, _) in TAG_TYPES { (chip(f, "type", code, l.label(TAG_TYPES, code))) }
            span.muted { (axis_name(l, TagAxis::Handling)) ":" }
            @for (code, _, _) in TAG_HANDLING { (chip(f, "handling", code, l.label(TAG_HANDLING, code))) }
            span.muted { (axis_name(l, TagAxis::Callback)) ":" }
            @for (code, _, _) in TAG_CALLBACK { (chip(f, "callback", code, l.label(TAG_CALLBACK, code))) }
        }
        @if communities.len() > 1 || !workers.is_empty() {
            div.filters {
                @if communities.len() > 1 {
                    span.muted { (l.t("社区", "Community")) ":" }
                    @for (id, name) in communities { (chip(f, "community", &id.to_string(), name)) }
                }
                @if !workers.is_empty() {
                    span.muted { (l.t("社工", "Worker")) ":" }
                    @for w in workers { (chip(f, "worker", w, w)) }
                }
            }
        }
        @if f != &Filter::default() {
            p { a href="/console/orders" { (l.t("清除筛选", "Clear filters")) } }
        }
        p { a href=(format!("/console/exports{}", query_string(&f.pairs()))) data-test="batch-export" { (l.t("批量导出当前筛选的工单（证据包或原件）", "Batch export the filtered orders (packet or originals)")) } }
        @if rows.is_empty() {
            p.muted data-test="empty" { (l.t("没有符合条件的工单", "No orders match")) }
        } @else {
            table.list {
                thead { tr {
                    th { (l.t("工单号", "Number")) }
                    th { (l.t("类型 / 分类", "Kind / category")) }
                    th.wide { (l.t("地址", "Address")) }
                    th { (l.t("办理时限", "Deadline")) }
                    th { (l.t("状态", "Status")) }
                    th.wide { (l.t("标签", "Tags")) }
                    th.wide { (l.t("社工", "Worker")) }
                    th { (l.t("证据", "Evidence")) }
                } }
                tbody {
                    @for r in rows {
                        tr data-order=(r.number) {
                            td { a href=(format!("/console/orders/{}", super::path_segment(&r.number))) { (r.number) } }
                            td { (l.label(ORDER_KINDS, &r.kind)) " / " (r.category) }
                            td.wide { (r.address) }
                            td { @match r.deadline_ms { Some(d) => (fmt_ms(d)), None => span.muted { "—" } } }
                            td { (l.label(ORDER_STATUSES, &r.status)) }
                            td.wide {
                                @if let Some(t) = &r.tag_type { (term_stamp(l, TagAxis::Type, t)) " " }
                                @if let Some(t) = &r.tag_handling { (term_stamp(l, TagAxis::Handling, t)) " " }
                                @if let Some(t) = &r.tag_callback { (term_stamp(l, TagAxis::Callback, t)) " " }
                                @if r.has_knowledge { (stamp(l, TagAxis::Knowledge, l.t("有", "yes"))) }
                            }
                            td.wide { (r.assignee.as_deref().unwrap_or("—")) }
                            td { (r.evidence) }
                        }
                    }
                }
            }
        }
        div.pager {
            @if f.after.is_some() { a href=(format!("/console/orders{}", query_string(&f.pairs()))) { (l.t("« 第一页", "« First page")) } }
            @if more {
                @if let Some(last) = rows.last() {
                    a href=(next_link(f, last)) data-test="next-page" { (l.t("下一页 »", "Next page »")) }
                }
            }
        }
    }
}

/// The search box: a GET form that carries the other filters along and starts again at the first page.
fn search_form(l: Lang, f: &Filter) -> Markup {
    html! {
        form.filters method="get" action="/console/orders" data-test="search" {
            @for (k, v) in f.pairs() {
                @if k != "q" { input type="hidden" name=(k) value=(v); }
            }
            input type="search" name="q" value=(f.search.as_deref().unwrap_or(""))
                placeholder=(l.t("搜索工单号、地址、内容、备注", "Search number, address, content, notes"));
            button.plain type="submit" { (l.t("搜索", "Search")) }
        }
    }
}

fn next_link(f: &Filter, last: &ListRow) -> String {
    let mut pairs = f.pairs();
    pairs.push(("after", last.cursor()));
    format!("/console/orders{}", query_string(&pairs))
}
