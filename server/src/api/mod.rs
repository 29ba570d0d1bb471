//! The HTTP API: one route table that builds the axum router and also feeds
//! the OpenAPI check and the tenancy test matrix, so the three cannot drift.

pub mod accounts;
pub mod batch_exports;
pub mod blobs;
pub mod evidence;
pub mod manifests;
pub mod openapi;
pub mod orders;
pub mod packets;
pub mod public;
pub mod time_statements;
pub mod tus;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;
use crate::web::routes::Table;
pub use crate::web::routes::{Access, RouteInfo};

/// Builds the API router (without state) and the list of what it serves.
pub fn build() -> (Router<AppState>, Vec<RouteInfo>) {
    use Access::*;
    let t = Table::new()
        .add("GET", "/v1/time", Public, public::time)
        .add("GET", "/v1/server-key", Public, public::server_key)
        .add("GET", "/v1/openapi.json", Public, public::openapi)
        .add("GET", "/v1/health", Public, public::health)
        .add("POST", "/v1/login", Public, accounts::login)
        .add("POST", "/v1/logout", Session, accounts::logout)
        .add("GET", "/v1/me", Session, accounts::me)
        .add("POST", "/v1/enroll", Public, accounts::enroll)
        .add("POST", "/v1/enroll-codes", Coordinator, accounts::create_enroll_code)
        .add("GET", "/v1/devices", Coordinator, accounts::list_devices)
        .add("POST", "/v1/devices/{device_id}/revoke", Coordinator, accounts::revoke_device)
        .add("POST", "/v1/users", Admin, accounts::create_user)
        .add("PUT", "/v1/users/{username}/real-name", Coordinator, accounts::set_real_name)
        .add("OPTIONS", "/v1/uploads/", Public, tus::options)
        .add("POST", "/v1/uploads/", Device, tus::create)
        .add("OPTIONS", "/v1/uploads/{id}", Public, tus::options_upload)
        .add("HEAD", "/v1/uploads/{id}", Device, tus::head)
        .add("PATCH", "/v1/uploads/{id}", Device, tus::patch)
        .add("DELETE", "/v1/uploads/{id}", Device, tus::terminate)
        .add("HEAD", "/v1/blobs/{sha256}", Device, blobs::exists)
        .add("GET", "/v1/blobs/{sha256}", Coordinator, blobs::download)
        .add("POST", "/v1/manifests", Device, manifests::post)
        .add("POST", "/v1/time-statements", Device, time_statements::post)
        .add("GET", "/v1/anomalies", Coordinator, evidence::anomalies)
        .add("GET", "/v1/evidence", Coordinator, evidence::list)
        .add("GET", "/v1/evidence/{item_id}", Coordinator, evidence::item)
        .add("GET", "/v1/orders", Session, orders::list)
        .add("POST", "/v1/orders", Coordinator, orders::create)
        .add("POST", "/v1/orders/import", Coordinator, orders::import)
        .add("GET", "/v1/orders/{number}", Session, orders::get)
        .add("PATCH", "/v1/orders/{number}", Coordinator, orders::update)
        .add("POST", "/v1/orders/{number}/assign", Coordinator, orders::assign)
        .add("GET", "/v1/orders/{number}/history", Coordinator, orders::history)
        .add("POST", "/v1/orders/{number}/packet", Coordinator, packets::export)
        .add("POST", "/v1/packets/batch", Coordinator, batch_exports::packet)
        .add("POST", "/v1/originals/export", Coordinator, batch_exports::originals)
        .add("GET", "/v1/device/orders", Device, orders::device_pull)
        .add("PATCH", "/v1/device/orders/{number}", Device, orders::device_update);
    (t.router, t.routes)
}

/// The registered routes (for tests and the OpenAPI check).
pub fn routes() -> Vec<RouteInfo> {
    build().1
}

/// Wraps a serializable value as a JSON response with a status.
pub fn json<T: Serialize>(status: StatusCode, v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => (status, [(axum::http::header::CONTENT_TYPE, "application/json")], b).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
