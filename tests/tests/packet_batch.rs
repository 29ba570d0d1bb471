//! Exports over several orders, end to end: a real server, a CLI phone with
//! photos on three orders, and the coordinator's API. One dispute packet for
//! the three orders verifies with `siteproof verify` like a single order's
//! (exit 5 unpinned, 0 pinned to the published key), its PDF lists each order
//! on the batch cover with the page its section starts on (read back page by
//! page with poppler), and a tampered member is named. The plain ZIP of
//! originals holds each original byte for byte as the phone stored it, under
//! the SHA-256 its CSV lists. A batch over the limit is refused, saying the
//! limit in both languages, and nothing is exported or audited. The
//! console's batch page lists the orders of the list's current filter, all
//! ticked, and exports the ticked ones.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use siteproof_tests::packet_files::{have_font, have_tool, orders_with_two_photos, rezip, unzip, verify_packet};
use siteproof_tests::server::admin;
use siteproof_tests::world::{World, COORD_PASSWORD};
use siteproof_tests::{cli, cli_json};

const NUMBERS: [&str; 3] = ["2026113000101", "2026113000102", "2026113000103"];
const ADDRESSES: [&str; 3] = ["幸福里小区1号楼北侧", "幸福里小区2号楼垃圾站", "光明路与和平街交叉口"];

/// A real server with three orders, two photos on each and a note on the second, all synced from one phone.
fn three_orders() -> (World, PathBuf, PathBuf) {
    let w = World::new();
    let orders = NUMBERS
        .iter()
        .zip(ADDRESSES)
        .map(|(n, a)| {
            serde_json::json!({"number": n, "kind": "complaint", "category": "环境卫生", "address": a,
                "content": "居民反映垃圾清运不及时", "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64})
        })
        .collect();
    let (home, scratch) = orders_with_two_photos(&w, orders, "week", ["116.3970", "116.3971"]);
    cli_json(&home, &["note", "已清运，现场无异味", "--order", NUMBERS[1]]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    (w, home, scratch)
}

/// POSTs `body` to `path` as the coordinator; returns the status, headers and body bytes.
fn post(w: &World, path: &str, body: serde_json::Value) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}{path}", w.server.url))
        .bearer_auth(w.coordinator_token())
        .json(&body)
        .send()
        .unwrap();
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.bytes().unwrap().to_vec())
}

/// `siteproof verify [--server-key FP] FILE`: exit status and everything printed.
fn verify(file: &Path, pin: Option<&str>) -> (i32, String) {
    let v = verify_packet(file, pin, false);
    (v.status, v.printed())
}

