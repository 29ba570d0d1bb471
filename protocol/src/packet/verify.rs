//! Offline verification of a dispute packet with nothing but the packet: the
//! index signature, every file against the index, each manifest against its
//! device key, each original against its manifest, each receipt against the
//! server key and its manifest, and each device's chain by the protocol's one
//! chain rule ([`ChainVerifier`], the same the phone and the server ask),
//! the third-party time (`timestamp_check`), and each anchored capture time
//! against the server's signed time statement it rests on (`time_statements`). It also holds the files for
//! checking by hand (`keys/server.pem`, `SHA256SUMS` and its signature) to
//! the key and index it checked, and, given the fingerprint the street office
//! publishes, names a packet signed by any other key. Every problem names the
//! file, so a reviewer can see exactly what was changed, removed or slipped
//! in. It reads from any seekable reader and does
//! no I/O of its own; the device side opens files (`siteproof_core::packet`).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};

use super::checksums::{checksums_text, verify_checksums};
use super::fingerprint::{key_fingerprint, KeyFingerprint};
use super::index::{IndexedFile, SignedIndex};
use super::layout::{self, PacketPath, CHECKSUMS, CHECKSUMS_SIGNATURE, INDEX, SERVER_KEY, SERVER_KEY_PEM, TIMESTAMP_TOKEN};
use super::members::{read_members, Member};
use super::server_pem::parse_server_key_pem;
use super::time_statements::{check_anchored_times, AnchoredTimeCheck};
use super::timestamp_check::{check_third_party_time, ThirdPartyTimeCheck};
use super::zip_layout::read_layout;
use crate::error::{Error, Result};
use crate::evidence::signing::{device_id_for_key, public_key_from_hex};
use crate::evidence::{ChainFinding, ChainFindingKind, ChainLink, ChainVerifier, Manifest, SignedManifest, SignedReceipt};

/// What kind of problem a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The index is missing or cannot be read.
    IndexInvalid,
    /// The index signature does not verify with the server key.
    IndexSignature,
    /// A file the index lists is not in the packet.
    Missing,
    /// A file's bytes differ from what the index lists (or the ZIP cannot read them).
    Altered,
    /// A file is in the packet but not in the index.
    Added,
    /// Several files in the ZIP share one name (tools would show different ones).
    Duplicate,
    /// A key file is malformed or does not belong to the id in its name.
    BadKey,
    /// A manifest is malformed or is not where its content says it belongs.
    BadManifest,
    /// A manifest's device signature does not verify.
    BadSignature,
    /// An original's bytes do not match the hash or size its manifest signed.
    MediaMismatch,
    /// A receipt is absent, malformed, wrongly signed, or for another manifest.
    BadReceipt,
    /// A manifest's prev hash does not match the entry before it.
    BrokenLink,
    /// Two different manifests of one device claim the same sequence number.
    Fork,
    /// Two neighbouring manifests are linked in swapped order.
    Reordered,
    /// `SHA256SUMS` is absent, differs from the index, or its signature does not verify with the server key.
    BadChecksums,
    /// The packet is signed by another key than the one the reader pinned.
    NotPinnedKey,
    /// The index says the packet was stamped by a TSA, but the token is missing or does not verify.
    TrustedTime,
    /// Something the server signed is dated after the TSA's time, or the index long before it.
    AfterTrustedTime,
    /// A server time statement (`time/`) is altered, unsigned, or signed by another key.
    BadTimeStatement,
    /// A manifest's anchored time cannot rest on the time statement it names.
    AnchoredTimeContradicted,
}

