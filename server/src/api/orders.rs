//! Work order endpoints for the console (sessions) and for devices.
//! Orders of another community answer 404, never 403, so their existence
//! does not leak. Workers and devices see complainant contact masked.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, TransactionBehavior};
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::auth::{require_device, require_session, Principal, Role};
use crate::domain::accounts;
use crate::domain::order_csv;
use crate::domain::orders::{self, Actor, NewOrder, OrderEdit};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::repo;
use crate::state::AppState;
use crate::web::body::{self, num, query};
use siteproof_protocol::vocab::OrderStatus;
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::order::{EditAnswer, OrderList, OrderPage, PulledOrder, WireOrder};

const CSV_LIMIT: usize = 16 << 20;

fn actor(p: &Principal) -> Actor {
    Actor { user_id: p.user_id, role: p.role, device_id: p.device.as_ref().map(|d| d.device_id.clone()) }
}

/// The community new orders go to: the caller's own, or (admins) the named one.
fn target_community(c: &Connection, p: &Principal, name: Option<&str>) -> ApiResult<i64> {
    match (name, p.community_id) {
        (Some(n), _) => {
            let (cid, _) = accounts::community(c, n)?;
            if p.sees(cid) {
                Ok(cid)
            } else {
                Err(ApiError::not_found("社区", "community"))
            }
        }
        (None, Some(cid)) => Ok(cid),
        (None, None) => Err(ApiError::invalid(ErrorCode::CommunityRequired, "请指定社区 / name the community")),
    }
}

/// `GET /v1/orders` - orders of the caller's communities.
#[utoipa::path(
    get,
    path = "/v1/orders",
    summary = "Orders of the caller's communities (complainant masked for workers)",
    params(
        ("status" = Option<String>, Query, description = "Status code"),
        ("assignee" = Option<String>, Query, description = "Username"),
        ("limit" = Option<i64>, Query, description = "Page size"),
        ("offset" = Option<i64>, Query, description = "Skip"),
    ),
    responses(
        (status = 200, description = "OK", body = OrderList),
        (status = 400, description = "A bad number or status, or a query parameter this endpoint does not take", body = ErrorBody),
    )
)]
pub async fn list(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Worker).await?;
    let q = query(q.as_deref(), &["status", "assignee", "limit", "offset"])?;
    // Read like every other status input: a code or its Chinese label; an unknown one is refused with the choices.
    let status = q.get("status").map(|s| OrderStatus::parse(s)).transpose()?;
    let f = repo::orders::ListFilter {
        status: status.map(|s| s.as_str().to_string()),
        assignee: q.get("assignee").cloned(),
        limit: num::<u32>(&q, "limit")?.unwrap_or(200).min(1000),
        offset: num(&q, "offset")?.unwrap_or(0),
        ..repo::orders::ListFilter::default()
    };
    st.db
        .call(move |c| {
            let orders = repo::orders::list(c, &p.communities, &f)?.into_iter().map(|l| l.order.masked(p.masks_contact()).into()).collect();
            Ok(json(StatusCode::OK, &OrderList { orders }))
        })
        .await
}

/// `POST /v1/orders` - creates one order.
#[utoipa::path(
    post,
    path = "/v1/orders",
    summary = "Creates an order",
    description = "Numbers are unique per street office (409 order_exists within the office; another office's orders neither block nor show)",
    request_body = NewOrder,
    responses(
        (status = 201, description = "OK", body = WireOrder),
        (status = 400, description = "The body is not a new order", body = ErrorBody),
        (status = 404, description = "No such community in the caller's office", body = ErrorBody),
        (status = 409, description = "order_exists", body = ErrorBody),
        (status = 422, description = "A field is invalid (the message names it)", body = ErrorBody),
    )
)]
pub async fn create(State(st): State<AppState>, h: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let n: NewOrder = body::json(b).await?;
    let v = orders::validate_new(&n)?;
    st.db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let cid = target_community(&tx, &p, n.community.as_deref())?;
            orders::insert(&tx, cid, &v, &actor(&p))?;
            let o = orders::get_visible(&tx, &v.number, &p.communities)?;
            tx.commit()?;
            Ok(json(StatusCode::CREATED, &WireOrder::from(o)))
        })
        .await
}

