//! The server's rules, as plain functions over a SQLite connection, shared
//! by the HTTP handlers and the admin command line.

pub mod accounts;
pub mod derivatives;
pub mod gcj02;
pub mod ingest;
pub mod mask;
pub mod order_csv;
pub mod orders;
