//! Where each file lives inside a dispute packet. The writer on the server
//! and the offline verifier both derive names from here, so a verifier never
//! has to guess what a path means and an unexpected path stands out at once.

use crate::error::{Error, Result};
use crate::evidence::signing::public_key_from_hex;

/// Format tag of the signed index.
pub const PACKET_FORMAT: &str = "siteproof/packet-v1";
/// The signed index listing every other file.
pub const INDEX: &str = "packet.json";
/// The Chinese report for people.
pub const REPORT: &str = "report.pdf";
/// How to check the packet by hand.
pub const GUIDE: &str = "GUIDE.txt";
/// The server's public key.
pub const SERVER_KEY: &str = "keys/server.pub";
/// The same key as PEM, for checking by hand with openssl.
pub const SERVER_KEY_PEM: &str = "keys/server.pem";
/// Every other file's SHA-256 in `sha256sum --check` form (outside the index: written after it).
pub const CHECKSUMS: &str = "SHA256SUMS";
/// The server's raw Ed25519 signature over [`CHECKSUMS`] (outside the index).
pub const CHECKSUMS_SIGNATURE: &str = "SHA256SUMS.sig";
/// Folder of original media files, named by content hash.
pub const ORIGINALS_DIR: &str = "originals/";
/// Folder of signed manifests.
pub const MANIFESTS_DIR: &str = "manifests/";
/// Folder of signed receipts.
pub const RECEIPTS_DIR: &str = "receipts/";
/// Folder of public keys.
pub const KEYS_DIR: &str = "keys/";
/// The TSA's RFC 3161 token over the `packet.json` bytes (DER). It is made after the index is signed,
/// so it is the one file the index does not list; the index says whether it must be there.
pub const TIMESTAMP_TOKEN: &str = "timestamp/packet.tsr";
/// The TSA's certificate chain (PEM, up to its root) the server is configured with; listed in the index.
pub const TSA_CHAIN: &str = "timestamp/tsa-chain.pem";
/// Folder of C2PA sidecar manifests, one per photo original, named by the original's hash.
pub const C2PA_DIR: &str = "c2pa/";
/// The root certificate the server's C2PA credentials chain to, for readers who choose to trust it.
pub const C2PA_ROOT: &str = "keys/c2pa-root.pem";
/// Folder of the server's signed time statements that anchored capture times rest on.
pub const TIME_DIR: &str = "time/";

/// What a path inside a packet stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketPath {
    /// `packet.json`.
    Index,
    /// `report.pdf`.
    Report,
    /// `GUIDE.txt`.
    Guide,
    /// `keys/server.pub`.
    ServerKey,
    /// `keys/server.pem`.
    ServerKeyPem,
    /// `SHA256SUMS`.
    Checksums,
    /// `SHA256SUMS.sig`.
    ChecksumsSignature,
    /// `timestamp/packet.tsr`.
    TimestampToken,
    /// `timestamp/tsa-chain.pem`.
    TsaChain,
    /// `keys/device-<id>.pub`.
    DeviceKey {
        /// Device id.
        device_id: String,
    },
    /// `manifests/<device>-<seq>.json`.
    Manifest {
        /// Device id.
        device_id: String,
        /// Chain position.
        seq: u64,
    },
    /// `receipts/<device>-<seq>.json`.
    Receipt {
        /// Device id.
        device_id: String,
        /// Chain position.
        seq: u64,
    },
    /// `originals/<sha256>.<ext>`.
    Original {
        /// Content hash the name claims.
        sha256: String,
    },
    /// `c2pa/<sha256>.c2pa`: the C2PA sidecar manifest of that original.
    C2paSidecar {
        /// Hash of the original the manifest binds to.
        sha256: String,
    },
    /// `keys/c2pa-root.pem`.
    C2paRoot,
    /// `time/<hash>.json`: the exact text of a server time statement, named by its SHA-256 (a manifest's `anchor_hash`).
    TimeStatement {
        /// Hash the name claims.
        statement_hash: String,
    },
    /// `time/<hash>.sig`: the server's raw Ed25519 signature over that statement's text.
    TimeStatementSignature {
        /// Hash of the statement it signs.
        statement_hash: String,
    },
}

