//! Password guessing on the real server: wrong logins are throttled per
//! account and per source address (429 with Retry-After, on the JSON API and
//! on the console's login page), and password hashing never holds the
//! database pool, so a flood of logins does not stall anything else.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

fn wrong_login(s: &Server, user: &str) -> reqwest::blocking::Response {
    s.req(Method::POST, "/v1/login", None).json(&json!({"username": user, "password": "not-the-password"})).send().unwrap()
}

/// The Retry-After seconds of a 429, checked to be a positive number.
fn retry_after(r: &reqwest::blocking::Response) -> u64 {
    let v = r.headers().get("retry-after").expect("a 429 says when to retry").to_str().unwrap();
    let secs: u64 = v.parse().unwrap_or_else(|_| panic!("Retry-After {v:?} is not seconds"));
    assert!(secs >= 1, "Retry-After {secs}");
    secs
}

#[test]
fn wrong_passwords_for_one_account_are_throttled_and_others_still_log_in() {
    let w = World::new_env(&[], &[("SITEPROOF_LOGIN_ATTEMPTS_PER_ADDRESS", "1000")]);
    let s = &w.server;
    let mut statuses = Vec::new();
    let mut throttled = None;
    for _ in 0..50 {
        let r = wrong_login(s, "coord_a");
        statuses.push(r.status().as_u16());
        if r.status() == 429 && throttled.is_none() {
            retry_after(&r);
            throttled = Some(r.json::<Value>().unwrap());
        }
    }
    let body = throttled.unwrap_or_else(|| panic!("50 wrong passwords were never throttled: {statuses:?}"));
    assert_eq!(body["error"], "too_many_attempts", "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(msg.contains("请") && msg.contains("try again"), "bilingual message: {msg}");
    assert!(statuses.iter().filter(|&&c| c == 401).count() <= 10, "at most the burst is checked: {statuses:?}");
    // Even the right password waits now: guessing must not be able to tell.
    let r = s.req(Method::POST, "/v1/login", None).json(&json!({"username": "coord_a", "password": PASSWORD})).send().unwrap();
    assert_eq!(r.status(), 429);
    // Another account from the same address is not locked out by someone guessing coord_a.
    s.login("coord_b");
}

#[test]
fn one_address_trying_many_accounts_is_throttled_and_forwarded_for_is_not_trusted_by_default() {
    let w = World::new_env(&[], &[("SITEPROOF_LOGIN_ATTEMPTS_PER_ADDRESS", "5")]);
    let s = &w.server;
    let mut codes = Vec::new();
    for i in 0..12 {
        // A made-up X-Forwarded-For must not buy a fresh allowance without --trust-proxy.
        let r = s
            .req(Method::POST, "/v1/login", None)
            .header("x-forwarded-for", format!("10.9.8.{i}"))
            .json(&json!({"username": format!("nobody{i}"), "password": "not-the-password"}))
            .send()
            .unwrap();
        codes.push(r.status().as_u16());
    }
    assert!(codes.iter().filter(|&&c| c == 401).count() <= 5, "{codes:?}");
    assert!(codes.contains(&429), "{codes:?}");
}

#[test]
fn console_login_throttle_is_a_page_with_retry_after() {
    let w = World::new_env(&[], &[("SITEPROOF_LOGIN_ATTEMPTS_PER_ADDRESS", "1000")]);
    let s = &w.server;
    let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut last = None;
    for _ in 0..30 {
        let r = http
            .post(s.url("/console/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("username=coord_a&password=wrong-password")
            .send()
            .unwrap();
        if r.status() == 429 {
            last = Some(r);
            break;
        }
        assert_eq!(r.status(), 401);
    }
    let r = last.expect("the console login form is throttled too");
    retry_after(&r);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "a page, not JSON: {ct}");
    let html = r.text().unwrap();
    assert!(html.contains("data-test=\"login-error\"") && html.contains("<form"), "the login form again, with the message: {html}");
    assert!(html.contains("请") && html.contains("try again"), "{html}");
}

#[test]
fn health_answers_while_32_wrong_logins_hash() {
    let w = World::new_env(&[], &[("SITEPROOF_LOGIN_ATTEMPTS_PER_ADDRESS", "100000"), ("SITEPROOF_LOGIN_ATTEMPTS_PER_ACCOUNT", "100000")]);
    let s = Arc::new(w.server.base.clone());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for t in 0..32 {
        let (base, in_flight, started) = (s.clone(), in_flight.clone(), started.clone());
        in_flight.fetch_add(1, Ordering::SeqCst);
        threads.push(std::thread::spawn(move || {
            let http = client();
            started.store(true, Ordering::SeqCst);
            for i in 0..3 {
                let r = http
                    .post(format!("{base}/v1/login"))
                    .json(&json!({"username": format!("nobody-{t}-{i}"), "password": "not-the-password"}))
                    .send()
                    .unwrap();
                assert_eq!(r.status(), 401);
            }
            in_flight.fetch_sub(1, Ordering::SeqCst);
        }));
    }
    while !started.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    // Count health answers that come back while logins are still being checked:
    // with hashing on the database pool, health queues behind the hashes.
    let http = client();
    let mut answered_during = 0;
    while in_flight.load(Ordering::SeqCst) > 0 {
        let r = http.get(format!("{s}/v1/health")).send().unwrap();
        assert_eq!(r.status(), 200);
        if in_flight.load(Ordering::SeqCst) > 0 {
            answered_during += 1;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for t in threads {
        t.join().unwrap();
    }
    assert!(answered_during >= 15, "health answered only {answered_during} times while 96 wrong logins were checked");
}
