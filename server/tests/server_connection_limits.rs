//! Sockets on the real server: a connection that sends no request (or sends
//! its header too slowly) is closed, connections beyond the cap wait until
//! one is freed, a request body trickling in over a slow link is never cut,
//! and SIGTERM still lets a request in flight finish.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;

/// Whether the server closes the socket within a generous wait (EOF or reset).
fn closed_by_server(sock: &mut TcpStream) -> bool {
    sock.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a 408 or similar before closing is fine
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return true,
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => return false,
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Sends a keep-alive health request and reads its whole answer.
fn health_on(sock: &mut TcpStream) -> String {
    sock.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    read_response(sock)
}

fn read_response(sock: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = sock.read(&mut buf).unwrap();
        assert!(n > 0, "closed before answering");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                return text;
            }
        }
    }
}

#[test]
fn idle_and_slow_header_connections_are_closed() {
    let s = Server::start_env(&[], &[("SITEPROOF_IDLE_TIMEOUT_SECS", "1")]);
    let mut silent = TcpStream::connect(&s.addr).unwrap();
    assert!(closed_by_server(&mut silent), "a socket that never sends a request is closed");

    let mut slow = TcpStream::connect(&s.addr).unwrap();
    slow.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n").unwrap();
    assert!(closed_by_server(&mut slow), "a header that never ends is closed");

    let mut kept = TcpStream::connect(&s.addr).unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    assert!(health_on(&mut kept).starts_with("HTTP/1.1 200"));
    assert!(closed_by_server(&mut kept), "a kept-alive connection with no next request is closed");
}

#[test]
fn a_slowly_sent_body_is_not_cut_by_the_idle_timeout() {
    let s = Server::start_env(&["--bench-sink"], &[("SITEPROOF_IDLE_TIMEOUT_SECS", "1")]);
    let mut sock = TcpStream::connect(&s.addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    sock.write_all(b"POST /bench/sink HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n").unwrap();
    // Eight bytes over about 3.2 s: three idle timeouts long, like a chunk on an edge link.
    for b in b"12345678" {
        std::thread::sleep(Duration::from_millis(400));
        sock.write_all(&[*b]).unwrap();
    }
    let answer = read_response(&mut sock);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn connections_beyond_the_cap_wait_until_one_is_freed() {
    let s = Server::start_env(&[], &[("SITEPROOF_MAX_CONNECTIONS", "4"), ("SITEPROOF_IDLE_TIMEOUT_SECS", "60")]);
    let mut held: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut c = TcpStream::connect(&s.addr).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            assert!(health_on(&mut c).starts_with("HTTP/1.1 200"));
            c
        })
        .collect();
    let mut extra = TcpStream::connect(&s.addr).unwrap();
    extra.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    extra.set_read_timeout(Some(Duration::from_millis(1500))).unwrap();
    let mut buf = [0u8; 64];
    match extra.read(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {}
        other => panic!("a fifth connection was served while four were open (cap 4): {other:?}"),
    }
    held.pop();
    extra.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let answer = read_response(&mut extra);
    assert!(answer.starts_with("HTTP/1.1 200"), "served once a connection was freed: {answer}");
    // The held ones still work.
    assert!(health_on(&mut held[0]).starts_with("HTTP/1.1 200"));
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    let s = Server::start_env(&["--bench-sink"], &[]);
    let mut sock = TcpStream::connect(&s.addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    sock.write_all(b"POST /bench/sink HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n12").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) };
    std::thread::sleep(Duration::from_millis(300));
    sock.write_all(b"34").unwrap();
    let answer = read_response(&mut sock);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let mut s = s;
    let status = s.child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}
