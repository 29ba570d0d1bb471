//! The report as a 12345 office receives it, read back with poppler: the
//! cover carries the dispute, the body is Chinese, every page holds more than
//! a few lines, and the page count stays bounded for 10 and 100 items. Lives
//! inside the crate because an order is built here without a database.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use siteproof_protocol::evidence::{AnchoredTime, EntryKind, LocationFix};
use siteproof_protocol::vocab::{OrderKind, OrderStatus, RequestedOutcome, TagAxis};

use super::dispute::{suggested_grounds, Dispute, EvidenceFact};
use super::font::CjkFont;
use super::pdf;
use super::report::{self, Block, PacketFacts, ReportItem};
use crate::domain::orders::{HistoryEntry, Order};
use crate::domain::pairs::Pair;
use crate::domain::trust::{Standing, Statement};

const PREVIEW: &[u8] = include_bytes!("../../../fuzz/corpus/media_sniff_exif/canon_40d.jpg");
const T0: i64 = 1_795_000_000_000;

/// True when poppler and a CJK font are here; under CI their absence fails the test instead.
fn tools_and_font() -> Option<CjkFont> {
    let poppler = Command::new("pdftotext").arg("-v").output().is_ok() && Command::new("pdfinfo").arg("-v").output().is_ok();
    let font = CjkFont::find(None).ok();
    let ci = std::env::var("CI").as_deref() == Ok("true");
    assert!(!ci || (poppler && font.is_some()), "poppler-utils and a CJK font are needed (scripts/test.d/20-packet-tools.sh)");
    if !poppler || font.is_none() {
        eprintln!("SKIPPED: poppler-utils or a CJK font is missing; run scripts/test.d/20-packet-tools.sh");
        return None;
    }
    font
}

fn order() -> Order {
    Order {
        number: "2026112300456".into(),
        community: "幸福里社区".into(),
        kind: OrderKind::Complaint,
        category: "环境卫生".into(),
        address: "幸福里小区5号楼东侧垃圾站".into(),
        spot_lat: Some(39.9087),
        spot_lon: Some(116.3970),
        complainant: "李女士 13900001111".into(),
        content: "居民反映垃圾桶满溢、有异味，要求清运".into(),
        dispatched_at_ms: Some(T0),
        deadline_ms: Some(T0 + 3 * 86_400_000),
        status: OrderStatus::Reopened,
        tag_type: Some("key".into()),
        tag_handling: Some("resolved".into()),
        tag_callback: Some("reopened".into()),
        knowledge: String::new(),
        notes: String::new(),
        assignee: Some("wang".into()),
        version: 4,
        change_seq: 9,
        created_at_ms: T0,
        updated_at_ms: T0 + 86_400_000,
        id: 1,
        community_id: 1,
        assignee_id: Some(2),
    }
}

fn history() -> Vec<HistoryEntry> {
    let change = |field: &str, old: Option<&str>, new: Option<&str>, actor: &str, role: &str, at: i64| HistoryEntry {
        version: 1,
        field: field.into(),
        old_value: old.map(str::to_string),
        new_value: new.map(str::to_string),
        actor: Some(actor.into()),
        actor_real_name: Some(if actor == "zhang" { "张专干" } else { "" }.into()),
        actor_role: Some(role.into()),
        device_id: None,
        at_ms: T0 + at,
    };
    vec![
        change("created", None, None, "zhang", "coordinator", 0),
        change("assignee", None, Some("wang"), "zhang", "coordinator", 60_000),
        change("status", Some("in_progress"), Some("answered"), "zhang", "coordinator", 86_400_000),
        change("tag_callback", None, Some("reopened"), "zhang", "coordinator", 2 * 86_400_000),
    ]
}

