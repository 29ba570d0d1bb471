//! The public page a recipient of a watermarked share copy opens from the
//! code printed on it (`/v/{code}`): which evidence item the copy was made
//! from, of which order, captured when, and whether the file they received
//! is byte for byte the copy that was registered (they drop it in the form,
//! or a link carries `?sha256=`). No login; both languages on one page for
//! a phone screen.
//!
//! What it never shows: the original photo or its hash, the place, the
//! worker's or complainant's name or number; only what the copy itself
//! already prints (order number, time) and the item id. A community that
//! does not want the page switches it off (`--no-share-page`): every code
//! then answers exactly what an unknown route does. Look-ups are limited
//! per source address, so the 50-bit codes cannot be walked.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use sha2::{Digest, Sha256};

use crate::auth::client_addr::ClientAddr;
use crate::console::i18n::fmt_ms_secs;
use crate::error::ApiError;
use crate::repo;
use crate::repo::share_copies::ShareCopy;
use crate::state::AppState;
use crate::web::body::query;
use siteproof_protocol::evidence::share_code::{grouped, normalize};
use siteproof_protocol::evidence::Manifest;
use siteproof_protocol::wire::error_code::ErrorCode;

/// Look-ups one source address may make a minute (also the burst).
pub const LOOKUPS_PER_MINUTE: u32 = 30;

/// Largest copy a recipient may drop in the form: a watermarked copy of a 200-megapixel photo stays under it.
pub const MAX_COPY_BYTES: usize = 64 << 20;

/// What the recipient's file was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// Nothing was given to compare.
    NotAsked,
    /// The file's SHA-256 equals the registered copy's.
    Matches,
    /// It does not: altered, re-compressed or another file.
    Differs,
}

/// `GET /v/{code}` (and `?sha256=HEX`): what the code names, and the comparison when a hash is given.
pub async fn show(State(st): State<AppState>, ClientAddr(from): ClientAddr, Path(code): Path<String>, RawQuery(q): RawQuery) -> Response {
    if let Some(refused) = refusal(&st, from) {
        return refused;
    }
    let given = match query(q.as_deref(), &["sha256"]) {
        Ok(q) => q.get("sha256").map(|h| h.trim().to_ascii_lowercase()),
        Err(e) => return e.into_response(),
    };
    answer(&st, &code, given.as_deref()).await
}

/// `POST /v/{code}` (multipart form, the file in field `copy`): the same page, compared with the file.
pub async fn compare(State(st): State<AppState>, ClientAddr(from): ClientAddr, Path(code): Path<String>, form: Multipart) -> Response {
    if let Some(refused) = refusal(&st, from) {
        return refused;
    }
    match copy_sha256(form).await {
        Ok(hash) => answer(&st, &code, Some(&hash)).await,
        Err(e) => e.into_response(),
    }
}

/// Hashes the `copy` field of the form as it streams in.
async fn copy_sha256(mut form: Multipart) -> Result<String, ApiError> {
    let unreadable =
        || ApiError::bad_request(ErrorCode::BadForm, "表单无法读取，请重新选择文件", "the form could not be read; choose the file again");
    while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() != Some("copy") {
            continue;
        }
        let mut hasher = Sha256::new();
        let mut bytes = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            bytes += chunk.len();
            hasher.update(&chunk);
        }
        if bytes == 0 {
            return Err(ApiError::bad_request(ErrorCode::BadForm, "没有选择文件", "no file was chosen"));
        }
        return Ok(hex::encode(hasher.finalize()));
    }
    Err(ApiError::bad_request(ErrorCode::BadForm, "没有选择文件", "no file was chosen"))
}

/// The answer instead of the page, if any: switched off, it answers as an
/// unknown route does; a look-up over the limit is refused with the wait.
fn refusal(st: &AppState, from: std::net::IpAddr) -> Option<Response> {
    if !st.config.share_page {
        return Some(ApiError::no_such_route().into_response());
    }
    st.share_page_throttle.check(from).err().map(|t| {
        let n = t.retry_after_s;
        let body = page(html! {
            h1 { "请求过多 / Too many look-ups" }
            p.error { (format!("请求过多，请 {n} 秒后再试 / too many look-ups, try again in {n} seconds")) }
        });
        (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, n.to_string()), (header::CACHE_CONTROL, "no-store".into())], body)
            .into_response()
    })
}

/// What a code resolves to, read from the registration and the source entry.
struct Resolved {
    copy: ShareCopy,
    /// The photo's manifest as the server stored it, when it has arrived.
    source: Option<Manifest>,
    /// When the server received the photo's manifest.
    source_received_ms: Option<i64>,
}

