//! The packet format without a server: packets written with `PacketWriter`
//! from hand-made, properly signed evidence verify; and faults that keep
//! every file consistent with the index (a re-signed chain with a broken
//! link, a receipt for another manifest, a key under a foreign id, an index
//! signed by another server) are still caught and named, and so are the
//! files for checking by hand (`keys/server.pem`, `SHA256SUMS` and its
//! signature) when they disagree with the key or the index.

use std::io::Cursor;

use ed25519_dalek::SigningKey;
use siteproof_core::evidence::{
    device_id_for_key, sha256_hex, CaptureRecord, EntryKind, Manifest, MediaRef, Receipt, SignedManifest, MANIFEST_FORMAT, RECEIPT_FORMAT,
};
use siteproof_core::packet::{layout, verify_packet, PacketHeader, PacketWriter, ProblemKind};

struct Evidence {
    device: SigningKey,
    server: SigningKey,
    photo: Vec<u8>,
    manifests: Vec<SignedManifest>,
}

fn manifest(device: &SigningKey, seq: u64, prev: Option<String>, media: Option<&[u8]>) -> Manifest {
    let key = device.verifying_key();
    Manifest {
        format: MANIFEST_FORMAT.into(),
        device_id: device_id_for_key(&key),
        device_key: hex::encode(key.as_bytes()),
        seq,
        prev,
        item_id: format!("item-{seq}"),
        kind: if media.is_some() { EntryKind::Photo } else { EntryKind::Note },
        media: media.map(|m| MediaRef {
            sha256: sha256_hex(m),
            bytes: m.len() as u64,
            media_type: "image/jpeg".into(),
            width: None,
            height: None,
            trailer: None,
        }),
        capture: CaptureRecord {
            device_time_ms: 1_795_000_000_000,
            utc_offset_min: 480,
            monotonic_ms: 1000,
            boot_id: "boot".into(),
            fix: None,
        },
        anchored: None,
        exif: None,
        audio: None,
        video: None,
        received: None,
        text: media.is_none().then(|| "现场无异味".to_string()),
        attach: None,
        flags: vec!["no_fix".into()],
        order_number: Some("2026112300456".into()),
        visit_id: None,
        visit_purpose: None,
        share: None,
    }
}

fn evidence(break_link: bool) -> Evidence {
    let device = SigningKey::from_bytes(&[7u8; 32]);
    let server = SigningKey::from_bytes(&[9u8; 32]);
    let photo = b"\xff\xd8 not really a jpeg, the verifier only hashes it \xff\xd9".to_vec();
    let first = manifest(&device, 1, None, Some(&photo)).sign(&device).unwrap();
    let prev = if break_link { sha256_hex(b"something else") } else { first.hash() };
    let second = manifest(&device, 2, Some(prev), None).sign(&device).unwrap();
    Evidence { device, server, photo, manifests: vec![first, second] }
}

fn receipt(e: &Evidence, sm: &SignedManifest, seq: u64) -> Vec<u8> {
    let r = Receipt {
        format: RECEIPT_FORMAT.into(),
        manifest_hash: sm.hash(),
        device_id: device_id_for_key(&e.device.verifying_key()),
        seq,
        received_at_ms: 1_795_000_100_000,
        log_index: seq,
        log_prev: None,
        server_key: hex::encode(e.server.verifying_key().as_bytes()),
    };
    serde_json::to_vec(&r.sign(&e.server).unwrap()).unwrap()
}

/// Writes a packet; `receipt_for` picks which manifest each receipt names, `device_key_id` the id in the key's file name.
fn write(
    dir: &std::path::Path,
    e: &Evidence,
    receipt_for: [usize; 2],
    device_key_id: Option<&str>,
    index_key: &SigningKey,
) -> std::path::PathBuf {
    let device_id = device_id_for_key(&e.device.verifying_key());
    let mut w = PacketWriter::new(Cursor::new(Vec::new()));
    w.add_bytes(&layout::original_path(&sha256_hex(&e.photo), "image/jpeg"), &e.photo).unwrap();
    for (i, sm) in e.manifests.iter().enumerate() {
        let seq = i as u64 + 1;
        w.add_bytes(&layout::manifest_path(&device_id, seq), &serde_json::to_vec(sm).unwrap()).unwrap();
        w.add_bytes(&layout::receipt_path(&device_id, seq), &receipt(e, &e.manifests[receipt_for[i]], seq)).unwrap();
    }
    let key_name = layout::device_key_path(device_key_id.unwrap_or(&device_id));
    w.add_bytes(&key_name, layout::key_file_text(&hex::encode(e.device.verifying_key().as_bytes())).as_bytes()).unwrap();
    w.add_bytes(layout::SERVER_KEY, layout::key_file_text(&hex::encode(e.server.verifying_key().as_bytes())).as_bytes()).unwrap();
    w.add_bytes(layout::REPORT, b"%PDF-1.7 stand-in").unwrap();
    w.add_bytes(layout::GUIDE, b"guide").unwrap();
    let header = PacketHeader { order_number: "2026112300456".into(), community: "幸福里社区".into(), created_at_ms: 1 };
    let (cursor, _) = w.finish(header, index_key).unwrap();
    let path = dir.join(format!("p{}.zip", rand::random::<u32>()));
    std::fs::write(&path, cursor.into_inner()).unwrap();
    path
}

