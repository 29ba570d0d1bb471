//! The command line, declared with clap. `inspect --json FILE` and the
//! subcommand names are a fixed interface other tools rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Siteproof desktop device / Siteproof 桌面设备
#[derive(Debug, Parser)]
#[command(name = "siteproof", version, about = "现场取证 / on-site evidence for 12345 work orders")]
pub struct Cli {
    /// Store directory (default: $SITEPROOF_HOME or ~/.siteproof)
    #[arg(long, global = true, env = "SITEPROOF_HOME")]
    pub home: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store and the device key / 初始化设备
    Init,
    /// Work orders / 工单
    #[command(subcommand)]
    Orders(OrdersCmd),
    /// Site visits / 走访
    #[command(subcommand)]
    Visits(VisitsCmd),
    /// Capture a photo or voice note / 采集照片或录音
    #[command(subcommand)]
    Capture(CaptureCmd),
    /// Keep a file received from someone else (not captured by this device) / 收到的材料入证
    Import {
        /// The photo, recording or clip as received
        file: PathBuf,
        /// Where it came from, e.g. "居民微信"
        #[arg(long = "from")]
        from: String,
        /// File under this order
        #[arg(long)]
        order: Option<String>,
    },
    /// Write an on-site text note / 现场文字记录
    Note {
        /// The note text
        text: String,
        #[command(flatten)]
        at: CaptureAt,
    },
    /// File earlier evidence under an order / 将证据归入工单
    Attach {
        /// Item id
        item: String,
        /// Order number
        order: String,
    },
    /// Share copies of a photo: watermarked (with a verification code) or redacted / 分享副本
    #[command(subcommand)]
    Share(crate::share_cmd::ShareCmd),
    /// List evidence items / 证据列表
    Items {
        /// Only items of this order
        #[arg(long)]
        order: Option<String>,
        /// Only items not filed under any order
        #[arg(long)]
        unfiled: bool,
    },
    /// Upload queue status / 上传队列
    Queue {
        /// List every job
        #[arg(long)]
        jobs: bool,
    },
    /// Re-check every signature, link and file of this device; or, given a FILE.zip, verify that dispute packet offline / 校验证据链或争议证据包
    #[command(after_help = VERIFY_EXIT_STATUSES)]
    Verify {
        /// A dispute packet (.zip) to verify instead of the device store
        file: Option<PathBuf>,
        /// The server key fingerprint the street office publishes (console, GET /v1/server-key, the report cover;
        /// spaces or colons allowed, any case): a packet signed by any other key fails with exit 3 / 街道公布的服务器公钥指纹
        #[arg(long, value_name = "FINGERPRINT", requires = "file")]
        server_key: Option<String>,
    },
    /// Read a media file's facts without storing it / 查看文件信息
    Inspect {
        /// The file
        file: PathBuf,
    },
    /// Enroll this device with a case server using a one-time code / 注册到案件服务器
    Enroll {
        /// Server base URL, e.g. http://192.168.1.10:8080
        url: String,
        /// One-time enrollment code from a coordinator
        code: String,
        /// A name for this device as coordinators will see it
        #[arg(long, default_value = "siteproof-cli")]
        name: String,
    },
    /// Send queued evidence and exchange orders; exits 0 once the queue is drained / 同步
    Sync {
        /// Bound the whole run: retry what fails for up to this many seconds, then exit 4 saying what waits
        #[arg(long, default_value_t = 120)]
        wait: u64,
        /// First upload chunk size in KiB (adapts to the link)
        #[arg(long, default_value_t = 256)]
        chunk_kib: u64,
    },
    /// Print the device token, for scripts and tus clients / 输出设备令牌
    Token,
    /// Put jobs stopped by a permanent failure back in the queue / 重试失败任务
    RetryFailed,
    /// Free space taken by originals the server has acknowledged / 清理已确认的原件
    Prune {
        /// Keep originals captured within this many days
        #[arg(long, default_value_t = 30)]
        older_than_days: u32,
    },
}

/// What `siteproof verify` exits with, shown under its help.
const VERIFY_EXIT_STATUSES: &str = "\
退出码 / exit status:
  0  完好（证据包：且由 --server-key 指定的服务器签发）/ intact (a packet: and signed by the --server-key pinned)
  3  有问题，逐个列出文件；或签名密钥不是指定的那把 / a problem, each file named; or signed by another key than the pinned one
  5  证据包完好，但未用 --server-key 指定服务器：签发者未经核对，请核对显示的指纹
     / the packet is intact but no --server-key was given: the signer is unchecked, compare the fingerprint shown
  2  参数有误（如指纹格式不对）/ bad arguments (e.g. a malformed fingerprint)";

