//! Share copies as the apps see them: the rectangles a worker marks for
//! blurring, and what each kind of copy call returns.

use siteproof_core::media::PixelRect;
use siteproof_core::share::{RedactedShare, WatermarkedShare};

#[uniffi::remote(Record)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

#[uniffi::remote(Record)]
pub struct WatermarkedShare {
    pub share_item_id: String,
    pub source_item_id: String,
    pub code: String,
    pub copy_sha256: String,
    pub bytes: u64,
    pub verify_url: Option<String>,
    pub path: String,
}

#[uniffi::remote(Record)]
pub struct RedactedShare {
    pub source_item_id: String,
    pub copy_sha256: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub blurred: Vec<PixelRect>,
    pub mark: PixelRect,
    pub path: String,
}