/// `n` items: three photos to every voice note and note, as a worker's visits produce them.
fn items(n: usize) -> Vec<ReportItem> {
    (0..n)
        .map(|i| {
            let kind = match i % 5 {
                0..=2 => EntryKind::Photo,
                3 => EntryKind::Voice,
                _ => EntryKind::Note,
            };
            let at = T0 + 3_600_000 + i as i64 * 60_000;
            ReportItem {
                kind,
                item_id: format!("item-{i:04}"),
                device_id: "01a228fa9c3b4d5e".into(),
                seq: i as u64 + 1,
                manifest_hash: format!("{:064x}", i + 1),
                media_sha256: (kind != EntryKind::Note).then(|| format!("{:064x}", 1_000_000 + i)),
                original_path: None,
                device_time_ms: at,
                // One item in ten was taken before the phone anchored its clock: its time is the phone's own.
                anchored: (i % 10 != 4).then(|| AnchoredTime { utc_ms: at, bound_ms: 180, anchor_hash: "ab".repeat(32) }),
                fix: Some(LocationFix {
                    lat: 39.9087 + i as f64 * 1e-5,
                    lon: 116.3970,
                    accuracy_m: 8.0,
                    altitude_m: None,
                    provider: "gps".into(),
                    is_mock: false,
                    fix_time_ms: at,
                }),
                received_at_ms: at + 600_000,
                trust: Statement { standing: Standing::Proven, proven: vec![], doubtful: vec![], cannot_check: vec![], failed: vec![] },
                text: (kind == EntryKind::Note).then(|| format!("已核实：{i} 号垃圾桶已清运，现场无异味")),
                audio_ms: (kind == EntryKind::Voice).then_some(12_000),
                attach_item: None,
                // Item 22's preview could not be made (an unreadable original): pages show a frame that says so.
                preview: (kind == EntryKind::Photo && i != 22).then(|| (PREVIEW.to_vec(), 1280, 870)),
                visit_id: Some(format!("visit-{}", i / 20)),
                visit_purpose: Some(if i < 20 { "initial_verification" } else { "follow_up" }.into()),
            }
        })
        .collect()
}

fn workers() -> BTreeMap<String, String> {
    BTreeMap::from([("01a228fa9c3b4d5e".to_string(), "王小明（设备 红米 Note 12）".to_string())])
}

fn dispute() -> Dispute {
    Dispute {
        grounds: "11月23日现场核实，12个垃圾桶均已清运，回访所述异味不存在。".into(),
        outcome: Some(RequestedOutcome::NotCountedReopened),
        submitting_unit: "幸福里社区居委会".into(),
        street_office: "和平街道办事处".into(),
        coordinator_name: "张专干".into(),
        coordinator_phone: "010-61234567".into(),
    }
}

fn run(tool: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(tool).args(args).arg(file).args(["-"]).output().unwrap();
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Before/after pairs among `n` items: the first two photos, and with 23 items or more a photo of the
/// second visit against one of the first (the second without a fix on one side, as a manual pair may be).
fn pairs(n: usize) -> Vec<Pair> {
    let mut out = Vec::new();
    if n >= 2 {
        out.push(Pair { before: "item-0000".into(), after: "item-0001".into(), distance_m: Some(1.1), manual: true });
    }
    if n >= 23 {
        out.push(Pair { before: "item-0002".into(), after: "item-0022".into(), distance_m: None, manual: false });
    }
    out
}

/// The packet facts of the fixture order, with `pairs`.
fn facts(pairs: Vec<Pair>) -> PacketFacts {
    PacketFacts {
        created_at_ms: T0 + 3 * 86_400_000,
        server_fingerprint: "ab12 cd34".into(),
        left_out: Vec::new(),
        history: history(),
        workers: workers(),
        assignee: Some("王小明（wang）".into()),
        people: BTreeMap::from([("wang".to_string(), "王小明（wang）".to_string())]),
        pairs,
    }
}

/// Renders the report of `n` items, with the before/after pairs of [`pairs`]; returns the text of each page.
fn pages(font: &CjkFont, n: usize, dispute: &Dispute) -> Vec<String> {
    pages_with(font, n, dispute, pairs(n), &format!("report-{n}-items.pdf"))
}

/// Renders the report of `n` items with `pairs`; returns the text of each page.
fn pages_with(font: &CjkFont, n: usize, dispute: &Dispute, pairs: Vec<Pair>, keep_as: &str) -> Vec<String> {
    let blocks = report::blocks(&order(), &facts(pairs), dispute, &items(n));
    let bytes = pdf::render(font, &blocks, "工单 2026112300456").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &bytes).unwrap();
    // For people to look at the pages (pdftoppm): SITEPROOF_TEST_ARTIFACTS names a folder to leave the report in.
    if let Ok(keep) = std::env::var("SITEPROOF_TEST_ARTIFACTS") {
        std::fs::write(Path::new(&keep).join(keep_as), &bytes).unwrap();
    }
    let info = Command::new("pdfinfo").arg(&file).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    let count: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    (1..=count).map(|p| run("pdftotext", &["-enc", "UTF-8", "-f", &p.to_string(), "-l", &p.to_string()], &file)).collect()
}

fn lines(page: &str) -> usize {
    page.lines().filter(|l| !l.trim().is_empty()).count()
}

