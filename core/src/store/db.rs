//! Opening the device database: pragmas that make every commit durable and
//! every reference checked, and forward-only migrations.

use std::path::Path;

use rusqlite::Connection;

use super::private_fs;
use super::schema::MIGRATIONS;
use crate::error::{Error, Result};

/// Opens (creating if needed) the database at `path` and brings its schema up to date.
/// The file is owner-only before SQLite sees it, so its WAL and shared-memory
/// files are too; those of an older, wider store are tightened.
pub fn open_database(path: &Path) -> Result<Connection> {
    private_fs::prepare_sqlite_file(path).map_err(|e| Error::from_io("create database file", e))?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL keeps readers (the UI's queue view) off the writer's back; FULL makes a
    // returned capture survive power loss, not just an app crash.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(Error::Store(format!(
            "database schema version {version} is newer than this app understands ({}); update the app",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}
