//! Exports over several orders at once, for a coordinator: `POST
//! /v1/packets/batch` (one dispute packet holding every chosen order, checked
//! by `siteproof verify` like a single order's) and `POST
//! /v1/originals/export` (a plain ZIP of the originals with a CSV list, not a
//! dispute packet). Both are built in a request folder under the data
//! directory, unlinked as soon as the file is open, and streamed; each export
//! is audited once by `packet::batch` / `packet::batch_originals`.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use crate::api::openapi::Binary;
use crate::auth::{require_session, Role};
use crate::error::{ApiResult, ErrorBody};
use crate::packet::batch::{batch_file_name, export_batch_packet};
use crate::packet::batch_originals::{export_originals, originals_file_name};
use crate::state::AppState;
use crate::web::body;
use crate::web::zip_download::{zip_response, DownloadDir, ZipDownload};

/// The orders to export together.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BatchExportRequest)]
struct BatchReq {
    /// Order numbers, in the order their sections should appear; all of one community, each visible to the caller.
    orders: Vec<String>,
}

/// `POST /v1/packets/batch` - one dispute packet for several orders, as `application/zip`.
#[utoipa::path(
    post,
    path = "/v1/packets/batch",
    summary = "Exports one dispute packet (争议证据包) holding several orders (audited once)",
    description = "One ZIP, one signed index, one report.pdf: a batch cover listing the orders and the page each starts on, then each order's section. At most 50 orders and 500 entries.",
    request_body = BatchReq,
    responses(
        (status = 200, description = "The packet", content_type = "application/zip", body = Binary, headers(
            ("Content-Disposition" = String, description = "attachment; the packet's file name"),
            ("Siteproof-Packet-Sha256" = String, description = "SHA-256 of the ZIP, hex"),
        )),
        (status = 400, description = "batch_too_large: over the limit (named in the message); or no orders, or orders of two communities", body = ErrorBody),
        (status = 404, description = "An order that does not exist or is not visible", body = ErrorBody),
        (status = 503, description = "cjk_font_missing: the server has no Chinese font for the report", body = ErrorBody),
    )
)]
pub async fn packet(State(st): State<AppState>, h: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let req: BatchReq = body::json(b).await?;
    let dir = DownloadDir::new(&st.config.data)?;
    let out = dir.file(&batch_file_name(&req.orders));
    let result = export_batch_packet(&st, Some(p.user_id), p.communities.clone(), req.orders, &out).await;
    let (summary, file) = dir.open(&out, result)?;
    let packet = &summary.packet;
    Ok(zip_response(file, ZipDownload { bytes: packet.bytes, file_name: &packet.file_name, packet_sha256: Some(&packet.sha256) }))
}

/// `POST /v1/originals/export` - the chosen orders' originals and a CSV list, as `application/zip`.
#[utoipa::path(
    post,
    path = "/v1/originals/export",
    summary = "Exports the originals of several orders as a plain ZIP with a CSV list (audited once)",
    description = "Every original byte for byte, named <order>/<capture time>_<kind>_<short hash>.<ext>, with originals.csv (sha256, order, worker, capture time, place) and a README. Not a dispute packet: nothing in it is signed. At most 500 orders.",
    request_body = BatchReq,
    responses(
        (status = 200, description = "The originals", content_type = "application/zip", body = Binary, headers(
            ("Content-Disposition" = String, description = "attachment; the ZIP's file name"),
        )),
        (status = 400, description = "batch_too_large: over the limit (named in the message); or no orders, or orders of two communities", body = ErrorBody),
        (status = 404, description = "An order that does not exist or is not visible", body = ErrorBody),
    )
)]
pub async fn originals(State(st): State<AppState>, h: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let req: BatchReq = body::json(b).await?;
    let dir = DownloadDir::new(&st.config.data)?;
    let out = dir.file(&originals_file_name(&req.orders));
    let result = export_originals(&st, Some(p.user_id), p.communities.clone(), req.orders, &out).await;
    let (summary, file) = dir.open(&out, result)?;
    Ok(zip_response(file, ZipDownload { bytes: summary.bytes, file_name: &summary.file_name, packet_sha256: None }))
}
