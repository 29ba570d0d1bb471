//! The device's local copy of work orders: what the worker is handling, with
//! deadline and the four tags, editable offline. Edits mark the order dirty
//! so sync can push them back.

use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::store::orders;
use crate::text::{multi_line, order_number, single_line};
use crate::vocab::{normalize, OrderKind, OrderStatus, TagAxis, Term, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};
use siteproof_protocol::wire::order::{OrderEdit, WireOrder};

/// A work order (工单) as the device knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// The city platform's order number.
    pub number: String,
    /// Kind; a kind a newer server added is kept as it sent it.
    pub kind: Term<OrderKind>,
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
    /// Status; a status a newer server added is kept and shown as sent, and a
    /// local edit sets only a status this build knows.
    pub status: Term<OrderStatus>,
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

impl Device {
    /// Adds an order entered on the device.
    pub fn add_order(&self, new: NewOrder) -> Result<WorkOrder> {
        let number = order_number(&new.number)?;
        let kind = OrderKind::parse(&new.kind)?.as_str().to_string();
        let category = single_line("category", &new.category, 64)?;
        let address = single_line("address", &new.address, 256)?;
        let content = multi_line("content", &new.content, 4000)?;
        match (new.spot_lat, new.spot_lon) {
            (None, None) => {}
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            _ => return Err(Error::InvalidInput("spot needs both latitude and longitude, in range".into())),
        }
        let checked = NewOrder { number, kind, category, address, content, ..new };
        if !orders::insert_new(&*self.db()?, &checked, now_ms())? {
            let number = checked.number;
            return Err(Error::InvalidInput(format!("工单 {number} 已存在 / order {number} already exists")));
        }
        self.get_order(&checked.number)
    }

    /// One order by number.
    pub fn get_order(&self, number: &str) -> Result<WorkOrder> {
        orders::get(&*self.db()?, number)?.ok_or_else(|| Error::NotFound(format!("工单 {number} 不存在 / no order {number}")))
    }

    /// All orders, nearest deadline first (orders without a deadline last).
    pub fn list_orders(&self) -> Result<Vec<WorkOrder>> {
        Ok(orders::list(&*self.db()?)?)
    }

    /// Changes status and tags locally and marks the order for push.
    pub fn update_order(&self, number: &str, u: OrderUpdate) -> Result<WorkOrder> {
        let mut o = self.get_order(number)?;
        if let Some(s) = u.status {
            o.status = OrderStatus::parse(&s)?.into();
        }
        if let Some(t) = u.tag_type {
            o.tag_type = Some(normalize(TAG_TYPES, &TagAxis::Type.what(), &t)?);
        }
        if let Some(t) = u.tag_handling {
            o.tag_handling = Some(normalize(TAG_HANDLING, &TagAxis::Handling.what(), &t)?);
        }
        if let Some(t) = u.tag_callback {
            o.tag_callback = Some(normalize(TAG_CALLBACK, &TagAxis::Callback.what(), &t)?);
        }
        if let Some(k) = u.knowledge {
            o.knowledge = multi_line("knowledge", &k, 4000)?;
        }
        if let Some(n) = u.notes {
            o.notes = multi_line("notes", &n, 4000)?;
        }
        orders::save_local_edit(&*self.db()?, &o, now_ms())?;
        self.get_order(number)
    }
}

/// The one place the server's copy becomes the device's: clean, at the server's version.
impl From<WireOrder> for WorkOrder {
    fn from(o: WireOrder) -> WorkOrder {
        WorkOrder {
            number: o.number,
            kind: o.kind,
            category: o.category,
            address: o.address,
            spot_lat: o.spot_lat,
            spot_lon: o.spot_lon,
            content: o.content,
            dispatched_at_ms: o.dispatched_at_ms,
            deadline_ms: o.deadline_ms,
            status: o.status,
            tag_type: o.tag_type,
            tag_handling: o.tag_handling,
            tag_callback: o.tag_callback,
            knowledge: o.knowledge,
            // Free notes stay on the device; the server's notes are the coordinators'.
            notes: String::new(),
            server_version: o.version,
            dirty: false,
            updated_at_ms: 0,
        }
    }
}

/// The one place a local edit becomes what the device pushes: status, tags and
/// knowledge, based on the server version it was made on (notes stay local).
impl From<&WorkOrder> for OrderEdit {
    fn from(o: &WorkOrder) -> OrderEdit {
        OrderEdit {
            status: Some(o.status.as_str().to_string()),
            tag_type: o.tag_type.clone(),
            tag_handling: o.tag_handling.clone(),
            tag_callback: o.tag_callback.clone(),
            knowledge: Some(o.knowledge.clone()),
            notes: None,
            base_version: Some(o.server_version),
        }
    }
}
