//! C2PA content credentials for the photos in a packet, so that any C2PA
//! tool (not only Siteproof's own verifier) can read who captured a photo,
//! when and where, and see that its bytes are unchanged. Each photo original
//! gets a sidecar manifest `c2pa/<sha256>.c2pa` bound to the original's exact
//! bytes by a data hash: the original itself stays byte-exact, as the device
//! signed it. The sidecar is signed with the server's C2PA certificate
//! (`crate::c2pa_cert`); its root travels in the packet as
//! `keys/c2pa-root.pem` for readers who choose to trust it. Both files are
//! listed in the signed index like every other member.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use c2pa::{Builder, Context, SigningAlg};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use siteproof_protocol::evidence::{LocationFix, Manifest};
use siteproof_protocol::packet::{layout, PacketWriter};

use super::collect::EntryRow;
use crate::c2pa_cert::C2paIdentity;
use crate::error::{ApiError, ApiResult};
use crate::storage::Storage;

/// IPTC digital source type of a photo taken by a camera.
const DIGITAL_CAPTURE: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture";
/// Label of the Siteproof assertion: the evidence entry the photo belongs to.
const EVIDENCE_LABEL: &str = "org.siteproof.evidence";

/// One photo original to credential: its hash and the media type its file name was given.
pub(super) struct Photo<'a> {
    /// SHA-256 of the original, hex (also its name in the packet).
    pub sha256: &'a str,
    /// Media type the packet filed it under.
    pub media_type: &'a str,
}

/// Who and what a photo's entry says, for the credential.
struct Capture<'a> {
    row: &'a EntryRow,
    manifest: Manifest,
    worker: Option<&'a str>,
}

/// Why a photo got no credential; the photo itself is in the packet either way.
#[derive(Debug)]
pub(super) enum Skipped {
    /// No entry in the packet has a readable manifest for it.
    NoEntry,
    /// The stored bytes no longer hash to their name.
    BlobChanged,
    /// The C2PA library refused to sign it (e.g. an image it cannot parse).
    Refused(c2pa::Error),
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::NoEntry => write!(f, "证据包中没有可读的对应记录 / no readable entry in the packet carries it"),
            Skipped::BlobChanged => write!(f, "存储的文件与其哈希不符 / the stored bytes no longer match their hash"),
            Skipped::Refused(e) => write!(f, "C2PA 无法为其签名 / C2PA could not sign it: {e}"),
        }
    }
}

