//! Siteproof's case server: where evidence from workers' phones lands and
//! stays. Embedded by default (SQLite and a blob folder), with storage behind
//! a trait so a city can grow it later. Manifests, hashing and verification
//! come from `siteproof-core`: one implementation of the evidence format.

pub mod admin;
mod admin_batch;
pub mod api;
pub mod app;
pub mod auth;
pub mod c2pa_cert;
pub mod cli;
pub mod config;
pub mod connections;
pub mod console;
pub mod db;
pub mod domain;
pub mod error;
pub mod fd_limit;
pub mod packet;
pub mod repo;
pub mod security_headers;
pub mod serve;
pub mod server_key;
pub mod state;
pub mod storage;
pub mod web;

pub use api::{routes, Access, RouteInfo};
