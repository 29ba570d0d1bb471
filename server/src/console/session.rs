//! Console login: a password form that issues the same session tokens as
//! `POST /v1/login`, carried in an HttpOnly, SameSite=Strict cookie scoped to
//! `/console`. POST forms also carry a CSRF token derived from the session
//! token, and a cross-origin `Origin` header is refused outright.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use cookie::time::Duration as CookieDuration;
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

use super::errors::ConsoleError;
use super::i18n::Lang;
use crate::auth::client_addr::browser_uses_https;
use crate::auth::principal::resolve;
use crate::auth::{Principal, Role};
use crate::error::ApiError;
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;

/// Cookie holding the session token.
pub const SESSION_COOKIE: &str = "sp_console";
/// Cookie holding the chosen language.
pub const LANG_COOKIE: &str = "sp_lang";

/// A value of a request cookie (the first, if a browser sends the name twice).
pub fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Whether cookies get `Secure`: the browser reached us over https (a
/// Secure cookie sent over plain http would never come back).
pub fn cookies_secure(st: &AppState, h: &HeaderMap) -> bool {
    browser_uses_https(h, st.config.public_https, st.config.trust_proxy)
}

/// The one shape of every console cookie: scoped to `/console`, SameSite=Strict, and
/// Secure when the browser came over https; `http_only` keeps the session away from page scripts.
fn console_cookie(name: &'static str, value: &str, max_age_s: i64, http_only: bool, secure: bool) -> String {
    Cookie::build((name, value))
        .path("/console")
        .http_only(http_only)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(max_age_s))
        .secure(secure)
        .build()
        .to_string()
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, max_age_s: i64, secure: bool) -> String {
    console_cookie(SESSION_COOKIE, token, max_age_s, true, secure)
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn clear_session_cookie(secure: bool) -> String {
    console_cookie(SESSION_COOKIE, "", 0, true, secure)
}

/// The `Set-Cookie` value remembering a language (a year).
pub fn lang_cookie(lang: Lang, secure: bool) -> String {
    let v = if lang == Lang::En { "en" } else { "zh" };
    console_cookie(LANG_COOKIE, v, 365 * 24 * 3600, false, secure)
}

/// The CSRF token for a session: a hash of the secret session token, so it
/// needs no storage and a page from another site cannot know it.
pub fn csrf_token(session_token: &str) -> String {
    hex::encode(Sha256::new().chain_update(b"siteproof-console-csrf\0").chain_update(session_token.as_bytes()).finalize())
}

/// The language of a request: `?lang=` wins, then the cookie, then Chinese.
pub fn lang_of(parts_query: Option<&str>, h: &HeaderMap) -> Lang {
    match chosen_lang(parts_query) {
        Some(l) => l,
        None => cookie(h, LANG_COOKIE).map(|v| Lang::parse(&v)).unwrap_or(Lang::Zh),
    }
}

/// The language a request's `?lang=` chooses, if it names one.
pub fn chosen_lang(parts_query: Option<&str>) -> Option<Lang> {
    parts_query
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find_map(|(k, v)| (k == "lang").then(|| Lang::parse(&v))))
}

/// Refuses a POST whose `Origin` names another site (browsers send it on cross-site form posts).
pub fn check_origin(h: &HeaderMap) -> Result<(), ConsoleError> {
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let same = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")).is_some_and(|o| o == host);
    if same {
        Ok(())
    } else {
        Err(csrf_refused())
    }
}

fn csrf_refused() -> ConsoleError {
    ConsoleError(ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::Csrf,
        "表单已失效或来自其他网站，请刷新页面后重试",
        "the form is stale or came from another site; reload the page and try again",
    ))
}

/// A logged-in coordinator or admin using the console.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    /// Who, with the communities they may see.
    pub principal: Principal,
    /// CSRF token to put in forms.
    pub csrf: String,
    /// Display language.
    pub lang: Lang,
}

impl ConsoleUser {
    /// Checks the CSRF field of a submitted form (constant-time compare).
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), ConsoleError> {
        let p = presented.unwrap_or("").as_bytes();
        let want = self.csrf.as_bytes();
        let same = p.len() == want.len() && p.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            Ok(())
        } else {
            Err(csrf_refused())
        }
    }

    /// Whether the user may see a community's data.
    pub fn sees(&self, community_id: i64) -> bool {
        self.principal.sees(community_id)
    }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts.uri.query(), &parts.headers);
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| ApiError::unauthorized(ErrorCode::Unauthorized, "请先登录", "please log in"))?;
        let t = token.clone();
        let principal = st.db.call(move |c| resolve(c, &t)).await?;
        if principal.device.is_some() {
            return Err(ApiError::unauthorized(ErrorCode::WrongTokenKind, "请用账号登录", "log in with an account").into());
        }
        if principal.role < Role::Coordinator {
            return Err(ConsoleError(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "工作台仅供街道热线专干和管理员使用",
                "the console is for coordinators and admins",
            )));
        }
        Ok(ConsoleUser { principal, csrf: csrf_token(&token), lang })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookies_among_several() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; sp_console=sps_x; sp_lang=en".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("sps_x"));
        assert_eq!(cookie(&h, "sp"), None);
        h.append(header::COOKIE, "broken; b = 2 ".parse().unwrap());
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(lang_of(None, &h), Lang::En);
        assert_eq!(lang_of(Some("page=2&lang=zh"), &h), Lang::Zh);
    }

    #[test]
    fn set_cookie_values_carry_the_console_attributes() {
        let parse = |v: String| Cookie::parse(v).unwrap();
        for secure in [false, true] {
            let c = parse(session_cookie("sps_abc", 3600, secure));
            assert_eq!((c.name(), c.value()), (SESSION_COOKIE, "sps_abc"));
            assert_eq!((c.path(), c.http_only(), c.same_site()), (Some("/console"), Some(true), Some(SameSite::Strict)));
            assert_eq!(c.max_age(), Some(CookieDuration::seconds(3600)));
            assert_eq!(c.secure().unwrap_or(false), secure);

            let c = parse(clear_session_cookie(secure));
            assert_eq!((c.name(), c.value(), c.max_age()), (SESSION_COOKIE, "", Some(CookieDuration::ZERO)));
            assert_eq!((c.path(), c.http_only(), c.secure().unwrap_or(false)), (Some("/console"), Some(true), secure));

            let c = parse(lang_cookie(Lang::En, secure));
            assert_eq!((c.name(), c.value(), c.path()), (LANG_COOKIE, "en", Some("/console")));
            assert_eq!((c.http_only().unwrap_or(false), c.same_site()), (false, Some(SameSite::Strict)));
            assert_eq!((c.max_age(), c.secure().unwrap_or(false)), (Some(CookieDuration::seconds(31_536_000)), secure));
        }
    }

    #[test]
    fn csrf_differs_per_session_and_cross_origin_is_refused() {
        assert_ne!(csrf_token("a"), csrf_token("b"));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(check_origin(&h).is_err());
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(check_origin(&h).is_ok());
    }
}
