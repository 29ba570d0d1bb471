//! HTTP pieces the API and the console share, so neither imports the other:
//! the route table both build their routers with, request body and query
//! parsing, and serving stored blobs.

pub mod blobs;
pub mod body;
pub mod routes;