impl ProblemKind {
    /// zh-CN and English names of the kind.
    pub fn label(&self) -> (&'static str, &'static str) {
        match self {
            ProblemKind::IndexInvalid => ("索引无效", "index invalid"),
            ProblemKind::IndexSignature => ("索引签名无效", "index signature invalid"),
            ProblemKind::Missing => ("文件缺失", "file missing"),
            ProblemKind::Altered => ("文件被改动", "file altered"),
            ProblemKind::Added => ("多出的文件", "file added"),
            ProblemKind::Duplicate => ("重名文件", "duplicate file name"),
            ProblemKind::BadKey => ("公钥无效", "bad key"),
            ProblemKind::BadManifest => ("记录无效", "bad manifest"),
            ProblemKind::BadSignature => ("设备签名无效", "device signature invalid"),
            ProblemKind::MediaMismatch => ("原件与记录不符", "original does not match its manifest"),
            ProblemKind::BadReceipt => ("回执无效", "bad receipt"),
            ProblemKind::BrokenLink => ("链条断开", "chain link broken"),
            ProblemKind::Fork => ("同一位置有两条记录", "two entries at one chain position"),
            ProblemKind::Reordered => ("链接顺序颠倒", "entries linked in swapped order"),
            ProblemKind::BadChecksums => ("校验清单无效", "checksum list invalid"),
            ProblemKind::NotPinnedKey => ("不是指定服务器签发的", "not signed by the pinned server key"),
            ProblemKind::TrustedTime => ("可信时间戳无效", "trusted timestamp invalid"),
            ProblemKind::AfterTrustedTime => ("时间与可信时间戳矛盾", "time contradicts the trusted timestamp"),
            ProblemKind::BadTimeStatement => ("服务器时间声明无效", "server time statement invalid"),
            ProblemKind::AnchoredTimeContradicted => {
                ("锚定时间与服务器时间声明不符", "anchored time contradicts the server's time statement")
            }
        }
    }
}

/// One problem, tied to a file of the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketProblem {
    /// Path inside the packet.
    pub file: String,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What exactly is wrong, "zh-CN / English".
    pub detail: String,
}

impl std::fmt::Display for PacketProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (zh, en) = self.kind.label();
        write!(f, "{}: {zh} / {en}: {}", self.file, self.detail)
    }
}

/// Outcome of [`verify_packet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketReport {
    /// The order the index names (even when its signature fails, so people see what it claims).
    pub order_number: Option<String>,
    /// The community the index names.
    pub community: Option<String>,
    /// When the server made the packet, Unix ms.
    pub created_at_ms: Option<i64>,
    /// The server key in `keys/server.pub`, hex.
    pub server_key: Option<String>,
    /// Its fingerprint, to compare with the one the street office publishes.
    pub server_key_fingerprint: Option<String>,
    /// Files in the ZIP.
    pub files: u64,
    /// Manifests whose device signature verified.
    pub manifests_verified: u64,
    /// Originals whose bytes match their manifest.
    pub originals_verified: u64,
    /// Receipts whose server signature and manifest hash verified.
    pub receipts_verified: u64,
    /// Every problem found; empty means the packet verifies.
    pub problems: Vec<PacketProblem>,
    /// Every verdict of the chain rule, by device id. A packet holds one order's entries, so
    /// the numbers of a device's other entries are normally absent: a `missing` run is listed
    /// here for the reader but is not a problem; every other kind is also in `problems`.
    pub chain_findings: BTreeMap<String, Vec<ChainFinding>>,
    /// What the TSA's token shows, or why there is no third-party time (not a failure in itself).
    pub third_party_time: ThirdPartyTimeCheck,
    /// Each anchored capture time, checked against the server's time statement in the packet (or why it cannot be).
    #[serde(default)]
    pub anchored_times: Vec<AnchoredTimeCheck>,
}

impl PacketReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

struct Checker {
    problems: Vec<PacketProblem>,
}

impl Checker {
    fn add(&mut self, file: &str, kind: ProblemKind, zh: impl AsRef<str>, en: impl AsRef<str>) {
        self.problems.push(PacketProblem { file: file.to_string(), kind, detail: format!("{} / {}", zh.as_ref(), en.as_ref()) });
    }
}

fn short(h: &str) -> &str {
    crate::text::prefix(h, 12)
}

