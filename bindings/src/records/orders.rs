//! Work orders and site visits as the inbox and order screens show them.

use siteproof_core::{LocationFix, NewOrder, OrderUpdate, Visit, WorkOrder};

#[uniffi::remote(Record)]
pub struct WorkOrder {
    pub number: String,
    pub kind: String,
    pub category: String,
    pub address: String,
    pub spot_lat: Option<f64>,
    pub spot_lon: Option<f64>,
    pub content: String,
    pub dispatched_at_ms: Option<i64>,
    pub deadline_ms: Option<i64>,
    pub status: String,
    pub tag_type: Option<String>,
    pub tag_handling: Option<String>,
    pub tag_callback: Option<String>,
    pub knowledge: String,
    pub notes: String,
    pub server_version: i64,
    pub dirty: bool,
    pub updated_at_ms: i64,
}

#[uniffi::remote(Record)]
pub struct NewOrder {
    pub number: String,
    pub kind: String,
    pub category: String,
    pub address: String,
    #[uniffi(default)]
    pub spot_lat: Option<f64>,
    #[uniffi(default)]
    pub spot_lon: Option<f64>,
    #[uniffi(default)]
    pub content: String,
    #[uniffi(default)]
    pub dispatched_at_ms: Option<i64>,
    #[uniffi(default)]
    pub deadline_ms: Option<i64>,
}

#[uniffi::remote(Record)]
pub struct OrderUpdate {
    #[uniffi(default)]
    pub status: Option<String>,
    #[uniffi(default)]
    pub tag_type: Option<String>,
    #[uniffi(default)]
    pub tag_handling: Option<String>,
    #[uniffi(default)]
    pub tag_callback: Option<String>,
    #[uniffi(default)]
    pub knowledge: Option<String>,
    #[uniffi(default)]
    pub notes: Option<String>,
}

#[uniffi::remote(Record)]
pub struct Visit {
    pub id: String,
    pub order_number: Option<String>,
    pub purpose: String,
    pub started_at_ms: i64,
    pub start_fix: Option<LocationFix>,
    pub ended_at_ms: Option<i64>,
    pub end_fix: Option<LocationFix>,
}
