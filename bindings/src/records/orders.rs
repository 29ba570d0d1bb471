//! Work orders and site visits as the inbox and order screens show them.

use siteproof_core::vocab::{OrderKind, OrderStatus, Term};
use siteproof_core::{LocationFix, NewOrder, OrderUpdate, Visit, WorkOrder};

// An order's kind and status cross as their code: a code a newer server
// added is kept and shown as sent, the apps label it with `vocabulary()`.
// (uniffi names a custom type by one identifier, hence the aliases.)
type OrderKindTerm = Term<OrderKind>;
type OrderStatusTerm = Term<OrderStatus>;

uniffi::custom_type!(OrderKindTerm, String, {
    remote,
    lower: |term| term.as_str().to_string(),
    try_lift: |code| Ok(Term::from_code(&code)),
});

uniffi::custom_type!(OrderStatusTerm, String, {
    remote,
    lower: |term| term.as_str().to_string(),
    try_lift: |code| Ok(Term::from_code(&code)),
});

#[uniffi::remote(Record)]
pub struct WorkOrder {
    pub number: String,
    pub kind: OrderKindTerm,
    pub category: String,
    pub address: String,
    pub spot_lat: Option<f64>,
    pub spot_lon: Option<f64>,
    pub content: String,
    pub dispatched_at_ms: Option<i64>,
    pub deadline_ms: Option<i64>,
    pub status: OrderStatusTerm,
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
