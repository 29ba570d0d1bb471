//! `siteproof inspect`: the facts of a file as Siteproof reads them, without
//! storing anything. Other tools parse its `--json` output, so the field set
//! is fixed: sha256, bytes, media_type, width, height, orientation, taken_at,
//! gps {lat, lon, alt}, make, model, and trailer (what follows a JPEG's image,
//! as capture records it in the manifest; null when nothing does). A file
//! capture would refuse is refused here with the same error: both ask
//! `media::read_trailer` before reading the headers.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde_json::{json, Value};
use siteproof_core::media;
use siteproof_core::store::blobs::hash_reader;
use siteproof_core::{Error, Result};

/// Reads a file's facts.
pub fn inspect(path: &Path) -> Result<Value> {
    let meta = std::fs::metadata(path).map_err(|e| Error::from_io(&format!("{}", path.display()), e))?;
    if meta.is_dir() {
        return Err(Error::InvalidInput(format!("{} is a directory", path.display())));
    }
    let mut header = [0u8; 64];
    let mut f = File::open(path).map_err(|e| Error::from_io(&format!("{}", path.display()), e))?;
    let n = f.read(&mut header).map_err(|e| Error::from_io("read", e))?;
    let kind = media::sniff_with_tracks(&header[..n], path)?;
    let (sha256, bytes) = hash_reader(File::open(path).map_err(|e| Error::from_io("open", e))?)?;
    let mut out = json!({ "sha256": sha256, "bytes": bytes, "media_type": kind.media_type() });
    if kind.is_photo() {
        let trailer = media::read_trailer(path, kind)?;
        let info = media::read_photo_info(path)?;
        let e = &info.exif;
        out["width"] = json!(info.width);
        out["height"] = json!(info.height);
        out["orientation"] = json!(e.orientation);
        out["taken_at"] = json!(e.taken_at);
        out["gps"] = e.gps.as_ref().map_or(Value::Null, |g| json!({"lat": g.lat, "lon": g.lon, "alt": g.alt}));
        out["make"] = json!(e.make);
        out["model"] = json!(e.model);
        out["trailer"] = json!(trailer);
    } else if kind.is_video() {
        let info = media::read_video_info(path)?;
        out["width"] = json!(info.width);
        out["height"] = json!(info.height);
        out["orientation"] = json!(1);
        out["taken_at"] = json!(info.created_at);
        out["gps"] = info.place.as_ref().map_or(Value::Null, |g| json!({"lat": g.lat, "lon": g.lon, "alt": g.alt}));
        for k in ["make", "model", "trailer"] {
            out[k] = Value::Null;
        }
        out["duration_ms"] = json!(info.duration_ms);
        out["codec"] = json!(info.codec);
    } else {
        let info = media::read_voice_info(path)?;
        for k in ["width", "height", "taken_at", "gps", "make", "model", "trailer"] {
            out[k] = Value::Null;
        }
        out["orientation"] = json!(1);
        out["duration_ms"] = json!(info.duration_ms);
        out["codec"] = json!(info.codec);
    }
    Ok(out)
}
