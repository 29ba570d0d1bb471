//! The console order list's search box on the real server: Chinese words of
//! three or more characters (the trigram index) and of one or two (the LIKE
//! fallback) over address, content and notes, order-number prefixes, never
//! another community's orders, the other filters still applying, and the
//! batch export of the filtered list taking the same search.

mod common;

use common::*;
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::json;

fn create_order(s: &Server, token: &str, number: &str, address: &str, content: &str) {
    let r = s
        .req(Method::POST, "/v1/orders", Some(token))
        .json(&json!({"number": number, "kind": "投诉", "category": "环境", "address": address, "content": content}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "create {number}: {}", r.text().unwrap());
}

fn patch_order(s: &Server, token: &str, number: &str, v: serde_json::Value) {
    let r = s.req(Method::PATCH, &format!("/v1/orders/{number}"), Some(token)).json(&v).send().unwrap();
    assert!(r.status().is_success(), "patch {number}: {}", r.text().unwrap());
}

/// A logged-in console session (its cookie).
fn console_cookie(s: &Server, user: &str) -> String {
    let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = http
        .post(s.url("/console/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password={PASSWORD}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "console login of {user}");
    r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

fn get(s: &Server, cookie: &str, search: &str, more: &str) -> reqwest::blocking::Response {
    let url = reqwest::Url::parse_with_params(&s.url("/console/orders"), [("q", search)]).unwrap();
    Client::new().get(format!("{url}{more}")).header("cookie", cookie).send().unwrap()
}

/// The order numbers a search lists, in list order.
fn found(s: &Server, cookie: &str, search: &str, more: &str) -> Vec<String> {
    let r = get(s, cookie, search, more);
    assert_eq!(r.status(), 200, "search {search:?}");
    let html = r.text().unwrap();
    html.split("data-order=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect()
}

#[test]
fn search_finds_chinese_text_and_numbers_within_the_community_and_filters() {
    let w = World::new(&[]);
    let s = &w.server;
    create_order(s, &w.coord_a, "2024112900123", "幸福里3号楼东侧", "小区垃圾桶满了三天没人清运");
    create_order(s, &w.coord_a, "2024112900456", "和平路18号", "夜间施工噪音扰民");
    create_order(s, &w.coord_a, "2024113000789", "光明街5号", "路灯不亮");
    patch_order(s, &w.coord_a, "2024113000789", json!({"notes": "物业说垃圾桶下周更换", "tag_type": "重点"}));
    create_order(s, &w.coord_b, "2024112900999", "幸福里9号楼", "垃圾桶破损，噪音大");
    let a = console_cookie(s, "coord_a");

    assert_eq!(found(s, &a, "垃圾桶", ""), ["2024112900123", "2024113000789"], "content and notes, only community A");
    assert_eq!(found(s, &a, "噪音", ""), ["2024112900456"], "a 2-character word falls back to LIKE, still only community A");
    assert_eq!(found(s, &a, "幸福里", ""), ["2024112900123"], "address");
    assert_eq!(found(s, &a, "20241129", ""), ["2024112900123", "2024112900456"], "order number prefix");
    assert_eq!(found(s, &a, "2024112900456", ""), ["2024112900456"], "whole order number");
    assert_eq!(found(s, &a, "幸福 垃圾桶", ""), ["2024112900123"], "every word must match, short and long");
    assert!(found(s, &a, "2024112900999", "").is_empty(), "another community's order is never found by number");
    assert!(found(s, &a, "破损", "").is_empty(), "nor by its content");
    assert_eq!(found(s, &a, "垃圾桶", "&type=key"), ["2024113000789"], "the other filters still apply");
    assert!(found(s, &a, "%", "").is_empty(), "LIKE wildcards are plain characters");
    assert!(found(s, &a, "\"垃圾桶\" OR *", "").is_empty(), "search syntax is plain text");

    // The search box keeps the other filters, and their links keep the search.
    let html = get(s, &a, "垃圾桶", "&type=key").text().unwrap();
    assert!(html.contains(r#"<input type="hidden" name="type" value="key">"#), "search form carries the filter");
    assert!(html.contains(r#"name="q" value="垃圾桶""#), "search box shows the search");
    assert!(html.contains("q=%E5%9E%83%E5%9C%BE%E6%A1%B6"), "filter links keep the search");

    // Batch export of the filtered list takes the same search.
    let exports = reqwest::Url::parse_with_params(&s.url("/console/exports"), [("q", "垃圾桶")]).unwrap();
    let html = Client::new().get(exports).header("cookie", &a).send().unwrap().text().unwrap();
    let rows: Vec<&str> = html.split("data-order=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(rows, ["2024112900123", "2024113000789"], "batch export of a search");
    assert!(html.contains("搜索 垃圾桶"), "the export page names the search among the filters");

    let r = get(s, &a, &"长".repeat(101), "");
    assert_eq!(r.status(), 400, "overlong search");
    assert!(r.text().unwrap().contains("搜索内容过长"), "bilingual error");
}