async fn answer(st: &AppState, typed: &str, given: Option<&str>) -> Response {
    let Some(code) = normalize(typed) else { return not_registered(typed) };
    let lookup = code.clone();
    let found = st
        .db
        .call(move |c| {
            let Some(copy) = repo::share_copies::by_code(c, &lookup)? else { return Ok(None) };
            // The photo must be the very entry the share names, signed by the same device.
            let entry = repo::entries::of_item(c, &copy.item_id)?
                .into_iter()
                .find(|e| e.manifest_hash == copy.source_manifest_hash && e.device_id == copy.device_id);
            let source = entry.as_ref().and_then(|e| serde_json::from_str::<Manifest>(&e.manifest).ok());
            Ok(Some(Resolved { copy, source, source_received_ms: entry.map(|e| e.received_at_ms) }))
        })
        .await;
    let resolved = match found {
        Ok(Some(r)) => r,
        Ok(None) => return not_registered(typed),
        Err(e) => return e.into_response(),
    };
    let comparison = match given {
        None => Comparison::NotAsked,
        Some(h) if h == resolved.copy.copy_sha256 => Comparison::Matches,
        Some(_) => Comparison::Differs,
    };
    let body = page(resolved_page(&resolved, comparison));
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

fn not_registered(typed: &str) -> Response {
    let shown: String = typed.chars().take(24).collect();
    let body = page(html! {
        h1 { "未找到核验码 / Code not found" }
        p.error data-test="share-unknown" {
            "没有以核验码 " code { (shown) } " 登记的分享副本。请核对副本上印的核验码。"
            br;
            "No share copy is registered under this code. Check the code printed on the copy."
        }
    });
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

fn resolved_page(r: &Resolved, comparison: Comparison) -> Markup {
    let code = grouped(&r.copy.code);
    let action = format!("/v/{}", r.copy.code);
    html! {
        h1 { "分享副本核验 / Share copy check" }
        p { "核验码 / Code: " strong data-test="share-code" { (code) } }
        @match &r.source {
            Some(m) => {
                @let (time, anchored) = capture_time(m);
                p.ok data-test="share-registered" {
                    "此副本由证据条目 " code data-test="share-item" { (r.copy.item_id) }
                    @if let Some(n) = &m.order_number { "（工单 " span data-test="share-order" { (n) } "）" }
                    " 制作，该照片拍摄于 " span data-test="share-time" { (time) } (if anchored { "（服务器校时）" } else { "（手机时钟，未校时）" }) "。"
                    br;
                    "This copy was made from evidence item " (r.copy.item_id)
                    @if let Some(n) = &m.order_number { " of order " (n) }
                    ", captured at " (time) (if anchored { " (server-anchored time)" } else { " (phone clock, not anchored)" }) "."
                }
                @if let Some(ms) = r.source_received_ms {
                    p.muted { "服务器收到原始证据记录 / evidence record received by the server: " (fmt_ms_secs(ms)) " (UTC+8)" }
                }
            }
            None => {
                p.warn data-test="share-pending" {
                    "此副本已登记，但它所依据的证据尚未同步到服务器。"
                    br;
                    "This copy is registered, but the evidence it was made from has not reached the server yet."
                }
            }
        }
        p.muted { "副本登记时间 / copy registered: " (fmt_ms_secs(r.copy.registered_at_ms)) " (UTC+8)" }
        p.muted { "登记副本的 SHA-256 / registered copy's SHA-256: " code data-test="share-copy-sha256" { (r.copy.copy_sha256) } }
        @match comparison {
            Comparison::Matches => p.badge.ok data-test="share-match" {
                "✔ 您收到的文件与登记的副本完全一致。" br; "The file you received is exactly the registered copy."
            },
            Comparison::Differs => p.badge.bad data-test="share-mismatch" {
                "✘ 您收到的文件与登记的副本不一致（哈希不符）：它被修改、重新压缩或不是这份副本。"
                br;
                "The file you received does not match the registered copy's hash: it was altered, re-compressed, or is another file."
            },
            Comparison::NotAsked => {},
        }
        h2 { "核对您收到的文件 / Check the file you received" }
        form method="post" action=(action) enctype="multipart/form-data" {
            input type="file" name="copy" accept="image/jpeg" required;
            p { button type="submit" { "核对 / Check" } }
        }
        p.muted {
            "原始照片、拍摄地点和个人信息不在此公开；原件由社区保存。"
            br;
            "The original photo, the place and personal details are not shown here; the community keeps the original."
        }
    }
}

/// The photo's capture time in China time, and whether it was anchored to the server's clock.
fn capture_time(m: &Manifest) -> (String, bool) {
    match &m.anchored {
        Some(a) => (format!("{} (UTC+8)", fmt_ms_secs(a.utc_ms)), true),
        None => (format!("{} (UTC+8)", fmt_ms_secs(m.capture.device_time_ms)), false),
    }
}

fn page(content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (super::layout::head("分享副本核验 / Share copy check"))
            body { main.narrow.share { (content) } }
        }
    }
}
