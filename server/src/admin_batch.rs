//! `admin export-batch` and `admin export-originals`: the operator's way to
//! the same batch exports the API offers coordinators (one dispute packet for
//! several orders; a plain ZIP of originals), run on the server's own folder.
//! Audited without a user, like `admin export-order`.

use std::path::Path;

use crate::config::Config;
use crate::domain::accounts;
use crate::error::{ApiError, ApiResult};
use crate::repo;

/// `admin export-batch NUMBER... --out FILE`.
pub fn export_batch(config: &Config, numbers: Vec<String>, office: Option<String>, out: &Path, as_json: bool) -> Result<String, String> {
    let state = crate::serve::state(config.clone())?;
    let s = block_on(async {
        let communities = communities(&state, office).await?;
        crate::packet::batch::export_batch_packet(&state, None, communities, numbers, out).await
    })?;
    Ok(if as_json {
        serde_json::to_string(&s).unwrap_or_default()
    } else {
        format!(
            "已导出批量争议证据包 / batch dispute packet exported: {} ({} 个工单 / orders: {}; {} 条证据 / entries, {} 字节 / bytes)\nSHA-256: {}\n服务器公钥指纹 / server key fingerprint: {}\n{}",
            s.packet.path.display(),
            s.orders.len(),
            s.orders.join(", "),
            s.packet.entries,
            s.packet.bytes,
            s.packet.sha256,
            s.packet.server_key_fingerprint,
            s.packet.third_party_time.describe()
        )
    })
}

/// `admin export-originals NUMBER... --out FILE`.
pub fn export_originals(
    config: &Config,
    numbers: Vec<String>,
    office: Option<String>,
    out: &Path,
    as_json: bool,
) -> Result<String, String> {
    let state = crate::serve::state(config.clone())?;
    let s = block_on(async {
        let communities = communities(&state, office).await?;
        crate::packet::batch_originals::export_originals(&state, None, communities, numbers, out).await
    })?;
    Ok(if as_json {
        serde_json::to_string(&s).unwrap_or_default()
    } else {
        format!(
            "已导出原件（不是争议证据包）/ originals exported (not a dispute packet): {} ({} 个工单 / orders, {} 个文件 / files, {} 字节 / bytes)\nSHA-256: {}",
            s.path.display(),
            s.orders.len(),
            s.originals,
            s.bytes,
            s.sha256
        )
    })
}

/// Every community of the office (or of the server): the operator may export any; one batch still holds one community.
async fn communities(state: &crate::state::AppState, office: Option<String>) -> ApiResult<Vec<i64>> {
    state
        .db
        .call(move |c| {
            let office_id = office.as_deref().map(|o| accounts::office_id(c, o)).transpose()?;
            Ok(repo::accounts::communities_in(c, office_id)?)
        })
        .await
}

fn block_on<T>(work: impl std::future::Future<Output = ApiResult<T>>) -> Result<T, String> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(work).map_err(|e: ApiError| e.message)
}
