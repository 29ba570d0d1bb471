//! The order list's filters and keyset pagination. Orders are sorted by
//! deadline (none last) then id, and a page continues after the last row's
//! (deadline, id): the cost of a page does not grow with how far one pages,
//! and the `orders_list_*` indexes serve the sort for 10,000+ orders.

use rusqlite::types::Value;
use rusqlite::Connection;

use crate::api::body::Query;
use crate::error::{ApiError, ApiResult};
use siteproof_protocol::vocab::{normalize, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

/// Sort key of orders without a deadline: after every real one.
const NO_DEADLINE: i64 = i64::MAX;
/// Statuses after which a deadline no longer matters.
const FINISHED: &str = "('answered', 'closed', 'returned')";

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
    /// Continue after this (deadline key, id).
    pub after: Option<(i64, i64)>,
}

/// Query keys the list accepts.
pub const KEYS: &[&str] =
    &["due", "reopened", "status", "type", "handling", "callback", "knowledge", "community", "worker", "after", "lang"];

fn flag(q: &Query, key: &str) -> ApiResult<bool> {
    match q.get(key).map(String::as_str) {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(ApiError::bad_request("bad_query", &format!("{key} 只能是 0 或 1"), &format!("{key} must be 0 or 1"))),
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
            Some(_) => return Err(ApiError::bad_request("bad_query", "due 只能是 today 或 overdue", "due must be today or overdue")),
        };
        let community = match q.get("community").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse().map_err(|_| ApiError::bad_request("bad_query", "community 须为数字", "community must be a number"))?),
        };
        let after = match q.get("after").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let bad = || ApiError::bad_request("bad_query", "翻页参数无效", "after must be DEADLINE_ID as given by the next-page link");
                let (k, id) = s.split_once('_').ok_or_else(bad)?;
                Some((k.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
            }
        };
        let worker = q.get("worker").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if worker.as_ref().is_some_and(|w| w.len() > 64) {
            return Err(ApiError::bad_request("bad_query", "worker 过长", "worker name too long"));
        }
        Ok(Filter {
            due,
            reopened: flag(q, "reopened")?,
            status: vocab(q, "status", ORDER_STATUSES, "状态 status")?,
            tag_type: vocab(q, "type", TAG_TYPES, "工单类别 order type")?,
            tag_handling: vocab(q, "handling", TAG_HANDLING, "办理情况 handling")?,
            tag_callback: vocab(q, "callback", TAG_CALLBACK, "回访结果 callback")?,
            knowledge: flag(q, "knowledge")?,
            community,
            worker,
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

/// The SQL and arguments of one page (None when the user sees no community the filter allows).
pub fn page_sql(communities: &[i64], f: &Filter, now_ms: i64, page_size: u32) -> Option<(String, Vec<Value>)> {
    let visible: Vec<i64> = match f.community {
        Some(id) => communities.iter().copied().filter(|c| *c == id).collect(),
        None => communities.to_vec(),
    };
    if visible.is_empty() {
        return None;
    }
    let ids = visible.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut sql = format!(
        "SELECT o.id, o.number, c.name, o.kind, o.category, o.address, o.deadline_ms, o.status, o.tag_type, o.tag_handling,
                o.tag_callback, o.knowledge != '', u.username,
                (SELECT COUNT(*) FROM entries e WHERE e.community_id = o.community_id AND e.order_number = o.number)
         FROM orders o JOIN communities c ON c.id = o.community_id LEFT JOIN users u ON u.id = o.assignee_id
         WHERE o.community_id IN ({ids})"
    );
    let mut args: Vec<Value> = Vec::new();
    let mut bind = |sql: &mut String, cond: &str, v: Value| {
        args.push(v);
        sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
    };
    match f.due {
        Some(Due::Today) => {
            let (start, end) = super::i18n::china_day_bounds(now_ms);
            // Written on the list index's own expression, so the range is an
            // index seek rather than a walk from the oldest deadline.
            bind(&mut sql, &format!(" AND ifnull(o.deadline_ms, {NO_DEADLINE}) >= ?"), Value::Integer(start));
            bind(&mut sql, &format!(" AND ifnull(o.deadline_ms, {NO_DEADLINE}) < ?"), Value::Integer(end));
            sql.push_str(&format!(" AND o.status NOT IN {FINISHED}"));
        }
        Some(Due::Overdue) => {
            bind(&mut sql, &format!(" AND ifnull(o.deadline_ms, {NO_DEADLINE}) < ?"), Value::Integer(now_ms));
            sql.push_str(&format!(" AND o.status NOT IN {FINISHED}"));
        }
        None => {}
    }
    if f.reopened {
        sql.push_str(" AND (o.status = 'reopened' OR o.tag_callback = 'reopened')");
    }
    for (col, v) in
        [("o.status", &f.status), ("o.tag_type", &f.tag_type), ("o.tag_handling", &f.tag_handling), ("o.tag_callback", &f.tag_callback)]
    {
        if let Some(v) = v {
            bind(&mut sql, &format!(" AND {col} = ?"), Value::Text(v.clone()));
        }
    }
    if f.knowledge {
        sql.push_str(" AND o.knowledge != ''");
    }
    if let Some(w) = &f.worker {
        bind(&mut sql, " AND o.assignee_id = (SELECT id FROM users WHERE username = ?)", Value::Text(w.clone()));
    }
    if let Some((k, id)) = f.after {
        bind(&mut sql, &format!(" AND (ifnull(o.deadline_ms, {NO_DEADLINE}), o.id) > (?"), Value::Integer(k));
        bind(&mut sql, ", ?)", Value::Integer(id));
    }
    sql.push_str(&format!(" ORDER BY ifnull(o.deadline_ms, {NO_DEADLINE}), o.id LIMIT {}", page_size + 1));
    Some((sql, args))
}

/// One page of orders the user may see (`page_size` rows, plus whether more follow).
pub fn page(c: &Connection, communities: &[i64], f: &Filter, now_ms: i64, page_size: u32) -> ApiResult<(Vec<ListRow>, bool)> {
    let Some((sql, args)) = page_sql(communities, f, now_ms, page_size) else { return Ok((Vec::new(), false)) };
    let mut stmt = c.prepare(&sql)?;
    let mut rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok(ListRow {
                id: r.get(0)?,
                number: r.get(1)?,
                community: r.get(2)?,
                kind: r.get(3)?,
                category: r.get(4)?,
                address: r.get(5)?,
                deadline_ms: r.get(6)?,
                status: r.get(7)?,
                tag_type: r.get(8)?,
                tag_handling: r.get(9)?,
                tag_callback: r.get(10)?,
                has_knowledge: r.get(11)?,
                assignee: r.get(12)?,
                evidence: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() > page_size as usize;
    rows.truncate(page_size as usize);
    Ok((rows, more))
}

/// Workers of the given communities (for the worker filter).
pub fn workers(c: &Connection, communities: &[i64]) -> ApiResult<Vec<String>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let ids = communities.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut s = c.prepare(&format!("SELECT username FROM users WHERE role = 'worker' AND community_id IN ({ids}) ORDER BY username"))?;
    let v = s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(v)
}

/// (id, name) of the given communities.
pub fn communities(c: &Connection, ids: &[i64]) -> ApiResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut s = c.prepare(&format!("SELECT id, name FROM communities WHERE id IN ({list}) ORDER BY name"))?;
    let v = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(c: &Connection, f: &Filter, communities: &[i64]) -> String {
        let (sql, args) = page_sql(communities, f, 1_790_000_000_000, 50).unwrap();
        let mut s = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = s.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// The list is served in index order: no full sort of a community's orders per page.
    #[test]
    fn list_queries_use_the_list_indexes() {
        let mut c = Connection::open_in_memory().unwrap();
        crate::db::schema::migrate(&mut c).unwrap();
        let after = Filter { after: Some((1_790_000_000_000, 42)), ..Filter::default() };
        for (f, index) in [
            (Filter::default(), "orders_list_deadline"),
            (after, "orders_list_deadline"),
            (Filter { due: Some(Due::Overdue), ..Filter::default() }, "orders_list_deadline"),
            (Filter { tag_type: Some("key".into()), ..Filter::default() }, "orders_list_deadline"),
            (Filter { status: Some("reopened".into()), ..Filter::default() }, "orders_list_status"),
        ] {
            let p = plan(&c, &f, &[1]);
            assert!(p.contains(index), "{f:?}:\n{p}");
            assert!(!p.contains("TEMP B-TREE FOR ORDER BY"), "{f:?} sorts:\n{p}");
            assert!(p.contains("entries_order"), "evidence counts use the entries index:\n{p}");
        }
        let p = plan(&c, &Filter { worker: Some("wang".into()), ..Filter::default() }, &[1]);
        assert!(p.contains("orders_list_assignee") || p.contains("orders_list_deadline"), "{p}");
    }
}
