//! Server settings from flags, environment and an optional TOML file, in
//! that order of precedence; anything unset takes the embedded default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Settings a TOML file may carry (every key optional).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Data directory.
    pub data: Option<PathBuf>,
    /// Listen address.
    pub listen: Option<SocketAddr>,
    /// "text" or "json".
    pub log_format: Option<String>,
    /// Largest single upload, bytes.
    pub max_upload_bytes: Option<u64>,
    /// Most bytes one device may have in unfinished uploads.
    pub device_staging_bytes: Option<u64>,
    /// Most unfinished uploads one device may have open at once.
    pub device_open_uploads: Option<u64>,
    /// Most bytes one device may store in total.
    pub device_quota_bytes: Option<u64>,
    /// Hours an idle unfinished upload is kept.
    pub upload_expiry_hours: Option<u64>,
    /// Days a device token lives.
    pub device_token_days: Option<u64>,
    /// Hours a login session lives.
    pub session_hours: Option<u64>,
    /// Hours an enrollment code stays usable.
    pub enroll_code_hours: Option<u64>,
    /// Serve `POST /bench/sink` (benchmarks only).
    pub bench_sink: Option<bool>,
    /// CJK font file for dispute packet reports (TTF/OTF/TTC).
    pub cjk_font: Option<PathBuf>,
    /// RFC 3161 time-stamping authority for dispute packets.
    pub tsa_url: Option<String>,
    /// PEM file with the TSA's certificate chain up to its root.
    pub tsa_chain: Option<PathBuf>,
    /// The address browsers use, e.g. `https://case.example.cn` behind a TLS proxy.
    pub public_url: Option<String>,
    /// Believe X-Forwarded-For and X-Forwarded-Proto (only behind a reverse proxy that sets them).
    pub trust_proxy: Option<bool>,
    /// Login attempts per account per minute.
    pub login_attempts_per_account: Option<u32>,
    /// Login attempts per source address per minute.
    pub login_attempts_per_address: Option<u32>,
    /// Seconds a connection may wait for the whole header of its next request.
    pub idle_timeout_secs: Option<u64>,
    /// Most connections served at once; more wait to be accepted.
    pub max_connections: Option<usize>,
    /// Serve the public share-copy check page `GET /v/{code}` (default true; false: 404).
    pub share_page: Option<bool>,
}

/// Effective settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data directory (database, blobs, staging, server key).
    pub data: PathBuf,
    /// Listen address.
    pub listen: SocketAddr,
    /// Log output format.
    pub log_json: bool,
    /// Largest single upload, bytes.
    pub max_upload_bytes: u64,
    /// Most bytes one device may have in unfinished uploads.
    pub device_staging_bytes: u64,
    /// Most unfinished uploads one device may have open at once.
    pub device_open_uploads: u64,
    /// Most bytes one device may store in total.
    pub device_quota_bytes: u64,
    /// Idle unfinished uploads expire after this many ms.
    pub upload_expiry_ms: i64,
    /// Device token lifetime, ms.
    pub device_token_ms: i64,
    /// Session token lifetime, ms.
    pub session_ms: i64,
    /// Enrollment code lifetime, ms.
    pub enroll_code_ms: i64,
    /// Serve the benchmark sink.
    pub bench_sink: bool,
    /// CJK font file for reports; None means the Debian default paths.
    pub cjk_font: Option<PathBuf>,
    /// The time-stamping authority that stamps packet indexes; None: packets say there is no third-party time.
    pub tsa: Option<TsaConfig>,
    /// Whether browsers reach the server over https (the public URL says so), so cookies are `Secure`.
    pub public_https: bool,
    /// The address browsers and phones use, without a trailing slash (the enrollment QR code carries it).
    pub public_url: Option<String>,
    /// Believe X-Forwarded-For (client address) and X-Forwarded-Proto from the peer.
    pub trust_proxy: bool,
    /// Login attempts per account per minute (also the burst).
    pub login_attempts_per_account: u32,
    /// Login attempts per source address per minute (also the burst).
    pub login_attempts_per_address: u32,
    /// How long a connection may wait for the whole header of its next
    /// request: closes idle keep-alive connections and slow header senders;
    /// never applies while a request body is arriving or being answered.
    pub idle_timeout: Duration,
    /// Most connections served at once.
    pub max_connections: usize,
    /// Serve the public share-copy check page `GET /v/{code}`; off, it answers 404 like an unknown route.
    pub share_page: bool,
}

/// A time-stamping authority and the chain its tokens are checked against.
#[derive(Debug, Clone)]
pub struct TsaConfig {
    /// `http://` or `https://` address taking `application/timestamp-query` POSTs.
    pub url: String,
    /// Its certificate chain up to the root, PEM, as read at start.
    pub chain_pem: Vec<u8>,
}

