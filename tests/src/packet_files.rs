//! What the packet tests share: whether the tools and the CJK font the
//! report needs are here (under CI their absence fails the test instead of
//! skipping it), and a packet's members read out and written back, as a
//! tamperer or a forger handles them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// True when `tool arg` runs; under CI a missing tool fails the test instead of skipping it.
pub fn have_tool(tool: &str, arg: &str) -> bool {
    let found = Command::new(tool).arg(arg).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{tool} is not installed (scripts/test.d/20-packet-tools.sh)");
        eprintln!("SKIPPED: {tool} not installed; run scripts/test.d/20-packet-tools.sh");
    }
    found
}

/// True when a CJK font for the report is installed (or named by SITEPROOF_CJK_FONT).
pub fn have_font() -> bool {
    let found = std::env::var_os("SITEPROOF_CJK_FONT").is_some()
        || [
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        ]
        .iter()
        .any(|p| Path::new(p).exists());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no CJK font installed (scripts/test.d/20-packet-tools.sh installs fonts-wqy-microhei)"
        );
        eprintln!("SKIPPED: no CJK font installed; run scripts/test.d/20-packet-tools.sh");
    }
    found
}

/// Every member of a ZIP, in order.
pub fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

/// Writes members into a new ZIP at `path`, in the order given.
pub fn rezip(path: &Path, members: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Posts `order` as the coordinator and assigns it to worker `wang`; returns its number.
pub fn post_assigned_order(w: &crate::world::World, order: serde_json::Value) -> String {
    let number = order["number"].as_str().expect("the order has a number").to_string();
    let (st, body) = w.coordinator_send(reqwest::Method::POST, "/v1/orders", order);
    assert_eq!(st, 201, "{body}");
    let (st, _) = w.coordinator_send(reqwest::Method::POST, &format!("/v1/orders/{number}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(st, 200);
    number
}

/// The evidence every packet test starts from: `order` posted by the coordinator and assigned to worker
/// `wang`, an enrolled phone that has pulled it, and two distinct GPS photos (`{name}-0`, `{name}-1`)
/// captured on it for the order, photo `i` at longitude `lons[i]`. Not yet synced, so a test can add more.
/// Returns the phone's home and a scratch folder.
pub fn order_with_two_photos(w: &crate::world::World, order: serde_json::Value, name: &str, lons: [&str; 2]) -> (PathBuf, PathBuf) {
    orders_with_two_photos(w, vec![order], name, lons)
}

/// [`order_with_two_photos`] for several orders on one phone: each order gets its own two photos
/// (`{name}-{order index}-{i}`, cycling through the GPS samples, so every photo is a distinct original).
pub fn orders_with_two_photos(w: &crate::world::World, orders: Vec<serde_json::Value>, name: &str, lons: [&str; 2]) -> (PathBuf, PathBuf) {
    let numbers: Vec<String> = orders.into_iter().map(|o| post_assigned_order(w, o)).collect();
    let home = w.device("phone", None);
    let scratch = w.dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    assert!(crate::cli(&home).args(["--json", "sync"]).output().unwrap().status.success());
    let samples = crate::media::GPS_SAMPLES;
    for (k, number) in numbers.iter().enumerate() {
        for (i, lon) in lons.iter().enumerate() {
            let tag = if numbers.len() == 1 { format!("{name}-{i}") } else { format!("{name}-{k}-{i}") };
            let p = crate::media::distinct_photo(&scratch, samples[(2 * k + i) % samples.len()], &tag);
            crate::cli_json(&home, &["capture", "photo", p.to_str().unwrap(), "--order", number, "--lat", "39.9087", "--lon", lon]);
        }
    }
    (home, scratch)
}

/// A rectification order's evidence: `order` posted and assigned to worker `wang`, an enrolled phone that has
/// pulled it, a 现场核实 visit with photo `{name}-before` at longitude 116.3970 and then a 整改 visit with photo
/// `{name}-after` some 8 m east at 116.3971, so the server proposes the two as a before/after pair. Synced.
/// Returns the phone's home and the (before, after) item ids.
pub fn order_with_before_and_after(w: &crate::world::World, order: serde_json::Value, name: &str) -> (PathBuf, String, String) {
    let number = order["number"].as_str().expect("the order has a number").to_string();
    let (st, body) = w.coordinator_send(reqwest::Method::POST, "/v1/orders", order);
    assert_eq!(st, 201, "{body}");
    let (st, _) = w.coordinator_send(reqwest::Method::POST, &format!("/v1/orders/{number}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(st, 200);
    let home = w.device(name, None);
    let scratch = w.dir.path().join(format!("scratch-{name}"));
    std::fs::create_dir_all(&scratch).unwrap();
    assert!(crate::cli(&home).args(["--json", "sync"]).output().unwrap().status.success());
    let mut items = Vec::new();
    for (i, (purpose, lon)) in [("现场核实", "116.3970"), ("整改", "116.3971")].into_iter().enumerate() {
        let visit =
            crate::cli_json(&home, &["visits", "start", "--order", &number, "--purpose", purpose, "--lat", "39.9087", "--lon", lon]);
        let visit = visit["id"].as_str().expect("a visit id").to_string();
        let tag = format!("{name}-{}", if i == 0 { "before" } else { "after" });
        let photo = crate::media::distinct_photo(&scratch, crate::media::GPS_SAMPLES[i], &tag);
        let item = crate::cli_json(
            &home,
            &["capture", "photo", photo.to_str().unwrap(), "--order", &number, "--visit", &visit, "--lat", "39.9087", "--lon", lon],
        );
        items.push(item["item_id"].as_str().expect("an item id").to_string());
        crate::cli_json(&home, &["visits", "end", &visit]);
    }
    let out = crate::cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let after = items.pop().expect("two photos");
    let before = items.pop().expect("two photos");
    (home, before, after)
}

/// Unpacks a packet into a fresh empty folder, as the GUIDE asks.
pub fn unpack(packet: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    zip::ZipArchive::new(std::fs::File::open(packet).unwrap()).unwrap().extract(dir).unwrap();
}

/// How many commands the GUIDE gives (its fenced lines), each run literally by [`run_guide`].
pub const GUIDE_COMMANDS: usize = 6;

/// Runs each command of the unpacked packet's own GUIDE.txt with bash, in order; returns each one's text, success and output.
pub fn run_guide(dir: &Path) -> Vec<(String, bool, String)> {
    let guide = std::fs::read_to_string(dir.join(siteproof_core::packet::layout::GUIDE)).unwrap();
    let commands = siteproof_core::packet::guide::guide_commands(&guide);
    assert_eq!(commands.len(), GUIDE_COMMANDS, "the GUIDE gives {GUIDE_COMMANDS} commands: {commands:?}");
    commands
        .into_iter()
        .map(|command| {
            let out = Command::new("bash").args(["-o", "pipefail", "-c", &command]).current_dir(dir).env("LC_ALL", "C").output().unwrap();
            let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            (command, out.status.success(), printed)
        })
        .collect()
}

/// `siteproof verify`'s exit status for an intact packet whose signer no `--server-key` pinned
/// (`cli/src/packet_verify.rs`); 0 is earned only by a pinned, intact packet.
pub const VERIFY_INTACT_UNPINNED: i32 = 5;
/// `siteproof verify`'s exit status for a packet with a problem (altered, missing or extra member, wrong signer).
pub const VERIFY_PROBLEM: i32 = 3;

/// What one `siteproof verify` run said.
pub struct Verified {
    /// The exit status.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Verified {
    /// Everything printed, stdout then stderr.
    pub fn printed(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Intact with no key pinned (true) or a problem (false); any other status (bad input, a crash) fails the test.
    pub fn intact_unpinned(&self) -> bool {
        match self.status {
            VERIFY_INTACT_UNPINNED => true,
            VERIFY_PROBLEM => false,
            other => {
                panic!("verify exits {VERIFY_INTACT_UNPINNED} (intact) or {VERIFY_PROBLEM} (a problem), not {other}:\n{}", self.printed())
            }
        }
    }

    /// The `report` of a `--json` run.
    pub fn report(&self) -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("verify printed no JSON ({e}): {}", self.printed()));
        v["report"].clone()
    }
}

/// The (file, kind) of every problem a verify report names.
pub fn report_problems(report: &serde_json::Value) -> Vec<(String, String)> {
    report["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("a report lists its problems: {report}"))
        .iter()
        .map(|p| (p["file"].as_str().unwrap().to_string(), p["kind"].as_str().unwrap().to_string()))
        .collect()
}

/// `siteproof [--json] verify [--server-key FP] FILE` (no device home needed).
pub fn verify_packet(file: &Path, pin: Option<&str>, json: bool) -> Verified {
    let mut c = Command::new(crate::cli_bin());
    if json {
        c.arg("--json");
    }
    c.arg("verify");
    if let Some(fp) = pin {
        c.args(["--server-key", fp]);
    }
    let out = c.arg(file).output().unwrap();
    Verified {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `siteproof [--json] verify FILE` with no pinned key: exit status and what it printed (with `json`, stdout only).
pub fn verify_unpinned(file: &Path, json: bool) -> (i32, String) {
    let v = verify_packet(file, None, json);
    let printed = if json { v.stdout.clone() } else { v.printed() };
    (v.status, printed)
}
