//! Assembles one packet on the blocking pool: originals streamed from
//! storage into the ZIP (and re-hashed on the way), manifests, receipts and
//! keys exactly as stored, the PDF report and the guide, then the signed
//! index, stamped by the configured time-stamping authority when there is
//! one. The ZIP is written to a temp file beside the destination and
//! renamed into place only when complete and synced.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ed25519_dalek::SigningKey;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use siteproof_media::{make_derivatives, read_photo_info};
use siteproof_protocol::evidence::{EntryKind, Manifest, SignedReceipt};
use siteproof_protocol::packet::{
    guide::guide_text, key_fingerprint, layout, PacketHeader, PacketWriter, ThirdPartyTime, TimeStampAuthority,
};

use super::before_after;
use super::c2pa_sidecar;
use super::collect::{self, EntryRow};
use super::dispute::Dispute;
use super::font::CjkFont;
use super::report::{self, PacketFacts, ReportItem};
use super::tsa::HttpTsa;
use super::{file_name_for, font_unavailable, pdf, PacketSummary};
use crate::config::TsaConfig;
use crate::db::now_ms;
use crate::domain::accounts;
use crate::domain::orders::{self, Order};
use crate::domain::trust::{self, ChainCheck, Checks, OriginalCheck, ReceiptCheck, SignatureCheck, Signer};
use crate::error::{ApiError, ApiResult};
use crate::repo::packet_exports::PacketExport;
use crate::storage::Storage;
use siteproof_protocol::wire::error_code::ErrorCode;

/// Where a packet goes and what signs, stamps and sets it: the same for one order and for a batch.
pub(super) struct Target {
    pub storage: Arc<dyn Storage>,
    pub key: Arc<SigningKey>,
    pub font_path: Option<PathBuf>,
    pub tsa: Option<TsaConfig>,
    pub out: PathBuf,
    /// The data directory, where the server's C2PA signing certificate lives.
    pub data_dir: PathBuf,
}

/// Everything one order's export needs, owned so it can move to the blocking pool.
pub(super) struct ExportJob {
    pub target: Target,
    pub actor_user_id: Option<i64>,
    pub community_id: i64,
    pub number: String,
    pub item_ids: Option<Vec<String>>,
    pub dispute: Dispute,
}

/// An order and the entries it puts into a packet.
pub(super) struct OrderEntries {
    pub order: Order,
    pub rows: Vec<EntryRow>,
    /// Every entry of the order, chosen or not: before/after pairs are found over the whole order.
    pub all_rows: Vec<EntryRow>,
}

/// One order's part of the report: the order, its history, its items in reading order and what was left out.
pub(super) struct OrderReport {
    pub order: Order,
    pub facts: PacketFacts,
    pub items: Vec<ReportItem>,
}

/// What a finished packet is, for the caller's audit row and answer.
pub(super) struct Written {
    pub bytes: u64,
    pub sha256: String,
    /// Evidence entries written (each once, however many orders file it).
    pub entries: usize,
    pub files: usize,
    pub fingerprint: String,
    pub skipped: Vec<String>,
    pub third_party_time: ThirdPartyTime,
    /// When the packet was made, as its signed index says.
    pub at_ms: i64,
}

impl Written {
    /// The audit row's tail: the packet's own hash ties a packet the city holds back to the row; the console's
    /// audit log shows whether the configured TSA stamped it, and why not.
    /// What the caller is told about the packet written to `path` for `order_number` (one order, or a batch's list).
    pub(super) fn into_summary(self, order_number: String, path: PathBuf, file_name: String) -> PacketSummary {
        PacketSummary {
            order_number,
            path,
            file_name,
            bytes: self.bytes,
            sha256: self.sha256,
            entries: self.entries,
            files: self.files,
            server_key_fingerprint: self.fingerprint,
            skipped: self.skipped,
            third_party_time: self.third_party_time,
        }
    }

    pub(super) fn audit_note(&self, shown: &str) -> String {
        let time_note = match &self.third_party_time {
            ThirdPartyTime::NotConfigured => String::new(),
            stamped_or_not => format!(" {}", stamped_or_not.describe()),
        };
        format!("{shown} sha256:{}{time_note}", self.sha256)
    }
}