/// Writes the root certificate and one sidecar per photo C2PA can sign; returns the photos left without one.
pub(super) fn add_credentials(
    writer: &mut PacketWriter<impl std::io::Write + std::io::Seek>,
    storage: &dyn Storage,
    identity: &C2paIdentity,
    photos: &[Photo<'_>],
    rows: &[EntryRow],
    workers: &BTreeMap<String, String>,
) -> ApiResult<Vec<(String, Skipped)>> {
    let supported = Builder::supported_mime_types();
    let photos: Vec<&Photo<'_>> =
        photos.iter().filter(|p| p.media_type.starts_with("image/") && supported.iter().any(|t| t == p.media_type)).collect();
    if photos.is_empty() {
        return Ok(Vec::new());
    }
    writer.add_bytes(layout::C2PA_ROOT, identity.root_cert_pem.as_bytes()).map_err(ApiError::from)?;
    let signer =
        c2pa::create_signer::from_keys(identity.signing_cert_pem.as_bytes(), identity.signing_key_pem.as_bytes(), SigningAlg::Es256, None)
            .map_err(|e| ApiError::internal(format!("C2PA signer: {e}")))?;

    let mut skipped = Vec::new();
    for photo in photos {
        let Some(capture) = capture_of(photo.sha256, rows, workers) else {
            skipped.push((photo.sha256.to_string(), Skipped::NoEntry));
            continue;
        };
        let mut bytes = Vec::new();
        storage.open_blocking(photo.sha256)?.read_to_end(&mut bytes)?;
        if hex::encode(Sha256::digest(&bytes)) != photo.sha256 {
            skipped.push((photo.sha256.to_string(), Skipped::BlobChanged));
            continue;
        }
        match sidecar(signer.as_ref(), photo.media_type, &bytes, &capture) {
            Ok(manifest_store) => {
                writer.add_bytes(&layout::c2pa_sidecar_path(photo.sha256), &manifest_store).map_err(ApiError::from)?;
            }
            Err(e) => skipped.push((photo.sha256.to_string(), Skipped::Refused(e))),
        }
    }
    Ok(skipped)
}

/// The first entry that carries this original, with its manifest read and its worker named.
fn capture_of<'a>(sha256: &str, rows: &'a [EntryRow], workers: &'a BTreeMap<String, String>) -> Option<Capture<'a>> {
    rows.iter().filter(|r| r.media_sha256.as_deref() == Some(sha256)).find_map(|row| {
        let manifest = serde_json::from_str::<Manifest>(&row.manifest.manifest).ok()?;
        Some(Capture { row, manifest, worker: workers.get(&row.device_id).map(String::as_str) })
    })
}

/// Signs a sidecar manifest store for `bytes` (which stay untouched).
fn sidecar(signer: &dyn c2pa::Signer, media_type: &str, bytes: &[u8], capture: &Capture<'_>) -> c2pa::Result<Vec<u8>> {
    let mut builder = Builder::from_context(Context::new()).with_definition(definition(media_type, capture))?;
    builder.set_no_embed(true);
    let mut source = Cursor::new(bytes);
    let mut unchanged_copy = Cursor::new(Vec::with_capacity(bytes.len()));
    builder.sign(signer, media_type, &mut source, &mut unchanged_copy)
}

/// When the photo was taken: the anchored time when the device had one, else the device clock.
fn capture_time(manifest: &Manifest) -> (i64, &'static str) {
    match &manifest.anchored {
        Some(a) => (a.utc_ms, "anchored"),
        None => (manifest.capture.device_time_ms, "device_clock"),
    }
}

fn rfc3339(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// XMP's GPSCoordinate text, "DDD,MM.mmmmmmK", as EXIF-in-XMP readers expect it.
fn xmp_coordinate(value: f64, positive: char, negative: char) -> String {
    let hemisphere = if value < 0.0 { negative } else { positive };
    let abs = value.abs();
    let degrees = abs.trunc();
    format!("{},{:.6}{hemisphere}", degrees as u32, (abs - degrees) * 60.0)
}

fn place_metadata(fix: &LocationFix) -> Value {
    json!({
        "exif:GPSLatitude": xmp_coordinate(fix.lat, 'N', 'S'),
        "exif:GPSLongitude": xmp_coordinate(fix.lon, 'E', 'W'),
        "exif:GPSHPositioningError": format!("{}", fix.accuracy_m),
        "exif:GPSTimeStamp": rfc3339(fix.fix_time_ms),
    })
}

fn definition(media_type: &str, capture: &Capture<'_>) -> Value {
    let m = &capture.manifest;
    let (when_ms, time_source) = capture_time(m);
    let when = rfc3339(when_ms);
    let mut metadata = json!({
        "@context": { "exif": "http://ns.adobe.com/exif/1.0/" },
        "exif:DateTimeOriginal": when,
    });
    if let (Some(fix), Some(obj)) = (&m.capture.fix, metadata.as_object_mut()) {
        if let Some(place) = place_metadata(fix).as_object() {
            obj.extend(place.clone());
        }
    }
    let author = capture.worker.map(str::to_string).unwrap_or_else(|| format!("设备 / device {}", m.device_id));
    json!({
        "claim_generator_info": [{ "name": "Siteproof", "version": env!("CARGO_PKG_VERSION") }],
        "title": format!("{} ({})", m.item_id, layout::original_path(&capture.row.media_sha256.clone().unwrap_or_default(), media_type)),
        "format": media_type,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": { "actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType": DIGITAL_CAPTURE,
                    "when": when,
                    "softwareAgent": { "name": "Siteproof" },
                }]}
            },
            { "label": "c2pa.metadata", "data": metadata },
            {
                "label": EVIDENCE_LABEL,
                "data": {
                    "item_id": m.item_id,
                    "order_number": m.order_number,
                    "author": author,
                    "device_id": m.device_id,
                    "device_key": m.device_key,
                    "seq": m.seq,
                    "siteproof_manifest_sha256": capture.row.manifest.hash(),
                    "capture_time": when,
                    "capture_time_source": time_source,
                    "anchored": m.anchored.as_ref().map(|a| json!({ "utc_ms": a.utc_ms, "bound_ms": a.bound_ms, "anchor_hash": a.anchor_hash })),
                    "device_time_ms": m.capture.device_time_ms,
                    "location": m.capture.fix.as_ref().map(|f| json!({
                        "lat": f.lat, "lon": f.lon, "accuracy_m": f.accuracy_m, "provider": f.provider, "is_mock": f.is_mock,
                        "fix_time_ms": f.fix_time_ms,
                    })),
                }
            }
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_read_as_degrees_and_minutes_with_hemisphere() {
        assert_eq!(xmp_coordinate(39.5, 'N', 'S'), "39,30.000000N");
        assert_eq!(xmp_coordinate(-116.25, 'E', 'W'), "116,15.000000W");
    }
}
