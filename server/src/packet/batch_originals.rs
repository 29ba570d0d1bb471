//! A plain ZIP of originals for bulk export (原件批量导出): every original of
//! the chosen orders, byte for byte as the device uploaded it, under a name a
//! person can find (`<order>/<capture time>_<kind>_<short hash>.<ext>`), with
//! `originals.csv` listing each file's SHA-256, order, worker, capture time
//! and place, and a README saying what it is. It is not a dispute packet: no
//! signed index, no manifests or receipts, nothing `siteproof verify` checks;
//! the README and the CSV's name column say so. Originals are streamed from
//! storage into a temp file (never held in memory), hashed on the way, and the
//! file is renamed into place when complete. Audited once, naming the orders.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};
use siteproof_protocol::evidence::Manifest;
use siteproof_protocol::packet::layout::extension_for;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::assemble::{check_out, hash_file};
use super::batch::chosen_orders;
use super::collect::{self, EntryRow};
use super::report::beijing;
use crate::domain::accounts;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::Storage;

/// The most orders one originals export holds: a community's month, with room; the file is streamed, so the bound
/// is about how long one request runs, not memory.
pub const MAX_ORIGINALS_ORDERS: usize = 500;

/// The list of files, beside them in the ZIP.
pub const CSV_NAME: &str = "originals.csv";
/// What the ZIP is and is not, for whoever opens it.
pub const README_NAME: &str = "README.txt";

const README: &str = "\
原件批量导出（不是争议证据包）

本压缩包收入所选工单的全部证据原件，与手机上传的文件逐字节相同，按「工单号/拍摄时间_类型_哈希前12位.扩展名」命名；
originals.csv 逐个列出每个文件的 SHA-256、工单、社工、拍摄时间（北京时间）与地点。
本压缩包没有签名索引、签名记录和服务器回执，不能用 siteproof verify 核验，也不能作为争议证据包提交；
需要可核验的证据时，请在控制台或接口导出争议证据包。

Bulk export of originals (NOT a dispute packet)

This ZIP holds every original of the chosen orders, byte for byte as the phone uploaded it, named
<order number>/<capture time>_<kind>_<first 12 hex of SHA-256>.<ext>; originals.csv lists each file's SHA-256,
order, worker, capture time (Beijing time) and place. It has no signed index, no signed manifests and no server
receipts: siteproof verify cannot check it and it is not a dispute packet. Export a dispute packet for evidence
someone else must be able to check.
";

/// The CSV's columns, in order.
const CSV_HEADER: [&str; 15] = [
    "file (not a dispute packet / 非争议证据包)",
    "sha256",
    "bytes",
    "order",
    "item_id",
    "kind",
    "worker",
    "device_id",
    "seq",
    "capture_time_beijing",
    "time_source",
    "lat",
    "lon",
    "accuracy_m",
    "matches_signed_record",
];

/// What an originals export produced.
#[derive(Debug, Clone, Serialize)]
pub struct OriginalsSummary {
    /// The orders whose originals are in the ZIP.
    pub orders: Vec<String>,
    /// Where the ZIP was written.
    pub path: PathBuf,
    /// A file name to offer for download.
    pub file_name: String,
    /// ZIP size in bytes.
    pub bytes: u64,
    /// SHA-256 of the whole ZIP, hex.
    pub sha256: String,
    /// Original files in the ZIP.
    pub originals: usize,
}

/// The download name: the first order's number and how many orders the ZIP holds.
pub fn originals_file_name(numbers: &[String]) -> String {
    format!("siteproof-originals-{}-{}.zip", safe(numbers.first().map(String::as_str).unwrap_or("none")), numbers.len())
}

/// Exports the originals of orders `numbers` (visible in `communities`) to `out`, audited once.
pub async fn export_originals(
    state: &AppState,
    actor_user_id: Option<i64>,
    communities: Vec<i64>,
    numbers: Vec<String>,
    out: &Path,
) -> ApiResult<OriginalsSummary> {
    let storage = state.storage.clone();
    let out = out.to_path_buf();
    state.db.call(move |conn| run(conn, storage, actor_user_id, &communities, &numbers, out)).await
}

