//! Reading request bodies and query strings into typed values, turning every
//! failure (too big, cut short, not JSON, unknown field) into a JSON error
//! instead of axum's plain-text rejections.

use axum::body::Body;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};

/// Default cap on JSON bodies.
pub const JSON_LIMIT: usize = 1 << 20;

/// Reads a whole body up to `limit` bytes.
pub async fn bytes(body: Body, limit: usize) -> ApiResult<axum::body::Bytes> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // The limit is recognised by its error type, not by the wording of its message.
        let too_big =
            std::iter::successors(std::error::Error::source(&e), |s| s.source()).any(|s| s.is::<http_body_util::LengthLimitError>());
        if too_big {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "请求体过大",
                &format!("request body is larger than {limit} bytes"),
            )
        } else {
            ApiError::bad_request("body_incomplete", "请求体不完整", "request body was cut short")
        }
    })
}

/// Reads a JSON body.
pub async fn json<T: DeserializeOwned>(body: Body) -> ApiResult<T> {
    let b = bytes(body, JSON_LIMIT).await?;
    serde_json::from_slice(&b).map_err(|e| ApiError::bad_request("bad_json", "JSON 格式或字段错误", &format!("invalid JSON body: {e}")))
}

/// Parsed query parameters.
pub type Query = std::collections::HashMap<String, String>;

/// Parses a query string, refusing keys not in `allowed` and repeated keys.
pub fn query(q: Option<&str>, allowed: &[&str]) -> ApiResult<Query> {
    let mut out = Query::new();
    for (k, v) in form_pairs(q.unwrap_or(""))? {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request("bad_query", &format!("未知查询参数 {k:?}"), &format!("unknown query parameter {k:?}")));
        }
        if out.insert(k.clone(), v).is_some() {
            return Err(ApiError::bad_request("bad_query", &format!("查询参数 {k:?} 重复"), &format!("query parameter {k:?} repeated")));
        }
    }
    Ok(out)
}

/// A numeric query parameter.
pub fn num<T: std::str::FromStr>(q: &Query, key: &str) -> ApiResult<Option<T>> {
    match q.get(key) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::bad_request(
                "bad_query",
                &format!("查询参数 {key} 不是有效数字"),
                &format!("query parameter {key} is not a valid number"),
            )
        }),
    }
}

fn form_pairs(q: &str) -> ApiResult<Vec<(String, String)>> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k, false)?, decode(v, false)?))
        })
        .collect()
}

/// Decodes an `application/x-www-form-urlencoded` body (HTML forms): keys
/// keep their order and may repeat (checkboxes); values may hold line breaks
/// (text areas) but no other control characters.
pub fn form_body(b: &[u8]) -> ApiResult<Vec<(String, String)>> {
    let s = std::str::from_utf8(b).map_err(|_| ApiError::bad_request("bad_form", "表单编码错误", "form body is not UTF-8"))?;
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k, false)?, decode(v, true)?))
        })
        .collect()
}

fn decode(s: &str, multiline: bool) -> ApiResult<String> {
    let bad = || ApiError::bad_request("bad_query", "查询参数编码错误", "malformed percent-encoding in query");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                out.push(u8::from_str_radix(std::str::from_utf8(h).map_err(|_| bad())?, 16).map_err(|_| bad())?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    let s = String::from_utf8(out).map_err(|_| bad())?;
    if s.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        return Err(ApiError::bad_request("bad_query", "查询参数含控制字符", "control characters in query"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: Body, limit: usize) -> ApiResult<axum::body::Bytes> {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(bytes(body, limit))
    }

    #[test]
    fn an_oversize_body_is_413_and_a_broken_one_400() {
        assert_eq!(read(Body::from(vec![7u8; 10]), 10).unwrap().len(), 10);
        let too_big = read(Body::from(vec![7u8; 11]), 10).unwrap_err();
        assert_eq!((too_big.status, too_big.code), (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"));
        let broken =
            Body::from_stream(futures_util::stream::iter([Ok(axum::body::Bytes::from_static(b"abc")), Err(std::io::Error::other("cut"))]));
        let cut = read(broken, 10).unwrap_err();
        assert_eq!((cut.status, cut.code), (StatusCode::BAD_REQUEST, "body_incomplete"));
    }
}
