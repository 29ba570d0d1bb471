//! The generated Swift and its XCTest suite (ios/SiteproofKit/Tests), which
//! mirrors the Kotlin worker-day test. With a Swift toolchain on PATH (a Mac,
//! or Linux with swift), this builds a throwaway Swift package from the
//! freshly generated bindings and the host library and runs `swift test`
//! against a real server. These CI machines have no Swift compiler: then the
//! test says so plainly and checks what it can without one: the bindings
//! generate, and every call the Swift tests make exists in them.

mod support;

use std::path::Path;
use std::process::Command;

use support::{cdylib, generate, worker_day_world};

const SWIFT_TESTS: &str = "ios/SiteproofKit/Tests/SiteproofKitTests/WorkerDayTests.swift";

#[test]
fn swift_bindings_and_worker_day_tests() {
    let lib = cdylib();
    let work = tempfile::tempdir().unwrap();
    let gen = work.path().join("gen");
    generate("swift", &lib, &gen, None);
    for f in ["SiteproofFFI.swift", "SiteproofFFIC.h", "SiteproofFFIC.modulemap"] {
        assert!(gen.join(f).is_file(), "bindgen did not write {f}");
    }
    let bindings = std::fs::read_to_string(gen.join("SiteproofFFI.swift")).unwrap();
    let tests = std::fs::read_to_string(siteproof_tests::repo_root().join(SWIFT_TESTS)).unwrap();
    let missing: Vec<String> = called_functions(&tests)
        .into_iter()
        .filter(|f| !bindings.contains(&format!("func {f}(")) && !bindings.contains(&format!("func `{f}`(")))
        .collect();
    assert!(missing.is_empty(), "the Swift tests call functions the bindings do not have: {missing:?}");

    if Command::new("swift").arg("--version").output().is_err() {
        let msg = "Swift tests NOT run here: this machine has no Swift compiler. The Swift bindings were \
                   generated and the test suite's calls checked against them; run \
                   `cargo test -p siteproof-ffi --test swift` on a Mac to run the XCTest suite.";
        eprintln!("{msg}");
        println!("{msg}");
        return;
    }
    let pkg = work.path().join("pkg");
    write_host_package(&pkg, &gen, &lib);
    let (_world, env) = worker_day_world(work.path());
    let lib_dir = lib.parent().unwrap().display().to_string();
    let out = Command::new("swift")
        .arg("test")
        .current_dir(&pkg)
        .envs(env)
        .env("LD_LIBRARY_PATH", &lib_dir)
        .env("DYLD_LIBRARY_PATH", &lib_dir)
        .output()
        .expect("run swift test");
    println!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Swift tests failed (output above)");
}

/// Names of the functions and methods the Swift test source calls (`name(` after `.` or `try `).
fn called_functions(src: &str) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    let bytes = src.as_bytes();
    for (i, _) in src.match_indices('(') {
        let start = src[..i].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |p| p + 1);
        let name = &src[start..i];
        let before = src[..start].trim_end();
        let is_call_site = start > 0 && (bytes[start - 1] == b'.' || before.ends_with("try") || before.ends_with('='));
        let ours = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && !name.starts_with("XCT")
            && !matches!(
                name,
                "env"
                    | "fix"
                    | "message"
                    | "nowMs"
                    | "abs"
                    | "contains"
                    | "first"
                    | "map"
                    | "append"
                    | "count"
                    | "lock"
                    | "unlock"
                    | "prefix"
                    | "write"
                    | "appendingPathComponent"
                    | "contents"
                    | "attributesOfItem"
                    | "random"
                    | "withUnsafeMutableBytes"
                    | "isCancelled"
                    | "onProgress"
                    | "isEmpty"
            );
        if is_call_site && ours {
            names.insert(name.to_string());
        }
    }
    names.into_iter().collect()
}

/// A Swift package that links the generated bindings against the host build of the library.
fn write_host_package(pkg: &Path, gen: &Path, lib: &Path) {
    let c = pkg.join("Sources/SiteproofFFIC");
    let s = pkg.join("Sources/SiteproofFFI");
    let t = pkg.join("Tests/SiteproofKitTests");
    for d in [&c, &s, &t] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::copy(gen.join("SiteproofFFIC.h"), c.join("SiteproofFFIC.h")).unwrap();
    std::fs::copy(gen.join("SiteproofFFIC.modulemap"), c.join("module.modulemap")).unwrap();
    std::fs::copy(gen.join("SiteproofFFI.swift"), s.join("SiteproofFFI.swift")).unwrap();
    std::fs::copy(siteproof_tests::repo_root().join(SWIFT_TESTS), t.join("WorkerDayTests.swift")).unwrap();
    let lib_dir = lib.parent().unwrap().display();
    std::fs::write(
        pkg.join("Package.swift"),
        format!(
            r#"// swift-tools-version:5.9
import PackageDescription
let package = Package(
    name: "SiteproofHostTests",
    targets: [
        .systemLibrary(name: "SiteproofFFIC", path: "Sources/SiteproofFFIC"),
        .target(name: "SiteproofFFI", dependencies: ["SiteproofFFIC"], path: "Sources/SiteproofFFI",
                linkerSettings: [.unsafeFlags(["-L{lib_dir}"]), .linkedLibrary("siteproof_ffi")]),
        .testTarget(name: "SiteproofKitTests", dependencies: ["SiteproofFFI"], path: "Tests/SiteproofKitTests"),
    ]
)
"#
        ),
    )
    .unwrap();
}

#[test]
fn the_call_scanner_finds_method_and_free_function_calls() {
    let src = "let d = try SiteproofDevice.open(storeDir: x)\nlet r = try d.capturePhoto(path: p)\n\
               XCTAssertEqual(vocabulary(kind: .tagType).map(\\.zh), [])\nlet c = try captureContextNow(fix: nil)";
    let names = called_functions(src);
    assert!(names.contains(&"open".to_string()), "{names:?}");
    assert!(names.contains(&"capturePhoto".to_string()), "{names:?}");
    assert!(names.contains(&"captureContextNow".to_string()), "{names:?}");
    assert!(!names.contains(&"map".to_string()), "{names:?}");
}
