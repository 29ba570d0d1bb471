//! The `orders`, `order_history`, `order_watchers` tables and the order
//! change counter. The order list is one keyset query (sorted by deadline,
//! none last, then id) for the API and the console alike: a page continues
//! after the last row's (deadline, id), so its cost does not grow with how
//! far one pages, and the `orders_list_*` indexes serve the sort.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::id_list;
use siteproof_protocol::vocab::{OrderKind, OrderStatus};

/// A stored work order (the API sends it as `siteproof_protocol::wire::order::WireOrder`).
#[derive(Debug, Clone)]
pub struct Order {
    /// City platform order number (unique within the street office).
    pub number: String,
    /// Community name.
    pub community: String,
    /// Kind.
    pub kind: OrderKind,
    /// Category.
    pub category: String,
    /// Address / spot.
    pub address: String,
    /// Spot latitude.
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    pub spot_lon: Option<f64>,
    /// Complainant contact (masked for workers and devices).
    pub complainant: String,
    /// What the resident asked.
    pub content: String,
    /// Dispatch time, Unix ms.
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    pub deadline_ms: Option<i64>,
    /// Status.
    pub status: OrderStatus,
    /// Tag: order type.
    pub tag_type: Option<String>,
    /// Tag: handling result.
    pub tag_handling: Option<String>,
    /// Tag: callback result.
    pub tag_callback: Option<String>,
    /// Tag: knowledge to keep.
    pub knowledge: String,
    /// Free notes.
    pub notes: String,
    /// Assigned worker's username.
    pub assignee: Option<String>,
    /// Increments with every change.
    pub version: i64,
    /// Server-wide change counter (device cursors).
    pub change_seq: i64,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
    pub(crate) id: i64,
    pub(crate) community_id: i64,
    pub(crate) assignee_id: Option<i64>,
}

/// Sort key of orders without a deadline: after every real one (the list indexes use the same).
pub const NO_DEADLINE: i64 = i64::MAX;

pub(crate) const SELECT: &str = "SELECT o.id, o.number, c.name, o.kind, o.category, o.address, o.spot_lat, o.spot_lon,
    o.complainant, o.content, o.dispatched_at_ms, o.deadline_ms, o.status, o.tag_type, o.tag_handling,
    o.tag_callback, o.knowledge, o.notes, u.username, o.version, o.change_seq, o.created_at_ms,
    o.updated_at_ms, o.community_id, o.assignee_id
    FROM orders o JOIN communities c ON c.id = o.community_id LEFT JOIN users u ON u.id = o.assignee_id";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        number: r.get(1)?,
        community: r.get(2)?,
        kind: r.get(3)?,
        category: r.get(4)?,
        address: r.get(5)?,
        spot_lat: r.get(6)?,
        spot_lon: r.get(7)?,
        complainant: r.get(8)?,
        content: r.get(9)?,
        dispatched_at_ms: r.get(10)?,
        deadline_ms: r.get(11)?,
        status: r.get(12)?,
        tag_type: r.get(13)?,
        tag_handling: r.get(14)?,
        tag_callback: r.get(15)?,
        knowledge: r.get(16)?,
        notes: r.get(17)?,
        assignee: r.get(18)?,
        version: r.get(19)?,
        change_seq: r.get(20)?,
        created_at_ms: r.get(21)?,
        updated_at_ms: r.get(22)?,
        community_id: r.get(23)?,
        assignee_id: r.get(24)?,
    })
}

/// One order by number among some communities (every match: communities of
/// one office never share a number, an operator's view across offices may).
pub fn by_number(c: &Connection, number: &str, communities: &[i64]) -> rusqlite::Result<Vec<Order>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = c.prepare(&format!("{SELECT} WHERE o.number = ?1 AND o.community_id IN ({})", id_list(communities)))?;
    let rows = s.query_map([number], from_row)?.collect();
    rows
}

/// What to list: every condition is optional; `after` and `offset` page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    /// Only deadlines at or after this, Unix ms.
    pub deadline_from: Option<i64>,
    /// Only deadlines before this, Unix ms.
    pub deadline_before: Option<i64>,
    /// Only orders still open (not answered, closed or returned).
    pub open_only: bool,
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
    /// Only orders with knowledge notes.
    pub knowledge: bool,
    /// Assigned worker's username.
    pub assignee: Option<String>,
    /// Search text: every word must appear in the number, address, content or notes.
    pub search: Option<String>,
    /// Continue after this (deadline key, id).
    pub after: Option<(i64, i64)>,
    /// Skip this many rows first (the API's `offset`).
    pub offset: u32,
    /// At most this many rows.
    pub limit: u32,
}

