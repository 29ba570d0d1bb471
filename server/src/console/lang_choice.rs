//! The English switch lasts: a `?lang=` on any console page (the switch in
//! every page's header links to the same page with it) is remembered in the
//! language cookie, so the following clicks keep the chosen language until
//! `?lang=zh` switches back. One middleware over the console's routes, so no
//! page can forget to do it.

use axum::extract::{Request, State};
use axum::http::header;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::session::{chosen_lang, cookies_secure, lang_cookie};
use crate::state::AppState;

/// Answers the request and, when it chose a language, sets the cookie on the answer (a redirect to the login form included).
pub async fn remember(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let chosen = chosen_lang(req.uri().query()).map(|l| lang_cookie(l, cookies_secure(&st, req.headers())));
    let mut resp = next.run(req).await;
    if let Some(cookie) = chosen.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().append(header::SET_COOKIE, cookie);
    }
    resp
}
