//! Third-party time (可信时间戳) for a dispute packet: what the signed index
//! says about it, and the RFC 3161 request and reply the server exchanges
//! with its time-stamping authority (TSA). The server's own clock and key
//! cannot prove when a packet existed to someone who does not trust the
//! server; a TSA's token over the index can, because it binds the index's
//! exact bytes to a time the TSA signed. The token is checked offline by
//! [`super::timestamp_token`] and [`super::timestamp_check`].

use der::asn1::{Any, OctetString};
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use super::timestamp_token::TimestampError;

/// What the index says about third-party time, decided before the index is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ThirdPartyTime {
    /// The server has no TSA configured (`--tsa-url`): the packet has no third-party time.
    NotConfigured,
    /// A TSA token over this index is in `timestamp/packet.tsr`, its chain in `timestamp/tsa-chain.pem`.
    Stamped {
        /// The TSA the server asked.
        tsa_url: String,
    },
    /// The TSA was asked but gave no usable token, so the packet was made without one.
    Unavailable {
        /// The TSA the server asked.
        tsa_url: String,
        /// Why, "zh-CN / English".
        reason: String,
    },
}

impl ThirdPartyTime {
    /// A line for people, zh-CN then English.
    pub fn describe(&self) -> String {
        match self {
            ThirdPartyTime::NotConfigured => "服务器未配置可信时间戳服务 / the server has no time-stamping authority configured".into(),
            ThirdPartyTime::Stamped { tsa_url } => format!("已取得可信时间戳（{tsa_url}）/ trusted timestamp obtained from {tsa_url}"),
            ThirdPartyTime::Unavailable { tsa_url, reason } => {
                format!("未能取得可信时间戳（{tsa_url}），证据包不含第三方时间 / no trusted timestamp from {tsa_url}: {reason}")
            }
        }
    }
}

/// SHA-256 of the `packet.json` bytes: the message imprint the token must carry.
pub fn index_imprint(index_file: &[u8]) -> [u8; 32] {
    Sha256::digest(index_file).into()
}

/// The DER `TimeStampReq` for a packet index: SHA-256 imprint of the `packet.json` bytes, asking for the TSA's
/// certificate in the token so the signer is found without a directory lookup.
pub fn request_for(index_file: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let imprint = index_imprint(index_file);
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier::<Any> { oid: const_oid::db::rfc5912::ID_SHA_256, parameters: None },
            hashed_message: OctetString::new(imprint.to_vec()).map_err(TimestampError::der)?,
        },
        req_policy: None,
        nonce: None,
        cert_req: true,
        extensions: None,
    };
    req.to_der().map_err(TimestampError::der)
}

/// The token (DER `ContentInfo`) out of a TSA's DER `TimeStampResp`, when the TSA granted the request.
pub fn token_from_reply(reply: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let resp = TimeStampResp::from_der(reply).map_err(TimestampError::der)?;
    let status = resp.status.status as u8;
    // 0 granted, 1 granted with modifications; anything else is a refusal.
    if status > 1 {
        return Err(TimestampError::Refused(status));
    }
    let token = resp.time_stamp_token.ok_or(TimestampError::Refused(status))?;
    token.to_der().map_err(TimestampError::der)
}
