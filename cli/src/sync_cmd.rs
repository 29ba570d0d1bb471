//! `siteproof enroll`, `sync` and `token`: the desktop face of the core's
//! sync engine, with a progress bar on a terminal and plain lines otherwise.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use siteproof_core::{Device, Error, QueueStatus, Result, SyncObserver, SyncOptions, SyncProgress};

/// Draws progress. Ctrl-C just kills the process: the queue is crash-safe, so no handler is needed.
struct Bar {
    tty: bool,
    cancelled: Arc<AtomicBool>,
}

impl SyncObserver for Bar {
    fn on_progress(&self, p: SyncProgress) {
        if !self.tty {
            return;
        }
        let pct = (p.bytes_done * 100).checked_div(p.bytes_total).map_or(100, |p| p.min(100));
        let filled = (pct / 5) as usize;
        eprint!(
            "\r[{}{}] {pct:>3}%  {}/{} 项/jobs  {:.1}/{:.1} MB ",
            "#".repeat(filled),
            " ".repeat(20 - filled),
            p.jobs_done,
            p.jobs_total,
            p.bytes_done as f64 / 1e6,
            p.bytes_total as f64 / 1e6
        );
        let _ = std::io::stderr().flush();
    }
    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// Enrolls and prints the result.
pub fn enroll(device: &Device, url: &str, code: &str, name: &str, json: bool) -> Result<()> {
    let e = device.enroll(url, code, name)?;
    let info = device.info()?;
    if json {
        crate::output::json(&serde_json::json!({"device_id": info.device_id, "server_url": e.server_url, "server_key": e.server_key}));
    } else {
        println!("已注册 / enrolled: device {} with {} (server key {})", info.device_id, e.server_url, e.server_key);
    }
    Ok(())
}

/// Syncs; succeeds only when nothing is left pending or failed.
pub fn sync(device: &Device, wait_s: u64, chunk_kib: u64, json: bool) -> Result<()> {
    let cancelled = Arc::new(AtomicBool::new(false));
    let bar = Bar { tty: std::io::stderr().is_terminal() && !json, cancelled };
    let options = SyncOptions { initial_chunk_bytes: chunk_kib * 1024, wait_for_backoff_ms: wait_s * 1000 };
    let report = device.sync(&options, &bar)?;
    if bar.tty {
        eprintln!();
    }
    let status = device.queue_status()?;
    if json {
        crate::output::json(&serde_json::json!({
            "anchored": report.anchored, "orders_pushed": report.orders_pushed, "orders_pulled": report.orders_pulled,
            "jobs_done": report.jobs_done, "receipts": report.receipts, "bytes_sent": report.bytes_sent,
            "bytes_acknowledged": report.bytes_acknowledged, "jobs_failed": report.jobs_failed,
            "pending_jobs": status.pending_jobs, "failed_jobs": status.failed_jobs,
            "next_attempt_at_ms": status.next_attempt_at_ms,
        }));
    } else {
        println!(
            "同步完成 / synced: {} jobs, {} receipts, {:.1} MB sent; orders {} pulled, {} pushed; time anchor {}",
            report.jobs_done,
            report.receipts,
            report.bytes_sent as f64 / 1e6,
            report.orders_pulled,
            report.orders_pushed,
            if report.anchored { "refreshed / 已校准" } else { "NOT refreshed / 未校准" }
        );
    }
    if status.failed_jobs > 0 {
        return Err(Error::Rejected(format!(
            "{} 个任务被服务器拒绝，需协调员处理 / {} job(s) refused by the server; see `siteproof queue --jobs`",
            status.failed_jobs, status.failed_jobs
        )));
    }
    if status.pending_jobs > 0 {
        return Err(Error::Network(still_waiting(device, &status)?));
    }
    Ok(())
}

/// Says what is still waiting (the first job in send order that has failed, and
/// why) and when it will be retried: when that job's backoff ends, or at once by
/// the next `siteproof sync`, which starts without waiting out that backoff.
/// (Jobs behind an unavailable server were not tried and wait on the same retry.)
fn still_waiting(device: &Device, status: &QueueStatus) -> Result<String> {
    let jobs = device.queue_jobs()?;
    let first_failed = jobs.iter().find(|j| j.state == siteproof_core::JobState::Pending && j.last_error.is_some());
    let (why_zh, why_en) = match first_failed {
        Some(j) => {
            let short: String = j.item_id.chars().take(8).collect();
            let why = format!("{} {short}: {}", j.part, j.last_error.as_deref().unwrap_or_default());
            (format!("（{why}）"), format!(" ({why})"))
        }
        None => (String::new(), String::new()),
    };
    let now = siteproof_core::now_ms();
    let (when_zh, when_en) = match first_failed.map(|j| j.next_attempt_at_ms).or(status.next_attempt_at_ms) {
        Some(at) if at > now => {
            let clock = chrono::DateTime::from_timestamp_millis(at)
                .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S %:z").to_string())
                .unwrap_or_default();
            let secs = (at - now + 999) / 1000;
            (format!("将于 {clock}（{secs} 秒后）重试"), format!("next try at {clock} (in {secs} s)"))
        }
        _ => ("将于下次同步时重试".to_string(), "next try at the next sync".to_string()),
    };
    let n = status.pending_jobs;
    Ok(format!(
        "{n} 个任务等待重试{why_zh}；{when_zh}，再次运行 `siteproof sync` 则立即重试 / \
         {n} job(s) waiting to be retried{why_en}; {when_en}, or at once when `siteproof sync` runs again"
    ))
}

/// Prints the device token.
pub fn token(device: &Device) -> Result<()> {
    let e =
        device.enrollment()?.ok_or_else(|| Error::InvalidInput("设备尚未注册 / not enrolled; run `siteproof enroll URL CODE`".into()))?;
    println!("{}", e.token);
    Ok(())
}
