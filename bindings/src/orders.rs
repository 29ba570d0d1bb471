//! Work orders (the inbox) and site visits, forwarded to the core.

use siteproof_core::{LocationFix, NewOrder, OrderUpdate, Visit, WorkOrder};

use crate::device::SiteproofDevice;
use crate::error::Result;

#[uniffi::export]
impl SiteproofDevice {
    /// Adds an order typed in on the phone.
    pub fn add_order(&self, order: NewOrder) -> Result<WorkOrder> {
        Ok(self.inner.add_order(order)?)
    }

    /// One order by number.
    pub fn get_order(&self, number: String) -> Result<WorkOrder> {
        Ok(self.inner.get_order(&number)?)
    }

    /// Every order, nearest deadline first.
    pub fn list_orders(&self) -> Result<Vec<WorkOrder>> {
        Ok(self.inner.list_orders()?)
    }

    /// Changes status or tags; the change syncs back to the server.
    pub fn update_order(&self, number: String, update: OrderUpdate) -> Result<WorkOrder> {
        Ok(self.inner.update_order(&number, update)?)
    }

    /// Starts a site visit (purpose code or Chinese label), optionally for an order.
    pub fn start_visit(&self, order_number: Option<String>, purpose: String, fix: Option<LocationFix>) -> Result<Visit> {
        Ok(self.inner.start_visit(order_number, &purpose, fix)?)
    }

    /// Ends a visit where the worker left.
    pub fn end_visit(&self, visit_id: String, fix: Option<LocationFix>) -> Result<Visit> {
        Ok(self.inner.end_visit(&visit_id, fix)?)
    }

    /// Visits, newest first, optionally of one order.
    pub fn list_visits(&self, order_number: Option<String>) -> Result<Vec<Visit>> {
        Ok(self.inner.list_visits(order_number)?)
    }
}