/// `POST /v1/orders/import?partial=true&community=NAME` - CSV import with per-line errors.
#[utoipa::path(
    post,
    path = "/v1/orders/import",
    summary = "Imports orders from CSV",
    description = "Header: number,kind,category,address,complainant,dispatch_time,deadline,content. Bad rows are reported by line; \
        with partial=true the good rows are imported, else nothing (422)",
    params(
        ("partial" = Option<bool>, Query, description = "Import the good rows even if some are bad"),
        ("community" = Option<String>, Query, description = "Target community (admins)"),
    ),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "A bad query parameter, or a body that is not CSV text", body = ErrorBody),
        (status = 404, description = "No such community in the caller's office", body = ErrorBody),
        (status = 413, description = "The CSV is larger than 16 MiB", body = ErrorBody),
        (status = 422, description = "Bad rows (reported by line)", body = ErrorBody),
    )
)]
pub async fn import(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let q = query(q.as_deref(), &["partial", "community"])?;
    let partial = match q.get("partial").map(String::as_str) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => return Err(ApiError::bad_request(ErrorCode::BadQuery, "partial 须为 true 或 false", "partial must be true or false")),
    };
    let raw = body::bytes(b, CSV_LIMIT).await?;
    let parsed = order_csv::parse(&raw)?;
    let community = q.get("community").cloned();
    st.db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let cid = target_community(&tx, &p, community.as_deref())?;
            let mut errors = parsed.errors;
            let mut good = Vec::new();
            for (line, o) in parsed.rows {
                if orders::exists(&tx, cid, &o.number)? {
                    errors.push(order_csv::RowError { line, error: ErrorCode::OrderExists, message: format!("工单 {} 已存在 / order {} already exists", o.number, o.number) });
                } else {
                    good.push(o);
                }
            }
            errors.sort_by_key(|e| e.line);
            if !errors.is_empty() && !partial {
                return Ok(json(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &json!({
                        "error": "csv_rows_invalid",
                        "message": format!("{} 行有错误，未导入任何工单；修正后重试，或加 ?partial=true 只导入正确的行 / {} rows have errors; nothing was imported. Fix them, or add ?partial=true to import the good rows", errors.len(), errors.len()),
                        "imported": 0, "valid_rows": good.len(), "errors": errors,
                    }),
                ));
            }
            for o in &good {
                orders::insert(&tx, cid, o, &actor(&p))?;
            }
            tx.commit()?;
            Ok(json(StatusCode::OK, &json!({"imported": good.len(), "errors": errors})))
        })
        .await
}

/// `GET /v1/orders/{number}`.
#[utoipa::path(
    get,
    path = "/v1/orders/{number}",
    summary = "One order",
    params(("number" = String, Path, description = "Order number")),
    responses(
        (status = 200, description = "OK", body = WireOrder),
        (status = 404, description = "No such order in the caller's communities", body = ErrorBody),
    )
)]
pub async fn get(State(st): State<AppState>, h: HeaderMap, Path(number): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Worker).await?;
    st.db
        .call(move |c| {
            Ok(json(StatusCode::OK, &WireOrder::from(orders::get_visible(c, &number, &p.communities)?.masked(p.masks_contact()))))
        })
        .await
}

/// `PATCH /v1/orders/{number}` - status and tags from the console.
#[utoipa::path(
    patch,
    path = "/v1/orders/{number}",
    summary = "Updates status and the four tags; every change goes to history",
    params(("number" = String, Path, description = "Order number")),
    request_body = OrderEdit,
    responses(
        (status = 200, description = "OK", body = EditAnswer),
        (status = 400, description = "The body is not an order edit", body = ErrorBody),
        (status = 404, description = "No such order in the caller's communities", body = ErrorBody),
        (status = 422, description = "A value is not a known code or label", body = ErrorBody),
    )
)]
pub async fn update(State(st): State<AppState>, h: HeaderMap, Path(number): Path<String>, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let u: OrderEdit = body::json(b).await?;
    apply(&st, p, number, u).await
}

async fn apply(st: &AppState, p: Principal, number: String, u: OrderEdit) -> ApiResult<Response> {
    st.db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let o = orders::get_visible(&tx, &number, &p.communities)?;
            if p.device.is_some() && o.assignee_id != Some(p.user_id) && !repo::orders::watched_by(&tx, o.id, p.user_id)? {
                return Err(ApiError::not_found(&format!("工单 {number} "), &format!("order {number}")));
            }
            let (applied, conflicts) = orders::apply_update(&tx, &o, &u, &actor(&p))?;
            let merged = orders::get_visible(&tx, &number, &p.communities)?.masked(p.masks_contact());
            tx.commit()?;
            Ok(json(StatusCode::OK, &EditAnswer { order: merged.into(), applied, conflicts }))
        })
        .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Assign)]
struct AssignReq {
    /// The worker's username, or null to unassign.
    worker: Option<String>,
}

