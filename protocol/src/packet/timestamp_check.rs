//! What `verify` concludes about a packet's third-party time: the index says
//! whether a TSA token was obtained; when it says so the token must be there,
//! must cover these exact `packet.json` bytes and must verify against the
//! chain in the packet; and nothing the server signed may be dated after the
//! TSA's time (beyond [`SERVER_CLOCK_ALLOWANCE_MS`]), nor the index long
//! before it. A packet without third-party time is reported as not checked,
//! never as a failure: whether that is enough is the reader's decision.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::index::SignedIndex;
use super::layout::{self, PacketPath, INDEX, TIMESTAMP_TOKEN, TSA_CHAIN};
use super::members::Member;
use super::timestamp::{index_imprint, ThirdPartyTime};
use super::timestamp_token::verify_token;
use super::verify::{PacketProblem, ProblemKind};
use crate::evidence::SignedReceipt;

/// How far the server's clock (receipts, the index's creation time) may run ahead of the TSA's.
pub const SERVER_CLOCK_ALLOWANCE_MS: i64 = 5 * 60 * 1000;
/// How long before the TSA's time the index may say the packet was started (assembly streams every original).
pub const ASSEMBLY_ALLOWANCE_MS: i64 = 60 * 60 * 1000;

/// The verifier's conclusion about third-party time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ThirdPartyTimeCheck {
    /// The token verified: the index existed at `gen_time_ms` by the TSA's clock.
    Stamped {
        /// The TSA the server asked.
        tsa_url: String,
        /// The TSA's time, Unix milliseconds.
        gen_time_ms: i64,
        /// The accuracy the TSA states, milliseconds.
        accuracy_ms: Option<i64>,
        /// Who signed the token.
        tsa_subject: String,
        /// The root the chain ends at.
        root_subject: String,
        /// SHA-256 fingerprint of the root: trusting it is the reader's decision.
        root_fingerprint: String,
    },
    /// The server has no TSA configured: no third-party time, not checked.
    NotConfigured,
    /// The TSA gave no token when the packet was made: no third-party time, not checked.
    Unavailable {
        /// Why, as the server recorded it.
        reason: String,
    },
    /// The index does not say (a packet made before third-party time existed, or an unreadable index).
    NotRecorded,
    /// The index says the packet was stamped, but the token does not hold; the problems say why.
    Failed,
}

impl ThirdPartyTimeCheck {
    /// One line for people, zh-CN then English.
    pub fn describe(&self) -> String {
        match self {
            ThirdPartyTimeCheck::Stamped { gen_time_ms, tsa_subject, root_fingerprint, .. } => {
                let at = chrono::DateTime::from_timestamp_millis(*gen_time_ms).map(|t| t.to_rfc3339()).unwrap_or_default();
                format!(
                    "可信时间戳有效：索引在 {at} 已存在（签发：{tsa_subject}；根证书 SHA-256 指纹 {root_fingerprint}，是否信任该根证书由您决定） / \
                     trusted timestamp valid: the index existed at {at} (signed by {tsa_subject}; root certificate SHA-256 fingerprint \
                     {root_fingerprint} — whether to trust that root is your decision)"
                )
            }
            ThirdPartyTimeCheck::NotConfigured => {
                "无第三方时间（服务器未配置时间戳服务），未核对 / no third-party time (the server has no TSA configured): not checked"
                    .into()
            }
            ThirdPartyTimeCheck::Unavailable { reason } => {
                format!("无第三方时间（制作时时间戳服务不可用），未核对 / no third-party time (the TSA was unavailable): not checked — {reason}")
            }
            ThirdPartyTimeCheck::NotRecorded => {
                "索引未说明第三方时间，未核对 / the index says nothing about third-party time: not checked".into()
            }
            ThirdPartyTimeCheck::Failed => "可信时间戳无效，见上列问题 / trusted timestamp invalid: see the problems above".into(),
        }
    }
}

fn problem(file: &str, kind: ProblemKind, zh: impl AsRef<str>, en: impl AsRef<str>) -> PacketProblem {
    PacketProblem { file: file.to_string(), kind, detail: format!("{} / {}", zh.as_ref(), en.as_ref()) }
}