/// An original as copied out of storage.
struct Original {
    path_in_packet: String,
    media_type: String,
    sha256: String,
    bytes: u64,
    preview: Option<(Vec<u8>, u32, u32)>,
}

pub(super) fn check_out(out: &Path) -> ApiResult<PathBuf> {
    if out.is_dir() {
        return Err(ApiError::bad_request(ErrorCode::BadOut, "输出路径是一个目录", "the output path is a directory"));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(ApiError::bad_request(
            ErrorCode::BadOut,
            &format!("目录 {} 不存在", dir.display()),
            &format!("folder {} does not exist", dir.display()),
        ));
    }
    Ok(dir)
}

impl ExportJob {
    pub(super) fn run(self, conn: &mut Connection) -> ApiResult<PacketSummary> {
        let order = orders::get_visible(conn, &self.number, &[self.community_id])?;
        let all_rows = collect::order_entries(conn, self.community_id, &order.number)?;
        let rows = match &self.item_ids {
            Some(ids) => collect::select_items(all_rows.clone(), ids, &order.number)?,
            None => all_rows.clone(),
        };
        let label = PacketHeader { order_number: order.number.clone(), community: order.community.clone(), created_at_ms: 0 };
        let dispute = self.dispute;
        let written = self.target.write(conn, vec![OrderEntries { order, rows, all_rows }], label, |font, reports| {
            let r = &reports[0];
            pdf::render(font, &report::blocks(&r.order, &r.facts, &dispute, &r.items), &format!("工单 {}", r.order.number))
        })?;
        let out = self.target.out;
        let file_name = file_name_for(&self.number);
        let shown = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file_name.clone());
        accounts::audit(conn, self.actor_user_id, "export", &format!("{} {}", self.number, written.audit_note(&shown)))?;
        // The console's export form shows the last export's third-party time outcome.
        let export =
            PacketExport { at_ms: written.at_ms, sha256: written.sha256.clone(), third_party_time: written.third_party_time.clone() };
        crate::repo::packet_exports::record(conn, self.community_id, &self.number, &export)?;
        Ok(written.into_summary(self.number, out, file_name))
    }
}

