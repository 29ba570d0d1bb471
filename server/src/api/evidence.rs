//! What coordinators read about received evidence: entries of an order, one
//! item with its manifest, receipt and re-checked verification status, and
//! the chain anomalies of their communities' devices.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, Connection, Row};
use serde_json::{json, Value};

use super::body::{num, query};
use super::json;
use crate::auth::{require_session, Role};
use crate::domain::orders;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use siteproof_protocol::evidence::{SignedManifest, SignedReceipt};

const COLS: &str = "e.manifest_hash, e.device_id, e.seq, e.item_id, e.kind, e.media_sha256, e.order_number, e.attach_item_id,
    e.received_at_ms, e.log_index, e.community_id, b.bytes, b.media_type,
    (SELECT COUNT(*) FROM anomalies a WHERE a.manifest_hash = e.manifest_hash)";

fn summary(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    Ok((
        r.get(10)?,
        json!({
            "manifest_hash": r.get::<_, String>(0)?, "device_id": r.get::<_, String>(1)?, "seq": r.get::<_, i64>(2)?,
            "item_id": r.get::<_, String>(3)?, "kind": r.get::<_, String>(4)?, "media_sha256": r.get::<_, Option<String>>(5)?,
            "order_number": r.get::<_, Option<String>>(6)?, "attach_item_id": r.get::<_, Option<String>>(7)?,
            "received_at_ms": r.get::<_, i64>(8)?, "log_index": r.get::<_, i64>(9)?,
            "media_bytes": r.get::<_, Option<i64>>(11)?, "media_type": r.get::<_, Option<String>>(12)?,
            "anomalies": r.get::<_, i64>(13)?,
        }),
    ))
}

/// `GET /v1/evidence?order=NUMBER` - entries filed under an order (directly or by attach entries).
pub async fn list(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let q = query(q.as_deref(), &["order"])?;
    let number = q
        .get("order")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("order_required", "需要 order 参数", "query parameter order is required"))?;
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &number, &p.communities)?;
            let mut s = c.prepare(&format!(
                "SELECT {COLS} FROM entries e LEFT JOIN blobs b ON b.sha256 = e.media_sha256
                 WHERE e.community_id = ?1 AND (e.order_number = ?2 OR e.item_id IN
                    (SELECT attach_item_id FROM entries WHERE community_id = ?1 AND order_number = ?2 AND kind = 'attach' AND device_id = e.device_id))
                 ORDER BY e.log_index"
            ))?;
            let items = s.query_map(params![o.community_id, o.number], summary)?.map(|r| r.map(|x| x.1)).collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(json(StatusCode::OK, &json!({"order": o.number, "entries": items})))
        })
        .await
}