/// Verifies a packet read from any seekable source (the caller opens the file: this crate does no I/O of its own).
/// `Err` when the bytes cannot be read as a ZIP at all;
/// everything wrong inside a well-formed ZIP is a problem in the report. An archive whose local headers disagree
/// with its directory, that hides bytes outside the directory, or that would inflate beyond
/// the packet bounds is refused with [`Error::BadFormat`] before any entry is inflated.
pub fn verify_packet_from<R: Read + Seek>(mut reader: R) -> Result<PacketReport> {
    let entries = read_layout(&mut reader).map_err(|e| {
        let (zh, en) = e.text();
        Error::bad_format(format!("不是可接受的 ZIP 证据包：{zh}"), format!("not an acceptable ZIP packet: {en}"))
    })?;
    let members = read_members(&mut reader, &entries);
    let mut c = Checker { problems: Vec::new() };
    let mut seen = std::collections::HashSet::new();
    for e in entries.iter().filter(|e| !seen.insert(e.name.as_str())) {
        c.add(
            &e.name,
            ProblemKind::Duplicate,
            "ZIP 中有多个同名文件，不同工具可能显示不同内容",
            "several files in the ZIP have this name; tools may show different ones",
        );
    }
    let mut report = PacketReport {
        order_number: None,
        community: None,
        created_at_ms: None,
        server_key: None,
        server_key_fingerprint: None,
        files: members.len() as u64,
        manifests_verified: 0,
        originals_verified: 0,
        receipts_verified: 0,
        problems: Vec::new(),
        chain_findings: BTreeMap::new(),
        third_party_time: ThirdPartyTimeCheck::NotRecorded,
        anchored_times: Vec::new(),
    };

    // The server key and the index come first: everything else is judged against them.
    let server_key = match members.get(SERVER_KEY) {
        None => None,
        Some(m) => match m.content.as_deref().ok().map(layout::parse_key_file) {
            Some(Ok(k)) => Some(k),
            Some(Err(e)) => {
                c.add(SERVER_KEY, ProblemKind::BadKey, "服务器公钥文件无效", e.to_string());
                None
            }
            None => {
                c.add(SERVER_KEY, ProblemKind::BadKey, "服务器公钥文件无法读取", m.unreadable_reason());
                None
            }
        },
    };
    report.server_key_fingerprint = server_key.as_deref().and_then(|k| key_fingerprint(k).ok());
    report.server_key = server_key.clone();

    let listing = check_index(&members, server_key.as_deref(), &mut c, &mut report);
    if let Some(listing) = &listing {
        check_listing(&members, listing, &mut c);
    }
    check_server_pem(&members, listing.as_deref(), server_key.as_deref(), &mut c);
    check_checksums(&members, listing.as_deref(), server_key.as_deref(), &mut c);

    // Device keys, by the id their file name gives.
    let mut device_keys: HashMap<String, String> = HashMap::new();
    for (name, m) in &members {
        if let Some(PacketPath::DeviceKey { device_id }) = layout::classify(name) {
            let parsed =
                m.content.as_deref().map_err(|_| m.unreadable_reason()).and_then(|b| layout::parse_key_file(b).map_err(|e| e.to_string()));
            match parsed {
                Err(e) => c.add(name, ProblemKind::BadKey, "设备公钥文件无效", e),
                Ok(k) => match public_key_from_hex(&k).map(|vk| device_id_for_key(&vk)) {
                    Ok(id) if id == device_id => {
                        device_keys.insert(device_id, k);
                    }
                    _ => c.add(
                        name,
                        ProblemKind::BadKey,
                        "公钥与文件名中的设备号不符",
                        "the key does not belong to the device id in the file name",
                    ),
                },
            }
        }
    }

    let originals: HashMap<String, (&String, &Member)> = members
        .iter()
        .filter_map(|(name, m)| match layout::classify(name) {
            Some(PacketPath::Original { sha256 }) => Some((sha256, (name, m))),
            _ => None,
        })
        .collect();

    // Each device's manifests by the position their file name gives, fed to the chain rule in that
    // order (file names sort as text, so "-10" would come before "-2"): where two entries claim one
    // number, the one at the lower position holds it, as the lower row does on the device.
    let mut chains: BTreeMap<String, BTreeMap<(u64, String), ChainLink>> = BTreeMap::new();
    // Which file holds each manifest, to name the file a chain finding points at.
    let mut files_by_hash: HashMap<String, String> = HashMap::new();
    // Each anchored capture time, by the manifest that signed it, for the time statements' check.
    let mut anchored = Vec::new();
    for (name, m) in &members {
        let Some(PacketPath::Manifest { device_id, seq }) = layout::classify(name) else { continue };
        let Ok(bytes) = m.content.as_deref() else {
            c.add(name, ProblemKind::BadManifest, "记录无法读取", m.unreadable_reason());
            continue;
        };
        let signed: SignedManifest = match serde_json::from_slice(bytes) {
            Ok(s) => s,
            Err(e) => {
                c.add(name, ProblemKind::BadManifest, "不是签名记录", format!("not a signed manifest: {e}"));
                continue;
            }
        };
        let manifest = match device_keys.get(&device_id) {
            None => {
                c.add(
                    name,
                    ProblemKind::BadSignature,
                    format!("缺少设备公钥 {}", layout::device_key_path(&device_id)),
                    format!("no usable key file {}", layout::device_key_path(&device_id)),
                );
                None
            }
            Some(key) => match signed.open_from(key) {
                Ok(mf) => {
                    report.manifests_verified += 1;
                    Some(mf)
                }
                Err(e) => {
                    c.add(name, ProblemKind::BadSignature, "设备签名验证失败", e.to_string());
                    None
                }
            },
        };
        // An unverified manifest is still read for what it claims, so one forgery does not hide a missing original.
        let Some(manifest) = manifest.or_else(|| serde_json::from_str::<Manifest>(&signed.manifest).ok()) else {
            c.add(name, ProblemKind::BadManifest, "记录内容无法解析", "manifest text cannot be parsed");
            continue;
        };
        if manifest.device_id != device_id || manifest.seq != seq {
            c.add(
                name,
                ProblemKind::BadManifest,
                format!("内容属于设备 {} 第 {} 条", short(&manifest.device_id), manifest.seq),
                format!("content is entry {} of device {}", manifest.seq, short(&manifest.device_id)),
            );
        }
        let hash = signed.hash();
        if let Some(at) = &manifest.anchored {
            anchored.push((name.clone(), at.clone()));
        }
        if let Some(media) = &manifest.media {
            check_original(&originals, &media.sha256, media.bytes, &media.media_type, name, &mut c, &mut report);
        }
        check_receipt(&members, &device_id, seq, &hash, server_key.as_deref(), &mut c, &mut report);
        let link = ChainLink { seq: manifest.seq, item_id: manifest.item_id.clone(), hash: hash.clone(), prev: manifest.prev.clone() };
        files_by_hash.insert(hash, name.clone());
        chains.entry(manifest.device_id).or_default().insert((seq, name.clone()), link);
    }

    for (device_id, links) in chains {
        let mut chain = ChainVerifier::new();
        for link in links.values() {
            chain.push(link);
        }
        let findings = chain.finish();
        for f in &findings {
            let kind = match f.kind {
                ChainFindingKind::Missing => continue,
                ChainFindingKind::Fork => ProblemKind::Fork,
                ChainFindingKind::Reordered => ProblemKind::Reordered,
                ChainFindingKind::BrokenLink => ProblemKind::BrokenLink,
            };
            let file =
                f.hash.as_ref().and_then(|h| files_by_hash.get(h)).cloned().unwrap_or_else(|| layout::manifest_path(&device_id, f.seq));
            let (zh, en) = f.text();
            c.add(&file, kind, zh, en);
        }
        report.chain_findings.insert(device_id, findings);
    }

    let (third_party_time, time_problems) = check_third_party_time(&members);
    report.third_party_time = third_party_time;
    c.problems.extend(time_problems);
    let (anchored_times, statement_problems) = check_anchored_times(&members, anchored, server_key.as_deref());
    report.anchored_times = anchored_times;
    c.problems.extend(statement_problems);

    report.problems = c.problems;
    Ok(report)
}

