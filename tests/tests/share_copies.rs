//! Share copies of a photo, through the real CLI and the real server.
//!
//! A watermarked copy (今日水印相机 style) carries a verification code the
//! server's public page resolves to the evidence item it was made from; the
//! recipient's file is compared by hash, so a copy with one pixel changed
//! still resolves by its code but is named as not matching. A community that
//! switches the page off answers 404. A redacted copy for the public carries
//! no EXIF, GPS or trailer (exiftool finds none), its rectangles are
//! destroyed, and everything else is the photo within JPEG noise.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use siteproof_core::media::stamp_text::Rgb;
use siteproof_core::media::upright::{decode_upright, encode_bare_jpeg};
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_json, exif_samples};

const NUMBER: &str = "2026113000456";
const COMPLAINANT: &str = "李女士 13900001111";

/// A world with one order assigned to worker wang and an enrolled phone that has pulled it.
fn world_with_order(flags: &[&str]) -> (World, PathBuf) {
    let world = World::with_flags(flags);
    let post = reqwest::Method::POST;
    let order = serde_json::json!({
        "number": NUMBER, "kind": "complaint", "category": "环境卫生", "address": "幸福里小区5号楼",
        "complainant": COMPLAINANT, "content": "居民反映楼道堆物", "spot_lat": 43.4674, "spot_lon": 11.8851,
        "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64});
    let (status, body) = world.coordinator_send(post.clone(), "/v1/orders", order);
    assert_eq!(status, 201, "{body}");
    let (status, body) = world.coordinator_send(post, &format!("/v1/orders/{NUMBER}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(status, 200, "{body}");
    let home = world.device("phone", None);
    sync(&home);
    (world, home)
}

fn sync(home: &Path) {
    let out = cli(home).args(["--json", "sync"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
}

/// The GPS-tagged sample (a field in Tuscany, 640×480), captured under the order with a fix.
fn capture(home: &Path, photo: &Path) -> Value {
    let path = photo.to_str().unwrap();
    cli_json(home, &["capture", "photo", path, "--order", NUMBER, "--lat", "43.46745", "--lon", "11.88513", "--accuracy", "6"])
}

fn gps_sample() -> PathBuf {
    exif_samples().join("jpg/gps/DSCN0010.jpg")
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("run sha256sum");
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

fn get(url: &str) -> (u16, String) {
    let r = reqwest::blocking::get(url).unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// Posts a file as a browser's form does (multipart, field `copy`).
fn post_copy(url: &str, file: &[u8]) -> (u16, String) {
    let boundary = "----siteproof-share-test-7KQ2M";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"copy\"; filename=\"copy.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
            .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = reqwest::blocking::Client::new()
        .post(url)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn pixel(img: &Rgb, x: u32, y: u32) -> [u8; 3] {
    let i = (y as usize * img.width as usize + x as usize) * 3;
    [img.data[i], img.data[i + 1], img.data[i + 2]]
}

fn abs_diff(a: [u8; 3], b: [u8; 3]) -> f64 {
    (0..3).map(|c| (a[c] as f64 - b[c] as f64).abs()).sum::<f64>() / 3.0
}

#[test]
fn a_watermarked_copy_resolves_by_its_code_and_a_changed_copy_is_named() {
    let (world, home) = world_with_order(&[]);
    let work = tempfile::tempdir().unwrap();
    let item = capture(&home, &gps_sample());
    let item_id = item["item_id"].as_str().unwrap();
    let original_sha = item["media_sha256"].as_str().unwrap();
    let out = work.path().join("watermarked.jpg");
    let copy = cli_json(&home, &["share", "watermark", item_id, "--out", out.to_str().unwrap(), "--worker", "王小明"]);

    // The copy is what the JSON says, and the original is untouched.
    let code = copy["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 10, "{copy}");
    assert_eq!(copy["copy_sha256"], sha256_of(&out).as_str());
    assert_eq!(copy["verify_url"], format!("{}/v/{code}", world.server.url).as_str());
    let blob = home.join("store/blobs").join(&original_sha[..2]).join(original_sha);
    assert_eq!(sha256_of(&blob), original_sha);
    assert_eq!(sha256_of(&gps_sample()), original_sha);
    // The photo whole and upright above a band of text: the band adds rows, it covers nothing.
    let original = decode_upright(&gps_sample()).unwrap();
    let stamped = decode_upright(&out).unwrap();
    assert_eq!(stamped.width, original.width);
    assert!(stamped.height > original.height + 60, "band of {} rows", stamped.height - original.height);
    let photo_diff: f64 = (0..original.height)
        .step_by(7)
        .flat_map(|y| (0..original.width).step_by(7).map(move |x| (x, y)))
        .map(|(x, y)| abs_diff(pixel(&original, x, y), pixel(&stamped, x, y)))
        .sum::<f64>()
        / ((original.height / 7 + 1) * (original.width / 7 + 1)) as f64;
    assert!(photo_diff < 3.0, "the photo part changed by {photo_diff} on average");

    // Registered by a signed share entry that syncs like any other.
    sync(&home);
    let kinds: Vec<String> =
        cli_json(&home, &["items"]).as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["photo", "share"]);
    assert_eq!(world.server_entries(&World::device_id(&home)).len(), 2);

    // The code resolves to the item, its order and capture time, and shows nothing private.
    let page = format!("{}/v/{code}", world.server.url);
    let (status, body) = get(&page);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("data-test=\"share-registered\""), "{body}");
    assert!(body.contains(item_id) && body.contains(NUMBER), "{body}");
    for private in [original_sha, "43.467", "11.885", "李女士", "13900001111", "王小明", "幸福里小区5号楼"] {
        assert!(!body.contains(private), "the page shows {private:?}");
    }
    assert!(!body.contains("share-match") && !body.contains("share-mismatch"), "nothing was compared yet");
    // As people type it: lower case, with the printed hyphen, O for 0.
    let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase().replace('0', "o");
    assert_eq!(get(&format!("{}/v/{typed}", world.server.url)).0, 200);

    // The recipient's file: the registered copy matches, by upload and by hash in the link.
    let bytes = std::fs::read(&out).unwrap();
    let (status, body) = post_copy(&page, &bytes);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("data-test=\"share-match\"") && !body.contains("share-mismatch"), "{body}");
    let (_, body) = get(&format!("{page}?sha256={}", copy["copy_sha256"].as_str().unwrap()));
    assert!(body.contains("data-test=\"share-match\""), "{body}");

    // One pixel changed: the code still resolves (it is in the text), the hash does not match.
    let mut changed = stamped.clone();
    let i = (10 * changed.width as usize + 10) * 3;
    changed.data[i] = changed.data[i].wrapping_add(128);
    let changed_jpeg = encode_bare_jpeg(&changed).unwrap();
    let (status, body) = post_copy(&page, &changed_jpeg);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("data-test=\"share-registered\""), "{body}");
    assert!(body.contains("data-test=\"share-mismatch\"") && !body.contains("share-match\""), "{body}");

    // A code nobody registered.
    let (status, body) = get(&format!("{}/v/ZZZZZZZZZZ", world.server.url));
    assert_eq!(status, 404);
    assert!(body.contains("share-unknown"), "{body}");

    // Codes cannot be walked: look-ups from one address are limited (30 a minute), with the wait said.
    let refused =
        (0..40).map(|_| reqwest::blocking::get(format!("{}/v/0000000000", world.server.url)).unwrap()).find(|r| r.status() == 429);
    let refused = refused.expect("40 look-ups in a row were all answered: no limit");
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(refused.text().unwrap().contains("请求过多"));
}

#[test]
fn a_community_that_switches_the_page_off_answers_404() {
    let (world, home) = world_with_order(&["--no-share-page"]);
    let work = tempfile::tempdir().unwrap();
    let item = capture(&home, &gps_sample());
    let out = work.path().join("watermarked.jpg");
    let copy =
        cli_json(&home, &["share", "watermark", item["item_id"].as_str().unwrap(), "--out", out.to_str().unwrap(), "--worker", "王小明"]);
    sync(&home);
    assert_eq!(world.server_entries(&World::device_id(&home)).len(), 2, "the share entry is still evidence of the copy");
    let page = format!("{}/v/{}", world.server.url, copy["code"].as_str().unwrap());
    let unknown_route = get(&format!("{}/no/such/route", world.server.url));
    assert_eq!(unknown_route.0, 404);
    assert_eq!(get(&page), unknown_route, "switched off, the page is indistinguishable from no route at all");
    assert_eq!(post_copy(&page, &std::fs::read(&out).unwrap()), unknown_route);
}

#[test]
fn a_redacted_copy_has_no_metadata_and_destroys_only_its_rectangles() {
    let (_world, home) = world_with_order(&[]);
    let work = tempfile::tempdir().unwrap();
    // A motion photo: the GPS-tagged JPEG with a video after its image, as Xiaomi and Google phones write.
    let motion = work.path().join("MVIMG_DSCN0010.jpg");
    let video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free".to_vec();
    std::fs::write(&motion, [std::fs::read(gps_sample()).unwrap(), video].concat()).unwrap();
    let item = capture(&home, &motion);
    let item_id = item["item_id"].as_str().unwrap();
    let before = cli_json(&home, &["queue"]);

    let out = work.path().join("redacted.jpg");
    let rects = [(40u32, 60u32, 160u32, 120u32), (420, 250, 140, 100)];
    let blur: Vec<String> = rects.iter().map(|(x, y, w, h)| format!("{x},{y},{w},{h}")).collect();
    let red = cli_json(&home, &["share", "redact", item_id, "--blur", &blur[0], "--blur", &blur[1], "--out", out.to_str().unwrap()]);
    assert_eq!(red["copy_sha256"], sha256_of(&out).as_str());

    // Not evidence: nothing recorded, nothing queued; the original is untouched.
    assert_eq!(cli_json(&home, &["items"]).as_array().unwrap().len(), 1);
    assert_eq!(cli_json(&home, &["queue"]), before);
    assert_eq!(sha256_of(&motion), item["media_sha256"].as_str().unwrap());

    // exiftool finds no EXIF, GPS, XMP or maker notes, and nothing after the image.
    let tool = Command::new("exiftool").args(["-json", "-G", "-a"]).arg(&out).output().expect("run exiftool (libimage-exiftool-perl)");
    assert!(tool.status.success(), "{}", String::from_utf8_lossy(&tool.stderr));
    let tags: Value = serde_json::from_slice(&tool.stdout).unwrap();
    let tags = tags[0].as_object().unwrap();
    for key in tags.keys() {
        let group = key.split(':').next().unwrap();
        assert!(!["EXIF", "GPS", "XMP", "MakerNotes", "IPTC", "ICC_Profile", "Trailer"].contains(&group), "{key} = {}", tags[key]);
        assert!(!key.contains("GPS") && !key.contains("Trailer"), "{key} = {}", tags[key]);
    }
    let original_tags = Command::new("exiftool").args(["-json", "-G"]).arg(&motion).output().unwrap();
    assert!(String::from_utf8_lossy(&original_tags.stdout).contains("GPSLatitude"), "the test photo must have GPS to strip");
    let inspected = cli_json(&home, &["inspect", out.to_str().unwrap()]);
    assert_eq!(inspected["trailer"], Value::Null);
    assert_eq!(inspected["gps"], Value::Null);

    // The rectangles are destroyed: far from the photo, and their detail gone.
    let original = decode_upright(&gps_sample()).unwrap();
    let copy = decode_upright(&out).unwrap();
    assert_eq!((copy.width, copy.height), (original.width, original.height));
    let detail = |img: &Rgb, (x0, y0, w, h): (u32, u32, u32, u32)| {
        let mut sum = 0.0;
        for y in y0..y0 + h {
            for x in x0..x0 + w - 1 {
                sum += abs_diff(pixel(img, x, y), pixel(img, x + 1, y));
            }
        }
        sum / (h * (w - 1)) as f64
    };
    for r in rects {
        let (x0, y0, w, h) = r;
        let mut diff = 0.0;
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                diff += abs_diff(pixel(&original, x, y), pixel(&copy, x, y));
            }
        }
        let diff = diff / (w * h) as f64;
        let (was, now) = (detail(&original, r), detail(&copy, r));
        assert!(diff > 8.0, "rectangle {r:?} differs by only {diff} on average");
        assert!(now < was / 4.0, "rectangle {r:?} keeps detail: {now} against {was}");
    }

    // Everything else is the photo within JPEG noise (a margin for the blocks that straddle an edge, and the mark left out).
    let mark = &red["mark"];
    let inside = |x: u32, y: u32, (rx, ry, rw, rh): (u32, u32, u32, u32), margin: u32| {
        x + margin >= rx && x < rx + rw + margin && y + margin >= ry && y < ry + rh + margin
    };
    let mark_rect = (
        mark["x"].as_u64().unwrap() as u32,
        mark["y"].as_u64().unwrap() as u32,
        mark["w"].as_u64().unwrap() as u32,
        mark["h"].as_u64().unwrap() as u32,
    );
    let (mut sum, mut n) = (0.0, 0u64);
    for y in 0..original.height {
        for x in 0..original.width {
            if rects.iter().any(|r| inside(x, y, *r, 16)) || inside(x, y, mark_rect, 16) {
                continue;
            }
            sum += abs_diff(pixel(&original, x, y), pixel(&copy, x, y));
            n += 1;
        }
    }
    assert!(n > (original.width * original.height / 2) as u64);
    let rest = sum / n as f64;
    assert!(rest < 2.5, "the rest of the photo changed by {rest} on average");

    // The mark is there: the bottom-left corner is darkened.
    assert!(mark_rect.1 + mark_rect.3 == copy.height && mark_rect.0 == 0, "{mark}");

    // A rectangle outside the photo is refused with a clear message, exit 2.
    let bad = cli(&home)
        .args(["share", "redact", item_id, "--blur", "600,400,100,100", "--out"])
        .arg(work.path().join("x.jpg"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("outside"), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(!work.path().join("x.jpg").exists());
}