/// Checks the packet's third-party time; problems are returned for the report.
pub(super) fn check_third_party_time(members: &BTreeMap<String, Member>) -> (ThirdPartyTimeCheck, Vec<PacketProblem>) {
    let mut problems = Vec::new();
    let Some(index_bytes) = members.get(INDEX).and_then(|m| m.content.as_deref().ok()) else {
        return (ThirdPartyTimeCheck::NotRecorded, problems);
    };
    // The index's own signature is judged by the index check; here only what it claims is read.
    let Some(index) = SignedIndex::parse(index_bytes).ok().and_then(|s| s.claims().ok()) else {
        return (ThirdPartyTimeCheck::NotRecorded, problems);
    };
    let token = members.get(TIMESTAMP_TOKEN);
    let tsa_url = match index.third_party_time {
        Some(ThirdPartyTime::Stamped { tsa_url }) => tsa_url,
        other => {
            if token.is_some() {
                problems.push(problem(
                    TIMESTAMP_TOKEN,
                    ProblemKind::Added,
                    "索引未写明有时间戳令牌（事后加入）",
                    "the index records no timestamp token (added after the packet was made)",
                ));
            }
            let check = match other {
                Some(ThirdPartyTime::NotConfigured) => ThirdPartyTimeCheck::NotConfigured,
                Some(ThirdPartyTime::Unavailable { reason, .. }) => ThirdPartyTimeCheck::Unavailable { reason },
                _ => ThirdPartyTimeCheck::NotRecorded,
            };
            return (check, problems);
        }
    };
    let Some(token) = token else {
        problems.push(problem(
            TIMESTAMP_TOKEN,
            ProblemKind::Missing,
            "索引写明已取得可信时间戳，但令牌不在包内",
            "the index says a trusted timestamp was obtained, but the token is not in the packet",
        ));
        return (ThirdPartyTimeCheck::Failed, problems);
    };
    let (Ok(token_bytes), Some(chain)) = (token.content.as_deref(), members.get(TSA_CHAIN).and_then(|m| m.content.as_deref().ok())) else {
        let (file, zh, en) = match token.content {
            Ok(_) => (TSA_CHAIN, "时间戳服务的证书链缺失或无法读取", "the TSA's certificate chain is missing or unreadable"),
            Err(_) => (TIMESTAMP_TOKEN, "时间戳令牌无法读取", "the timestamp token cannot be read"),
        };
        problems.push(problem(file, ProblemKind::TrustedTime, zh, en));
        return (ThirdPartyTimeCheck::Failed, problems);
    };
    let stamped = match verify_token(token_bytes, chain, &index_imprint(index_bytes)) {
        Ok(s) => s,
        Err(e) => {
            let (zh, en) = e.text();
            problems.push(problem(TIMESTAMP_TOKEN, ProblemKind::TrustedTime, zh, en));
            return (ThirdPartyTimeCheck::Failed, problems);
        }
    };

    let latest = stamped.gen_time_ms + stamped.accuracy_ms.unwrap_or(0) + SERVER_CLOCK_ALLOWANCE_MS;
    if index.created_at_ms > latest {
        problems.push(after_stamp(INDEX, "索引的制作时间", "the index's creation time", index.created_at_ms, stamped.gen_time_ms));
    }
    if index.created_at_ms < stamped.gen_time_ms - ASSEMBLY_ALLOWANCE_MS {
        problems.push(problem(
            INDEX,
            ProblemKind::AfterTrustedTime,
            format!("索引自称制作于 {}，比可信时间 {} 早得多（倒签）", show(index.created_at_ms), show(stamped.gen_time_ms)),
            format!(
                "the index claims it was made at {}, long before the trusted time {} (back-dated)",
                show(index.created_at_ms),
                show(stamped.gen_time_ms)
            ),
        ));
    }
    // Receipts that verify with the index's server key: a forged one is already a problem of its own.
    for (name, m) in members {
        let Some(PacketPath::Receipt { .. }) = layout::classify(name) else { continue };
        let Some(receipt) = m
            .content
            .as_deref()
            .ok()
            .and_then(|b| serde_json::from_slice::<SignedReceipt>(b).ok())
            .and_then(|s| s.open(&index.server_key).ok())
        else {
            continue;
        };
        if receipt.received_at_ms > latest {
            problems.push(after_stamp(name, "回执的接收时间", "the receipt's time", receipt.received_at_ms, stamped.gen_time_ms));
        }
    }
    let check = ThirdPartyTimeCheck::Stamped {
        tsa_url,
        gen_time_ms: stamped.gen_time_ms,
        accuracy_ms: stamped.accuracy_ms,
        tsa_subject: stamped.tsa_subject,
        root_subject: stamped.root_subject,
        root_fingerprint: stamped.root_fingerprint,
    };
    (check, problems)
}

