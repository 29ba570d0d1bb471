//! The console's enrollment page end to end: a coordinator issues a code on
//! the page, the test reads the QR codes back the way a phone's scanner would
//! (SVG drawn to pixels, decoded with rqrr), and a device enrolls with what it
//! scanned through the real `POST /v1/enroll` - once; the second use is refused.
//! Workers and other communities' coordinators get nothing.

mod common;

use common::*;
use ed25519_dalek::SigningKey;
use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::json;

/// A console session: its cookie and the client that never follows redirects.
struct Console {
    http: Client,
    base: String,
    cookie: String,
}

impl Console {
    fn with_cookie(s: &Server, cookie: String) -> Console {
        Console { http: Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(), base: s.base.clone(), cookie }
    }

    fn login(s: &Server, user: &str) -> Console {
        let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = http
            .post(format!("{}/console/login", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("username={user}&password={PASSWORD}"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 303, "console login of {user}");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        Console::with_cookie(s, cookie)
    }

    fn get(&self, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().unwrap()
    }

    /// Posts the enrollment form for a worker with the page's CSRF token.
    fn create_code(&self, worker: &str) -> Response {
        let page = self.get("/console/enroll").text().unwrap();
        let at = page.find("name=\"csrf\" value=\"").expect("page has a csrf field") + 19;
        let csrf = &page[at..at + 64];
        self.http
            .post(format!("{}/console/enroll", self.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={csrf}&worker={worker}"))
            .send()
            .unwrap()
    }
}

/// The text inside the element carrying `data-test="{name}"`.
fn text_of<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html.find(&format!("data-test=\"{name}\"")).unwrap_or_else(|| panic!("no {name} in page"));
    let open = start + html[start..].find('>').unwrap() + 1;
    &html[open..open + html[open..].find('<').unwrap()]
}

/// Draws the `<svg>` inside the figure `data-test="{figure}"` to pixels and decodes its QR code.
fn scan(html: &str, figure: &str) -> String {
    let fig = &html[html.find(&format!("data-test=\"{figure}\"")).unwrap_or_else(|| panic!("no {figure}"))..];
    let svg = &fig[fig.find("<svg").unwrap()..fig.find("</svg>").unwrap()];
    let attr = |name: &str| -> usize {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
    };
    let (w, h) = (attr("width"), attr("height"));
    let mut dark = vec![false; w * h];
    // The qrcode crate draws each dark run as "M{left} {top}h{width}v{height}H{left}V{top}".
    let d_at = svg.find(" d=\"").unwrap() + 4;
    let d = &svg[d_at..d_at + svg[d_at..].find('"').unwrap()];
    for rect in d.split('M').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> = rect.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).map(|n| n.parse().unwrap()).collect();
        let (left, top, rw, rh) = (nums[0], nums[1], nums[2], nums[3]);
        for y in top..top + rh {
            for x in left..left + rw {
                dark[y * w + x] = true;
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| if dark[y * w + x] { 0 } else { 255 });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in {figure}");
    grids[0].decode().expect("QR code decodes").1
}

fn enroll(s: &Server, code: &str) -> Response {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    s.req(Method::POST, "/v1/enroll", None)
        .json(&json!({"code": code, "public_key": hex::encode(key.verifying_key().as_bytes()), "device_name": "scanned phone"}))
        .send()
        .unwrap()
}

#[test]
fn scanned_enrollment_qr_codes_enroll_a_device_once() {
    let w = World::new(&[]);
    let s = &w.server;
    let coord = Console::login(s, "coord_a");

    let picker = coord.get("/console/enroll");
    assert_eq!(picker.status(), 200);
    let picker = picker.text().unwrap();
    assert!(picker.contains("href=\"/console/enroll\""), "linked from the navigation");
    assert!(picker.contains("<option value=\"worker_a\">") && !picker.contains("worker_b"), "only the coordinator's workers");

    let r = coord.create_code("worker_a");
    assert_eq!(r.status(), 200);
    let page = r.text().unwrap();
    let (server_url, code) = (scan(&page, "qr-server"), scan(&page, "qr-code"));
    // What the phone's scanner expects: the base address it enrolls against, and the bare code.
    assert_eq!(server_url, s.base);
    assert_eq!(code, text_of(&page, "code"));
    assert_eq!(server_url, text_of(&page, "server-url"));
    assert!(!text_of(&page, "expires").is_empty());

    let first = enroll(s, &code);
    assert_eq!(first.status(), 201, "first use: {}", first.text().unwrap());
    let again = enroll(s, &code);
    assert_eq!(err_code(again), (401, "bad_enroll_code".to_string()), "a code works once");

    let audit = coord.get("/console/audit").text().unwrap();
    assert!(audit.contains("data-action=\"enroll_code\""), "issuing a code is audited");
}

#[test]
fn enrollment_page_is_for_the_workers_own_coordinator_only() {
    let w = World::new(&[]);
    let s = &w.server;
    let worker = Console::with_cookie(s, format!("sp_console={}", w.worker_a));
    let status = worker.get("/console/enroll").status().as_u16();
    assert!(status == 403 || status == 404, "worker got {status}");

    let other = Console::login(s, "coord_b");
    assert_eq!(other.create_code("worker_a").status(), 404, "another community's worker");
    let coord = Console::login(s, "coord_a");
    assert_eq!(coord.create_code("coord_a").status(), 404, "a coordinator is not enrolled as a worker");
}

#[test]
fn behind_a_proxy_the_qr_code_carries_the_public_address() {
    let w = World::new(&["--public-url", "https://case.example.cn/"]);
    let page = Console::login(&w.server, "coord_a").create_code("worker_a").text().unwrap();
    assert_eq!(scan(&page, "qr-server"), "https://case.example.cn");
}
