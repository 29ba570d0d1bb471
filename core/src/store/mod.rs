//! The device's durable state: one SQLite database and one content-addressed
//! blob folder under a directory the app owns.

pub mod blobs;
pub mod db;
/// Owner-only files and folders, their own crate (`siteproof-fs`) since the server uses them too.
pub use siteproof_fs as private_fs;
pub mod schema;

pub use blobs::{BlobStore, StagedBlob};
pub use db::open_database;
