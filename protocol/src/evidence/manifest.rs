//! The signed record of one chain entry: a photo, a voice note, a text note,
//! or the later attachment of unfiled evidence to a work order. A manifest is
//! immutable once signed; everything that changes later (which order an item
//! belongs to) is a new entry in the chain, so history cannot be rewritten.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use super::canonical::from_canonical_bytes;
use super::exif::{ExifSummary, GpsPoint};
use super::jpeg_trailer::JpegTrailer;
use super::signing::{public_key_from_hex, sha256_hex, sign_canonical, verify_hex};
use crate::error::{Error, Result};

/// Format tag carried by every manifest; bumps when the meaning of a field changes.
pub const MANIFEST_FORMAT: &str = "siteproof/manifest-v1";

/// What a chain entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A photo; `media` is the original image file.
    Photo,
    /// A voice note; `media` is the original audio file.
    Voice,
    /// A video clip; `media` is the original clip, `video` what its container says.
    Video,
    /// A file the worker received (a resident's WeChat photo, a forwarded
    /// recording), not captured by this device: `media` is the file as
    /// received, `received` its stated source, and any EXIF or container
    /// time and place are the file's claims. Never evidence of presence on site.
    Received,
    /// A text note written on site; the text is in `text`.
    Note,
    /// Files earlier evidence under a work order; the target is in `attach`.
    Attach,
    /// Registers a watermarked share copy of an earlier photo; the copy's hash and verification code are in `share`.
    Share,
}

impl EntryKind {
    /// The stable lowercase name used in the database and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Photo => "photo",
            EntryKind::Voice => "voice",
            EntryKind::Video => "video",
            EntryKind::Received => "received",
            EntryKind::Note => "note",
            EntryKind::Attach => "attach",
            EntryKind::Share => "share",
        }
    }

    /// Whether the entry is something a worker recorded on site with this
    /// device, so it can show someone was there. Received files and filing
    /// entries never can; this is the one place that says so.
    pub fn is_on_site_capture(&self) -> bool {
        matches!(self, EntryKind::Photo | EntryKind::Voice | EntryKind::Video | EntryKind::Note)
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "photo" => EntryKind::Photo,
            "voice" => EntryKind::Voice,
            "video" => EntryKind::Video,
            "received" => EntryKind::Received,
            "note" => EntryKind::Note,
            "attach" => EntryKind::Attach,
            "share" => EntryKind::Share,
            other => return Err(Error::invalid(format!("未知的记录类型 {other:?}"), format!("unknown entry kind {other:?}"))),
        })
    }
}

/// Stored as its stable name (the device's `entries.kind` column).
#[cfg(feature = "rusqlite")]
impl rusqlite::types::ToSql for EntryKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

#[cfg(feature = "rusqlite")]
impl rusqlite::types::FromSql for EntryKind {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        EntryKind::parse(v.as_str()?).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

/// A location fix as the phone's location service reported it (WGS-84).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationFix {
    /// Latitude in decimal degrees, south negative.
    pub lat: f64,
    /// Longitude in decimal degrees, west negative.
    pub lon: f64,
    /// Horizontal accuracy radius in metres (68% confidence, as Android and iOS report it).
    pub accuracy_m: f64,
    /// Altitude above the WGS-84 ellipsoid in metres, when known.
    pub altitude_m: Option<f64>,
    /// Which provider produced it: "gps", "fused", "network", "manual".
    pub provider: String,
    /// The OS said this fix came from a mock-location app.
    pub is_mock: bool,
    /// When the fix was taken, device wall clock, Unix milliseconds.
    pub fix_time_ms: i64,
}

