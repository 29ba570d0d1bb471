//! Expiration: unfinished uploads idle past their Upload-Expires are marked
//! expired and their staged bytes removed, so abandoned phones do not fill
//! the disk.

use crate::db::now_ms;
use crate::error::ApiResult;
use crate::repo;
use crate::state::AppState;

/// Expires one upload unless a request is writing it.
pub async fn expire(st: &AppState, id: &str) -> ApiResult<()> {
    if st.upload_locks.lock().unwrap_or_else(|p| p.into_inner()).contains(id) {
        return Ok(());
    }
    let id2 = id.to_string();
    st.db.call(move |c| Ok(repo::uploads::expire(c, &id2, now_ms())?)).await?;
    st.hashers.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    let _ = tokio::fs::remove_file(st.storage.staging_path(id)).await;
    Ok(())
}

/// Expires every overdue upload; returns how many.
pub async fn sweep(st: &AppState) -> ApiResult<usize> {
    let ids: Vec<String> = st.db.call(|c| Ok(repo::uploads::expired_open(c, now_ms())?)).await?;
    for id in &ids {
        expire(st, id).await?;
    }
    Ok(ids.len())
}
