//! The admin subcommands: direct database work for bootstrap, so the first
//! office, its communities and accounts exist before anyone can log in.

use std::io::BufRead;
use std::path::Path;

use crate::config::Config;

use serde_json::json;

use crate::auth::Role;
use crate::cli::AdminAction;
use crate::db;
use crate::domain::accounts::{self, NewUser};
use crate::error::ApiError;
use crate::repo;

fn fail(e: impl Into<ApiError>) -> String {
    e.into().message
}

/// Runs one admin action against `DIR/siteproof.db`; returns the text to print.
pub fn run(config: &Config, action: AdminAction, as_json: bool) -> Result<String, String> {
    let data = config.data.as_path();
    if let AdminAction::ExportOrder { number, office, out, items } = action {
        return export_order(config, &number, office.as_deref(), &out, &items, as_json);
    }
    if let AdminAction::ExportBatch { numbers, office, out } = action {
        return crate::admin_batch::export_batch(config, numbers, office, &out, as_json);
    }
    if let AdminAction::ExportOriginals { numbers, office, out } = action {
        return crate::admin_batch::export_originals(config, numbers, office, &out, as_json);
    }
    siteproof_fs::create_dir_all(data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let conn = db::open_migrated(&data.join("siteproof.db")).map_err(|e| format!("cannot open database: {e}"))?;
    let out = match action {
        AdminAction::CreateOffice { name } => {
            let id = accounts::create_office(&conn, &name).map_err(fail)?;
            (json!({"office_id": id, "name": name.trim()}), format!("已创建街道 / office created: {}", name.trim()))
        }
        AdminAction::CreateCommunity { office, name } => {
            let id = accounts::create_community(&conn, &office, &name).map_err(fail)?;
            (
                json!({"community_id": id, "office": office, "name": name.trim()}),
                format!("已创建社区 / community created: {}/{}", office, name.trim()),
            )
        }
        AdminAction::CreateUser { username, role, community, office, password, no_password, real_name } => {
            let role = Role::parse(&role).ok_or("role must be admin, coordinator or worker")?;
            let (office_id, community_id) = match (&community, &office) {
                (Some(c), _) => {
                    let (cid, oid) = accounts::community(&conn, c).map_err(fail)?;
                    (oid, Some(cid))
                }
                (None, Some(o)) => (accounts::office_id(&conn, o).map_err(fail)?, None),
                (None, None) => return Err("--community (or --office for an admin) is required".into()),
            };
            let password = if no_password {
                None
            } else {
                Some(match password.or_else(|| std::env::var("SITEPROOF_PASSWORD").ok()) {
                    Some(p) => p,
                    None => {
                        let mut line = String::new();
                        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
                        line.trim_end_matches(['\r', '\n']).to_string()
                    }
                })
            };
            // A worker given no password at all is a device-only account (they enroll with a code).
            let password = password.filter(|p| !(p.is_empty() && role == Role::Worker));
            let password = password.map(|p| crate::auth::password::StoredPassword::new(&p)).transpose().map_err(fail)?;
            let password_hash = password.map(|p| p.phc().to_string());
            let id = accounts::create_user(
                &conn,
                NewUser { username: &username, role, office_id, community_id, password_hash, real_name: real_name.as_deref() },
            )
            .map_err(fail)?;
            (
                json!({"user_id": id, "username": username, "role": role}),
                format!("已创建账号 / account created: {username} ({})", role.as_str()),
            )
        }
        AdminAction::SetRealName { username, real_name } => {
            // The operator at the server's console may name any account; the API asks the caller's communities.
            let name = accounts::set_real_name(&conn, None, &username, &real_name).map_err(fail)?;
            accounts::audit(&conn, None, "set_real_name", &username).map_err(fail)?;
            let shown = accounts::person_label(&username, &name);
            (json!({"username": username, "real_name": name, "shown_as": shown}), format!("已设置真实姓名 / real name set: {shown}"))
        }
        AdminAction::EnrollCode { worker, hours } => {
            let user = accounts::user(&conn, &worker).map_err(fail)?;
            if user.role != Role::Worker {
                return Err(format!("{worker} 不是社工 / {worker} is not a worker"));
            }
            let (code, code_hash) = crate::auth::tokens::new_enroll_code_with_hash();
            let code = accounts::create_enroll_code(&conn, user.id, &worker, code, &code_hash, hours as i64 * 3_600_000).map_err(fail)?;
            accounts::audit(&conn, None, "enroll_code", &worker).map_err(fail)?;
            (serde_json::to_value(&code).unwrap_or_default(), code.code.clone())
        }
        AdminAction::RevokeDevice { device_id } => {
            if !accounts::revoke_device(&conn, &device_id).map_err(fail)? {
                return Err(format!("没有设备 {device_id} / no device {device_id}"));
            }
            accounts::audit(&conn, None, "revoke_device", &device_id).map_err(fail)?;
            (json!({"device_id": device_id, "revoked": true}), format!("已吊销设备 / device revoked: {device_id}"))
        }
        AdminAction::ExportOrder { .. } | AdminAction::ExportBatch { .. } | AdminAction::ExportOriginals { .. } => {
            unreachable!("handled above")
        }
    };
    Ok(if as_json { out.0.to_string() } else { out.1 })
}

/// `admin export-order`: the same export as the HTTP endpoint, by the operator (audited without a user).
fn export_order(
    config: &Config,
    number: &str,
    office: Option<&str>,
    out: &Path,
    items: &[String],
    as_json: bool,
) -> Result<String, String> {
    let state = crate::serve::state(config.clone())?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let summary = rt.block_on(async {
        let (wanted, office) = (number.to_string(), office.map(str::to_string));
        // The operator may export any community's order; tenancy still binds the export to the order's own community.
        // Numbers are unique per office, so one that several offices use needs --office.
        let community_id = state
            .db
            .call(move |c| {
                let office_id = office.as_deref().map(|o| accounts::office_id(c, o)).transpose()?;
                let all = repo::accounts::communities_in(c, office_id)?;
                Ok(crate::domain::orders::get_visible(c, &wanted, &all)?.community_id)
            })
            .await?;
        let chosen = (!items.is_empty()).then_some(items);
        crate::packet::export_order_packet(&state, None, community_id, number, chosen, Default::default(), out).await
    });
    let s = summary.map_err(fail)?;
    Ok(if as_json {
        serde_json::to_string(&s).unwrap_or_default()
    } else {
        format!(
            "已导出争议证据包 / dispute packet exported: {} ({} 条证据 / entries, {} 字节 / bytes)\nSHA-256: {}\n服务器公钥指纹 / server key fingerprint: {}\n{}",
            s.path.display(), s.entries, s.bytes, s.sha256, s.server_key_fingerprint, s.third_party_time.describe()
        )
    })
}
