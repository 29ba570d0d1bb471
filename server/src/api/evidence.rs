//! What coordinators read about received evidence: entries of an order, one
//! item with its manifest, receipt and re-checked verification status, and
//! the chain anomalies of their communities' devices.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::json;
use crate::auth::{require_session, Role};
use crate::domain::{ingest, orders};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::repo;
use crate::repo::entries::{GapScope, StoredEntry};
use crate::state::AppState;
use crate::web::body::{num, query};
use siteproof_protocol::evidence::{SignedManifest, SignedReceipt};
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::receipt::ReceiptEnvelope;

fn summary(c: &Connection, e: &StoredEntry) -> rusqlite::Result<Value> {
    Ok(json!({
        "manifest_hash": e.manifest_hash, "device_id": e.device_id, "seq": e.seq,
        "item_id": e.item_id, "kind": e.kind, "media_sha256": e.media_sha256,
        "order_number": e.order_number, "attach_item_id": e.attach_item_id,
        "received_at_ms": e.received_at_ms, "log_index": e.log_index,
        "media_bytes": e.media_bytes, "media_type": e.media_type,
        "anomalies": repo::anomalies::of_manifest(c, &e.manifest_hash)?.len(),
    }))
}

/// `GET /v1/evidence?order=NUMBER` - entries filed under an order (directly or by attach entries).
#[utoipa::path(
    get,
    path = "/v1/evidence",
    summary = "Evidence entries filed under an order",
    params(("order" = String, Query, description = "Order number")),
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "order is missing, or a query parameter this endpoint does not take", body = ErrorBody),
        (status = 404, description = "No such order in the caller's communities", body = ErrorBody),
    )
)]
pub async fn list(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let q = query(q.as_deref(), &["order"])?;
    let number = q
        .get("order")
        .cloned()
        .ok_or_else(|| ApiError::bad_request(ErrorCode::OrderRequired, "需要 order 参数", "query parameter order is required"))?;
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &number, &p.communities)?;
            let items = repo::entries::of_order(c, o.community_id, &o.number)?
                .iter()
                .map(|e| summary(c, e))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(json(StatusCode::OK, &json!({"order": o.number, "entries": items})))
        })
        .await
}

fn verification(st: &AppState, e: &StoredEntry) -> ApiResult<Value> {
    let sm = SignedManifest { manifest: e.manifest.clone(), signature: e.signature.clone() };
    let sig = e.device_key.as_deref().map(|k| sm.open_from(k).map_err(|e| e.to_string()));
    let media = match sm.open() {
        Ok(m) => match m.media {
            None => json!(null),
            Some(media) => {
                let size = st.storage.size(&media.sha256)?;
                json!({"sha256": media.sha256, "present": size.is_some(), "size_matches": size == Some(media.bytes)})
            }
        },
        Err(_) => json!(null),
    };
    let receipt = SignedReceipt { receipt: e.receipt.clone(), signature: e.receipt_signature.clone() };
    Ok(json!({
        "signature_valid": matches!(sig, Some(Ok(_))),
        "signature_error": match sig { Some(Err(e)) => Some(e), None => Some("device not enrolled".to_string()), _ => None },
        "media": media,
        "receipt_valid": receipt.open(&st.key_hex).is_ok(),
    }))
}

/// `GET /v1/evidence/{item_id}` - manifest, receipt and verification of an item.
#[utoipa::path(
    get,
    path = "/v1/evidence/{item_id}",
    summary = "One item: manifest, receipt, verification status, anomalies",
    params(("item_id" = String, Path, description = "Item id")),
    responses(
        (status = 200, description = "OK"),
        (status = 404, description = "No such item in the caller's communities", body = ErrorBody),
    )
)]
pub async fn item(State(st): State<AppState>, h: HeaderMap, Path(item_id): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let st2 = st.clone();
    st.db
        .call(move |c| {
            let visible: Vec<StoredEntry> = repo::entries::of_item(c, &item_id)?.into_iter().filter(|e| p.sees(e.community_id)).collect();
            if visible.is_empty() {
                return Err(ApiError::not_found("证据", "evidence item"));
            }
            let mut entries = Vec::new();
            for e in &visible {
                let mut sum = summary(c, e)?;
                let anomalies: Vec<Value> = repo::anomalies::of_manifest(c, &e.manifest_hash)?
                    .into_iter()
                    .map(|a| json!({"kind": a.kind, "detail": a.detail, "at_ms": a.at_ms}))
                    .collect();
                sum["manifest"] = json!({"manifest": e.manifest, "signature": e.signature});
                let signed = SignedReceipt { receipt: e.receipt.clone(), signature: e.receipt_signature.clone() };
                sum["receipt"] = json!(ReceiptEnvelope::new(signed, st2.key_hex.as_str()));
                sum["verification"] = verification(&st2, e)?;
                sum["anomaly_list"] = json!(anomalies);
                entries.push(sum);
            }
            let mut out = entries.remove(0);
            // Two entries with one item id is itself suspicious; show both rather than pick.
            out["other_entries"] = json!(entries);
            Ok(json(StatusCode::OK, &out))
        })
        .await
}

/// `GET /v1/anomalies?after=ID` - chain gaps, forks and reorders in the caller's communities.
#[utoipa::path(
    get,
    path = "/v1/anomalies",
    summary = "Chain anomalies (fork, broken_link) of the caller's communities, and the open gaps of their devices' chains",
    description = "Open gaps are sequence numbers not yet received",
    params(
        ("after" = Option<i64>, Query, description = "Only ids above this"),
        ("limit" = Option<i64>, Query, description = "Page size"),
    ),
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "A bad number, or a query parameter this endpoint does not take", body = ErrorBody),
    )
)]
pub async fn anomalies(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let q = query(q.as_deref(), &["after", "limit"])?;
    let after: i64 = num(&q, "after")?.unwrap_or(0);
    let limit: i64 = num::<i64>(&q, "limit")?.unwrap_or(500).clamp(1, 1000);
    st.db
        .call(move |c| {
            let rows: Vec<Value> = repo::anomalies::of_communities(c, &p.communities, after, limit)?
                .into_iter()
                .map(|a| {
                    json!({
                        "id": a.id, "device_id": a.device_id, "manifest_hash": a.manifest_hash,
                        "seq": a.seq, "item_id": a.item_id, "kind": a.kind,
                        "detail": a.detail, "at_ms": a.at_ms, "community": a.community,
                    })
                })
                .collect();
            let gaps = ingest::open_gaps(c, GapScope::Communities(&p.communities))?;
            Ok(json(StatusCode::OK, &json!({"anomalies": rows, "gaps": gaps})))
        })
        .await
}