/// pdftotext of pages `first..=last` (all pages when None).
fn pdf_text(pdf: &Path, pages: Option<(usize, usize)>) -> String {
    let mut c = Command::new("pdftotext");
    c.arg("-layout");
    if let Some((f, l)) = pages {
        c.args(["-f", &f.to_string(), "-l", &l.to_string()]);
    }
    let out = c.arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn audit_rows(w: &World) -> Vec<String> {
    let db = rusqlite::Connection::open_with_flags(w.data().join("siteproof.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = db.prepare("SELECT target FROM audit WHERE action = 'export' ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<Vec<String>>>().unwrap()
}

/// The page the batch cover says order `number`'s section starts on ("2026113000101（第 3 页起）").
fn cover_page_of(cover: &str, number: &str) -> usize {
    let flat: String = cover.split_whitespace().collect();
    let at = flat.find(&format!("{number}（第")).unwrap_or_else(|| panic!("{number} with its page on the cover:\n{cover}"));
    let rest = &flat[at + number.len() + "（第".len()..];
    rest[..rest.find('页').unwrap()].parse().unwrap()
}

#[test]
fn one_packet_for_three_orders_verifies_lists_each_order_with_its_page_and_names_a_tampered_member() {
    if !have_font() || !have_tool("pdftotext", "-v") {
        return;
    }
    let (w, home, scratch) = three_orders();
    // The first order's first photo is also filed under the third order: one entry in two orders of the batch.
    let first = cli_json(&home, &["items", "--order", NUMBERS[0]]);
    let shared = first.as_array().unwrap().iter().find(|i| i["kind"] == "photo").unwrap()["item_id"].as_str().unwrap().to_string();
    cli_json(&home, &["attach", &shared, NUMBERS[2]]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let (st, headers, zip) = post(&w, "/v1/packets/batch", serde_json::json!({"orders": NUMBERS}));
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&zip));
    assert_eq!(headers["content-type"], "application/zip");
    assert_eq!(headers["siteproof-packet-sha256"].to_str().unwrap(), hex::encode(Sha256::digest(&zip)));
    let packet = scratch.join("batch.zip");
    std::fs::write(&packet, &zip).unwrap();

    // Checked exactly like a single order's packet: intact but unpinned, then pinned to the published key.
    let (code, printed) = verify(&packet, None);
    assert_eq!(code, 5, "unpinned verify of the batch packet:\n{printed}");
    for n in NUMBERS {
        assert!(printed.contains(n), "verify names order {n}:\n{printed}");
    }
    let key: serde_json::Value = reqwest::blocking::get(format!("{}/v1/server-key", w.server.url)).unwrap().json().unwrap();
    let (code, printed) = verify(&packet, Some(key["fingerprint"].as_str().unwrap()));
    assert_eq!(code, 0, "pinned verify of the batch packet:\n{printed}");

    // Each entry once, however many orders file it: 6 photos, a note and the attach entry; 6 originals.
    let members = unzip(&packet);
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("manifests/")).count(), 8, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("receipts/")).count(), 8, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("originals/")).count(), 6, "{names:?}");
    assert_eq!(names.iter().filter(|n| **n == "report.pdf").count(), 1);

    // The PDF: a batch cover listing the three orders with their start pages, and each order's section there.
    let pdf = scratch.join("batch-report.pdf");
    std::fs::write(&pdf, &members.iter().find(|(n, _)| n == "report.pdf").unwrap().1).unwrap();
    if let Ok(keep) = std::env::var("SITEPROOF_TEST_ARTIFACTS") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, Path::new(&keep).join("batch-report.pdf")).unwrap();
    }
    let cover = pdf_text(&pdf, Some((1, 1)));
    assert!(cover.contains("批量争议证据包"), "{cover}");
    let mut starts = Vec::new();
    for (n, address) in NUMBERS.iter().zip(ADDRESSES) {
        assert!(cover.contains(address), "the cover lists {address}:\n{cover}");
        let page = cover_page_of(&cover, n);
        let first = pdf_text(&pdf, Some((page, page)));
        assert!(first.contains("12345 工单申诉书") && first.contains(n), "page {page}, where the cover says {n} starts:\n{first}");
        // A page taken out of the stack still says which order it belongs to.
        let next: String = pdf_text(&pdf, Some((page + 1, page + 1))).split_whitespace().collect();
        assert!(next.contains(&format!("批量证据包·工单{n}")), "page {} names order {n} in its footer:\n{next}", page + 1);
        starts.push(page);
    }
    assert!(starts.windows(2).all(|p| p[0] < p[1]), "sections in the order asked: {starts:?}");
    // The shared photo is shown under both orders it is filed under.
    let flat_cover: String = cover.split_whitespace().collect();
    assert!(flat_cover.contains("共4条：照片3条，归档记录1条"), "the third order counts the photo filed under it:\n{cover}");
    let all: String = pdf_text(&pdf, None).split_whitespace().collect();
    assert_eq!(all.matches("12345工单申诉书").count(), 3, "one 申诉书 per order");
    assert_eq!(all.matches("五、证据明细").count(), 3, "one evidence section per order");
    assert_eq!(all.matches("附录：如何核验本证据包").count(), 1, "the appendix once, for the whole packet");
    assert!(all.contains("已清运，现场无异味"), "the note is in the second order's section");

    // Audited once, naming every order.
    let batch_rows: Vec<String> = audit_rows(&w).into_iter().filter(|r| r.contains("batch")).collect();
    assert_eq!(batch_rows.len(), 1, "{batch_rows:?}");
    assert!(NUMBERS.iter().all(|n| batch_rows[0].contains(n)), "{batch_rows:?}");

    // The operator's admin command writes the same kind of packet.
    let by_admin = scratch.join("batch-admin.zip");
    let summary = admin(&w.data(), &["--json", "export-batch", NUMBERS[0], NUMBERS[1], NUMBERS[2], "--out", by_admin.to_str().unwrap()]);
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["orders"], serde_json::json!(NUMBERS), "{summary}");
    let (code, printed) = verify(&by_admin, None);
    assert_eq!(code, 5, "the admin command's batch packet:\n{printed}");

    // A flipped byte in one order's original is named.
    let mut tampered = members.clone();
    let (name, bytes) = tampered.iter_mut().find(|(n, _)| n.starts_with("originals/")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    let name = name.clone();
    let bad = scratch.join("batch-tampered.zip");
    rezip(&bad, &tampered);
    let (code, printed) = verify(&bad, None);
    assert_eq!(code, 3, "a tampered batch packet fails:\n{printed}");
    assert!(printed.contains(&name), "verify names {name}:\n{printed}");
}