fn show(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_else(|| ms.to_string())
}

fn after_stamp(file: &str, what_zh: &str, what_en: &str, at_ms: i64, gen_time_ms: i64) -> PacketProblem {
    problem(
        file,
        ProblemKind::AfterTrustedTime,
        format!("{what_zh} {} 晚于可信时间戳 {}：盖戳时它不可能已存在", show(at_ms), show(gen_time_ms)),
        format!(
            "{what_en} {} is after the trusted timestamp {}: it cannot have existed when the packet was stamped",
            show(at_ms),
            show(gen_time_ms)
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use ed25519_dalek::SigningKey;

    use super::*;
    use crate::packet::layout::{key_file_text, CHECKSUMS, SERVER_KEY};
    use crate::packet::{verify_packet_from, PacketHeader, PacketWriter, TimeStampAuthority};

    /// A TSA that answers with fixed bytes, or not at all.
    struct FakeTsa(Result<Vec<u8>, String>);

    impl TimeStampAuthority for FakeTsa {
        fn url(&self) -> &str {
            "http://tsa.invalid/"
        }
        fn chain_pem(&self) -> &[u8] {
            b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
        }
        fn ask(&self, _request: &[u8]) -> Result<Vec<u8>, String> {
            self.0.clone()
        }
    }

    fn packet(tsa: Option<&dyn TimeStampAuthority>) -> (Vec<u8>, crate::packet::PacketIndex) {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let mut w = PacketWriter::new(Cursor::new(Vec::new()));
        w.add_bytes(SERVER_KEY, key_file_text(&hex::encode(key.verifying_key().as_bytes())).as_bytes()).unwrap();
        let header = PacketHeader { order_number: "1".into(), community: "c".into(), created_at_ms: 1 };
        let (cursor, index) = w.finish_stamped(header, &key, tsa).unwrap();
        (cursor.into_inner(), index)
    }

    #[test]
    fn a_tsa_that_fails_never_blocks_the_packet_and_the_index_says_why() {
        for tsa in [FakeTsa(Err("down / down".into())), FakeTsa(Ok(b"not a reply".to_vec()))] {
            let (zip, index) = packet(Some(&tsa));
            let Some(ThirdPartyTime::Unavailable { tsa_url, reason }) = index.third_party_time else {
                panic!("{:?}", index.third_party_time)
            };
            assert_eq!(tsa_url, "http://tsa.invalid/");
            assert!(!reason.is_empty());
            let report = verify_packet_from(Cursor::new(zip)).unwrap();
            assert!(report.ok(), "{:?}", report.problems);
            assert!(matches!(report.third_party_time, ThirdPartyTimeCheck::Unavailable { .. }), "{:?}", report.third_party_time);
        }
    }

    #[test]
    fn without_a_tsa_the_packet_says_so_and_a_token_slipped_in_is_named() {
        let (zip, index) = packet(None);
        assert_eq!(index.third_party_time, Some(ThirdPartyTime::NotConfigured));
        let report = verify_packet_from(Cursor::new(zip.clone())).unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        assert_eq!(report.third_party_time, ThirdPartyTimeCheck::NotConfigured);

        // The same packet with a token added afterwards: the signed index never said there is one.
        let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            out.raw_copy_file(archive.by_index(i).unwrap()).unwrap();
        }
        out.start_file(TIMESTAMP_TOKEN, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(b"token").unwrap();
        let report = verify_packet_from(Cursor::new(out.finish().unwrap().into_inner())).unwrap();
        let kinds: Vec<_> = report.problems.iter().map(|p| (p.file.as_str(), p.kind)).collect();
        // SHA256SUMS, signed with the index, lists no token either.
        assert_eq!(kinds, vec![(CHECKSUMS, ProblemKind::BadChecksums), (TIMESTAMP_TOKEN, ProblemKind::Added)]);
    }
}
