//! tus 1.0 resumable uploads at `/v1/uploads/`: core protocol plus creation,
//! creation-with-upload, expiration, termination and checksum (sha1, sha256).
//! Uploads are staged per device and move into content-addressed storage
//! only once the whole file's SHA-256 matches the one declared at creation.
//!
//! Status codes beyond the spec's: 423 while another PATCH of the same upload
//! runs; 460 with `sha256_mismatch` when the finished file's SHA-256 differs
//! from the declared one (the upload is then failed and its bytes deleted);
//! 410 for expired or failed uploads.

pub mod headers;
pub mod sweep;
pub mod upload;
pub mod write;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use self::headers::{check_version, http_date, TUS_CHECKSUMS, TUS_EXTENSIONS, TUS_VERSION};
use self::upload::UploadLock;
use crate::api::openapi::Binary;
use crate::auth::require_device;
use crate::domain::derivatives::{self, Claim};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::tus::{header, OFFSET_STREAM};

fn set(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// `OPTIONS /v1/uploads/` - what this tus server supports.
#[utoipa::path(
    options,
    path = "/v1/uploads/",
    summary = "tus discovery: Tus-Version, Tus-Extension, Tus-Checksum-Algorithm, Tus-Max-Size",
    responses((status = 204, description = "OK", headers(
        ("Tus-Version" = String, description = "Supported tus versions"),
        ("Tus-Extension" = String, description = "Supported tus extensions"),
        ("Tus-Checksum-Algorithm" = String, description = "sha1,sha256"),
        ("Tus-Max-Size" = u64, description = "Largest upload accepted, bytes"),
    )))
)]
pub async fn options(State(st): State<AppState>) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    set(&mut r, header::TUS_VERSION, TUS_VERSION);
    set(&mut r, header::TUS_EXTENSION, TUS_EXTENSIONS);
    set(&mut r, header::TUS_CHECKSUM_ALGORITHM, TUS_CHECKSUMS);
    set(&mut r, header::TUS_MAX_SIZE, &st.config.max_upload_bytes.to_string());
    r
}

/// `OPTIONS /v1/uploads/{id}` - the same discovery answer at an upload's URL.
#[utoipa::path(
    options,
    path = "/v1/uploads/{id}",
    summary = "tus discovery",
    params(("id" = String, Path, description = "Upload id")),
    responses((status = 204, description = "OK"))
)]
pub async fn options_upload(st: State<AppState>) -> Response {
    options(st).await
}

fn is_offset_stream(h: &HeaderMap) -> bool {
    h.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim().eq_ignore_ascii_case(OFFSET_STREAM))
}

