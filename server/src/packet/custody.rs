//! The chain of custody (保管链) of each piece of evidence: who held it from
//! the shutter to this packet, and what signature binds each hand-over — the
//! worker's phone signs at capture, the community server signs a receipt
//! when it arrives, and signs the packet's index at export. An office asks
//! "could anyone have changed it on the way?"; each line answers with the
//! three times and the signatures that would break.

use std::collections::BTreeMap;

use siteproof_protocol::text::prefix;

use super::report::{beijing, Block, ReportItem};
use super::visits::{captured_ms, worker_zh};

/// The 保管链 section.
pub fn custody_blocks(items: &[ReportItem], workers: &BTreeMap<String, String>, exported_at_ms: i64) -> Vec<Block> {
    let mut b = vec![
        Block::Heading("六、保管链".into()),
        Block::Note(
            "每条证据：拍摄时由手机签名 → 服务器收到时出具签名回执 → 导出时写入由服务器签名的证据包索引。任何一环被改动，签名即失效。"
                .into(),
        ),
    ];
    for (i, item) in items.iter().enumerate() {
        // Only what the signatures settle: whether the scene is true is the trust statement's (存疑 items say why there).
        let signed =
            if item.trust.failed.is_empty() { "签名、回执与原件相符" } else { "有核验不符之处，见证据明细" };
        b.push(Block::Paragraph(format!(
            "证据 {}　拍摄 {}（设备 {} 第 {} 条）→ 服务器收到 {} → 导出 {}；{signed}；拍摄人 {}",
            i + 1,
            beijing(captured_ms(item)),
            prefix(&item.device_id, 8),
            item.seq,
            beijing(item.received_at_ms),
            beijing(exported_at_ms),
            worker_zh(workers, &item.device_id),
        )));
    }
    b
}