impl Target {
    /// Writes the packet of `orders` to `self.out`: each entry's members once, each order's report part from its own
    /// entries, the PDF `render` sets from those parts, the guide, and the index signed under `label`
    /// (`created_at_ms` is set here). The file appears only when complete.
    pub(super) fn write(
        &self,
        conn: &mut Connection,
        mut orders: Vec<OrderEntries>,
        label: PacketHeader,
        render: impl FnOnce(&CjkFont, &[OrderReport]) -> Result<Vec<u8>, String>,
    ) -> ApiResult<Written> {
        let dir = check_out(&self.out)?;
        let font = CjkFont::find(self.font_path.as_deref()).map_err(font_unavailable)?;
        // The server accepts forks (two entries at one chain position) as anomalies; a packet holds one per position.
        // An entry filed under two orders of a batch is the same entry: written once, shown under both.
        let mut held: BTreeMap<(String, u64), String> = BTreeMap::new();
        let mut rows: Vec<EntryRow> = Vec::new();
        let mut skipped = Vec::new();
        let mut left_out: Vec<Vec<String>> = Vec::new();
        for section in &mut orders {
            let mut here = BTreeSet::new();
            let mut dropped = Vec::new();
            section.rows.retain(|r| {
                let key = (r.device_id.clone(), r.seq);
                let same_entry = held.get(&key).is_none_or(|h| *h == r.manifest_hash);
                if !here.insert(key.clone()) || !same_entry {
                    dropped.push(format!(
                        "{} #{} ({}): 同一链位置的第二条记录 / a second entry at the same chain position",
                        r.device_id, r.seq, r.item_id
                    ));
                    return false;
                }
                if let std::collections::btree_map::Entry::Vacant(first) = held.entry(key) {
                    first.insert(r.manifest_hash.clone());
                    rows.push(r.clone());
                }
                true
            });
            skipped.extend(dropped.iter().cloned());
            left_out.push(dropped);
        }
        rows.sort_by(|a, b| (a.device_id.as_str(), a.seq).cmp(&(b.device_id.as_str(), b.seq)));

        let key_hex = hex::encode(self.key.verifying_key().as_bytes());
        let fingerprint = key_fingerprint(&key_hex).map_err(|e| ApiError::internal(format!("server key: {e}")))?;
        let created_at_ms = now_ms();

        let tmp = tempfile::Builder::new().prefix(".siteproof-packet-").suffix(".part").tempfile_in(&dir)?;
        let scratch = tempfile::Builder::new().prefix(".siteproof-packet-scratch-").tempdir_in(&dir)?;
        let mut writer = PacketWriter::new(BufWriter::new(tmp.as_file().try_clone()?));

        let mut originals: BTreeMap<String, Original> = BTreeMap::new();
        for row in &rows {
            let Some(sha) = &row.media_sha256 else { continue };
            if originals.contains_key(sha) {
                continue;
            }
            // The signed media type names the file; the blob row's is a fallback for unreadable manifests.
            let signed_type = serde_json::from_str::<Manifest>(&row.manifest.manifest).ok().and_then(|m| m.media).map(|m| m.media_type);
            let media_type = signed_type.or_else(|| row.media_type.clone()).unwrap_or_else(|| "application/octet-stream".into());
            let original = self.copy_original(&mut writer, scratch.path(), sha, &media_type)?;
            originals.insert(sha.clone(), original);
        }

        let mut device_keys = BTreeMap::new();
        for row in &rows {
            writer
                .add_bytes(&layout::manifest_path(&row.device_id, row.seq), &serde_json::to_vec(&row.manifest).map_err(ApiError::internal)?)
                .map_err(ApiError::from)?;
            writer
                .add_bytes(&layout::receipt_path(&row.device_id, row.seq), &serde_json::to_vec(&row.receipt).map_err(ApiError::internal)?)
                .map_err(ApiError::from)?;
            if let Some(k) = device_key_of(row) {
                device_keys.insert(row.device_id.clone(), k);
            }
        }
        for (device_id, k) in &device_keys {
            writer.add_bytes(&layout::device_key_path(device_id), layout::key_file_text(k).as_bytes()).map_err(ApiError::from)?;
        }
        writer.add_bytes(layout::SERVER_KEY, layout::key_file_text(&key_hex).as_bytes()).map_err(ApiError::from)?;
        super::time_statements::add_time_statements(&mut writer, conn, &rows)?;

        let workers = collect::workers(conn, device_keys.keys())?;
        self.add_c2pa_credentials(&mut writer, &originals, &rows, &workers)?;
        let mut reports = Vec::new();
        for (section, left_out) in orders.into_iter().zip(left_out) {
            let mut items = Vec::new();
            for row in &section.rows {
                let signer = signer_of(conn, row)?;
                items.push(report_item(row, &signer, device_key_of(row).as_deref(), &key_hex, &originals));
            }
            // People read the report in capture order; the ZIP keeps chain order.
            items.sort_by_key(|i| (i.anchored.as_ref().map(|a| a.utc_ms).unwrap_or(i.device_time_ms), i.device_id.clone(), i.seq));
            let history = orders::history_of(conn, section.order.id)?;
            let pairs = before_after::packet_pairs(conn, section.order.community_id, &section.all_rows, &items)?;
            let assignee = collect::assignee(conn, section.order.assignee.as_deref())?;
            let people = collect::people(conn, &history)?;
            let facts = PacketFacts {
                created_at_ms,
                server_fingerprint: fingerprint.clone(),
                left_out,
                history,
                workers: workers.clone(),
                assignee,
                people,
                pairs,
            };
            reports.push(OrderReport { order: section.order, facts, items });
        }
        let pdf_bytes = render(&font, &reports).map_err(ApiError::internal)?;
        writer.add_bytes(layout::REPORT, &pdf_bytes).map_err(ApiError::from)?;
        writer
            .add_bytes(layout::GUIDE, guide_text(&label.order_number, &label.community, &key_hex, &fingerprint).as_bytes())
            .map_err(ApiError::from)?;

        let header = PacketHeader { created_at_ms, ..label };
        let tsa = self.tsa.as_ref().map(HttpTsa::new).transpose()?;
        let tsa = tsa.as_ref().map(|t| t as &dyn TimeStampAuthority);
        let (buffered, index) = writer.finish_stamped(header, &self.key, tsa).map_err(ApiError::from)?;
        let third_party_time = index.third_party_time.clone().unwrap_or(ThirdPartyTime::NotConfigured);
        if let ThirdPartyTime::Unavailable { .. } = &third_party_time {
            tracing::warn!(packet = %index.order_number, "{}", third_party_time.describe());
        }
        let file = buffered.into_inner().map_err(|e| ApiError::from(e.into_error()))?;
        file.sync_all()?;
        drop(file);
        let (bytes, sha256) = hash_file(tmp.path())?;
        tmp.persist(&self.out).map_err(|e| ApiError::from(e.error))?;
        File::open(&dir)?.sync_all()?;
        drop(scratch);
        Ok(Written {
            bytes,
            sha256,
            entries: rows.len(),
            files: index.files.len() + 3,
            fingerprint,
            skipped,
            third_party_time,
            at_ms: created_at_ms,
        })
    }

