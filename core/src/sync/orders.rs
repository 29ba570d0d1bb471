//! Exchanging work orders with the server.
//!
//! Conflict rule: the server arbitrates. The device sends each locally edited
//! order with the server version its edit was based on; the server keeps a
//! coordinator's value for any field changed after that version and takes
//! the device's value for the rest, then returns the merged order, which
//! replaces the local copy. Edits are pushed before pulling, and a pull never
//! overwrites an order whose edit has not been pushed yet.

use serde::Deserialize;
use serde_json::json;

use super::api::{read_json, refused, Api, CallResult, RetryKind};
use crate::device::{now_ms, Device};
use crate::error::Result;
use crate::orders::WorkOrder;
use crate::store::{orders, sync_state};

/// The `sync_state` key of the order cursor.
const ORDERS_CURSOR: &str = "orders_cursor";

/// An order as the server sends it to devices (complainant contact masked).
#[derive(Debug, Deserialize)]
pub(crate) struct RemoteOrder {
    number: String,
    kind: String,
    category: String,
    address: String,
    #[serde(default)]
    spot_lat: Option<f64>,
    #[serde(default)]
    spot_lon: Option<f64>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    dispatched_at_ms: Option<i64>,
    #[serde(default)]
    deadline_ms: Option<i64>,
    status: String,
    #[serde(default)]
    tag_type: Option<String>,
    #[serde(default)]
    tag_handling: Option<String>,
    #[serde(default)]
    tag_callback: Option<String>,
    #[serde(default)]
    knowledge: Option<String>,
    version: i64,
}

#[derive(Debug, Deserialize)]
struct OrderPage {
    orders: Vec<RemoteOrder>,
    next_cursor: i64,
}

impl Device {
    /// Pushes local edits, then pulls changes since the stored cursor. Returns (pushed, pulled).
    /// Safe to run again after a failure: a push states the version it was based on, and the
    /// cursor is saved page by page.
    pub(crate) fn exchange_orders(&self, api: &Api) -> CallResult<(u64, u64)> {
        let mut pushed = 0;
        for o in self.list_orders()?.into_iter().filter(|o| o.dirty && o.server_version > 0) {
            let body = json!({
                "base_version": o.server_version, "status": o.status, "tag_type": o.tag_type,
                "tag_handling": o.tag_handling, "tag_callback": o.tag_callback, "knowledge": o.knowledge,
            });
            let resp = api.answer(api.patch(&format!("/v1/device/orders/{}", o.number)).send_json(&body))?;
            if !resp.status().is_success() {
                let r = refused(resp, "推送工单 / push order");
                if r.retry != RetryKind::Permanent {
                    return Err(r.into());
                }
                // This edit is refused for good; the other orders still go.
                tracing::warn!(order = %o.number, "order edit not pushed: {}", r.message);
                continue;
            }
            let merged: RemoteOrder = read_json(resp, "推送工单 / push order")?;
            self.upsert_remote_order(merged, true)?;
            pushed += 1;
        }
        let mut pulled = 0;
        let stored_cursor = sync_state::get(&*self.db()?, ORDERS_CURSOR)?;
        let mut cursor: i64 = stored_cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        loop {
            let resp = api.answer(api.get(&format!("/v1/device/orders?cursor={cursor}")).call())?;
            if !resp.status().is_success() {
                return Err(refused(resp, "拉取工单 / pull orders").into());
            }
            let page: OrderPage = read_json(resp, "拉取工单 / pull orders")?;
            let done = page.orders.is_empty() || page.next_cursor <= cursor;
            for o in page.orders {
                self.upsert_remote_order(o, false)?;
                pulled += 1;
            }
            cursor = page.next_cursor.max(cursor);
            sync_state::set(&*self.db()?, ORDERS_CURSOR, &cursor.to_string())?;
            if done {
                break;
            }
        }
        Ok((pushed, pulled))
    }

    fn upsert_remote_order(&self, o: RemoteOrder, after_push: bool) -> Result<()> {
        // An unpushed local edit wins until it has been pushed and merged by the server.
        Ok(orders::upsert_from_server(&*self.db()?, &o.into_work_order(), after_push, now_ms())?)
    }
}

impl RemoteOrder {
    /// The server's copy as the device keeps it: clean, at the server's version.
    fn into_work_order(self) -> WorkOrder {
        WorkOrder {
            number: self.number,
            kind: self.kind,
            category: self.category,
            address: self.address,
            spot_lat: self.spot_lat,
            spot_lon: self.spot_lon,
            content: self.content,
            dispatched_at_ms: self.dispatched_at_ms,
            deadline_ms: self.deadline_ms,
            status: self.status,
            tag_type: self.tag_type,
            tag_handling: self.tag_handling,
            tag_callback: self.tag_callback,
            knowledge: self.knowledge.unwrap_or_default(),
            // Free notes stay on the device; the server neither sends nor overwrites them.
            notes: String::new(),
            server_version: self.version,
            dirty: false,
            updated_at_ms: 0,
        }
    }
}
