//! The login form and logout. Login checks the password with the same
//! function as `POST /v1/login`; only coordinators and admins get a console
//! session (a worker's account is refused with a clear message).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, DOCTYPE};

use super::errors::ConsoleResult;
use super::form::{CheckedPost, Form};
use super::i18n::Lang;
use super::session::{check_origin, clear_session_cookie, cookies_secure, lang_of, session_cookie};
use crate::auth::client_addr::ClientAddr;
use crate::auth::{session, Role};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::body::{bytes, form_body};
use siteproof_protocol::wire::error_code::ErrorCode;

fn login_page(l: Lang, error: Option<&str>) -> maud::Markup {
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            (super::layout::head(l.t("登录 · 社区证据工作台", "Log in · Siteproof console")))
            body { main.narrow {
                h1 { (l.t("社区证据工作台", "Siteproof console")) }
                @if let Some(e) = error { p.error data-test="login-error" { (e) } }
                form method="post" action="/console/login" {
                    label for="username" { (l.t("用户名", "Username")) }
                    input type="text" name="username" id="username" autocomplete="username" required autofocus;
                    label for="password" { (l.t("密码", "Password")) }
                    input type="password" name="password" id="password" autocomplete="current-password" required;
                    p { button type="submit" { (l.t("登录", "Log in")) } }
                }
                p { a href=(if l == Lang::Zh { "/console/login?lang=en" } else { "/console/login?lang=zh" }) { (l.t("English", "中文")) } }
            } }
        }
    }
}

/// `GET /console/login`.
/// (A `?lang=` choice is remembered by [`super::lang_choice::remember`], as on every page.)
pub async fn form(RawQuery(q): RawQuery, h: HeaderMap) -> Response {
    let l = lang_of(q.as_deref(), &h);
    ([(header::CACHE_CONTROL, "no-store")], login_page(l, None)).into_response()
}

/// `POST /console/login` - sets the session cookie and goes to the order list.
/// A throttled attempt gets the form again with the wait (429, Retry-After).
pub async fn submit(
    State(st): State<AppState>,
    ClientAddr(from): ClientAddr,
    RawQuery(q): RawQuery,
    h: HeaderMap,
    body: Body,
) -> ConsoleResult<Response> {
    check_origin(&h)?;
    let l = lang_of(q.as_deref(), &h);
    let f = Form(form_body(&bytes(body, 16 * 1024).await?)?);
    let (user, pass) = (f.get("username").unwrap_or("").to_string(), f.get("password").unwrap_or("").to_string());
    let ttl = st.config.session_ms;
    let result = match session::login(&st, from, &user, pass, ttl).await {
        Ok(s) if Role::parse(&s.role).is_none_or(|r| r < Role::Coordinator) => {
            // The session is useless here; do not leave it lying around.
            let th = crate::auth::tokens::hash(&s.token);
            st.db.call(move |c| session::logout(c, &th)).await?;
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "工作台仅供街道热线专干和管理员使用",
                "the console is for coordinators and admins",
            ))
        }
        other => other,
    };
    match result {
        Ok(s) => {
            let max_age = (ttl / 1000).max(60);
            let cookie = session_cookie(&s.token, max_age, cookies_secure(&st, &h));
            Ok((
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/console/orders".to_string()),
                    (header::SET_COOKIE, cookie),
                    (header::CACHE_CONTROL, "no-store".into()),
                ],
            )
                .into_response())
        }
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            // The API error already says, in both languages, how long to wait.
            let mut resp = (e.status, [(header::CACHE_CONTROL, "no-store")], login_page(l, Some(&e.message))).into_response();
            resp.headers_mut().extend(e.headers);
            Ok(resp)
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED || e.status == StatusCode::FORBIDDEN => {
            let msg = if e.status == StatusCode::FORBIDDEN {
                l.t("工作台仅供街道热线专干和管理员使用", "The console is for coordinators and admins")
            } else {
                l.t("用户名或密码错误", "Wrong username or password")
            };
            Ok((e.status, [(header::CACHE_CONTROL, "no-store")], login_page(l, Some(msg))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/logout` - revokes the session and clears the cookie.
pub async fn logout(State(st): State<AppState>, h: HeaderMap, CheckedPost { user: u, .. }: CheckedPost) -> ConsoleResult<Response> {
    let th = u.principal.token_hash.clone();
    st.db.call(move |c| session::logout(c, &th)).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/console/login".to_string()), (header::SET_COOKIE, clear_session_cookie(cookies_secure(&st, &h)))],
    )
        .into_response())
}

/// `GET /console` - the order list is the home page.
pub async fn home() -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/console/orders")]).into_response()
}
