//! Exchanging work orders with the server.
//!
//! Conflict rule: the server arbitrates. The device sends each locally edited
//! order with the server version its edit was based on; the server keeps a
//! coordinator's value for any field changed after that version and takes
//! the device's value for the rest, then returns the merged order, which
//! replaces the local copy. Edits are pushed before pulling, and a pull never
//! overwrites an order whose edit has not been pushed yet.

use rusqlite::params;
use serde::Deserialize;
use serde_json::json;

use super::api::{refused, Api, CallError, CallResult, RetryKind};
use crate::device::{now_ms, Device};
use crate::error::Result;

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
            let resp = api.send(api.request(reqwest::Method::PATCH, &format!("/v1/device/orders/{}", o.number)).json(&body))?;
            if !resp.status().is_success() {
                let r = refused(resp, "推送工单 / push order");
                if r.retry != RetryKind::Permanent {
                    return Err(r.into());
                }
                // This edit is refused for good; the other orders still go.
                tracing::warn!(order = %o.number, "order edit not pushed: {}", r.message);
                continue;
            }
            let merged: RemoteOrder = resp.json().map_err(|e| CallError::unusable_answer("推送工单 / push order", e))?;
            self.upsert_remote_order(&merged, true)?;
            pushed += 1;
        }
        let mut pulled = 0;
        let mut cursor: i64 = self.sync_value("orders_cursor")?.and_then(|c| c.parse().ok()).unwrap_or(0);
        loop {
            let resp = api.send(api.request(reqwest::Method::GET, &format!("/v1/device/orders?cursor={cursor}")))?;
            if !resp.status().is_success() {
                return Err(refused(resp, "拉取工单 / pull orders").into());
            }
            let page: OrderPage = resp.json().map_err(|e| CallError::unusable_answer("拉取工单 / pull orders", e))?;
            for o in &page.orders {
                self.upsert_remote_order(o, false)?;
                pulled += 1;
            }
            let done = page.orders.is_empty() || page.next_cursor <= cursor;
            cursor = page.next_cursor.max(cursor);
            self.set_sync_value("orders_cursor", &cursor.to_string())?;
            if done {
                break;
            }
        }
        Ok((pushed, pulled))
    }

    fn upsert_remote_order(&self, o: &RemoteOrder, after_push: bool) -> Result<()> {
        let conn = self.db()?;
        // An unpushed local edit wins until it has been pushed and merged by the server.
        let guard = if after_push { "" } else { "WHERE orders.dirty = 0 OR orders.server_version = 0" };
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
                o.knowledge.clone().unwrap_or_default(),
                o.version,
                now_ms()
            ],
        )?;
        Ok(())
    }

    pub(crate) fn sync_value(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self.db()?.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub(crate) fn set_sync_value(&self, key: &str, value: &str) -> Result<()> {
        self.db()?.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }
}
