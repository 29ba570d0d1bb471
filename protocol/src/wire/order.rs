//! The work order as it travels between device, console client and server,
//! declared once: the server's order endpoints answer with these types and
//! read their bodies with them, and the device's order exchange (pull by
//! cursor, push of local edits) reads and writes the same types. Each side
//! keeps its own stored row and converts from and to these in one place.

use serde::{Deserialize, Serialize};

use crate::vocab::{OrderKind, OrderStatus, Term};

/// An order as the server sends it (`GET /v1/orders[/{number}]`, the answers
/// of `POST /v1/orders` and `.../assign`, and each order of a device pull).
/// Complainant contact is masked for workers and devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WireOrder {
    /// City platform order number (unique within the street office).
    pub number: String,
    /// Community name.
    #[serde(default)]
    pub community: String,
    /// Kind (诉求类型).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: Term<OrderKind>,
    /// Category, e.g. 噪音, 卫生.
    pub category: String,
    /// Address / spot.
    pub address: String,
    /// Spot latitude, WGS-84.
    #[serde(default)]
    pub spot_lat: Option<f64>,
    /// Spot longitude, WGS-84.
    #[serde(default)]
    pub spot_lon: Option<f64>,
    /// Complainant contact (masked for workers and devices).
    #[serde(default)]
    pub complainant: String,
    /// What the resident asked.
    #[serde(default)]
    pub content: String,
    /// Dispatch time, Unix ms.
    #[serde(default)]
    pub dispatched_at_ms: Option<i64>,
    /// Handling deadline (办理时限), Unix ms.
    #[serde(default)]
    pub deadline_ms: Option<i64>,
    /// Handling status.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: Term<OrderStatus>,
    /// Tag: order type code.
    #[serde(default)]
    pub tag_type: Option<String>,
    /// Tag: handling result code.
    #[serde(default)]
    pub tag_handling: Option<String>,
    /// Tag: callback result code.
    #[serde(default)]
    pub tag_callback: Option<String>,
    /// Tag: knowledge to keep.
    #[serde(default)]
    pub knowledge: String,
    /// The coordinators' free notes (a device keeps its own notes and ignores these).
    #[serde(default)]
    pub notes: String,
    /// Assigned worker's username.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Increments with every change; a device edit names the version it was based on.
    pub version: i64,
    /// Server-wide change counter (device cursors).
    #[serde(default)]
    pub change_seq: i64,
    /// Created, Unix ms.
    #[serde(default)]
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    #[serde(default)]
    pub updated_at_ms: i64,
}

/// One order of a device pull: the order and whether it is the device worker's now
/// (a device also receives orders its worker was assigned before).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PulledOrder {
    /// The order.
    #[serde(flatten)]
    pub order: WireOrder,
    /// Assigned to the device's worker now.
    #[serde(default)]
    pub assigned_to_you: bool,
}

/// `GET /v1/device/orders?cursor=N`: orders changed after the cursor, in change order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderPage {
    /// The changed orders.
    pub orders: Vec<PulledOrder>,
    /// The cursor to ask with next (the last order's change counter, or the cursor asked with).
    pub next_cursor: i64,
}

/// `GET /v1/orders`: one page of the caller's orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderList {
    /// The orders, nearest deadline first.
    pub orders: Vec<WireOrder>,
}

/// `POST /v1/orders`: a new order as entered (the CSV import makes the same).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// Order number.
    pub number: String,
    /// Kind code or Chinese label (checked by the receiver, which names the choices).
    pub kind: String,
    /// Category.
    pub category: String,
    /// Address.
    pub address: String,
    /// Spot latitude.
    #[serde(default)]
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    #[serde(default)]
    pub spot_lon: Option<f64>,
    /// Complainant contact.
    #[serde(default)]
    pub complainant: String,
    /// Content.
    #[serde(default)]
    pub content: String,
    /// Dispatch time, Unix ms.
    #[serde(default)]
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    #[serde(default)]
    pub deadline_ms: Option<i64>,
    /// Community name (admins only; others use their own).
    #[serde(default)]
    pub community: Option<String>,
}

/// `PATCH /v1/orders/{number}` and `PATCH /v1/device/orders/{number}`: status
/// and tag edits. An absent field stays, an empty tag clears it. Values are
/// codes or Chinese labels, checked by the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderEdit {
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Tag: order type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_type: Option<String>,
    /// Tag: handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_handling: Option<String>,
    /// Tag: callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_callback: Option<String>,
    /// Tag: knowledge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The version the edit was based on (devices must send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i64>,
}

