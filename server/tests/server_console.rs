//! The coordinators' console on the real server: login by form and cookie,
//! tenancy over every console route (another community's coordinator, a
//! worker, no session), the list filters and keyset paging, CSRF on form
//! posts, audit rows for views and downloads, Range requests for audio.

mod common;

use common::*;
use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::json;
use siteproof_protocol::time::now_ms;

/// A browser-like client: keeps the console cookie, never follows redirects.
struct Browser {
    http: Client,
    base: String,
    cookie: Option<String>,
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

impl Browser {
    fn new(s: &Server) -> Browser {
        let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, base: s.base.clone(), cookie: None }
    }

    /// Logs in through the form; panics unless it succeeds.
    fn login(s: &Server, user: &str) -> Browser {
        let mut b = Browser::new(s);
        let r = b.post_form("/console/login", &[("username", user), ("password", PASSWORD)]);
        assert_eq!(r.status(), 303, "console login of {user}");
        let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
        b.cookie = Some(set.split(';').next().unwrap().to_string());
        b
    }

    /// A browser carrying an arbitrary token as its console cookie.
    fn with_token(s: &Server, token: &str) -> Browser {
        let mut b = Browser::new(s);
        b.cookie = Some(format!("sp_console={token}"));
        b
    }

    fn req(&self, m: Method, path: &str) -> reqwest::blocking::RequestBuilder {
        let rb = self.http.request(m, format!("{}{path}", self.base));
        match &self.cookie {
            Some(c) => rb.header("cookie", c),
            None => rb,
        }
    }

    fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().unwrap()
    }

    fn page(&self, path: &str) -> String {
        let r = self.get(path);
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().unwrap()
    }

    fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Response {
        self.req(Method::POST, path).header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs)).send().unwrap()
    }

    /// The CSRF token from a page's forms.
    fn csrf(&self, path: &str) -> String {
        let html = self.page(path);
        let at = html.find("name=\"csrf\" value=\"").expect("page has a csrf field") + 19;
        html[at..at + 64].to_string()
    }
}

