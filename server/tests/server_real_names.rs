//! Workers' real names (真实姓名) on the real server: set when an account is
//! made (admin command and `POST /v1/users`), edited by a coordinator of the
//! account's community or an admin of its office and by nobody else, checked
//! as one short line, shown as "王小明（wang）" with the login id marked when
//! no name was given, and recorded by the enrollment of the worker's device.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn set_name(s: &Server, token: &str, user: &str, name: &str) -> reqwest::blocking::Response {
    s.req(Method::PUT, &format!("/v1/users/{user}/real-name"), Some(token)).json(&json!({"real_name": name})).send().unwrap()
}

#[test]
fn real_names_are_set_at_creation_edited_by_the_community_and_fall_back_to_the_login_id() {
    let w = World::new(&[]);
    let s = &w.server;

    // Made with a name by the admin command; the device enrolled for it says whose it is.
    let out = admin(&s.data, &["--json", "create-user", "wang", "--role", "worker", "--community", "A社区", "--real-name", " 王小明 "]);
    assert!(out.contains("\"username\":\"wang\""), "{out}");
    let code = admin(&s.data, &["enroll-code", "--worker", "wang"]);
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let r = s
        .req(Method::POST, "/v1/enroll", None)
        .json(&json!({"code": code.trim(), "public_key": hex::encode(key.verifying_key().as_bytes()), "device_name": "红米"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let enrolled: Value = r.json().unwrap();
    assert_eq!(enrolled["worker"], "wang");
    assert_eq!(enrolled["worker_name"], "王小明（wang）", "the enrollment shows whose device it is");
    let devices: Value = s.req(Method::GET, "/v1/devices", Some(&w.coord_a)).send().unwrap().json().unwrap();
    let row = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == enrolled["device_id"])
        .expect("the device is listed")
        .clone();
    assert_eq!(row["real_name"], "王小明", "{row}");

    // Made with a name over the API by an office admin.
    let r = s
        .req(Method::POST, "/v1/users", Some(&w.admin))
        .json(&json!({"username": "li", "role": "worker", "community": "A社区", "real_name": "李四"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    let r = set_name(s, &w.coord_a, "li", "李四");
    assert_eq!(r.json::<Value>().unwrap()["shown_as"], "李四（li）");

    // Without a name the login id is shown, marked as such.
    let r = set_name(s, &w.coord_a, "worker_a", "");
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["shown_as"], "worker_a（账号，未登记真实姓名）");

    // The coordinator of the community edits it; so does the office admin; the name is trimmed.
    let r = set_name(s, &w.coord_a, "worker_a", " 张三 ");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!((v["real_name"].as_str(), v["shown_as"].as_str()), (Some("张三"), Some("张三（worker_a）")));
    assert_eq!(set_name(s, &w.admin, "worker_a", "张三丰").status(), 200);

    // Another community's coordinator, a worker and a device cannot; nor can anyone name a missing account.
    let (st, code) = err_code(set_name(s, &w.coord_b, "worker_a", "冒名"));
    assert_eq!((st, code.as_str()), (404, "not_found"));
    assert_eq!(set_name(s, &w.worker_a, "worker_a", "冒名").status(), 403);
    let (st, _) = err_code(set_name(s, &w.coord_a, "nobody", "某人"));
    assert_eq!(st, 404);

    // A name is one short line.
    for bad in ["张\n三", &"名".repeat(33)] {
        let (st, code) = err_code(set_name(s, &w.coord_a, "worker_a", bad));
        assert_eq!((st, code.as_str()), (422, "invalid_name"), "{bad:?}");
    }
    let (st, _) = err_code(
        s.req(Method::POST, "/v1/users", Some(&w.admin))
            .json(&json!({"username": "zhao", "role": "worker", "community": "A社区", "real_name": "赵\u{7}"}))
            .send()
            .unwrap(),
    );
    assert_eq!(st, 422, "a bad name refuses the account");

    // What was refused changed nothing; the operator's command names any account.
    let out = admin(&s.data, &["set-real-name", "worker_a", "张三"]);
    assert!(out.contains("张三（worker_a）"), "{out}");
    let r = set_name(s, &w.coord_a, "worker_a", "张三");
    assert_eq!(r.json::<Value>().unwrap()["real_name"], "张三");
}