fn kinds(path: &std::path::Path) -> Vec<(String, ProblemKind)> {
    verify_packet(path).unwrap().problems.into_iter().map(|p| (p.file, p.kind)).collect()
}

#[test]
fn a_well_made_packet_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let e = evidence(false);
    let report = verify_packet(&write(dir.path(), &e, [0, 1], None, &e.server)).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.manifests_verified, report.originals_verified, report.receipts_verified), (2, 1, 2));
    assert_eq!(report.order_number.as_deref(), Some("2026112300456"));
    assert!(report.server_key_fingerprint.unwrap().split(' ').count() == 8);
}

#[test]
fn consistent_forgeries_are_still_named() {
    let dir = tempfile::tempdir().unwrap();
    let device_id = device_id_for_key(&evidence(false).device.verifying_key());

    let broken = evidence(true);
    let k = kinds(&write(dir.path(), &broken, [0, 1], None, &broken.server));
    assert_eq!(k, vec![(layout::manifest_path(&device_id, 2), ProblemKind::BrokenLink)]);

    let e = evidence(false);
    let k = kinds(&write(dir.path(), &e, [0, 0], None, &e.server));
    assert_eq!(k, vec![(layout::receipt_path(&device_id, 2), ProblemKind::BadReceipt)]);

    let foreign = "0123456789abcdef0123456789abcdef";
    let k = kinds(&write(dir.path(), &e, [0, 1], Some(foreign), &e.server));
    assert!(k.contains(&(layout::device_key_path(foreign), ProblemKind::BadKey)), "{k:?}");
    assert!(k.contains(&(layout::manifest_path(&device_id, 1), ProblemKind::BadSignature)), "{k:?}");

    // Signed by another server than keys/server.pub names: the index, the PEM the writer adds for that
    // key, and the checksum list signed with it each disagree.
    let other_server = SigningKey::from_bytes(&[3u8; 32]);
    let k = kinds(&write(dir.path(), &e, [0, 1], None, &other_server));
    assert_eq!(
        k,
        vec![
            ("packet.json".to_string(), ProblemKind::IndexSignature),
            (layout::SERVER_KEY_PEM.to_string(), ProblemKind::BadKey),
            (layout::CHECKSUMS_SIGNATURE.to_string(), ProblemKind::BadChecksums),
        ]
    );
}

