//! TEMPORARY stand-in for the media module while it is being written.
use std::path::Path;
use serde::{Deserialize, Serialize};
use crate::error::{Error, Result};
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind { Jpeg, Png, Webp, Tiff, Heif, M4a, Ogg, Wav }
impl MediaKind {
    pub fn media_type(&self) -> &'static str { match self { MediaKind::Jpeg => "image/jpeg", MediaKind::Wav => "audio/wav", _ => "x/x" } }
    pub fn is_photo(&self) -> bool { matches!(self, MediaKind::Jpeg | MediaKind::Png | MediaKind::Webp | MediaKind::Tiff | MediaKind::Heif) }
}
pub fn sniff(h: &[u8]) -> Result<MediaKind> {
    if h.starts_with(&[0xFF, 0xD8]) { Ok(MediaKind::Jpeg) } else if h.starts_with(b"RIFF") { Ok(MediaKind::Wav) } else { Err(Error::UnsupportedFormat("stub".into())) }
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpsPoint { pub lat: f64, pub lon: f64, pub alt: Option<f64> }
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExifSummary { pub taken_at: Option<String>, pub gps: Option<GpsPoint>, pub make: Option<String>, pub model: Option<String>, pub orientation: u8 }
pub struct PhotoInfo { pub media_type: String, pub width: u32, pub height: u32, pub exif: ExifSummary }
pub fn read_photo_info(_p: &Path) -> Result<PhotoInfo> { Ok(PhotoInfo { media_type: "image/jpeg".into(), width: 1, height: 1, exif: ExifSummary { taken_at: None, gps: None, make: None, model: None, orientation: 1 } }) }
pub struct Derivative { pub jpeg: Vec<u8>, pub width: u32, pub height: u32 }
pub struct Derivatives { pub thumbnail: Derivative, pub preview: Derivative }
pub fn make_derivatives(_p: &Path, _i: &PhotoInfo) -> Result<Derivatives> { Err(Error::UnsupportedFormat("stub".into())) }
pub struct VoiceInfo { pub media_type: String, pub duration_ms: u64, pub codec: String }
pub fn read_voice_info(_p: &Path) -> Result<VoiceInfo> { Ok(VoiceInfo { media_type: "audio/wav".into(), duration_ms: 1, codec: "pcm".into() }) }
