//! A long recording must be captured by streaming: a 500 MB voice note may
//! not grow the capturing process's resident memory by more than 64 MB.
//! Memory, unlike time, is a stable quantity to assert on a shared machine.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use siteproof_tests::{cli, cli_json};

const SIZE: u64 = 500 * 1024 * 1024;
const LIMIT_KB: i64 = 64 * 1024;

/// A PCM WAV header for `data_len` bytes of 16-bit mono 44.1 kHz audio.
fn wav_header(data_len: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data_len).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes()); // PCM
    h.extend_from_slice(&1u16.to_le_bytes()); // mono
    h.extend_from_slice(&44_100u32.to_le_bytes());
    h.extend_from_slice(&88_200u32.to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_len.to_le_bytes());
    h
}

fn write_wav(path: &Path, total: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(&wav_header((total - 44) as u32)).unwrap();
    // A low-volume tone rather than zeros, so nothing can shortcut the content.
    let block: Vec<u8> = (0..1u32 << 20).map(|i| ((i * 7) % 251) as u8).collect();
    let mut left = total - 44;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
}

/// Runs a command to completion and returns its own peak RSS in KiB (wait4's rusage).
fn peak_rss_kb(mut c: Command) -> i64 {
    let child = c.stdout(std::process::Stdio::null()).spawn().unwrap();
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting on our own child's pid with out-pointers we own.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut ru) };
    assert_eq!(pid, child.id() as libc::pid_t);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "capture failed: status {status}");
    ru.ru_maxrss
}

#[test]
fn capturing_500_mb_keeps_memory_flat() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let small = work.path().join("small.wav");
    let big = work.path().join("big.wav");
    write_wav(&small, 64 * 1024);
    write_wav(&big, SIZE);

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
