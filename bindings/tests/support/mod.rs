//! What the binding tests share: the host build of the library, this
//! workspace's uniffi-bindgen, the server-side world both languages' tests
//! walk through, and the JVM toolchain, with the rule that a missing tool
//! skips loudly on a developer's machine but fails under CI.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use siteproof_tests::world::World;

/// The host cdylib of siteproof-ffi, built with the rest of the workspace from the current sources.
pub fn cdylib() -> PathBuf {
    let dir = siteproof_tests::build_workspace();
    let lib = dir.join(format!("{}siteproof_ffi{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
    assert!(lib.is_file(), "{} was not built", lib.display());
    lib
}

/// This workspace's uniffi-bindgen (same uniffi release as the library).
pub fn bindgen() -> PathBuf {
    siteproof_tests::build_bin("siteproof-uniffi-bindgen", "uniffi-bindgen")
}

/// Generates `language` bindings from `lib` into `out` (optionally with a config file).
pub fn generate(language: &str, lib: &Path, out: &Path, config: Option<&Path>) {
    let mut cmd = Command::new(bindgen());
    cmd.args(["generate", "--no-format", "--language", language, "--out-dir"]).arg(out);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    run(cmd.arg(lib));
}

/// The order number the coordinator dispatches to worker wang (the tests expect it in the inbox).
pub const DISPATCHED: &str = "2026112300123";

/// A real server with one order dispatched to wang, and the environment the
/// Kotlin and Swift worker-day tests read: server URL, enrolment code, fixtures, work dir.
pub fn worker_day_world(work: &Path) -> (World, Vec<(&'static str, String)>) {
    let world = World::new();
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let post = reqwest::Method::POST;
    let (st, body) = world.coordinator_send(
        post.clone(),
        "/v1/orders",
        serde_json::json!({
        "number": DISPATCHED, "kind": "complaint", "category": "噪音", "address": "幸福里5号楼",
        "complainant": "李先生 13700001234", "content": "夜间施工噪音扰民", "deadline_ms": now_ms + 5 * 3_600_000}),
    );
    assert_eq!(st, 201, "{body}");
    let (st, body) = world.coordinator_send(post, &format!("/v1/orders/{DISPATCHED}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(st, 200, "{body}");
    let samples = siteproof_tests::exif_samples().join("jpg/gps");
    let path = |p: PathBuf| p.display().to_string();
    let env = vec![
        ("SITEPROOF_SERVER_URL", world.server.url.clone()),
        ("SITEPROOF_ENROLL_CODE", world.enroll_code()),
        ("SITEPROOF_PHOTO", path(samples.join("DSCN0010.jpg"))),
        ("SITEPROOF_PHOTO2", path(samples.join("DSCN0012.jpg"))),
        ("SITEPROOF_VOICE", path(siteproof_tests::fixtures().join("audio/note.m4a"))),
        ("SITEPROOF_HEIC", path(siteproof_tests::exif_samples().join("heic/mobile/iphone_13_pro_max.HEIC"))),
        // 100 × 68 pixels: small enough to stand for both a platform thumbnail and preview.
        ("SITEPROOF_SMALL_JPEG", path(siteproof_tests::exif_samples().join("jpg/Canon_40D.jpg"))),
        ("SITEPROOF_VIDEO", path(siteproof_tests::fixtures().join("video/clip.mp4"))),
        ("SITEPROOF_WORK_DIR", path(work.to_path_buf())),
    ];
    (world, env)
}

/// Runs a command that must succeed, showing its output if it does not.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed:\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// True when running in CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The JVM side: java, kotlinc with its stdlib, JNA and JUnit 4.
pub struct JvmTools {
    pub java: PathBuf,
    pub kotlinc: PathBuf,
    pub kotlin_stdlib: PathBuf,
    pub jna: PathBuf,
    pub junit: PathBuf,
    pub hamcrest: PathBuf,
}

impl JvmTools {
    /// What the sources compile against.
    pub fn compile_classpath(&self) -> String {
        join(&[&self.jna, &self.junit])
    }

    /// What the tests run with.
    pub fn run_classpath(&self, classes: &Path) -> String {
        join(&[classes, &self.kotlin_stdlib, &self.jna, &self.junit, &self.hamcrest])
    }
}

fn join(paths: &[&Path]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(":")
}

/// Installs (idempotently) and finds the JVM tools; None means "skip", which CI never allows.
pub fn jvm_tools() -> Option<JvmTools> {
    let root = siteproof_tests::repo_root();
    let setup = Command::new("bash").arg(root.join("bindings/tests/setup-jvm.sh")).output();
    let setup_log = match &setup {
        Ok(o) => format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
        Err(e) => e.to_string(),
    };
    let kotlin = root.join("tools/kotlinc");
    let tools = JvmTools {
        java: PathBuf::from("/usr/bin/java"),
        kotlinc: kotlin.join("bin/kotlinc"),
        kotlin_stdlib: kotlin.join("lib/kotlin-stdlib.jar"),
        jna: PathBuf::from("/usr/share/java/jna.jar"),
        junit: PathBuf::from("/usr/share/java/junit4.jar"),
        hamcrest: PathBuf::from("/usr/share/java/hamcrest-core.jar"),
    };
    let missing: Vec<String> = [&tools.java, &tools.kotlinc, &tools.kotlin_stdlib, &tools.jna, &tools.junit, &tools.hamcrest]
        .into_iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(tools);
    }
    let msg = format!("Kotlin binding tests cannot run, missing {missing:?}; setup said:\n{setup_log}");
    if in_ci() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED (not under CI): {msg}");
    None
}