fn verification(
    c: &Connection,
    st: &AppState,
    manifest: &str,
    signature: &str,
    device_id: &str,
    receipt: &SignedReceipt,
) -> ApiResult<Value> {
    let sm = SignedManifest { manifest: manifest.to_string(), signature: signature.to_string() };
    let enrolled: Option<String> =
        rusqlite::OptionalExtension::optional(
            c.query_row("SELECT public_key FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0)),
        )?;
    let sig = enrolled.as_deref().map(|k| sm.open_from(k).map_err(|e| e.to_string()));
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
    let receipt_ok = receipt.open(&st.key_hex).is_ok();
    Ok(json!({
        "signature_valid": matches!(sig, Some(Ok(_))),
        "signature_error": match sig { Some(Err(e)) => Some(e), None => Some("device not enrolled".to_string()), _ => None },
        "media": media,
        "receipt_valid": receipt_ok,
    }))
}

/// `GET /v1/evidence/{item_id}` - manifest, receipt and verification of an item.
pub async fn item(State(st): State<AppState>, h: HeaderMap, Path(item_id): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let st2 = st.clone();
    st.db
        .call(move |c| {
            let mut s = c.prepare(&format!(
                "SELECT {COLS}, e.manifest, e.signature, r.receipt, r.signature FROM entries e
                 LEFT JOIN blobs b ON b.sha256 = e.media_sha256 JOIN receipt_log r ON r.manifest_hash = e.manifest_hash
                 WHERE e.item_id = ?1 ORDER BY e.log_index"
            ))?;
            let rows = s
                .query_map([&item_id], |r| {
                    Ok((summary(r)?, r.get::<_, String>(14)?, r.get::<_, String>(15)?, r.get::<_, String>(16)?, r.get::<_, String>(17)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let visible: Vec<_> = rows.into_iter().filter(|((cid, _), ..)| p.sees(*cid)).collect();
            if visible.is_empty() {
                return Err(ApiError::not_found("证据", "evidence item"));
            }
            let mut entries = Vec::new();
            for ((_, mut sum), manifest, sig, receipt, rsig) in visible {
                let hash = sum["manifest_hash"].as_str().unwrap_or_default().to_string();
                let device = sum["device_id"].as_str().unwrap_or_default().to_string();
                let sr = SignedReceipt { receipt: receipt.clone(), signature: rsig.clone() };
                let v = verification(c, &st2, &manifest, &sig, &device, &sr)?;
                let mut a = c.prepare_cached("SELECT kind, detail, at_ms FROM anomalies WHERE manifest_hash = ?1 ORDER BY id")?;
                let anomalies = a
                    .query_map([&hash], |r| {
                        Ok(json!({"kind": r.get::<_, String>(0)?, "detail": r.get::<_, String>(1)?, "at_ms": r.get::<_, i64>(2)?}))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                sum["manifest"] = json!({"manifest": manifest, "signature": sig});
                sum["receipt"] = json!({"receipt": receipt, "signature": rsig, "server_key": st2.key_hex.as_str()});
                sum["verification"] = v;
                sum["anomaly_list"] = json!(anomalies);
                entries.push(sum);
            }
            let first = entries.remove(0);
            let mut out = first;
            // Two entries with one item id is itself suspicious; show both rather than pick.
            out["other_entries"] = json!(entries);
            Ok(json(StatusCode::OK, &out))
        })
        .await
}

/// `GET /v1/anomalies?after=ID` - chain gaps, forks and reorders in the caller's communities.
pub async fn anomalies(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let q = query(q.as_deref(), &["after", "limit"])?;
    let after: i64 = num(&q, "after")?.unwrap_or(0);
    let limit: i64 = num::<i64>(&q, "limit")?.unwrap_or(500).clamp(1, 1000);
    st.db
        .call(move |c| {
            if p.communities.is_empty() {
                return Ok(json(StatusCode::OK, &json!({"anomalies": [], "gaps": []})));
            }
            let ids = p.communities.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
            let mut s = c.prepare(&format!(
                "SELECT a.id, a.device_id, a.manifest_hash, a.seq, a.item_id, a.kind, a.detail, a.at_ms, c.name
                 FROM anomalies a JOIN communities c ON c.id = a.community_id
                 WHERE a.community_id IN ({ids}) AND a.id > ?1 ORDER BY a.id LIMIT ?2"
            ))?;
            let rows = s
                .query_map(params![after, limit], |r| {
                    Ok(json!({
                        "id": r.get::<_, i64>(0)?, "device_id": r.get::<_, String>(1)?, "manifest_hash": r.get::<_, String>(2)?,
                        "seq": r.get::<_, i64>(3)?, "item_id": r.get::<_, Option<String>>(4)?, "kind": r.get::<_, String>(5)?,
                        "detail": r.get::<_, String>(6)?, "at_ms": r.get::<_, i64>(7)?, "community": r.get::<_, String>(8)?,
                    }))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let gaps = crate::domain::ingest::open_gaps(c, &p.communities)?;
            Ok(json(StatusCode::OK, &json!({"anomalies": rows, "gaps": gaps})))
        })
        .await
}
