//! One place decides what an evidence item's checks prove, what is in doubt
//! and what cannot be checked at all, so the console badge, the export
//! confirmation and the packet's PDF say the same thing in the same words.
//!
//! A valid signature proves who recorded what, that it is unaltered since,
//! and when the server saw it; it never proves that the scene is authentic.
//! So an item with any flag (or an unclosed chain gap) is 存疑 (doubtful),
//! never "verified", and the words 真实有效 and 通过 are not used for items
//! at all. Flags are worded from `siteproof_protocol::flags`, the glossary.

use chrono::{FixedOffset, TimeZone};
use siteproof_protocol::evidence::{EntryKind, Manifest};
use siteproof_protocol::flags;

/// Who holds the key an item was signed with, as far as this server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    /// A device enrolled here: its name and its worker's account.
    Enrolled { device_id: String, device_name: String, worker: String },
    /// A device id this server has no enrollment for.
    Unenrolled { device_id: String },
}

impl Signer {
    /// The signer of `device_id` as this server enrolled it, its worker named as documents name people.
    pub fn from_enrollment(device_id: &str, holder: Option<&crate::repo::devices::Holder>) -> Signer {
        match holder {
            Some(h) => Signer::Enrolled {
                device_id: device_id.to_string(),
                device_name: h.device_name.clone(),
                worker: crate::domain::accounts::person_label(&h.username, &h.real_name),
            },
            None => Signer::Unenrolled { device_id: device_id.to_string() },
        }
    }

    /// The device id.
    pub fn device_id(&self) -> &str {
        match self {
            Signer::Enrolled { device_id, .. } | Signer::Unenrolled { device_id } => device_id,
        }
    }

    /// A short label: "worker · device name", or the start of the device id.
    pub fn label(&self) -> String {
        match self {
            Signer::Enrolled { device_name, worker, .. } => format!("{worker} · {device_name}"),
            Signer::Unenrolled { device_id } => siteproof_protocol::text::prefix(device_id, 12).to_string(),
        }
    }
}

/// The device signature over the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Checks against the signer's key.
    Valid,
    /// Does not check; why.
    Invalid(String),
    /// No key to check it with.
    NoKey,
}

/// The original media file against the signed hash and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginalCheck {
    /// The entry has no media (a note, a filing entry).
    NoMedia,
    /// Re-hashed now: same hash and size as signed.
    Matches,
    /// Held under the signed hash (checked when it arrived) with the signed size; not re-hashed now.
    Stored,
    /// Present, but another hash or size.
    Differs,
    /// Not held, so it cannot be compared.
    Missing,
}

/// The server's receipt for the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptCheck {
    /// Signed by this server's key, for this manifest.
    Valid { received_at_ms: i64, log_index: Option<i64> },
    /// Valid, but it names another manifest.
    ForAnotherManifest,
    /// Does not check; why.
    Invalid(String),
}

/// The device chain around the item, where the caller judged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Judged elsewhere (the packet's offline verifier judges every chain).
    NotJudged,
    /// Judged: anomalies (kind code, detail) on this entry, and earlier entries not received (from, to).
    Judged { seq: i64, anomalies: Vec<(String, String)>, missing_before: Vec<(i64, i64)> },
}

/// What the caller found by checking one item.
#[derive(Debug, Clone)]
pub struct Checks<'a> {
    /// The entry kind when the manifest cannot be read.
    pub kind: EntryKind,
    /// The manifest as signed (parsed even when the signature fails).
    pub manifest: Option<&'a Manifest>,
    /// Who signed it.
    pub signer: &'a Signer,
    /// The signature.
    pub signature: SignatureCheck,
    /// The stored manifest text still has the hash recorded at ingest.
    pub stored_text_matches: bool,
    /// The original file.
    pub original: OriginalCheck,
    /// The server receipt.
    pub receipt: ReceiptCheck,
    /// The chain.
    pub chain: ChainCheck,
}

/// How an item stands overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Every check holds and nothing is in doubt.
    Proven,
    /// The checks hold, but flags or chain gaps cast doubt (存疑).
    Doubtful,
    /// A check fails, or an essential one could not be made.
    Failed,
}

