//! The console order list's filters, read from the query string, and its
//! pages. The query itself (keyset on deadline, none last, then id) is
//! `repo::orders::list`, the same one the API's `GET /v1/orders` runs.

use rusqlite::Connection;

use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::repo::orders::{ListFilter, Listed, NO_DEADLINE};
use crate::web::body::Query;
use siteproof_protocol::vocab::{normalize, TagAxis, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};
use siteproof_protocol::wire::error_code::ErrorCode;

/// Which deadline window to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Deadline falls on today (China time), still open.
    Today,
    /// Deadline passed, still open.
    Overdue,
}

/// Checked filters of the order list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Deadline window.
    pub due: Option<Due>,
    /// Only reopened orders (status or callback tag 重办).
    pub reopened: bool,
    /// Status code.
    pub status: Option<String>,
    /// Tag 1 code.
    pub tag_type: Option<String>,
    /// Tag 2 code.
    pub tag_handling: Option<String>,
    /// Tag 3 code.
    pub tag_callback: Option<String>,
    /// Tag 4: only orders with knowledge notes.
    pub knowledge: bool,
    /// Community id (must be one the user sees).
    pub community: Option<i64>,
    /// Assigned worker's username.
    pub worker: Option<String>,
    /// Search text (number, address, content, notes).
    pub search: Option<String>,
    /// Continue after this (deadline key, id).
    pub after: Option<(i64, i64)>,
}

/// Longest search text taken: enough for an address or a sentence of content.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Query keys the list accepts.
pub const KEYS: &[&str] =
    &["due", "reopened", "status", "type", "handling", "callback", "knowledge", "community", "worker", "q", "after", "lang"];

fn flag(q: &Query, key: &str) -> ApiResult<bool> {
    match q.get(key).map(String::as_str) {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(ApiError::bad_request(ErrorCode::BadQuery, &format!("{key} 只能是 0 或 1"), &format!("{key} must be 0 or 1"))),
    }
}

fn vocab(q: &Query, key: &str, v: siteproof_protocol::vocab::Vocab, what: &str) -> ApiResult<Option<String>> {
    match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(normalize(v, what, s)?)),
    }
}

impl Filter {
    /// Reads and checks the filters of a query string.
    pub fn parse(q: &Query) -> ApiResult<Filter> {
        let due = match q.get("due").map(String::as_str) {
            None | Some("") => None,
            Some("today") => Some(Due::Today),
            Some("overdue") => Some(Due::Overdue),
            Some(_) => {
                return Err(ApiError::bad_request(ErrorCode::BadQuery, "due 只能是 today 或 overdue", "due must be today or overdue"))
            }
        };
        let community = match q.get("community").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                s.parse().map_err(|_| ApiError::bad_request(ErrorCode::BadQuery, "community 须为数字", "community must be a number"))?,
            ),
        };
        let after = match q.get("after").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let bad = || {
                    ApiError::bad_request(ErrorCode::BadQuery, "翻页参数无效", "after must be DEADLINE_ID as given by the next-page link")
                };
                let (k, id) = s.split_once('_').ok_or_else(bad)?;
                Some((k.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
            }
        };
        let worker = q.get("worker").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if worker.as_ref().is_some_and(|w| w.len() > 64) {
            return Err(ApiError::bad_request(ErrorCode::BadQuery, "worker 过长", "worker name too long"));
        }
        let search = q.get("q").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if search.as_ref().is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS) {
            return Err(ApiError::bad_request(
                ErrorCode::BadQuery,
                &format!("搜索内容过长（最多 {MAX_SEARCH_CHARS} 字）"),
                &format!("search text too long (at most {MAX_SEARCH_CHARS} characters)"),
            ));
        }
        Ok(Filter {
            due,
            reopened: flag(q, "reopened")?,
            status: vocab(q, "status", ORDER_STATUSES, "状态 status")?,
            tag_type: vocab(q, "type", TAG_TYPES, &TagAxis::Type.what())?,
            tag_handling: vocab(q, "handling", TAG_HANDLING, &TagAxis::Handling.what())?,
            tag_callback: vocab(q, "callback", TAG_CALLBACK, &TagAxis::Callback.what())?,
            knowledge: flag(q, "knowledge")?,
            community,
            worker,
            search,
            after,
        })
    }

    /// The filters as query pairs (without the cursor), for links that keep them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        match self.due {
            Some(Due::Today) => v.push(("due", "today".to_string())),
            Some(Due::Overdue) => v.push(("due", "overdue".to_string())),
            None => {}
        }
        if self.reopened {
            v.push(("reopened", "1".into()));
        }
        let opt = [
            ("status", &self.status),
            ("type", &self.tag_type),
            ("handling", &self.tag_handling),
            ("callback", &self.tag_callback),
            ("worker", &self.worker),
            ("q", &self.search),
        ];
        for (k, val) in opt {
            if let Some(x) = val {
                v.push((k, x.clone()));
            }
        }
        if self.knowledge {
            v.push(("knowledge", "1".into()));
        }
        if let Some(c) = self.community {
            v.push(("community", c.to_string()));
        }
        v
    }
}