    /// C2PA sidecars for the photo originals (see `super::c2pa_sidecar`); a photo C2PA cannot sign keeps its original only.
    fn add_c2pa_credentials(
        &self,
        writer: &mut PacketWriter<BufWriter<File>>,
        originals: &BTreeMap<String, Original>,
        rows: &[EntryRow],
        workers: &BTreeMap<String, String>,
    ) -> ApiResult<()> {
        let identity = crate::c2pa_cert::load_or_create(&self.data_dir)?;
        let photos: Vec<c2pa_sidecar::Photo<'_>> =
            originals.iter().map(|(sha, o)| c2pa_sidecar::Photo { sha256: sha, media_type: &o.media_type }).collect();
        for (sha, why) in c2pa_sidecar::add_credentials(writer, self.storage.as_ref(), &identity, &photos, rows, workers)? {
            tracing::warn!(original = %sha, reason = %why, "photo exported without C2PA credentials");
        }
        Ok(())
    }

    /// Copies an original out of storage into scratch, re-hashing it, adds it to the packet and makes a preview.
    fn copy_original(
        &self,
        writer: &mut PacketWriter<BufWriter<File>>,
        scratch: &Path,
        sha: &str,
        media_type: &str,
    ) -> ApiResult<Original> {
        let mut reader = self.storage.open_blocking(sha).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ApiError::internal(format!("blob {sha} recorded but missing from storage"))
            } else {
                e.into()
            }
        })?;
        let scratch_path = scratch.join(sha);
        let mut copy = BufWriter::new(File::create(&scratch_path)?);
        std::io::copy(&mut reader, &mut copy)?;
        copy.flush()?;
        drop(copy);
        let path_in_packet = layout::original_path(sha, media_type);
        let added = writer.add_reader(&path_in_packet, &mut File::open(&scratch_path)?).map_err(ApiError::from)?;
        let preview = if media_type.starts_with("image/") {
            read_photo_info(&scratch_path)
                .and_then(|info| make_derivatives(&scratch_path, &info))
                .ok()
                .map(|d| (d.preview.jpeg, d.preview.width, d.preview.height))
        } else {
            None
        };
        let _ = std::fs::remove_file(&scratch_path);
        // The hash of the bytes that went into the packet: a damaged blob shows as a failed item, never hidden.
        Ok(Original { path_in_packet, media_type: media_type.to_string(), sha256: added.sha256, bytes: added.bytes, preview })
    }
}

/// The device key a row is checked with: the enrolled one, else the one its manifest names.
fn device_key_of(row: &EntryRow) -> Option<String> {
    row.device_key.clone().or_else(|| row.manifest.open().ok().map(|m| m.device_key))
}

