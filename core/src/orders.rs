//! The device's local copy of work orders: what the worker is handling, with
//! deadline and the four tags, editable offline. Edits mark the order dirty
//! so sync can push them back.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::text::{multi_line, order_number, single_line};
use crate::vocab::{normalize, ORDER_KINDS, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

/// A work order (工单) as the device knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// The city platform's order number.
    pub number: String,
    /// Kind code (see `vocab::ORDER_KINDS`).
    pub kind: String,
    /// Category, e.g. 噪音, 卫生.
    pub category: String,
    /// Address as dispatched.
    pub address: String,
    /// Latitude of the spot (点位), WGS-84.
    pub spot_lat: Option<f64>,
    /// Longitude of the spot, WGS-84.
    pub spot_lon: Option<f64>,
    /// What the resident asked for.
    pub content: String,
    /// When it was dispatched, Unix ms.
    pub dispatched_at_ms: Option<i64>,
    /// The handling deadline (办理时限), Unix ms.
    pub deadline_ms: Option<i64>,
    /// Status code (see `vocab::ORDER_STATUSES`).
    pub status: String,
    /// Tag: order type.
    pub tag_type: Option<String>,
    /// Tag: handling result.
    pub tag_handling: Option<String>,
    /// Tag: callback result.
    pub tag_callback: Option<String>,
    /// Tag: knowledge worth keeping.
    pub knowledge: String,
    /// Free notes.
    pub notes: String,
    /// Version last seen from the server (0 for orders created on the device).
    pub server_version: i64,
    /// Has local edits not yet pushed.
    pub dirty: bool,
    /// Last local change, Unix ms.
    pub updated_at_ms: i64,
}

/// What a worker enters to create an order by hand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewOrder {
    /// Order number.
    pub number: String,
    /// Kind code or Chinese label.
    pub kind: String,
    /// Category.
    pub category: String,
    /// Address.
    pub address: String,
    /// Spot latitude.
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    pub spot_lon: Option<f64>,
    /// Content.
    pub content: String,
    /// Dispatch time, Unix ms.
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    pub deadline_ms: Option<i64>,
}

/// A change to status and tags; None leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderUpdate {
    /// New status.
    pub status: Option<String>,
    /// New order-type tag.
    pub tag_type: Option<String>,
    /// New handling tag.
    pub tag_handling: Option<String>,
    /// New callback tag.
    pub tag_callback: Option<String>,
    /// New knowledge note.
    pub knowledge: Option<String>,
    /// New free notes.
    pub notes: Option<String>,
}

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

impl Device {
    /// Adds an order entered on the device.
    pub fn add_order(&self, new: NewOrder) -> Result<WorkOrder> {
        let number = order_number(&new.number)?;
        let kind = normalize(ORDER_KINDS, "工单类型 order kind", &new.kind)?;
        let category = single_line("category", &new.category, 64)?;
        let address = single_line("address", &new.address, 256)?;
        let content = multi_line("content", &new.content, 4000)?;
        match (new.spot_lat, new.spot_lon) {
            (None, None) => {}
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            _ => return Err(Error::InvalidInput("spot needs both latitude and longitude, in range".into())),
        }
        let conn = self.db()?;
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO orders (number, kind, category, address, spot_lat, spot_lon, content,
                dispatched_at_ms, deadline_ms, status, dirty, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'new', 1, ?10)",
            params![number, kind, category, address, new.spot_lat, new.spot_lon, content, new.dispatched_at_ms, new.deadline_ms, now_ms()],
        )?;
        if inserted == 0 {
            return Err(Error::InvalidInput(format!("工单 {number} 已存在 / order {number} already exists")));
        }
        drop(conn);
        self.get_order(&number)
    }

    /// One order by number.
    pub fn get_order(&self, number: &str) -> Result<WorkOrder> {
        self.db()?
            .query_row(&format!("SELECT {COLUMNS} FROM orders WHERE number = ?1"), [number], from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("工单 {number} 不存在 / no order {number}")))
    }

    /// All orders, nearest deadline first (orders without a deadline last).
    pub fn list_orders(&self) -> Result<Vec<WorkOrder>> {
        let conn = self.db()?;
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM orders ORDER BY deadline_ms IS NULL, deadline_ms, number"))?;
        let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Changes status and tags locally and marks the order for push.
    pub fn update_order(&self, number: &str, u: OrderUpdate) -> Result<WorkOrder> {
        let mut o = self.get_order(number)?;
        if let Some(s) = u.status {
            o.status = normalize(ORDER_STATUSES, "状态 status", &s)?;
        }
        if let Some(t) = u.tag_type {
            o.tag_type = Some(normalize(TAG_TYPES, "工单类别 order type", &t)?);
        }
        if let Some(t) = u.tag_handling {
            o.tag_handling = Some(normalize(TAG_HANDLING, "办理情况 handling", &t)?);
        }
        if let Some(t) = u.tag_callback {
            o.tag_callback = Some(normalize(TAG_CALLBACK, "回访结果 callback", &t)?);
        }
        if let Some(k) = u.knowledge {
            o.knowledge = multi_line("knowledge", &k, 4000)?;
        }
        if let Some(n) = u.notes {
            o.notes = multi_line("notes", &n, 4000)?;
        }
        self.db()?.execute(
            "UPDATE orders SET status = ?2, tag_type = ?3, tag_handling = ?4, tag_callback = ?5,
                knowledge = ?6, notes = ?7, dirty = 1, updated_at_ms = ?8 WHERE number = ?1",
            params![o.number, o.status, o.tag_type, o.tag_handling, o.tag_callback, o.knowledge, o.notes, now_ms()],
        )?;
        self.get_order(number)
    }
}
