//! Test harness: starts the real `siteproof-server` binary on loopback with a
//! fresh data directory, bootstraps two communities through the admin CLI,
//! and gives tests accounts, enrolled devices and a tus client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::SigningKey;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use siteproof_core::evidence::{device_id_for_key, CaptureRecord, EntryKind, Manifest, MediaRef, SignedManifest, MANIFEST_FORMAT};

/// The item id inside a signed manifest.
pub fn item_of(sm: &SignedManifest) -> String {
    serde_json::from_str::<Value>(&sm.manifest).unwrap()["item_id"].as_str().unwrap().to_string()
}

pub const BIN: &str = env!("CARGO_BIN_EXE_siteproof-server");
pub const PASSWORD: &str = "correct-horse-9";

/// A running server process.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub addr: String,
    pub data: PathBuf,
    _dir: Option<tempfile::TempDir>,
    pub http: Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn admin(data: &std::path::Path, args: &[&str]) -> String {
    let out =
        Command::new(BIN).arg("--data").arg(data).arg("admin").args(args).env("SITEPROOF_PASSWORD", PASSWORD).output().expect("run admin");
    assert!(out.status.success(), "admin {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub fn client() -> Client {
    Client::builder().timeout(Duration::from_secs(120)).pool_max_idle_per_host(4).build().unwrap()
}

impl Server {
    /// Starts on a fresh directory.
    pub fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut s = Server::start_at(data, extra);
        s._dir = Some(dir);
        s
    }

    /// Starts on a fresh directory with extra environment variables.
    pub fn start_env(extra: &[&str], env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut s = Server::start_at_env(data, extra, env);
        s._dir = Some(dir);
        s
    }

    /// Starts on an existing (or new) data directory.
    pub fn start_at(data: PathBuf, extra: &[&str]) -> Server {
        Server::start_at_env(data, extra, &[])
    }

    /// Starts with extra environment variables (settings given the way a service unit gives them).
    pub fn start_at_env(data: PathBuf, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(&data)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .envs(env.iter().copied())
            .env("SITEPROOF_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_string();
        Server { child, base: format!("http://{addr}"), addr, data, _dir: None, http: client() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let rb = self.http.request(method, self.url(path));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub fn login(&self, user: &str) -> String {
        let r = self.req(Method::POST, "/v1/login", None).json(&json!({"username": user, "password": PASSWORD})).send().unwrap();
        assert_eq!(r.status(), 200, "login {user}");
        r.json::<Value>().unwrap()["token"].as_str().unwrap().to_string()
    }

    /// Stops with SIGTERM and waits.
    pub fn stop(mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Two communities (A, B) in one office with admin, coordinators, workers.
pub struct World {
    pub server: Server,
    pub admin: String,
    pub coord_a: String,
    pub worker_a: String,
    pub coord_b: String,
    pub worker_b: String,
}

pub fn bootstrap(data: &std::path::Path) {
    admin(data, &["create-office", "东城街道"]);
    admin(data, &["create-community", "东城街道", "A社区"]);
    admin(data, &["create-community", "东城街道", "B社区"]);
    admin(data, &["create-user", "admin1", "--role", "admin", "--office", "东城街道"]);
    for (u, role, c) in [
        ("coord_a", "coordinator", "A社区"),
        ("worker_a", "worker", "A社区"),
        ("worker_a2", "worker", "A社区"),
        ("coord_b", "coordinator", "B社区"),
        ("worker_b", "worker", "B社区"),
    ] {
        admin(data, &["create-user", u, "--role", role, "--community", c]);
    }
}

impl World {
    pub fn new(extra: &[&str]) -> World {
        World::new_env(extra, &[])
    }

    /// A world whose server also gets these environment variables.
    pub fn new_env(extra: &[&str], env: &[(&str, &str)]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        bootstrap(&data);
        let mut server = Server::start_at_env(data, extra, env);
        server._dir = Some(dir);
        World {
            admin: server.login("admin1"),
            coord_a: server.login("coord_a"),
            worker_a: server.login("worker_a"),
            coord_b: server.login("coord_b"),
            worker_b: server.login("worker_b"),
            server,
        }
    }

    pub fn device(&self, worker: &str) -> Device {
        Device::enroll(&self.server, worker)
    }
}

/// An enrolled device with its own key and chain.
pub struct Device {
    pub key: SigningKey,
    pub id: String,
    pub token: String,
    pub seq: u64,
    pub prev: Option<String>,
}

impl Device {
    pub fn enroll(s: &Server, worker: &str) -> Device {
        let code = admin(&s.data, &["enroll-code", "--worker", worker]);
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let r = s
            .req(Method::POST, "/v1/enroll", None)
            .json(&json!({"code": code, "public_key": hex::encode(key.verifying_key().as_bytes()), "device_name": "test phone"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 201, "enroll: {}", r.text().unwrap());
        let v: Value = r.json().unwrap();
        assert_eq!(v["device_id"], device_id_for_key(&key.verifying_key()));
        Device { id: v["device_id"].as_str().unwrap().into(), token: v["token"].as_str().unwrap().into(), key, seq: 0, prev: None }
    }

    pub fn t(&self) -> Option<&str> {
        Some(&self.token)
    }

    /// Creates a tus upload; returns its URL path.
    pub fn create(&self, s: &Server, len: u64, sha: &str) -> Response {
        s.req(Method::POST, "/v1/uploads/", self.t())
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", len.to_string())
            .header("Upload-Metadata", format!("sha256 {},filename {}", B64.encode(sha), B64.encode("photo.jpg")))
            .send()
            .unwrap()
    }

    /// Creates a tus upload with the metadata a device sends for a thumbnail or preview of an item.
    pub fn create_derivative(&self, s: &Server, bytes: &[u8], item_id: &str, role: &str) -> Response {
        let sha = hex::encode(Sha256::digest(bytes));
        s.req(Method::POST, "/v1/uploads/", self.t())
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", bytes.len().to_string())
            .header("Upload-Metadata", format!("sha256 {},item_id {},role {}", B64.encode(sha), B64.encode(item_id), B64.encode(role)))
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes.to_vec())
            .send()
            .unwrap()
    }

    pub fn patch(&self, s: &Server, loc: &str, offset: u64, bytes: &[u8], checksum: Option<String>) -> Response {
        let mut rb = s
            .req(Method::PATCH, loc, self.t())
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string());
        if let Some(c) = checksum {
            rb = rb.header("Upload-Checksum", c);
        }
        rb.body(bytes.to_vec()).send().unwrap()
    }

    /// Uploads bytes in one PATCH with a sha256 checksum; returns the hex SHA-256.
    pub fn upload(&self, s: &Server, bytes: &[u8]) -> String {
        let sha = hex::encode(Sha256::digest(bytes));
        let r = self.create(s, bytes.len() as u64, &sha);
        assert_eq!(r.status(), 201, "create: {}", r.text().unwrap());
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let sum = B64.encode(Sha256::digest(bytes));
        let r = self.patch(s, &loc, 0, bytes, Some(format!("sha256 {sum}")));
        assert_eq!(r.status(), 204, "patch: {}", r.text().unwrap());
        sha
    }

    /// A manifest at an explicit position.
    pub fn manifest_at(&self, seq: u64, prev: Option<String>, media: Option<(&str, u64)>, order: Option<&str>) -> SignedManifest {
        self.manifest_with(seq, prev, media, order, |_| {})
    }

    /// Like [`Device::manifest_at`], with the manifest changed by `edit` before signing (hostile devices).
    pub fn manifest_with(
        &self,
        seq: u64,
        prev: Option<String>,
        media: Option<(&str, u64)>,
        order: Option<&str>,
        edit: impl FnOnce(&mut Manifest),
    ) -> SignedManifest {
        let mut m = Manifest {
            format: MANIFEST_FORMAT.into(),
            device_id: self.id.clone(),
            device_key: hex::encode(self.key.verifying_key().as_bytes()),
            seq,
            prev,
            item_id: uuid::Uuid::new_v4().to_string(),
            kind: if media.is_some() { EntryKind::Photo } else { EntryKind::Note },
            media: media.map(|(sha, bytes)| MediaRef {
                sha256: sha.into(),
                bytes,
                media_type: "image/jpeg".into(),
                width: Some(4),
                height: Some(3),
                trailer: None,
            }),
            capture: CaptureRecord {
                device_time_ms: 1_790_000_000_000,
                utc_offset_min: 480,
                monotonic_ms: 5_000,
                boot_id: "boot-1".into(),
                fix: None,
            },
            anchored: None,
            exif: None,
            audio: None,
            video: None,
            received: None,
            text: if media.is_none() { Some("现场已清理 / cleaned up".into()) } else { None },
            attach: None,
            flags: vec![],
            order_number: order.map(Into::into),
            visit_id: None,
            visit_purpose: None,
            share: None,
        };
        edit(&mut m);
        m.sign(&self.key).unwrap()
    }

    /// The next manifest of this device's chain (advances the chain).
    pub fn next_manifest(&mut self, media: Option<(&str, u64)>, order: Option<&str>) -> SignedManifest {
        self.seq += 1;
        let sm = self.manifest_at(self.seq, self.prev.clone(), media, order);
        self.prev = Some(sm.hash());
        sm
    }

    pub fn post_manifest(&self, s: &Server, sm: &SignedManifest) -> Response {
        s.req(Method::POST, "/v1/manifests", self.t()).json(sm).send().unwrap()
    }
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut v = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut v);
    v
}

pub fn err_code(r: Response) -> (u16, String) {
    let status = r.status().as_u16();
    let text = r.text().unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text:?}"));
    assert!(v["message"].as_str().is_some_and(|m| m.contains(" / ")), "message must be zh / en: {text}");
    (status, v["error"].as_str().unwrap().to_string())
}