fn run(
    conn: &mut Connection,
    storage: Arc<dyn Storage>,
    actor_user_id: Option<i64>,
    communities: &[i64],
    numbers: &[String],
    out: PathBuf,
) -> ApiResult<OriginalsSummary> {
    let dir = check_out(&out)?;
    let chosen = chosen_orders(conn, numbers, communities, MAX_ORIGINALS_ORDERS)?;
    let tmp = tempfile::Builder::new().prefix(".siteproof-originals-").suffix(".part").tempfile_in(&dir)?;
    let mut zip = ZipWriter::new(BufWriter::new(tmp.as_file().try_clone()?));
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(CSV_HEADER).map_err(ApiError::internal)?;
    let mut originals = 0;
    for order in &chosen {
        let rows = collect::order_entries(conn, order.community_id, &order.number)?;
        let devices: BTreeSet<String> = rows.iter().map(|r| r.device_id.clone()).collect();
        let workers = collect::workers(conn, devices.iter())?;
        let mut written: BTreeMap<String, ((String, u64), bool)> = BTreeMap::new();
        for row in &rows {
            let Some(sha) = &row.media_sha256 else { continue };
            let manifest = serde_json::from_str::<Manifest>(&row.manifest.manifest).ok();
            let name = file_name_in_zip(&order.number, row, manifest.as_ref());
            let (actual, matches) = match written.get(&name) {
                Some(done) => done.clone(),
                None => {
                    let actual = copy_original(&mut zip, storage.as_ref(), sha, &name)?;
                    // The file's own hash is its name's; the signed record must name the same bytes.
                    let signed = manifest.as_ref().and_then(|m| m.media.as_ref());
                    let matches = actual.0 == *sha && signed.is_some_and(|m| m.sha256 == *sha && m.bytes == actual.1);
                    originals += 1;
                    written.insert(name.clone(), (actual.clone(), matches));
                    (actual, matches)
                }
            };
            let record = csv_record(&name, &actual, &order.number, row, manifest.as_ref(), workers.get(&row.device_id), matches);
            csv.write_record(&record).map_err(ApiError::internal)?;
        }
    }
    let csv_bytes = csv.into_inner().map_err(ApiError::internal)?;
    add_small(&mut zip, CSV_NAME, &csv_bytes)?;
    add_small(&mut zip, README_NAME, README.as_bytes())?;
    let file = zip.finish().map_err(ApiError::internal)?.into_inner().map_err(|e| ApiError::from(e.into_error()))?;
    file.sync_all()?;
    drop(file);
    let (bytes, sha256) = hash_file(tmp.path())?;
    tmp.persist(&out).map_err(|e| ApiError::from(e.error))?;
    File::open(&dir)?.sync_all()?;

    let numbers: Vec<String> = chosen.iter().map(|o| o.number.clone()).collect();
    let file_name = originals_file_name(&numbers);
    let shown = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file_name.clone());
    let note = format!(
        "原件 / originals ({} 个工单 / orders, {originals} 个文件 / files): {} {shown} sha256:{sha256}",
        numbers.len(),
        numbers.join(", ")
    );
    accounts::audit(conn, actor_user_id, "export", &note)?;
    Ok(OriginalsSummary { orders: numbers, path: out, file_name, bytes, sha256, originals })
}

/// `<order>/<Beijing capture time>_<kind>_<12 hex>.<ext>`: anchored time when there is one, else the phone's.
fn file_name_in_zip(order: &str, row: &EntryRow, manifest: Option<&Manifest>) -> String {
    let sha = row.media_sha256.as_deref().unwrap_or_default();
    let media_type = manifest.and_then(|m| m.media.as_ref()).map(|m| m.media_type.clone()).or_else(|| row.media_type.clone());
    let ext = extension_for(media_type.as_deref().unwrap_or_default());
    let when =
        manifest.map(capture_ms).map(|ms| beijing(ms).replace(['-', ':'], "").replace(' ', "-")).unwrap_or_else(|| "unknown-time".into());
    format!("{}/{when}_{}_{}.{ext}", safe(order), safe(&row.kind), &sha[..sha.len().min(12)])
}

/// Capture time: the anchored time when the server anchored it, else the phone clock.
fn capture_ms(m: &Manifest) -> i64 {
    m.anchored.as_ref().map(|a| a.utc_ms).unwrap_or(m.capture.device_time_ms)
}

/// Only characters safe in any file system.
fn safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

fn csv_record(
    name: &str,
    (sha256, bytes): &(String, u64),
    order: &str,
    row: &EntryRow,
    manifest: Option<&Manifest>,
    worker: Option<&String>,
    matches: bool,
) -> Vec<String> {
    let fix = manifest.and_then(|m| m.capture.fix.as_ref());
    vec![
        name.to_string(),
        sha256.clone(),
        bytes.to_string(),
        order.to_string(),
        row.item_id.clone(),
        row.kind.clone(),
        worker.cloned().unwrap_or_default(),
        row.device_id.clone(),
        row.seq.to_string(),
        manifest.map(|m| beijing(capture_ms(m))).unwrap_or_default(),
        manifest.map(|m| if m.anchored.is_some() { "anchored" } else { "phone_clock" }).unwrap_or("unknown").to_string(),
        fix.map(|f| format!("{:.6}", f.lat)).unwrap_or_default(),
        fix.map(|f| format!("{:.6}", f.lon)).unwrap_or_default(),
        fix.map(|f| format!("{:.0}", f.accuracy_m)).unwrap_or_default(),
        if matches { "yes" } else { "NO" }.to_string(),
    ]
}

/// Streams one original from storage into the ZIP, stored as is; returns the SHA-256 and size of what was written.
fn copy_original(zip: &mut ZipWriter<BufWriter<File>>, storage: &dyn Storage, sha: &str, name: &str) -> ApiResult<(String, u64)> {
    let mut reader = storage.open_blocking(sha).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ApiError::internal(format!("blob {sha} recorded but missing from storage"))
        } else {
            e.into()
        }
    })?;
    zip.start_file(name, SimpleFileOptions::default().compression_method(CompressionMethod::Stored).large_file(true))
        .map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        hasher.update(&buf[..n]);
        zip.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

fn add_small(zip: &mut ZipWriter<BufWriter<File>>, name: &str, bytes: &[u8]) -> ApiResult<()> {
    zip.start_file(name, SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)).map_err(ApiError::internal)?;
    zip.write_all(bytes)?;
    Ok(())
}
