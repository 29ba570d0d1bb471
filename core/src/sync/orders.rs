//! Exchanging work orders with the server.
//!
//! Conflict rule: the server arbitrates. The device sends each locally edited
//! order with the server version its edit was based on; the server keeps a
//! coordinator's value for any field changed after that version and takes
//! the device's value for the rest, then returns the merged order, which
//! replaces the local copy. Edits are pushed before pulling, and a pull never
//! overwrites an order whose edit has not been pushed yet.

use super::api::{read_json, refused, Api, CallResult, RetryKind};
use crate::device::{now_ms, Device};
use crate::error::Result;
use crate::orders::WorkOrder;
use crate::store::{orders, sync_state};
use siteproof_protocol::wire::order::{EditAnswer, OrderEdit, OrderPage, WireOrder};

/// The `sync_state` key of the order cursor.
const ORDERS_CURSOR: &str = "orders_cursor";

impl Device {
    /// Pushes local edits, then pulls changes since the stored cursor. Returns (pushed, pulled).
    /// Safe to run again after a failure: a push states the version it was based on, and the
    /// cursor is saved page by page.
    pub(crate) fn exchange_orders(&self, api: &Api) -> CallResult<(u64, u64)> {
        let mut pushed = 0;
        for o in self.list_orders()?.into_iter().filter(|o| o.dirty && o.server_version > 0) {
            let resp = api.answer(api.patch(&format!("/v1/device/orders/{}", o.number)).send_json(OrderEdit::from(&o)))?;
            if !resp.status().is_success() {
                let r = refused(resp, "推送工单 / push order");
                if r.retry != RetryKind::Permanent {
                    return Err(r.into());
                }
                // This edit is refused for good; the other orders still go.
                tracing::warn!(order = %o.number, "order edit not pushed: {}", r.message);
                continue;
            }
            let merged: EditAnswer = read_json(resp, "推送工单 / push order")?;
            self.upsert_remote_order(merged.order, true)?;
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
                self.upsert_remote_order(o.order, false)?;
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

    fn upsert_remote_order(&self, o: WireOrder, after_push: bool) -> Result<()> {
        // An unpushed local edit wins until it has been pushed and merged by the server.
        Ok(orders::upsert_from_server(&*self.db()?, &WorkOrder::from(o), after_push, now_ms())?)
    }
}
