//! Every bad input gets a typed, one-line error and leaves the existing
//! evidence exactly as it was: empty files, directories, missing files,
//! wrong formats, truncated photos, a full disk. Odd but valid paths
//! (non-UTF-8 bytes) just work.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

use siteproof_tests::{audit_store, cli, cli_json, exif_samples, unique_jpeg};

fn sample() -> Vec<u8> {
    std::fs::read(exif_samples().join("jpg/gps/DSCN0021.jpg")).unwrap()
}

/// Runs a capture that must fail; returns (exit code, stderr).
fn fails(home: &Path, args: &[&OsStr]) -> (i32, String) {
    let out = cli(home).args(args).output().unwrap();
    assert!(!out.status.success(), "expected failure for {args:?}");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "error must be one line: {err:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{err}");
    (out.status.code().unwrap_or(-1), err)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn bad_files_fail_cleanly_and_leave_evidence_untouched() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let good = work.path().join("good.jpg");
    std::fs::write(&good, sample()).unwrap();
    cli_json(home.path(), &["capture", "photo", good.to_str().unwrap()]);

    let empty = work.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let text = work.path().join("notes.jpg");
    std::fs::write(&text, "这不是照片 / not a photo\n").unwrap();
    let truncated = work.path().join("truncated.jpg");
    let s = sample();
    std::fs::write(&truncated, &s[..s.len() / 2]).unwrap();

    let cases: Vec<(Vec<&OsStr>, i32, &str)> = vec![
        (vec![os("capture"), os("photo"), empty.as_os_str()], 2, "empty"),
        (vec![os("capture"), os("photo"), work.path().as_os_str()], 2, "directory"),
        (vec![os("capture"), os("photo"), os("/nonexistent/photo.jpg")], 2, "not found"),
        (vec![os("capture"), os("photo"), text.as_os_str()], 2, "unsupported"),
        (vec![os("capture"), os("photo"), truncated.as_os_str()], 2, "truncated"),
        (vec![os("capture"), os("voice"), good.as_os_str()], 2, "not a voice"),
        (vec![os("capture"), os("photo"), good.as_os_str(), os("--order"), os("NOPE-1")], 2, "nope-1"),
        (vec![os("capture"), os("photo"), good.as_os_str(), os("--lat"), os("91"), os("--lon"), os("0")], 2, "out of range"),
        (vec![os("note"), os("bad\u{7}bell")], 2, "control"),
    ];
    for (args, code, needle) in cases {
        let (got, err) = fails(home.path(), &args);
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(err.to_lowercase().contains(needle), "{args:?}: {err:?} should mention {needle:?}");
    }
    let audit = audit_store(home.path());
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert_eq!(audit.entries, 1, "nothing but the good photo may be stored");
    assert_eq!(cli_json(home.path(), &["verify"])["ok"], true);
}

#[test]
fn non_utf8_path_is_captured() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let name = OsStr::from_bytes(b"\xE7\x85\xa7\xff\xfe.jpg"); // invalid UTF-8 in the middle
    let path = work.path().join(name);
    std::fs::write(&path, sample()).unwrap();
    let out = cli(home.path()).args([os("--json"), os("capture"), os("photo"), path.as_os_str()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(cli_json(home.path(), &["verify"])["report"]["entries"], 1);
}

#[test]
fn full_disk_fails_cleanly_and_keeps_what_was_stored() {
    let mnt = tempfile::tempdir().unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(mnt.path())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("SKIPPED full_disk test: cannot mount a small tmpfs here (needs root)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(mnt.path());
    let home = mnt.path().join("home");
    let work = tempfile::tempdir().unwrap();
    let src = sample();
    let mut stored = 0;
    let mut disk_full = None;
    for i in 0..200 {
        let f = work.path().join(format!("{i}.jpg"));
        std::fs::write(&f, unique_jpeg(&src, &format!("fill {i}"))).unwrap();
        let out = cli(&home).args(["--json", "capture", "photo", f.to_str().unwrap()]).output().unwrap();
        if out.status.success() {
            stored += 1;
        } else {
            disk_full = Some(String::from_utf8_lossy(&out.stderr).to_string());
            break;
        }
    }
    let err = disk_full.expect("a 3 MB disk must fill up");
    assert!(err.contains("disk full"), "want a disk-full error, got {err:?}");
    assert!(stored > 0);
    let audit = audit_store(&home);
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert_eq!(audit.entries, stored, "every accepted capture is still there, nothing more");
}
