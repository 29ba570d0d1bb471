//! How the console refuses: the API's error (code and bilingual message)
//! shown as an HTML page, except that a missing or expired session sends the
//! browser to the login form instead of showing a dead end.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::error::ApiError;

/// A console refusal; wraps the API error so domain code is shared unchanged.
#[derive(Debug)]
pub struct ConsoleError(pub ApiError);

/// Result alias for console handlers.
pub type ConsoleResult<T> = Result<T, ConsoleError>;

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        ConsoleError(e)
    }
}

impl From<rusqlite::Error> for ConsoleError {
    fn from(e: rusqlite::Error) -> Self {
        ConsoleError(e.into())
    }
}

/// The error page's title: what kind of refusal this is, in words, zh-CN then English. Every error code
/// answers with one status, so the status names the kind; the HTTP reason phrase is for machines.
pub fn heading(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "输入有误 / Invalid input",
        403 => "无权操作 / Not allowed",
        404 => "找不到 / Not found",
        405 => "此处不能这样操作 / Not possible here",
        409 => "与已有记录重复或不一致 / Clashes with an existing record",
        412 => "请求的前提条件不符 / Request conditions not met",
        413 => "内容过大 / Too large",
        415 => "文件类型不支持 / Unsupported file type",
        416 => "请求的范围不存在 / Range not available",
        429 => "请求过多，请稍后再试 / Too many attempts, try again later",
        500..=599 => "服务器出错，请稍后再试 / Server error, try again later",
        _ => "请求未被接受 / Request not accepted",
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.status == StatusCode::UNAUTHORIZED {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/console/login"), (header::CACHE_CONTROL, "no-store")]).into_response();
        }
        let title = heading(e.status);
        let page = html! {
            (maud::DOCTYPE)
            html lang="zh-CN" {
                (super::layout::head(title))
                body { main.narrow {
                    h1 { (title) }
                    p.error data-code=(e.code) { (e.message) }
                    p { a href="/console/orders" { "返回工单列表 / back to the order list" } }
                } }
            }
        };
        (e.status, [(header::CACHE_CONTROL, "no-store")], page).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_is_titled_in_both_languages_never_by_its_reason_phrase() {
        for code in 400..600u16 {
            let s = StatusCode::from_u16(code).unwrap();
            let title = heading(s);
            let (zh, en) = title.split_once(" / ").expect("zh-CN / English");
            assert!(!zh.is_ascii() && !en.is_empty(), "{code}: {title}");
            if let Some(reason) = s.canonical_reason() {
                assert!(!title.contains(reason), "{code}: {title}");
            }
        }
    }
}