fn check_index(
    members: &BTreeMap<String, Member>,
    server_key: Option<&str>,
    c: &mut Checker,
    report: &mut PacketReport,
) -> Option<Vec<IndexedFile>> {
    let Some(m) = members.get(INDEX) else {
        c.add(INDEX, ProblemKind::Missing, "缺少索引，无法核对文件清单", "the index is missing; the file list cannot be checked");
        return None;
    };
    let Ok(bytes) = m.content.as_deref() else {
        c.add(INDEX, ProblemKind::IndexInvalid, "索引无法读取", m.unreadable_reason());
        return None;
    };
    let signed = match SignedIndex::parse(bytes) {
        Ok(s) => s,
        Err(e) => {
            c.add(INDEX, ProblemKind::IndexInvalid, "索引格式无效", e.to_string());
            return None;
        }
    };
    let claimed = match signed.claims() {
        Ok(i) => i,
        Err(e) => {
            c.add(INDEX, ProblemKind::IndexInvalid, "索引内容无效", e.to_string());
            return None;
        }
    };
    match server_key {
        None => c.add(
            INDEX,
            ProblemKind::IndexSignature,
            "没有可用的服务器公钥，无法验证索引签名",
            "no usable keys/server.pub, so the index signature cannot be checked",
        ),
        Some(k) => {
            if let Err(e) = signed.open(k) {
                c.add(INDEX, ProblemKind::IndexSignature, "索引签名验证失败", e.to_string());
            }
        }
    }
    report.order_number = Some(claimed.order_number.clone());
    report.community = Some(claimed.community.clone());
    report.created_at_ms = Some(claimed.created_at_ms);
    Some(claimed.files)
}

