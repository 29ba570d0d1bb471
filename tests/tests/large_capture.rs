//! A long recording must be captured by streaming: a 500 MB voice note may
//! not grow the capturing process's resident memory by more than 64 MB.
//! Memory, unlike time, is a stable quantity to assert on a shared machine.

use std::process::Command;

use siteproof_tests::media::write_wav;
use siteproof_tests::{cli, cli_json, peak_rss};

const SIZE: u64 = 500 * 1024 * 1024;
const LIMIT_KB: i64 = 64 * 1024;

/// Runs a command that must succeed and returns its peak RSS in KiB.
fn peak_rss_kb(c: Command) -> i64 {
    let (code, stderr, rss) = peak_rss(c);
    assert_eq!(code, 0, "capture failed: {stderr}");
    rss
}

#[test]
fn capturing_500_mb_keeps_memory_flat() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let small = work.path().join("small.wav");
    let big = work.path().join("big.wav");
    write_wav(&small, 64 * 1024, 1);
    write_wav(&big, SIZE, 2);

    cli_json(home.path(), &["init"]);
    let mut c = cli(home.path());
    c.args(["capture", "voice", small.to_str().unwrap()]);
    let baseline = peak_rss_kb(c);

    let mut c = cli(home.path());
    c.args(["capture", "voice", big.to_str().unwrap()]);
    let peak = peak_rss_kb(c);
    let growth = peak - baseline;
    eprintln!("500 MB capture: baseline {baseline} KiB, peak {peak} KiB, growth {growth} KiB");
    assert!(growth < LIMIT_KB, "resident memory grew by {growth} KiB capturing 500 MB (limit {LIMIT_KB} KiB)");

    let items = cli_json(home.path(), &["items"]);
    assert_eq!(items[1]["bytes"], SIZE);
    assert_eq!(cli_json(home.path(), &["verify"])["ok"], true);
}
