//! The generated Kotlin, tested the way uniffi's own harness does it: build
//! the host library, generate the bindings with this workspace's
//! uniffi-bindgen, compile them with the tests and the apps' plain-Kotlin
//! view logic in one kotlinc run, and run JUnit on Java 17 with Debian's JNA
//! against a real siteproof-server process. Tools come from
//! `bindings/tests/setup-jvm.sh`; under CI a missing tool fails the test.

mod support;

use std::process::Command;

use siteproof_tests::world::World;
use support::{bindgen, cdylib, jvm_tools, run};

#[test]
fn kotlin_worker_day_and_view_logic_on_the_jvm() {
    let Some(tools) = jvm_tools() else { return };
    let lib = cdylib();
    let work = tempfile::tempdir().unwrap();
    let gen = work.path().join("gen");
    run(Command::new(bindgen())
        .args(["generate", "--no-format", "--language", "kotlin", "--out-dir"])
        .arg(&gen)
        .arg(&lib));
    let generated = gen.join("org/siteproof/core/siteproof.kt");
    let text = std::fs::read_to_string(&generated).expect("bindgen wrote siteproof.kt");
    assert!(!text.contains("import android."), "JVM-test bindings must not import android.*");
    assert!(!text.contains("kotlinx.coroutines"), "blocking API only: the bindings must need nothing but JNA");

    let root = siteproof_tests::repo_root();
    let classes = work.path().join("classes");
    // One kotlinc run for everything: the compiler's start-up dominates.
    run(Command::new(&tools.kotlinc)
        .arg("-nowarn")
        .arg("-d")
        .arg(&classes)
        .arg("-cp")
        .arg(tools.compile_classpath())
        .arg(&gen)
        .arg(root.join("bindings/tests/kotlin"))
        .arg(root.join("android/shared-logic/src/main/kotlin"))
        .arg(root.join("android/shared-logic/src/test/kotlin")));

    // The coordinator's side: a community server with an order dispatched to worker wang.
    let world = World::new();
    let deadline = chrono_free_now_ms() + 5 * 3_600_000;
    let post = reqwest::Method::POST;
    let (st, body) = world.coordinator_send(post.clone(), "/v1/orders", serde_json::json!({
        "number": "2026112300123", "kind": "complaint", "category": "噪音", "address": "幸福里5号楼",
        "complainant": "李先生 13700001234", "content": "夜间施工噪音扰民", "deadline_ms": deadline}));
    assert_eq!(st, 201, "{body}");
    let (st, body) = world.coordinator_send(post, "/v1/orders/2026112300123/assign", serde_json::json!({"worker": "wang"}));
    assert_eq!(st, 200, "{body}");

    let samples = siteproof_tests::exif_samples().join("jpg/gps");
    let out = Command::new(&tools.java)
        .arg(format!("-Djna.library.path={}", lib.parent().unwrap().display()))
        .arg("-cp")
        .arg(tools.run_classpath(&classes))
        .args(["org.junit.runner.JUnitCore", "org.siteproof.core.WorkerDayTest", "org.siteproof.ui.SharedLogicTest"])
        .env("SITEPROOF_SERVER_URL", &world.server.url)
        .env("SITEPROOF_ENROLL_CODE", world.enroll_code())
        .env("SITEPROOF_PHOTO", samples.join("DSCN0010.jpg"))
        .env("SITEPROOF_PHOTO2", samples.join("DSCN0012.jpg"))
        .env("SITEPROOF_VOICE", siteproof_tests::fixtures().join("audio/note.m4a"))
        .env("SITEPROOF_WORK_DIR", work.path())
        .output()
        .expect("run java");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Kotlin tests failed (output above)");
    assert!(stdout.contains("OK (6 tests)"), "expected all 6 Kotlin tests to run:\n{stdout}");
}

fn chrono_free_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}
