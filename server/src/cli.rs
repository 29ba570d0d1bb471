//! Command line: `siteproof-server --data DIR [--listen ADDR]` serves;
//! `siteproof-server --data DIR admin ...` bootstraps offices, communities,
//! accounts and enrollment codes without a browser.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Siteproof case server (社区案件服务器).
#[derive(Debug, Parser)]
#[command(name = "siteproof-server", version, about = "Siteproof 案件服务器 / Siteproof case server")]
pub struct Cli {
    /// Data directory: SQLite database, blobs, staging, server key (created on first start).
    #[arg(long, env = "SITEPROOF_DATA", global = true)]
    pub data: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SITEPROOF_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Optional TOML config file (flags and environment win over it).
    #[arg(long, env = "SITEPROOF_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, env = "SITEPROOF_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Largest single upload in bytes.
    #[arg(long, env = "SITEPROOF_MAX_UPLOAD_BYTES")]
    pub max_upload_bytes: Option<u64>,
    /// Most bytes one device may have in unfinished uploads.
    #[arg(long, env = "SITEPROOF_DEVICE_STAGING_BYTES")]
    pub device_staging_bytes: Option<u64>,
    /// Most unfinished uploads one device may have open at once (default 32).
    #[arg(long, env = "SITEPROOF_DEVICE_OPEN_UPLOADS")]
    pub device_open_uploads: Option<u64>,
    /// Most bytes one device may store.
    #[arg(long, env = "SITEPROOF_DEVICE_QUOTA_BYTES")]
    pub device_quota_bytes: Option<u64>,
    /// Hours an idle unfinished upload is kept.
    #[arg(long, env = "SITEPROOF_UPLOAD_EXPIRY_HOURS")]
    pub upload_expiry_hours: Option<u64>,
    /// Days a device token lives.
    #[arg(long, env = "SITEPROOF_DEVICE_TOKEN_DAYS")]
    pub device_token_days: Option<u64>,
    /// Hours a login session lives.
    #[arg(long, env = "SITEPROOF_SESSION_HOURS")]
    pub session_hours: Option<u64>,
    /// CJK font file for dispute packet reports (default: Debian's fonts-wqy-microhei or fonts-noto-cjk).
    #[arg(long, env = "SITEPROOF_CJK_FONT")]
    pub cjk_font: Option<PathBuf>,
    /// RFC 3161 time-stamping authority (可信时间戳服务) that stamps each dispute packet's index, e.g. a national TSA.
    #[arg(long, env = "SITEPROOF_TSA_URL")]
    pub tsa_url: Option<String>,
    /// The TSA's certificate chain up to its root (PEM), copied into each packet so `verify` checks tokens offline.
    #[arg(long, env = "SITEPROOF_TSA_CHAIN")]
    pub tsa_chain: Option<PathBuf>,
    /// The address browsers use (e.g. https://case.example.cn behind a TLS proxy); https makes the console cookie Secure.
    #[arg(long, env = "SITEPROOF_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Behind a reverse proxy: take the client address from X-Forwarded-For and the scheme from X-Forwarded-Proto.
    #[arg(long, env = "SITEPROOF_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Login attempts allowed per account per minute (default 10).
    #[arg(long, env = "SITEPROOF_LOGIN_ATTEMPTS_PER_ACCOUNT")]
    pub login_attempts_per_account: Option<u32>,
    /// Login attempts allowed per source address per minute (default 30).
    #[arg(long, env = "SITEPROOF_LOGIN_ATTEMPTS_PER_ADDRESS")]
    pub login_attempts_per_address: Option<u32>,
    /// Seconds a connection may wait for its next request's header (default 30); request bodies are never cut.
    #[arg(long, env = "SITEPROOF_IDLE_TIMEOUT_SECS")]
    pub idle_timeout_secs: Option<u64>,
    /// Most connections served at once (default 512); further ones wait to be accepted.
    #[arg(long, env = "SITEPROOF_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Switch off the public page where recipients check a watermarked share copy's code (`/v/{code}` answers 404).
    #[arg(long, env = "SITEPROOF_NO_SHARE_PAGE")]
    pub no_share_page: bool,
    /// Serve POST /bench/sink (benchmarks only; never in production).
    #[arg(long)]
    pub bench_sink: bool,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Bootstrap and maintenance without a browser.
    Admin {
        /// Print JSON instead of plain text.
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: AdminAction,
    },
}

/// Admin actions.
#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create a street office (街道).
    CreateOffice {
        /// Office name.
        name: String,
    },
    /// Create a community (社区) under an office.
    CreateCommunity {
        /// Office name.
        office: String,
        /// Community name.
        name: String,
    },
    /// Create an account.
    CreateUser {
        /// Login name.
        username: String,
        /// admin, coordinator or worker.
        #[arg(long)]
        role: String,
        /// Community (NAME or OFFICE/NAME); required for coordinators and workers.
        #[arg(long)]
        community: Option<String>,
        /// Office (for admins without a community).
        #[arg(long)]
        office: Option<String>,
        /// Password (else SITEPROOF_PASSWORD, else first line of stdin; a worker with none is device-only).
        #[arg(long)]
        password: Option<String>,
        /// Account without a password (a worker who only uses a device).
        #[arg(long)]
        no_password: bool,
        /// The person's real name (真实姓名), printed in dispute documents as "王小明（wang）".
        #[arg(long)]
        real_name: Option<String>,
    },
    /// Set (or, with an empty name, clear) the real name (真实姓名) of an account.
    SetRealName {
        /// Login name.
        username: String,
        /// The real name.
        real_name: String,
    },
    /// Create a one-time device enrollment code for a worker (prints the code).
    EnrollCode {
        /// Worker's username.
        #[arg(long)]
        worker: String,
        /// Hours the code stays valid.
        #[arg(long, default_value_t = 72)]
        hours: u64,
    },
    /// Revoke a device and its tokens.
    RevokeDevice {
        /// Device id.
        device_id: String,
    },
    /// Export a work order's dispute packet (争议证据包) as a ZIP.
    ExportOrder {
        /// Work order number.
        number: String,
        /// Street office of the order; needed when several offices use the number.
        #[arg(long)]
        office: Option<String>,
        /// Where to write the packet (.zip); written whole or not at all.
        #[arg(long)]
        out: PathBuf,
        /// Only these items (repeatable); default: every item of the order.
        #[arg(long = "item")]
        items: Vec<String>,
    },
    /// Export one dispute packet holding several work orders of one community (at most 50).
    ExportBatch {
        /// Work order numbers, in the order their sections appear.
        #[arg(required = true)]
        numbers: Vec<String>,
        /// Street office of the orders; needed when several offices use a number.
        #[arg(long)]
        office: Option<String>,
        /// Where to write the packet (.zip); written whole or not at all.
        #[arg(long)]
        out: PathBuf,
    },
    /// Export the originals of several work orders as a plain ZIP with a CSV list (not a dispute packet).
    ExportOriginals {
        /// Work order numbers.
        #[arg(required = true)]
        numbers: Vec<String>,
        /// Street office of the orders; needed when several offices use a number.
        #[arg(long)]
        office: Option<String>,
        /// Where to write the ZIP; written whole or not at all.
        #[arg(long)]
        out: PathBuf,
    },
}
