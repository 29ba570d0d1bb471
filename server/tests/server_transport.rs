//! What the real server exposes besides its answers: the session cookie is
//! `Secure` when the public address is https (configured, or said by a
//! trusted proxy), every console response carries a strict CSP that forbids
//! framing plus nosniff and a referrer policy, API responses carry nosniff,
//! and the data directory is readable by the server's own user only.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;
use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::json;

fn no_redirects() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn console_login(s: &Server, user: &str, extra: &[(&str, &str)]) -> Response {
    let mut rb = no_redirects()
        .post(s.url("/console/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password={PASSWORD}"));
    for (k, v) in extra {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().unwrap();
    assert_eq!(r.status(), 303, "console login of {user}");
    r
}

fn set_cookies(r: &Response) -> Vec<String> {
    r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

fn is_secure(cookie: &str) -> bool {
    cookie.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure"))
}

#[test]
fn session_cookie_is_secure_when_the_public_url_is_https() {
    let plain = World::new(&[]);
    let r = console_login(&plain.server, "coord_a", &[("x-forwarded-proto", "https")]);
    assert!(set_cookies(&r).iter().all(|c| !is_secure(c)), "plain http and no proxy trust: a Secure cookie would never come back");

    let https = World::new_env(&[], &[("SITEPROOF_PUBLIC_URL", "https://case.example.cn")]);
    let r = console_login(&https.server, "coord_a", &[]);
    let cookies = set_cookies(&r);
    assert!(!cookies.is_empty() && cookies.iter().all(|c| is_secure(c)), "{cookies:?}");
    let r = no_redirects().get(https.server.url("/console/login")).send().unwrap();
    assert!(set_cookies(&r).iter().all(|c| is_secure(c)), "the language cookie too");

    let proxied = World::new_env(&[], &[("SITEPROOF_TRUST_PROXY", "true")]);
    let r = console_login(&proxied.server, "coord_a", &[("x-forwarded-proto", "https")]);
    assert!(set_cookies(&r).iter().all(|c| is_secure(c)), "a trusted proxy says the browser used https");
    let r = console_login(&proxied.server, "coord_a", &[]);
    assert!(set_cookies(&r).iter().all(|c| !is_secure(c)));
}

fn assert_console_headers(r: &Response, what: &str) {
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap_or_else(|| panic!("{what}: no Content-Security-Policy")).to_str().unwrap();
    for part in ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{what}: no scripts, nothing inline: {csp}");
    assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
    assert_eq!(h.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
    assert!(h.get("referrer-policy").is_some(), "{what}: no Referrer-Policy");
}

#[test]
fn console_responses_carry_a_strict_csp_and_api_responses_nosniff() {
    let w = World::new(&[]);
    let s = &w.server;
    let r = s
        .req(Method::POST, "/v1/orders", Some(&w.coord_a))
        .json(&json!({"number": "CSP-1", "kind": "投诉", "category": "噪音", "address": "幸福里3号楼", "complainant": "王女士"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let http = no_redirects();
    let login = http.get(s.url("/console/login")).send().unwrap();
    assert_console_headers(&login, "login page");
    assert_console_headers(&http.get(s.url("/console/static/console.css")).send().unwrap(), "stylesheet");
    assert_console_headers(&http.get(s.url("/console/orders")).send().unwrap(), "redirect to login");
    let r = console_login(s, "coord_a", &[]);
    assert_console_headers(&r, "login redirect");
    let cookie = set_cookies(&r).into_iter().find(|c| c.starts_with("sp_console=")).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    for path in ["/console/orders", "/console/orders/CSP-1", "/console/followups", "/console/audit"] {
        let r = http.get(s.url(path)).header("cookie", &cookie).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_console_headers(&r, path);
        let html = r.text().unwrap();
        // What the CSP forbids must not be needed: no inline styles or scripts.
        for bad in [" style=", "<style", "<script", "javascript:"] {
            assert!(!html.contains(bad), "{path} uses {bad:?}, which the CSP blocks");
        }
    }
    let api = s.req(Method::GET, "/v1/health", None).send().unwrap();
    assert_eq!(api.headers().get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "API");
}

fn mode(p: &Path) -> u32 {
    siteproof_fs::mode_of(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn assert_private_tree(root: &Path) {
    let wide = siteproof_fs::not_owner_only(root).unwrap();
    assert!(wide.is_empty(), "not owner-only (path, mode): {wide:?}");
}

#[test]
fn data_directory_files_are_owner_only_and_old_ones_are_tightened() {
    let w = World::new(&[]);
    let dev = w.device("worker_a");
    dev.upload(&w.server, &random_bytes(70_000));
    let data = w.server.data.clone();
    for p in ["siteproof.db", "server.key", "blobs", "staging"] {
        assert!(data.join(p).exists(), "{p}");
    }
    assert_private_tree(&data);

    // A deployment from before: everything world-readable. A restart tightens what it opens.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    bootstrap(&data);
    Server::start_at(data.clone(), &[]).stop();
    for d in [&data, &data.join("blobs"), &data.join("staging")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for f in ["siteproof.db", "server.key"] {
        std::fs::set_permissions(data.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let s = Server::start_at(data.clone(), &[]);
    assert_eq!(s.req(Method::GET, "/v1/health", None).send().unwrap().status(), 200);
    for d in [&data, &data.join("blobs"), &data.join("staging")] {
        assert_eq!(mode(d), 0o700, "{}", d.display());
    }
    for f in ["siteproof.db", "server.key"] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
}