fn check_listing(members: &BTreeMap<String, Member>, listing: &[IndexedFile], c: &mut Checker) {
    let mut listed = std::collections::HashSet::new();
    for f in listing {
        listed.insert(f.name.as_str());
        match members.get(&f.name) {
            None => c.add(&f.name, ProblemKind::Missing, "索引列出的文件不在包内", "listed in the index but not in the packet"),
            Some(m) => {
                if let Some(e) = &m.read_error {
                    c.add(&f.name, ProblemKind::Altered, format!("文件无法完整读出：{e}"), format!("cannot be read back intact: {e}"));
                } else if m.sha256 != f.sha256 || m.bytes != f.bytes {
                    // Full hashes: a prefix could read the same on both sides.
                    c.add(
                        &f.name,
                        ProblemKind::Altered,
                        format!("SHA-256 为 {}（{} 字节），索引记录为 {}（{} 字节）", m.sha256, m.bytes, f.sha256, f.bytes),
                        format!("SHA-256 is {} ({} bytes); the index lists {} ({} bytes)", m.sha256, m.bytes, f.sha256, f.bytes),
                    );
                }
            }
        }
    }
    let outside = |n: &str| layout::classify(n).is_some_and(|p| layout::outside_index(&p));
    for name in members.keys().filter(|n| !outside(n) && !listed.contains(n.as_str())) {
        c.add(name, ProblemKind::Added, "索引中没有这个文件（事后加入）", "not in the index (added after the packet was made)");
    }
}

fn check_original(
    originals: &HashMap<String, (&String, &Member)>,
    sha256: &str,
    bytes: u64,
    media_type: &str,
    manifest_name: &str,
    c: &mut Checker,
    report: &mut PacketReport,
) {
    let Some((name, m)) = originals.get(sha256) else {
        let expected = layout::original_path(sha256, media_type);
        c.add(
            &expected,
            ProblemKind::Missing,
            format!("{manifest_name} 所记录的原件不在包内"),
            format!("the original {manifest_name} signed is not in the packet"),
        );
        return;
    };
    if m.read_error.is_some() || m.sha256 != sha256 || m.bytes != bytes {
        c.add(
            name,
            ProblemKind::MediaMismatch,
            format!("内容哈希 {} 与 {manifest_name} 签名的 {} 不符", short(&m.sha256), short(sha256)),
            format!("content hashes to {}, {manifest_name} signed {}", short(&m.sha256), short(sha256)),
        );
    } else {
        report.originals_verified += 1;
    }
}

fn check_receipt(
    members: &BTreeMap<String, Member>,
    device_id: &str,
    seq: u64,
    manifest_hash: &str,
    server_key: Option<&str>,
    c: &mut Checker,
    report: &mut PacketReport,
) {
    let name = layout::receipt_path(device_id, seq);
    let Some(m) = members.get(&name) else {
        c.add(&name, ProblemKind::Missing, "缺少该记录的服务器回执", "the server's receipt for this manifest is missing");
        return;
    };
    let Some(signed) = m.content.as_deref().ok().and_then(|b| serde_json::from_slice::<SignedReceipt>(b).ok()) else {
        c.add(&name, ProblemKind::BadReceipt, "不是签名回执", "not a signed receipt");
        return;
    };
    let Some(key) = server_key else {
        c.add(&name, ProblemKind::BadReceipt, "没有可用的服务器公钥，无法验证回执", "no usable server key to check the receipt");
        return;
    };
    match signed.open(key) {
        Err(e) => c.add(&name, ProblemKind::BadReceipt, "服务器签名验证失败", e.to_string()),
        Ok(r) if r.manifest_hash != manifest_hash || r.device_id != device_id || r.seq != seq => c.add(
            &name,
            ProblemKind::BadReceipt,
            format!("回执针对的记录哈希为 {}，与记录 {} 不符", short(&r.manifest_hash), short(manifest_hash)),
            format!("receipt is for manifest {}, not {}", short(&r.manifest_hash), short(manifest_hash)),
        ),
        Ok(_) => report.receipts_verified += 1,
    }
}