fn create_order(s: &Server, token: &str, number: &str, deadline_ms: Option<i64>) {
    let r = s
        .req(Method::POST, "/v1/orders", Some(token))
        .json(&json!({"number": number, "kind": "投诉", "category": "噪音", "address": "幸福里3号楼", "complainant": "王女士 13800138000", "deadline_ms": deadline_ms}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "create {number}: {}", r.text().unwrap());
}

fn patch_order(s: &Server, token: &str, number: &str, v: serde_json::Value) {
    let r = s.req(Method::PATCH, &format!("/v1/orders/{number}"), Some(token)).json(&v).send().unwrap();
    assert!(r.status().is_success(), "patch {number}: {}", r.text().unwrap());
}

fn listed(html: &str) -> Vec<String> {
    html.split("data-order=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect()
}

/// The last millisecond of today, China time: due today and (but for that millisecond) not yet overdue.
fn today_end_china() -> i64 {
    let day = 86_400_000;
    let offset = 8 * 3_600_000;
    (now_ms() + offset).div_euclid(day) * day - offset + day - 1
}

#[test]
fn filters_and_keyset_paging() {
    let w = World::new(&[]);
    let s = &w.server;
    let now = now_ms();
    create_order(s, &w.coord_a, "A-TODAY", Some(today_end_china()));
    create_order(s, &w.coord_a, "A-LATE", Some(now - 3 * 86_400_000));
    create_order(s, &w.coord_a, "A-LATE-DONE", Some(now - 3 * 86_400_000));
    patch_order(s, &w.coord_a, "A-LATE-DONE", json!({"status": "closed"}));
    create_order(s, &w.coord_a, "A-REOPEN", Some(now + 5 * 86_400_000));
    patch_order(s, &w.coord_a, "A-REOPEN", json!({"tag_callback": "重办", "tag_type": "疑难"}));
    create_order(s, &w.coord_a, "A-KEY", None);
    patch_order(s, &w.coord_a, "A-KEY", json!({"tag_type": "重点", "tag_handling": "已解释", "knowledge": "噪音扰民按《条例》第12条"}));
    let r = s.req(Method::POST, "/v1/orders/A-KEY/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_a"})).send().unwrap();
    assert!(r.status().is_success());
    create_order(s, &w.coord_b, "B-TODAY", Some(today_end_china()));

    let b = Browser::login(s, "coord_a");
    let all = listed(&b.page("/console/orders"));
    assert_eq!(all, ["A-LATE", "A-LATE-DONE", "A-TODAY", "A-REOPEN", "A-KEY"], "deadline order, none last, only own community");
    assert_eq!(listed(&b.page("/console/orders?due=today")), ["A-TODAY"]);
    assert_eq!(listed(&b.page("/console/orders?due=overdue")), ["A-LATE"], "closed orders are not overdue");
    assert_eq!(listed(&b.page("/console/orders?reopened=1")), ["A-REOPEN"]);
    assert_eq!(listed(&b.page("/console/orders?type=key")), ["A-KEY"]);
    assert_eq!(listed(&b.page("/console/orders?type=疑难")), ["A-REOPEN"], "Chinese labels are accepted");
    assert_eq!(listed(&b.page("/console/orders?handling=explained")), ["A-KEY"]);
    assert_eq!(listed(&b.page("/console/orders?callback=reopened")), ["A-REOPEN"]);
    assert_eq!(listed(&b.page("/console/orders?knowledge=1")), ["A-KEY"]);
    assert_eq!(listed(&b.page("/console/orders?worker=worker_a")), ["A-KEY"]);
    assert_eq!(listed(&b.page("/console/orders?status=closed")), ["A-LATE-DONE"]);
    assert!(listed(&b.page("/console/orders?type=key&due=overdue")).is_empty());
    let html = b.page("/console/orders?lang=en");
    assert!(html.contains("Work orders") && html.contains("Overdue"), "English switch");
    for bad in ["due=tomorrow", "type=urgent", "community=x", "after=zz", "knowledge=yes", "bogus=1"] {
        let r = b.get(&format!("/console/orders?{bad}"));
        assert_eq!(r.status(), if bad.starts_with("type") { 422 } else { 400 }, "{bad}");
        assert!(r.text().unwrap().contains(" / "), "bilingual error for {bad}");
    }

    // The admin sees both communities and can narrow to one.
    let admin = Browser::login(s, "admin1");
    assert_eq!(listed(&admin.page("/console/orders?due=today")).len(), 2);

    // Keyset paging: 120 more orders, follow the next links, every order exactly once.
    for i in 0..120 {
        create_order(s, &w.coord_a, &format!("P-{i:03}"), Some(now + (i % 7) * 86_400_000));
    }
    let mut seen = Vec::new();
    let mut path = "/console/orders".to_string();
    loop {
        let html = b.page(&path);
        seen.extend(listed(&html));
        match html.find("data-test=\"next-page\"") {
            None => break,
            Some(at) => {
                let start = html[..at].rfind("href=\"").unwrap() + 6;
                path = html[start..].split('"').next().unwrap().replace("&amp;", "&");
            }
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 125);
    assert_eq!(unique.len(), 125, "no order twice across pages");
}

#[test]
fn tenancy_over_every_console_route() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-1", Some(now_ms()));
    let mut dev = w.device("worker_a");
    let photo = b"\xff\xd8\xff\xe0 a photo of community A \xff\xd9";
    let sha = dev.upload(s, photo);
    let sm = dev.next_manifest(Some((&sha, photo.len() as u64)), Some("A-1"));
    assert_eq!(dev.post_manifest(s, &sm).status(), 201);

    let coord_a = Browser::login(s, "coord_a");
    let csrf_a = coord_a.csrf("/console/orders/A-1");
    // A window in the future: one entirely in the past is refused.
    let (from, due) = (local(now_ms() + 86_400_000), local(now_ms() + 2 * 86_400_000));
    let r = coord_a.post_form("/console/orders/A-1/followups", &[("csrf", &csrf_a), ("from", &from), ("due", &due), ("note", "看")]);
    assert_eq!(r.status(), 303);
    let coord_b = Browser::login(s, "coord_b");
    let csrf_b = coord_b.csrf("/console/orders");
    let worker = Browser::with_token(s, &w.worker_a);
    let device = Browser::with_token(s, &dev.token);
    let nobody = Browser::new(s);
    let forged = Browser::with_token(s, "sps_not-a-real-token");

    // A worker cannot even log in to the console.
    let r = Browser::new(s).post_form("/console/login", &[("username", "worker_a"), ("password", PASSWORD)]);
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().contains("sp_console=sps_")));

    let routes = siteproof_server::console::routes();
    assert!(routes.len() >= 14);
    for rt in &routes {
        let path = rt.path.replace("{number}", "A-1").replace("{sha256}", &sha).replace("{id}", "1");
        let m = Method::from_bytes(rt.method.as_bytes()).unwrap();
        let send = |b: &Browser, csrf: &str| {
            let rb = b.req(m.clone(), &path);
            // A complete, valid form for every POST route, so only tenancy can refuse it.
            let fields = [
                ("csrf", csrf),
                ("from", from.as_str()),
                ("due", due.as_str()),
                ("note", "x"),
                ("status", "in_progress"),
                ("after", "x"),
                ("before", ""),
                ("item", "x"),
                ("real_name", "x"),
            ];
            if m == Method::POST {
                rb.header("content-type", "application/x-www-form-urlencoded").body(form_body(&fields)).send().unwrap()
            } else {
                rb.send().unwrap()
            }
        };
        if rt.access == siteproof_server::Access::Public {
            continue;
        }
        for (who, b) in [("nobody", &nobody), ("forged", &forged)] {
            let r = send(b, "");
            assert_eq!(r.status(), 303, "{who} {} {path}", rt.method);
            assert_eq!(r.headers()["location"], "/console/login", "{who} {} {path}", rt.method);
        }
        for (who, b) in [("worker", &worker), ("device", &device)] {
            let r = send(b, "");
            assert!(matches!(r.status().as_u16(), 403 | 303), "{who} {} {path}: {}", rt.method, r.status());
            assert!(!r.text().unwrap().contains("A-1"), "{who} saw A's order");
        }
        if rt.path == "/console/logout" {
            continue; // would end coord_b's session for the routes after it
        }
        // Another community's coordinator with a valid CSRF token of their own.
        let r = send(&coord_b, &csrf_b);
        let status = r.status().as_u16();
        let body = r.text().unwrap();
        if rt.path.contains("{number}") || rt.path.contains("{sha256}") {
            assert_eq!(status, 404, "coord_b {} {path}", rt.method);
        } else {
            assert!(!body.contains("A-1"), "coord_b sees A's data on {path}");
        }
    }
    // And community A's own coordinator gets every page.
    for p in ["/console/orders", "/console/orders/A-1", "/console/followups", "/console/audit", &format!("/console/blobs/{sha}")] {
        assert_eq!(coord_a.get(p).status(), 200, "{p}");
    }
}