/// A field whose edit lost to a coordinator's later change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// Field name.
    pub field: String,
    /// The value kept.
    pub server_value: Option<String>,
    /// The value that was not applied.
    pub your_value: Option<String>,
}

/// The answer to an edit: the merged order, which fields were applied and
/// which lost to a coordinator's later change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditAnswer {
    /// The order after the edit.
    #[serde(flatten)]
    pub order: WireOrder,
    /// Fields changed by this edit.
    #[serde(default)]
    pub applied: Vec<String>,
    /// Fields kept at the coordinator's value.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> WireOrder {
        WireOrder {
            number: "2026112300123".into(),
            community: "幸福里社区".into(),
            kind: OrderKind::Complaint.into(),
            category: "噪音".into(),
            address: "幸福里3号楼".into(),
            spot_lat: Some(31.2),
            spot_lon: Some(121.4),
            complainant: "138****0000".into(),
            content: "夜间施工".into(),
            dispatched_at_ms: Some(1),
            deadline_ms: Some(2),
            status: OrderStatus::InProgress.into(),
            tag_type: Some("key".into()),
            tag_handling: None,
            tag_callback: None,
            knowledge: String::new(),
            notes: String::new(),
            assignee: Some("wang".into()),
            version: 3,
            change_seq: 9,
            created_at_ms: 1,
            updated_at_ms: 2,
        }
    }

    #[test]
    fn a_pulled_order_is_the_order_with_its_flag_beside_it() {
        let p = PulledOrder { order: order(), assigned_to_you: true };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["status"], "in_progress");
        assert_eq!(v["kind"], "complaint");
        assert_eq!(v["assigned_to_you"], true);
        assert_eq!(serde_json::from_value::<PulledOrder>(v).unwrap(), p);
    }

    #[test]
    fn an_edit_answer_carries_the_merged_order() {
        let a = EditAnswer {
            order: order(),
            applied: vec!["status".into()],
            conflicts: vec![Conflict { field: "tag_type".into(), server_value: Some("key".into()), your_value: Some("ordinary".into()) }],
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!((v["number"].as_str(), v["version"].as_i64()), (Some("2026112300123"), Some(3)));
        assert_eq!(serde_json::from_value::<EditAnswer>(v).unwrap(), a);
    }

    #[test]
    fn a_status_a_newer_server_added_is_kept_as_sent() {
        let mut v = serde_json::to_value(order()).unwrap();
        v["status"] = "returned_for_review".into();
        let o = serde_json::from_value::<WireOrder>(v).unwrap();
        assert_eq!(o.status, Term::Unknown("returned_for_review".into()));
        assert_eq!(o.status.as_str(), "returned_for_review");
        assert_eq!(serde_json::to_value(&o).unwrap()["status"], "returned_for_review");
        let mut v = serde_json::to_value(order()).unwrap();
        v["status"] = "处理中".into();
        assert_eq!(serde_json::from_value::<WireOrder>(v).unwrap().status, OrderStatus::InProgress);
    }

    #[test]
    fn an_edit_sends_only_what_changes_and_refuses_unknown_fields() {
        let e = OrderEdit { status: Some("closed".into()), base_version: Some(4), ..OrderEdit::default() };
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"status":"closed","base_version":4}"#);
        assert!(serde_json::from_str::<OrderEdit>(r#"{"state":"closed"}"#).is_err());
    }

    /// The schemas the server's OpenAPI document takes from these types say what the
    /// server requires: required fields are exactly those without a default, vocabulary
    /// terms are plain strings, and a request body with an unknown field is refused.
    #[cfg(feature = "openapi")]
    #[test]
    fn openapi_schemas_follow_the_serde_rules() {
        use utoipa::PartialSchema;
        let new_order = serde_json::to_value(NewOrder::schema()).unwrap();
        assert_eq!(new_order["required"], serde_json::json!(["number", "kind", "category", "address"]));
        assert_eq!(new_order["additionalProperties"], serde_json::json!(false));
        let edit = serde_json::to_value(OrderEdit::schema()).unwrap();
        assert!(edit.get("required").is_none(), "every edit field may be left out: {edit}");
        let order = serde_json::to_value(WireOrder::schema()).unwrap();
        assert_eq!(order["properties"]["kind"]["type"], "string");
        assert_eq!(order["properties"]["status"]["type"], "string");
        assert_eq!(order["required"], serde_json::json!(["number", "kind", "category", "address", "status", "version"]));
    }
}
