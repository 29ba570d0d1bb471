//! A failing front for the real server: an HTTP stand-in that forwards each
//! request to `siteproof-server` unless a rule says to answer it with an
//! error instead. The byte-level proxy (`proxy.rs`) cuts links; this one
//! refuses chosen routes with chosen statuses, so a test can make only the
//! uploads, or only the order exchange, fail the way an overloaded server does.
//!
//! One request per connection: every forwarded request gets `Connection:
//! close`, so the client opens a new connection (and meets the rules again)
//! for the next one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Answer matching requests with an error instead of forwarding them.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// HTTP method to match, e.g. "POST".
    pub method: &'static str,
    /// Path prefix to match, e.g. "/v1/uploads".
    pub path_prefix: &'static str,
    /// Status to answer with.
    pub status: u16,
    /// `Retry-After` seconds to send, if any.
    pub retry_after_s: Option<u32>,
    /// How many matching requests to refuse; `u32::MAX` for all.
    pub times: u32,
}

/// A running front; stops accepting when dropped.
pub struct FailingFront {
    /// Where devices connect instead of the server.
    pub url: String,
    refusals: Arc<Mutex<Vec<Refusal>>>,
    seen: Arc<Mutex<Vec<(String, String, u16)>>>,
    stop: Arc<AtomicBool>,
}

impl FailingFront {
    /// Fronts the server at `target` (host:port), forwarding everything until told otherwise.
    pub fn start(target: String) -> FailingFront {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let front = FailingFront {
            url,
            refusals: Arc::new(Mutex::new(Vec::new())),
            seen: Arc::new(Mutex::new(Vec::new())),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (refusals, seen, stop) = (front.refusals.clone(), front.seen.clone(), front.stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let (target, refusals, seen) = (target.clone(), refusals.clone(), seen.clone());
                        std::thread::spawn(move || serve(client, &target, &refusals, &seen));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        front
    }

    /// Adds a refusal rule (rules are tried in the order added).
    pub fn refuse(&self, r: Refusal) {
        self.refusals.lock().unwrap().push(r);
    }

    /// Forwards everything again.
    pub fn heal(&self) {
        self.refusals.lock().unwrap().clear();
    }

    /// Requests seen so far matching method and path prefix, with the status each got from the front
    /// (0 when it was forwarded).
    pub fn seen(&self, method: &str, path_prefix: &str) -> Vec<u16> {
        self.seen.lock().unwrap().iter().filter(|(m, p, _)| m == method && p.starts_with(path_prefix)).map(|(_, _, s)| *s).collect()
    }
}

impl Drop for FailingFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(client: TcpStream, target: &str, refusals: &Mutex<Vec<Refusal>>, seen: &Mutex<Vec<(String, String, u16)>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let mut request_line = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if request_line.is_empty() {
            request_line = line.trim_end().to_string();
            head.extend_from_slice(line.as_bytes());
            continue;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0u8; content_length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let refusal = {
        let mut rules = refusals.lock().unwrap();
        let hit = rules.iter_mut().find(|r| r.times > 0 && r.method == method && path.starts_with(r.path_prefix));
        hit.map(|r| {
            if r.times != u32::MAX {
                r.times -= 1;
            }
            r.clone()
        })
    };
    seen.lock().unwrap().push((method, path, refusal.as_ref().map_or(0, |r| r.status)));
    let mut out = client;
    if let Some(r) = refusal {
        let msg = br#"{"error":"unavailable","message":"\u670d\u52a1\u6682\u4e0d\u53ef\u7528 / service unavailable"}"#;
        let mut resp = format!(
            "HTTP/1.1 {} Refused\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            r.status,
            msg.len()
        );
        if let Some(s) = r.retry_after_s {
            resp.push_str(&format!("Retry-After: {s}\r\n"));
        }
        resp.push_str("\r\n");
        let _ = out.write_all(resp.as_bytes());
        let _ = out.write_all(msg);
        let _ = out.shutdown(Shutdown::Both);
        return;
    }
    let Ok(mut server) = TcpStream::connect(target) else {
        let _ = out.shutdown(Shutdown::Both);
        return;
    };
    head.extend_from_slice(b"Connection: close\r\n\r\n");
    if server.write_all(&head).and_then(|_| server.write_all(&body)).is_err() {
        let _ = out.shutdown(Shutdown::Both);
        return;
    }
    let _ = std::io::copy(&mut server, &mut out);
    let _ = out.shutdown(Shutdown::Both);
}