#[test]
fn csrf_edit_history_audit_and_ranges() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-7", Some(now_ms() + 86_400_000));
    let mut dev = w.device("worker_a");
    let audio: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let sha = dev.upload(s, &audio);
    let sm = dev.next_manifest(Some((&sha, audio.len() as u64)), Some("A-7"));
    assert_eq!(dev.post_manifest(s, &sm).status(), 201);
    let b = Browser::login(s, "coord_a");
    let csrf = b.csrf("/console/orders/A-7");
    let edit = [
        ("status", "in_progress"),
        ("tag_type", "key"),
        ("tag_handling", ""),
        ("tag_callback", ""),
        ("knowledge", "第一行\n第二行"),
        ("notes", ""),
    ];

    // No token, a wrong token, a cross-site Origin: refused, nothing changes.
    let r = b.post_form("/console/orders/A-7/edit", &edit);
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("csrf"));
    let mut wrong = edit.to_vec();
    wrong.push(("csrf", "0000000000000000000000000000000000000000000000000000000000000000"));
    assert_eq!(b.post_form("/console/orders/A-7/edit", &wrong).status(), 403);
    let mut good = edit.to_vec();
    good.push(("csrf", &csrf));
    let r = b
        .req(Method::POST, "/console/orders/A-7/edit")
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&good))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let o: serde_json::Value = s.req(Method::GET, "/v1/orders/A-7", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(o["status"], "new", "refused posts change nothing");

    // Another coordinator's CSRF token does not work with this session.
    let other = Browser::login(s, "coord_a");
    let mut stolen = edit.to_vec();
    let other_csrf = other.csrf("/console/orders");
    assert_ne!(other_csrf, csrf);
    stolen.push(("csrf", &other_csrf));
    assert_eq!(b.post_form("/console/orders/A-7/edit", &stolen).status(), 403);

    // With the token: applied through the domain function, so history is kept.
    let r = b.post_form("/console/orders/A-7/edit", &good);
    assert_eq!(r.status(), 303);
    let h: serde_json::Value = s.req(Method::GET, "/v1/orders/A-7/history", Some(&w.coord_a)).send().unwrap().json().unwrap();
    let fields: Vec<&str> = h["history"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"status") && fields.contains(&"tag_type") && fields.contains(&"knowledge"), "{h}");
    let page = b.page("/console/orders/A-7");
    assert!(page.contains("处理中") && page.contains("重点"), "new values shown");
    // A bad value is refused with the vocabulary's explanation.
    let r = b.post_form("/console/orders/A-7/edit", &[("csrf", &csrf), ("status", "finished")]);
    assert_eq!(r.status(), 422);
    assert!(r.text().unwrap().contains("已办结"), "lists the valid choices");

    // Range requests (audio players seek) and audit rows.
    let r = b.req(Method::GET, &format!("/console/blobs/{sha}")).header("range", "bytes=100-199").send().unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 100-199/10000");
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert_eq!(r.bytes().unwrap().as_ref(), &audio[100..200]);
    let r = b.req(Method::GET, &format!("/console/blobs/{sha}")).header("range", "bytes=20000-").send().unwrap();
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], "bytes */10000");
    let r = b.get(&format!("/console/blobs/{sha}?download=1"));
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(r.bytes().unwrap().len(), 10_000);

    let db = rusqlite::Connection::open(s.data.join("siteproof.db")).unwrap();
    let rows: Vec<(String, String, String)> = db
        .prepare("SELECT u.username, a.action, a.target FROM audit a JOIN users u ON u.id = a.user_id ORDER BY a.id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let has = |action: &str, target: &str| rows.iter().any(|(u, a, t)| u == "coord_a" && a == action && t == target);
    assert!(has("view_order", "order:A-7"), "{rows:?}");
    assert!(has("download_original", &format!("blob:{sha}")), "{rows:?}");
    assert!(!has("view_original", &format!("blob:{sha}")), "a mid-file range is not a new opening: {rows:?}");
    let audit = b.page("/console/audit");
    assert!(audit.contains("order:A-7") && audit.contains("download_original"));
    let audit_b = Browser::login(s, "coord_b").page("/console/audit");
    assert!(!audit_b.contains("order:A-7"), "another community's coordinator does not read A's audit rows");

    // Logout revokes the session.
    let r = b.post_form("/console/logout", &[("csrf", &csrf)]);
    assert_eq!(r.status(), 303);
    assert_eq!(b.get("/console/orders").status(), 303);
}

#[test]
fn followups_due_missed_observed() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "F-1", Some(now_ms() + 86_400_000));
    let mut dev = w.device("worker_a");
    // The common test manifest is captured at 1_790_000_000_000 (2026-09-21 14:13 UTC).
    let sm = dev.next_manifest(None, Some("F-1"));
    assert_eq!(dev.post_manifest(s, &sm).status(), 201);
    let b = Browser::login(s, "coord_a");
    let csrf = b.csrf("/console/orders/F-1");
    let post = |from: &str, due: &str, note: &str| {
        b.post_form("/console/orders/F-1/followups", &[("csrf", &csrf), ("from", from), ("due", due), ("note", note)])
    };
    // Windows that were scheduled while still ahead and have closed since: one with evidence captured inside it, one without.
    let order_id: i64 = {
        let db = rusqlite::Connection::open(s.data.join("siteproof.db")).unwrap();
        db.query_row("SELECT id FROM orders WHERE number = 'F-1'", [], |r| r.get(0)).unwrap()
    };
    let stored_window = |from: &str, due: &str, note: &str| {
        let db = rusqlite::Connection::open(s.data.join("siteproof.db")).unwrap();
        let ms = |t: &str| chrono::DateTime::parse_from_rfc3339(&format!("{t}:00+08:00")).unwrap().timestamp_millis();
        let sql = "INSERT INTO followups (order_id, from_ms, due_ms, note, created_by, created_at_ms) \
                   VALUES (?1, ?2, ?3, ?4, (SELECT id FROM users WHERE username = 'coord_a'), ?2)";
        db.execute(sql, rusqlite::params![order_id, ms(from), ms(due), note]).unwrap();
    };
    stored_window("2026-09-21T08:00", "2026-09-22T08:00", "observed window");
    stored_window("2026-09-23T08:00", "2026-09-24T08:00", "missed window");
    let now = now_ms();
    assert_eq!(post(&local(now - 3_600_000), &local(now + 86_400_000), "due window").status(), 303);
    assert_eq!(post("2026-09-24T08:00", "2026-09-23T08:00", "backwards").status(), 422);
    assert_eq!(post("next week", "2026-09-23T08:00", "bad").status(), 422);
    let page = b.page("/console/orders/F-1");
    for (state, note) in [("observed", "observed window"), ("missed", "missed window"), ("due", "due window")] {
        let at = page.find(note).unwrap_or_else(|| panic!("{note} listed"));
        let row_start = page[..at].rfind("<tr").unwrap();
        assert!(page[row_start..at].contains(&format!("data-state=\"{state}\"")), "{note} should be {state}");
    }
    let due = b.page("/console/followups?state=due");
    assert!(due.contains("due window") && !due.contains("missed window"));
}

/// Formats Unix ms as a `datetime-local` value in China time.
fn local(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap().timestamp_millis_opt(ms).unwrap().format("%Y-%m-%dT%H:%M").to_string()
}

fn audit_rows(s: &Server) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(s.data.join("siteproof.db")).unwrap();
    let mut q = db.prepare("SELECT action, target FROM audit ORDER BY id").unwrap();
    let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
    rows
}

