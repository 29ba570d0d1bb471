//! The packet's table of contents, `packet.json`: every other file with its
//! SHA-256 and size, signed by the server key. It is what makes an added,
//! removed or edited file visible even when the file itself carries no
//! signature (the PDF, the guide, the key files).

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use super::layout::PACKET_FORMAT;
use super::timestamp::ThirdPartyTime;
use crate::error::{Error, Result};
use crate::evidence::canonical::from_canonical_bytes;
use crate::evidence::signing::{public_key_from_hex, sign_canonical, verify_hex};

/// One file listed in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedFile {
    /// Path inside the packet.
    pub name: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// What the server attests about the packet as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketIndex {
    /// Always [`PACKET_FORMAT`].
    pub format: String,
    /// The work order the packet is about.
    pub order_number: String,
    /// The community that holds the order.
    pub community: String,
    /// Server clock when the packet was made, Unix milliseconds.
    pub created_at_ms: i64,
    /// The server's Ed25519 public key, hex.
    pub server_key: String,
    /// Every file of the packet except `packet.json` itself and the timestamp token, sorted by name.
    pub files: Vec<IndexedFile>,
    /// Whether a TSA token over this index follows; absent in packets made before third-party time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_time: Option<ThirdPartyTime>,
}

/// The index's canonical text with the server signature, as stored in `packet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedIndex {
    /// The index as RFC 8785 canonical JSON text: the exact signed bytes.
    pub index: String,
    /// Ed25519 signature over `index`, hex.
    pub signature: String,
}

impl PacketIndex {
    /// Signs the index with the server key.
    pub fn sign(&self, key: &SigningKey) -> Result<SignedIndex> {
        if hex::encode(key.verifying_key().as_bytes()) != self.server_key {
            return Err(Error::wrong_signing_key("证据包索引写明的是另一把服务器密钥", "packet index names a different server key"));
        }
        let (index, signature) = sign_canonical(self, key)?;
        Ok(SignedIndex { index, signature })
    }
}

impl SignedIndex {
    /// Reads `packet.json` bytes.
    pub fn parse(bytes: &[u8]) -> Result<SignedIndex> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::bad_format(format!("packet.json 不是签名索引：{e}"), format!("packet.json is not a signed index: {e}")))
    }

    /// The index without checking the signature (to report what it claims even when forged).
    pub fn claims(&self) -> Result<PacketIndex> {
        let index: PacketIndex = from_canonical_bytes(self.index.as_bytes())?;
        if index.format != PACKET_FORMAT {
            return Err(Error::bad_format(
                format!("未知的证据包格式 {:?}", index.format),
                format!("unknown packet format {:?}", index.format),
            ));
        }
        Ok(index)
    }

    /// Parses the index and checks the server's signature with the given key.
    pub fn open(&self, server_key_hex: &str) -> Result<PacketIndex> {
        let index = self.claims()?;
        if index.server_key != server_key_hex {
            return Err(Error::mismatch(
                "索引写明的服务器密钥与 keys/server.pub 不同",
                "index names a different server key than keys/server.pub",
            ));
        }
        verify_hex(&public_key_from_hex(server_key_hex)?, self.index.as_bytes(), &self.signature)?;
        Ok(index)
    }

    /// The `packet.json` bytes: pretty JSON, because people open this file.
    pub fn to_file_bytes(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }
}
