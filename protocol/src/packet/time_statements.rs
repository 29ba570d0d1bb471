//! The server's signed time statements inside a packet, so an anchored
//! capture time can be checked offline instead of taken on the server's word.
//! A manifest's `anchored.anchor_hash` names the statement its time rests on;
//! the packet carries that statement as `time/<hash>.json` (its exact signed
//! text, so `sha256sum` of the file is its name) and `time/<hash>.sig` (the
//! raw Ed25519 signature, as `openssl pkeyutl -sigfile` reads it). The
//! verifier holds each statement to its name and to the packet's server key,
//! and each anchored time to its statement by the protocol's one rule
//! ([`TimeStatement::admits`]). An anchored time whose statement is not in
//! the packet (a phone that synced before statements were kept) cannot be
//! checked: it is listed as such, never as proven and never as a failure.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::layout::{self, PacketPath};
use super::members::Member;
use super::verify::{PacketProblem, ProblemKind};
use crate::error::{Error, Result};
use crate::evidence::{sha256_hex, AnchoredTime, SignedTime, TimeStatement};

/// The two files that carry one statement: `(path, bytes)` of the statement text, then of its raw signature.
pub fn statement_files(signed: &SignedTime) -> Result<[(String, Vec<u8>); 2]> {
    let hash = signed.hash();
    let signature = hex::decode(&signed.signature)
        .ok()
        .filter(|b| b.len() == 64)
        .ok_or_else(|| Error::bad_format("时间声明的签名不是 64 字节", "the time statement's signature is not 64 bytes"))?;
    Ok([(layout::time_statement_path(&hash), signed.statement.as_bytes().to_vec()), (layout::time_signature_path(&hash), signature)])
}

/// What the verifier concluded about one anchored capture time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AnchoredTimeOutcome {
    /// The statement is in the packet, signed by the packet's server key, and admits the anchored time.
    Verified {
        /// The server's time in the statement, Unix milliseconds.
        server_time_ms: i64,
    },
    /// The statement is not in the packet: the anchored time is the device's claim only.
    CannotBeChecked,
    /// The statement is invalid or contradicts the anchored time; the problems say why.
    Failed,
}

/// One manifest's anchored time and what became of checking it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchoredTimeCheck {
    /// The manifest's path in the packet.
    pub manifest: String,
    /// The anchored time the device signed.
    pub anchored: AnchoredTime,
    /// The verdict.
    pub outcome: AnchoredTimeOutcome,
}

impl AnchoredTimeCheck {
    /// One line for people about this anchored time, zh-CN then English.
    pub fn describe(&self) -> String {
        let at = chrono::DateTime::from_timestamp_millis(self.anchored.utc_ms).map(|t| t.to_rfc3339()).unwrap_or_default();
        let bound = self.anchored.bound_ms;
        match &self.outcome {
            AnchoredTimeOutcome::Verified { .. } => format!(
                "{}: 锚定时间 {at} ±{bound} 毫秒，已凭服务器签名的时间声明核对 / anchored time {at} ±{bound} ms, checked against the server's signed time statement",
                self.manifest
            ),
            AnchoredTimeOutcome::CannotBeChecked => format!(
                "{}: 锚定时间 {at} ±{bound} 毫秒无法核对：包内没有其服务器时间声明 / anchored time {at} ±{bound} ms cannot be checked: its server time statement is not in the packet",
                self.manifest
            ),
            AnchoredTimeOutcome::Failed => format!(
                "{}: 锚定时间 {at} ±{bound} 毫秒未通过核对，见上列问题 / anchored time {at} ±{bound} ms failed its check: see the problems above",
                self.manifest
            ),
        }
    }
}

/// The count line for a report: how many anchored times were checked, could not be, or failed.
pub fn anchored_times_summary(checks: &[AnchoredTimeCheck]) -> String {
    let count = |f: fn(&AnchoredTimeOutcome) -> bool| checks.iter().filter(|c| f(&c.outcome)).count();
    let verified = count(|o| matches!(o, AnchoredTimeOutcome::Verified { .. }));
    let unchecked = count(|o| matches!(o, AnchoredTimeOutcome::CannotBeChecked));
    let failed = count(|o| matches!(o, AnchoredTimeOutcome::Failed));
    format!(
        "已核对 {verified}，无法核对 {unchecked}，未通过 {failed} / {verified} checked against the server's time statements, \
         {unchecked} cannot be checked, {failed} failed"
    )
}