impl Standing {
    /// A stable code for markup and tests.
    pub fn code(self) -> &'static str {
        match self {
            Standing::Proven => "ok",
            Standing::Doubtful => "warn",
            Standing::Failed => "bad",
        }
    }

    /// The short word (zh, en).
    pub fn word(self) -> (&'static str, &'static str) {
        match self {
            Standing::Proven => ("已证实", "proven"),
            Standing::Doubtful => ("存疑", "doubtful"),
            Standing::Failed => ("核验失败", "check failed"),
        }
    }

    /// The headline of a badge (zh, en).
    pub fn headline(self) -> (&'static str, &'static str) {
        match self {
            Standing::Proven => ("✔ 已证实：签名与回执有效，无存疑之处", "✔ Proven: signature and receipt hold, nothing in doubt"),
            Standing::Doubtful => {
                ("⚠ 存疑：签名有效，但以下情况使内容存疑", "⚠ Doubtful: the signature holds, but the points below cast doubt")
            }
            Standing::Failed => ("✘ 核验失败：有核验不成立或无法核验的项目", "✘ Check failed: a check does not hold or could not be made"),
        }
    }

    /// Exporting an item that is not proven needs the coordinator's explicit confirmation.
    pub fn needs_confirmation(self) -> bool {
        self != Standing::Proven
    }
}

/// One sentence of a statement, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// A stable code (a flag code, "gap", a check name) for markup and tests.
    pub code: String,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

fn line(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Line {
    Line { code: code.to_string(), zh: zh.into(), en: en.into() }
}

/// What an item's checks prove, what is doubtful, what cannot be checked and what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Overall standing.
    pub standing: Standing,
    /// What the checks prove.
    pub proven: Vec<Line>,
    /// What casts doubt (each flag, chain gaps).
    pub doubtful: Vec<Line>,
    /// What no check here can settle.
    pub cannot_check: Vec<Line>,
    /// Checks that do not hold.
    pub failed: Vec<Line>,
}

impl Statement {
    /// Why the item is not proven: what failed, what is doubtful, and the essential checks that could not be made.
    fn reasons(&self) -> impl Iterator<Item = &Line> {
        let unchecked = self.cannot_check.iter().filter(|l| ESSENTIAL.contains(&l.code.as_str()));
        self.failed.iter().chain(&self.doubtful).chain(unchecked)
    }

    /// [`Statement::reasons`] in Chinese, joined.
    pub fn reasons_zh(&self) -> String {
        self.reasons().map(|l| l.zh.as_str()).collect::<Vec<_>>().join("；")
    }

    /// [`Statement::reasons`] in English, joined.
    pub fn reasons_en(&self) -> String {
        self.reasons().map(|l| l.en.as_str()).collect::<Vec<_>>().join("; ")
    }
}

/// Checks without which nothing about an item is proven: a cannot-check line with one of these codes fails the item.
const ESSENTIAL: [&str; 2] = ["signature", "original"];

/// Beijing time (UTC+8), seconds precision: the time every 12345 party reads.
fn beijing(ms: i64) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    match tz.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => format!("{ms} ms"),
    }
}

/// An anchored time's error bound in words, (zh-CN, English): milliseconds under a second, else seconds.
pub fn bound(ms: u64) -> (String, String) {
    if ms < 1000 {
        (format!("±{ms} 毫秒"), format!("±{ms} ms"))
    } else {
        (format!("±{:.1} 秒", ms as f64 / 1000.0), format!("±{:.1} s", ms as f64 / 1000.0))
    }
}

/// What the flag's evidence says beyond its name, when the manifest carries it (how far, which time).
fn flag_detail(flag: &str, m: &Manifest) -> Option<(String, String)> {
    let exif = m.exif.as_ref()?;
    match flag {
        flags::EXIF_GPS_MISMATCH => {
            let (gps, fix) = (exif.gps.as_ref()?, m.capture.fix.as_ref()?);
            let km = flags::distance_m(gps.lat, gps.lon, fix.lat, fix.lon) / 1000.0;
            let place = format!("{:.4}, {:.4}", gps.lat, gps.lon);
            Some((format!("照片内位置 {place}，与定位相距约 {km:.0} 公里"), format!("EXIF place {place}, about {km:.0} km from the fix")))
        }
        flags::EXIF_TIME_MISMATCH => {
            let taken = exif.taken_at.as_deref()?;
            Some((format!("照片内时间 {taken}"), format!("EXIF time {taken}")))
        }
        _ => None,
    }
}

