//! The `siteproof-server` binary: parse flags, then serve or run an admin action.

use clap::Parser;
use siteproof_server::cli::{Cli, Command};
use siteproof_server::config::{Config, FileConfig};

fn main() {
    let cli = Cli::parse();
    let flags = FileConfig {
        data: cli.data.clone(),
        listen: cli.listen,
        log_format: cli.log_format.clone(),
        max_upload_bytes: cli.max_upload_bytes,
        device_staging_bytes: cli.device_staging_bytes,
        device_open_uploads: cli.device_open_uploads,
        device_quota_bytes: cli.device_quota_bytes,
        upload_expiry_hours: cli.upload_expiry_hours,
        device_token_days: cli.device_token_days,
        session_hours: cli.session_hours,
        enroll_code_hours: None,
        bench_sink: cli.bench_sink.then_some(true),
        cjk_font: cli.cjk_font.clone(),
        tsa_url: cli.tsa_url.clone(),
        tsa_chain: cli.tsa_chain.clone(),
        public_url: cli.public_url.clone(),
        trust_proxy: cli.trust_proxy.then_some(true),
        login_attempts_per_account: cli.login_attempts_per_account,
        login_attempts_per_address: cli.login_attempts_per_address,
        idle_timeout_secs: cli.idle_timeout_secs,
        max_connections: cli.max_connections,
        share_page: cli.no_share_page.then_some(false),
    };
    let config = match Config::resolve(flags, cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            std::process::exit(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Admin { json, action } => match siteproof_server::admin::run(&config, action, json) {
            Ok(out) => println!("{out}"),
            Err(e) => {
                eprintln!("错误 / error: {e}");
                std::process::exit(2);
            }
        },
        Command::Serve => {
            init_logs(config.log_json);
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
            if let Err(e) = rt.block_on(siteproof_server::serve::run(config)) {
                eprintln!("错误 / error: {e}");
                std::process::exit(1);
            }
        }
    }
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SITEPROOF_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| "info".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}
