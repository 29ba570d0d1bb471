//! Printing results: JSON for scripts, short bilingual lines for people.

use serde::Serialize;
use siteproof_core::flags::describe;
use siteproof_core::{EvidenceItem, QueueStatus, VerifyReport, Visit, WorkOrder};

/// Prints a value as pretty JSON.
pub fn json<T: Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("serializable"));
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S %:z").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// One line per order.
pub fn order(o: &WorkOrder) {
    let deadline = o.deadline_ms.map(time).unwrap_or_else(|| "-".into());
    println!(
        "{}  {}  {}  {}  时限/deadline {}  状态/status {}{}",
        o.number,
        siteproof_core::vocab::zh_label(siteproof_core::vocab::ORDER_KINDS, o.kind.as_str()),
        o.category,
        o.address,
        deadline,
        siteproof_core::vocab::zh_label(siteproof_core::vocab::ORDER_STATUSES, o.status.as_str()),
        if o.dirty { "  (未同步/unsynced)" } else { "" }
    );
}

/// One visit.
pub fn visit(v: &Visit) {
    println!(
        "{}  {}  工单/order {}  开始/start {}  {}",
        v.id,
        siteproof_core::vocab::zh_label(siteproof_core::vocab::VISIT_PURPOSES, &v.purpose),
        v.order_number.as_deref().unwrap_or("-"),
        time(v.started_at_ms),
        match v.ended_at_ms {
            Some(t) => format!("结束/ended {}", time(t)),
            None => "进行中/in progress".into(),
        }
    );
}

/// One evidence item, with its flags in words.
pub fn item(i: &EvidenceItem) {
    let when = match (i.anchored_utc_ms, i.anchored_bound_ms) {
        (Some(t), Some(b)) => format!("{} ±{} ms (已校准/anchored)", time(t), b),
        _ => format!("{} (手机时间/device clock)", time(i.device_time_ms)),
    };
    println!(
        "#{} {} {}  {}  {}  工单/order {}{}",
        i.seq,
        i.kind.as_str(),
        i.item_id,
        i.media_sha256.as_deref().map(|s| siteproof_core::text::prefix(s, 16)).unwrap_or("-"),
        when,
        i.order_number.as_deref().unwrap_or("未归档/unfiled"),
        if i.has_receipt { "  ✓ 已回执/receipted" } else { "" }
    );
    if let Some(from) = &i.received_from {
        println!("    收到的材料，非本机拍摄，来源：{from} / received, not captured by this device, from: {from}");
    }
    if let Some(ms) = i.duration_ms {
        println!("    时长/duration {:.1} s", ms as f64 / 1000.0);
    }
    for f in &i.flags {
        let (zh, en) = describe(f);
        println!("    ! {zh} / {en}");
    }
}

/// Queue summary.
pub fn queue(s: &QueueStatus) {
    println!(
        "待上传/pending {} ({} bytes)  失败/failed {}  已完成/done {}  回执/receipts {}",
        s.pending_jobs, s.pending_bytes, s.failed_jobs, s.done_jobs, s.receipts
    );
}

/// Verification result.
pub fn verify(r: &VerifyReport) {
    if r.ok() {
        println!(
            "校验通过 / verified: {} entries, {} originals re-hashed, {} pruned after receipt",
            r.entries, r.blobs_checked, r.blobs_pruned
        );
    } else {
        println!("校验失败 / verification FAILED: {} problem(s) in {} entries", r.problems.len(), r.entries);
        for p in &r.problems {
            println!("  [{}] seq {} item {}: {}", p.kind.as_str(), p.seq, p.item_id.as_deref().unwrap_or("-"), p.detail);
        }
    }
}
