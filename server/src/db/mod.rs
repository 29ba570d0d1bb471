//! SQLite access for async handlers: a small pool of connections used on the
//! blocking thread pool, so a slow query never stalls the upload streams.
//! WAL lets readers run beside the one writer.

pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use siteproof_fs as private_fs;
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// Opens a connection with the server's pragmas (WAL, FULL sync for acknowledged writes).
/// The database file is made owner-only first: SQLite gives its WAL and
/// shared-memory files the database file's mode.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    private_fs::prepare_sqlite_file(path).map_err(cannot_open)?;
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    Ok(conn)
}

/// An i/o failure preparing the database file, as SQLite's own "cannot open".
fn cannot_open(e: std::io::Error) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN), Some(format!("database file: {e}")))
}

/// Opens the database file, creating and migrating it.
pub fn open_migrated(path: &Path) -> rusqlite::Result<Connection> {
    let mut conn = open(path)?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// A pool of connections to one database file.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    conns: Mutex<Vec<Connection>>,
    permits: Semaphore,
    #[allow(dead_code)]
    path: PathBuf,
}

struct Lease<'a> {
    inner: &'a Inner,
    conn: Option<Connection>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.inner.conns.lock().unwrap_or_else(|p| p.into_inner()).push(c);
        }
    }
}

impl Db {
    /// Opens `size` connections (the first one migrates the schema).
    pub fn open(path: &Path, size: usize) -> rusqlite::Result<Db> {
        let first = open_migrated(path)?;
        let mut conns = vec![first];
        for _ in 1..size.max(1) {
            conns.push(open(path)?);
        }
        let n = conns.len();
        Ok(Db { inner: Arc::new(Inner { conns: Mutex::new(conns), permits: Semaphore::new(n), path: path.into() }) })
    }

    /// Runs `f` with a connection on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let _permit = self.inner.permits.acquire().await.map_err(ApiError::internal)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.conns.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let mut lease = Lease { inner: &inner, conn };
            let conn = lease.conn.as_mut().ok_or_else(|| ApiError::internal("connection pool empty"))?;
            f(conn)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// Milliseconds since the Unix epoch, server clock (the protocol's one reading of the wall clock).
pub use siteproof_protocol::time::now_ms;