/// One row of the order list.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// Order id (cursor).
    pub id: i64,
    /// Order number.
    pub number: String,
    /// Community name.
    pub community: String,
    /// Kind code.
    pub kind: String,
    /// Category.
    pub category: String,
    /// Address.
    pub address: String,
    /// Deadline, Unix ms.
    pub deadline_ms: Option<i64>,
    /// Status code.
    pub status: String,
    /// Tag codes.
    pub tag_type: Option<String>,
    /// Tag codes.
    pub tag_handling: Option<String>,
    /// Tag codes.
    pub tag_callback: Option<String>,
    /// Whether knowledge notes exist.
    pub has_knowledge: bool,
    /// Assigned worker.
    pub assignee: Option<String>,
    /// Evidence entries filed directly under the order.
    pub evidence: i64,
}

impl ListRow {
    /// The cursor continuing after this row.
    pub fn cursor(&self) -> String {
        format!("{}_{}", self.deadline_ms.unwrap_or(NO_DEADLINE), self.id)
    }
}

impl ListRow {
    fn from_listed(l: Listed) -> ListRow {
        let o = l.order;
        ListRow {
            id: o.id,
            has_knowledge: !o.knowledge.is_empty(),
            number: o.number,
            community: o.community,
            kind: o.kind.as_str().to_string(),
            category: o.category,
            address: o.address,
            deadline_ms: o.deadline_ms,
            status: o.status.as_str().to_string(),
            tag_type: o.tag_type,
            tag_handling: o.tag_handling,
            tag_callback: o.tag_callback,
            assignee: o.assignee,
            evidence: l.evidence,
        }
    }
}

impl Filter {
    /// The communities to list: the user's, narrowed to the community filter.
    pub fn visible_communities(&self, communities: &[i64]) -> Vec<i64> {
        match self.community {
            Some(id) => communities.iter().copied().filter(|c| *c == id).collect(),
            None => communities.to_vec(),
        }
    }

    /// The repository's filter for one page: `page_size` rows and one more to tell whether more follow.
    pub fn to_list(&self, now_ms: i64, page_size: u32) -> ListFilter {
        let (deadline_from, deadline_before) = match self.due {
            Some(Due::Today) => {
                let (start, end) = super::i18n::china_day_bounds(now_ms);
                (Some(start), Some(end))
            }
            Some(Due::Overdue) => (None, Some(now_ms)),
            None => (None, None),
        };
        ListFilter {
            deadline_from,
            deadline_before,
            open_only: self.due.is_some(),
            reopened: self.reopened,
            status: self.status.clone(),
            tag_type: self.tag_type.clone(),
            tag_handling: self.tag_handling.clone(),
            tag_callback: self.tag_callback.clone(),
            knowledge: self.knowledge,
            assignee: self.worker.clone(),
            search: self.search.clone(),
            after: self.after,
            offset: 0,
            limit: page_size + 1,
        }
    }
}

/// One page of orders the user may see (`page_size` rows, plus whether more follow).
pub fn page(c: &Connection, communities: &[i64], f: &Filter, now_ms: i64, page_size: u32) -> ApiResult<(Vec<ListRow>, bool)> {
    let visible = f.visible_communities(communities);
    let mut rows: Vec<ListRow> =
        repo::orders::list(c, &visible, &f.to_list(now_ms, page_size))?.into_iter().map(ListRow::from_listed).collect();
    let more = rows.len() > page_size as usize;
    rows.truncate(page_size as usize);
    Ok((rows, more))
}

/// Workers of the given communities (for the worker filter).
pub fn workers(c: &Connection, communities: &[i64]) -> ApiResult<Vec<String>> {
    Ok(repo::accounts::workers(c, communities)?)
}

/// (id, name) of the given communities.
pub fn communities(c: &Connection, ids: &[i64]) -> ApiResult<Vec<(i64, String)>> {
    Ok(repo::accounts::community_names(c, ids)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_windows_become_deadline_bounds_on_open_orders() {
        let now = 1_790_000_000_000;
        let overdue = Filter { due: Some(Due::Overdue), ..Filter::default() }.to_list(now, 50);
        assert_eq!((overdue.deadline_from, overdue.deadline_before, overdue.open_only, overdue.limit), (None, Some(now), true, 51));
        let today = Filter { due: Some(Due::Today), ..Filter::default() }.to_list(now, 50);
        let (start, end) = super::super::i18n::china_day_bounds(now);
        assert_eq!((today.deadline_from, today.deadline_before, today.open_only), (Some(start), Some(end), true));
        let plain = Filter { worker: Some("wang".into()), after: Some((5, 6)), ..Filter::default() }.to_list(now, 50);
        assert_eq!((plain.assignee.as_deref(), plain.after, plain.open_only, plain.offset), (Some("wang"), Some((5, 6)), false, 0));
    }
}