/// Decides the statement for one item from what its checks found.
pub fn statement(c: &Checks) -> Statement {
    let mut proven = Vec::new();
    let mut doubtful = Vec::new();
    let mut cannot_check = Vec::new();
    let mut failed = Vec::new();
    let kind = c.manifest.map(|m| m.kind).unwrap_or(c.kind);

    match (&c.signature, c.signer) {
        (SignatureCheck::Valid, Signer::Enrolled { device_name, worker, .. }) => proven.push(line(
            "signature",
            format!("签名：由社工 {worker} 的登记设备「{device_name}」签名，签名后内容未被改动"),
            format!("Signature: signed by the enrolled device “{device_name}” of worker {worker}; unaltered since"),
        )),
        (SignatureCheck::Valid, Signer::Unenrolled { device_id }) => {
            proven.push(line(
                "signature",
                format!("签名：由设备 {device_id} 的密钥签名，签名后内容未被改动"),
                format!("Signature: signed by the key of device {device_id}; unaltered since"),
            ));
            cannot_check.push(line(
                "unenrolled",
                "该设备未在本服务器登记，无法确认是哪位社工的手机",
                "the device is not enrolled on this server, so whose phone it is cannot be confirmed",
            ));
        }
        (SignatureCheck::Invalid(why), _) => {
            failed.push(line("signature", format!("签名：无效（{why}）"), format!("Signature: invalid ({why})")))
        }
        (SignatureCheck::NoKey, _) => {
            cannot_check.push(line(
                "signature",
                "签名：没有该设备的公钥，无法核验",
                "Signature: there is no key for this device, so it cannot be checked",
            ));
        }
    }
    if !c.stored_text_matches {
        failed.push(line("stored_text", "记录文本与入库时的哈希不符", "the manifest text differs from the hash recorded when it arrived"));
    }
    match c.original {
        OriginalCheck::NoMedia => {}
        OriginalCheck::Matches => {
            proven.push(line("original", "原始文件：与签名记录的哈希和大小一致", "Original: same hash and size as signed"))
        }
        OriginalCheck::Stored => proven.push(line(
            "original",
            "原始文件：按签名的哈希保存（上传时已核对），大小一致",
            "Original: held under the signed hash (checked on upload), same size",
        )),
        OriginalCheck::Differs => {
            failed.push(line("original", "原始文件：哈希或大小与签名不符", "Original: hash or size differs from the signed one"))
        }
        OriginalCheck::Missing => {
            cannot_check.push(line(
                "original",
                "原始文件：不在服务器上，无法核对",
                "Original: not held by the server, so it cannot be compared",
            ));
        }
    }
    match &c.receipt {
        ReceiptCheck::Valid { received_at_ms, log_index } => {
            let n = log_index.map(|i| format!(" #{i}")).unwrap_or_default();
            proven.push(line(
                "receipt",
                format!("服务器收到时间：{}（服务器回执{n}）", beijing(*received_at_ms)),
                format!("Received by server: {} (server receipt{n})", beijing(*received_at_ms)),
            ));
        }
        ReceiptCheck::ForAnotherManifest => {
            failed.push(line("receipt", "服务器回执对应的不是这条记录", "the server receipt is for another manifest"))
        }
        ReceiptCheck::Invalid(why) => {
            failed.push(line("receipt", format!("服务器回执：无法核验（{why}）"), format!("Server receipt: does not verify ({why})")))
        }
    }
    if let ChainCheck::Judged { seq, anomalies, missing_before } = &c.chain {
        if anomalies.is_empty() && missing_before.is_empty() {
            proven.push(line("chain", format!("记录链：完整（第 {seq} 条）"), format!("Chain: intact (entry #{seq})")));
        }
        for (kind, detail) in anomalies {
            let (zh, en) = match kind.as_str() {
                "fork" => ("同一序号出现两条不同记录（记录链分叉）", "two different entries at one position (chain fork)"),
                "broken_link" => ("记录链断开：前后记录对不上", "chain broken: entries do not link up"),
                _ => ("记录链异常", "chain anomaly"),
            };
            failed.push(line(kind, format!("{zh}：{detail}"), format!("{en}: {detail}")));
        }
        for (from, to) in missing_before {
            doubtful.push(line(
                "gap",
                format!("记录链：此前有记录尚未收到 (#{from}–{to})，无法排除被删去的记录"),
                format!("Chain: earlier entries not yet received (#{from}–{to}); removed entries cannot be ruled out"),
            ));
        }
    }

    if let Some(m) = c.manifest {
        match &m.anchored {
            Some(a) => {
                let (bz, be) = bound(a.bound_ms);
                proven.push(line(
                    "anchored",
                    format!("拍摄时间（经服务器校准）：{} {bz}", beijing(a.utc_ms)),
                    format!("Capture time (anchored to server): {} {be}", beijing(a.utc_ms)),
                ));
            }
            None => cannot_check.push(line(
                "capture_time",
                format!("拍摄时间：只有手机时钟 {}，无法核实；可以确定的是不晚于服务器收到时间", beijing(m.capture.device_time_ms)),
                format!(
                    "Capture time: phone clock only ({}), which cannot be checked; it was no later than the server received it",
                    beijing(m.capture.device_time_ms)
                ),
            )),
        }
        for f in &m.flags {
            let (name_zh, name_en) = flags::describe(f);
            let (doubt_zh, doubt_en) = flags::doubt(f);
            let (mut zh, mut en) = (format!("{name_zh}，{doubt_zh}"), format!("{name_en}, so {doubt_en}"));
            if let Some((dz, de)) = flag_detail(f, m) {
                zh.push_str(&format!("（{dz}）"));
                en.push_str(&format!(" ({de})"));
            }
            doubtful.push(line(f, zh, en));
        }
        if let Some((zh, en)) = super::file_claims::received(m) {
            doubtful.push(line(
                "received",
                format!("{zh}，不能证明社工到过现场"),
                format!("{en}; it does not show that a worker was on site"),
            ));
        }
        if matches!(m.kind, EntryKind::Video | EntryKind::Received) {
            if let Some((zh, en)) = super::file_claims::describe(m) {
                cannot_check.push(line("file_claims", zh, en));
            }
        }
        if m.capture.fix.is_some() {
            cannot_check.push(line(
                "place",
                "拍摄地点来自手机自己的定位，服务器无法独立核实",
                "the place comes from the phone's own location fix; the server cannot check it independently",
            ));
        }
    }
    let (scene_zh, scene_en) = match kind {
        EntryKind::Photo => ("画面", "the scene shown"),
        EntryKind::Voice => ("录音内容", "what the recording holds"),
        EntryKind::Video => ("视频画面", "what the clip shows"),
        EntryKind::Received => ("收到的材料内容", "what the received file shows"),
        EntryKind::Note | EntryKind::Attach => ("文字内容", "what the text says"),
        EntryKind::Share => ("分享副本所示内容", "what the share copy shows"),
    };
    cannot_check.push(line(
        "scene",
        format!("签名只证明谁记录了什么、服务器何时收到，不能证明{scene_zh}属实"),
        format!("a signature proves who recorded what and when the server saw it, not that {scene_en} is true"),
    ));

    let essential_unchecked = cannot_check.iter().any(|l| ESSENTIAL.contains(&l.code.as_str()));
    let standing = if !failed.is_empty() || essential_unchecked {
        Standing::Failed
    } else if !doubtful.is_empty() {
        Standing::Doubtful
    } else {
        Standing::Proven
    };
    Statement { standing, proven, doubtful, cannot_check, failed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use siteproof_protocol::evidence::exif::{ExifSummary, GpsPoint};
    use siteproof_protocol::evidence::{AnchoredTime, CaptureRecord, LocationFix, MediaRef};

    fn enrolled() -> Signer {
        Signer::Enrolled { device_id: "dev-1".into(), device_name: "王的手机".into(), worker: "wang".into() }
    }

    fn manifest(flags: Vec<&str>) -> Manifest {
        Manifest {
            format: siteproof_protocol::evidence::MANIFEST_FORMAT.into(),
            device_id: "dev-1".into(),
            device_key: "00".repeat(32),
            seq: 3,
            prev: None,
            item_id: "item".into(),
            kind: EntryKind::Photo,
            media: Some(MediaRef {
                sha256: "ab".repeat(32),
                bytes: 10,
                media_type: "image/jpeg".into(),
                width: None,
                height: None,
                trailer: None,
            }),
            capture: CaptureRecord {
                device_time_ms: 1_790_000_000_000,
                utc_offset_min: 480,
                monotonic_ms: 1,
                boot_id: "b".into(),
                fix: Some(LocationFix {
                    lat: 39.9087,
                    lon: 116.3975,
                    accuracy_m: 8.0,
                    altitude_m: None,
                    provider: "gps".into(),
                    is_mock: flags.contains(&flags::MOCK_LOCATION),
                    fix_time_ms: 1_790_000_000_000,
                }),
            },
            anchored: Some(AnchoredTime { utc_ms: 1_790_000_000_100, bound_ms: 350, anchor_hash: "cd".repeat(32) }),
            exif: Some(ExifSummary {
                taken_at: Some("2008-10-22T16:28:39".into()),
                gps: Some(GpsPoint { lat: 43.4674, lon: 11.8851, alt: None }),
                make: None,
                model: None,
                orientation: 1,
            }),
            audio: None,
            video: None,
            received: None,
            text: None,
            attach: None,
            flags: flags.into_iter().map(String::from).collect(),
            order_number: Some("A-1".into()),
            visit_id: None,
            visit_purpose: None,
            share: None,
        }
    }

    fn checks<'a>(m: &'a Manifest, signer: &'a Signer) -> Checks<'a> {
        Checks {
            kind: EntryKind::Photo,
            manifest: Some(m),
            signer,
            signature: SignatureCheck::Valid,
            stored_text_matches: true,
            original: OriginalCheck::Matches,
            receipt: ReceiptCheck::Valid { received_at_ms: 1_790_000_060_000, log_index: Some(7) },
            chain: ChainCheck::Judged { seq: 3, anomalies: vec![], missing_before: vec![] },
        }
    }

    fn all_text(s: &Statement) -> String {
        let lines = s.proven.iter().chain(&s.doubtful).chain(&s.cannot_check).chain(&s.failed);
        let mut t: String = lines.map(|l| format!("{} {}\n", l.zh, l.en)).collect();
        let ((hz, he), (wz, we)) = (s.standing.headline(), s.standing.word());
        t.push_str(&format!("{hz} {he} {wz} {we}"));
        t
    }

    #[test]
    fn a_received_photo_is_doubtful_names_its_source_and_shows_its_exif_only_as_claims() {
        let who = enrolled();
        let mut m = manifest(vec![]);
        m.kind = EntryKind::Received;
        m.received = Some(siteproof_protocol::evidence::ReceivedFrom { source: "居民微信".into() });
        let s = statement(&checks(&m, &who));
        assert_eq!(s.standing, Standing::Doubtful);
        let received = s.doubtful.iter().find(|l| l.code == "received").expect("a received line");
        assert!(
            received.zh.contains("收到的材料，非本机拍摄，来源：居民微信") && received.zh.contains("不能证明社工到过现场"),
            "{received:?}"
        );
        let claims = s.cannot_check.iter().find(|l| l.code == "file_claims").expect("a claims line");
        assert_eq!(claims.zh, "文件自带信息（未经核实）：时间 2008-10-22T16:28:39，地点 43.46740, 11.88510");
        // A photo's EXIF stays what it always was: compared by flags, not listed as claims.
        m.kind = EntryKind::Photo;
        m.received = None;
        let s = statement(&checks(&m, &who));
        assert!(s.cannot_check.iter().chain(&s.doubtful).all(|l| l.code != "file_claims" && l.code != "received"));
    }

    #[test]
    fn a_clean_item_is_proven_and_still_says_what_a_signature_cannot_prove() {
        let (m, who) = (manifest(vec![]), enrolled());
        let s = statement(&checks(&m, &who));
        assert_eq!(s.standing, Standing::Proven);
        let codes: Vec<&str> = s.proven.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["signature", "original", "receipt", "chain", "anchored"]);
        assert!(s.proven[0].zh.contains("wang") && s.proven[0].zh.contains("王的手机"), "{:?}", s.proven[0]);
        assert!(s.proven[4].zh.contains("2026-09-21") && s.proven[4].zh.contains("±350 毫秒"), "{:?}", s.proven[4]);
        assert!(s.cannot_check.iter().any(|l| l.code == "scene"), "{s:?}");
        assert!(s.doubtful.is_empty() && s.failed.is_empty());
    }

    #[test]
    fn a_mock_location_photo_with_foreign_exif_is_doubtful_and_says_why() {
        let (m, who) = (manifest(vec![flags::MOCK_LOCATION, flags::EXIF_TIME_MISMATCH, flags::EXIF_GPS_MISMATCH]), enrolled());
        let s = statement(&checks(&m, &who));
        assert_eq!(s.standing, Standing::Doubtful);
        assert!(s.standing.needs_confirmation());
        let codes: Vec<&str> = s.doubtful.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, [flags::MOCK_LOCATION, flags::EXIF_TIME_MISMATCH, flags::EXIF_GPS_MISMATCH]);
        let reasons = s.reasons_zh();
        assert!(reasons.contains("模拟位置") && reasons.contains("可能是伪造的"), "{reasons}");
        assert!(reasons.contains("2008-10-22T16:28:39"), "the EXIF time is named: {reasons}");
        assert!(reasons.contains("43.4674, 11.8851") && reasons.contains("公里"), "the EXIF place and distance are named: {reasons}");
        let text = all_text(&s);
        for overclaim in ["真实有效", "通过", "Authentic", "Verified"] {
            assert!(!text.contains(overclaim), "{overclaim:?} in a flagged item's statement:\n{text}");
        }
        // What is proven stays proven: who signed, unaltered, received, anchored.
        assert_eq!(s.proven.len(), 5, "{s:?}");
    }

    #[test]
    fn every_flag_casts_doubt_and_gaps_do_too() {
        for f in [
            flags::NO_FIX,
            flags::MOCK_LOCATION,
            flags::STALE_FIX,
            flags::LOW_ACCURACY,
            flags::EXIF_TIME_MISMATCH,
            flags::EXIF_GPS_MISMATCH,
            flags::UNANCHORED,
            flags::DEVICE_CLOCK_WRONG,
            flags::NO_PREVIEW,
            "from_a_newer_phone",
        ] {
            let (m, who) = (manifest(vec![f]), enrolled());
            let s = statement(&checks(&m, &who));
            assert_eq!(s.standing, Standing::Doubtful, "{f}");
            assert_eq!(s.doubtful.len(), 1, "{f}");
        }
        let (m, who) = (manifest(vec![]), enrolled());
        let mut c = checks(&m, &who);
        c.chain = ChainCheck::Judged { seq: 3, anomalies: vec![], missing_before: vec![(1, 2)] };
        let s = statement(&c);
        assert_eq!((s.standing, s.doubtful[0].code.as_str()), (Standing::Doubtful, "gap"));
        assert!(!s.proven.iter().any(|l| l.code == "chain"), "a chain with a gap is not called intact");
    }

    #[test]
    fn failures_and_missing_keys_are_never_proven() {
        let (m, who) = (manifest(vec![]), enrolled());
        let mut c = checks(&m, &who);
        c.signature = SignatureCheck::Invalid("bad signature".into());
        let s = statement(&c);
        assert_eq!(s.standing, Standing::Failed);
        assert!(!all_text(&s).contains("通过"));

        let stranger = Signer::Unenrolled { device_id: "dev-x".into() };
        let mut c = checks(&m, &stranger);
        c.signature = SignatureCheck::NoKey;
        let s = statement(&c);
        assert_eq!(s.standing, Standing::Failed, "an uncheckable signature proves nothing");
        assert!(s.cannot_check.iter().any(|l| l.code == "signature"));
        assert!(s.reasons_zh().contains("无法核验"), "the reason is given: {}", s.reasons_zh());

        let mut c = checks(&m, &stranger);
        c.original = OriginalCheck::Missing;
        let s = statement(&c);
        assert_eq!(s.standing, Standing::Failed);
        assert!(s.cannot_check.iter().any(|l| l.code == "unenrolled"), "a self-declared key does not name a worker: {s:?}");
    }
}