#[test]
fn identifiers_that_are_not_the_devices_own_format_are_refused_and_the_order_page_survives() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-9", None);
    let mut dev = w.device("worker_a");
    // Photos: the order page lists them by a short form of their item id (in the before/after pairing form).
    let photo = random_bytes(5_000);
    let sha = dev.upload(s, &photo);
    let media = Some((sha.as_str(), photo.len() as u64));
    let ok = dev.next_manifest(media, Some("A-9"));
    assert_eq!(dev.post_manifest(s, &ok).status(), 201);
    let hostile = [
        ("item_id", "中文中文中文"),
        ("item_id", "x"),
        ("item_id", "0192F3C4-5D6E-7A8B-9C0D-1E2F3A4B5C6D"),
        ("item_id", "0192f3c4-5d6e-7a8b-9c0d-1e2f3a4b5c6d-and-more"),
        ("visit_id", "走访走访走访走访"),
        ("attach", "中文中文中文"),
    ];
    let mut answers = Vec::new();
    for (field, value) in hostile {
        let sm = dev.manifest_with(2, Some(ok.hash()), media, Some("A-9"), |m| match field {
            "item_id" => m.item_id = value.into(),
            "visit_id" => m.visit_id = Some(value.into()),
            _ => {
                m.kind = siteproof_core::evidence::EntryKind::Attach;
                m.media = None;
                m.attach = Some(siteproof_core::evidence::AttachRef { item_id: value.into(), manifest_hash: ok.hash() });
            }
        });
        let r = dev.post_manifest(s, &sm);
        let status = r.status().as_u16();
        answers.push((field, value, status, r.text().unwrap()));
    }
    // Whatever was accepted, the order page still renders for the coordinator.
    let b = Browser::login(s, "coord_a");
    let r = b.req(Method::GET, "/console/orders/A-9").send().expect("the order page answers (no reset connection)");
    assert_eq!(r.status(), 200);
    for (field, value, status, body) in answers {
        assert_eq!(status, 422, "{field} {value:?} must be refused at ingest: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"], "invalid_identifier", "{body}");
        assert!(v["message"].as_str().unwrap().contains(" / "), "bilingual: {body}");
    }
}

#[test]
fn derivatives_belong_to_the_items_device_and_never_switch_off_auditing() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-5", None);
    let mut a = w.device("worker_a");
    let colleague = w.device("worker_a2");
    let photo = random_bytes(20_000);
    let sha = a.upload(s, &photo);
    let sm = a.next_manifest(Some((&sha, photo.len() as u64)), Some("A-5"));
    assert_eq!(a.post_manifest(s, &sm).status(), 201);
    let item = item_of(&sm);
    let thumb = random_bytes(2_000);
    let thumb_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&thumb));
    assert_eq!(a.create_derivative(s, &thumb, &item, "thumbnail").status(), 201);

    // A colleague's device may neither replace A's thumbnail nor add a preview to A's item.
    let fake = random_bytes(2_000);
    let fake_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&fake));
    assert_eq!(err_code(colleague.create_derivative(s, &fake, &item, "thumbnail")), (409, "derivative_not_yours".into()));
    assert_eq!(err_code(colleague.create_derivative(s, &fake, &item, "preview")), (409, "derivative_not_yours".into()));
    // A squatter who links a thumbnail to an item id before its device signs it loses the link when it does.
    let c2 = colleague;
    let future = uuid::Uuid::now_v7().to_string();
    let squat = random_bytes(1_500);
    let squat_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&squat));
    assert_eq!(c2.create_derivative(s, &squat, &future, "thumbnail").status(), 201);
    let photo2 = random_bytes(20_000);
    let sha2_ = a.upload(s, &photo2);
    a.seq += 1;
    let sm2 = a.manifest_with(a.seq, a.prev.clone(), Some((&sha2_, photo2.len() as u64)), Some("A-5"), |m| m.item_id = future.clone());
    a.prev = Some(sm2.hash());
    assert_eq!(a.post_manifest(s, &sm2).status(), 201);
    // Once the item is signed, its device's own thumbnail links; the colleague's may not come back.
    let thumb2 = random_bytes(1_800);
    let thumb2_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&thumb2));
    assert_eq!(a.create_derivative(s, &thumb2, &future, "thumbnail").status(), 201);
    assert_eq!(err_code(c2.create_derivative(s, &random_bytes(1_000), &future, "thumbnail")), (409, "derivative_not_yours".into()));

    let b = Browser::login(s, "coord_a");
    let page = b.page("/console/orders/A-5");
    assert!(page.contains(&format!("/console/blobs/{thumb_sha}")), "A's own thumbnail is shown");
    assert!(!page.contains(&fake_sha), "the colleague's picture is not shown as A's thumbnail");
    assert!(!page.contains(&squat_sha), "the squatter's picture is not shown as A's thumbnail");
    assert!(page.contains(&format!("/console/blobs/{thumb2_sha}")), "A's thumbnail of the second item is shown");

    // Registering an original as a preview of some item does not turn off auditing of that original.
    assert_eq!(a.create_derivative(s, &photo, &uuid::Uuid::now_v7().to_string(), "preview").status(), 201);
    assert_eq!(b.get(&format!("/console/blobs/{sha}")).status(), 200);
    let rows = audit_rows(s);
    assert!(rows.iter().any(|(act, t)| act == "view_original" && t == &format!("blob:{sha}")), "{rows:?}");
    // Thumbnails are not evidence and opening one is not audited.
    assert_eq!(b.get(&format!("/console/blobs/{thumb_sha}")).status(), 200);
    assert!(!audit_rows(s).iter().any(|(_, t)| t == &format!("blob:{thumb_sha}")));
}

#[test]
fn a_device_files_only_its_own_items_under_an_order() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-3", None);
    let mut a = w.device("worker_a");
    let mut colleague = w.device("worker_a2");
    let note = a.next_manifest(None, None);
    assert_eq!(a.post_manifest(s, &note).status(), 201);
    let item = item_of(&note);
    // The colleague's device signs an attach entry naming A's unfiled note.
    colleague.seq += 1;
    let attach = colleague.manifest_with(colleague.seq, None, None, Some("A-3"), |m| {
        m.kind = siteproof_core::evidence::EntryKind::Attach;
        m.text = None;
        m.attach = Some(siteproof_core::evidence::AttachRef { item_id: item.clone(), manifest_hash: note.hash() });
    });
    assert_eq!(colleague.post_manifest(s, &attach).status(), 201, "accepted and receipted: evidence is never dropped");
    let filed = || -> Vec<String> {
        let v: serde_json::Value = s.req(Method::GET, "/v1/evidence?order=A-3", Some(&w.coord_a)).send().unwrap().json().unwrap();
        v["entries"].as_array().unwrap().iter().map(|e| e["item_id"].as_str().unwrap().to_string()).collect()
    };
    assert!(!filed().contains(&item), "A's note is not filed by a colleague's attach: {:?}", filed());
    let page = Browser::login(s, "coord_a").page("/console/orders/A-3");
    assert!(!page.contains(&format!("data-item=\"{item}\"")), "nor shown under the order in the console");
    // A's own attach files it.
    a.seq += 1;
    let own = a.manifest_with(a.seq, a.prev.clone(), None, Some("A-3"), |m| {
        m.kind = siteproof_core::evidence::EntryKind::Attach;
        m.text = None;
        m.attach = Some(siteproof_core::evidence::AttachRef { item_id: item.clone(), manifest_hash: note.hash() });
    });
    assert_eq!(a.post_manifest(s, &own).status(), 201);
    assert!(filed().contains(&item), "{:?}", filed());
    assert!(Browser::login(s, "coord_a").page("/console/orders/A-3").contains(&format!("data-item=\"{item}\"")));
}

