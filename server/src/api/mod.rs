//! The HTTP API: one route table that builds the axum router and also feeds
//! the OpenAPI check and the tenancy test matrix, so the three cannot drift.

pub mod accounts;
pub mod blobs;
pub mod body;
pub mod evidence;
pub mod manifests;
pub mod orders;
pub mod packets;
pub mod public;
pub mod tus;

use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone, no token.
    Public,
    /// An enrolled, non-revoked device token.
    Device,
    /// Any login session.
    Session,
    /// A session of a coordinator or admin.
    Coordinator,
    /// A session of an admin.
    Admin,
}

/// One registered route.
#[derive(Debug, Clone, Serialize)]
pub struct RouteInfo {
    /// HTTP method.
    pub method: &'static str,
    /// Path template as axum and OpenAPI write it.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// A router that records each route with who may call it, so the tenancy
/// tests walk exactly what is served; the API and the console build theirs
/// with it.
pub(crate) struct Table {
    pub(crate) router: Router<AppState>,
    pub(crate) routes: Vec<RouteInfo>,
}

impl Table {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Table { router: Router::new(), routes: Vec::new() }
    }

    /// Adds one route.
    pub(crate) fn add<H, T>(mut self, method: &'static str, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match method {
            "GET" => MethodFilter::GET,
            "HEAD" => MethodFilter::HEAD,
            "POST" => MethodFilter::POST,
            "PATCH" => MethodFilter::PATCH,
            "DELETE" => MethodFilter::DELETE,
            "OPTIONS" => MethodFilter::OPTIONS,
            "PUT" => MethodFilter::PUT,
            other => panic!("unsupported method {other}"),
        };
        self.router = self.router.route(path, on(filter, h));
        self.routes.push(RouteInfo { method, path, access });
        self
    }
}

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
        .add("OPTIONS", "/v1/uploads/", Public, tus::options)
        .add("POST", "/v1/uploads/", Device, tus::create)
        .add("OPTIONS", "/v1/uploads/{id}", Public, tus::options)
        .add("HEAD", "/v1/uploads/{id}", Device, tus::head)
        .add("PATCH", "/v1/uploads/{id}", Device, tus::patch)
        .add("DELETE", "/v1/uploads/{id}", Device, tus::terminate)
        .add("HEAD", "/v1/blobs/{sha256}", Device, blobs::exists)
        .add("GET", "/v1/blobs/{sha256}", Coordinator, blobs::download)
        .add("POST", "/v1/manifests", Device, manifests::post)
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
        .add("GET", "/v1/device/orders", Device, orders::device_pull)
        .add("PATCH", "/v1/device/orders/{number}", Device, orders::device_update);
    (t.router, t.routes)
}

/// The registered routes (for tests and the OpenAPI check).
pub fn routes() -> Vec<RouteInfo> {
    build().1
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_such_route", "没有这个接口", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "此接口不支持该方法", "method not allowed on this endpoint")
}

async fn tus_header(mut resp: Response) -> Response {
    // tus requires the header on every response of the upload endpoints; it is harmless elsewhere.
    resp.headers_mut().insert("tus-resumable", HeaderValue::from_static("1.0.0"));
    resp
}

/// The full application: API routes, JSON fallbacks, logging.
pub fn app(state: AppState) -> Router {
    let (mut router, _) = build();
    router = router.merge(crate::console::build().0);
    if state.config.bench_sink {
        router = router.route("/bench/sink", axum::routing::post(public::bench_sink));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(tus_header))
        .layer(axum::middleware::map_response(crate::security_headers::nosniff))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// Wraps a serializable value as a JSON response with a status.
pub fn json<T: Serialize>(status: StatusCode, v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => (status, [(axum::http::header::CONTENT_TYPE, "application/json")], b).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