/// The packet's members with some replaced or left out, re-zipped.
fn rezip(good: &std::path::Path, out: &std::path::Path, replace: &[(&str, Option<Vec<u8>>)]) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(good).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        let bytes = match replace.iter().find(|(n, _)| *n == name) {
            Some((_, None)) => continue,
            Some((_, Some(b))) => b.clone(),
            None => bytes,
        };
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut w, &bytes).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn the_files_for_checking_by_hand_are_held_to_the_key_and_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let e = evidence(false);
    let good = write(dir.path(), &e, [0, 1], None, &e.server);
    let names: Vec<String> =
        zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap().file_names().map(|n| n.unwrap().into_owned()).collect();
    for hand_check in [layout::SERVER_KEY_PEM, layout::CHECKSUMS, layout::CHECKSUMS_SIGNATURE] {
        assert!(names.iter().any(|n| n == hand_check), "{hand_check} in {names:?}");
    }

    // Without the list and its signature.
    let bare = dir.path().join("bare.zip");
    rezip(&good, &bare, &[(layout::CHECKSUMS, None), (layout::CHECKSUMS_SIGNATURE, None)]);
    assert_eq!(
        kinds(&bare),
        vec![(layout::CHECKSUMS.to_string(), ProblemKind::Missing), (layout::CHECKSUMS_SIGNATURE.to_string(), ProblemKind::Missing)]
    );

    // A list properly signed by the server that leaves a file out still differs from the index.
    let listed = String::from_utf8(
        zip::ZipArchive::new(std::fs::File::open(&good).unwrap())
            .unwrap()
            .by_name(layout::CHECKSUMS)
            .map(|mut f| {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut b).unwrap();
                b
            })
            .unwrap(),
    )
    .unwrap();
    let short: String = listed.lines().filter(|l| !l.ends_with(layout::REPORT)).map(|l| format!("{l}\n")).collect();
    let sig = siteproof_core::packet::checksums::sign_checksums(&short, &e.server);
    let shortened = dir.path().join("short.zip");
    rezip(&good, &shortened, &[(layout::CHECKSUMS, Some(short.into_bytes())), (layout::CHECKSUMS_SIGNATURE, Some(sig.to_vec()))]);
    assert_eq!(kinds(&shortened), vec![(layout::CHECKSUMS.to_string(), ProblemKind::BadChecksums)]);

    // A PEM naming another key than keys/server.pub, listed in a properly signed index.
    let device_id = device_id_for_key(&e.device.verifying_key());
    let mut w = PacketWriter::new(Cursor::new(Vec::new()));
    w.add_bytes(&layout::original_path(&sha256_hex(&e.photo), "image/jpeg"), &e.photo).unwrap();
    for (i, sm) in e.manifests.iter().enumerate() {
        let seq = i as u64 + 1;
        w.add_bytes(&layout::manifest_path(&device_id, seq), &serde_json::to_vec(sm).unwrap()).unwrap();
        w.add_bytes(&layout::receipt_path(&device_id, seq), &receipt(&e, sm, seq)).unwrap();
    }
    w.add_bytes(&layout::device_key_path(&device_id), layout::key_file_text(&hex::encode(e.device.verifying_key().as_bytes())).as_bytes())
        .unwrap();
    w.add_bytes(layout::SERVER_KEY, layout::key_file_text(&hex::encode(e.server.verifying_key().as_bytes())).as_bytes()).unwrap();
    let other = hex::encode(SigningKey::from_bytes(&[3u8; 32]).verifying_key().as_bytes());
    w.add_bytes(layout::SERVER_KEY_PEM, siteproof_core::packet::server_pem::server_key_pem(&other).unwrap().as_bytes()).unwrap();
    let header = PacketHeader { order_number: "2026112300456".into(), community: "幸福里社区".into(), created_at_ms: 1 };
    let (cursor, _) = w.finish(header, &e.server).unwrap();
    let report = siteproof_core::packet::verify_packet_from(Cursor::new(cursor.into_inner())).unwrap();
    let k: Vec<_> = report.problems.into_iter().map(|p| (p.file, p.kind)).collect();
    assert_eq!(k, vec![(layout::SERVER_KEY_PEM.to_string(), ProblemKind::BadKey)]);
}

#[test]
fn not_a_zip_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.zip");
    std::fs::write(&p, b"PK but not really").unwrap();
    let err = verify_packet(&p).unwrap_err().to_string();
    assert!(err.contains("ZIP"), "{err}");
    assert!(verify_packet(&dir.path().join("absent.zip")).is_err());
}

#[test]
fn a_second_file_under_one_name_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = evidence(false);
    let good = write(dir.path(), &e, [0, 1], None, &e.server);
    // Copy every member, then append a second GUIDE.txt: the zip crate would show only one of them.
    let mut src = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
    let dup = dir.path().join("dup.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&dup).unwrap());
    for i in 0..src.len() {
        out.raw_copy_file(src.by_index(i).unwrap()).unwrap();
    }
    // ZIP writers refuse duplicate names, so the copy goes in under a stand-in name patched afterwards.
    out.raw_copy_file_rename(src.by_name("GUIDE.txt").unwrap(), "GUIDE.txX").unwrap();
    out.finish().unwrap();
    let mut bytes = std::fs::read(&dup).unwrap();
    for i in 0..bytes.len() - 9 {
        if &bytes[i..i + 9] == b"GUIDE.txX" {
            bytes[i + 8] = b't';
        }
    }
    std::fs::write(&dup, bytes).unwrap();
    let k = kinds(&dup);
    assert!(k.contains(&("GUIDE.txt".to_string(), ProblemKind::Duplicate)), "{k:?}");
}

#[test]
fn bytes_outside_the_directory_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let e = evidence(false);
    let good = std::fs::read(write(dir.path(), &e, [0, 1], None, &e.server)).unwrap();
    assert!(siteproof_core::packet::verify_packet_from(Cursor::new(&good)).unwrap().ok());
    // Data before the first entry (a self-extractor's stub, or a file for streaming unzippers),
    // and data after the end record: ZIP readers tolerate both; a packet may have neither.
    let prefixed = [b"PK\x03\x04 hidden".as_slice(), &good].concat();
    let suffixed = [good.as_slice(), b"trailing"].concat();
    for (what, bytes) in [("prefixed", prefixed), ("suffixed", suffixed)] {
        match siteproof_core::packet::verify_packet_from(Cursor::new(bytes)).map_err(siteproof_core::Error::from) {
            Err(siteproof_core::Error::Integrity(msg)) => assert!(msg.contains(" / "), "{what}: not bilingual: {msg}"),
            other => panic!("{what}: expected a refusal, got {other:?}"),
        }
    }
}