fn problem(file: &str, kind: ProblemKind, zh: impl AsRef<str>, en: impl AsRef<str>) -> PacketProblem {
    PacketProblem { file: file.to_string(), kind, detail: format!("{} / {}", zh.as_ref(), en.as_ref()) }
}

/// Each statement in the packet, by the hash its name claims: its content when it holds, `None` when a problem was named.
fn read_statements(
    members: &BTreeMap<String, Member>,
    server_key: Option<&str>,
    problems: &mut Vec<PacketProblem>,
) -> HashMap<String, Option<TimeStatement>> {
    let mut statements = HashMap::new();
    for (name, m) in members {
        let Some(PacketPath::TimeStatement { statement_hash }) = layout::classify(name) else { continue };
        let opened = open_statement(members, m, &statement_hash, server_key);
        let statement = opened.map_err(|(zh, en)| problems.push(problem(name, ProblemKind::BadTimeStatement, zh, en))).ok();
        statements.insert(statement_hash, statement);
    }
    statements
}

fn open_statement(
    members: &BTreeMap<String, Member>,
    m: &Member,
    statement_hash: &str,
    server_key: Option<&str>,
) -> std::result::Result<TimeStatement, (String, String)> {
    let text = m.content.as_deref().map_err(|_| ("时间声明无法读取".to_string(), m.unreadable_reason()))?;
    let actual = sha256_hex(text);
    if actual != statement_hash {
        return Err((
            format!("内容的 SHA-256 为 {actual}，与文件名不符（声明被改动）"),
            format!("the content hashes to {actual}, not the hash its name gives (the statement was altered)"),
        ));
    }
    let sig_name = layout::time_signature_path(statement_hash);
    let signature = members
        .get(&sig_name)
        .and_then(|s| s.content.as_deref().ok())
        .ok_or_else(|| (format!("缺少签名文件 {sig_name}"), format!("its signature {sig_name} is missing or unreadable")))?;
    let statement = String::from_utf8(text.to_vec()).map_err(|_| ("时间声明不是 UTF-8 文本".to_string(), "not UTF-8 text".to_string()))?;
    let key = server_key.ok_or_else(|| {
        ("没有可用的服务器公钥，无法验证时间声明".to_string(), "no usable server key to check the time statement".to_string())
    })?;
    let signed = SignedTime { statement, signature: hex::encode(signature) };
    signed.open_from(key).map_err(|e| ("时间声明未通过服务器签名验证".to_string(), format!("does not verify with the server key: {e}")))
}

/// Checks every time statement in the packet, and each anchored time (manifest path, time) against its statement.
pub(super) fn check_anchored_times(
    members: &BTreeMap<String, Member>,
    anchored: Vec<(String, AnchoredTime)>,
    server_key: Option<&str>,
) -> (Vec<AnchoredTimeCheck>, Vec<PacketProblem>) {
    let mut problems = Vec::new();
    let statements = read_statements(members, server_key, &mut problems);
    let checks = anchored
        .into_iter()
        .map(|(manifest, at)| {
            let outcome = match statements.get(&at.anchor_hash) {
                None => AnchoredTimeOutcome::CannotBeChecked,
                Some(None) => AnchoredTimeOutcome::Failed,
                Some(Some(statement)) => match statement.admits(&at) {
                    Ok(()) => AnchoredTimeOutcome::Verified { server_time_ms: statement.server_time_ms },
                    Err(e) => {
                        // The protocol's error already reads "zh-CN / English".
                        problems.push(PacketProblem {
                            file: manifest.clone(),
                            kind: ProblemKind::AnchoredTimeContradicted,
                            detail: e.to_string(),
                        });
                        AnchoredTimeOutcome::Failed
                    }
                },
            };
            AnchoredTimeCheck { manifest, anchored: at, outcome }
        })
        .collect();
    (checks, problems)
}
