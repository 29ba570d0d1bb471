//! Work orders on the real server: CSV import with per-line errors, partial
//! import, assignment, device pull with a cursor and masked contacts, the
//! device/coordinator conflict rule, and the change history.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const CSV: &str = "工单号,类型,类别,地址,诉求人联系方式,派单时间,办理时限,内容
2026112300001,投诉,噪音,幸福里3号楼,王女士 13800138000,2026-11-23 08:00,2026-11-25T18:00:00+08:00,夜间施工噪音
2026112300002,咨询,卫生,幸福里5号楼,,2026-11-23 09:00,2026-11-26,\"垃圾桶
未清理\"
2026112300003,闲聊,卫生,幸福里6号楼,,,,
../../etc/passwd,投诉,卫生,x,,,,
2026112300005,投诉,卫生,bad\u{1}addr,,,,
2026112300001,投诉,噪音,重复,,,,
2026112300007,投诉,噪音,幸福里7号楼,,明天,,
2026112300008,投诉,噪音
";

#[test]
fn csv_import_reports_every_bad_line_and_imports_only_when_asked() {
    let w = World::new(&[]);
    let s = &w.server;
    let post = |q: &str| {
        s.req(Method::POST, &format!("/v1/orders/import{q}"), Some(&w.coord_a)).header("content-type", "text/csv").body(CSV).send().unwrap()
    };
    let r = post("");
    assert_eq!(r.status(), 422);
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"], "csv_rows_invalid");
    let lines: Vec<(u64, &str)> =
        v["errors"].as_array().unwrap().iter().map(|e| (e["line"].as_u64().unwrap(), e["error"].as_str().unwrap())).collect();
    assert_eq!(
        lines,
        [(5, "invalid_input"), (6, "invalid_input"), (7, "invalid_input"), (8, "duplicate_in_file"), (9, "bad_time"), (10, "field_count")]
    );
    let none: Value = s.req(Method::GET, "/v1/orders", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert!(none["orders"].as_array().unwrap().is_empty(), "nothing imported without partial=true");

    let v: Value = post("?partial=true").json().unwrap();
    assert_eq!(v["imported"], 2);
    let o: Value = s.req(Method::GET, "/v1/orders/2026112300002", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(o["content"], "垃圾桶\n未清理");
    assert_eq!(o["kind"], "inquiry");
    // Re-importing reports the existing orders by line.
    let v: Value = post("?partial=true").json().unwrap();
    assert_eq!(v["imported"], 0);
    assert!(v["errors"].as_array().unwrap().iter().any(|e| e["line"] == 2 && e["error"] == "order_exists"));
    // Not UTF-8 (a GBK export) is refused with a hint.
    let r = s.req(Method::POST, "/v1/orders/import", Some(&w.coord_a)).body(vec![0xb9u8, 0xa4, 0xb5, 0xa5, b'\n']).send().unwrap();
    assert_eq!(err_code(r), (400, "csv_not_utf8".into()));
    let r = s.req(Method::POST, "/v1/orders/import", Some(&w.coord_a)).body("number,kind,evil\n").send().unwrap();
    assert_eq!(err_code(r), (400, "csv_header".into()));
}

#[test]
fn devices_pull_their_orders_and_conflicts_favour_later_coordinator_edits() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let other = w.device("worker_a2");
    for n in ["N-1", "N-2"] {
        let r = s
            .req(Method::POST, "/v1/orders", Some(&w.coord_a))
            .json(&json!({"number": n, "kind": "complaint", "category": "噪音", "address": "1号楼", "complainant": "李先生 13700001234"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    assert_eq!(
        s.req(Method::POST, "/v1/orders/N-1/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_a"})).send().unwrap().status(),
        200
    );
    // Assigning to another community's worker is refused.
    let r = s.req(Method::POST, "/v1/orders/N-2/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_b"})).send().unwrap();
    assert_eq!(err_code(r), (422, "not_a_worker_here".into()));

    let page: Value = s.req(Method::GET, "/v1/device/orders?cursor=0", d.t()).send().unwrap().json().unwrap();
    let orders = page["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["number"], "N-1");
    assert_eq!(orders[0]["complainant"], "李** *******1234");
    assert_eq!(orders[0]["assigned_to_you"], true);
    let cursor = page["next_cursor"].as_i64().unwrap();
    let base = orders[0]["version"].as_i64().unwrap();
    let empty: Value = s.req(Method::GET, &format!("/v1/device/orders?cursor={cursor}"), d.t()).send().unwrap().json().unwrap();
    assert!(empty["orders"].as_array().unwrap().is_empty());
    assert_eq!(empty["next_cursor"], cursor);
    let theirs: Value = s.req(Method::GET, "/v1/device/orders?cursor=0", other.t()).send().unwrap().json().unwrap();
    assert!(theirs["orders"].as_array().unwrap().is_empty());
    assert_eq!(
        s.req(Method::PATCH, "/v1/device/orders/N-2", other.t())
            .json(&json!({"status": "answered", "base_version": 1}))
            .send()
            .unwrap()
            .status(),
        404
    );

    // The coordinator sets the handling tag after the device's base version.
    let r = s.req(Method::PATCH, "/v1/orders/N-1", Some(&w.coord_a)).json(&json!({"tag_handling": "已解决"})).send().unwrap();
    assert_eq!(r.status(), 200);
    // The device, offline, edited status and the handling tag on the old version.
    let r = s
        .req(Method::PATCH, "/v1/device/orders/N-1", d.t())
        .json(&json!({"base_version": base, "status": "answered", "tag_handling": "未解决", "tag_type": "重点"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let merged: Value = r.json().unwrap();
    assert_eq!(merged["status"], "answered");
    assert_eq!(merged["tag_type"], "key");
    assert_eq!(merged["tag_handling"], "resolved", "the coordinator's later edit wins");
    assert_eq!(merged["conflicts"][0]["field"], "tag_handling");
    assert_eq!(merged["complainant"], "李** *******1234");
    // Bad vocabulary is refused with the choices.
    let r = s.req(Method::PATCH, "/v1/device/orders/N-1", d.t()).json(&json!({"base_version": 9, "status": "whatever"})).send().unwrap();
    assert_eq!(err_code(r), (422, "invalid_input".into()));
    let r = s.req(Method::PATCH, "/v1/device/orders/N-1", d.t()).json(&json!({"status": "closed"})).send().unwrap();
    assert_eq!(err_code(r), (400, "base_version_required".into()));

    // The device sees the merged state on its next pull.
    let page: Value = s.req(Method::GET, &format!("/v1/device/orders?cursor={cursor}"), d.t()).send().unwrap().json().unwrap();
    assert_eq!(page["orders"][0]["tag_type"], "key");

    let h: Value = s.req(Method::GET, "/v1/orders/N-1/history", Some(&w.coord_a)).send().unwrap().json().unwrap();
    let fields: Vec<(&str, Option<&str>)> =
        h["history"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["device_id"].as_str())).collect();
    assert_eq!(
        fields,
        [("created", None), ("assignee", None), ("tag_handling", None), ("status", Some(d.id.as_str())), ("tag_type", Some(d.id.as_str()))]
    );
    // Unknown fields and query parameters are refused, not ignored.
    let r = s.req(Method::PATCH, "/v1/orders/N-1", Some(&w.coord_a)).json(&json!({"stauts": "closed"})).send().unwrap();
    assert_eq!(err_code(r), (400, "bad_json".into()));
    let r = s.req(Method::GET, "/v1/device/orders?cursor=abc", d.t()).send().unwrap();
    assert_eq!(err_code(r), (400, "bad_query".into()));
}

#[test]
fn order_numbers_are_unique_per_street_office_and_another_offices_orders_stay_invisible() {
    let w = World::new(&[]);
    let s = &w.server;
    admin(&s.data, &["create-office", "西城街道"]);
    admin(&s.data, &["create-community", "西城街道", "C社区"]);
    admin(&s.data, &["create-user", "coord_c", "--role", "coordinator", "--community", "C社区"]);
    let coord_c = s.login("coord_c");
    let create = |token: &str, number: &str, address: &str| {
        s.req(Method::POST, "/v1/orders", Some(token))
            .json(&json!({"number": number, "kind": "complaint", "category": "噪音", "address": address}))
            .send()
            .unwrap()
    };
    assert_eq!(create(&w.coord_a, "2026112399999", "东城1号楼").status(), 201);
    assert_eq!(create(&w.coord_a, "2026112388888", "东城2号楼").status(), 201);
    // Another street office takes the same number (a typo, or a re-dispatched order): not blocked, not told.
    let r = create(&coord_c, "2026112399999", "西城9号楼");
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    // Each office sees its own order under the number.
    let get = |token: &str, number: &str| s.req(Method::GET, &format!("/v1/orders/{number}"), Some(token)).send().unwrap();
    assert_eq!(get(&coord_c, "2026112399999").json::<Value>().unwrap()["address"], "西城9号楼");
    assert_eq!(get(&w.coord_a, "2026112399999").json::<Value>().unwrap()["address"], "东城1号楼");
    // Within one office the number stays unique, across its communities too.
    assert_eq!(err_code(create(&w.coord_a, "2026112399999", "x")), (409, "order_exists".into()));
    assert_eq!(err_code(create(&w.coord_b, "2026112399999", "x")), (409, "order_exists".into()));
    // Another office's order answers exactly like a number that does not exist.
    let text = |r: reqwest::blocking::Response| (r.status().as_u16(), r.text().unwrap());
    let foreign = text(get(&coord_c, "2026112388888"));
    let missing = text(get(&coord_c, "2026112377777"));
    assert_eq!(foreign.0, 404);
    assert_eq!(foreign, (missing.0, missing.1.replace("2026112377777", "2026112388888")));
    let patch = s.req(Method::PATCH, "/v1/orders/2026112388888", Some(&coord_c)).json(&json!({"status": "in_progress"})).send().unwrap();
    assert_eq!(patch.status(), 404);
    let packet = s.req(Method::POST, "/v1/orders/2026112388888/packet", Some(&coord_c)).send().unwrap();
    assert_eq!(packet.status(), 404);
    // CSV import into the other office: the first office's numbers neither block nor show.
    let csv = "工单号,类型,类别,地址\n2026112388888,投诉,噪音,西城8号楼\n";
    let v: Value = s
        .req(Method::POST, "/v1/orders/import", Some(&coord_c))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["imported"], 1, "{v}");
    assert_eq!(get(&coord_c, "2026112388888").json::<Value>().unwrap()["address"], "西城8号楼");
    assert_eq!(get(&w.coord_a, "2026112388888").json::<Value>().unwrap()["address"], "东城2号楼");
    // The operator's export names the office when a number exists in more than one.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.zip");
    let o = std::process::Command::new(BIN)
        .arg("--data")
        .arg(&s.data)
        .args(["admin", "export-order", "2026112399999", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success(), "an ambiguous number is not exported from a guessed office");
    admin(&s.data, &["export-order", "2026112399999", "--office", "西城街道", "--out", out.to_str().unwrap()]);
    assert!(out.exists());
}

/// `GET /v1/orders` runs the same keyset query as the console's list and keeps
/// its own surface: nearest deadline first, orders without one last, `limit`
/// and `offset` paging, `status` and `assignee` filters, only the caller's communities.
#[test]
fn the_api_order_list_pages_by_deadline_with_offset_and_filters() {
    let w = World::new(&[]);
    let s = &w.server;
    let deadlines: [(&str, Option<i64>); 6] = [
        ("L-5", None),
        ("L-2", Some(1_900_000_200_000)),
        ("L-1", Some(1_900_000_100_000)),
        ("L-4", Some(1_900_000_300_000)),
        ("L-3", Some(1_900_000_200_000)),
        ("L-6", None),
    ];
    for (number, deadline) in deadlines {
        let r = s
            .req(Method::POST, "/v1/orders", Some(&w.coord_a))
            .json(&json!({"number": number, "kind": "complaint", "category": "噪音", "address": "x", "deadline_ms": deadline}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let r = s
        .req(Method::POST, "/v1/orders", Some(&w.coord_b))
        .json(&json!({"number": "L-B", "kind": "complaint", "category": "噪音", "address": "x", "deadline_ms": 1}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let numbers = |query: &str, token: &str| -> Vec<String> {
        let v: Value = s.req(Method::GET, &format!("/v1/orders{query}"), Some(token)).send().unwrap().json().unwrap();
        v["orders"].as_array().unwrap().iter().map(|o| o["number"].as_str().unwrap().to_string()).collect()
    };
    // Equal deadlines keep their creation order; no deadline sorts last.
    let all = numbers("", &w.coord_a);
    assert_eq!(all, ["L-1", "L-2", "L-3", "L-4", "L-5", "L-6"]);
    let mut paged = Vec::new();
    for offset in [0, 2, 4, 6] {
        paged.extend(numbers(&format!("?limit=2&offset={offset}"), &w.coord_a));
    }
    assert_eq!(paged, all, "offset pages walk the same order without gaps or repeats");
    let r = s.req(Method::POST, "/v1/orders/L-4/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_a"})).send().unwrap();
    assert_eq!(r.status(), 200);
    let r = s.req(Method::PATCH, "/v1/orders/L-2", Some(&w.coord_a)).json(&json!({"status": "in_progress"})).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(numbers("?assignee=worker_a", &w.coord_a), ["L-4"]);
    assert_eq!(numbers("?status=in_progress", &w.coord_a), ["L-2"]);
    assert_eq!(numbers("?status=in_progress&offset=1", &w.coord_a), Vec::<String>::new());
    // Office admins see every community of the office; a coordinator only their own.
    assert_eq!(numbers("?limit=1", &w.admin), ["L-B"]);
    assert_eq!(numbers("", &w.coord_b), ["L-B"]);
    assert_eq!(err_code(s.req(Method::GET, "/v1/orders?offset=x", Some(&w.coord_a)).send().unwrap()), (400, "bad_query".into()));
}

/// Every order answer reads as the protocol's wire types, the ones the device
/// parses with: the order JSON is one contract, not two copies that can drift.
#[test]
fn order_answers_are_the_protocols_wire_types() {
    use siteproof_protocol::vocab::{OrderKind, OrderStatus};
    use siteproof_protocol::wire::order::{EditAnswer, OrderList, OrderPage, WireOrder};
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let r = s
        .req(Method::POST, "/v1/orders", Some(&w.coord_a))
        .json(&json!({"number": "W-1", "kind": "投诉", "category": "噪音", "address": "1号楼", "complainant": "李先生 13700001234"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: WireOrder = r.json().unwrap();
    assert_eq!((created.kind.known(), created.status.known()), (Some(OrderKind::Complaint), Some(OrderStatus::New)));
    let r = s.req(Method::POST, "/v1/orders/W-1/assign", Some(&w.coord_a)).json(&json!({"worker": "worker_a"})).send().unwrap();
    let assigned: WireOrder = r.json().unwrap();
    assert_eq!(assigned.assignee.as_deref(), Some("worker_a"));
    let got: WireOrder = s.req(Method::GET, "/v1/orders/W-1", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(got, assigned);
    let list: OrderList = s.req(Method::GET, "/v1/orders", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(list.orders, vec![assigned.clone()]);

    let page: OrderPage = s.req(Method::GET, "/v1/device/orders?cursor=0", d.t()).send().unwrap().json().unwrap();
    assert_eq!(page.orders.len(), 1);
    assert!(page.orders[0].assigned_to_you);
    assert_eq!(page.orders[0].order.complainant, "李** *******1234");
    assert_eq!(page.next_cursor, page.orders[0].order.change_seq);

    let r = s
        .req(Method::PATCH, "/v1/device/orders/W-1", d.t())
        .json(&json!({"base_version": page.orders[0].order.version, "status": "处理中"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: EditAnswer = r.json().unwrap();
    assert_eq!(answer.order.status, OrderStatus::InProgress);
    assert_eq!(answer.applied, ["status"]);
    assert!(answer.conflicts.is_empty());
}

/// The list's `status` filter reads the status vocabulary like every other
/// order input: a Chinese label finds the orders, an unknown status is
/// refused with the choices rather than answered with an empty list.
#[test]
fn the_api_order_list_status_filter_takes_labels_and_refuses_unknown_statuses() {
    let w = World::new(&[]);
    let s = &w.server;
    let r = s
        .req(Method::POST, "/v1/orders", Some(&w.coord_a))
        .json(&json!({"number": "S-1", "kind": "complaint", "category": "噪音", "address": "x"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = s.req(Method::GET, "/v1/orders?status=待处理", Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(v["orders"][0]["number"], "S-1");
    let r = s.req(Method::GET, "/v1/orders?status=finished", Some(&w.coord_a)).send().unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"], "invalid_input");
    assert!(v["message"].as_str().unwrap().contains("待处理 (new)"), "{v}");
}
