//! The product's central claim, "this chain of evidence is intact", must mean
//! one thing on the phone, on the server and in a dispute packet. Each broken
//! chain below (a gap, a fork, two entries linked in swapped order, a broken
//! link) is signed with a real enrolled device's key and fed to all three:
//! written into the device's store and checked by `siteproof verify`, posted
//! to the real server and read back from `/v1/anomalies`, and packed into a
//! packet checked by `siteproof verify FILE.zip`. The three must name the same
//! kinds at the same positions.

use std::path::{Path, PathBuf};
use std::process::Command;

use ed25519_dalek::SigningKey;
use serde_json::Value;
use siteproof_core::evidence::{device_id_for_key, ids, sha256_hex, CaptureRecord, EntryKind, Manifest, SignedManifest, MANIFEST_FORMAT};
use siteproof_core::packet::{layout, PacketHeader, PacketWriter};
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_bin};

/// (kind, seq) as the chain rule names it.
type Verdict = (String, u64);

/// A real CLI device enrolled at the world's server, with its key and token taken out of its store.
struct Phone {
    home: PathBuf,
    key: SigningKey,
    id: String,
    token: String,
}

impl Phone {
    fn enroll(w: &World, name: &str) -> Phone {
        let home = w.device(name, None);
        let secret = std::fs::read(home.join("device.secret")).unwrap();
        let sealed: Vec<u8> = db(&home).query_row("SELECT sealed_private_key FROM device WHERE id = 1", [], |r| r.get(0)).unwrap();
        let key = siteproof_core::keys::unseal_signing_key(&secret, &sealed).unwrap();
        let token = {
            let device = siteproof_core::Device::open(home.join("store"), &secret).unwrap();
            device.enrollment().unwrap().expect("enrolled").token
        };
        Phone { id: device_id_for_key(&key.verifying_key()), home, key, token }
    }

    /// A note entry signed with this phone's key.
    fn sign(&self, seq: u64, prev: Option<String>) -> SignedManifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            device_id: self.id.clone(),
            device_key: hex::encode(self.key.verifying_key().as_bytes()),
            seq,
            prev,
            item_id: ids::new_id(),
            kind: EntryKind::Note,
            media: None,
            capture: CaptureRecord {
                device_time_ms: 1_790_000_000_000 + seq as i64,
                utc_offset_min: 480,
                monotonic_ms: 5_000 + seq,
                boot_id: "boot-1".into(),
                fix: None,
            },
            anchored: None,
            exif: None,
            audio: None,
            video: None,
            received: None,
            text: Some(format!("第 {seq} 条 / entry {seq}")),
            attach: None,
            flags: vec![],
            order_number: None,
            visit_id: None,
            visit_purpose: None,
            share: None,
        }
        .sign(&self.key)
        .unwrap()
    }

    /// An intact chain of `n` entries.
    fn chain(&self, n: u64) -> Vec<SignedManifest> {
        let mut out: Vec<SignedManifest> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map(SignedManifest::hash);
            out.push(self.sign(seq, prev));
        }
        out
    }
}

fn db(home: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(home.join("store/siteproof.db")).unwrap()
}

fn signed_seq(sm: &SignedManifest) -> u64 {
    serde_json::from_str::<Manifest>(&sm.manifest).unwrap().seq
}

