//! Running the real `siteproof-server` process for end-to-end tests:
//! start on a loopback port, bootstrap an office, community, worker and an
//! enrollment code through its admin commands, stop and restart it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::build_bin;

/// The server binary, built once per test run.
pub fn server_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build_bin("siteproof-server", "siteproof-server")).clone()
}

/// A running server process; killed on drop.
pub struct Server {
    /// Its data directory.
    pub data: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The port it listens on (kept across restarts).
    pub port: u16,
    child: Option<Child>,
}

impl Server {
    /// Starts a server on a free loopback port with a fresh data directory.
    pub fn start(data: &Path) -> Server {
        Self::start_on(data, 0)
    }

    /// Starts on a given port (0: any).
    pub fn start_on(data: &Path, port: u16) -> Server {
        Self::start_with(data, port, &[])
    }

    /// Starts on a given port with extra flags (e.g. `--bench-sink`).
    pub fn start_with(data: &Path, port: u16, extra: &[&str]) -> Server {
        let mut child = Command::new(server_bin())
            .args(extra)
            .arg("--data")
            .arg(data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start siteproof-server");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            assert!(Instant::now() < deadline, "server did not say where it listens");
            let line = lines.next().expect("server exited before listening").unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().trim_start_matches("http://").to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        Server { data: data.to_path_buf(), url: format!("http://{addr}"), port, child: Some(child) }
    }

    /// Kills the process at once (SIGKILL), as a power cut or OOM would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        let s = Server::start_on(&self.data.clone(), self.port);
        *self = s;
    }

    /// PID of the running process.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `siteproof-server --data DATA admin ARGS...` and returns its stdout.
pub fn admin(data: &Path, args: &[&str]) -> String {
    let out = Command::new(server_bin()).arg("--data").arg(data).arg("admin").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "admin {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}