impl LocationFix {
    /// Rejects coordinates that cannot be a place on Earth.
    pub fn validate(&self) -> Result<()> {
        let ok = self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
            && self.accuracy_m.is_finite()
            && self.accuracy_m >= 0.0
            && self.altitude_m.is_none_or(|a| a.is_finite());
        if !ok {
            return Err(Error::invalid(
                format!("定位超出范围：纬度 {} 经度 {} 精度 {}", self.lat, self.lon, self.accuracy_m),
                format!("location fix out of range: lat {} lon {} accuracy {}", self.lat, self.lon, self.accuracy_m),
            ));
        }
        if self.provider.len() > 32 || self.provider.chars().any(char::is_control) {
            return Err(Error::invalid("定位来源名称不是纯文本", "location provider name is not plain text"));
        }
        Ok(())
    }
}

/// The device's own account of when and where the capture happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureRecord {
    /// Device wall-clock time at capture, Unix milliseconds (may be wrong: the user can set it).
    pub device_time_ms: i64,
    /// The device's UTC offset at capture, minutes east of UTC.
    pub utc_offset_min: i32,
    /// Time since boot including sleep, milliseconds (Android elapsedRealtime, Linux CLOCK_BOOTTIME).
    pub monotonic_ms: u64,
    /// Identifies the boot the monotonic reading belongs to.
    pub boot_id: String,
    /// The location fix at capture, if the phone had one.
    pub fix: Option<LocationFix>,
}

/// Capture time derived from a server time anchor, with its uncertainty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchoredTime {
    /// Best estimate of true UTC, Unix milliseconds.
    pub utc_ms: i64,
    /// True time lies within utc_ms ± bound_ms.
    pub bound_ms: u64,
    /// Hash of the signed server time response the estimate rests on.
    pub anchor_hash: String,
}

/// The media file an entry covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// Lowercase hex SHA-256 of the original bytes.
    pub sha256: String,
    /// Size of the original in bytes.
    pub bytes: u64,
    /// MIME type sniffed from the content, not the file name.
    pub media_type: String,
    /// Pixel width as stored (photos only).
    pub width: Option<u32>,
    /// Pixel height as stored (photos only).
    pub height: Option<u32>,
    /// What follows a JPEG's end-of-image marker (motion-photo video, vendor
    /// trailer, unknown bytes), kept in the original and described here.
    /// Omitted when nothing follows, so earlier manifests read and hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailer: Option<JpegTrailer>,
}

/// Audio facts read from the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioSummary {
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// Codec name as the container reports it.
    pub codec: String,
}

/// Video facts read from the clip's container. Its time and place are what
/// the recorder wrote: claims to compare with the phone's clock and fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoSummary {
    /// Presentation length in milliseconds.
    pub duration_ms: u64,
    /// Picture width in pixels, when the track header says.
    pub width: Option<u32>,
    /// Picture height in pixels, when the track header says.
    pub height: Option<u32>,
    /// The video sample entry's code, e.g. "avc1", "hvc1".
    pub codec: String,
    /// When the container says recording began (RFC 3339), a claim.
    pub created_at: Option<String>,
    /// Where the container says it was recorded, a claim.
    pub place: Option<GpsPoint>,
}

/// Where a received file came from, as the worker stated it when importing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedFrom {
    /// The stated source, e.g. "居民微信" (a resident's WeChat).
    pub source: String,
}

/// The entry an `attach` entry files under an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachRef {
    /// The item being filed.
    pub item_id: String,
    /// The hash of that item's manifest, binding the attachment to exact evidence.
    pub manifest_hash: String,
}

/// A watermarked share copy (`share` entries only): which photo it was made
/// from and what the copy is, so a recipient's copy can be checked by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRef {
    /// The photo the copy was made from.
    pub item_id: String,
    /// The hash of that photo's manifest, binding the copy to exact evidence.
    pub manifest_hash: String,
    /// Lowercase hex SHA-256 of the copy's bytes as written.
    pub copy_sha256: String,
    /// The verification code printed in the copy's band (Crockford base32, see `share_code`).
    pub code: String,
}