/// An order of a list, with how many evidence entries name it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The order.
    pub order: Order,
    /// Evidence entries filed directly under it.
    pub evidence: i64,
}

impl Listed {
    /// The keyset cursor continuing after this row.
    pub fn cursor(&self) -> (i64, i64) {
        (self.order.deadline_ms.unwrap_or(NO_DEADLINE), self.order.id)
    }
}

/// `OrderStatus::FINISHED` as an SQL list: statuses after which a deadline no longer matters.
fn finished_sql() -> String {
    let codes: Vec<String> = OrderStatus::FINISHED.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", codes.join(", "))
}

/// The SQL and arguments of one list page (None when no community is visible).
pub fn list_sql(communities: &[i64], f: &ListFilter) -> Option<(String, Vec<Value>)> {
    if communities.is_empty() {
        return None;
    }
    let mut sql = format!(
        "SELECT o.id, o.number, c.name, o.kind, o.category, o.address, o.spot_lat, o.spot_lon,
            o.complainant, o.content, o.dispatched_at_ms, o.deadline_ms, o.status, o.tag_type, o.tag_handling,
            o.tag_callback, o.knowledge, o.notes, u.username, o.version, o.change_seq, o.created_at_ms,
            o.updated_at_ms, o.community_id, o.assignee_id,
            (SELECT COUNT(*) FROM entries e WHERE e.community_id = o.community_id AND e.order_number = o.number)
         FROM orders o JOIN communities c ON c.id = o.community_id LEFT JOIN users u ON u.id = o.assignee_id
         WHERE o.community_id IN ({})",
        id_list(communities)
    );
    let mut args: Vec<Value> = Vec::new();
    let mut bind = |sql: &mut String, cond: &str, v: Value| {
        args.push(v);
        sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
    };
    // Deadline bounds are written on the list index's own expression, so a
    // range is an index seek rather than a walk from the oldest deadline.
    if let Some(from) = f.deadline_from {
        bind(&mut sql, &format!(" AND ifnull(o.deadline_ms, {NO_DEADLINE}) >= ?"), Value::Integer(from));
    }
    if let Some(before) = f.deadline_before {
        bind(&mut sql, &format!(" AND ifnull(o.deadline_ms, {NO_DEADLINE}) < ?"), Value::Integer(before));
    }
    if f.open_only {
        sql.push_str(&format!(" AND o.status NOT IN {}", finished_sql()));
    }
    if f.reopened {
        sql.push_str(&format!(" AND (o.status = '{}' OR o.tag_callback = 'reopened')", OrderStatus::Reopened.as_str()));
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
    if let Some(w) = &f.assignee {
        bind(&mut sql, " AND o.assignee_id = (SELECT id FROM users WHERE username = ?)", Value::Text(w.clone()));
    }
    if let Some(text) = &f.search {
        for (cond, v) in super::order_search::conditions(text) {
            bind(&mut sql, &cond, v);
        }
    }
    if let Some((k, id)) = f.after {
        bind(&mut sql, &format!(" AND (ifnull(o.deadline_ms, {NO_DEADLINE}), o.id) > (?"), Value::Integer(k));
        bind(&mut sql, ", ?)", Value::Integer(id));
    }
    sql.push_str(&format!(" ORDER BY ifnull(o.deadline_ms, {NO_DEADLINE}), o.id LIMIT {} OFFSET {}", f.limit, f.offset));
    Some((sql, args))
}

/// One page of the order list of some communities.
pub fn list(c: &Connection, communities: &[i64], f: &ListFilter) -> rusqlite::Result<Vec<Listed>> {
    let Some((sql, args)) = list_sql(communities, f) else { return Ok(Vec::new()) };
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok(Listed { order: from_row(r)?, evidence: r.get(25)? }))?.collect();
    rows
}