/// The console's "earlier entries not yet received" line is the same gap rule
/// as the API's anomaly list: a device's numbers 2–3 missing show on the entry
/// after them, not on the one before, and close when they arrive.
#[test]
fn the_order_page_shows_the_gap_the_api_reports() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-9", None);
    let d = w.device("worker_a");
    let first = d.manifest_at(1, None, None, Some("A-9"));
    let second = d.manifest_at(2, Some(first.hash()), None, None);
    let third = d.manifest_at(3, Some(second.hash()), None, None);
    let fourth = d.manifest_at(4, Some(third.hash()), None, Some("A-9"));
    for sm in [&first, &fourth] {
        assert_eq!(d.post_manifest(s, sm).status(), 201);
    }
    let gaps = || -> serde_json::Value {
        let v: serde_json::Value = s.req(Method::GET, "/v1/anomalies", Some(&w.coord_a)).send().unwrap().json().unwrap();
        v["gaps"].clone()
    };
    assert_eq!(gaps(), serde_json::json!([{"device_id": d.id, "from_seq": 2, "to_seq": 3}]));
    let item_block = |page: &str, item: &str| -> String {
        let at = page.find(&format!("data-item=\"{item}\"")).unwrap_or_else(|| panic!("{item} not on the page"));
        page[at..].chars().take(4000).collect()
    };
    let page = Browser::login(s, "coord_a").page("/console/orders/A-9");
    assert!(item_block(&page, &item_of(&fourth)).contains("(#2–3)"), "the entry after the gap names it");
    let before = item_block(&page, &item_of(&first));
    let next_item = before[1..].find("data-item=").unwrap_or(before.len() - 1);
    assert!(!before[..next_item + 1].contains("data-flag=\"gap\""), "the entry before the gap is whole");
    for sm in [&second, &third] {
        assert_eq!(d.post_manifest(s, sm).status(), 201);
    }
    assert_eq!(gaps(), serde_json::json!([]));
    let page = Browser::login(s, "coord_a").page("/console/orders/A-9");
    assert!(!page.contains("data-flag=\"gap\""), "closed once the entries arrive");
}

#[test]
fn the_export_form_suggests_grounds_from_the_evidence_and_refuses_a_bad_dispute() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-12", None);
    let d = w.device("worker_a");
    let note = d.manifest_at(1, None, None, Some("A-12"));
    assert_eq!(d.post_manifest(s, &note).status(), 201);
    let visit_id = uuid::Uuid::new_v4().to_string();
    let on_visit = d.manifest_with(2, Some(note.hash()), None, Some("A-12"), |m| {
        m.visit_id = Some(visit_id.clone());
        m.visit_purpose = Some("follow_up".into());
    });
    assert_eq!(d.post_manifest(s, &on_visit).status(), 201);
    let b = Browser::login(s, "coord_a");
    let page = b.page("/console/orders/A-12");
    let purpose_at = page.find("data-test=\"visit-purpose\"").expect("the visit is headed by its signed purpose");
    assert!(page[purpose_at..].chars().take(80).collect::<String>().contains("跟进观察"), "the purpose in words");
    assert!(page.contains("data-test=\"dispute-fields\""), "the export form asks for the dispute");
    let grounds_at = page.find("name=\"grounds\"").expect("a grounds field");
    let grounds: String = page[grounds_at..].chars().take(400).collect();
    assert!(grounds.contains("工单 A-12") && grounds.contains("到现场核实"), "grounds suggested from the evidence: {grounds}");
    for outcome in ["不计重办", "退回派单", "核减考核"] {
        assert!(page.contains(outcome), "the requested outcome {outcome} is offered");
    }
    let csrf = b.csrf("/console/orders/A-12");
    let item = item_of(&note);
    for (field, value, named) in [("coordinator_phone", "call me", "联系电话"), ("outcome", "撤单", "申请事项")] {
        let r = b.post_form("/console/orders/A-12/packet", &[("csrf", &csrf), ("item", &item), (field, value)]);
        assert_eq!(r.status(), 400, "{field}={value}");
        let body = r.text().unwrap();
        assert!(body.contains(named), "the refusal names {named}: {body}");
    }
}

/// The packet's report as text (poppler's pdftotext), or None where poppler is not installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().ok()?;
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap())
}