/// `POST /v1/orders/{number}/assign` - `{"worker": "name"}` or `{"worker": null}`.
#[utoipa::path(
    post,
    path = "/v1/orders/{number}/assign",
    summary = "Assigns the order to a worker of its community (null unassigns)",
    params(("number" = String, Path, description = "Order number")),
    request_body = AssignReq,
    responses(
        (status = 200, description = "OK", body = WireOrder),
        (status = 400, description = "The body is not an assignment", body = ErrorBody),
        (status = 404, description = "No such order or worker in the caller's communities", body = ErrorBody),
        (status = 422, description = "The worker cannot take orders of this community", body = ErrorBody),
    )
)]
pub async fn assign(State(st): State<AppState>, h: HeaderMap, Path(number): Path<String>, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let r: AssignReq = body::json(b).await?;
    st.db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let o = orders::get_visible(&tx, &number, &p.communities)?;
            orders::assign(&tx, &o, r.worker.as_deref(), &actor(&p))?;
            let o = orders::get_visible(&tx, &number, &p.communities)?;
            tx.commit()?;
            Ok(json(StatusCode::OK, &WireOrder::from(o)))
        })
        .await
}

/// `GET /v1/orders/{number}/history`.
#[utoipa::path(
    get,
    path = "/v1/orders/{number}/history",
    summary = "Every change of the order",
    params(("number" = String, Path, description = "Order number")),
    responses(
        (status = 200, description = "OK"),
        (status = 404, description = "No such order in the caller's communities", body = ErrorBody),
    )
)]
pub async fn history(State(st): State<AppState>, h: HeaderMap, Path(number): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    st.db
        .call(move |c| {
            let o = orders::get_visible(c, &number, &p.communities)?;
            Ok(json(StatusCode::OK, &json!({"order": o.number, "history": orders::history_of(c, o.id)?})))
        })
        .await
}

/// `GET /v1/device/orders?cursor=N&limit=M` - orders assigned (now or before) to the device's worker, changed after the cursor.
#[utoipa::path(
    get,
    path = "/v1/device/orders",
    summary = "Orders assigned (now or before) to the device's worker, changed after cursor; contact masked",
    params(
        ("cursor" = Option<i64>, Query, description = "Last next_cursor seen (0 first)"),
        ("limit" = Option<i64>, Query, description = "Page size"),
    ),
    responses(
        (status = 200, description = "OK", body = OrderPage),
        (status = 400, description = "A bad number, or a query parameter this endpoint does not take", body = ErrorBody),
    )
)]
pub async fn device_pull(State(st): State<AppState>, h: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let (p, dev) = require_device(&st, &h).await?;
    let q = query(q.as_deref(), &["cursor", "limit"])?;
    let cursor: i64 = num(&q, "cursor")?.unwrap_or(0);
    let limit: u32 = num::<u32>(&q, "limit")?.unwrap_or(200).clamp(1, 1000);
    st.db
        .call(move |c| {
            let rows = repo::orders::changed_for_worker(c, dev.community_id, p.user_id, cursor, limit)?;
            let next_cursor = rows.last().map(|o| o.change_seq).unwrap_or(cursor);
            let orders = rows
                .into_iter()
                .map(|o| PulledOrder { assigned_to_you: o.assignee_id == Some(p.user_id), order: o.masked(true).into() })
                .collect();
            Ok(json(StatusCode::OK, &OrderPage { orders, next_cursor }))
        })
        .await
}

/// `PATCH /v1/device/orders/{number}` - a device's status/tag edit with `base_version`; returns the merged order.
#[utoipa::path(
    patch,
    path = "/v1/device/orders/{number}",
    summary = "A device's status/tag edit; requires base_version and returns the merged order",
    description = "Fields a coordinator changed after base_version keep the coordinator's value (returned in conflicts); other \
        fields are last-writer-wins",
    params(("number" = String, Path, description = "Order number")),
    request_body = OrderEdit,
    responses(
        (status = 200, description = "OK", body = EditAnswer),
        (status = 400, description = "The body is not an order edit", body = ErrorBody),
        (status = 404, description = "No such order of the device's worker", body = ErrorBody),
        (status = 422, description = "base_version is missing, or a value is not a known code or label", body = ErrorBody),
    )
)]
pub async fn device_update(State(st): State<AppState>, h: HeaderMap, Path(number): Path<String>, b: Body) -> ApiResult<Response> {
    let (p, _) = require_device(&st, &h).await?;
    let u: OrderEdit = body::json(b).await?;
    if u.base_version.is_none() {
        return Err(ApiError::bad_request(
            ErrorCode::BaseVersionRequired,
            "设备修改须带 base_version",
            "device edits must carry base_version",
        ));
    }
    apply(&st, p, number, u).await
}
