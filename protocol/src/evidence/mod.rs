//! The evidence format: the one implementation of manifests, signatures,
//! the chain rule, receipts and time statements that the device (through
//! `siteproof-core`), the CLI and the case server all share. Nothing here
//! touches the disk or the network, so the server can verify exactly what
//! the phone signed, byte for byte.

pub mod canonical;
pub mod chain;
pub mod exif;
pub mod ids;
pub mod jpeg_trailer;
pub mod manifest;
pub mod receipt;
pub mod share_code;
pub mod signing;
pub mod time_token;

pub use chain::{ChainFinding, ChainFindingKind, ChainLink, ChainVerifier};
pub use exif::{ExifSummary, GpsPoint};
pub use jpeg_trailer::{JpegTrailer, TrailerKind, TrailerPart};
pub use manifest::{
    AnchoredTime, AttachRef, AudioSummary, CaptureRecord, EntryKind, LocationFix, Manifest, MediaRef, ReceivedFrom, ShareRef,
    SignedManifest, VideoSummary, MANIFEST_FORMAT,
};
pub use receipt::{Receipt, SignedReceipt, RECEIPT_FORMAT};
pub use share_code::{is_share_code, SHARE_CODE_LEN};
pub use signing::{device_id_for_key, public_key_from_hex, sha256_hex, sign_hex, verify_hex};
pub use time_token::{anchored_time, SignedTime, TimeStatement, DRIFT_PPM, TIME_FORMAT};