impl TsaConfig {
    /// Checks the URL and reads the chain, so a wrong setting stops the start rather than a later export.
    fn load(url: Option<String>, chain: Option<PathBuf>) -> Result<Option<TsaConfig>, String> {
        let (url, chain) = match (url, chain) {
            (None, None) => return Ok(None),
            (Some(u), Some(c)) => (u, c),
            _ => {
                return Err("--tsa-url 与 --tsa-chain 须同时设置 / --tsa-url and --tsa-chain must be set together".into());
            }
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("时间戳服务地址须以 http:// 或 https:// 开头 / TSA URL must start with http:// or https://, not {url:?}"));
        }
        let chain_pem = std::fs::read(&chain)
            .map_err(|e| format!("无法读取时间戳服务证书链 {} / cannot read the TSA chain {}: {e}", chain.display(), chain.display()))?;
        siteproof_protocol::packet::timestamp_token::parse_chain_pem(&chain_pem)
            .map_err(|e| format!("时间戳服务证书链无效 {} / the TSA chain {} is invalid: {e}", chain.display(), chain.display()))?;
        Ok(Some(TsaConfig { url, chain_pem }))
    }
}

const HOUR_MS: i64 = 3_600_000;

impl Config {
    /// Merges flag/env values over the file over defaults.
    pub fn resolve(flags: FileConfig, file: Option<&Path>) -> Result<Config, String> {
        let f = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read config {}: {e}", p.display()))?;
                toml::from_str::<FileConfig>(&text).map_err(|e| format!("bad config {}: {e}", p.display()))?
            }
            None => FileConfig::default(),
        };
        macro_rules! pick {
            ($k:ident, $d:expr) => {
                flags.$k.clone().or(f.$k.clone()).unwrap_or($d)
            };
        }
        let data = flags.data.clone().or(f.data.clone()).ok_or("--data DIR is required (或设置 SITEPROOF_DATA)")?;
        let log_format = pick!(log_format, "text".to_string());
        if log_format != "text" && log_format != "json" {
            return Err(format!("log format must be text or json, not {log_format:?}"));
        }
        let public_url = flags.public_url.clone().or(f.public_url.clone()).map(|u| u.trim_end_matches('/').to_string());
        let public_https = match public_url.clone() {
            None => false,
            Some(u) if u.starts_with("https://") => true,
            Some(u) if u.starts_with("http://") => false,
            Some(u) => {
                return Err(format!("公开地址须以 http:// 或 https:// 开头 / public URL must start with http:// or https://, not {u:?}"))
            }
        };
        let login_attempts_per_account = pick!(login_attempts_per_account, 10);
        let login_attempts_per_address = pick!(login_attempts_per_address, 30);
        if login_attempts_per_account == 0 || login_attempts_per_address == 0 {
            return Err("登录尝试次数上限须大于 0 / login attempt limits must be above 0".into());
        }
        let idle_timeout_secs = pick!(idle_timeout_secs, 30);
        let max_connections = pick!(max_connections, 512);
        if idle_timeout_secs == 0 || max_connections == 0 {
            return Err("空闲超时和连接上限须大于 0 / idle timeout and connection cap must be above 0".into());
        }
        Ok(Config {
            data,
            listen: pick!(listen, "127.0.0.1:8080".parse().expect("valid default")),
            log_json: log_format == "json",
            max_upload_bytes: pick!(max_upload_bytes, 4 << 30),
            device_staging_bytes: pick!(device_staging_bytes, 8 << 30),
            device_open_uploads: pick!(device_open_uploads, 32),
            device_quota_bytes: pick!(device_quota_bytes, 200 << 30),
            upload_expiry_ms: pick!(upload_expiry_hours, 24) as i64 * HOUR_MS,
            device_token_ms: pick!(device_token_days, 365) as i64 * 24 * HOUR_MS,
            session_ms: pick!(session_hours, 12) as i64 * HOUR_MS,
            enroll_code_ms: pick!(enroll_code_hours, 72) as i64 * HOUR_MS,
            bench_sink: pick!(bench_sink, false),
            cjk_font: flags.cjk_font.clone().or(f.cjk_font.clone()),
            tsa: TsaConfig::load(flags.tsa_url.clone().or(f.tsa_url.clone()), flags.tsa_chain.clone().or(f.tsa_chain.clone()))?,
            public_https,
            public_url,
            trust_proxy: pick!(trust_proxy, false),
            login_attempts_per_account,
            login_attempts_per_address,
            idle_timeout: Duration::from_secs(idle_timeout_secs),
            max_connections,
            share_page: pick!(share_page, true),
        })
    }
}
