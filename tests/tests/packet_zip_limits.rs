//! `siteproof verify` on hostile ZIPs: a zip bomb must be refused with
//! bounded memory (it once drove the verifier to 1.5 GiB and an abort), and
//! an archive a streaming unzipper would read differently from the central
//! directory (another name in a local header, bytes hidden between entries)
//! must be refused with exit 3, so nothing can be extracted that verify did
//! not check. Memory is asserted, never time.

use std::io::Cursor;
use std::process::Command;

use siteproof_core::packet::{layout, PacketHeader, PacketWriter};
use siteproof_tests::zip_craft::{build_zip, insert_unlisted, second_local_header, CraftEntry};
use siteproof_tests::{cli, peak_rss};

/// Generous: the verifier streams, so it needs a few MiB; the bomb once took 1.5 GiB.
const RSS_LIMIT_KB: i64 = 200 * 1024;

fn verify(zip: &[u8]) -> (i32, String, i64) {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let path = dir.path().join("packet.zip");
    std::fs::write(&path, zip).unwrap();
    let mut c: Command = cli(home.path());
    c.arg("verify").arg(&path);
    peak_rss(c)
}

#[test]
fn a_zip_bomb_is_refused_with_bounded_memory() {
    // The reported shape: 96 entries of 16 MiB that compress to a few KiB each, one stream reused.
    let one = CraftEntry::deflated("bomb", &vec![0u8; 16 << 20]);
    let entries: Vec<CraftEntry> = (0..96).map(|i| CraftEntry { name: format!("bomb-{i}.bin"), ..one.clone() }).collect();
    let zip = build_zip(&entries, None);
    assert!(zip.len() < 2 << 20, "the bomb is small: {} bytes", zip.len());
    let (code, stderr, rss) = verify(&zip);
    eprintln!("zip bomb: exit {code}, peak RSS {rss} KiB: {stderr}");
    assert!(rss < RSS_LIMIT_KB, "verify used {rss} KiB on a {} byte zip bomb", zip.len());
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("压缩炸弹") && stderr.contains("zip bomb"), "{stderr}");
}

/// A packet that verifies: the server key, a guide, a report and the signed index.
fn valid_packet() -> Vec<u8> {
    let key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let mut w = PacketWriter::new(Cursor::new(Vec::new()));
    w.add_bytes(layout::SERVER_KEY, layout::key_file_text(&hex::encode(key.verifying_key().as_bytes())).as_bytes()).unwrap();
    w.add_bytes(layout::GUIDE, "如何核对本证据包 / how to check this packet".as_bytes()).unwrap();
    w.add_bytes(layout::REPORT, b"%PDF-1.7 stand-in").unwrap();
    let header = PacketHeader { order_number: "2026112300456".into(), community: "幸福里社区".into(), created_at_ms: 1 };
    let zip = w.finish(header, &key).unwrap().0.into_inner();
    let (code, stderr, _) = verify(&zip);
    assert_eq!(code, 5, "the untouched packet must verify (intact; exit 5 as no --server-key pins its signer): {stderr}");
    zip
}

#[test]
fn a_local_header_naming_another_file_is_refused() {
    let mut zip = valid_packet();
    // The first occurrence is the local header (the guide is deflated, the directory comes last).
    let at = zip.windows(9).position(|w| w == b"GUIDE.txt").unwrap();
    zip[at + 8] = b'X';
    let (code, stderr, _) = verify(&zip);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("本地文件头") && stderr.contains("local header of GUIDE.txt"), "{stderr}");
}

#[test]
fn bytes_hidden_between_entries_are_refused() {
    // A whole local entry, which a streaming unzipper would extract; the directory does not list it.
    let smuggled = build_zip(&[CraftEntry::stored("evil.sh", b"rm -rf ~")], None);
    let local_only = &smuggled[..smuggled.len() - 22 - 46 - "evil.sh".len()];
    let good = valid_packet();
    let zip = insert_unlisted(&good, second_local_header(&good), local_only);
    let (code, stderr, _) = verify(&zip);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("不属于任何目录条目") && stderr.contains("belong to no directory entry"), "{stderr}");
}

#[test]
fn an_entry_inflating_past_its_declared_size_is_stopped_there() {
    // Declares 1 KiB (no ratio check applies) but inflates to 16 MiB: reading stops at the declaration.
    let mut liar = CraftEntry::deflated("keys/server.pub", &vec![b'a'; 16 << 20]);
    liar.uncompressed = 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liar.zip");
    std::fs::write(&path, build_zip(&[liar], None)).unwrap();
    let report = siteproof_core::packet::verify_packet(&path).unwrap();
    let key_problems: Vec<_> = report.problems.iter().filter(|p| p.file == "keys/server.pub").collect();
    assert!(key_problems.iter().any(|p| p.kind == siteproof_core::packet::ProblemKind::BadKey), "{:?}", report.problems);
}
