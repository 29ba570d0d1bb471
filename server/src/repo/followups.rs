//! The `followups` table: follow-up observation windows of an order, each
//! read with how many of the order's evidence items were captured inside it.

use rusqlite::{params, Connection};

use super::id_list;

/// One live (not cancelled) follow-up window as stored, with what was captured in it.
#[derive(Debug, Clone)]
pub struct FollowupRow {
    /// Row id.
    pub id: i64,
    /// Order number.
    pub order_number: String,
    /// Window start, Unix ms.
    pub from_ms: i64,
    /// Window end, Unix ms.
    pub due_ms: i64,
    /// What to look at.
    pub note: String,
    /// Who scheduled it.
    pub created_by: String,
    /// Evidence items of the order captured inside the window.
    pub observed_items: i64,
}

// Capture time of an entry: the anchored time when the phone had one, else its clock.
const CAPTURED: &str = "coalesce(json_extract(e.manifest, '$.anchored.utc_ms'), json_extract(e.manifest, '$.capture.device_time_ms'))";

fn select(where_sql: &str) -> String {
    format!(
        "SELECT f.id, o.number, f.from_ms, f.due_ms, f.note, u.username,
            (SELECT COUNT(*) FROM entries e WHERE e.community_id = o.community_id AND e.order_number = o.number
               AND e.kind != 'attach' AND {CAPTURED} BETWEEN f.from_ms AND f.due_ms)
         FROM followups f JOIN orders o ON o.id = f.order_id JOIN users u ON u.id = f.created_by
         WHERE f.cancelled_at_ms IS NULL AND {where_sql}"
    )
}

fn read(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<Vec<FollowupRow>> {
    let mut s = c.prepare(sql)?;
    let v = s
        .query_map(p, |r| {
            Ok(FollowupRow {
                id: r.get(0)?,
                order_number: r.get(1)?,
                from_ms: r.get(2)?,
                due_ms: r.get(3)?,
                note: r.get(4)?,
                created_by: r.get(5)?,
                observed_items: r.get(6)?,
            })
        })?
        .collect();
    v
}

/// Follow-ups of one order, by window end.
pub fn of_order(c: &Connection, order_id: i64) -> rusqlite::Result<Vec<FollowupRow>> {
    read(c, &format!("{} ORDER BY f.due_ms, f.id", select("f.order_id = ?1")), [order_id])
}

/// Follow-ups of the given communities whose window ends after `since_ms`, by window end (at most 500).
pub fn of_communities(c: &Connection, communities: &[i64], since_ms: i64) -> rusqlite::Result<Vec<FollowupRow>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let filter = format!("o.community_id IN ({}) AND f.due_ms >= ?1", id_list(communities));
    read(c, &format!("{} ORDER BY f.due_ms, f.id LIMIT 500", select(&filter)), [since_ms])
}

/// Stores a window; its id.
pub fn insert(c: &Connection, order_id: i64, from_ms: i64, due_ms: i64, note: &str, user_id: i64, at_ms: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO followups (order_id, from_ms, due_ms, note, created_by, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![order_id, from_ms, due_ms, note, user_id, at_ms],
    )?;
    Ok(c.last_insert_rowid())
}

/// Marks a live window of an order cancelled (kept); false when there is none.
pub fn cancel(c: &Connection, order_id: i64, id: i64, at_ms: i64) -> rusqlite::Result<bool> {
    let n = c.execute(
        "UPDATE followups SET cancelled_at_ms = ?3 WHERE id = ?1 AND order_id = ?2 AND cancelled_at_ms IS NULL",
        params![id, order_id, at_ms],
    )?;
    Ok(n > 0)
}
