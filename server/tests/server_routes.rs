//! The route table against the OpenAPI document (both ways), and the tenancy
//! matrix: every route called with no token, a revoked token, the wrong kind
//! of token, a role below the one it needs, and another community's token.

mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use siteproof_server::{routes, Access};

#[test]
fn openapi_document_matches_the_router_both_ways() {
    let generated = siteproof_server::api::openapi::document_json();
    // Tools read the document from disk (scripts/api-fuzz.sh): the checked-in file must be the generated one.
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var_os("SITEPROOF_WRITE_OPENAPI").is_some() {
        std::fs::write(file, generated).unwrap();
    }
    assert!(
        std::fs::read_to_string(file).unwrap() == generated,
        "server/openapi.json is not the generated document: regenerate it with \
         SITEPROOF_WRITE_OPENAPI=1 cargo test -p siteproof-server --test server_routes openapi"
    );
    let doc: Value = serde_json::from_str(generated).unwrap();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let access = op["x-siteproof-access"].as_str().unwrap_or_else(|| panic!("{method} {path} is not in the route table"));
            documented.insert((method.to_uppercase(), path.clone(), access.to_string()));
            assert!(
                op["responses"].get("default").is_some() || op["responses"].as_object().unwrap().len() > 1,
                "{method} {path} documents its errors"
            );
            let bearer = op["security"] == json!([{"bearer": []}]);
            assert_eq!(bearer, access != "public", "{method} {path}: a bearer token is required exactly when access is not public");
            if let Some(body) = op.get("requestBody") {
                for (media, content) in body["content"].as_object().unwrap() {
                    assert!(content.get("schema").is_some(), "{method} {path}: the {media} body has a schema");
                }
            }
        }
    }
    let served: BTreeSet<_> = routes()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path.to_string(), serde_json::to_value(r.access).unwrap().as_str().unwrap().to_string()))
        .collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(missing.is_empty(), "served but not documented (or access differs): {missing:?}");
    assert!(extra.is_empty(), "documented but not served (or access differs): {extra:?}");

    // The served document is the checked-in one, and every documented route answers (not 404/405).
    let s = Server::start(&[]);
    let served_doc: Value = s.req(Method::GET, "/v1/openapi.json", None).send().unwrap().json().unwrap();
    assert_eq!(served_doc, doc);
    for (method, path, _) in &documented {
        let p = path.replace('{', "x").replace('}', "");
        let r = s.req(Method::from_bytes(method.as_bytes()).unwrap(), &p, None).header("Tus-Resumable", "1.0.0").send().unwrap();
        assert!(
            r.status() != 405 && !(r.status() == 404 && r.headers().get("content-length").is_some_and(|_| false)),
            "{method} {path}: {}",
            r.status()
        );
        if r.status() == 404 && method != "HEAD" {
            assert_ne!(err_code(r).1, "no_such_route", "{method} {path} is not routed");
        }
    }
}

struct Fixture {
    w: World,
    dev_a: Device,
    dev_b: Device,
    revoked_dev: Device,
    revoked_session: String,
    admin2: String,
    upload_a: String,
    sha_a: String,
    item_a: String,
}

fn fixture() -> Fixture {
    let w = World::new(&[]);
    let s = &w.server;
    admin(&s.data, &["create-office", "西城街道"]);
    admin(&s.data, &["create-community", "西城街道", "C社区"]);
    admin(&s.data, &["create-user", "admin2", "--role", "admin", "--office", "西城街道"]);
    let admin2 = s.login("admin2");
    let mut dev_a = w.device("worker_a");
    let dev_b = w.device("worker_b");
    let revoked_dev = w.device("worker_a");
    admin(&s.data, &["revoke-device", &revoked_dev.id]);
    let revoked_session = s.login("coord_a");
    assert_eq!(s.req(Method::POST, "/v1/logout", Some(&revoked_session)).send().unwrap().status(), 200);

    let r = s
        .req(Method::POST, "/v1/orders", Some(&w.coord_a))
        .json(
            &json!({"number": "A-0001", "kind": "投诉", "category": "噪音", "address": "A社区1号楼", "complainant": "张先生 13912345678"}),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = s.req(Method::POST, "/v1/orders/A-0001/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_a"})).send().unwrap();
    assert_eq!(r.status(), 200);
    let photo = random_bytes(5000);
    let sha_a = dev_a.upload(s, &photo);
    let sm = dev_a.next_manifest(Some((&sha_a, 5000)), Some("A-0001"));
    assert_eq!(dev_a.post_manifest(s, &sm).status(), 201);
    let item_a = serde_json::from_str::<Value>(&sm.manifest).unwrap()["item_id"].as_str().unwrap().to_string();
    let data = random_bytes(100);
    let r = dev_a.create(s, 100, &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&data)));
    let upload_a = r.headers()["location"].to_str().unwrap().to_string();
    Fixture { w, dev_a, dev_b, revoked_dev, revoked_session, admin2, upload_a, sha_a, item_a }
}

