//! The dispute packet's pages that tell a 12345 office who did what and when,
//! end to end: the worker named by their real name (王小明（wang）) instead of
//! a login or device id, the 整改前后对比 page of a rectification order (its
//! before and after photos with both capture times; none for an order without
//! a pair, or when the before photo is not exported), and the 时间线 with
//! every event in time order. The PDFs are read back with poppler.

use std::path::Path;
use std::process::Command;

use serde_json::json;
use siteproof_tests::packet_files::{have_font, have_tool, order_with_before_and_after, order_with_two_photos};
use siteproof_tests::server::admin;
use siteproof_tests::world::World;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn order(number: &str) -> serde_json::Value {
    json!({"number": number, "kind": "complaint", "category": "市容环境", "address": "幸福里小区5号楼东侧",
           "content": "楼道堆放杂物，要求清理", "spot_lat": 39.9087, "spot_lon": 116.3970,
           "dispatched_at_ms": now_ms() - 86_400_000, "deadline_ms": now_ms() + 2 * 86_400_000})
}

/// Exports `number` (only `items` when given) and returns the report's text; keeps the PDF under SITEPROOF_TEST_ARTIFACTS.
fn report_text(w: &World, number: &str, items: &[&str], keep_as: &str) -> String {
    let dir = w.dir.path().join(format!("out-{keep_as}"));
    std::fs::create_dir_all(&dir).unwrap();
    let packet = dir.join("packet.zip");
    let mut args = vec!["export-order", number, "--out", packet.to_str().unwrap()];
    for item in items {
        args.extend(["--item", item]);
    }
    admin(&w.data(), &args);
    let members = siteproof_tests::packet_files::unzip(&packet);
    let pdf = dir.join("report.pdf");
    std::fs::write(&pdf, &members.iter().find(|(n, _)| n == "report.pdf").expect("a report").1).unwrap();
    if let Ok(keep) = std::env::var("SITEPROOF_TEST_ARTIFACTS") {
        std::fs::copy(&pdf, Path::new(&keep).join(format!("{keep_as}.pdf"))).unwrap();
    }
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Every "YYYY-MM-DD HH:MM:SS" in `text`, in the order printed.
fn timestamps(text: &str) -> Vec<&str> {
    let shape = |s: &str| {
        s.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        })
    };
    text.char_indices().filter_map(|(i, _)| text.get(i..i + 19)).filter(|s| shape(s)).collect()
}

/// The text after `label` up to the end of its line.
fn line_after<'a>(text: &'a str, label: &str) -> &'a str {
    let at = text.find(label).unwrap_or_else(|| panic!("{label:?} missing:\n{text}")) + label.len();
    text[at..].lines().next().unwrap_or("")
}

#[test]
fn the_packet_names_the_worker_shows_before_and_after_and_a_timeline_in_order() {
    if !(have_tool("pdftotext", "-v") && have_font()) {
        return;
    }
    let w = World::new();
    let named = admin(&w.data(), &["set-real-name", "wang", "王小明"]);
    assert!(named.contains("王小明（wang）"), "{named}");
    let (_, _, after_photo) = order_with_before_and_after(&w, order("2026113000001"), "fix");
    let text = report_text(&w, "2026113000001", &[], "rectification");

    // The worker by name, on the cover, in the visits, the custody chain and the timeline.
    assert!(text.contains("承办社工：王小明（wang）"), "the cover names the worker:\n{text}");
    assert!(text.contains("社工：王小明（wang），设备「"), "the visits name the worker:\n{text}");
    assert!(text.contains("拍摄人 王小明（wang）"), "the custody chain names the worker:\n{text}");
    assert!(text.contains("承办社工 设为 王小明（wang）"), "the history names whom it assigned:\n{text}");
    assert!(!text.contains("服务器未登记使用人"), "every device is enrolled:\n{text}");

    // The before/after page: both photos, both capture times (anchored: the phone synced first), distance, purposes.
    assert!(text.contains("七、整改前后对比（共 1 组）"), "{text}");
    assert!(text.contains("证据 1（整改前）→ 证据 2（整改后），系统按位置与时间提议"), "{text}");
    let before_at = line_after(&text, "整改前拍摄：");
    let after_at = line_after(&text, "整改后拍摄：");
    assert!(before_at.contains("锚定时间") && after_at.contains("锚定时间"), "{before_at} / {after_at}");
    let (t_before, t_after) = (timestamps(before_at)[0], timestamps(after_at)[0]);
    assert!(t_before <= t_after, "{t_before} then {t_after}");
    assert!(line_after(&text, "两点相距：").starts_with("9 米") || line_after(&text, "两点相距：").starts_with("8 米"), "{text}");
    assert!(text.contains("走访目的：整改前：现场核实；整改后：整改"), "{text}");

    // The timeline: every event once, in time order, each capture at the time the before/after page gives.
    let timeline = &text[text.find("八、时间线").expect("the timeline follows the pairs")..text.find("附录：如何核验本证据包").unwrap()];
    let events = [
        "12345 派单",
        "建单",
        "派给社工",
        "走访 1 到达现场（首条证据），王小明（wang）",
        "拍摄 证据 1（照片），王小明（wang）",
        "走访 1 离开现场（末条证据）",
        "走访 2 到达现场（首条证据）",
        "拍摄 证据 2（照片）",
        "走访 2 离开现场（末条证据）",
        "服务器收到 证据 1",
        "导出本证据包",
        "办理时限届满",
    ];
    let mut from = 0;
    for e in events {
        let at = timeline[from..].find(e).unwrap_or_else(|| panic!("{e:?} missing or out of order after byte {from}:\n{timeline}"));
        from += at + e.len();
    }
    let times = timestamps(timeline);
    assert!(times.windows(2).all(|p| p[0] <= p[1]), "the timeline goes forward in time: {times:?}\n{timeline}");
    assert!(times.contains(&t_before) && times.contains(&t_after), "captures at {t_before} and {t_after}: {times:?}");
    assert!(timeline.contains("锚定时间") && timeline.contains("工单系统") && timeline.contains("服务器"), "{timeline}");

    // Left out with its before photo: no pair, so no before/after page; the timeline takes number 七.
    let only_after = report_text(&w, "2026113000001", &[after_photo.as_str()], "after-only");
    assert!(!only_after.contains("整改前后对比（共"), "a pair with an unticked photo is left out:\n{only_after}");
    assert!(only_after.contains("七、时间线"), "{only_after}");

    // An order without a pair (two photos in one moment, one visit) has no before/after page.
    let (home, _) = order_with_two_photos(&w, order("2026113000002"), "plain", ["116.3970", "116.3971"]);
    let out = siteproof_tests::cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let plain = report_text(&w, "2026113000002", &[], "no-pairs");
    assert!(!plain.contains("整改前后对比（共"), "no pair, no before/after page:\n{plain}");
    assert!(plain.contains("七、时间线") && plain.contains("拍摄 证据 2（照片），王小明（wang）"), "{plain}");
}
