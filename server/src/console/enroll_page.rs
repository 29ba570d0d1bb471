//! `GET|POST /console/enroll`: a coordinator picks one of their community's
//! workers and gets a one-time enrollment code to show on screen, so a phone
//! joins the server by scanning instead of typing a long code.
//!
//! What the QR codes hold is decided here and only here. The Android app's
//! scanner (android/…/enroll/EnrollScreen.kt) fills ONE field per scan: a text
//! starting with `http://` or `https://` becomes the server address, any other
//! text the code. So the page shows two QR codes: the server address exactly as
//! `siteproof enroll URL CODE` and the app take it (the base URL, no path), and
//! the bare code. Both are also printed as text for typing.
//!
//! The code is issued by [`accounts::issue_enroll_code`], the same
//! function `POST /v1/enroll-codes` uses (scope check and the `enroll_code`
//! audit row included). Creating one is a form post (Origin and CSRF checked).

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use qrcode::render::svg;
use qrcode::QrCode;

use super::errors::{ConsoleError, ConsoleResult};
use super::form::CheckedPost;
use super::i18n::{fmt_ms, Lang};
use super::layout::{html_response, page};
use super::session::{cookies_secure, ConsoleUser};
use crate::auth::tokens;
use crate::domain::accounts::{self, EnrollCode};
use crate::error::ApiError;
use crate::repo;
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;

const HERE: &str = "/console/enroll";

/// `GET /console/enroll`: the worker picker.
pub async fn show(u: ConsoleUser, State(st): State<AppState>) -> ConsoleResult<Response> {
    let workers = workers_of(&st, &u).await?;
    let content = picker(&u, &workers, None);
    Ok(html_response(page(&u, title(u.lang), HERE, content)))
}

/// `POST /console/enroll` (`worker`): issues a code and shows it as QR codes.
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    CheckedPost { user: u, form: f }: CheckedPost,
) -> ConsoleResult<Response> {
    let worker = f.need("worker")?.to_string();
    let server_url = server_url(&st, &headers)?;
    let (p, ttl) = (u.principal.clone(), st.config.enroll_code_ms);
    let (code, code_hash) = tokens::new_enroll_code_with_hash();
    let code = st.db.call(move |c| Ok(accounts::issue_enroll_code(c, p.user_id, |x| p.sees(x), &worker, code, &code_hash, ttl)?)).await?;
    let workers = workers_of(&st, &u).await?;
    let content = picker(&u, &workers, Some(issued(u.lang, &server_url, &code)?));
    Ok(html_response(page(&u, title(u.lang), HERE, content)))
}

fn title(l: Lang) -> &'static str {
    l.t("设备注册码", "Enroll a device")
}

/// Workers of the communities the coordinator sees.
async fn workers_of(st: &AppState, u: &ConsoleUser) -> ConsoleResult<Vec<String>> {
    let comms = u.principal.communities.clone();
    Ok(st.db.call(move |c| Ok(repo::accounts::workers(c, &comms)?)).await?)
}

/// The server's public address (`--public-url`) when set: behind a TLS proxy
/// the Host header may name the proxy's upstream, not what phones reach.
/// Otherwise the address the coordinator's browser reached this server by,
/// which the phone, on the same network, reaches the same way.
fn server_url(st: &AppState, h: &HeaderMap) -> ConsoleResult<String> {
    if let Some(u) = &st.config.public_url {
        return Ok(u.clone());
    }
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty()).ok_or_else(|| {
        ConsoleError(ApiError::bad_request(
            ErrorCode::BadForm,
            "请求缺少 Host 头，无法生成服务器地址",
            "the request has no Host header to build the server address from",
        ))
    })?;
    let scheme = if cookies_secure(st, h) { "https" } else { "http" };
    Ok(format!("{scheme}://{host}"))
}

fn picker(u: &ConsoleUser, workers: &[String], issued: Option<Markup>) -> Markup {
    let l = u.lang;
    html! {
        h1 { (title(l)) }
        p.muted { (l.t(
            "选择社工，生成一次性注册码。社工在手机应用“注册”页先扫服务器地址，再扫注册码。",
            "Pick a worker to get a one-time code. On the phone app's Enroll screen the worker scans the server address, then the code.",
        )) }
        @if let Some(m) = issued { (m) }
        @if workers.is_empty() {
            p data-test="no-workers" { (l.t("本社区还没有社工账号", "Your communities have no worker accounts yet")) }
        } @else {
            form method="post" action=(HERE) {
                input type="hidden" name="csrf" value=(u.csrf);
                label { (l.t("社工", "Worker")) " "
                    select name="worker" data-test="worker" { @for w in workers { option value=(w) { (w) } } }
                }
                " "
                button type="submit" { (l.t("生成注册码", "Create enrollment code")) }
            }
        }
    }
}

/// The issued code: two QR codes (see the module comment) and the same values as text.
fn issued(l: Lang, server_url: &str, code: &EnrollCode) -> ConsoleResult<Markup> {
    Ok(html! {
        section data-test="enroll-code" {
            h2 { (l.t("注册码", "Enrollment code")) " · " (code.worker) }
            div.qr-pair {
                figure data-test="qr-server" {
                    (qr_svg(server_url)?)
                    figcaption { (l.t("① 服务器地址", "① Server address")) br; code data-test="server-url" { (server_url) } }
                }
                figure data-test="qr-code" {
                    (qr_svg(&code.code)?)
                    figcaption { (l.t("② 注册码", "② Code")) br; code data-test="code" { (code.code) } }
                }
            }
            p { (l.t("有效期至", "Valid until")) " " span data-test="expires" { (fmt_ms(code.expires_at_ms)) } " "
                (l.t("（北京时间，仅可使用一次）", "(China time; works once)")) }
            p.muted { (l.t("电脑端：", "Desktop: ")) code { "siteproof enroll " (server_url) " " (code.code) } }
        }
    })
}

/// A QR code as inline SVG (the console's CSP allows no `data:` images). The
/// SVG is the crate's own drawing of module positions, nothing user-typed.
fn qr_svg(text: &str) -> ConsoleResult<Markup> {
    let qr = QrCode::new(text.as_bytes()).map_err(|_| {
        ConsoleError(ApiError::bad_request(ErrorCode::BadForm, "内容过长，无法生成二维码", "the text is too long for a QR code"))
    })?;
    let svg = qr.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
    // Inline in HTML the XML declaration is noise; the <svg> element is what the page needs.
    let element = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]).to_string();
    Ok(PreEscaped(element))
}