#[test]
fn originals_zip_holds_each_original_byte_for_byte_under_the_sha256_its_csv_lists() {
    let (w, home, scratch) = three_orders();
    let (st, headers, zip) = post(&w, "/v1/originals/export", serde_json::json!({"orders": NUMBERS}));
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&zip));
    assert_eq!(headers["content-type"], "application/zip");
    let file = scratch.join("originals.zip");
    std::fs::write(&file, &zip).unwrap();
    let members = unzip(&file);

    let readme = String::from_utf8(members.iter().find(|(n, _)| n == "README.txt").expect("a README").1.clone()).unwrap();
    assert!(readme.contains("不是争议证据包") && readme.contains("NOT a dispute packet"), "{readme}");
    let csv_bytes = &members.iter().find(|(n, _)| n == "originals.csv").expect("a CSV list").1;
    let mut csv = csv::Reader::from_reader(&csv_bytes[..]);
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    assert!(header[0].contains("not a dispute packet"), "{header:?}");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} in {header:?}"));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6, "two photos for each of three orders");

    let device_originals: BTreeSet<String> =
        siteproof_tests::world::device_entries(&home).into_iter().filter_map(|e| e.media_sha256).collect();
    let mut listed = BTreeSet::new();
    for row in &rows {
        let (name, sha, order) = (&row[0], &row[col("sha256")], &row[col("order")]);
        let bytes = &members.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} is in the ZIP")).1;
        assert_eq!(hex::encode(Sha256::digest(bytes)), sha, "{name} hashes to the CSV's sha256");
        assert_eq!(row[col("bytes")].parse::<usize>().unwrap(), bytes.len());
        let on_phone = std::fs::read(home.join("store/blobs").join(&sha[..2]).join(sha)).unwrap();
        assert!(on_phone == *bytes, "{name} equals the phone's original byte for byte");
        assert!(name.starts_with(&format!("{order}/")) && name.contains("_photo_") && name.ends_with(".jpg"), "{name}");
        assert!(name.contains(&sha[..12]), "{name} carries the short hash");
        assert_eq!(&row[col("matches_signed_record")], "yes");
        assert!(row[col("worker")].contains("wang"), "{:?}", row);
        assert!(!row[col("capture_time_beijing")].is_empty() && row[col("lat")].starts_with("39.9087"), "{:?}", row);
        listed.insert(sha.to_string());
    }
    let photos: BTreeSet<String> = device_originals.into_iter().filter(|s| listed.contains(s)).collect();
    assert_eq!(photos.len(), 6, "every listed file is one of the phone's originals");
    assert_eq!(members.len(), 8, "six originals, the CSV and the README");
    let orders: BTreeSet<&str> = rows.iter().map(|r| &r[col("order")]).collect::<BTreeSet<_>>().into_iter().collect();
    assert_eq!(orders, NUMBERS.into_iter().collect());

    // The operator's admin command lists the same files with the same hashes.
    let by_admin = scratch.join("originals-admin.zip");
    admin(&w.data(), &["export-originals", NUMBERS[0], NUMBERS[1], NUMBERS[2], "--out", by_admin.to_str().unwrap()]);
    let admin_csv = unzip(&by_admin).into_iter().find(|(n, _)| n == "originals.csv").unwrap().1;
    assert_eq!(admin_csv, *csv_bytes, "the same list by the admin command");

    // Not a dispute packet: siteproof verify refuses it.
    let (code, printed) = verify(&file, None);
    assert_eq!(code, 3, "{printed}");
    assert!(audit_rows(&w).iter().any(|r| r.contains("originals") && NUMBERS.iter().all(|n| r.contains(n))));
}

