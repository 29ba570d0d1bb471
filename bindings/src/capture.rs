//! Capturing evidence and reading it back: the camera, recorder and note
//! screens hand over a file path or text, the order screen lists entries.

use std::path::Path;

use siteproof_core::evidence::Receipt;
use siteproof_core::{CaptureContext, DerivativeInfo, EvidenceItem};

use crate::device::SiteproofDevice;
use crate::error::{Result, SiteproofError};

#[uniffi::export]
impl SiteproofDevice {
    /// Captures the camera's original JPEG at `path`; durable and queued when this returns.
    pub fn capture_photo(&self, path: String, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.capture_photo(Path::new(&path), context)?)
    }

    /// Captures a voice note file (M4A or ADTS AAC, MP3, AMR-NB/WB, Ogg Opus/Vorbis, WAV).
    pub fn capture_voice(&self, path: String, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.capture_voice(Path::new(&path), context)?)
    }

    /// Captures a video clip (MP4, MOV, 3GP), byte-exact, with its container's duration, time and place.
    pub fn capture_video(&self, path: String, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.capture_video(Path::new(&path), context)?)
    }

    /// Makes a clip's poster (thumbnail and preview) from a frame the platform decoded (JPEG, PNG, WebP).
    pub fn set_video_poster(&self, item_id: String, frame_path: String) -> Result<Vec<DerivativeInfo>> {
        Ok(self.inner.set_video_poster(&item_id, Path::new(&frame_path))?)
    }

    /// Keeps a file received from someone else (`source`, e.g. "居民微信") as a `received` entry:
    /// signed and chained, flagged as not captured by this device, its own EXIF kept as claims.
    pub fn import_received(&self, path: String, source: String, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.import_received(Path::new(&path), &source, context)?)
    }

    /// Records a text note written on site.
    pub fn add_note(&self, text: String, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.add_note(&text, context)?)
    }

    /// Files earlier, unfiled evidence under an order (a new signed entry).
    pub fn attach_to_order(&self, item_id: String, order_number: String, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.attach_to_order(&item_id, &order_number, context)?)
    }

    /// One entry by id.
    pub fn get_item(&self, item_id: String) -> Result<EvidenceItem> {
        Ok(self.inner.get_item(&item_id)?)
    }

    /// Entries in chain order, optionally of one order, or only the unfiled ones.
    pub fn list_items(&self, order_number: Option<String>, unfiled_only: bool) -> Result<Vec<EvidenceItem>> {
        Ok(self.inner.list_items(order_number, unfiled_only)?)
    }

    /// Makes missing thumbnails and previews; returns how many photos got them.
    pub fn make_pending_derivatives(&self) -> Result<u32> {
        Ok(self.inner.make_pending_derivatives()?)
    }

    /// Hands over the thumbnail (longest side at most 320 px) and preview (at most 1280 px) JPEGs the
    /// platform's own decoder made for a photo the core cannot decode on the phone (HEIC); both upright.
    pub fn store_platform_derivatives(&self, item_id: String, thumbnail_path: String, preview_path: String) -> Result<Vec<DerivativeInfo>> {
        Ok(self.inner.store_platform_derivatives(&item_id, Path::new(&thumbnail_path), Path::new(&preview_path))?)
    }

    /// Thumbnail and preview of a photo, once made.
    pub fn derivatives(&self, item_id: String) -> Result<Vec<DerivativeInfo>> {
        Ok(self.inner.derivatives(&item_id)?)
    }

    /// Where a stored file (original or derivative) lies, for an image view; None once pruned.
    pub fn blob_path(&self, sha256: String) -> Option<String> {
        self.inner.blob_path(&sha256).map(|p| p.to_string_lossy().into_owned())
    }

    /// The server's receipt for an entry, re-checked against the enrolled server key.
    pub fn receipt(&self, item_id: String) -> Result<Option<Receipt>> {
        let Some(signed) = self.inner.get_receipt(&item_id)? else {
            return Ok(None);
        };
        let server_key = self.inner.server_key()?.ok_or_else(|| SiteproofError::Integrity {
            message: format!("entry {item_id} has a receipt but the device knows no server key"),
        })?;
        Ok(Some(signed.open(&server_key).map_err(siteproof_core::Error::from)?))
    }
}
