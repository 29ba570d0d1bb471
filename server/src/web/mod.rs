//! HTTP pieces the API and the console share, so neither imports the other:
//! the route table both build their routers with, request body and query
//! parsing, serving stored blobs, and answering exports as ZIP downloads.

pub mod blobs;
pub mod body;
pub mod routes;
pub mod zip_download;