#[test]
fn the_cover_carries_the_dispute_and_a_stamp_block_in_chinese() {
    let Some(font) = tools_and_font() else { return };
    let pages = pages(&font, 10, &dispute());
    let cover = &pages[0];
    for fact in [
        "12345 工单申诉书",
        "2026112300456",
        "申诉理由",
        "12个垃圾桶均已清运",
        "不计重办",
        "幸福里社区居委会",
        "和平街道办事处",
        "张专干",
        "010-61234567",
        "盖章处",
        "负责人（签字）",
        "证据包签名公钥指纹",
        "ab12 cd34",
    ] {
        assert!(cover.contains(fact), "the cover lacks {fact:?}:\n{cover}");
    }
    let all = pages.concat();
    assert!(all.contains("办理经过") && all.contains("回访情况 设为 重办"), "the order's history is told:\n{all}");
    assert!(!all.contains("13900001111"), "the complainant's contact stays out");
    for fact in [
        "走访记录",
        "王小明（设备 红米 Note 12）",
        "走访目的：现场核实",
        "到达（首条证据）",
        "距点位 0 米（定位精度 ±8 米）",
        "距点位 10 米",
        "WGS-84",
        "如何核验本证据包",
        "六、保管链",
        "→ 服务器收到 2026-11-18 20:16:40",
    ] {
        assert!(all.contains(fact), "the body lacks {fact:?}:\n{all}");
    }
    for english in ["Work order", "page 1 of", "dispatched", "Evidence ("] {
        assert!(!all.contains(english), "the body is Chinese, yet {english:?} is printed");
    }
}

#[test]
fn an_empty_dispute_leaves_lines_and_boxes_to_fill_in_by_hand() {
    let Some(font) = tools_and_font() else { return };
    let cover = &pages(&font, 1, &Dispute::default())[0];
    assert!(cover.contains("□不计重办") && cover.contains("□退回派单") && cover.contains("＿＿＿＿"), "{cover}");
}

#[test]
fn every_page_holds_more_than_a_few_lines_and_the_page_count_is_bounded() {
    let Some(font) = tools_and_font() else { return };
    for n in [10, 100] {
        let pages = pages(&font, n, &dispute());
        for (i, p) in pages.iter().enumerate() {
            assert!(lines(p) > 5, "{n} items: page {} holds only {} lines:\n{p}", i + 1, lines(p));
        }
        // About two items a page (two photo entries share one; notes and voice notes take less), plus the cover,
        // the order's overview and map, custody, the before/after page and the appendix, and the timeline's
        // two or three rows an item at some fifty rows a page. Before keep-together and keep-with-next a heading
        // or a single line could take a page of its own, and with taller previews each photo took a page.
        let bound = n / 2 + n / 20 + 9;
        assert!(pages.len() <= bound, "{n} items: {} pages, at most {bound} expected", pages.len());
        assert!(pages.len() >= 4, "{n} items: {} pages", pages.len());
    }
}

/// The last line of a page above its footer (which poppler may split in two).
fn last_line(page: &str) -> &str {
    page.lines().map(str::trim).rfind(|l| !l.is_empty() && !l.contains("页，共") && *l != "工单 2026112300456").unwrap_or("")
}

#[test]
fn no_page_ends_with_a_heading() {
    let Some(font) = tools_and_font() else { return };
    let headings = [
        "一、",
        "二、",
        "三、",
        "四、",
        "五、",
        "六、",
        "七、",
        "八、",
        "附录",
        "申诉理由",
        "点位图",
        "时间均为北京时间",
        "每条证据：拍摄时",
        "每组左为整改前",
        "按时间先后排列",
    ];
    for n in [10, 100] {
        for (i, page) in pages(&font, n, &dispute()).iter().enumerate() {
            let last = last_line(page);
            let orphan =
                headings.iter().any(|h| last.starts_with(h)) || (last.starts_with("证据 ") && last.contains('：') && last.len() < 40);
            assert!(!orphan, "{n} items: page {} ends with the heading {last:?}", i + 1);
        }
    }
}

#[test]
fn the_suggested_grounds_name_the_visit_days_and_what_was_recorded() {
    let evidence: Vec<EvidenceFact> =
        items(5).into_iter().map(|i| EvidenceFact { at_ms: i.device_time_ms, kind: i.kind, text: i.text.clone() }).collect();
    let text = suggested_grounds(&order(), &evidence);
    assert!(text.contains("2026年11月18日"), "{text}");
    assert!(text.contains("照片 3 张") && text.contains("录音 1 段") && text.contains("文字记录 1 条"), "{text}");
    assert!(text.contains("已核实：4 号垃圾桶已清运"), "{text}");
}

