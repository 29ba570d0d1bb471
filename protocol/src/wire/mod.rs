//! Formats as they cross the wire, one module per format. Each parses bytes
//! into typed values or a typed error that carries its own zh-CN and English
//! text, so a transport can answer without reading error strings.

pub mod error_code;
pub mod order;
pub mod order_csv;
pub mod receipt;
pub mod tus;
