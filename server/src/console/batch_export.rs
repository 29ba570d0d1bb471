//! The console's batch export (批量导出): from the order list's current filters
//! (重办, a worker, a tag...) and a dispatch-date window (a month, a week),
//! `GET /console/exports` lists every matching order with a ticked box, so
//! "all matching" is the default and unticking leaves an order out. One form
//! posts the ticked orders to either `POST /console/exports/packet` (one
//! dispute packet for all of them, `packet::batch`) or `POST
//! /console/exports/originals` (a plain ZIP of originals with a CSV list,
//! `packet::batch_originals`), chosen by the button pressed (`formaction`, no
//! script). Limits, tenancy and the audit row are the export's own, the same as
//! over the API.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use maud::{html, Markup};
use rusqlite::Connection;

use super::errors::ConsoleResult;
use super::form::CheckedPost;
use super::i18n::{fmt_ms, Lang};
use super::layout::{html_response, page};
use super::orders_query::{self, Filter};
use super::session::ConsoleUser;
use super::stamps::axis_name;
use super::{path_segment, query_string};
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::packet::batch::{batch_file_name, export_batch_packet, MAX_BATCH_ORDERS};
use crate::packet::batch_originals::{export_originals, originals_file_name, MAX_ORIGINALS_ORDERS};
use crate::repo;
use crate::repo::orders::{Order, NO_DEADLINE};
use crate::state::AppState;
use crate::web::body::query;
use crate::web::zip_download::{zip_response, DownloadDir, ZipDownload};
use siteproof_protocol::vocab::{TagAxis, ORDER_KINDS, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};
use siteproof_protocol::wire::error_code::ErrorCode;

/// Orders read per query while collecting the matching ones.
const READ_PAGE: u32 = 200;
const DAY_MS: i64 = 86_400_000;

/// A dispatch-date window in China time, both days included; an order never dispatched counts from its creation.
#[derive(Debug, Clone, Default, PartialEq)]
struct Window {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Window {
    fn parse(q: &crate::web::body::Query) -> ApiResult<Window> {
        let day = |key: &str| -> ApiResult<Option<NaiveDate>> {
            match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
                    ApiError::bad_request(
                        ErrorCode::BadQuery,
                        &format!("{key} 须为日期，如 2026-11-01"),
                        &format!("{key} must be a date such as 2026-11-01"),
                    )
                }),
            }
        };
        let w = Window { from: day("from")?, to: day("to")? };
        if let (Some(f), Some(t)) = (w.from, w.to) {
            if f > t {
                return Err(ApiError::bad_request(ErrorCode::BadWindow, "开始日期晚于结束日期", "the from date is after the to date"));
            }
        }
        Ok(w)
    }

    /// Midnight China time starting `day`, Unix ms.
    fn start_ms(day: NaiveDate) -> i64 {
        day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0) - 8 * 3_600_000
    }

    fn contains(&self, o: &Order) -> bool {
        self.contains_ms(o.dispatched_at_ms.unwrap_or(o.created_at_ms))
    }

    fn contains_ms(&self, at: i64) -> bool {
        self.from.is_none_or(|f| at >= Self::start_ms(f)) && self.to.is_none_or(|t| at < Self::start_ms(t) + DAY_MS)
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(f) = self.from {
            v.push(("from", f.to_string()));
        }
        if let Some(t) = self.to {
            v.push(("to", t.to_string()));
        }
        v
    }
}

/// The orders matching the list's filters and the window, in the list's order, at most `cap` (and whether more match).
fn matching(c: &Connection, communities: &[i64], f: &Filter, w: &Window, cap: usize) -> ApiResult<(Vec<(Order, i64)>, bool)> {
    let visible = f.visible_communities(communities);
    let mut found = Vec::new();
    let mut lf = Filter { after: None, ..f.clone() }.to_list(now_ms(), READ_PAGE);
    loop {
        let rows = repo::orders::list(c, &visible, &lf)?;
        let more = rows.len() > READ_PAGE as usize;
        let mut last = None;
        for l in rows.into_iter().take(READ_PAGE as usize) {
            last = Some((l.order.deadline_ms.unwrap_or(NO_DEADLINE), l.order.id));
            if w.contains(&l.order) {
                if found.len() == cap {
                    return Ok((found, true));
                }
                found.push((l.order, l.evidence));
            }
        }
        match (more, last) {
            (true, Some(after)) => lf.after = Some(after),
            _ => return Ok((found, false)),
        }
    }
}

