//! The PDF of a batch packet: a short batch cover (批量证据包目录) listing each
//! order with its number, address, kind, item counts and the page its section
//! starts on, then each order's section exactly as a single-order packet has
//! it (`report::order_section`), then the verification appendix once. The page
//! numbers are read from the layout itself (`pdf::section_pages`), and the
//! cover is set again until the numbers it prints are the ones it produces.

use super::assemble::OrderReport;
use super::dispute::Dispute;
use super::font::CjkFont;
use super::pdf;
use super::report::{self, beijing, kind_label, Block, ReportItem};
use crate::domain::trust::Standing;

/// Setting the cover again settles its page numbers: its length depends on them only through the digits printed.
const SETTLE_ROUNDS: usize = 4;

/// Renders the batch PDF from each order's report part.
pub(super) fn render(font: &CjkFont, reports: &[OrderReport]) -> Result<Vec<u8>, String> {
    let sections: Vec<Vec<Block>> =
        reports.iter().map(|r| report::order_section(&r.order, &r.facts, &Dispute::default(), &r.items)).collect();
    let mut starts = vec![0; reports.len()];
    let mut document = Vec::new();
    let mut breaks: Vec<usize> = Vec::with_capacity(sections.len() + 1);
    for _ in 0..SETTLE_ROUNDS {
        document = cover_blocks(reports, &starts);
        breaks.clear();
        for section in &sections {
            breaks.push(document.len());
            document.push(Block::PageBreak);
            document.extend(section.iter().cloned());
        }
        let found = pdf::section_pages(font, &document, &breaks);
        if found == starts {
            break;
        }
        starts = found;
    }
    if let Some(first) = reports.first() {
        breaks.push(document.len());
        document.push(Block::PageBreak);
        document.extend(report::verification_appendix(&first.facts));
    }
    // Each page's footer names its order, from where the sections really start.
    let pages = pdf::section_pages(font, &document, &breaks);
    let numbers: Vec<&str> = reports.iter().map(|r| r.order.number.as_str()).collect();
    let count = reports.len();
    pdf::render_with_footers(font, &document, |page| {
        let section = pages.iter().take(count).rposition(|start| *start <= page);
        match section {
            None => format!("批量证据包目录（{count} 个工单）"),
            Some(_) if pages.get(count).is_some_and(|appendix| *appendix <= page) => format!("批量证据包（{count} 个工单）核验说明"),
            Some(i) => format!("批量证据包 · 工单 {}", numbers[i]),
        }
    })
}

/// The cover: what the packet holds, one entry per order with the page its section starts on (0: not yet known).
fn cover_blocks(reports: &[OrderReport], starts: &[usize]) -> Vec<Block> {
    let mut b = vec![Block::Title("12345 工单批量争议证据包".into())];
    if let Some(first) = reports.first() {
        b.push(Block::Field("社区".into(), first.order.community.clone()));
        b.push(Block::Field("工单数".into(), reports.len().to_string()));
        b.push(Block::Field("证据包生成时间".into(), beijing(first.facts.created_at_ms)));
        b.push(Block::Field("服务器公钥指纹".into(), first.facts.server_fingerprint.clone()));
    }
    b.push(Block::Note(
        "本证据包收入以下各工单的全部证据，共用一个签名索引；各工单依次附有申诉书与证据明细，核验说明见最后的附录。\
         存疑的证据在各工单的证据明细中逐条标明。"
            .into(),
    ));
    b.push(Block::Heading("工单目录".into()));
    for (n, (r, page)) in reports.iter().zip(starts).enumerate() {
        let page = if *page == 0 { "—".to_string() } else { page.to_string() };
        let mut entry = vec![
            Block::Rule,
            Block::Field(format!("{}. 工单号", n + 1), format!("{}（第 {page} 页起）", r.order.number)),
            Block::Field("地址".into(), r.order.address.clone()),
            Block::Field("诉求类型".into(), format!("{}；状态 {}", r.order.kind.zh(), r.order.status.zh())),
            Block::Field("证据".into(), item_counts(&r.items)),
        ];
        let doubtful = r.items.iter().filter(|i| !matches!(i.trust.standing, Standing::Proven)).count();
        if doubtful > 0 {
            entry.push(Block::Note(format!("其中 {doubtful} 条存疑或无法完全核实，见该工单的证据明细。")));
        }
        b.push(Block::Group(entry));
    }
    b
}

/// "共 3 条：照片 2 条，文字记录 1 条": each kind that occurs, in the order the items first show it.
fn item_counts(items: &[ReportItem]) -> String {
    if items.is_empty() {
        return "无".into();
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for item in items {
        let label = kind_label(item.kind);
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(label, n)| format!("{label} {n} 条")).collect();
    format!("共 {} 条：{}", items.len(), parts.join("，"))
}
