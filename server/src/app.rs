//! The whole served application: the API's and the console's routers
//! merged, with what every response shares (JSON answers for unknown routes
//! and methods, the tus header, nosniff, request logging). It lives beside
//! both so neither the API nor the console has to know the other.

use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{api, console};
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::tus;

async fn not_found(uri: Uri) -> Response {
    if console::unknown_path::is_console(uri.path()) {
        return console::unknown_path::answer(uri.path(), uri.query());
    }
    ApiError::no_such_route().into_response()
}

async fn method_not_allowed(uri: Uri) -> Response {
    if console::unknown_path::is_console(uri.path()) {
        return console::unknown_path::wrong_method();
    }
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed, "此接口不支持该方法", "method not allowed on this endpoint")
        .into_response()
}

async fn tus_header(mut resp: Response) -> Response {
    // tus requires the header on every response of the upload endpoints; it is harmless elsewhere.
    resp.headers_mut().insert(tus::header::TUS_RESUMABLE, HeaderValue::from_static(tus::TUS_VERSION));
    resp
}

/// The full application: API and console routes, JSON fallbacks, logging.
pub fn app(state: AppState) -> Router {
    let mut router = api::build().0.merge(console::router(&state));
    if state.config.bench_sink {
        router = router.route("/bench/sink", axum::routing::post(api::public::bench_sink));
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