#[derive(Debug, Subcommand)]
pub enum OrdersCmd {
    /// Add an order by hand
    Add(OrderAdd),
    /// List orders, nearest deadline first
    List,
    /// Show one order
    Show { number: String },
    /// Change status and tags
    Update(OrderUpdateArgs),
}

#[derive(Debug, Args)]
pub struct OrderAdd {
    /// Order number (工单号)
    #[arg(long)]
    pub number: String,
    /// Kind: 咨询 投诉 求助 举报 建议 (or inquiry, complaint, help, report, suggestion)
    #[arg(long, default_value = "complaint")]
    pub kind: String,
    /// Category, e.g. 噪音
    #[arg(long)]
    pub category: String,
    /// Address
    #[arg(long)]
    pub address: String,
    /// Spot as LAT,LON (WGS-84)
    #[arg(long)]
    pub spot: Option<String>,
    /// What the resident asked for
    #[arg(long, default_value = "")]
    pub content: String,
    /// Dispatch time, RFC 3339
    #[arg(long)]
    pub dispatched: Option<String>,
    /// Deadline, RFC 3339
    #[arg(long)]
    pub deadline: Option<String>,
}

#[derive(Debug, Args)]
pub struct OrderUpdateArgs {
    pub number: String,
    #[arg(long)]
    pub status: Option<String>,
    /// Order type tag: 一般 重点 疑难
    #[arg(long = "type")]
    pub tag_type: Option<String>,
    /// Handling tag: 已解决 未解决 部分解决 已解释
    #[arg(long)]
    pub handling: Option<String>,
    /// Callback tag: 满意 理解 不满意 重办
    #[arg(long)]
    pub callback: Option<String>,
    #[arg(long)]
    pub knowledge: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum VisitsCmd {
    /// Start a visit
    Start {
        /// Order it serves
        #[arg(long)]
        order: Option<String>,
        /// 现场核实 整改 跟进观察 权属取证 (or initial_verification, remediation, follow_up, jurisdiction)
        #[arg(long, default_value = "initial_verification")]
        purpose: String,
        #[command(flatten)]
        fix: FixArgs,
    },
    /// End a visit
    End {
        id: String,
        #[command(flatten)]
        fix: FixArgs,
    },
    /// List visits
    List {
        #[arg(long)]
        order: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CaptureCmd {
    /// Capture a photo file
    Photo {
        file: PathBuf,
        #[command(flatten)]
        at: CaptureAt,
        /// Do not make thumbnails now (the next capture or queue run makes them)
        #[arg(long)]
        no_derivatives: bool,
    },
    /// Capture a voice note (M4A/AAC, Ogg/Opus, WAV)
    Voice {
        file: PathBuf,
        #[command(flatten)]
        at: CaptureAt,
    },
    /// Capture a video clip (MP4, MOV, 3GP) / 采集视频
    Video {
        file: PathBuf,
        #[command(flatten)]
        at: CaptureAt,
        /// A frame of the clip (JPEG/PNG/WebP) to show as its poster; not evidence
        #[arg(long)]
        poster: Option<PathBuf>,
    },
}

/// Where a capture belongs and where it happened.
#[derive(Debug, Args, Clone)]
pub struct CaptureAt {
    /// File under this order
    #[arg(long)]
    pub order: Option<String>,
    /// Part of this visit
    #[arg(long)]
    pub visit: Option<String>,
    #[command(flatten)]
    pub fix: FixArgs,
}

/// A location fix given on the command line.
#[derive(Debug, Args, Clone)]
pub struct FixArgs {
    /// Latitude (WGS-84, south negative)
    #[arg(long, requires = "lon", allow_hyphen_values = true)]
    pub lat: Option<f64>,
    /// Longitude (WGS-84, west negative)
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    pub lon: Option<f64>,
    /// Horizontal accuracy, metres
    #[arg(long, default_value_t = 10.0)]
    pub accuracy: f64,
    /// Altitude, metres
    #[arg(long, allow_hyphen_values = true)]
    pub alt: Option<f64>,
    /// Provider name
    #[arg(long, default_value = "manual")]
    pub provider: String,
    /// The fix came from a mock-location source
    #[arg(long)]
    pub mock: bool,
    /// How old the fix is, seconds
    #[arg(long, default_value_t = 0)]
    pub fix_age_s: i64,
}
