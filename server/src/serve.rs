//! Starting the server on the embedded default (SQLite and a blob folder in
//! DIR, owner-only), announcing the bound address, sweeping expired uploads
//! and recovered login limits, and shutting down gracefully: on SIGTERM or
//! Ctrl-C, in-flight requests finish first.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use siteproof_fs as private_fs;

use crate::app;
use crate::auth::throttle::{AddressThrottle, LoginThrottle};
use crate::config::Config;
use crate::connections::{self, Limits};
use crate::console::share_check::LOOKUPS_PER_MINUTE as SHARE_PAGE_LOOKUPS_PER_MINUTE;
use crate::db::Db;
use crate::state::AppState;
use crate::storage::FsStorage;
use crate::{api, server_key};

/// Builds the state for a data directory, creating it on first start.
pub fn state(config: Config) -> Result<AppState, String> {
    private_fs::create_dir_all(&config.data).map_err(|e| format!("cannot create {}: {e}", config.data.display()))?;
    let db = Db::open(&config.data.join("siteproof.db"), 6).map_err(|e| format!("cannot open database: {e}"))?;
    let storage = FsStorage::new(&config.data).map_err(|e| format!("cannot create blob folders: {e}"))?;
    let key = server_key::load_or_create(&config.data).map_err(|e| format!("server key: {e}"))?;
    let key_hex = server_key::public_hex(&key);
    let login_throttle = Arc::new(LoginThrottle::new(config.login_attempts_per_account, config.login_attempts_per_address));
    Ok(AppState {
        config: Arc::new(config),
        db,
        storage: Arc::new(storage),
        key: Arc::new(key),
        key_hex: Arc::new(key_hex),
        upload_locks: Arc::new(Mutex::new(Default::default())),
        hashers: Arc::new(Mutex::new(Default::default())),
        login_throttle,
        share_page_throttle: Arc::new(AddressThrottle::new(SHARE_PAGE_LOOKUPS_PER_MINUTE)),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// Serves until a shutdown signal.
pub async fn run(config: Config) -> Result<(), String> {
    let st = state(config)?;
    let max_connections = crate::fd_limit::fit_connections(st.config.max_connections);
    let limits = Limits { idle_timeout: st.config.idle_timeout, max_connections };
    let listener =
        tokio::net::TcpListener::bind(st.config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", st.config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, data = %st.config.data.display(), server_key = %st.key_hex, "siteproof-server started");
    // Tests and scripts read this line to find the port.
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    let sweeper = {
        let st = st.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                st.login_throttle.forget_recovered();
                st.share_page_throttle.forget_recovered();
                match api::tus::sweep::sweep(&st).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired = n, "expired unfinished uploads"),
                    Err(e) => tracing::warn!(error = %e, "upload sweep failed"),
                }
            }
        })
    };
    let app = app::app(st);
    connections::serve(listener, app, limits, shutdown_signal()).await;
    sweeper.abort();
    tracing::info!("stopped");
    Ok(())
}
