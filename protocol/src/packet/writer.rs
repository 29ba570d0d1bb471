//! Writes a packet: files go into the ZIP while their SHA-256 is taken over
//! the same bytes, and the signed index is added last, so the index can only
//! list what was really written. Media is stored as is (already compressed);
//! text is deflated. The server key's PEM goes in before the index, and the
//! `SHA256SUMS` list with its raw signature after it, so every packet can be
//! checked by hand with sha256sum and openssl.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::checksums::{checksums_text, sign_checksums};
use super::index::{IndexedFile, PacketIndex};
use super::layout::{self, PacketPath, CHECKSUMS, CHECKSUMS_SIGNATURE, INDEX, PACKET_FORMAT, SERVER_KEY_PEM};
use super::server_pem::server_key_pem;
use crate::error::{Error, Result};

/// Facts the index carries besides the file list.
#[derive(Debug, Clone)]
pub struct PacketHeader {
    /// The work order number.
    pub order_number: String,
    /// The community holding the order.
    pub community: String,
    /// Server clock at export, Unix milliseconds.
    pub created_at_ms: i64,
}

/// Builds a packet into any seekable writer (a temp file on the server).
pub struct PacketWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    files: BTreeMap<String, IndexedFile>,
}

/// What a failed write was doing, for [`Error::Io`].
const WRITING: &str = "写入证据包 / writing packet";

fn zip_err(e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) => Error::io(WRITING, io),
        other => Error::Zip(other.to_string()),
    }
}

impl<W: Write + Seek> PacketWriter<W> {
    /// Starts an empty packet.
    pub fn new(inner: W) -> Self {
        PacketWriter { zip: ZipWriter::new(inner), files: BTreeMap::new() }
    }

    fn options(name: &str) -> SimpleFileOptions {
        let method = match layout::classify(name) {
            Some(PacketPath::Original { .. }) | Some(PacketPath::Report) | Some(PacketPath::ChecksumsSignature) => {
                CompressionMethod::Stored
            }
            _ => CompressionMethod::Deflated,
        };
        SimpleFileOptions::default().compression_method(method).large_file(true).unix_permissions(0o644)
    }

    /// Adds a file from a reader, hashing what is written; returns its index entry.
    pub fn add_reader(&mut self, name: &str, reader: &mut dyn Read) -> Result<IndexedFile> {
        if layout::classify(name).is_none_or(|p| layout::outside_index(&p)) {
            return Err(Error::invalid(format!("{name:?} 不是证据包可含的文件"), format!("{name:?} is not a file a packet may contain")));
        }
        if self.files.contains_key(name) {
            return Err(Error::invalid(format!("{name} 已在证据包中"), format!("{name} is already in the packet")));
        }
        self.zip.start_file(name, Self::options(name)).map_err(zip_err)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("读取 {name} / reading {name}"), e)),
            };
            hasher.update(&buf[..n]);
            self.zip.write_all(&buf[..n]).map_err(|e| Error::io(WRITING, e))?;
            total += n as u64;
        }
        let entry = IndexedFile { name: name.to_string(), sha256: hex::encode(hasher.finalize()), bytes: total };
        self.files.insert(name.to_string(), entry.clone());
        Ok(entry)
    }

    /// Adds a file held in memory.
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<IndexedFile> {
        self.add_reader(name, &mut &bytes[..])
    }

    /// Whether a path was already added (one original can serve several entries).
    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Adds `keys/server.pem`, signs and adds `packet.json`, then `SHA256SUMS` and its signature,
    /// closes the ZIP and hands back the writer and the index.
    pub fn finish(mut self, header: PacketHeader, key: &SigningKey) -> Result<(W, PacketIndex)> {
        let server_key = hex::encode(key.verifying_key().as_bytes());
        if !self.contains(SERVER_KEY_PEM) {
            self.add_bytes(SERVER_KEY_PEM, server_key_pem(&server_key)?.as_bytes())?;
        }
        let index = PacketIndex {
            format: PACKET_FORMAT.into(),
            order_number: header.order_number,
            community: header.community,
            created_at_ms: header.created_at_ms,
            server_key,
            files: self.files.into_values().collect(),
        };
        let index_bytes = index.sign(key)?.to_file_bytes()?;
        let checksums = checksums_text(&index.files, &hex::encode(Sha256::digest(&index_bytes)));
        let signature = sign_checksums(&checksums, key);
        for (name, bytes) in [(INDEX, &index_bytes[..]), (CHECKSUMS, checksums.as_bytes()), (CHECKSUMS_SIGNATURE, &signature[..])] {
            self.zip.start_file(name, Self::options(name)).map_err(zip_err)?;
            self.zip.write_all(bytes).map_err(|e| Error::io(WRITING, e))?;
        }
        let inner = self.zip.finish().map_err(zip_err)?;
        Ok((inner, index))
    }
}