/// A photo whose fix came from a mock-location app and whose EXIF time and
/// place are from 2008 in Italy is 存疑 everywhere: its badge says why and
/// never 真实有效 or 通过, it is not ticked for export, exporting it first asks
/// for confirmation, and the PDF entry says 存疑 and why. A clean photo on the
/// same order stays proven and ticked.
#[test]
fn a_doubtful_photo_is_not_ticked_asks_before_export_and_says_why_in_the_pdf() {
    use siteproof_core::evidence::{AnchoredTime, ExifSummary, GpsPoint, LocationFix};
    use siteproof_core::flags;
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-12", None);
    let mut d = w.device("worker_a");
    let fix = |is_mock| LocationFix {
        lat: 39.9087,
        lon: 116.3975,
        accuracy_m: 8.0,
        altitude_m: None,
        provider: "gps".into(),
        is_mock,
        fix_time_ms: 1_790_000_000_000,
    };
    let anchored = AnchoredTime { utc_ms: 1_790_000_000_200, bound_ms: 300, anchor_hash: "ab".repeat(32) };
    let mut photo = |flagged: bool| {
        let bytes = random_bytes(30_000);
        let sha = d.upload(s, &bytes);
        d.seq += 1;
        let sm = d.manifest_with(d.seq, d.prev.clone(), Some((&sha, bytes.len() as u64)), Some("A-12"), |m| {
            m.capture.fix = Some(fix(flagged));
            m.anchored = Some(anchored.clone());
            if flagged {
                m.exif = Some(ExifSummary {
                    taken_at: Some("2008-10-22T16:28:39".into()),
                    gps: Some(GpsPoint { lat: 43.4674, lon: 11.8851, alt: None }),
                    make: Some("NIKON".into()),
                    model: Some("COOLPIX P6000".into()),
                    orientation: 1,
                });
                m.flags = [flags::MOCK_LOCATION, flags::EXIF_TIME_MISMATCH, flags::EXIF_GPS_MISMATCH].map(String::from).to_vec();
            }
        });
        d.prev = Some(sm.hash());
        assert_eq!(d.post_manifest(s, &sm).status(), 201);
        item_of(&sm)
    };
    let doubtful = photo(true);
    let clean = photo(false);

    let b = Browser::login(s, "coord_a");
    let page = b.page("/console/orders/A-12");
    let card = |item: &str| -> String {
        let at = page.find(&format!("data-item=\"{item}\"")).unwrap_or_else(|| panic!("{item} not on the page"));
        let rest = &page[at..];
        let end = rest[1..].find("data-item=").map(|e| e + 1).unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let (bad, good) = (card(&doubtful), card(&clean));
    assert!(bad.contains("data-standing=\"warn\""), "{bad}");
    assert!(!bad.contains(" checked"), "a doubtful item is not ticked for export: {bad}");
    assert!(good.contains("data-standing=\"ok\"") && good.contains(" checked"), "a proven item is ticked: {good}");
    for why in ["存疑", "定位来自模拟位置应用", "照片内时间 2008-10-22T16:28:39", "43.4674, 11.8851", "worker_a", "test phone"]
    {
        assert!(bad.contains(why), "the badge says {why:?}: {bad}");
    }
    for overclaim in ["真实有效", "通过"] {
        assert!(!bad.contains(overclaim), "{overclaim:?} describes a flagged item: {bad}");
    }

    assert!(b.page("/console/orders/A-12").contains("data-tsa=\"none\""), "no export yet, and the form says so");

    // Exporting it without confirmation answers with a page that lists it and asks.
    let csrf = b.csrf("/console/orders/A-12");
    let path = "/console/orders/A-12/packet";
    let r = b.post_form(path, &[("csrf", &csrf), ("item", &doubtful), ("item", &clean)]);
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "not a download: {:?}", r.headers());
    let ask = r.text().unwrap();
    let listed = &ask[ask.find("data-test=\"doubtful-list\"").expect("the doubtful items are listed")..];
    let listed = &listed[..listed.find("</ul>").unwrap()];
    assert!(listed.contains(&doubtful) && !listed.contains(&clean), "only the doubtful item is listed: {listed}");
    assert!(listed.contains("定位来自模拟位置应用"), "with why: {listed}");
    assert!(ask.contains("name=\"confirm_doubtful\" value=\"1\"") && ask.contains("data-test=\"confirm-export\""), "{ask}");
    assert!(!audit_rows(s).iter().any(|(act, _)| act == "export"), "nothing was exported before confirming");

    // Confirmed, the packet comes back and its PDF marks the item 存疑 with the reason.
    let r = b.post_form(path, &[("csrf", &csrf), ("item", &doubtful), ("item", &clean), ("confirm_doubtful", "1")]);
    if r.status() == 503 {
        eprintln!("no CJK font: the packet's PDF part of this test is skipped");
        return;
    }
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().unwrap();
    // Before the packet is sent, the export form says what it got for third-party time: this server has no TSA.
    let page = b.page("/console/orders/A-12");
    let note = &page[page.find("data-test=\"last-export\"").expect("the last export is shown")..];
    let note = &note[..note.find("</p>").unwrap()];
    assert!(note.contains("data-tsa=\"not_configured\"") && note.contains("服务器未配置可信时间戳服务"), "{note}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("report.pdf").unwrap(), &mut pdf).unwrap();
    // For people to look at the pages (pdftoppm): SITEPROOF_TEST_ARTIFACTS names a folder to leave the report in.
    if let Ok(dir) = std::env::var("SITEPROOF_TEST_ARTIFACTS") {
        std::fs::write(std::path::Path::new(&dir).join("doubtful-report.pdf"), &pdf).unwrap();
    }
    let Some(text) = pdf_text(&pdf) else {
        eprintln!("pdftotext is missing: the PDF text part of this test is skipped");
        return;
    };
    let flat: String = text.split_whitespace().collect();
    for why in ["存疑：定位来自模拟位置应用", "记录的地点可能是伪造的", "照片可能不是此时拍摄的", "照片可能不是在此地拍摄的", "已证实"]
    {
        let why: String = why.split_whitespace().collect();
        assert!(flat.contains(&why), "the PDF says {why:?}:\n{text}");
    }
    for overclaim in ["真实有效", "通过"] {
        assert!(!flat.contains(overclaim), "{overclaim:?} in the PDF of a packet with a flagged item:\n{text}");
    }
}

#[test]
fn audit_page_publishes_the_server_key_fingerprint_packets_are_pinned_to() {
    let w = World::new(&[]);
    let s = &w.server;
    let published: serde_json::Value = s.req(Method::GET, "/v1/server-key", None).send().unwrap().json().unwrap();
    let fingerprint = published["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fingerprint, siteproof_protocol::packet::key_fingerprint(published["server_key"].as_str().unwrap()).unwrap());
    let pem = published["pem"].as_str().unwrap();
    assert_eq!(
        siteproof_protocol::packet::server_pem::parse_server_key_pem(pem.as_bytes()).unwrap(),
        published["server_key"].as_str().unwrap(),
        "the PEM names the same key"
    );
    let page = Browser::login(s, "coord_a").page("/console/audit");
    let shown = page.split("data-test=\"server-key-fingerprint\">").nth(1).expect("the audit page shows the fingerprint");
    assert!(shown.starts_with(&format!("{fingerprint}<")), "{shown}");
    assert!(page.contains("本服务器公钥指纹"), "labelled in Chinese");
}

#[test]
fn the_order_page_names_people_by_real_name_and_marks_login_ids_without_one() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-20", None);
    let assign = s.req(Method::POST, "/v1/orders/A-20/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_a"})).send().unwrap();
    assert!(assign.status().is_success());
    let mut phone = w.device("worker_a");
    let note = phone.next_manifest(None, Some("A-20"));
    assert_eq!(phone.post_manifest(s, &note).status(), 201);

    // No real name given yet: the login id, marked as such.
    let page = Browser::login(s, "coord_a").page("/console/orders/A-20");
    assert!(page.contains("worker_a（账号，未登记真实姓名）"), "{page}");

    let named = s.req(Method::PUT, "/v1/users/worker_a/real-name", Some(&w.coord_a)).json(&json!({"real_name": "王小明"})).send().unwrap();
    assert_eq!(named.status(), 200);
    let page = Browser::login(s, "coord_a").page("/console/orders/A-20");
    assert!(page.contains("data-test=\"assignee\">王小明（worker_a）<"), "the assignee by name: {page}");
    assert!(page.contains("王小明（worker_a） · test phone"), "the item's signer by name: {page}");
    assert!(page.contains("coord_a（账号，未登记真实姓名）"), "the history's actor, without a name: {page}");

    // The coordinator renames the assigned worker from the order page.
    let b = Browser::login(s, "coord_a");
    let csrf = b.csrf("/console/orders/A-20");
    let r = b.post_form("/console/orders/A-20/assignee-name", &[("csrf", &csrf), ("real_name", "王晓明")]);
    assert_eq!(r.status(), 303);
    assert!(b.page("/console/orders/A-20").contains("data-test=\"assignee\">王晓明（worker_a）<"));
    let r = b.post_form("/console/orders/A-20/assignee-name", &[("csrf", &csrf), ("real_name", "王\n晓明")]);
    assert_eq!(r.status(), 422, "a bad name is refused, not stored");
    assert!(b.page("/console/orders/A-20").contains("王晓明（worker_a）"));
}

