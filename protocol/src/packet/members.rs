//! Reads every file of a checked ZIP layout once, streaming: each entry is
//! hashed while it inflates and held to the size and CRC its directory entry
//! declares, so memory stays flat whatever the archive holds. Only the small
//! files the verifier parses (index, keys, manifests, receipts, time statements) are kept in
//! memory, each under its own small cap and all under one total.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use sha2::{Digest, Sha256};

use super::layout::{self, PacketPath};
use super::zip_layout::{ZipEntry, METHOD_DEFLATED, METHOD_STORED};

/// Largest index kept for parsing: it lists every file (about 150 bytes each).
const MAX_INDEX_BYTES: u64 = 8 << 20;
/// Largest key, manifest or receipt kept for parsing (real ones are a few KiB).
const MAX_SMALL_FILE_BYTES: u64 = 1 << 20;
/// Most bytes kept in memory across all parsed files.
const MAX_KEPT_BYTES: u64 = 64 << 20;

/// Why a member's bytes could not be read intact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    /// A compression method other than stored or deflate.
    Method(u16),
    /// The stored bytes could not be read or inflated.
    Corrupt(String),
    /// It inflates to more bytes than its directory entry declares.
    Longer,
    /// It inflates to fewer bytes than its directory entry declares.
    Shorter(u64),
    /// The CRC-32 differs from the directory's.
    Crc,
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::Method(m) => write!(f, "压缩方式 {m} 不受支持 / compression method {m} is not supported"),
            ReadProblem::Corrupt(e) => write!(f, "压缩数据损坏 / compressed data is corrupt: {e}"),
            ReadProblem::Longer => write!(f, "解压后比目录记录的更长 / inflates to more bytes than the directory declares"),
            ReadProblem::Shorter(n) => {
                write!(f, "解压后只有 {n} 字节，比目录记录的短 / inflates to only {n} bytes, fewer than the directory declares")
            }
            ReadProblem::Crc => write!(f, "CRC 与目录不符 / CRC differs from the directory"),
        }
    }
}

/// Why a parsed file's content was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKept {
    /// Media, the report, the guide or an unknown name: only hashed.
    NotParsed,
    /// Over its own cap or the total cap.
    TooLarge,
}

/// One ZIP member as read: its hash and size, its content when it is a small file the verifier parses.
#[derive(Debug)]
pub struct Member {
    /// SHA-256 of the inflated bytes, hex.
    pub sha256: String,
    /// Inflated bytes read.
    pub bytes: u64,
    /// The content, when kept.
    pub content: Result<Vec<u8>, NotKept>,
    /// Set when the bytes could not be read intact.
    pub read_error: Option<ReadProblem>,
}

impl Member {
    /// Why the content is absent, zh-CN / English.
    pub fn unreadable_reason(&self) -> String {
        match (&self.read_error, &self.content) {
            (Some(e), _) => e.to_string(),
            (None, Err(NotKept::TooLarge)) => "文件超过可解析的大小 / too large to parse".into(),
            (None, _) => "文件无法读取 / unreadable".into(),
        }
    }
}

fn parse_cap(name: &str) -> Option<u64> {
    match layout::classify(name)? {
        PacketPath::Index | PacketPath::Checksums => Some(MAX_INDEX_BYTES),
        PacketPath::ServerKey
        | PacketPath::ServerKeyPem
        | PacketPath::ChecksumsSignature
        | PacketPath::DeviceKey { .. }
        | PacketPath::Manifest { .. }
        | PacketPath::Receipt { .. }
        | PacketPath::TimestampToken
        | PacketPath::TsaChain
        | PacketPath::TimeStatement { .. }
        | PacketPath::TimeStatementSignature { .. } => Some(MAX_SMALL_FILE_BYTES),
        PacketPath::Original { .. } | PacketPath::Report | PacketPath::Guide => None,
        // C2PA readers check these; the packet verifier only holds them to the signed index.
        PacketPath::C2paSidecar { .. } | PacketPath::C2paRoot => None,
    }
}

/// Reads each entry (the first of any duplicate name; the verifier names the others).
/// Folder entries, which re-zipping tools add, hold no bytes and are skipped.
pub fn read_members<R: Read + Seek>(r: &mut R, entries: &[ZipEntry]) -> BTreeMap<String, Member> {
    let mut members = BTreeMap::new();
    let mut kept_total = 0u64;
    for e in entries {
        if members.contains_key(&e.name) || (e.name.ends_with('/') && e.uncompressed == 0) {
            continue;
        }
        let parsed = parse_cap(&e.name);
        let fits = parsed.is_some_and(|cap| e.uncompressed <= cap && kept_total + e.uncompressed <= MAX_KEPT_BYTES);
        let mut member = read_one(r, e, fits);
        match &member.content {
            Ok(c) => kept_total += c.len() as u64,
            Err(_) if parsed.is_some() && member.read_error.is_none() => member.content = Err(NotKept::TooLarge),
            Err(_) => {}
        }
        members.insert(e.name.clone(), member);
    }
    members
}

fn read_one<R: Read + Seek>(r: &mut R, e: &ZipEntry, keep: bool) -> Member {
    let mut hasher = Sha256::new();
    let mut crc = crc32fast::Hasher::new();
    let mut content = Vec::new();
    let mut total = 0u64;
    let outcome = (|| -> Result<(), ReadProblem> {
        r.seek(SeekFrom::Start(e.data_offset)).map_err(|err| ReadProblem::Corrupt(err.to_string()))?;
        let stored = std::io::BufReader::with_capacity(64 * 1024, &mut *r).take(e.compressed);
        let mut source: Box<dyn Read + '_> = match e.method {
            METHOD_STORED => Box::new(stored),
            METHOD_DEFLATED => Box::new(flate2::bufread::DeflateDecoder::new(stored)),
            m => return Err(ReadProblem::Method(m)),
        };
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(ReadProblem::Corrupt(err.to_string())),
            };
            // Never past the declaration: the layout's bounds were checked on declared sizes.
            if total + n as u64 > e.uncompressed {
                return Err(ReadProblem::Longer);
            }
            hasher.update(&buf[..n]);
            crc.update(&buf[..n]);
            if keep {
                content.extend_from_slice(&buf[..n]);
            }
            total += n as u64;
        }
        if total != e.uncompressed {
            return Err(ReadProblem::Shorter(total));
        }
        if crc.clone().finalize() != e.crc32 {
            return Err(ReadProblem::Crc);
        }
        Ok(())
    })();
    let read_error = outcome.err();
    let content = match (keep, &read_error) {
        (true, None) => Ok(content),
        _ => Err(NotKept::NotParsed),
    };
    Member { sha256: hex::encode(hasher.finalize()), bytes: total, content, read_error }
}