/// A broken chain as a holder keeps it: each manifest at a position (store row, packet file name),
/// presented in position order. Positions equal the signed numbers except where a holder
/// has no other place for an entry (a fork's second entry).
struct Broken {
    name: &'static str,
    held: Vec<(u64, SignedManifest)>,
    /// What the chain rule must say, in chain order.
    expected: Vec<(&'static str, u64)>,
}

fn scenarios(p: &Phone) -> Vec<Broken> {
    let at_own_seq = |v: Vec<SignedManifest>| v.into_iter().map(|m| (signed_seq(&m), m)).collect::<Vec<_>>();

    // Gap: entry 3 deleted.
    let mut gap = p.chain(5);
    gap.remove(2);

    // Fork: a second, different entry 3 (linking to 2), held after the chain.
    let mut fork = at_own_seq(p.chain(5));
    let second_three = p.sign(3, Some(fork[1].1.hash()));
    fork.push((6, second_three));

    // Reordered: 3 and 4 linked the wrong way round (2 <- four <- three <- 5).
    let c = p.chain(2);
    let four = p.sign(4, Some(c[1].hash()));
    let three = p.sign(3, Some(four.hash()));
    let five = p.sign(5, Some(three.hash()));
    let reordered = vec![c[0].clone(), c[1].clone(), three, four, five];

    // Broken link: entry 4 names a predecessor nobody holds.
    let mut broken = p.chain(3);
    let four = p.sign(4, Some(sha256_hex(b"not entry 3")));
    let five = p.sign(5, Some(four.hash()));
    broken.extend([four, five]);

    vec![
        Broken { name: "gap", held: at_own_seq(gap), expected: vec![("missing", 3)] },
        Broken { name: "fork", held: fork, expected: vec![("fork", 3), ("broken_link", 4)] },
        Broken { name: "reordered", held: at_own_seq(reordered), expected: vec![("broken_link", 3), ("reordered", 4), ("broken_link", 5)] },
        Broken { name: "broken_link", held: at_own_seq(broken), expected: vec![("broken_link", 4)] },
    ]
}

/// (a) The device: the manifests written into its store's rows, then `siteproof verify`.
/// Returns the chain verdicts and, apart, the store positions that hold another entry's manifest.
fn device_verdicts(p: &Phone, b: &Broken) -> (Vec<Verdict>, Vec<Verdict>) {
    let conn = db(&p.home);
    conn.execute("DELETE FROM entries", []).unwrap();
    for (position, sm) in &b.held {
        let m: Manifest = serde_json::from_str(&sm.manifest).unwrap();
        conn.execute(
            "INSERT INTO entries (seq, item_id, kind, manifest_hash, manifest, signature, media_sha256, order_number, visit_id, created_at_ms)
             VALUES (?1, ?2, 'note', ?3, ?4, ?5, NULL, NULL, NULL, 0)",
            rusqlite::params![*position as i64, m.item_id, sm.hash(), sm.manifest, sm.signature],
        )
        .unwrap();
    }
    drop(conn);
    let out = cli(&p.home).args(["--json", "verify"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: verify printed non-JSON ({e})", b.name));
    let mut chain = Vec::new();
    let mut misplaced = Vec::new();
    for problem in v["report"]["problems"].as_array().unwrap() {
        let verdict = (problem["kind"].as_str().unwrap().to_string(), problem["seq"].as_u64().unwrap());
        // A store row holding a manifest signed for another position is the store's layout, not the chain.
        let row_of_another_entry = b.held.iter().any(|(pos, sm)| *pos == verdict.1 && signed_seq(sm) != *pos);
        if verdict.0 == "reordered" && row_of_another_entry {
            misplaced.push(verdict);
        } else {
            chain.push(verdict);
        }
    }
    (chain, misplaced)
}

/// (b) The server: every manifest posted in position order, then the coordinator's anomalies and gaps.
fn server_verdicts(w: &World, p: &Phone, b: &Broken) -> Vec<Verdict> {
    let http = reqwest::blocking::Client::new();
    for (_, sm) in &b.held {
        let r = http.post(format!("{}/v1/manifests", w.server.url)).bearer_auth(&p.token).json(sm).send().unwrap();
        assert!(r.status().is_success(), "{}: server refused a signed manifest: {} {}", b.name, r.status(), r.text().unwrap());
    }
    let seen = w.coordinator_get("/v1/anomalies");
    let mut out: Vec<Verdict> = seen["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["device_id"] == p.id.as_str())
        .map(|a| (a["kind"].as_str().unwrap().to_string(), a["seq"].as_u64().unwrap()))
        .collect();
    out.extend(
        seen["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["device_id"] == p.id.as_str())
            .map(|g| ("missing".to_string(), g["from_seq"].as_u64().unwrap())),
    );
    out
}

/// (c) The packet: the manifests in a packet at their positions' file names, then `siteproof verify FILE.zip`.
fn packet_verdicts(dir: &Path, p: &Phone, b: &Broken) -> Vec<Verdict> {
    let server_key = SigningKey::from_bytes(&[7u8; 32]);
    let path = dir.join(format!("{}.zip", b.name));
    let mut writer = PacketWriter::new(std::fs::File::create(&path).unwrap());
    for (position, sm) in &b.held {
        writer.add_bytes(&layout::manifest_path(&p.id, *position), &serde_json::to_vec(sm).unwrap()).unwrap();
    }
    writer
        .add_bytes(&layout::device_key_path(&p.id), layout::key_file_text(&hex::encode(p.key.verifying_key().as_bytes())).as_bytes())
        .unwrap();
    writer.add_bytes(layout::SERVER_KEY, layout::key_file_text(&hex::encode(server_key.verifying_key().as_bytes())).as_bytes()).unwrap();
    let header =
        PacketHeader { order_number: "2026113000001".into(), community: "幸福里社区".into(), created_at_ms: 1_790_000_000_000 };
    writer.finish(header, &server_key).unwrap();

    let out = Command::new(cli_bin()).arg("--json").arg("verify").arg(&path).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: packet verify printed non-JSON ({e})", b.name));
    v["report"]["chain_findings"][p.id.as_str()]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no chain findings for the device: {v}", b.name))
        .iter()
        .map(|f| (f["kind"].as_str().unwrap().to_string(), f["seq"].as_u64().unwrap()))
        .collect()
}

fn sorted(mut v: Vec<Verdict>) -> Vec<Verdict> {
    v.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    v
}

#[test]
fn device_server_and_packet_name_the_same_breaks() {
    let w = World::new();
    let scratch = tempfile::tempdir().unwrap();
    // One phone per chain: the server keeps every chain it was sent.
    for name in ["gap", "fork", "reordered", "broken_link"] {
        let phone = Phone::enroll(&w, &format!("phone-{name}"));
        let b = scenarios(&phone).into_iter().find(|b| b.name == name).unwrap();
        let expected = sorted(b.expected.iter().map(|(k, s)| (k.to_string(), *s)).collect());

        let (device, misplaced) = device_verdicts(&phone, &b);
        let server = server_verdicts(&w, &phone, &b);
        let packet = packet_verdicts(scratch.path(), &phone, &b);

        let (device, server, packet) = (sorted(device), sorted(server), sorted(packet));
        assert_eq!(device, expected, "{name}: the device's verdicts");
        assert_eq!(server, expected, "{name}: the server's verdicts");
        assert_eq!(packet, expected, "{name}: the packet verifier's verdicts");
        // The fork's second entry can only sit in a row of its own; the store names that row too.
        let expected_misplaced: Vec<Verdict> =
            b.held.iter().filter(|(pos, sm)| *pos != signed_seq(sm)).map(|(pos, _)| ("reordered".to_string(), *pos)).collect();
        assert_eq!(misplaced, expected_misplaced, "{name}: store rows holding another position's manifest");
    }
}
