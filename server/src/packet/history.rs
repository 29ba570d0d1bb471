//! The order's history as the packet tells it (办理经过): who changed what
//! and when — creation, assignment, status, the callback result and the
//! handling tags — so the office reading a dispute sees how the order went,
//! not only its state at export. Read from the same change log the console's
//! order page shows.

use std::collections::BTreeMap;

use siteproof_protocol::vocab::{zh_label, TagAxis, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

use super::report::{beijing, Block};
use crate::domain::accounts::person_label;
use crate::domain::orders::HistoryEntry;

fn field_zh(field: &str) -> &str {
    // The four stamp axes are named once, in the glossary (seed 001's words).
    if let Some(axis) = TagAxis::of_field(field) {
        return axis.zh();
    }
    match field {
        "created" => "创建工单",
        "status" => "状态",
        "notes" => "备注",
        "assignee" => "承办社工",
        other => other,
    }
}

/// A value as people read it: vocabulary in Chinese, an assigned worker by name (`people`: login → name).
fn value_zh(field: &str, v: &str, people: &BTreeMap<String, String>) -> String {
    match field {
        "status" => zh_label(ORDER_STATUSES, v).to_string(),
        "tag_type" => zh_label(TAG_TYPES, v).to_string(),
        "tag_handling" => zh_label(TAG_HANDLING, v).to_string(),
        "tag_callback" => zh_label(TAG_CALLBACK, v).to_string(),
        "assignee" => people.get(v).cloned().unwrap_or_else(|| v.to_string()),
        _ => v.to_string(),
    }
}

fn role_zh(role: &str) -> &str {
    match role {
        "coordinator" => "专干",
        "worker" => "社工",
        "admin" => "管理员",
        other => other,
    }
}

fn person(e: &HistoryEntry, login: &str) -> String {
    person_label(login, e.actor_real_name.as_deref().unwrap_or(""))
}

/// One line per change, oldest first.
fn line(e: &HistoryEntry, people: &BTreeMap<String, String>) -> String {
    format!("{}　{}", beijing(e.at_ms), change_zh(e, people))
}

/// Who changed what, e.g. "专干 张专干（zhang）：状态 由 处理中 改为 已答复"; `people` names assigned workers.
pub fn change_zh(e: &HistoryEntry, people: &BTreeMap<String, String>) -> String {
    let who = match (&e.actor, &e.actor_role) {
        (Some(a), Some(r)) => format!("{} {}{}", role_zh(r), person(e, a), if e.device_id.is_some() { "（手机）" } else { "" }),
        (Some(a), None) => person(e, a),
        _ => "系统".into(),
    };
    let what = match (e.field.as_str(), e.old_value.as_deref(), e.new_value.as_deref()) {
        ("created", _, _) => field_zh("created").to_string(),
        (f, None, Some(new)) => format!("{} 设为 {}", field_zh(f), value_zh(f, new, people)),
        (f, Some(old), Some(new)) => format!("{} 由 {} 改为 {}", field_zh(f), value_zh(f, old, people), value_zh(f, new, people)),
        (f, Some(old), None) => format!("{} 清除（原为 {}）", field_zh(f), value_zh(f, old, people)),
        (f, None, None) => field_zh(f).to_string(),
    };
    format!("{who}：{what}")
}

/// The 办理经过 section; `people` names assigned workers (login → name).
pub fn history_blocks(history: &[HistoryEntry], people: &BTreeMap<String, String>) -> Vec<Block> {
    let mut b = vec![Block::Heading("二、办理经过".into())];
    if history.is_empty() {
        b.push(Block::Note("本系统中没有该工单的变更记录。".into()));
    }
    b.extend(history.iter().map(|e| Block::Paragraph(line(e, people))));
    b
}
