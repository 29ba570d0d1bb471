//! The server's rules, as plain functions over a database connection,
//! shared by the HTTP handlers, the console and the admin command line.
//! They take and return domain values and refuse with a [`DomainError`]:
//! no HTTP types and no authentication here (callers pass the role or
//! communities a rule needs), and no SQL (that is `crate::repo`).

pub mod accounts;
pub mod derivatives;
pub mod error;
pub mod file_claims;
pub mod gcj02;
pub mod ingest;
pub mod mask;
pub mod order_csv;
pub mod orders;
pub mod pairs;
pub mod role;
pub mod time_statements;
pub mod trust;

pub use error::{DomainError, DomainResult};