/// Orders that concern a worker (assigned now or before), changed after `cursor`.
pub fn changed_for_worker(c: &Connection, community_id: i64, user_id: i64, cursor: i64, limit: u32) -> rusqlite::Result<Vec<Order>> {
    let mut stmt = c.prepare(&format!(
        "{SELECT} WHERE o.community_id = ?1 AND o.change_seq > ?3
            AND (o.assignee_id = ?2 OR o.id IN (SELECT order_id FROM order_watchers WHERE user_id = ?2))
         ORDER BY o.change_seq LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![community_id, user_id, cursor, limit], from_row)?.collect();
    rows
}

/// Whether an account was ever assigned the order.
pub fn watched_by(c: &Connection, order_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    Ok(c.query_row("SELECT 1 FROM order_watchers WHERE order_id = ?1 AND user_id = ?2", [order_id, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Bumps and returns the server-wide order change counter.
pub fn next_change(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("UPDATE counters SET value = value + 1 WHERE name = 'order_change' RETURNING value", [], |r| r.get(0))
}

/// Whether an order number is taken in the street office of a community.
pub fn number_taken(c: &Connection, community_id: i64, number: &str) -> rusqlite::Result<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM orders WHERE number = ?2 AND office_id = (SELECT office_id FROM communities WHERE id = ?1)",
        params![community_id, number],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// The stored fields of a new order.
pub struct NewOrderRow<'a> {
    /// Number.
    pub number: &'a str,
    /// Community.
    pub community_id: i64,
    /// Kind.
    pub kind: OrderKind,
    /// Category.
    pub category: &'a str,
    /// Address.
    pub address: &'a str,
    /// Spot latitude.
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    pub spot_lon: Option<f64>,
    /// Complainant contact.
    pub complainant: &'a str,
    /// Content.
    pub content: &'a str,
    /// Dispatch time, Unix ms.
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    pub deadline_ms: Option<i64>,
    /// Change counter value.
    pub change_seq: i64,
    /// Now, Unix ms.
    pub at_ms: i64,
}

/// Stores a new order; its id.
pub fn insert(c: &Connection, n: &NewOrderRow<'_>) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO orders (office_id, number, community_id, kind, category, address, spot_lat, spot_lon, complainant, content,
            dispatched_at_ms, deadline_ms, change_seq, created_at_ms, updated_at_ms)
         VALUES ((SELECT office_id FROM communities WHERE id = ?2), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        params![
            n.number,
            n.community_id,
            n.kind,
            n.category,
            n.address,
            n.spot_lat,
            n.spot_lon,
            n.complainant,
            n.content,
            n.dispatched_at_ms,
            n.deadline_ms,
            n.change_seq,
            n.at_ms
        ],
    )?;
    Ok(c.last_insert_rowid())
}

/// An editable field of an order: status, the three tags, knowledge, notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Status code.
    Status,
    /// Tag: order type.
    TagType,
    /// Tag: handling.
    TagHandling,
    /// Tag: callback.
    TagCallback,
    /// Knowledge notes.
    Knowledge,
    /// Free notes.
    Notes,
}

impl Field {
    /// Every editable field, in the order edits are applied.
    pub const ALL: [Field; 6] = [Field::Status, Field::TagType, Field::TagHandling, Field::TagCallback, Field::Knowledge, Field::Notes];

    /// Column name, also the field's name in history and in the API.
    pub fn column(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::TagType => "tag_type",
            Field::TagHandling => "tag_handling",
            Field::TagCallback => "tag_callback",
            Field::Knowledge => "knowledge",
            Field::Notes => "notes",
        }
    }
}

/// Sets one field.
pub fn set_field(c: &Connection, order_id: i64, field: Field, value: Option<&str>) -> rusqlite::Result<()> {
    c.execute(&format!("UPDATE orders SET {} = ?2 WHERE id = ?1", field.column()), params![order_id, value])?;
    Ok(())
}

/// Records a new version of an order.
pub fn bump_version(c: &Connection, order_id: i64, version: i64, change_seq: i64, at_ms: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET version = ?2, change_seq = ?3, updated_at_ms = ?4 WHERE id = ?1",
        params![order_id, version, change_seq, at_ms],
    )?;
    Ok(())
}

/// Assigns (or unassigns) an order as a new version; an assignee becomes a watcher for good.
pub fn set_assignee(
    c: &Connection,
    order_id: i64,
    assignee: Option<i64>,
    version: i64,
    change_seq: i64,
    at_ms: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET assignee_id = ?2, version = ?3, change_seq = ?4, updated_at_ms = ?5 WHERE id = ?1",
        params![order_id, assignee, version, change_seq, at_ms],
    )?;
    if let Some(id) = assignee {
        c.execute("INSERT OR IGNORE INTO order_watchers (order_id, user_id) VALUES (?1, ?2)", params![order_id, id])?;
    }
    Ok(())
}