/// One signed chain entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// The signing device's id (see `device_id_for_key`).
    pub device_id: String,
    /// The signing device's Ed25519 public key, hex.
    pub device_key: String,
    /// Position in the device's chain, starting at 1 with no gaps.
    pub seq: u64,
    /// Hash of the previous entry's manifest; None only for seq 1.
    pub prev: Option<String>,
    /// This entry's id (UUID).
    pub item_id: String,
    /// What this entry records.
    pub kind: EntryKind,
    /// The covered file, for photos and voice notes.
    pub media: Option<MediaRef>,
    /// When, where and on which boot the device says this happened.
    pub capture: CaptureRecord,
    /// Anchored capture time, or None when no anchor covers this boot.
    pub anchored: Option<AnchoredTime>,
    /// EXIF facts of a photo.
    pub exif: Option<ExifSummary>,
    /// Audio facts of a voice note.
    pub audio: Option<AudioSummary>,
    /// Container facts of a video clip. Absent (not null) for other entries,
    /// so manifests signed before this field existed keep their exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoSummary>,
    /// The stated source of a received file (`received` entries only); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<ReceivedFrom>,
    /// Note text (notes only).
    pub text: Option<String>,
    /// The filed item (attach entries only).
    pub attach: Option<AttachRef>,
    /// Disagreements and doubts found at capture, e.g. "no_fix", "exif_time_mismatch".
    pub flags: Vec<String>,
    /// Work order number this entry belongs to, if any.
    pub order_number: Option<String>,
    /// Site visit id this entry was captured in, if any.
    pub visit_id: Option<String>,
    /// That visit's purpose (a `vocab::VISIT_PURPOSES` code), signed with the
    /// entry so the server and a dispute packet can say why someone went.
    /// Absent (not null) when there is no visit, so manifests signed before
    /// this field existed keep their exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_purpose: Option<String>,
    /// The registered share copy (`share` entries only). Absent otherwise, so
    /// earlier manifests keep their exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<ShareRef>,
}

/// A manifest's canonical bytes with the device signature over them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedManifest {
    /// The manifest as RFC 8785 canonical JSON text: the exact signed bytes.
    pub manifest: String,
    /// Ed25519 signature over `manifest`'s UTF-8 bytes, hex.
    pub signature: String,
}

impl Manifest {
    /// Canonicalizes and signs the manifest with the device key.
    pub fn sign(&self, key: &SigningKey) -> Result<SignedManifest> {
        if hex::encode(key.verifying_key().as_bytes()) != self.device_key {
            return Err(Error::wrong_signing_key("记录写明的是另一把设备密钥", "manifest names a different device key"));
        }
        let (manifest, signature) = sign_canonical(self, key)?;
        Ok(SignedManifest { manifest, signature })
    }
}

impl SignedManifest {
    /// The manifest hash: lowercase hex SHA-256 of the canonical bytes. Chains link by it.
    pub fn hash(&self) -> String {
        sha256_hex(self.manifest.as_bytes())
    }

    /// Parses the manifest and checks it is canonical and signed by the key it names.
    pub fn open(&self) -> Result<Manifest> {
        let m: Manifest = from_canonical_bytes(self.manifest.as_bytes())?;
        if m.format != MANIFEST_FORMAT {
            return Err(Error::bad_format(format!("未知的记录格式 {:?}", m.format), format!("unknown manifest format {:?}", m.format)));
        }
        let key = public_key_from_hex(&m.device_key)?;
        if super::signing::device_id_for_key(&key) != m.device_id {
            return Err(Error::mismatch("设备号与设备公钥不符", "device id does not match the device key"));
        }
        verify_hex(&key, self.manifest.as_bytes(), &self.signature)?;
        Ok(m)
    }

    /// Like [`open`](Self::open), and also requires a particular signer.
    pub fn open_from(&self, expected_key_hex: &str) -> Result<Manifest> {
        let m = self.open()?;
        if m.device_key != expected_key_hex {
            return Err(Error::mismatch("记录由另一台设备签名", "manifest is signed by a different device"));
        }
        Ok(m)
    }
}
