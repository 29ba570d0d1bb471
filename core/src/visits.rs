//! Site visits (现场核实, 整改, 跟进观察, 权属取证): a worker's time on site,
//! opened and closed each with a location fix, that evidence is grouped by.

use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::evidence::LocationFix;
use crate::store::visits;
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

fn check_fix(fix: &Option<LocationFix>) -> Result<()> {
    match fix {
        Some(f) => Ok(f.validate()?),
        None => Ok(()),
    }
}

impl Device {
    /// Starts a visit, optionally for an order.
    pub fn start_visit(&self, order_number: Option<String>, purpose: &str, fix: Option<LocationFix>) -> Result<Visit> {
        let purpose = normalize(VISIT_PURPOSES, "走访目的 visit purpose", purpose)?;
        if let Some(n) = &order_number {
            self.get_order(n)?;
        }
        check_fix(&fix)?;
        let id = crate::evidence::ids::new_id();
        visits::insert(&*self.db()?, &id, order_number.as_deref(), &purpose, now_ms(), &fix)?;
        self.get_visit(&id)
    }

    /// Ends a visit with the fix where the worker left.
    pub fn end_visit(&self, id: &str, fix: Option<LocationFix>) -> Result<Visit> {
        let v = self.get_visit(id)?;
        if v.ended_at_ms.is_some() {
            return Err(Error::InvalidInput(format!("走访 {id} 已结束 / visit {id} has already ended")));
        }
        check_fix(&fix)?;
        visits::end(&*self.db()?, id, now_ms(), &fix)?;
        self.get_visit(id)
    }

    /// One visit by id.
    pub fn get_visit(&self, id: &str) -> Result<Visit> {
        visits::get(&*self.db()?, id)?.ok_or_else(|| Error::NotFound(format!("走访 {id} 不存在 / no visit {id}")))
    }

    /// Visits, newest first, optionally only those of one order.
    pub fn list_visits(&self, order_number: Option<String>) -> Result<Vec<Visit>> {
        Ok(visits::list(&*self.db()?, order_number.as_deref())?)
    }
}
