//! Share copies of a photo, for people outside the evidence chain. The
//! original is never touched: a copy is drawn from it.
//!
//! - A watermarked copy (what 今日水印相机 users send with a reply) shows the
//!   order, address, capture time, place and worker in a band below the
//!   photo, with a verification code. The copy is registered as a signed
//!   `share` entry in the chain (photo, its manifest hash, the copy's SHA-256
//!   and the code), so it syncs like any entry and the case server can answer
//!   `GET /v/{code}` with "this copy was made from item X" without ever
//!   holding the copy.
//! - A redacted copy (for complainants and the public) has chosen rectangles
//!   destroyed, no metadata and a "not evidence" mark; it is not registered:
//!   it proves nothing and claims nothing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::capture::CaptureContext;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::evidence::share_code::{grouped, share_code_from_random};
use crate::evidence::{sha256_hex, EntryKind, Manifest, ShareRef};
use crate::media::{self, BandText, PixelRect};

/// A watermarked copy that was written and registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatermarkedShare {
    /// The `share` entry that registers the copy.
    pub share_item_id: String,
    /// The photo the copy was made from.
    pub source_item_id: String,
    /// The verification code printed on the copy (stored form, no hyphen).
    pub code: String,
    /// Lowercase hex SHA-256 of the copy as written.
    pub copy_sha256: String,
    /// Size of the copy in bytes.
    pub bytes: u64,
    /// Where a recipient checks the copy, when the device is enrolled.
    pub verify_url: Option<String>,
    /// Where the copy was written.
    pub path: String,
}

/// A redacted copy that was written (not registered: it is not evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedShare {
    /// The photo the copy was made from.
    pub source_item_id: String,
    /// Lowercase hex SHA-256 of the copy.
    pub copy_sha256: String,
    /// Size of the copy in bytes.
    pub bytes: u64,
    /// Width of the copy (the upright photo's).
    pub width: u32,
    /// Height of the copy.
    pub height: u32,
    /// The rectangles destroyed, in the upright photo.
    pub blurred: Vec<PixelRect>,
    /// Where the "not evidence" mark is.
    pub mark: PixelRect,
    /// Where the copy was written.
    pub path: String,
}

impl Device {
    /// Writes a watermarked copy of a photo to `out` and registers it as a
    /// signed `share` entry. `font` names a CJK font file (None: the system's,
    /// see `media::find_cjk_font`); `worker` is the name shown in the band.
    pub fn share_watermarked(
        &self,
        item_id: &str,
        worker: &str,
        font: Option<&Path>,
        out: &Path,
        ctx: CaptureContext,
    ) -> Result<WatermarkedShare> {
        let worker = crate::text::single_line("worker name", worker, 64)?;
        let (original, source) = self.shareable_photo(item_id)?;
        let font = media::find_cjk_font(font)?;
        let code = share_code_from_random(rand::random::<u64>());
        let verify_url = self.info()?.server_url.map(|u| format!("{}/v/{code}", u.trim_end_matches('/')));
        let band = self.band_text(&source, worker.trim(), &code, verify_url.as_deref())?;
        let jpeg = media::watermarked_copy(&original, &font, &band)?;
        let copy_sha256 = sha256_hex(&jpeg);
        let part = write_beside(out, &jpeg)?;
        let share = ShareRef {
            item_id: source.item_id.clone(),
            manifest_hash: source_hash(self, item_id)?,
            copy_sha256: copy_sha256.clone(),
            code: code.clone(),
        };
        self.check_context(&ctx)?;
        let registered = self.append_entry(&ctx, EntryKind::Share, |m| m.share = Some(share), None);
        let share_item_id = match registered {
            Ok(id) => id,
            Err(e) => {
                // Unregistered, the copy's code would resolve to nothing: it is not left behind.
                let _ = std::fs::remove_file(&part);
                return Err(e);
            }
        };
        std::fs::rename(&part, out).map_err(|e| Error::from_io(&format!("write {}", out.display()), e))?;
        Ok(WatermarkedShare {
            share_item_id,
            source_item_id: source.item_id,
            code,
            copy_sha256,
            bytes: jpeg.len() as u64,
            verify_url,
            path: out.to_string_lossy().into_owned(),
        })
    }

