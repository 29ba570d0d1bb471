//! Kills the real CLI at random instants while it captures, hundreds of times,
//! and checks after each kill that the store holds either the whole item or
//! nothing: SQLite intact, every row's blob present and correct, no orphan
//! files, no duplicate items, and the signed chain still verifies.

use std::process::Stdio;
use std::time::Instant;

use rand::Rng;
use siteproof_tests::{audit_store, cli, cli_json, exif_samples, unique_jpeg};

const TRIALS: usize = 200;

#[test]
fn random_kills_during_capture_never_corrupt_the_store() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let src = std::fs::read(exif_samples().join("jpg/gps/DSCN0010.jpg")).unwrap();
    cli_json(home.path(), &["init"]);

    // Calibrate: how long an undisturbed capture takes here, so kills spread over its whole span.
    let mut runs = Vec::new();
    for i in 0..5 {
        let f = work.path().join(format!("cal{i}.jpg"));
        std::fs::write(&f, unique_jpeg(&src, &format!("calibration {i}"))).unwrap();
        let t = Instant::now();
        cli_json(home.path(), &["capture", "photo", f.to_str().unwrap()]);
        runs.push(t.elapsed());
    }
    runs.sort();
    let span = runs[2].mul_f64(1.3);

    let mut rng = rand::thread_rng();
    let (mut killed, mut completed) = (0, 0);
    let mut expected_entries = 5;
    for trial in 0..TRIALS {
        let f = work.path().join(format!("t{trial}.jpg"));
        let bytes = unique_jpeg(&src, &format!("trial {trial}"));
        let sha = siteproof_core::evidence::sha256_hex(&bytes);
        std::fs::write(&f, &bytes).unwrap();
        let mut child = cli(home.path())
            .args(["--json", "capture", "photo", f.to_str().unwrap(), "--lat", "39.9", "--lon", "116.4"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(span.mul_f64(rng.gen_range(0.0..1.0)));
        let finished_before_kill = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let status = child.wait().unwrap();
        let succeeded = finished_before_kill && status.success();
        if succeeded {
            completed += 1
        } else {
            killed += 1
        }

        // Reopening runs recovery; verify must pass whatever instant the kill hit.
        let report = cli_json(home.path(), &["verify"]);
        assert_eq!(report["ok"], true, "trial {trial}: chain does not verify: {report}");
        let audit = audit_store(home.path());
        assert!(audit.problems.is_empty(), "trial {trial}: {:?}", audit.problems);
        let db = rusqlite::Connection::open(home.path().join("store/siteproof.db")).unwrap();
        let n: i64 = db.query_row("SELECT count(*) FROM entries WHERE media_sha256 = ?1", [&sha], |r| r.get(0)).unwrap();
        assert!(n <= 1, "trial {trial}: captured twice");
        if succeeded {
            assert_eq!(n, 1, "trial {trial}: a capture that reported success is missing");
        }
        expected_entries += n as usize;
        assert_eq!(audit.entries, expected_entries, "trial {trial}: entry count");
        let jobs: i64 = db
            .query_row("SELECT count(*) FROM outbox o JOIN entries e USING (item_id) WHERE e.media_sha256 = ?1 AND o.part IN ('original','manifest')", [&sha], |r| r.get(0))
            .unwrap();
        assert_eq!(jobs, 2 * n, "trial {trial}: a stored item must be queued (original + manifest)");
    }
    eprintln!("crash test: {TRIALS} trials, {killed} killed mid-run, {completed} completed; span {span:?}");
    assert!(killed >= TRIALS / 4, "too few kills landed mid-capture ({killed}); the test would prove nothing");
}
