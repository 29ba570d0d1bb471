//! Thumbnails and previews, made after the original is safe. They are
//! conveniences for people, not evidence: not in the manifest, rebuildable
//! from the original, and a failure to make them never loses the capture.
//! A clip's poster is the same pair, made from a frame the phone decoded.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::device::Device;
use crate::error::{Error, Result};
use crate::evidence::EntryKind;
use crate::media;
use crate::queue::{enqueue_media_job, JobPart};
use crate::store::{blob_rows, derivatives};
use crate::vocab::DerivativeRole;

/// A stored derivative of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivativeInfo {
    /// What the picture is for.
    pub role: DerivativeRole,
    /// Blob hash.
    pub sha256: String,
    /// Pixel width (upright).
    pub width: u32,
    /// Pixel height (upright).
    pub height: u32,
}

impl Device {
    /// Makes thumbnails and previews for every photo that lacks them; returns how many were made.
    pub fn make_pending_derivatives(&self) -> Result<u32> {
        let todo = derivatives::photos_lacking(&*self.db()?)?;
        let mut made = 0;
        for (item_id, sha) in todo {
            if self.make_derivatives_for(&item_id, &sha)? {
                made += 1;
            }
        }
        Ok(made)
    }

    fn make_derivatives_for(&self, item_id: &str, sha: &str) -> Result<bool> {
        let path = self.blobs.path_of(sha);
        let result = media::read_photo_info(&path).and_then(|info| media::make_derivatives(&path, &info)).map_err(crate::Error::from);
        let d = match result {
            Ok(d) => d,
            Err(e) => {
                // Disk full is the phone's problem, not the photo's: try again later.
                if matches!(e, crate::Error::DiskFull(_)) {
                    return Err(e);
                }
                derivatives::put_failure(&*self.db()?, item_id, &e.to_string())?;
                return Ok(false);
            }
        };
        self.store_derivatives(item_id, &d)?;
        Ok(true)
    }

    /// Takes a frame the platform decoded from a clip (JPEG, PNG, WebP) as the clip's poster: its
    /// thumbnail and preview, made and sent like a photo's. Not evidence; the clip itself is.
    pub fn set_video_poster(&self, item_id: &str, frame: &Path) -> Result<Vec<DerivativeInfo>> {
        let item = self.get_item(item_id)?;
        let is_clip = item.media_type.as_deref().is_some_and(|t| t.starts_with("video/"));
        if !matches!(item.kind, EntryKind::Video | EntryKind::Received) || !is_clip {
            return Err(crate::Error::InvalidInput(format!("条目 {item_id} 不是视频 / item {item_id} is not a video clip")));
        }
        let info = media::read_photo_info(frame)?;
        let d = media::make_derivatives(frame, &info)?;
        self.store_derivatives(item_id, &d)?;
        self.derivatives(item_id)
    }

    /// Keeps a photo's thumbnail and preview and queues the thumbnail, in one transaction; a
    /// failure recorded earlier (no decoder on this device) no longer applies.
    fn store_derivatives(&self, item_id: &str, d: &media::Derivatives) -> Result<()> {
        let thumb = self.blobs.put_bytes(&d.thumbnail.jpeg)?;
        let preview = self.blobs.put_bytes(&d.preview.jpeg)?;
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        for (role, blob, der) in [(DerivativeRole::Thumbnail, &thumb, &d.thumbnail), (DerivativeRole::Preview, &preview, &d.preview)] {
            blob_rows::put_derived_jpeg(&tx, blob, der.jpeg.len() as u64)?;
            let info = DerivativeInfo { role, sha256: blob.clone(), width: der.width, height: der.height };
            derivatives::put(&tx, item_id, &info)?;
        }
        derivatives::clear_failure(&tx, item_id)?;
        enqueue_media_job(&tx, item_id, JobPart::Thumbnail, &thumb, d.thumbnail.jpeg.len() as u64)?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps the thumbnail and preview a phone's own decoder made for a photo the core cannot
    /// decode there (HEIC: the phones' library has no HEIF decoder). Each must be a complete,
    /// upright JPEG no larger than the core's own ([`media::THUMBNAIL_MAX_SIDE`],
    /// [`media::PREVIEW_MAX_SIDE`]); they are then kept and queued exactly like derivatives made
    /// here, and like those they are not evidence.
    pub fn store_platform_derivatives(&self, item_id: &str, thumbnail: &Path, preview: &Path) -> Result<Vec<DerivativeInfo>> {
        let item = self.get_item(item_id)?;
        if item.kind != EntryKind::Photo {
            return Err(Error::InvalidInput(format!("{item_id} 不是照片，没有缩略图 / {item_id} is not a photo and has no thumbnails")));
        }
        let d = media::Derivatives {
            thumbnail: platform_jpeg("thumbnail", thumbnail, media::THUMBNAIL_MAX_SIDE)?,
            preview: platform_jpeg("preview", preview, media::PREVIEW_MAX_SIDE)?,
        };
        self.store_derivatives(item_id, &d)?;
        self.derivatives(item_id)
    }

    /// Derivatives of one item.
    pub fn derivatives(&self, item_id: &str) -> Result<Vec<DerivativeInfo>> {
        Ok(derivatives::of_item(&*self.db()?, item_id)?)
    }

    /// Why no derivatives could be made for an item, if they could not.
    pub fn derivative_failure(&self, item_id: &str) -> Result<Option<String>> {
        Ok(derivatives::failure(&*self.db()?, item_id)?)
    }
}

/// A derivative JPEG handed over by the platform, checked to be what the core itself would make.
fn platform_jpeg(role: &str, path: &Path, max_side: u32) -> Result<media::Derivative> {
    let info = media::read_photo_info(path)?;
    if info.media_type != media::MediaKind::Jpeg.media_type() {
        return Err(Error::InvalidInput(format!("{role} 须为 JPEG / the {role} must be a JPEG, not {}", info.media_type)));
    }
    // Complete (ends in its EOI marker): a cut file would show as a grey band.
    media::read_trailer(path, media::MediaKind::Jpeg)?;
    if info.exif.orientation > 1 {
        return Err(Error::InvalidInput(format!(
            "{role} 须为正向图像 / the {role} must be stored upright (EXIF orientation {}), as the console shows it as stored",
            info.exif.orientation
        )));
    }
    if info.width.max(info.height) > max_side {
        return Err(Error::InvalidInput(format!(
            "{role} 过大 / the {role} is {}×{}; its longest side may be at most {max_side} pixels",
            info.width, info.height
        )));
    }
    let jpeg = std::fs::read(path).map_err(|e| Error::from_io(&format!("read {}", path.display()), e))?;
    Ok(media::Derivative { jpeg, width: info.width, height: info.height })
}