/// `POST /v1/uploads/` - creates an upload (optionally with its first bytes).
#[utoipa::path(
    post,
    path = "/v1/uploads/",
    summary = "tus creation (and creation-with-upload)",
    description = "Upload-Metadata must carry sha256 (hex of the whole file); optional filename, media_type; a thumbnail or preview \
        names role and item_id (a UUID). 409 derivative_not_yours: the item is another device's, or another device already linked \
        its picture. 429 too_many_open_uploads (with Retry-After): the device has as many unfinished uploads open as allowed \
        (device_open_uploads, default 32); finishing, terminating or expiry frees a slot",
    params(
        ("Tus-Resumable" = String, Header, description = "Must be 1.0.0 (412 otherwise)"),
        ("Upload-Length" = u64, Header, description = "Total bytes"),
        ("Upload-Metadata" = String, Header, description = "key base64value pairs; sha256 required"),
        ("Upload-Checksum" = Option<String>, Header, description = "With a body: 'sha1 <b64>' or 'sha256 <b64>'"),
    ),
    request_body(content = Option<Binary>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 201, description = "Created; Location names the upload", headers(
            ("Location" = String, description = "The upload's URL"),
            ("Upload-Offset" = u64, description = "Bytes held"),
        )),
        (status = 400, description = "A tus header is missing or malformed", body = ErrorBody),
        (status = 409, description = "derivative_not_yours", body = ErrorBody),
        (status = 412, description = "Tus-Resumable is not 1.0.0", body = ErrorBody),
        (status = 413, description = "Upload-Length is above Tus-Max-Size", body = ErrorBody),
        (status = 429, description = "too_many_open_uploads", body = ErrorBody, headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 460, description = "Upload-Checksum does not match the body", body = ErrorBody),
    )
)]
pub async fn create(State(st): State<AppState>, h: HeaderMap, body: Body) -> ApiResult<Response> {
    check_version(&h)?;
    let (_, dev) = require_device(&st, &h).await?;
    if h.contains_key(header::UPLOAD_DEFER_LENGTH) {
        return Err(ApiError::bad_request(
            ErrorCode::DeferLengthUnsupported,
            "不支持延后声明长度",
            "Upload-Defer-Length is not supported; send Upload-Length",
        ));
    }
    let length = headers::u64_header(&h, header::UPLOAD_LENGTH)?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::UploadLengthRequired, "需要 Upload-Length", "Upload-Length is required"))?;
    if length > st.config.max_upload_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UploadTooLarge,
            &format!("单个文件不能超过 {} 字节", st.config.max_upload_bytes),
            &format!("an upload may not exceed {} bytes", st.config.max_upload_bytes),
        ));
    }
    let meta = headers::metadata(&h)?;
    if let Some((item_id, role)) = headers::derivative(&meta)? {
        // Refused before any byte is taken: a picture another device's item may not carry.
        let claim = Claim { item_id, role, device_id: dev.device_id.clone(), community_id: dev.community_id };
        st.db.call(move |c| Ok(derivatives::check(c, &claim)?)).await?;
    }
    let with_body = is_offset_stream(&h);
    let ck = if with_body { headers::checksum(&h)? } else { None };
    let up = upload::create(&st, &dev, length, &meta).await?;
    let location = format!("/v1/uploads/{}", up.id);
    let mut offset = up.offset;
    if with_body || length == 0 {
        let lock = UploadLock::take(&st, &up.id)?;
        match write::receive(st.clone(), up.clone(), ck, body, lock).await {
            Ok(o) => offset = o,
            Err(e) => return Err(e.with_header("location", &location)),
        }
    }
    let mut r = StatusCode::CREATED.into_response();
    set(&mut r, "location", &location);
    set(&mut r, header::UPLOAD_EXPIRES, &http_date(up.expires_at_ms));
    if with_body || length == 0 {
        set(&mut r, header::UPLOAD_OFFSET, &offset.to_string());
    }
    Ok(r)
}

