//! The device's durable state: one SQLite database and one content-addressed
//! blob folder under a directory the app owns. `schema.rs` and `db.rs` make
//! the database; each table's SQL lives in one module named after it, and
//! the feature modules (capture, queue, sync, ...) call those functions
//! instead of writing SQL, so a table's rules are written once.

pub mod blobs;
pub mod db;
/// Owner-only files and folders, their own crate (`siteproof-fs`) since the server uses them too.
pub use siteproof_fs as private_fs;
pub mod schema;

pub(crate) mod anchors;
pub(crate) mod blob_rows;
pub(crate) mod derivatives;
pub(crate) mod entries;
pub(crate) mod identity;
pub(crate) mod orders;
pub(crate) mod outbox;
pub(crate) mod receipts;
#[cfg(feature = "sync")]
pub(crate) mod sync_state;
pub(crate) mod visits;

pub use blobs::{BlobStore, StagedBlob};
pub use db::open_database;
