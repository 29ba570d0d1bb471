//! Share copies of a photo: the watermarked copy a worker sends with a reply
//! (registered, with a verification code) and the redacted copy for
//! complainants and the public (not evidence). The share sheet hands over
//! paths; the core draws, hashes and registers.

use std::path::Path;

use siteproof_core::media::PixelRect;
use siteproof_core::share::{RedactedShare, WatermarkedShare};
use siteproof_core::CaptureContext;

use crate::device::SiteproofDevice;
use crate::error::Result;

#[uniffi::export]
impl SiteproofDevice {
    /// Writes a watermarked copy of a photo to `out_path` and registers it as a
    /// signed share entry. `font_path`: a CJK font file (Android:
    /// /system/fonts/NotoSansCJK-Regular.ttc); None looks in Debian's places.
    pub fn share_watermarked(
        &self,
        item_id: String,
        worker: String,
        font_path: Option<String>,
        out_path: String,
        context: CaptureContext,
    ) -> Result<WatermarkedShare> {
        Ok(self.inner.share_watermarked(&item_id, &worker, font_path.as_deref().map(Path::new), Path::new(&out_path), context)?)
    }

    /// Writes a redacted copy (the rectangles blurred, no metadata, marked not evidence) to `out_path`; nothing is recorded.
    pub fn share_redacted(
        &self,
        item_id: String,
        blur: Vec<PixelRect>,
        font_path: Option<String>,
        out_path: String,
    ) -> Result<RedactedShare> {
        Ok(self.inner.share_redacted(&item_id, &blur, font_path.as_deref().map(Path::new), Path::new(&out_path))?)
    }
}