/// Follows a browser's redirects (at most five) from `path`; the final path, status and body.
fn land(b: &Browser, path: &str) -> (String, u16, String) {
    let mut at = path.to_string();
    for _ in 0..5 {
        let r = b.get(&at);
        if r.status() == 303 {
            at = r.headers()["location"].to_str().unwrap().to_string();
            continue;
        }
        let status = r.status().as_u16();
        return (at, status, r.text().unwrap());
    }
    panic!("{path} redirects more than five times");
}

#[test]
fn the_console_address_with_or_without_a_trailing_slash_lands_on_the_order_list_or_the_login_form() {
    let w = World::new(&[]);
    let s = &w.server;
    let coord = Browser::login(s, "coord_a");
    let nobody = Browser::new(s);
    for p in ["/console", "/console/"] {
        let (at, status, body) = land(&coord, p);
        assert_eq!((at.as_str(), status), ("/console/orders", 200), "logged in {p}: {body}");
        assert!(body.contains("<html"), "logged in {p} shows a page, not JSON: {body}");
        let (at, status, body) = land(&nobody, p);
        assert_eq!((at.as_str(), status), ("/console/login", 200), "logged out {p}: {body}");
        assert!(body.contains("name=\"password\""), "logged out {p} shows the login form: {body}");
    }
}

/// A browser's cookie jar, by name: what `Set-Cookie` sets replaces what was there.
fn keep_cookies(b: &mut Browser, r: &Response) {
    let mut jar: Vec<(String, String)> = b
        .cookie
        .iter()
        .flat_map(|c| c.split("; "))
        .filter_map(|c| c.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    for set in r.headers().get_all("set-cookie") {
        let pair = set.to_str().unwrap().split(';').next().unwrap();
        let (k, v) = pair.split_once('=').unwrap();
        jar.retain(|(name, _)| name != k);
        jar.push((k.to_string(), v.to_string()));
    }
    b.cookie = Some(jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "));
}

/// Opens a page as a browser does (keeping cookies); its `<html lang>`.
fn page_lang(b: &mut Browser, path: &str) -> String {
    let r = b.get(path);
    keep_cookies(b, &r);
    assert_eq!(r.status(), 200, "GET {path}");
    let html = r.text().unwrap();
    let at = html.find("<html lang=\"").expect("page has a language") + 12;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[test]
fn english_chosen_on_any_page_lasts_over_the_following_clicks_until_chinese_is_chosen() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "L-1", Some(now_ms() + 86_400_000));
    let mut b = Browser::login(s, "coord_a");
    assert_eq!(page_lang(&mut b, "/console/orders?lang=en"), "en");
    for p in ["/console/orders/L-1", "/console/followups", "/console/audit"] {
        assert_eq!(page_lang(&mut b, p), "en", "{p} after choosing English on the order list");
    }
    assert_eq!(page_lang(&mut b, "/console/audit?lang=zh"), "zh-CN");
    for p in ["/console/orders", "/console/orders/L-1"] {
        assert_eq!(page_lang(&mut b, p), "zh-CN", "{p} after choosing Chinese again");
    }
}

#[test]
fn opening_an_order_with_voice_notes_audits_the_view_and_no_recording_until_one_is_played() {
    use siteproof_core::evidence::{AudioSummary, EntryKind};
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "V-1", Some(now_ms() + 86_400_000));
    let mut dev = w.device("worker_a");
    let mut voices = vec![];
    for n in 0..2u8 {
        let audio: Vec<u8> = (0..4_000u32).map(|i| (i % 241) as u8 ^ n).collect();
        let sha = dev.upload(s, &audio);
        dev.seq += 1;
        let sm = dev.manifest_with(dev.seq, dev.prev.clone(), Some((&sha, audio.len() as u64)), Some("V-1"), |m| {
            m.kind = EntryKind::Voice;
            let media = m.media.as_mut().unwrap();
            (media.media_type, media.width, media.height) = ("audio/mp4".into(), None, None);
            m.audio = Some(AudioSummary { duration_ms: 3_000, codec: "aac".into() });
        });
        dev.prev = Some(sm.hash());
        assert_eq!(dev.post_manifest(s, &sm).status(), 201);
        voices.push(sha);
    }
    let b = Browser::login(s, "coord_a");
    let before = audit_rows(s).len();
    let page = b.page("/console/orders/V-1");
    // The browser fetches nothing until the coordinator presses play.
    assert_eq!(page.matches("data-test=\"voice\"").count(), 2, "both voice notes shown");
    assert_eq!(page.matches("preload=\"none\"").count(), 2, "{page}");
    assert!(!page.contains("preload=\"metadata\"") && !page.contains("preload=\"auto\""));
    let added: Vec<(String, String)> = audit_rows(s)[before..].to_vec();
    assert_eq!(added, vec![("view_order".to_string(), "order:V-1".to_string())]);

    // Asking about a recording without its bytes (HEAD) is no listening either.
    let r = b.req(Method::HEAD, &format!("/console/blobs/{}", voices[0])).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(audit_rows(s).len(), before + 1, "HEAD fetches no bytes and is not audited");
    // Pressing play: the player asks for the file from its first byte; that is one opening, its seeks are not.
    let play = |range: &str| b.req(Method::GET, &format!("/console/blobs/{}", voices[1])).header("range", range).send().unwrap();
    assert_eq!(play("bytes=0-").status(), 206);
    assert_eq!(play("bytes=2000-").status(), 206);
    let added: Vec<(String, String)> = audit_rows(s)[before + 1..].to_vec();
    assert_eq!(added, vec![("view_original".to_string(), format!("blob:{}", voices[1]))]);
}