/// `HEAD /v1/uploads/{id}` - how many bytes the server holds.
#[utoipa::path(
    head,
    path = "/v1/uploads/{id}",
    summary = "tus offset query",
    params(
        ("id" = String, Path, description = "Upload id"),
        ("Tus-Resumable" = String, Header, description = "Must be 1.0.0 (412 otherwise)"),
    ),
    responses(
        (status = 200, description = "OK", headers(
            ("Upload-Offset" = u64, description = "Bytes held"),
            ("Upload-Length" = u64, description = "Total bytes"),
        )),
        (status = 404, description = "No such upload of this device", body = ErrorBody),
        (status = 410, description = "The upload expired or failed", body = ErrorBody),
        (status = 412, description = "Tus-Resumable is not 1.0.0", body = ErrorBody),
    )
)]
pub async fn head(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> ApiResult<Response> {
    check_version(&h)?;
    let (_, dev) = require_device(&st, &h).await?;
    let up = upload::load_live(&st, &dev, &id).await?;
    let mut r = StatusCode::OK.into_response();
    set(&mut r, header::UPLOAD_OFFSET, &up.offset.to_string());
    set(&mut r, header::UPLOAD_LENGTH, &up.length.to_string());
    if !up.metadata_raw.is_empty() {
        set(&mut r, header::UPLOAD_METADATA, &up.metadata_raw);
    }
    set(&mut r, "cache-control", "no-store");
    if up.state == "open" {
        set(&mut r, header::UPLOAD_EXPIRES, &http_date(up.expires_at_ms));
    }
    Ok(r)
}

/// `PATCH /v1/uploads/{id}` - appends bytes at the given offset.
#[utoipa::path(
    patch,
    path = "/v1/uploads/{id}",
    summary = "tus append at Upload-Offset",
    description = "With Upload-Checksum the bytes count only if it matches (460 otherwise). On completion the whole file's SHA-256 \
        must match the declared one (460 sha256_mismatch otherwise; the upload is failed)",
    params(
        ("id" = String, Path, description = "Upload id"),
        ("Tus-Resumable" = String, Header, description = "Must be 1.0.0 (412 otherwise)"),
        ("Upload-Offset" = u64, Header, description = "Current offset"),
        ("Upload-Checksum" = Option<String>, Header, description = "'sha1 <b64>' or 'sha256 <b64>'"),
    ),
    request_body(content = Binary, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "OK", headers(("Upload-Offset" = u64, description = "Bytes held now"))),
        (status = 400, description = "A tus header is missing or malformed", body = ErrorBody),
        (status = 404, description = "No such upload of this device", body = ErrorBody),
        (status = 409, description = "offset_mismatch (Upload-Offset names the server's offset)", body = ErrorBody),
        (status = 410, description = "The upload expired, failed or is finished", body = ErrorBody),
        (status = 412, description = "Tus-Resumable is not 1.0.0", body = ErrorBody),
        (status = 413, description = "The bytes run past Upload-Length", body = ErrorBody),
        (status = 415, description = "Content-Type is not application/offset+octet-stream", body = ErrorBody),
        (status = 423, description = "Another PATCH of this upload is running", body = ErrorBody),
        (status = 460, description = "checksum_mismatch or sha256_mismatch", body = ErrorBody),
    )
)]
pub async fn patch(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, body: Body) -> ApiResult<Response> {
    check_version(&h)?;
    let (_, dev) = require_device(&st, &h).await?;
    if !is_offset_stream(&h) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadContentType,
            "Content-Type 须为 application/offset+octet-stream",
            "Content-Type must be application/offset+octet-stream",
        ));
    }
    let offset = headers::u64_header(&h, header::UPLOAD_OFFSET)?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::UploadOffsetRequired, "需要 Upload-Offset", "Upload-Offset is required"))?;
    let ck = headers::checksum(&h)?;
    let content_length = headers::u64_header(&h, "content-length")?;
    let lock = UploadLock::take(&st, &id)?;
    let up = upload::load_live(&st, &dev, &id).await?;
    if up.state != "open" && !(up.state == "complete" && offset == up.length) {
        return Err(ApiError::new(StatusCode::GONE, ErrorCode::UploadClosed, "上传已结束", "upload is no longer open"));
    }
    if offset != up.offset {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::OffsetMismatch,
            &format!("偏移量不符：服务器已有 {} 字节", up.offset),
            &format!("Upload-Offset {offset} does not match the server's offset {}", up.offset),
        )
        .with_header(header::UPLOAD_OFFSET, &up.offset.to_string()));
    }
    if let Some(cl) = content_length {
        if offset + cl > up.length {
            return Err(write::exceeds(up.length));
        }
    }
    let expires = up.expires_at_ms;
    let new_offset = if up.state == "complete" { up.offset } else { write::receive(st.clone(), up, ck, body, lock).await? };
    let mut r = StatusCode::NO_CONTENT.into_response();
    set(&mut r, header::UPLOAD_OFFSET, &new_offset.to_string());
    set(&mut r, header::UPLOAD_EXPIRES, &http_date(expires.max(crate::db::now_ms() + st.config.upload_expiry_ms)));
    Ok(r)
}

/// `DELETE /v1/uploads/{id}` - termination: drops the staged bytes.
#[utoipa::path(
    delete,
    path = "/v1/uploads/{id}",
    summary = "tus termination: drops staged bytes",
    params(
        ("id" = String, Path, description = "Upload id"),
        ("Tus-Resumable" = String, Header, description = "Must be 1.0.0 (412 otherwise)"),
    ),
    responses(
        (status = 204, description = "OK"),
        (status = 404, description = "No such upload of this device", body = ErrorBody),
        (status = 412, description = "Tus-Resumable is not 1.0.0", body = ErrorBody),
        (status = 423, description = "A PATCH of this upload is running", body = ErrorBody),
    )
)]
pub async fn terminate(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> ApiResult<Response> {
    check_version(&h)?;
    let (_, dev) = require_device(&st, &h).await?;
    let _lock = UploadLock::take(&st, &id)?;
    let up = upload::load(&st, &dev, &id).await?;
    upload::terminate(&st, &up).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
