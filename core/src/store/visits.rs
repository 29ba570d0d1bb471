//! The `visits` table's SQL: site visits with where they started and ended.
//! Fixes are stored as JSON text.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::evidence::LocationFix;
use crate::visits::Visit;

const COLUMNS: &str = "id, order_number, purpose, started_at_ms, start_fix, ended_at_ms, end_fix";

fn fix_json(fix: &Option<LocationFix>) -> Option<String> {
    fix.as_ref().map(|f| serde_json::to_string(f).expect("a fix serializes"))
}

fn parse_fix(s: Option<String>, column: usize) -> rusqlite::Result<Option<LocationFix>> {
    s.map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Visit> {
    Ok(Visit {
        id: r.get(0)?,
        order_number: r.get(1)?,
        purpose: r.get(2)?,
        started_at_ms: r.get(3)?,
        start_fix: parse_fix(r.get(4)?, 4)?,
        ended_at_ms: r.get(5)?,
        end_fix: parse_fix(r.get(6)?, 6)?,
    })
}

/// Starts a visit (inputs already checked).
pub(crate) fn insert(
    conn: &Connection,
    id: &str,
    order_number: Option<&str>,
    purpose: &str,
    started_at_ms: i64,
    fix: &Option<LocationFix>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO visits (id, order_number, purpose, started_at_ms, start_fix) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, order_number, purpose, started_at_ms, fix_json(fix)],
    )?;
    Ok(())
}

/// Ends a visit.
pub(crate) fn end(conn: &Connection, id: &str, ended_at_ms: i64, fix: &Option<LocationFix>) -> rusqlite::Result<()> {
    conn.execute("UPDATE visits SET ended_at_ms = ?2, end_fix = ?3 WHERE id = ?1", params![id, ended_at_ms, fix_json(fix)])?;
    Ok(())
}

/// One visit by id.
pub(crate) fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Visit>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM visits WHERE id = ?1"), [id], from_row).optional()
}

/// Visits, newest first, optionally only those of one order.
pub(crate) fn list(conn: &Connection, order_number: Option<&str>) -> rusqlite::Result<Vec<Visit>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {COLUMNS} FROM visits WHERE ?1 IS NULL OR order_number = ?1 ORDER BY started_at_ms DESC"))?;
    let rows = stmt.query_map([order_number], from_row)?.collect();
    rows
}