fn concrete(f: &Fixture, path: &str) -> String {
    path.replace("{device_id}", &f.dev_a.id)
        .replace("/v1/uploads/{id}", &f.upload_a)
        .replace("{sha256}", &f.sha_a)
        .replace("{item_id}", &f.item_a)
        .replace("{number}", "A-0001")
        .replace("{username}", "worker_a")
        + if path == "/v1/evidence" { "?order=A-0001" } else { "" }
}

fn body_for(f: &Fixture, method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("POST", "/v1/enroll-codes") => json!({"worker": "worker_a"}),
        ("POST", "/v1/users") => json!({"username": "intruder", "role": "coordinator", "community": "A社区", "password": "long-enough-pw"}),
        ("PUT", "/v1/users/{username}/real-name") => json!({"real_name": "冒名"}),
        ("POST", "/v1/orders") => json!({"number": "X-1", "kind": "咨询", "category": "卫生", "address": "x", "community": "A社区"}),
        ("PATCH", "/v1/orders/{number}") => json!({"status": "in_progress"}),
        ("POST", "/v1/orders/{number}/assign") => json!({"worker": "worker_b"}),
        ("PATCH", "/v1/device/orders/{number}") => json!({"status": "answered", "base_version": 1}),
        ("POST", "/v1/manifests") => serde_json::to_value(f.dev_a.manifest_at(2, None, None, None)).unwrap(),
        ("POST", "/v1/packets/batch") | ("POST", "/v1/originals/export") => json!({"orders": ["A-0001"]}),
        // A genuine statement of this server that no entry rests on.
        ("POST", "/v1/time-statements") => {
            f.w.server.req(Method::GET, "/v1/time?nonce=tenancy-check", None).send().unwrap().json().unwrap()
        }
        _ => return None,
    })
}

