//! One community's world for end-to-end tests: a real server process with an
//! office, a community, a coordinator and a worker bootstrapped through the
//! admin commands, and helpers to enroll CLI devices and to read what the
//! server holds, the way a coordinator (or an auditor with the data
//! directory) would.

use std::path::{Path, PathBuf};

use rusqlite::OpenFlags;
use tempfile::TempDir;

use crate::cli_json;
use crate::server::{admin, Server};

/// The coordinator's password in every test world.
pub const COORD_PASSWORD: &str = "e2e-coord-pass-1";

/// A running server with one community and its people.
pub struct World {
    /// Temporary root: server data and device homes live under it.
    pub dir: TempDir,
    /// The server process.
    pub server: Server,
}

/// One evidence entry as the server recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// Device sequence number.
    pub seq: i64,
    /// Item id.
    pub item_id: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Previous manifest hash as the manifest states it.
    pub prev: Option<String>,
    /// Media hash, if the entry has media.
    pub media_sha256: Option<String>,
}

impl World {
    /// Starts a server on a fresh data directory and bootstraps it.
    pub fn new() -> World {
        Self::with_flags(&[])
    }

    /// Like [`World::new`], with extra server flags.
    pub fn with_flags(flags: &[&str]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("server");
        admin(&data, &["create-office", "东城街道"]);
        admin(&data, &["create-community", "东城街道", "幸福里社区"]);
        admin(&data, &["create-user", "coord1", "--role", "coordinator", "--community", "幸福里社区", "--password", COORD_PASSWORD]);
        admin(&data, &["create-user", "wang", "--role", "worker", "--community", "幸福里社区", "--no-password"]);
        let server = Server::start_with(&data, 0, flags);
        World { dir, server }
    }

    /// The server's data directory.
    pub fn data(&self) -> PathBuf {
        self.server.data.clone()
    }

    /// A one-time enrollment code for worker wang.
    pub fn enroll_code(&self) -> String {
        admin(&self.data(), &["enroll-code", "--worker", "wang"]).trim().to_string()
    }

    /// A new CLI device home, initialised and enrolled at `url` (the server's own by default).
    pub fn device(&self, name: &str, url: Option<&str>) -> PathBuf {
        let home = self.dir.path().join(name);
        cli_json(&home, &["init"]);
        let code = self.enroll_code();
        cli_json(&home, &["enroll", url.unwrap_or(&self.server.url), &code]);
        home
    }

    /// Device id of a CLI home.
    pub fn device_id(home: &Path) -> String {
        let conn = rusqlite::Connection::open_with_flags(home.join("store/siteproof.db"), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).unwrap()
    }

    /// Every entry the server accepted from a device, in sequence order.
    pub fn server_entries(&self, device_id: &str) -> Vec<ServerEntry> {
        let conn = self.server_db();
        let mut stmt =
            conn.prepare("SELECT seq, item_id, manifest_hash, prev, media_sha256 FROM entries WHERE device_id = ?1 ORDER BY seq").unwrap();
        stmt.query_map([device_id], |r| {
            Ok(ServerEntry { seq: r.get(0)?, item_id: r.get(1)?, manifest_hash: r.get(2)?, prev: r.get(3)?, media_sha256: r.get(4)? })
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
    }

    /// Chain anomalies (gaps, forks) the server recorded.
    pub fn server_anomalies(&self) -> Vec<String> {
        let conn = self.server_db();
        let mut stmt = conn.prepare("SELECT kind || ': ' || detail FROM anomalies ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<Vec<_>>>().unwrap()
    }

    /// Checks a blob stored by the server hashes to its name; returns its size.
    pub fn server_blob_ok(&self, sha: &str) -> Result<u64, String> {
        let p = self.data().join("blobs").join(&sha[..2]).join(&sha[2..4]).join(sha);
        let bytes = std::fs::read(&p).map_err(|e| format!("blob {sha}: {e}"))?;
        let got = siteproof_core::evidence::sha256_hex(&bytes);
        if got != sha {
            return Err(format!("blob {sha} hashes to {got}"));
        }
        Ok(bytes.len() as u64)
    }

    /// A coordinator session token from the real login endpoint.
    pub fn coordinator_token(&self) -> String {
        let resp: serde_json::Value = reqwest::blocking::Client::new()
            .post(format!("{}/v1/login", self.server.url))
            .json(&serde_json::json!({"username": "coord1", "password": COORD_PASSWORD}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        resp["token"].as_str().expect("login token").to_string()
    }

    /// GET a JSON API path as the coordinator.
    pub fn coordinator_get(&self, path: &str) -> serde_json::Value {
        let resp = reqwest::blocking::Client::new()
            .get(format!("{}{path}", self.server.url))
            .bearer_auth(self.coordinator_token())
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().unwrap()
    }

    fn server_db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(self.data().join("siteproof.db"), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// One entry of a device's own chain, with whether it holds a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// Sequence number.
    pub seq: i64,
    /// Item id.
    pub item_id: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Media hash.
    pub media_sha256: Option<String>,
    /// The receipt's manifest hash and log index, if one is stored.
    pub receipt: Option<(String, u64)>,
}

/// A device's chain read from its store.
pub fn device_entries(home: &Path) -> Vec<DeviceEntry> {
    let conn = rusqlite::Connection::open_with_flags(home.join("store/siteproof.db"), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT e.seq, e.item_id, e.manifest_hash, e.media_sha256, r.receipt
             FROM entries e LEFT JOIN receipts r ON r.item_id = e.item_id ORDER BY e.seq",
        )
        .unwrap();
    stmt.query_map([], |r| {
        let receipt: Option<String> = r.get(4)?;
        Ok(DeviceEntry {
            seq: r.get(0)?,
            item_id: r.get(1)?,
            manifest_hash: r.get(2)?,
            media_sha256: r.get(3)?,
            receipt: receipt.map(|s| {
                let v: serde_json::Value = serde_json::from_str(&s).expect("receipt JSON");
                (v["manifest_hash"].as_str().unwrap().to_string(), v["log_index"].as_u64().unwrap())
            }),
        })
    })
    .unwrap()
    .collect::<rusqlite::Result<Vec<_>>>()
    .unwrap()
}

impl World {
    /// Sends a JSON request to the API as the coordinator and returns the status and body.
    pub fn coordinator_send(&self, method: reqwest::Method, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let resp = reqwest::blocking::Client::new()
            .request(method, format!("{}{path}", self.server.url))
            .bearer_auth(self.coordinator_token())
            .json(&body)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(serde_json::Value::Null))
    }
}
