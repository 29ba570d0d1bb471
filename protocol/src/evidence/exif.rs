//! What a photo's EXIF claims about itself, as a manifest records it. The
//! type is part of the signed evidence format, so it lives with the format;
//! reading it out of a file is the device's media code (`siteproof_core::media`).
//! EXIF is written by whoever made the file: a claim to compare against the
//! phone's own clock and fix, never a fact.

use serde::{Deserialize, Serialize};

/// A position in WGS 84 decimal degrees as the camera recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpsPoint {
    /// Latitude, south negative.
    pub lat: f64,
    /// Longitude, west negative.
    pub lon: f64,
    /// Altitude in metres, below sea level negative.
    pub alt: Option<f64>,
}

/// What a photo's EXIF claims about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExifSummary {
    /// DateTimeOriginal as RFC 3339, with the offset only if OffsetTimeOriginal gives one.
    pub taken_at: Option<String>,
    /// Where the camera says it was.
    pub gps: Option<GpsPoint>,
    /// Camera maker.
    pub make: Option<String>,
    /// Camera model.
    pub model: Option<String>,
    /// EXIF orientation 1..=8; 1 when absent or invalid.
    pub orientation: u8,
}

impl Default for ExifSummary {
    fn default() -> Self {
        ExifSummary { taken_at: None, gps: None, make: None, model: None, orientation: 1 }
    }
}

impl ExifSummary {
    /// True when no field carries information.
    pub fn is_empty(&self) -> bool {
        *self == ExifSummary::default()
    }
}
