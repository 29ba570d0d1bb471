//! The `orders` table's SQL: the device's copy of its work orders, edited
//! offline (marked dirty) and merged with the server's by sync.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::orders::{NewOrder, WorkOrder};
use crate::vocab::OrderStatus;

const COLUMNS: &str = "number, kind, category, address, spot_lat, spot_lon, content, dispatched_at_ms,
    deadline_ms, status, tag_type, tag_handling, tag_callback, knowledge, notes, server_version, dirty, updated_at_ms";

fn from_row(r: &Row<'_>) -> rusqlite::Result<WorkOrder> {
    Ok(WorkOrder {
        number: r.get(0)?,
        kind: r.get(1)?,
        category: r.get(2)?,
        address: r.get(3)?,
        spot_lat: r.get(4)?,
        spot_lon: r.get(5)?,
        content: r.get(6)?,
        dispatched_at_ms: r.get(7)?,
        deadline_ms: r.get(8)?,
        status: r.get(9)?,
        tag_type: r.get(10)?,
        tag_handling: r.get(11)?,
        tag_callback: r.get(12)?,
        knowledge: r.get(13)?,
        notes: r.get(14)?,
        server_version: r.get(15)?,
        dirty: r.get(16)?,
        updated_at_ms: r.get(17)?,
    })
}

/// Inserts an order created on the device (already checked), status new and dirty;
/// false if the number is taken.
pub(crate) fn insert_new(conn: &Connection, o: &NewOrder, now_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO orders (number, kind, category, address, spot_lat, spot_lon, content,
            dispatched_at_ms, deadline_ms, status, dirty, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11)",
        params![
            o.number,
            o.kind,
            o.category,
            o.address,
            o.spot_lat,
            o.spot_lon,
            o.content,
            o.dispatched_at_ms,
            o.deadline_ms,
            OrderStatus::New,
            now_ms
        ],
    )? > 0)
}

/// One order by number.
pub(crate) fn get(conn: &Connection, number: &str) -> rusqlite::Result<Option<WorkOrder>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM orders WHERE number = ?1"), [number], from_row).optional()
}

/// All orders, nearest deadline first (orders without a deadline last).
pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<WorkOrder>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM orders ORDER BY deadline_ms IS NULL, deadline_ms, number"))?;
    let rows = stmt.query_map([], from_row)?.collect();
    rows
}

/// Saves a local edit of status, tags and notes, marking the order for push.
pub(crate) fn save_local_edit(conn: &Connection, o: &WorkOrder, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE orders SET status = ?2, tag_type = ?3, tag_handling = ?4, tag_callback = ?5,
            knowledge = ?6, notes = ?7, dirty = 1, updated_at_ms = ?8 WHERE number = ?1",
        params![o.number, o.status, o.tag_type, o.tag_handling, o.tag_callback, o.knowledge, o.notes, now_ms],
    )?;
    Ok(())
}

#[cfg(feature = "sync")]
/// Writes the server's copy of an order (clean, at the server's version). Unless
/// `overwrite_unpushed`, an unpushed local edit wins until sync has pushed it.
pub(crate) fn upsert_from_server(conn: &Connection, o: &WorkOrder, overwrite_unpushed: bool, now_ms: i64) -> rusqlite::Result<()> {
    let guard = if overwrite_unpushed { "" } else { "WHERE orders.dirty = 0 OR orders.server_version = 0" };
    conn.execute(
        &format!(
            "INSERT INTO orders (number, kind, category, address, spot_lat, spot_lon, content, dispatched_at_ms,
                deadline_ms, status, tag_type, tag_handling, tag_callback, knowledge, server_version, dirty, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 0, ?16)
             ON CONFLICT(number) DO UPDATE SET kind = ?2, category = ?3, address = ?4, spot_lat = ?5, spot_lon = ?6,
                content = ?7, dispatched_at_ms = ?8, deadline_ms = ?9, status = ?10, tag_type = ?11,
                tag_handling = ?12, tag_callback = ?13, knowledge = ?14, server_version = ?15, dirty = 0,
                updated_at_ms = ?16 {guard}"
        ),
        params![
            o.number,
            o.kind,
            o.category,
            o.address,
            o.spot_lat,
            o.spot_lon,
            o.content,
            o.dispatched_at_ms,
            o.deadline_ms,
            o.status,
            o.tag_type,
            o.tag_handling,
            o.tag_callback,
            o.knowledge,
            o.server_version,
            now_ms
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::open_database;
    use crate::vocab::{OrderKind, Term};

    #[test]
    fn a_status_this_build_does_not_know_is_read_back_as_stored_and_a_local_edit_stores_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_database(&dir.path().join("device.db")).unwrap();
        let new = NewOrder {
            number: "A-1".into(),
            kind: "complaint".into(),
            category: "噪音".into(),
            address: "x".into(),
            ..NewOrder::default()
        };
        assert!(insert_new(&conn, &new, 1).unwrap());
        let o = get(&conn, "A-1").unwrap().unwrap();
        assert_eq!((o.kind, o.status), (Term::Known(OrderKind::Complaint), Term::Known(OrderStatus::New)));

        // What a newer server sent and sync stored stays as sent.
        conn.execute("UPDATE orders SET status = 'returned_for_review' WHERE number = 'A-1'", []).unwrap();
        let mut o = get(&conn, "A-1").unwrap().unwrap();
        assert_eq!(o.status, Term::Unknown("returned_for_review".into()));

        o.status = OrderStatus::InProgress.into();
        save_local_edit(&conn, &o, 2).unwrap();
        let stored: String = conn.query_row("SELECT status FROM orders WHERE number = 'A-1'", [], |r| r.get(0)).unwrap();
        assert_eq!(stored, "in_progress");
        assert_eq!(list(&conn).unwrap()[0].status, OrderStatus::InProgress);
    }
}