/// `GET /console/exports` - the matching orders, ticked, and the two exports.
pub async fn show(u: ConsoleUser, State(st): State<AppState>, RawQuery(q): RawQuery) -> ConsoleResult<Response> {
    let keys: Vec<&str> = orders_query::KEYS.iter().copied().chain(["from", "to"]).collect();
    let q = query(q.as_deref(), &keys)?;
    let (f, w) = (Filter::parse(&q)?, Window::parse(&q)?);
    let comms = u.principal.communities.clone();
    let (f2, w2) = (f.clone(), w.clone());
    let (orders, more) = st.db.call(move |c| matching(c, &comms, &f2, &w2, MAX_ORIGINALS_ORDERS)).await?;
    let mut pairs = f.pairs();
    pairs.extend(w.pairs());
    let here = format!("/console/exports{}", query_string(&pairs));
    let title = u.lang.t("批量导出", "Batch export");
    Ok(html_response(page(&u, title, &here, body(&u, &f, &w, &orders, more))))
}

fn body(u: &ConsoleUser, f: &Filter, w: &Window, orders: &[(Order, i64)], more: bool) -> Markup {
    let l: Lang = u.lang;
    let list_link = format!("/console/orders{}", query_string(&f.pairs()));
    html! {
        h1 { (l.t("批量导出", "Batch export")) }
        p {
            (l.t("列出工单列表当前筛选条件下的全部工单，默认全部勾选；取消勾选的工单不导出。",
                 "Every order matching the order list's current filters is listed and ticked; untick an order to leave it out."))
            " " a href=(list_link) { (l.t("« 返回工单列表修改筛选", "« Back to the order list to change the filters")) }
        }
        div.filters data-test="active-filters" {
            span.muted { (l.t("当前筛选", "Filters")) ":" }
            @if f.pairs().is_empty() { span.chip { (l.t("全部工单", "all orders")) } }
            @for (k, v) in f.pairs() { span.chip { (filter_label(l, k, &v)) } }
        }
        form method="get" action="/console/exports" data-test="window-form" {
            @for (k, v) in f.pairs() { input type="hidden" name=(k) value=(v); }
            div.filters {
                label for="from" { (l.t("派单日期从", "Dispatched from")) }
                input #from type="date" name="from" value=(w.from.map(|d| d.to_string()).unwrap_or_default());
                label for="to" { (l.t("到", "to")) }
                input #to type="date" name="to" value=(w.to.map(|d| d.to_string()).unwrap_or_default());
                button.plain type="submit" { (l.t("按日期筛选", "Filter by date")) }
            }
        }
        @if more {
            p.warn data-test="over-limit" {
                (l.t(&format!("符合条件的工单超过 {MAX_ORIGINALS_ORDERS} 个，只列出前 {MAX_ORIGINALS_ORDERS} 个；请缩小筛选范围。"),
                     &format!("More than {MAX_ORIGINALS_ORDERS} orders match; only the first {MAX_ORIGINALS_ORDERS} are listed. Narrow the filters.")))
            }
        }
        @if orders.is_empty() {
            p.muted data-test="empty" { (l.t("没有符合条件的工单", "No orders match")) }
        } @else {
            form method="post" action="/console/exports/packet" data-test="batch-form" {
                input type="hidden" name="csrf" value=(u.csrf);
                p data-test="matching" {
                    (l.t(&format!("共 {} 个工单。", orders.len()), &format!("{} orders.", orders.len())))
                    " " span.muted {
                        (l.t(&format!("一个批量争议证据包最多 {MAX_BATCH_ORDERS} 个工单；原件导出最多 {MAX_ORIGINALS_ORDERS} 个。存疑的证据照常收入，并在报告中逐条标为「存疑」。"),
                             &format!("One batch dispute packet holds at most {MAX_BATCH_ORDERS} orders; an originals export at most {MAX_ORIGINALS_ORDERS}. Doubtful evidence is included and marked 存疑 (doubtful) item by item in the report.")))
                    }
                }
                p {
                    button type="submit" formaction="/console/exports/packet" data-test="export-batch-packet" {
                        (l.t("导出批量争议证据包（一个 ZIP，含中文 PDF）", "Export one dispute packet for the ticked orders (ZIP with a Chinese PDF)"))
                    }
                    " "
                    button.plain type="submit" formaction="/console/exports/originals" data-test="export-originals" {
                        (l.t("导出原件（ZIP + CSV 清单，不是证据包）", "Export originals (ZIP + CSV list, not a dispute packet)"))
                    }
                }
                table.list {
                    thead { tr {
                        th { (l.t("导出", "Export")) }
                        th { (l.t("工单号", "Number")) }
                        th { (l.t("类型", "Kind")) }
                        th.wide { (l.t("地址", "Address")) }
                        th { (l.t("派单时间", "Dispatched")) }
                        th { (l.t("状态", "Status")) }
                        th { (l.t("社工", "Worker")) }
                        th { (l.t("证据", "Evidence")) }
                    } }
                    tbody {
                        @for (o, evidence) in orders {
                            tr data-order=(o.number) {
                                td { input type="checkbox" name="order" value=(o.number) checked aria-label=(o.number); }
                                td { a href=(format!("/console/orders/{}", path_segment(&o.number))) { (o.number) } }
                                td { (l.label(ORDER_KINDS, o.kind.as_str())) }
                                td.wide { (o.address) }
                                td { @match o.dispatched_at_ms { Some(d) => (fmt_ms(d)), None => span.muted { "—" } } }
                                td { (l.label(ORDER_STATUSES, o.status.as_str())) }
                                td { (o.assignee.as_deref().unwrap_or("—")) }
                                td { (evidence) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One active filter of the order list in words, e.g. "社工 wang" or "回访情况 重办".
fn filter_label(l: Lang, key: &str, value: &str) -> String {
    let (name, shown) = match key {
        "due" if value == "today" => (l.t("办理时限", "Due"), l.t("今日到期", "today").to_string()),
        "due" => (l.t("办理时限", "Due"), l.t("已超期", "overdue").to_string()),
        "reopened" => (l.t("重办", "Reopened"), String::new()),
        "knowledge" => (l.t("有知识点", "Has knowledge notes"), String::new()),
        "status" => (l.t("状态", "Status"), l.label(ORDER_STATUSES, value).to_string()),
        "type" => (axis_name(l, TagAxis::Type), l.label(TAG_TYPES, value).to_string()),
        "handling" => (axis_name(l, TagAxis::Handling), l.label(TAG_HANDLING, value).to_string()),
        "callback" => (axis_name(l, TagAxis::Callback), l.label(TAG_CALLBACK, value).to_string()),
        "community" => (l.t("社区编号", "Community id"), value.to_string()),
        "worker" => (l.t("社工", "Worker"), value.to_string()),
        "q" => (l.t("搜索", "Search"), value.to_string()),
        other => (other, value.to_string()),
    };
    if shown.is_empty() {
        name.to_string()
    } else {
        format!("{name} {shown}")
    }
}

/// `POST /console/exports/packet` - one dispute packet for the ticked orders, as a download.
pub async fn packet(State(st): State<AppState>, CheckedPost { user: u, form: f }: CheckedPost) -> ConsoleResult<Response> {
    let numbers = f.all("order");
    let dir = DownloadDir::new(&st.config.data)?;
    let out = dir.file(&batch_file_name(&numbers));
    let result = export_batch_packet(&st, Some(u.principal.user_id), u.principal.communities.clone(), numbers, &out).await;
    let (summary, file) = dir.open(&out, result)?;
    let packet = &summary.packet;
    Ok(zip_response(file, ZipDownload { bytes: packet.bytes, file_name: &packet.file_name, packet_sha256: Some(&packet.sha256) }))
}

/// `POST /console/exports/originals` - the ticked orders' originals and CSV list, as a download.
pub async fn originals(State(st): State<AppState>, CheckedPost { user: u, form: f }: CheckedPost) -> ConsoleResult<Response> {
    let numbers = f.all("order");
    let dir = DownloadDir::new(&st.config.data)?;
    let out = dir.file(&originals_file_name(&numbers));
    let result = export_originals(&st, Some(u.principal.user_id), u.principal.communities.clone(), numbers, &out).await;
    let (summary, file) = dir.open(&out, result)?;
    Ok(zip_response(file, ZipDownload { bytes: summary.bytes, file_name: &summary.file_name, packet_sha256: None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_holds_whole_china_time_days_at_both_ends() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let november = Window { from: day("2026-11-01"), to: day("2026-11-30") };
        // 2026-11-01 00:00 in Beijing is 2026-10-31 16:00 UTC; 2026-12-01 00:00 Beijing ends the window.
        let first = 1_793_462_400_000;
        let after_last = 1_796_054_400_000;
        assert!(november.contains_ms(first));
        assert!(!november.contains_ms(first - 1));
        assert!(november.contains_ms(after_last - 1));
        assert!(!november.contains_ms(after_last));
        assert!(Window::default().contains_ms(0), "no window holds everything");
    }
}
