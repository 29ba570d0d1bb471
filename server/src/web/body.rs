//! Reading request bodies, query strings and HTML form bodies into typed
//! values for the API and the console alike, turning every failure (too big,
//! cut short, not JSON, unknown field, broken encoding) into a typed error
//! instead of axum's plain-text rejections.

use axum::body::Body;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use siteproof_protocol::wire::error_code::ErrorCode;

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
                ErrorCode::BodyTooLarge,
                "请求体过大",
                &format!("request body is larger than {limit} bytes"),
            )
        } else {
            ApiError::bad_request(ErrorCode::BodyIncomplete, "请求体不完整", "request body was cut short")
        }
    })
}

/// Reads a JSON body.
pub async fn json<T: DeserializeOwned>(body: Body) -> ApiResult<T> {
    let b = bytes(body, JSON_LIMIT).await?;
    serde_json::from_slice(&b)
        .map_err(|e| ApiError::bad_request(ErrorCode::BadJson, "JSON 格式或字段错误", &format!("invalid JSON body: {e}")))
}

/// Parsed query parameters.
pub type Query = std::collections::HashMap<String, String>;

/// Parses a query string, refusing keys not in `allowed` and repeated keys.
pub fn query(q: Option<&str>, allowed: &[&str]) -> ApiResult<Query> {
    let mut out = Query::new();
    for (k, v) in form_pairs(q.unwrap_or(""))? {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(
                ErrorCode::BadQuery,
                &format!("未知查询参数 {k:?}"),
                &format!("unknown query parameter {k:?}"),
            ));
        }
        if out.insert(k.clone(), v).is_some() {
            return Err(ApiError::bad_request(
                ErrorCode::BadQuery,
                &format!("查询参数 {k:?} 重复"),
                &format!("query parameter {k:?} repeated"),
            ));
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
                ErrorCode::BadQuery,
                &format!("查询参数 {key} 不是有效数字"),
                &format!("query parameter {key} is not a valid number"),
            )
        }),
    }
}

fn form_pairs(q: &str) -> ApiResult<Vec<(String, String)>> {
    decode_pairs(q, false)
}

/// Decodes an `application/x-www-form-urlencoded` body (HTML forms): keys
/// keep their order and may repeat (checkboxes); values may hold line breaks
/// (text areas) but no other control characters.
pub fn form_body(b: &[u8]) -> ApiResult<Vec<(String, String)>> {
    let s = std::str::from_utf8(b).map_err(|_| ApiError::bad_request(ErrorCode::BadForm, "表单编码错误", "form body is not UTF-8"))?;
    decode_pairs(s, true)
}

/// Splits and decodes pairs with `serde_urlencoded`, which itself lets a
/// broken escape through as text and replaces bytes that are not UTF-8; both
/// are refused here first, so what a client sent is never silently altered.
fn decode_pairs(s: &str, multiline: bool) -> ApiResult<Vec<(String, String)>> {
    let bad = || ApiError::bad_request(ErrorCode::BadQuery, "查询参数编码错误", "malformed percent-encoding in query");
    let broken_escape = s.split('%').skip(1).any(|rest| !rest.get(..2).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if broken_escape || percent_encoding::percent_decode_str(s).decode_utf8().is_err() {
        return Err(bad());
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(s).map_err(|_| bad())?;
    let control = |t: &str| t.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    // Keys never hold line breaks, even in a form.
    let key_control = |t: &str| t.chars().any(char::is_control);
    if pairs.iter().any(|(k, v)| key_control(k) || control(v)) {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "查询参数含控制字符", "control characters in query"));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_and_broken_encoding_refused() {
        let q = query(Some("status=%E5%BE%85%E5%8A%9E&assignee=a+b"), &["status", "assignee"]).unwrap();
        assert_eq!((q["status"].as_str(), q["assignee"].as_str()), ("待办", "a b"));
        for bad in ["status=%zz", "status=%E5", "status=%0A", "status=%", "status=x&status=y", "other=1"] {
            assert_eq!(query(Some(bad), &["status"]).unwrap_err().code, ErrorCode::BadQuery, "{bad}");
        }
        let form = form_body(b"notes=line1%0D%0Aline2&tag=a&tag=b").unwrap();
        assert_eq!(form, vec![("notes".into(), "line1\r\nline2".into()), ("tag".into(), "a".into()), ("tag".into(), "b".into())]);
        assert_eq!(form_body(b"notes=%07").unwrap_err().code, ErrorCode::BadQuery);
        assert_eq!(form_body(b"a%0A=1").unwrap_err().code, ErrorCode::BadQuery);
    }

    fn read(body: Body, limit: usize) -> ApiResult<axum::body::Bytes> {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(bytes(body, limit))
    }

    #[test]
    fn an_oversize_body_is_413_and_a_broken_one_400() {
        assert_eq!(read(Body::from(vec![7u8; 10]), 10).unwrap().len(), 10);
        let too_big = read(Body::from(vec![7u8; 11]), 10).unwrap_err();
        assert_eq!((too_big.status, too_big.code), (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge));
        let broken =
            Body::from_stream(futures_util::stream::iter([Ok(axum::body::Bytes::from_static(b"abc")), Err(std::io::Error::other("cut"))]));
        let cut = read(broken, 10).unwrap_err();
        assert_eq!((cut.status, cut.code), (StatusCode::BAD_REQUEST, ErrorCode::BodyIncomplete));
    }
}
