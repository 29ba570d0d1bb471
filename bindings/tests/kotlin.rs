//! The generated Kotlin, tested the way uniffi's own harness does it: build
//! the host library, generate the bindings with this workspace's
//! uniffi-bindgen, compile them with the tests and the apps' plain-Kotlin
//! view logic in one kotlinc run, and run JUnit on Java 17 with Debian's JNA
//! against a real siteproof-server process. Tools come from
//! `bindings/tests/setup-jvm.sh`; under CI a missing tool fails the test.

mod support;

use std::process::Command;

use support::{cdylib, generate, jvm_tools, run, worker_day_world};

#[test]
fn kotlin_worker_day_and_view_logic_on_the_jvm() {
    let Some(tools) = jvm_tools() else { return };
    let lib = cdylib();
    let work = tempfile::tempdir().unwrap();
    let gen = work.path().join("gen");
    generate("kotlin", &lib, &gen, None);
    let generated = gen.join("org/siteproof/core/siteproof.kt");
    let text = std::fs::read_to_string(&generated).expect("bindgen wrote siteproof.kt");
    assert!(!text.contains("import android."), "JVM-test bindings must not import android.*");
    assert!(!text.contains("kotlinx.coroutines"), "blocking API only: the bindings must need nothing but JNA");
    // The Android app's Gradle task passes uniffi-android.toml: it must switch the Android cleaner on.
    let android_gen = work.path().join("gen-android");
    let android_config = siteproof_tests::repo_root().join("bindings/uniffi-android.toml");
    generate("kotlin", &lib, &android_gen, Some(&android_config));
    let android_text = std::fs::read_to_string(android_gen.join("org/siteproof/core/siteproof.kt")).unwrap();
    assert!(android_text.contains("import android.os.Build"), "uniffi-android.toml did not take effect");

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

    let (_world, env) = worker_day_world(work.path());
    let out = Command::new(&tools.java)
        .arg(format!("-Djna.library.path={}", lib.parent().unwrap().display()))
        .arg("-cp")
        .arg(tools.run_classpath(&classes))
        .args(["org.junit.runner.JUnitCore", "org.siteproof.core.WorkerDayTest", "org.siteproof.ui.SharedLogicTest"])
        .envs(env)
        .output()
        .expect("run java");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Kotlin tests failed (output above)");
    assert!(stdout.contains("OK (9 tests)"), "expected all 9 Kotlin tests to run:\n{stdout}");
}
