//! The coordinators' web console: server-rendered pages (maud, every value
//! escaped) under `/console/`, zh-CN first with an English switch, logged in
//! by an HttpOnly SameSite=Strict cookie. The pages are not part of the JSON
//! API's route table (they answer HTML and redirects, not the API's JSON
//! errors), so they have their own table here, which builds the router and
//! feeds the console's tenancy test the same way `api::build` does.

pub mod actions;
pub mod audit_page;
pub mod badges;
pub mod batch_export;
pub mod clips;
pub mod enroll_page;
pub mod errors;
pub mod evidence;
pub mod export;
pub mod followups;
pub mod followups_page;
pub mod form;
pub mod i18n;
pub mod lang_choice;
pub mod layout;
pub mod login;
pub mod media;
pub mod order_page;
pub mod orders_list;
pub mod orders_query;
pub mod session;
pub mod share_check;
pub mod stamps;
pub mod unknown_path;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::Router;

use crate::state::AppState;
use crate::web::routes::{Access, RouteInfo, Table};

/// Builds the console router (without state) and the list of what it serves.
pub fn build() -> (Router<AppState>, Vec<RouteInfo>) {
    use Access::*;
    let t = Table::new()
        .add("GET", "/console", Public, login::home)
        .add("GET", "/console/", Public, login::home)
        .add("GET", "/console/static/console.css", Public, layout::stylesheet)
        .add("GET", "/console/login", Public, login::form)
        .add("POST", "/console/login", Public, login::submit)
        .add("POST", "/console/logout", Coordinator, login::logout)
        .add("GET", "/console/orders", Coordinator, orders_list::list)
        .add("GET", "/console/orders/{number}", Coordinator, order_page::show)
        .add("POST", "/console/orders/{number}/edit", Coordinator, actions::edit)
        .add("POST", "/console/orders/{number}/followups", Coordinator, actions::add_followup)
        .add("POST", "/console/orders/{number}/followups/{id}/cancel", Coordinator, actions::cancel_followup)
        .add("POST", "/console/orders/{number}/pairs", Coordinator, actions::set_pair)
        .add("POST", "/console/orders/{number}/assignee-name", Coordinator, actions::set_assignee_name)
        .add("POST", "/console/orders/{number}/packet", Coordinator, export::export)
        .add("GET", "/console/exports", Coordinator, batch_export::show)
        .add("POST", "/console/exports/packet", Coordinator, batch_export::packet)
        .add("POST", "/console/exports/originals", Coordinator, batch_export::originals)
        .add("GET", "/console/followups", Coordinator, followups_page::list)
        .add("GET", "/console/audit", Coordinator, audit_page::list)
        .add("GET", "/console/enroll", Coordinator, enroll_page::show)
        .add("POST", "/console/enroll", Coordinator, enroll_page::create)
        .add("GET", "/console/blobs/{sha256}", Coordinator, media::blob)
        .add("GET", "/v/{code}", Public, share_check::show)
        .add("POST", "/v/{code}", Public, share_check::compare.layer(DefaultBodyLimit::max(share_check::MAX_COPY_BYTES)));
    (t.router.layer(axum::middleware::map_response(crate::security_headers::console)), t.routes)
}

/// The console router as served: [`build`]'s routes, with a `?lang=` on any
/// page remembered in the language cookie (which needs the state to know
/// whether the cookie must be `Secure`).
pub fn router(state: &AppState) -> Router<AppState> {
    build().0.layer(axum::middleware::from_fn_with_state(state.clone(), lang_choice::remember))
}

/// The console's routes (for the tenancy test).
pub fn routes() -> Vec<RouteInfo> {
    build().1
}

/// Characters a path segment or query value keeps as they are: RFC 3986's
/// unreserved set; everything else (order numbers may hold '/') is escaped.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes a query string from pairs ("" when empty).
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    format!("?{}", pairs.iter().map(|(k, v)| format!("{}={}", path_segment(k), path_segment(v))).collect::<Vec<_>>().join("&"))
}

/// Percent-encodes one path segment or query value.
pub fn path_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_keep_only_unreserved_characters() {
        assert_eq!(super::path_segment("12345/2026-01_a.b~c 社"), "12345%2F2026-01_a.b~c%20%E7%A4%BE");
        assert_eq!(super::query_string(&[("worker", "a&b=c".into())]), "?worker=a%26b%3Dc");
        assert_eq!(super::query_string(&[]), "");
    }
}