/// `keys/server.pem` must be there and name the key of `keys/server.pub`: a reader checking by hand uses the PEM.
fn check_server_pem(members: &BTreeMap<String, Member>, listing: Option<&[IndexedFile]>, server_key: Option<&str>, c: &mut Checker) {
    let Some(m) = members.get(SERVER_KEY_PEM) else {
        // A listed file that is absent is already named by the listing check.
        if listing.is_some_and(|l| l.iter().any(|f| f.name == SERVER_KEY_PEM)) {
            return;
        }
        c.add(
            SERVER_KEY_PEM,
            ProblemKind::Missing,
            "缺少 PEM 格式的服务器公钥，无法手工核验",
            "the PEM server key for checking by hand is missing",
        );
        return;
    };
    match m.content.as_deref().map_err(|_| m.unreadable_reason()).and_then(|b| parse_server_key_pem(b).map_err(|e| e.to_string())) {
        Err(e) => c.add(SERVER_KEY_PEM, ProblemKind::BadKey, "PEM 服务器公钥无效", e),
        Ok(pem_key) if server_key.is_some_and(|k| k != pem_key) => c.add(
            SERVER_KEY_PEM,
            ProblemKind::BadKey,
            format!("PEM 中的公钥与 {SERVER_KEY} 不同"),
            format!("the PEM holds another key than {SERVER_KEY}"),
        ),
        Ok(_) => {}
    }
}

/// `SHA256SUMS` must be exactly the list the index and `packet.json` make, and `SHA256SUMS.sig` the server's signature over it.
fn check_checksums(members: &BTreeMap<String, Member>, listing: Option<&[IndexedFile]>, server_key: Option<&str>, c: &mut Checker) {
    let (Some(list), Some(sig)) = (members.get(CHECKSUMS), members.get(CHECKSUMS_SIGNATURE)) else {
        for name in [CHECKSUMS, CHECKSUMS_SIGNATURE].into_iter().filter(|n| !members.contains_key(*n)) {
            c.add(
                name,
                ProblemKind::Missing,
                "缺少手工核验用的校验清单或其签名",
                "the checksum list for checking by hand, or its signature, is missing",
            );
        }
        return;
    };
    let (Ok(text), Ok(signature)) = (list.content.as_deref(), sig.content.as_deref()) else {
        c.add(CHECKSUMS, ProblemKind::BadChecksums, "校验清单或其签名无法读取", "the checksum list or its signature cannot be read");
        return;
    };
    if let (Some(listing), Some(index)) = (listing, members.get(INDEX)) {
        let token_sha = members.get(TIMESTAMP_TOKEN).map(|t| t.sha256.clone());
        let after: Vec<(&str, &str)> = token_sha.iter().map(|sha| (TIMESTAMP_TOKEN, sha.as_str())).collect();
        if text != checksums_text(listing, &index.sha256, &after).as_bytes() {
            c.add(CHECKSUMS, ProblemKind::BadChecksums, "与签名索引列出的文件不一致", "differs from the files the signed index lists");
        }
    }
    match server_key.map(|k| verify_checksums(text, signature, k)) {
        Some(Ok(())) => {}
        Some(Err(e)) => c.add(CHECKSUMS_SIGNATURE, ProblemKind::BadChecksums, "校验清单的服务器签名验证失败", e.to_string()),
        None => c.add(
            CHECKSUMS_SIGNATURE,
            ProblemKind::BadChecksums,
            "没有可用的服务器公钥，无法验证校验清单",
            "no usable server key to check the checksum list",
        ),
    }
}

/// Names a packet whose server key is not the one the reader pinned (the fingerprint the street office publishes).
/// A packet re-signed by anyone else verifies against its own key; only this comparison tells them apart.
pub fn check_pinned_key(report: &mut PacketReport, pinned: &KeyFingerprint) {
    let actual = report.server_key.as_deref().and_then(|k| KeyFingerprint::of_key(k).ok());
    if actual.as_ref() == Some(pinned) {
        return;
    }
    let shown = actual.map(|f| f.to_string()).unwrap_or_else(|| "?".into());
    let (zh, en) = ProblemKind::NotPinnedKey.label();
    report.problems.push(PacketProblem {
        file: SERVER_KEY.to_string(),
        kind: ProblemKind::NotPinnedKey,
        detail: format!(
            "服务器公钥指纹为 {shown}，不是指定的 {pinned}：{zh} / the server key fingerprint is {shown}, not the pinned {pinned}: {en}"
        ),
    });
}
