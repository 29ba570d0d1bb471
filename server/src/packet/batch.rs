//! One dispute packet for several orders (a worker's week, every 重办 order
//! of a month): one ZIP, one signed index, one PDF, checked by `siteproof
//! verify` exactly like a single order's packet, because it is written by the
//! same `assemble::Target::write`. The PDF opens with a batch cover listing
//! the orders and the page each starts on (`batch_cover`), then each order's
//! section as a single-order packet has it, then the verification appendix
//! once. A batch is bounded, so one request cannot tie up the server or
//! produce a file nobody can send; the export is audited once, naming every
//! order.

use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;
use siteproof_protocol::packet::PacketHeader;
use siteproof_protocol::wire::error_code::ErrorCode;

use super::assemble::{OrderEntries, Target};
use super::batch_cover;
use super::collect;
use super::PacketSummary;
use crate::domain::accounts;
use crate::domain::orders::{self, Order};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The most orders one batch packet holds: a month of one community's 重办 orders fits, and the PDF stays a
/// document a district office reads rather than a dump.
pub const MAX_BATCH_ORDERS: usize = 50;

/// The most evidence entries one batch packet holds, across its orders. The report is set in memory with a
/// preview of every photo (about 100-200 KB each, held by the items, the layout and the PDF bytes), so this
/// bounds an export near 100-300 MB of memory; a month of one community's 重办 orders is a few hundred entries.
pub const MAX_BATCH_ENTRIES: usize = 500;

/// What a batch export produced.
#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    /// The orders in the packet, in the order their sections appear.
    pub orders: Vec<String>,
    /// The packet itself (its `order_number` lists the orders, as the signed index does).
    pub packet: PacketSummary,
}

/// The download name for a batch packet: the first order's number and how many orders follow it.
pub fn batch_file_name(numbers: &[String]) -> String {
    let first = super::file_name_for(numbers.first().map(String::as_str).unwrap_or("batch"));
    let stem = first.trim_end_matches(".zip").replacen("siteproof-packet-", "siteproof-batch-", 1);
    format!("{stem}-{}.zip", numbers.len())
}

/// The orders a batch names, checked once for every kind of batch (packet and originals): at least one, each
/// named once (a repeat is dropped, keeping the first place), no more than `max`, each visible to the caller,
/// all of one community. Refusals are bilingual and name the limit.
pub fn chosen_orders(conn: &Connection, numbers: &[String], communities: &[i64], max: usize) -> ApiResult<Vec<Order>> {
    let mut unique: Vec<&String> = Vec::new();
    for n in numbers {
        if !unique.contains(&n) {
            unique.push(n);
        }
    }
    if unique.is_empty() {
        return Err(ApiError::bad_request(ErrorCode::MissingField, "未选择任何工单", "no orders were chosen"));
    }
    if unique.len() > max {
        return Err(too_large(
            &format!("一次最多导出 {max} 个工单，本次选择了 {} 个；请缩小筛选范围后分批导出", unique.len()),
            &format!("at most {max} orders per export, {} were chosen; narrow the filter and export in parts", unique.len()),
        ));
    }
    let mut found: Vec<Order> = Vec::with_capacity(unique.len());
    for n in unique {
        let order = orders::get_visible(conn, n, communities)?;
        if let Some(first) = found.first() {
            if first.community_id != order.community_id {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidInput,
                    &format!("工单 {} 与工单 {} 属于不同社区；一次导出只能包含一个社区的工单", order.number, first.number),
                    &format!(
                        "orders {} and {} belong to different communities; one export holds one community's orders",
                        order.number, first.number
                    ),
                ));
            }
        }
        found.push(order);
    }
    Ok(found)
}

/// The refusal of a batch over a limit: the limit is in the message, in both languages.
pub fn too_large(zh: &str, en: &str) -> ApiError {
    ApiError::bad_request(ErrorCode::BatchTooLarge, zh, en)
}

/// Exports one dispute packet holding the orders `numbers` (visible in `communities`) to `out`, audited once.
pub async fn export_batch_packet(
    state: &AppState,
    actor_user_id: Option<i64>,
    communities: Vec<i64>,
    numbers: Vec<String>,
    out: &Path,
) -> ApiResult<BatchSummary> {
    let target = super::target(state, out);
    state.db.call(move |conn| run(conn, target, actor_user_id, &communities, &numbers)).await
}

fn run(
    conn: &mut Connection,
    target: Target,
    actor_user_id: Option<i64>,
    communities: &[i64],
    numbers: &[String],
) -> ApiResult<BatchSummary> {
    let chosen = chosen_orders(conn, numbers, communities, MAX_BATCH_ORDERS)?;
    let mut sections = Vec::with_capacity(chosen.len());
    let mut entries = 0;
    for order in chosen {
        let rows = collect::order_entries(conn, order.community_id, &order.number)?;
        entries += rows.len();
        sections.push(OrderEntries { order, all_rows: rows.clone(), rows });
    }
    if entries > MAX_BATCH_ENTRIES {
        return Err(too_large(
            &format!("一个批量证据包最多收入 {MAX_BATCH_ENTRIES} 条证据，所选工单共有 {entries} 条；请减少工单后分批导出"),
            &format!(
                "a batch packet holds at most {MAX_BATCH_ENTRIES} evidence entries, the chosen orders have {entries}; choose fewer orders"
            ),
        ));
    }
    let numbers: Vec<String> = sections.iter().map(|s| s.order.number.clone()).collect();
    let label = PacketHeader {
        order_number: numbers.join(", "),
        community: sections.first().map(|s| s.order.community.clone()).unwrap_or_default(),
        created_at_ms: 0,
    };
    let written = target.write(conn, sections, label, batch_cover::render)?;
    let file_name = batch_file_name(&numbers);
    let shown = target.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file_name.clone());
    let note = format!("批量 / batch ({} 个工单 / orders): {} {}", numbers.len(), numbers.join(", "), written.audit_note(&shown));
    accounts::audit(conn, actor_user_id, "export", &note)?;
    let packet = written.into_summary(numbers.join(", "), target.out, file_name);
    Ok(BatchSummary { orders: numbers, packet })
}
