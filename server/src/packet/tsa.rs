//! The server's side of RFC 3161 over HTTP: carries the request the protocol
//! built to the configured time-stamping authority and brings its reply back.
//! Runs on the export's blocking thread, with a bounded wait, so a TSA that
//! is down delays an export by at most [`TSA_TIMEOUT`] and never blocks it.

use std::io::Read;
use std::time::Duration;

use siteproof_protocol::packet::TimeStampAuthority;

use crate::config::TsaConfig;
use crate::error::{ApiError, ApiResult};

/// Longest wait for the TSA's whole answer.
const TSA_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest reply read: a token with a few certificates is a few KiB.
const MAX_REPLY_BYTES: u64 = 1 << 20;

/// The configured TSA with an HTTP client.
pub(super) struct HttpTsa<'a> {
    config: &'a TsaConfig,
    client: reqwest::blocking::Client,
}

impl<'a> HttpTsa<'a> {
    pub(super) fn new(config: &'a TsaConfig) -> ApiResult<HttpTsa<'a>> {
        let client = reqwest::blocking::Client::builder().timeout(TSA_TIMEOUT).build().map_err(ApiError::internal)?;
        Ok(HttpTsa { config, client })
    }
}

impl TimeStampAuthority for HttpTsa<'_> {
    fn url(&self) -> &str {
        &self.config.url
    }

    fn chain_pem(&self) -> &[u8] {
        &self.config.chain_pem
    }

    fn ask(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        let unreachable = |e: reqwest::Error| format!("时间戳服务无法连接 / the time-stamping authority cannot be reached: {e}");
        let reply = self
            .client
            .post(&self.config.url)
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .body(request.to_vec())
            .send()
            .map_err(unreachable)?;
        let status = reply.status();
        if !status.is_success() {
            return Err(format!("时间戳服务答复 HTTP {status} / the time-stamping authority answered HTTP {status}"));
        }
        let mut body = Vec::new();
        reply
            .take(MAX_REPLY_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| format!("读取时间戳服务的答复失败 / reading the time-stamping authority's reply failed: {e}"))?;
        Ok(body)
    }
}
