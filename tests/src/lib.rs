//! Shared harness of the end-to-end tests: locating the real binaries,
//! fixtures, and checking a store's invariants from the outside.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub mod failing_front;
pub mod media;
pub mod packet_files;
pub mod proxy;
pub mod server;
pub mod tsa;
pub mod world;
pub mod zip_craft;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// `../shared/fixtures/exif-samples`, beside the repository.
pub fn exif_samples() -> PathBuf {
    repo_root().join("../shared/fixtures/exif-samples")
}

/// Our own generated fixtures under `tests/fixtures`.
pub fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// The `siteproof` CLI binary, built once per test run from the current sources.
pub fn cli_bin() -> PathBuf {
    build_bin("siteproof", "siteproof")
}

/// Where this test binary's profile puts binaries and libraries (`target/<profile>`).
pub fn profile_dir() -> PathBuf {
    // The test binary lives in target/<profile>/deps; binaries one level up.
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf()
}

/// Builds every binary and library of the workspace, once per test process,
/// with the same profile as the running test.
///
/// Always the whole workspace with its tests, never `-p PACKAGE`: cargo
/// unifies dependency features over what it is asked to build (dev-dependencies
/// included only when tests are), so building one package alone, or the
/// binaries without the tests, compiles a second copy of serde, reqwest, tokio
/// and the rest with other features: minutes on a 2-core machine, once per
/// package. These flags are exactly those of the build in `scripts/test.sh`,
/// so here it is a no-op. `SITEPROOF_WORKSPACE_BUILT=1`
/// (set by the test script right after that build) skips even the no-op.
pub fn build_workspace() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = profile_dir();
            if std::env::var("SITEPROOF_WORKSPACE_BUILT").is_ok_and(|v| v == "1") {
                return dir;
            }
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "--workspace", "--bins", "--lib", "--tests"]).current_dir(repo_root());
            // Benchmarks run from target/release: measure release binaries, not debug ones.
            if dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("run cargo build");
            assert!(status.success(), "building the workspace failed");
            dir
        })
        .clone()
}

/// A workspace binary built from the current sources (see [`build_workspace`]).
pub fn build_bin(package: &str, bin: &str) -> PathBuf {
    let path = build_workspace().join(bin);
    assert!(path.is_file(), "{} (package {package}) was not built", path.display());
    path
}

/// A `siteproof --home HOME ...` command.
pub fn cli(home: &Path) -> Command {
    let mut c = Command::new(cli_bin());
    c.arg("--home").arg(home);
    c
}

/// Runs a command to completion with stdout discarded; returns its exit code (-1 when
/// killed by a signal), its stderr and its own peak RSS in KiB (wait4's rusage: only this
/// child, unlike RUSAGE_CHILDREN, which other tests' children would blur).
pub fn peak_rss(mut c: Command) -> (i32, String, i64) {
    use std::io::Read;
    // Reaped below by wait4, which clippy does not see.
    #[allow(clippy::zombie_processes)]
    let mut child = c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().expect("spawn");
    let mut stderr = String::new();
    child.stderr.take().expect("piped stderr").read_to_string(&mut stderr).expect("read stderr");
    let mut status = 0;
    // SAFETY: rusage is plain data; zeroed is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting on our own child's pid with out-pointers we own.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut ru) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    (code, stderr, ru.ru_maxrss)
}

/// Runs a CLI command that must succeed and returns its stdout parsed as JSON.
pub fn cli_json(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = cli(home).arg("--json").args(args).output().expect("run siteproof");
    assert!(
        out.status.success(),
        "siteproof {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("siteproof {args:?} printed non-JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// A JPEG that is byte-distinct from the fixture but still a complete JPEG:
/// a COM segment carrying `tag` is inserted after the SOI marker.
pub fn unique_jpeg(src: &[u8], tag: &str) -> Vec<u8> {
    assert_eq!(&src[..2], &[0xFF, 0xD8], "not a JPEG");
    let payload = tag.as_bytes();
    let len = (payload.len() + 2) as u16;
    let mut out = Vec::with_capacity(src.len() + payload.len() + 4);
    out.extend_from_slice(&src[..2]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&src[2..]);
    out
}

/// Facts about a store read straight from its files, independent of the core's own checks.
#[derive(Debug)]
pub struct StoreAudit {
    /// Entries in the chain.
    pub entries: usize,
    /// Problems found; empty means sound.
    pub problems: Vec<String>,
}

/// Checks a CLI home's store: SQLite integrity, every referenced blob present and
/// hashing right, no unreferenced files, no leftover temp files, no duplicate media rows.
pub fn audit_store(home: &Path) -> StoreAudit {
    let store = home.join("store");
    let conn = rusqlite::Connection::open(store.join("siteproof.db")).expect("open db");
    let mut problems = Vec::new();
    let ic: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    if ic != "ok" {
        problems.push(format!("integrity_check: {ic}"));
    }
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    if fk != 0 {
        problems.push(format!("{fk} foreign key violations"));
    }
    let mut referenced = std::collections::HashSet::new();
    let mut stmt = conn.prepare("SELECT sha256, pruned_at_ms IS NOT NULL FROM blobs").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))).unwrap() {
        let (sha, pruned) = row.unwrap();
        referenced.insert(sha.clone());
        if pruned {
            continue;
        }
        let path = store.join("blobs").join(&sha[..2]).join(&sha);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let got = siteproof_core::evidence::sha256_hex(&bytes);
                if got != sha {
                    problems.push(format!("blob {sha} hashes to {got}"));
                }
            }
            Err(e) => problems.push(format!("blob {sha} missing: {e}")),
        }
    }
    for shard in std::fs::read_dir(store.join("blobs")).unwrap() {
        let shard = shard.unwrap();
        if shard.file_name() == "tmp" {
            let n = std::fs::read_dir(shard.path()).unwrap().count();
            if n > 0 {
                problems.push(format!("{n} leftover temp files"));
            }
            continue;
        }
        for f in std::fs::read_dir(shard.path()).unwrap() {
            let name = f.unwrap().file_name().to_string_lossy().into_owned();
            if !referenced.contains(&name) {
                problems.push(format!("orphan blob file {name}"));
            }
        }
    }
    let dup: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT media_sha256 FROM entries WHERE media_sha256 IS NOT NULL
             GROUP BY media_sha256 HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if dup != 0 {
        problems.push(format!("{dup} media captured into more than one entry"));
    }
    let entries: i64 = conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0)).unwrap();
    StoreAudit { entries: entries as usize, problems }
}

/// Wall-clock time in Unix milliseconds, for order deadlines and clock checks in tests.
pub use siteproof_protocol::time::now_ms;