    /// Writes a redacted copy of a photo to `out`: the `blur` rectangles (in
    /// the upright photo, as a person sees it) destroyed, no metadata, marked
    /// as not evidence. Nothing is recorded.
    pub fn share_redacted(&self, item_id: &str, blur: &[PixelRect], font: Option<&Path>, out: &Path) -> Result<RedactedShare> {
        let (original, _) = self.shareable_photo(item_id)?;
        let (width, height) = media::read_photo_info(&original)?.upright_size();
        if let Some(bad) = blur.iter().find(|r| !r.fits(width, height)) {
            return Err(Error::InvalidInput(format!(
                "遮挡区域 {},{},{},{} 超出照片范围（{width}×{height}）/ blur rectangle {},{},{},{} is empty or outside the \
                 {width}×{height} photo",
                bad.x, bad.y, bad.w, bad.h, bad.x, bad.y, bad.w, bad.h
            )));
        }
        let font = media::find_cjk_font(font)?;
        let copy = media::redacted_copy(&original, &font, blur)?;
        let part = write_beside(out, &copy.jpeg)?;
        std::fs::rename(&part, out).map_err(|e| Error::from_io(&format!("write {}", out.display()), e))?;
        Ok(RedactedShare {
            source_item_id: item_id.to_string(),
            copy_sha256: sha256_hex(&copy.jpeg),
            bytes: copy.jpeg.len() as u64,
            width: copy.width,
            height: copy.height,
            blurred: blur.to_vec(),
            mark: copy.mark,
            path: out.to_string_lossy().into_owned(),
        })
    }

    /// The original file and signed manifest of a photo this device captured, still on the device.
    fn shareable_photo(&self, item_id: &str) -> Result<(PathBuf, Manifest)> {
        let (item, signed) = self.get_item_with_manifest(item_id)?;
        if item.kind != EntryKind::Photo {
            return Err(Error::InvalidInput(format!(
                "只能为照片制作分享副本，{item_id} 是 {} / share copies are made of photos; {item_id} is a {}",
                item.kind.as_str(),
                item.kind.as_str()
            )));
        }
        let sha = item.media_sha256.as_deref().unwrap_or_default();
        let original = self.blob_path(sha).ok_or_else(|| {
            Error::NotFound(format!(
                "照片 {item_id} 的原件已从本机清理，无法制作副本 / the original of photo {item_id} has been pruned from this device"
            ))
        })?;
        Ok((original, signed.open()?))
    }

    fn band_text(&self, m: &Manifest, worker: &str, code: &str, verify_url: Option<&str>) -> Result<BandText> {
        let mut lines = Vec::new();
        if let Some(number) = &m.order_number {
            let address = self.get_order(number).map(|o| o.address).unwrap_or_default();
            lines.push(format!("工单 Order {number}  {}", address.trim()).trim_end().to_string());
        }
        lines.push(format!("时间 {}", capture_time_text(m)));
        lines.push(match &m.capture.fix {
            Some(f) => {
                format!("地点 {:.5}, {:.5} ±{}m{}", f.lat, f.lon, f.accuracy_m.round(), if f.is_mock { " 模拟定位 MOCK" } else { "" })
            }
            None => "地点 无定位 / no location".to_string(),
        });
        lines.push(format!("工作人员 Worker {worker}"));
        let code_line = format!("核验码 Code {}", grouped(code));
        let check_line = verify_url.map(|url| format!("核验 Verify: {url}"));
        Ok(BandText { lines, code_line, check_line })
    }
}

fn source_hash(device: &Device, item_id: &str) -> Result<String> {
    Ok(device.get_item(item_id)?.manifest_hash)
}

/// The capture time as the band prints it: the anchored time when there is
/// one (said so), else the phone's own clock (said so), in the phone's offset.
fn capture_time_text(m: &Manifest) -> String {
    let (ms, source) = match &m.anchored {
        Some(a) => (a.utc_ms, "已校时 server time"),
        None => (m.capture.device_time_ms, "手机时钟 phone clock"),
    };
    let offset =
        chrono::FixedOffset::east_opt(m.capture.utc_offset_min * 60).unwrap_or(chrono::FixedOffset::east_opt(0).expect("zero offset"));
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => format!("{} {source}", t.with_timezone(&offset).format("%Y-%m-%d %H:%M:%S UTC%:z")),
        None => source.to_string(),
    }
}

/// Writes `bytes` to a temporary file beside `out` (same folder, so the final rename is atomic) and returns its path.
fn write_beside(out: &Path, bytes: &[u8]) -> Result<PathBuf> {
    if out.is_dir() {
        return Err(Error::InvalidInput(format!("{} 是文件夹 / {} is a directory", out.display(), out.display())));
    }
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".part");
    let part = out.with_file_name(name);
    std::fs::write(&part, bytes).map_err(|e| Error::from_io(&format!("write {}", part.display()), e))?;
    Ok(part)
}