/// `manifests/<device>-<seq>.json`.
pub fn manifest_path(device_id: &str, seq: u64) -> String {
    format!("{MANIFESTS_DIR}{device_id}-{seq}.json")
}

/// `receipts/<device>-<seq>.json`.
pub fn receipt_path(device_id: &str, seq: u64) -> String {
    format!("{RECEIPTS_DIR}{device_id}-{seq}.json")
}

/// `keys/device-<id>.pub`.
pub fn device_key_path(device_id: &str) -> String {
    format!("{KEYS_DIR}device-{device_id}.pub")
}

/// `originals/<sha256>.<ext>`, the extension taken from the sniffed media type.
pub fn original_path(sha256: &str, media_type: &str) -> String {
    format!("{ORIGINALS_DIR}{sha256}.{}", extension_for(media_type))
}

/// `c2pa/<sha256>.c2pa`, the sidecar beside `originals/<sha256>.<ext>`.
pub fn c2pa_sidecar_path(sha256: &str) -> String {
    format!("{C2PA_DIR}{sha256}.c2pa")
}

/// `time/<hash>.json`: a time statement's exact signed text, so `sha256sum` of the file gives its name.
pub fn time_statement_path(statement_hash: &str) -> String {
    format!("{TIME_DIR}{statement_hash}.json")
}

/// `time/<hash>.sig`: the raw signature beside the statement, as `openssl pkeyutl -sigfile` reads it.
pub fn time_signature_path(statement_hash: &str) -> String {
    format!("{TIME_DIR}{statement_hash}.sig")
}

/// File extension for a media type Siteproof accepts ("bin" for anything else).
pub fn extension_for(media_type: &str) -> &'static str {
    match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/tiff" => "tif",
        "image/heif" | "image/heic" => "heic",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" => "m4a",
        "audio/ogg" => "ogg",
        "audio/wav" | "audio/x-wav" | "audio/vnd.wave" => "wav",
        "audio/mpeg" => "mp3",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        "audio/amr-wb" => "awb",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/3gpp" => "3gp",
        _ => "bin",
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn device_and_seq(stem: &str) -> Option<(String, u64)> {
    let (device, seq) = stem.rsplit_once('-')?;
    let seq: u64 = seq.parse().ok().filter(|s| *s > 0)?;
    // Only canonical numbers: "007" would let two names stand for one entry.
    (is_hex(device, 32) && seq.to_string() == stem.rsplit_once('-')?.1).then(|| (device.to_string(), seq))
}

/// Files the signed index cannot list because they are written after it: the index itself, the TSA's token
/// over it, and the checksum list with its signature (which lists the index and the token too).
pub fn outside_index(path: &PacketPath) -> bool {
    matches!(path, PacketPath::Index | PacketPath::TimestampToken | PacketPath::Checksums | PacketPath::ChecksumsSignature)
}

