//! `POST /v1/orders/{number}/packet`: a coordinator downloads the dispute
//! packet of an order of their community. The packet is built in a temp
//! file under the data directory, unlinked as soon as it is open, and
//! streamed; the export itself is audited by `packet::export_order_packet`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use crate::api::openapi::Binary;
use crate::auth::{require_session, Role};
use crate::domain::orders;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::packet::dispute::{Dispute, DisputeFields};
use crate::packet::{export_order_packet, file_name_for};
use crate::state::AppState;
use crate::web::body;
use crate::web::zip_download::{zip_response, DownloadDir, ZipDownload};
use siteproof_protocol::wire::error_code::ErrorCode;

/// Optional body: which items to include, and the dispute for the cover page.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PacketRequest)]
struct PacketReq {
    /// Only these item ids (each must belong to the order); omit for every item.
    items: Option<Vec<String>>,
    /// The dispute for the cover page (申诉书); omit for a cover with blanks to fill in by hand.
    dispute: Option<DisputeFields>,
}

/// `POST /v1/orders/{number}/packet` - the order's dispute packet as `application/zip`.
#[utoipa::path(
    post,
    path = "/v1/orders/{number}/packet",
    summary = "Exports the order's dispute packet (争议证据包) as one ZIP (audited)",
    description = "report.pdf, originals, signed manifests and receipts, keys, guide and a signed index",
    params(("number" = String, Path, description = "Order number")),
    request_body = Option<PacketReq>,
    responses(
        (status = 200, description = "The packet", content_type = "application/zip", body = Binary, headers(
            ("Content-Disposition" = String, description = "attachment; the packet's file name"),
            ("Siteproof-Packet-Sha256" = String, description = "SHA-256 of the ZIP, hex"),
        )),
        (status = 400, description = "The body is not a packet request", body = ErrorBody),
        (status = 404, description = "No such order, or an item not of this order", body = ErrorBody),
        (status = 503, description = "cjk_font_missing: the server has no Chinese font for the report", body = ErrorBody),
    )
)]
pub async fn export(State(st): State<AppState>, h: HeaderMap, Path(number): Path<String>, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let raw = body::bytes(b, body::JSON_LIMIT).await?;
    let req: PacketReq = if raw.iter().all(|c| c.is_ascii_whitespace()) {
        PacketReq::default()
    } else {
        serde_json::from_slice(&raw)
            .map_err(|e| ApiError::bad_request(ErrorCode::BadJson, "JSON 格式或字段错误", &format!("invalid JSON body: {e}")))?
    };
    let dispute = Dispute::from_fields(&req.dispute.unwrap_or_default())?;
    let wanted = number.clone();
    let communities = p.communities.clone();
    let community_id = st.db.call(move |c| Ok(orders::get_visible(c, &wanted, &communities)?.community_id)).await?;

    // A folder of its own per request, so the file (and the audit row) carry the download name.
    let dir = DownloadDir::new(&st.config.data)?;
    let out = dir.file(&file_name_for(&number));
    let result = export_order_packet(&st, Some(p.user_id), community_id, &number, req.items.as_deref(), dispute, &out).await;
    let (summary, file) = dir.open(&out, result)?;
    Ok(zip_response(file, ZipDownload { bytes: summary.bytes, file_name: &summary.file_name, packet_sha256: Some(&summary.sha256) }))
}
