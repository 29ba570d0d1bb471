//! Writes a small, properly signed sample dispute packet made from hand-made
//! evidence (a device chain of a photo and a note, their receipts, the keys),
//! plus the signed manifest and receipt on their own. For trying
//! `siteproof verify` without a server, and for seeding the fuzz corpora
//! (`fuzz/corpus/`) with real, valid inputs the fuzzer then mutates.
//!
//! `cargo run -p siteproof-core --example sample_packet -- OUT_DIR`

use std::io::Cursor;
use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use siteproof_core::evidence::{
    device_id_for_key, sha256_hex, CaptureRecord, EntryKind, Manifest, MediaRef, Receipt, SignedManifest, MANIFEST_FORMAT, RECEIPT_FORMAT,
};
use siteproof_core::packet::{layout, PacketHeader, PacketWriter};

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

fn receipt(server: &SigningKey, device: &SigningKey, sm: &SignedManifest, seq: u64) -> Vec<u8> {
    let r = Receipt {
        format: RECEIPT_FORMAT.into(),
        manifest_hash: sm.hash(),
        device_id: device_id_for_key(&device.verifying_key()),
        seq,
        received_at_ms: 1_795_000_100_000,
        log_index: seq,
        log_prev: None,
        server_key: hex::encode(server.verifying_key().as_bytes()),
    };
    serde_json::to_vec(&r.sign(server).expect("sign receipt")).expect("receipt JSON")
}

fn main() -> siteproof_core::Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&out)?;
    let device = SigningKey::from_bytes(&[7u8; 32]);
    let server = SigningKey::from_bytes(&[9u8; 32]);
    let device_id = device_id_for_key(&device.verifying_key());
    let photo = b"\xff\xd8\xff\xd9".to_vec();
    let first = manifest(&device, 1, None, Some(&photo)).sign(&device)?;
    let second = manifest(&device, 2, Some(first.hash()), None).sign(&device)?;

    let mut w = PacketWriter::new(Cursor::new(Vec::new()));
    w.add_bytes(&layout::original_path(&sha256_hex(&photo), "image/jpeg"), &photo)?;
    for (seq, sm) in [(1u64, &first), (2, &second)] {
        w.add_bytes(&layout::manifest_path(&device_id, seq), &serde_json::to_vec(sm).expect("manifest JSON"))?;
        w.add_bytes(&layout::receipt_path(&device_id, seq), &receipt(&server, &device, sm, seq))?;
    }
    w.add_bytes(&layout::device_key_path(&device_id), layout::key_file_text(&hex::encode(device.verifying_key().as_bytes())).as_bytes())?;
    w.add_bytes(layout::SERVER_KEY, layout::key_file_text(&hex::encode(server.verifying_key().as_bytes())).as_bytes())?;
    w.add_bytes(layout::GUIDE, "如何核对 / how to check".as_bytes())?;
    let header =
        PacketHeader { order_number: "2026112300456".into(), community: "幸福里社区".into(), created_at_ms: 1_795_000_200_000 };
    let (zip, _) = w.finish(header, &server)?;
    std::fs::write(out.join("packet.zip"), zip.into_inner())?;
    std::fs::write(out.join("manifest.json"), serde_json::to_vec(&first).expect("manifest JSON"))?;
    std::fs::write(out.join("manifest-note.json"), serde_json::to_vec(&second).expect("manifest JSON"))?;
    std::fs::write(out.join("receipt.json"), receipt(&server, &device, &first, 1))?;
    println!("wrote {}", out.display());
    Ok(())
}