#[test]
fn the_before_after_page_shows_each_pair_with_both_times_only_when_there_are_pairs() {
    let Some(font) = tools_and_font() else { return };
    let all = pages(&font, 30, &dispute()).concat();
    for fact in [
        "七、整改前后对比（共 2 组）",
        "第 1 组：证据 1（整改前）→ 证据 2（整改后），专干确认",
        "整改前（证据 1）",
        "整改后（证据 2）",
        "整改前拍摄：2026-11-18 20:06:40（锚定时间，误差 ±180 毫秒）",
        "整改后拍摄：2026-11-18 20:07:40（锚定时间，误差 ±180 毫秒）",
        "两点相距：1 米",
        "走访目的：整改前：现场核实；整改后：现场核实",
        "第 2 组：证据 3（整改前）→ 证据 23（整改后），系统按位置与时间提议",
        "走访目的：整改前：现场核实；整改后：跟进观察",
        "两点相距：无法计算（缺少定位）",
        "八、时间线",
    ] {
        assert!(all.contains(fact), "the before/after page lacks {fact:?}:\n{all}");
    }
    let none = pages_with(&font, 30, &dispute(), Vec::new(), "report-30-items-no-pairs.pdf").concat();
    assert!(!none.contains("整改前后对比（共"), "an order without pairs has no before/after page:\n{none}");
    assert!(none.contains("七、时间线"), "the timeline takes the section number:\n{none}");
}

#[test]
fn the_timeline_lists_every_event_in_time_order_with_its_clock() {
    let Some(font) = tools_and_font() else { return };
    let pages = pages(&font, 5, &dispute());
    let all = pages.concat();
    let start = all.find("八、时间线").expect("a timeline after the before/after page");
    let timeline = &all[start..all.find("附录：如何核验本证据包").expect("the appendix follows")];
    // Each event in the order it happened (T0 is 2026-11-18 19:06:40 in Beijing).
    let expected = [
        "12345 派单",
        "建单",
        "派给社工",
        "走访 1 到达现场（首条证据），王小明（设备 红米 Note 12）",
        "拍摄 证据 1（照片），王小明（设备 红米 Note 12）",
        "拍摄 证据 2（照片）",
        "拍摄 证据 3（照片）",
        "拍摄 证据 4（录音）",
        "拍摄 证据 5（文字记录）",
        "走访 1 离开现场（末条证据）",
        "服务器收到 证据 1–5 并签发回执（共 5 条，至 2026-11-18 20:20:40）",
        "答复",
        "回访",
        "办理时限届满",
        "导出本证据包",
    ];
    let mut from = 0;
    for e in expected {
        let at = timeline[from..].find(e).unwrap_or_else(|| panic!("{e:?} missing or out of order after byte {from}:\n{timeline}"));
        from += at + e.len();
    }
    for word in ["锚定时间", "服务器", "工单系统", "手机时钟", "2026-11-18 19:06:40", "2026-11-21 19:06:40"] {
        assert!(timeline.contains(word), "the timeline lacks {word:?}:\n{timeline}");
    }
    // Each capture says which clock its time is from: item 5 was taken before the phone anchored its clock.
    let clock_of = |event: &str| {
        let at = timeline.find(event).unwrap_or_else(|| panic!("{event:?} missing"));
        timeline[..at].lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("").to_string()
    };
    assert_eq!(clock_of("拍摄 证据 1（照片）"), "锚定时间", "{timeline}");
    assert_eq!(clock_of("拍摄 证据 5（文字记录）"), "手机时钟", "{timeline}");
    assert_eq!(clock_of("导出本证据包"), "服务器", "{timeline}");
    let times: Vec<&str> = timeline.match_indices("2026-").filter_map(|(at, _)| timeline.get(at..at + 19)).collect();
    assert!(times.len() >= 12, "{times:?}\n{timeline}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "the times go forward: {times:?}");
}

#[test]
fn the_worker_is_named_on_the_cover_and_in_the_order_facts() {
    let Some(font) = tools_and_font() else { return };
    let pages = pages(&font, 3, &dispute());
    assert!(pages[0].contains("承办社工：王小明（wang）"), "{}", pages[0]);
    let all = pages.concat();
    assert!(all.contains("专干 张专干（zhang）"), "the history names the coordinator:\n{all}");
    assert!(all.contains("承办社工 设为 王小明（wang）"), "and the worker it assigns:\n{all}");
}

#[test]
fn the_order_facts_name_the_tag_axes_as_the_glossary_does() {
    let mut with_knowledge = order();
    with_knowledge.knowledge = "垃圾清运归环卫所".into();
    let blocks = report::blocks(&with_knowledge, &facts(pairs(0)), &dispute(), &items(1));
    let field = |name: &str| {
        blocks.iter().find_map(|b| match b {
            Block::Field(n, v) if n == name => Some(v.clone()),
            _ => None,
        })
    };
    let tags = field("标签").expect("the order facts list the tags");
    assert_eq!(tags, format!("{} 重点；{} 已解决；{} 重办", TagAxis::Type.zh(), TagAxis::Handling.zh(), TagAxis::Callback.zh()));
    assert_eq!(field(TagAxis::Knowledge.zh()).as_deref(), Some("垃圾清运归环卫所"));
}
