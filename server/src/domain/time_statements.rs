//! Taking back the server's own time statements from devices. `GET /v1/time`
//! is public, so the server keeps none of the statements it issues (that
//! would let anyone fill its disk); a device hands back only the statements
//! its entries' anchored times rest on, after those entries were received.
//! Each is held to this server's key and to an entry of that device naming
//! it, so what is kept is bounded by the evidence itself. Idempotent.

use rusqlite::Connection;
use siteproof_protocol::evidence::SignedTime;
use siteproof_protocol::wire::error_code::ErrorCode;

use crate::db::now_ms;
use crate::domain::{DomainError, DomainResult};
use crate::repo;

/// Keeps a statement a device handed back; true when it is new, false when it was held already.
pub fn accept(conn: &Connection, server_key_hex: &str, device_id: &str, signed: &SignedTime) -> DomainResult<bool> {
    signed.open_from(server_key_hex).map_err(|e| DomainError::invalid(ErrorCode::BadTimeStatement, e))?;
    let hash = signed.hash();
    if !repo::time_statements::named_by_device(conn, device_id, &hash)? {
        return Err(DomainError::conflict(
            ErrorCode::TimeStatementUnused,
            "本设备已提交的记录中没有以该时间声明为锚点的（请先提交记录）",
            "none of this device's received entries rests on this time statement (send the manifest first)",
        ));
    }
    Ok(repo::time_statements::put(conn, &hash, signed, device_id, now_ms())?)
}