fn call(f: &Fixture, method: &str, path: &str, token: Option<&str>) -> reqwest::blocking::Response {
    let s = &f.w.server;
    let mut rb = s.req(Method::from_bytes(method.as_bytes()).unwrap(), &concrete(f, path), token).header("Tus-Resumable", "1.0.0");
    if path == "/v1/orders/import" {
        rb = rb.header("content-type", "text/csv").body("number,kind,category,address\nY-1,咨询,卫生,x\n");
    } else if path.starts_with("/v1/uploads/") && method == "PATCH" {
        rb = rb.header("content-type", "application/offset+octet-stream").header("upload-offset", "0").body(vec![0u8; 10]);
    } else if path == "/v1/uploads/" && method == "POST" {
        rb = rb.header("upload-length", "10").header("upload-metadata", format!("sha256 {}", base64_of(&"a".repeat(64))));
    } else if let Some(b) = body_for(f, method, path) {
        rb = rb.json(&b);
    }
    rb.send().unwrap()
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn refused(r: reqwest::blocking::Response, allowed: &[u16], what: &str) {
    let status = r.status().as_u16();
    assert!(allowed.contains(&status), "{what}: got {status}, want one of {allowed:?}");
    // HEAD answers carry no body; everything else must explain itself in JSON.
    if !what.starts_with("HEAD ") {
        let (_, code) = err_code(r);
        assert!(!code.is_empty(), "{what}");
    }
}

#[test]
fn every_route_refuses_missing_revoked_wrong_and_foreign_tokens() {
    let f = fixture();
    let w = &f.w;
    let mut checked = 0;
    for r in routes() {
        let (m, p) = (r.method, r.path);
        let what = |case: &str| format!("{m} {p} with {case}");
        if r.access == Access::Public {
            continue;
        }
        refused(call(&f, m, p, None), &[401], &what("no token"));
        refused(call(&f, m, p, Some("spd_not-a-real-token")), &[401], &what("unknown token"));
        match r.access {
            Access::Device => {
                refused(call(&f, m, p, f.revoked_dev.t()), &[401], &what("revoked device token"));
                refused(call(&f, m, p, Some(&w.coord_a)), &[403], &what("a session token"));
                refused(call(&f, m, p, Some(&w.admin)), &[403], &what("an admin session token"));
            }
            Access::Session | Access::Coordinator | Access::Admin => {
                refused(call(&f, m, p, Some(&f.revoked_session)), &[401], &what("logged-out session"));
                refused(call(&f, m, p, f.dev_a.t()), &[403], &what("a device token"));
                if r.access >= Access::Coordinator {
                    refused(call(&f, m, p, Some(&w.worker_a)), &[403], &what("a worker's session"));
                }
                if r.access == Access::Admin {
                    refused(call(&f, m, p, Some(&w.coord_a)), &[403], &what("a coordinator's session"));
                }
            }
            Access::Public => unreachable!(),
        }
        if p == "/v1/logout" {
            // Only ever acts on the caller's own token; calling it would log the foreign user out.
            checked += 1;
            continue;
        }
        // Another community (or office) must neither read nor change community A's things.
        let foreign: Option<&str> = match r.access {
            Access::Device => f.dev_b.t(),
            Access::Session => Some(&w.worker_b),
            Access::Coordinator => Some(&w.coord_b),
            Access::Admin => Some(&f.admin2),
            Access::Public => None,
        };
        let resp = call(&f, m, p, foreign);
        let status = resp.status().as_u16();
        match (m, p) {
            // Routes that name a resource of community A: 404 (or 403 for a manifest signed by A's key).
            (_, p) if p.contains('{') => refused(resp, &[404], &what("another community's token")),
            ("POST", "/v1/manifests") => refused(resp, &[403], &what("another community's device")),
            ("POST", "/v1/time-statements") => refused(resp, &[409], &what("a device none of whose entries rests on it")),
            ("POST", "/v1/enroll-codes") | ("POST", "/v1/users") | ("POST", "/v1/orders") => {
                refused(resp, &[404], &what("another community's token"))
            }
            // Batch exports name community A's orders in the body.
            ("POST", "/v1/packets/batch") | ("POST", "/v1/originals/export") => refused(resp, &[404], &what("another community's token")),
            ("GET", "/v1/evidence") => refused(resp, &[404], &what("another community's token")),
            // Lists and own-scope routes: must succeed without showing A's data.
            _ => {
                assert!(status < 300, "{}: {status}", what("another community's token"));
                let text = resp.text().unwrap();
                for secret in ["A-0001", f.dev_a.id.as_str(), "worker_a", "13912345678"] {
                    assert!(!text.contains(secret), "{} leaked {secret}: {text}", what("another community's token"));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} routes checked");
    // Nothing the refused calls tried was stored.
    let s = &w.server;
    let o: Value = s.req(Method::GET, "/v1/orders/A-0001", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(o["status"], "new");
    assert_eq!(o["assignee"], "worker_a");
    assert_eq!(s.req(Method::GET, "/v1/orders/X-1", Some(&w.coord_a)).send().unwrap().status(), 404);
    assert_eq!(
        s.req(Method::POST, "/v1/login", None)
            .json(&json!({"username": "intruder", "password": "long-enough-pw"}))
            .send()
            .unwrap()
            .status(),
        401
    );
    assert_eq!(s.req(Method::HEAD, &f.upload_a, f.dev_a.t()).header("Tus-Resumable", "1.0.0").send().unwrap().status(), 200);
    // Workers see complainant contact masked; coordinators see it.
    let wv: Value = s.req(Method::GET, "/v1/orders/A-0001", Some(&w.worker_a)).send().unwrap().json().unwrap();
    assert_eq!(wv["complainant"], "张** *******5678");
    assert_eq!(o["complainant"], "张先生 13912345678");
}
