//! The route table shared by the API and the console: each records every
//! route with who may call it, so the OpenAPI check and the tenancy tests
//! walk exactly what is served.

use axum::handler::Handler;
use axum::routing::{on, MethodFilter};
use axum::Router;
use serde::Serialize;

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
