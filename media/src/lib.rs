//! Everything Siteproof knows about media files: what a file is (by its
//! bytes), what a photo's headers and EXIF claim, how long a voice note or
//! video clip lasts, and the small upright JPEGs people look at instead of originals.
//! Every function here takes hostile files: bad input gives a typed error
//! with a one-line message, never a panic.
//!
//! Its own crate because both sides read media: the device when it captures,
//! the case server when it puts previews into a dispute packet; the server
//! depends on this and not on the device code.

pub mod adts;
pub mod amr;
pub mod cjk_font;
pub mod derivatives;
pub mod error;
pub mod exif_summary;
#[cfg(feature = "heic")]
mod heic;
pub mod jpeg_layout;
pub mod photo;
pub mod redact;
mod restart_join;
mod restart_split;
pub mod sniff;
pub mod stamp_text;
pub mod upright;
pub mod video;
pub mod voice;
pub mod watermark;

use std::panic::{catch_unwind, AssertUnwindSafe};

pub use cjk_font::{find_cjk_font, DEFAULT_FONT_PATHS};
pub use derivatives::{apply_orientation, make_derivatives, Derivative, Derivatives, PREVIEW_MAX_SIDE, THUMBNAIL_MAX_SIDE};
pub use error::{Error, Result};
pub use exif_summary::{read_exif, ExifSummary, GpsPoint};
pub use jpeg_layout::{jpeg_layout, read_trailer, JpegLayout};
pub use photo::{check_pixels, read_photo_info, PhotoInfo, MAX_PIXELS};
pub use redact::{redacted_copy, PixelRect, RedactedCopy, NOT_EVIDENCE_MARK};
pub use sniff::{sniff, MediaKind, SNIFF_LEN};
pub use video::{read_video_info, sniff_with_tracks, VideoInfo};
pub use voice::{browsers_play, read_voice_info, VoiceInfo};
pub use watermark::{watermarked_copy, BandText};

/// Runs a decoder as a last line of defence against its panics: a crash in
/// third-party parsing of a hostile file becomes CorruptMedia.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::CorruptMedia(format!("{what}: the decoder crashed on this file ({})", one_line(&msg))))
        }
    }
}

/// Collapses a third-party message to one short line for logs and UIs.
pub(crate) fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        let mut t = siteproof_protocol::text::prefix(&s, 300).to_string();
        t.push('…');
        t
    } else {
        s
    }
}

/// A box or chunk type as printable text.
pub(crate) fn fourcc(b: &[u8]) -> String {
    b.iter().map(|&c| if c.is_ascii_graphic() || c == b' ' { c as char } else { '?' }).collect::<String>().trim().to_string()
}