#[test]
fn a_batch_over_the_limit_is_refused_saying_the_limit_and_nothing_is_exported() {
    let w = World::new();
    let too_many: Vec<String> = (0..51).map(|i| format!("20261130{i:05}")).collect();
    for (path, limit) in [("/v1/packets/batch", 50), ("/v1/originals/export", 500)] {
        let count = limit + 1;
        let orders: Vec<String> = (0..count).map(|i| format!("20261130{i:05}")).collect();
        let (st, _, body) = post(&w, path, serde_json::json!({"orders": orders}));
        assert_eq!(st, 400, "{path}: {}", String::from_utf8_lossy(&body));
        let err: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(err["error"], "batch_too_large", "{err}");
        let message = err["message"].as_str().unwrap();
        let (zh, en) = message.split_once(" / ").unwrap_or_else(|| panic!("zh-CN / English: {message}"));
        assert!(zh.contains(&format!("最多导出 {limit} 个工单")) && zh.contains(&count.to_string()), "{message}");
        assert!(en.contains(&format!("at most {limit} orders")), "{message}");
    }
    // A repeated number counts once: 51 names of 50 orders is within the limit (and those orders do not exist).
    let mut repeated = too_many[..50].to_vec();
    repeated.push(too_many[0].clone());
    let (st, _, body) = post(&w, "/v1/packets/batch", serde_json::json!({"orders": repeated}));
    assert_eq!(st, 404, "{}", String::from_utf8_lossy(&body));
    let (st, _, _) = post(&w, "/v1/packets/batch", serde_json::json!({"orders": []}));
    assert_eq!(st, 400);
    assert!(audit_rows(&w).is_empty(), "a refused export is not audited");
    assert!(std::fs::read_dir(w.data().join("packets")).map(|d| d.count()).unwrap_or(0) == 0, "nothing left behind");
}

/// A console session of the coordinator: the cookie header to send.
fn console_login(w: &World) -> (reqwest::blocking::Client, String) {
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r =
        http.post(format!("{}/console/login", w.server.url)).form(&[("username", "coord1"), ("password", COORD_PASSWORD)]).send().unwrap();
    assert_eq!(r.status(), 303, "console login");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    (http, cookie)
}

#[test]
fn console_batch_page_lists_the_filtered_orders_ticked_and_exports_the_ticked_ones() {
    if !have_font() {
        return;
    }
    let (w, _home, scratch) = three_orders();
    let (http, cookie) = console_login(&w);
    let get = |path: &str| {
        let r = http.get(format!("{}{path}", w.server.url)).header("cookie", &cookie).send().unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().unwrap()
    };
    // The order list links to the batch page with its filters; the page lists every matching order, ticked.
    let list = get("/console/orders?worker=wang");
    assert!(list.contains("href=\"/console/exports?worker=wang\""), "the list links to the batch page with its filter");
    let page = get("/console/exports?worker=wang&from=2026-11-01&to=2026-11-30");
    for n in NUMBERS {
        assert!(page.contains(&format!("name=\"order\" value=\"{n}\" checked")), "{n} listed and ticked:\n{page}");
    }
    assert!(page.contains("formaction=\"/console/exports/originals\""), "both exports from one form");
    // A window the orders were not dispatched in lists none of them.
    assert!(get("/console/exports?worker=wang&from=2027-01-01").contains("data-test=\"empty\""));
    if let Ok(keep) = std::env::var("SITEPROOF_TEST_ARTIFACTS") {
        let css = get("/console/static/console.css");
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(Path::new(&keep).join("console.css"), css).unwrap();
        std::fs::write(Path::new(&keep).join("batch-page.html"), page.replace("/console/static/console.css", "console.css")).unwrap();
    }

    // Two of the three ticked: the packet holds those two and verifies.
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page[at..at + 64];
    let r = http
        .post(format!("{}/console/exports/packet", w.server.url))
        .header("cookie", &cookie)
        .header("origin", &w.server.url)
        .form(&[("csrf", csrf), ("order", NUMBERS[0]), ("order", NUMBERS[2])])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let packet = scratch.join("console-batch.zip");
    std::fs::write(&packet, r.bytes().unwrap()).unwrap();
    let (code, printed) = verify(&packet, None);
    assert_eq!(code, 5, "{printed}");
    assert!(printed.contains(NUMBERS[0]) && printed.contains(NUMBERS[2]) && !printed.contains(NUMBERS[1]), "{printed}");
    let originals = unzip(&packet).into_iter().filter(|(n, _)| n.starts_with("originals/")).count();
    assert_eq!(originals, 4, "two photos of each ticked order");
}
