//! Site visits (现场核实, 整改, 跟进观察, 权属取证): a worker's time on site,
//! opened and closed each with a location fix, that evidence is grouped by.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::evidence::LocationFix;
use crate::vocab::{normalize, VISIT_PURPOSES};

/// A site visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// Visit id (UUID).
    pub id: String,
    /// The order it serves; None for a visit before any order exists.
    pub order_number: Option<String>,
    /// Purpose code (see `vocab::VISIT_PURPOSES`).
    pub purpose: String,
    /// Start, Unix ms (device clock).
    pub started_at_ms: i64,
    /// Location at start.
    pub start_fix: Option<LocationFix>,
    /// End, Unix ms; None while on site.
    pub ended_at_ms: Option<i64>,
    /// Location at end.
    pub end_fix: Option<LocationFix>,
}

fn fix_json(fix: &Option<LocationFix>) -> Result<Option<String>> {
    if let Some(f) = fix {
        f.validate()?;
    }
    Ok(fix.as_ref().map(|f| serde_json::to_string(f).expect("fix serializes")))
}

fn parse_fix(s: Option<String>) -> rusqlite::Result<Option<LocationFix>> {
    s.map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Visit> {
    Ok(Visit {
        id: r.get(0)?,
        order_number: r.get(1)?,
        purpose: r.get(2)?,
        started_at_ms: r.get(3)?,
        start_fix: parse_fix(r.get(4)?)?,
        ended_at_ms: r.get(5)?,
        end_fix: parse_fix(r.get(6)?)?,
    })
}

const COLUMNS: &str = "id, order_number, purpose, started_at_ms, start_fix, ended_at_ms, end_fix";

impl Device {
    /// Starts a visit, optionally for an order.
    pub fn start_visit(&self, order_number: Option<String>, purpose: &str, fix: Option<LocationFix>) -> Result<Visit> {
        let purpose = normalize(VISIT_PURPOSES, "走访目的 visit purpose", purpose)?;
        if let Some(n) = &order_number {
            self.get_order(n)?;
        }
        let id = crate::evidence::ids::new_id();
        self.db()?.execute(
            "INSERT INTO visits (id, order_number, purpose, started_at_ms, start_fix) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, order_number, purpose, now_ms(), fix_json(&fix)?],
        )?;
        self.get_visit(&id)
    }

    /// Ends a visit with the fix where the worker left.
    pub fn end_visit(&self, id: &str, fix: Option<LocationFix>) -> Result<Visit> {
        let v = self.get_visit(id)?;
        if v.ended_at_ms.is_some() {
            return Err(Error::InvalidInput(format!("走访 {id} 已结束 / visit {id} has already ended")));
        }
        self.db()?.execute("UPDATE visits SET ended_at_ms = ?2, end_fix = ?3 WHERE id = ?1", params![id, now_ms(), fix_json(&fix)?])?;
        self.get_visit(id)
    }

    /// One visit by id.
    pub fn get_visit(&self, id: &str) -> Result<Visit> {
        self.db()?
            .query_row(&format!("SELECT {COLUMNS} FROM visits WHERE id = ?1"), [id], from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("走访 {id} 不存在 / no visit {id}")))
    }

    /// Visits, newest first, optionally only those of one order.
    pub fn list_visits(&self, order_number: Option<String>) -> Result<Vec<Visit>> {
        let conn = self.db()?;
        let mut stmt =
            conn.prepare(&format!("SELECT {COLUMNS} FROM visits WHERE ?1 IS NULL OR order_number = ?1 ORDER BY started_at_ms DESC"))?;
        let rows = stmt.query_map([order_number], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