/// A one-photo packet whose photo's anchored time (`utc_ms ± bound_ms`) rests on a time statement of
/// `statement_at_ms` signed by `statement_key`, carried in `time/`; returns the packet and the manifest's path.
fn anchored_packet(
    dir: &std::path::Path,
    statement_key: &SigningKey,
    statement_at_ms: i64,
    utc_ms: i64,
    bound_ms: u64,
) -> (std::path::PathBuf, String) {
    use siteproof_core::evidence::{AnchoredTime, TimeStatement, TIME_FORMAT};
    let mut e = evidence(false);
    let statement = TimeStatement {
        format: TIME_FORMAT.into(),
        server_time_ms: statement_at_ms,
        nonce: "anchor-nonce".into(),
        server_key: hex::encode(statement_key.verifying_key().as_bytes()),
    }
    .sign(statement_key)
    .unwrap();
    let mut m = manifest(&e.device, 1, None, Some(&e.photo));
    m.anchored = Some(AnchoredTime { utc_ms, bound_ms, anchor_hash: statement.hash() });
    e.manifests = vec![m.sign(&e.device).unwrap()];
    let device_id = device_id_for_key(&e.device.verifying_key());
    let mut w = PacketWriter::new(Cursor::new(Vec::new()));
    w.add_bytes(&layout::original_path(&sha256_hex(&e.photo), "image/jpeg"), &e.photo).unwrap();
    w.add_bytes(&layout::manifest_path(&device_id, 1), &serde_json::to_vec(&e.manifests[0]).unwrap()).unwrap();
    w.add_bytes(&layout::receipt_path(&device_id, 1), &receipt(&e, &e.manifests[0], 1)).unwrap();
    w.add_bytes(&layout::device_key_path(&device_id), layout::key_file_text(&hex::encode(e.device.verifying_key().as_bytes())).as_bytes())
        .unwrap();
    w.add_bytes(layout::SERVER_KEY, layout::key_file_text(&hex::encode(e.server.verifying_key().as_bytes())).as_bytes()).unwrap();
    for (path, bytes) in siteproof_core::packet::time_statements::statement_files(&statement).unwrap() {
        w.add_bytes(&path, &bytes).unwrap();
    }
    let header = PacketHeader { order_number: "2026112300456".into(), community: "幸福里社区".into(), created_at_ms: 1 };
    let (cursor, _) = w.finish(header, &e.server).unwrap();
    let path = dir.join(format!("t{}.zip", rand::random::<u32>()));
    std::fs::write(&path, cursor.into_inner()).unwrap();
    (path, layout::manifest_path(&device_id, 1))
}

#[test]
fn an_anchored_time_is_held_to_the_servers_statement_it_rests_on() {
    use siteproof_core::packet::AnchoredTimeOutcome;
    let dir = tempfile::tempdir().unwrap();
    let server = SigningKey::from_bytes(&[9u8; 32]);
    let at = 1_795_000_000_000i64;
    // What a phone computes ten minutes after an 80 ms round trip: verified against the statement.
    let honest = siteproof_core::evidence::anchored_time(at, 80, 600_000, "");
    let (good, _) = anchored_packet(dir.path(), &server, at, honest.utc_ms, honest.bound_ms);
    let report = verify_packet(&good).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.anchored_times[0].outcome, AnchoredTimeOutcome::Verified { server_time_ms: at });

    // A capture claimed a minute before the server's statement: the device's signed time contradicts it.
    let (early, manifest) = anchored_packet(dir.path(), &server, at, at - 60_000, 41);
    assert_eq!(kinds(&early), vec![(manifest.clone(), ProblemKind::AnchoredTimeContradicted)]);
    // Ten minutes after it with the bound of the moment it arrived: tighter than the drift allows.
    let (tight, manifest) = anchored_packet(dir.path(), &server, at, honest.utc_ms, 41);
    assert_eq!(kinds(&tight), vec![(manifest, ProblemKind::AnchoredTimeContradicted)]);

    // A statement another server signed is not this packet's server's word.
    let other = SigningKey::from_bytes(&[4u8; 32]);
    let (foreign, _) = anchored_packet(dir.path(), &other, at, honest.utc_ms, honest.bound_ms);
    let report = verify_packet(&foreign).unwrap();
    assert!(
        report.problems.iter().any(|p| p.kind == ProblemKind::BadTimeStatement && p.file.starts_with(layout::TIME_DIR)),
        "{:?}",
        report.problems
    );
    assert_eq!(report.anchored_times[0].outcome, AnchoredTimeOutcome::Failed);
}