#[test]
fn error_pages_are_titled_in_words_from_the_kind_of_error_in_both_languages() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "E-1", Some(now_ms() + 86_400_000));
    let b = Browser::login(s, "coord_a");
    let csrf = b.csrf("/console/orders/E-1");
    let r = b.post_form("/console/orders/E-1/edit", &[("csrf", &csrf), ("status", "finished")]);
    assert_eq!(r.status(), 422);
    let page = r.text().unwrap();
    assert!(page.contains("<h1>输入有误 / Invalid input</h1>"), "{page}");
    assert!(page.contains("<title>输入有误 / Invalid input</title>"), "{page}");
    let r = b.get("/console/orders/NO-SUCH-ORDER");
    assert_eq!(r.status(), 404);
    let page = r.text().unwrap();
    assert!(page.contains("<h1>找不到 / Not found</h1>"), "{page}");
    for reason in ["Unprocessable", "Not Found", "422", "404"] {
        assert!(!page.contains(reason), "no HTTP reason phrase or number in {page}");
    }
}

#[test]
fn a_follow_up_window_entirely_in_the_past_is_refused_in_both_languages_and_not_stored() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "P-1", Some(now_ms() + 86_400_000));
    let b = Browser::login(s, "coord_a");
    let csrf = b.csrf("/console/orders/P-1");
    let post = |from: &str, due: &str, note: &str| {
        b.post_form("/console/orders/P-1/followups", &[("csrf", &csrf), ("from", from), ("due", due), ("note", note)])
    };
    let now = now_ms();
    let r = post(&local(now - 2 * 86_400_000), &local(now - 86_400_000), "yesterday");
    assert_eq!(r.status(), 422);
    let page = r.text().unwrap();
    assert!(page.contains("data-code=\"bad_window\""), "{page}");
    assert!(page.contains("已过") && page.contains("already"), "the refusal says why, zh-CN and English: {page}");
    // A window that opened already and is still running is accepted (it is due now).
    assert_eq!(post(&local(now - 3_600_000), &local(now + 86_400_000), "running").status(), 303);
    let order = b.page("/console/orders/P-1");
    assert!(order.contains("running") && !order.contains("yesterday"), "only the running window is stored");
}

#[test]
fn an_unknown_console_address_gets_a_page_not_json_and_a_trailing_slash_is_dropped() {
    let w = World::new(&[]);
    let s = &w.server;
    let coord = Browser::login(s, "coord_a");
    let r = coord.get("/console/orders/?lang=en");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console/orders?lang=en");
    let (at, status, _) = land(&coord, "/console/audit/");
    assert_eq!((at.as_str(), status), ("/console/audit", 200));
    let r = coord.get("/console/no-such-page");
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = r.text().unwrap();
    assert!(page.contains("<h1>找不到 / Not found</h1>") && page.contains("no such page"), "{page}");
    // A form's address opened in the address bar (the export confirmation reloaded, say).
    let r = coord.get("/console/orders/X-1/packet");
    assert_eq!(r.status(), 405);
    let page = r.text().unwrap();
    assert!(page.contains("<h1>此处不能这样操作 / Not possible here</h1>") && page.contains("use its button"), "{page}");
    // The API keeps its JSON answers.
    let r = s.req(Method::GET, "/v1/no-such-route", None).send().unwrap();
    assert_eq!(err_code(r), (404, "no_such_route".into()));
    let r = s.req(Method::DELETE, "/v1/orders", Some(&w.coord_a)).send().unwrap();
    assert_eq!(err_code(r), (405, "method_not_allowed".into()));
}

/// The `<span class="stamp" …>` of one axis in a page, up to its closing tag.
fn stamp_markup(html: &str, axis: siteproof_protocol::vocab::TagAxis) -> &str {
    let at = html.find(&format!("data-axis=\"{}\"", axis.field())).unwrap_or_else(|| panic!("no {} stamp: {html}", axis.zh()));
    let start = html[..at].rfind("<span").unwrap();
    let end = at + html[at..].find("</span>").unwrap();
    &html[start..end]
}

#[test]
fn the_order_page_and_list_draw_each_tag_as_a_stamp_in_its_seed_axis_colour_and_name() {
    use siteproof_protocol::vocab::TagAxis;
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "A-STAMP", None);
    patch_order(
        s,
        &w.coord_a,
        "A-STAMP",
        json!({"tag_type": "疑难", "tag_handling": "部分解决", "tag_callback": "不满意", "knowledge": "占道经营归城管"}),
    );
    let b = Browser::login(s, "coord_a");
    let shown =
        [(TagAxis::Type, "疑难"), (TagAxis::Handling, "部分解决"), (TagAxis::Callback, "不满意"), (TagAxis::Knowledge, "占道经营归城管")];
    let order = b.page("/console/orders/A-STAMP");
    // The console's CSP (style-src 'self') drops inline style attributes: a colour must come from the stylesheet.
    let css = b.page("/console/static/console.css");
    for (axis, value) in shown {
        let stamp = stamp_markup(&order, axis);
        assert!(!stamp.contains("style="), "an inline style never reaches the screen: {stamp}");
        let rule = format!(".stamp[data-axis=\"{}\"] {{ --stamp:{}; }}", axis.field(), axis.colour().hex());
        assert!(css.contains(&rule), "{} in {}: no `{rule}` in the stylesheet", axis.zh(), axis.colour().zh());
        assert!(stamp.contains(&format!("{}：{value}", axis.zh())), "{stamp}");
    }
    let list = b.page("/console/orders");
    for (axis, _) in shown {
        let stamp = stamp_markup(&list, axis);
        assert!(!stamp.contains("style=") && stamp.contains(axis.zh()), "{stamp}");
    }
    assert!(!order.contains("工单类别") && !order.contains("回访结果") && !order.contains("应知应会"), "one name per axis: {order}");
}