/// One change to record in the history.
pub struct NewHistory<'a> {
    /// The order.
    pub order_id: i64,
    /// Version the change produced.
    pub version: i64,
    /// Field name ("created", "assignee" or an editable field).
    pub field: &'a str,
    /// Value before.
    pub old: Option<&'a str>,
    /// Value after.
    pub new: Option<&'a str>,
    /// Who.
    pub actor_id: i64,
    /// Their stored role name.
    pub actor_role: &'a str,
    /// Through which device.
    pub device_id: Option<&'a str>,
    /// Now, Unix ms.
    pub at_ms: i64,
}

/// Appends to an order's history.
pub fn record_history(c: &Connection, h: &NewHistory<'_>) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO order_history (order_id, version, field, old_value, new_value, actor_id, actor_role, device_id, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![h.order_id, h.version, h.field, h.old, h.new, h.actor_id, h.actor_role, h.device_id, h.at_ms],
    )?;
    Ok(())
}

/// Whether a coordinator or admin (not through a device) changed a field after a version.
pub fn changed_by_staff_since(c: &Connection, order_id: i64, version: i64, field: Field) -> rusqlite::Result<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM order_history WHERE order_id = ?1 AND version > ?2 AND field = ?3
               AND actor_role IN ('coordinator', 'admin') AND device_id IS NULL LIMIT 1",
        params![order_id, version, field.column()],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// One recorded change.
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    /// Order version the change produced.
    pub version: i64,
    /// Field changed ("created", "assignee", "status", tags, notes).
    pub field: String,
    /// Value before.
    pub old_value: Option<String>,
    /// Value after.
    pub new_value: Option<String>,
    /// Who (login name).
    pub actor: Option<String>,
    /// Their real name, empty when none was given.
    pub actor_real_name: Option<String>,
    /// Their role then.
    pub actor_role: Option<String>,
    /// Through which device, if any.
    pub device_id: Option<String>,
    /// When, Unix ms.
    pub at_ms: i64,
}

/// The full change history of an order, oldest first.
pub fn history(c: &Connection, order_id: i64) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut stmt = c.prepare(
        "SELECT h.version, h.field, h.old_value, h.new_value, u.username, h.actor_role, h.device_id, h.at_ms, u.real_name
         FROM order_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.order_id = ?1 ORDER BY h.id",
    )?;
    let rows = stmt
        .query_map([order_id], |r| {
            Ok(HistoryEntry {
                version: r.get(0)?,
                field: r.get(1)?,
                old_value: r.get(2)?,
                new_value: r.get(3)?,
                actor: r.get(4)?,
                actor_role: r.get(5)?,
                device_id: r.get(6)?,
                at_ms: r.get(7)?,
                actor_real_name: r.get(8)?,
            })
        })?
        .collect();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(c: &Connection, f: &ListFilter, communities: &[i64]) -> String {
        let (sql, args) = list_sql(communities, f).unwrap();
        let mut s = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = s.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// The list is served in index order: no full sort of a community's orders per page.
    #[test]
    fn list_queries_use_the_list_indexes() {
        let mut c = Connection::open_in_memory().unwrap();
        crate::db::schema::migrate(&mut c).unwrap();
        let page = ListFilter { limit: 51, ..ListFilter::default() };
        let after = ListFilter { after: Some((1_790_000_000_000, 42)), ..page.clone() };
        let overdue = ListFilter { deadline_before: Some(1_790_000_000_000), open_only: true, ..page.clone() };
        for (f, index) in [
            (page.clone(), "orders_list_deadline"),
            (after, "orders_list_deadline"),
            (overdue, "orders_list_deadline"),
            (ListFilter { tag_type: Some("key".into()), ..page.clone() }, "orders_list_deadline"),
            (ListFilter { status: Some("reopened".into()), ..page.clone() }, "orders_list_status"),
            (ListFilter { offset: 200, ..page.clone() }, "orders_list_deadline"),
        ] {
            let p = plan(&c, &f, &[1]);
            assert!(p.contains(index), "{f:?}:\n{p}");
            assert!(!p.contains("TEMP B-TREE FOR ORDER BY"), "{f:?} sorts:\n{p}");
            assert!(p.contains("entries_order"), "evidence counts use the entries index:\n{p}");
        }
        let p = plan(&c, &ListFilter { assignee: Some("wang".into()), ..page }, &[1]);
        assert!(p.contains("orders_list_assignee") || p.contains("orders_list_deadline"), "{p}");
    }
}
