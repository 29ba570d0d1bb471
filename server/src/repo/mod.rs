//! Where the server's SQL lives: one file per table or concept, each query
//! written once and named for what it answers ("the entries of an order",
//! "the open gaps of a device"). Functions take a `rusqlite::Connection` (a
//! `Transaction` derefs to one) and return plain rows, so handlers and the
//! domain rules never hold SQL, and a second database (PostgreSQL) means a
//! second implementation of these modules, not a hunt through handlers.

pub mod accounts;
pub mod anomalies;
pub mod audit;
pub mod blobs;
pub mod derivatives;
pub mod devices;
pub mod entries;
pub mod followups;
pub mod order_search;
pub mod orders;
pub mod packet_exports;
pub mod photo_pairs;
pub mod receipts;
pub mod share_copies;
pub mod time_statements;
pub mod tokens;
pub mod uploads;

/// A community id list for `IN (...)`: ids are integers from the database, never caller text.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