/// Who signed a row: its enrolled device and worker, or only the device id when the server has no enrollment.
fn signer_of(conn: &Connection, row: &EntryRow) -> ApiResult<Signer> {
    let holder = crate::repo::devices::key_and_label(conn, &row.device_id)?;
    Ok(Signer::from_enrollment(&row.device_id, holder.as_ref().filter(|_| row.device_key.is_some())))
}

/// Re-checks one entry for the report (device signature, original hash and size, receipt) and states what that proves.
fn report_item(
    row: &EntryRow,
    signer: &Signer,
    device_key: Option<&str>,
    server_key: &str,
    originals: &BTreeMap<String, Original>,
) -> ReportItem {
    let (manifest, signature): (Option<Manifest>, SignatureCheck) = match device_key.map(|k| row.manifest.open_from(k)) {
        Some(Ok(m)) => (Some(m), SignatureCheck::Valid),
        Some(Err(e)) => (serde_json::from_str(&row.manifest.manifest).ok(), SignatureCheck::Invalid(e.to_string())),
        None => (serde_json::from_str(&row.manifest.manifest).ok(), SignatureCheck::NoKey),
    };
    let original = row.media_sha256.as_ref().and_then(|s| originals.get(s));
    let original_check = match (manifest.as_ref().and_then(|m| m.media.as_ref()), original) {
        (None, _) => OriginalCheck::NoMedia,
        (Some(media), Some(o)) if o.sha256 == media.sha256 && o.bytes == media.bytes => OriginalCheck::Matches,
        (Some(_), Some(_)) => OriginalCheck::Differs,
        (Some(_), None) => OriginalCheck::Missing,
    };
    let receipt = match SignedReceipt::open(&row.receipt, server_key) {
        Ok(r) if r.manifest_hash == row.manifest.hash() => {
            ReceiptCheck::Valid { received_at_ms: r.received_at_ms, log_index: i64::try_from(r.log_index).ok() }
        }
        Ok(_) => ReceiptCheck::ForAnotherManifest,
        Err(e) => ReceiptCheck::Invalid(e.to_string()),
    };
    let kind = EntryKind::parse(&row.kind).unwrap_or(EntryKind::Note);
    let trust = trust::statement(&Checks {
        kind,
        manifest: manifest.as_ref(),
        signer,
        signature,
        stored_text_matches: row.manifest.hash() == row.manifest_hash,
        original: original_check,
        receipt,
        // The packet's offline verifier judges each device's chain; the report does not repeat it per item.
        chain: ChainCheck::NotJudged,
    });
    ReportItem {
        kind: manifest.as_ref().map(|m| m.kind).unwrap_or(kind),
        item_id: row.item_id.clone(),
        device_id: row.device_id.clone(),
        seq: row.seq,
        manifest_hash: row.manifest.hash(),
        media_sha256: row.media_sha256.clone(),
        original_path: original.map(|o| o.path_in_packet.clone()),
        device_time_ms: manifest.as_ref().map(|m| m.capture.device_time_ms).unwrap_or(0),
        anchored: manifest.as_ref().and_then(|m| m.anchored.clone()),
        fix: manifest.as_ref().and_then(|m| m.capture.fix.clone()),
        received_at_ms: row.received_at_ms,
        trust,
        text: manifest.as_ref().and_then(|m| m.text.clone()),
        audio_ms: manifest.as_ref().and_then(|m| m.audio.as_ref().map(|a| a.duration_ms).or(m.video.as_ref().map(|v| v.duration_ms))),
        attach_item: row.attach_item_id.clone(),
        preview: original.and_then(|o| o.preview.clone()),
        visit_id: manifest.as_ref().and_then(|m| m.visit_id.clone()),
        visit_purpose: manifest.as_ref().and_then(|m| m.visit_purpose.clone()),
    }
}

pub(super) fn hash_file(path: &Path) -> ApiResult<(u64, String)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut f, &mut hasher)?;
    Ok((bytes, hex::encode(hasher.finalize())))
}
