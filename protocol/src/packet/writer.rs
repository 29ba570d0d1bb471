//! Writes a packet: files go into the ZIP while their SHA-256 is taken over
//! the same bytes, and the signed index is added last, so the index can only
//! list what was really written. Media is stored as is (already compressed);
//! text is deflated. The server key's PEM goes in before the index. When
//! the server has a time-stamping authority, the signed index's bytes are
//! stamped and the token follows the index; the `SHA256SUMS` list (which
//! names the index and the token too) with its raw signature comes last, so
//! every packet can be checked by hand with sha256sum and openssl.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::checksums::{checksums_text, sign_checksums};
use super::index::{IndexedFile, PacketIndex};
use super::layout::{self, PacketPath, CHECKSUMS, CHECKSUMS_SIGNATURE, INDEX, PACKET_FORMAT, SERVER_KEY_PEM, TIMESTAMP_TOKEN, TSA_CHAIN};
use super::server_pem::server_key_pem;
use super::timestamp::{index_imprint, request_for, token_from_reply, ThirdPartyTime};
use super::timestamp_token::verify_token;
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

/// The time-stamping authority the server is configured with. The protocol builds the RFC 3161 request and
/// judges the reply; the caller only carries bytes to the TSA and back (this crate does no I/O of its own).
pub trait TimeStampAuthority {
    /// The TSA's address, recorded in the index.
    fn url(&self) -> &str;
    /// The TSA's certificate chain up to its root, PEM, put in the packet for offline checking.
    fn chain_pem(&self) -> &[u8];
    /// Sends a DER `TimeStampReq` and returns the DER `TimeStampResp`, or why none came ("zh-CN / English").
    fn ask(&self, request: &[u8]) -> std::result::Result<Vec<u8>, String>;
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
        // The index, the token, the checksum list and the TSA chain are written by `finish_stamped` alone.
        if layout::classify(name).is_none_or(|p| layout::outside_index(&p)) || name == TSA_CHAIN {
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

    /// Signs and adds `packet.json`, closes the ZIP and hands back the writer and the index (no third-party time).
    pub fn finish(self, header: PacketHeader, key: &SigningKey) -> Result<(W, PacketIndex)> {
        self.finish_stamped(header, key, None)
    }

    /// Adds `keys/server.pem` and, with a TSA, its chain; signs and adds `packet.json`; stamps it and adds the
    /// token; then `SHA256SUMS` and its signature; closes the ZIP and hands back the writer and the index. A TSA
    /// that fails or answers with a token that does not verify never stops the packet: the index is signed again
    /// saying why there is no token.
    pub fn finish_stamped(
        mut self,
        header: PacketHeader,
        key: &SigningKey,
        tsa: Option<&dyn TimeStampAuthority>,
    ) -> Result<(W, PacketIndex)> {
        let server_key = hex::encode(key.verifying_key().as_bytes());
        if !self.contains(SERVER_KEY_PEM) {
            self.add_bytes(SERVER_KEY_PEM, server_key_pem(&server_key)?.as_bytes())?;
        }
        if let Some(tsa) = tsa {
            self.add_unchecked(TSA_CHAIN, tsa.chain_pem())?;
        }
        let mut index = PacketIndex {
            format: PACKET_FORMAT.into(),
            order_number: header.order_number,
            community: header.community,
            created_at_ms: header.created_at_ms,
            server_key,
            files: self.files.into_values().collect(),
            third_party_time: Some(match tsa {
                None => ThirdPartyTime::NotConfigured,
                Some(t) => ThirdPartyTime::Stamped { tsa_url: t.url().to_string() },
            }),
        };
        let mut index_file = index.sign(key)?.to_file_bytes()?;
        let mut token = None;
        if let Some(tsa) = tsa {
            match stamp(tsa, &index_file) {
                Ok(t) => token = Some(t),
                Err(reason) => {
                    index.third_party_time = Some(ThirdPartyTime::Unavailable { tsa_url: tsa.url().to_string(), reason });
                    index_file = index.sign(key)?.to_file_bytes()?;
                }
            }
        }
        let token_sha = token.as_ref().map(|t| hex::encode(Sha256::digest(t)));
        let after: Vec<(&str, &str)> = token_sha.iter().map(|sha| (TIMESTAMP_TOKEN, sha.as_str())).collect();
        let checksums = checksums_text(&index.files, &hex::encode(Sha256::digest(&index_file)), &after);
        let signature = sign_checksums(&checksums, key);
        let mut tail: Vec<(&str, &[u8])> = vec![(INDEX, &index_file[..])];
        if let Some(token) = &token {
            tail.push((TIMESTAMP_TOKEN, &token[..]));
        }
        tail.push((CHECKSUMS, checksums.as_bytes()));
        tail.push((CHECKSUMS_SIGNATURE, &signature[..]));
        for (name, bytes) in tail {
            self.zip.start_file(name, Self::options(name)).map_err(zip_err)?;
            self.zip.write_all(bytes).map_err(|e| Error::io(WRITING, e))?;
        }
        let inner = self.zip.finish().map_err(zip_err)?;
        Ok((inner, index))
    }

    fn add_unchecked(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.zip.start_file(name, Self::options(name)).map_err(zip_err)?;
        self.zip.write_all(bytes).map_err(|e| Error::io(WRITING, e))?;
        let entry = IndexedFile { name: name.to_string(), sha256: hex::encode(Sha256::digest(bytes)), bytes: bytes.len() as u64 };
        self.files.insert(name.to_string(), entry);
        Ok(())
    }
}

/// Asks the TSA for a token over the index file and checks it as `verify` will; the reason when there is none.
fn stamp(tsa: &dyn TimeStampAuthority, index_file: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let request = request_for(index_file).map_err(|e| e.to_string())?;
    let reply = tsa.ask(&request)?;
    let token = token_from_reply(&reply).map_err(|e| e.to_string())?;
    verify_token(&token, tsa.chain_pem(), &index_imprint(index_file)).map_err(|e| e.to_string())?;
    Ok(token)
}