/// Says what a path means, or None for a path the format does not have.
pub fn classify(name: &str) -> Option<PacketPath> {
    match name {
        INDEX => return Some(PacketPath::Index),
        REPORT => return Some(PacketPath::Report),
        GUIDE => return Some(PacketPath::Guide),
        SERVER_KEY => return Some(PacketPath::ServerKey),
        SERVER_KEY_PEM => return Some(PacketPath::ServerKeyPem),
        CHECKSUMS => return Some(PacketPath::Checksums),
        CHECKSUMS_SIGNATURE => return Some(PacketPath::ChecksumsSignature),
        TIMESTAMP_TOKEN => return Some(PacketPath::TimestampToken),
        TSA_CHAIN => return Some(PacketPath::TsaChain),
        C2PA_ROOT => return Some(PacketPath::C2paRoot),
        _ => {}
    }
    if let Some(rest) = name.strip_prefix(MANIFESTS_DIR).and_then(|r| r.strip_suffix(".json")) {
        return device_and_seq(rest).map(|(device_id, seq)| PacketPath::Manifest { device_id, seq });
    }
    if let Some(rest) = name.strip_prefix(RECEIPTS_DIR).and_then(|r| r.strip_suffix(".json")) {
        return device_and_seq(rest).map(|(device_id, seq)| PacketPath::Receipt { device_id, seq });
    }
    if let Some(id) = name.strip_prefix("keys/device-").and_then(|r| r.strip_suffix(".pub")) {
        return is_hex(id, 32).then(|| PacketPath::DeviceKey { device_id: id.to_string() });
    }
    if let Some(sha) = name.strip_prefix(C2PA_DIR).and_then(|r| r.strip_suffix(".c2pa")) {
        return is_hex(sha, 64).then(|| PacketPath::C2paSidecar { sha256: sha.to_string() });
    }
    if let Some(rest) = name.strip_prefix(TIME_DIR) {
        let (hash, signature) = match (rest.strip_suffix(".json"), rest.strip_suffix(".sig")) {
            (Some(h), _) => (h, false),
            (_, Some(h)) => (h, true),
            _ => return None,
        };
        let statement_hash = hash.to_string();
        return is_hex(hash, 64).then_some(if signature {
            PacketPath::TimeStatementSignature { statement_hash }
        } else {
            PacketPath::TimeStatement { statement_hash }
        });
    }
    if let Some((sha, ext)) = name.strip_prefix(ORIGINALS_DIR).and_then(|r| r.split_once('.')) {
        let known_ext = ext.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) && !ext.is_empty() && ext.len() <= 5;
        return (is_hex(sha, 64) && known_ext).then(|| PacketPath::Original { sha256: sha.to_string() });
    }
    None
}

/// Text of a key file: the hex public key and a newline.
pub fn key_file_text(key_hex: &str) -> String {
    format!("{key_hex}\n")
}

/// Reads a key file back to its hex key, checking it is an Ed25519 public key.
pub fn parse_key_file(bytes: &[u8]) -> Result<String> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::bad_format("密钥文件不是文本", "key file is not text"))?;
    let hex_key = text.strip_suffix('\n').unwrap_or(text);
    if !is_hex(hex_key, 64) {
        return Err(Error::bad_format("密钥文件须只含一个 64 位小写十六进制公钥", "key file must hold one 64-digit lowercase hex key"));
    }
    public_key_from_hex(hex_key)?;
    Ok(hex_key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_refused() {
        let dev = "0123456789abcdef0123456789abcdef";
        assert_eq!(classify(&manifest_path(dev, 7)), Some(PacketPath::Manifest { device_id: dev.into(), seq: 7 }));
        assert_eq!(classify(&receipt_path(dev, 1)), Some(PacketPath::Receipt { device_id: dev.into(), seq: 1 }));
        assert_eq!(classify(&device_key_path(dev)), Some(PacketPath::DeviceKey { device_id: dev.into() }));
        let sha = "ab".repeat(32);
        assert_eq!(classify(&original_path(&sha, "image/jpeg")), Some(PacketPath::Original { sha256: sha.clone() }));
        assert_eq!(classify(&c2pa_sidecar_path(&sha)), Some(PacketPath::C2paSidecar { sha256: sha.clone() }));
        assert_eq!(classify(C2PA_ROOT), Some(PacketPath::C2paRoot));
        assert_eq!(classify("c2pa/notahash.c2pa"), None);
        assert_eq!(classify(&time_statement_path(&sha)), Some(PacketPath::TimeStatement { statement_hash: sha.clone() }));
        assert_eq!(classify(&time_signature_path(&sha)), Some(PacketPath::TimeStatementSignature { statement_hash: sha.clone() }));
        assert_eq!(classify("time/notahash.json"), None);
        assert_eq!(classify(&format!("time/{sha}.txt")), None);
        assert_eq!(classify(&format!("manifests/{dev}-007.json")), None);
        assert_eq!(classify("notes.txt"), None);
        assert_eq!(classify("../packet.json"), None);
    }
}
