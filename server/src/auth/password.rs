//! Account passwords, stored as argon2id PHC strings. An argon2 hash takes
//! tens of milliseconds of CPU and 19 MiB, on purpose; the server computes
//! them on blocking threads, never on the async workers or while holding a
//! database connection, and only a few at a time, so a flood of logins waits
//! its turn instead of starving everything else.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};
use siteproof_protocol::wire::error_code::ErrorCode;

/// Hashes that may run at once: half the cores (at least one), so the rest keep serving.
fn hashing_slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS.get_or_init(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get().div_ceil(2))))).clone()
}

/// Runs one argon2 computation on a blocking thread, within the bound. The
/// slot travels with the computation, so a caller that goes away does not
/// free it before the CPU does.
async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let slot = hashing_slots().acquire_owned().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        let out = f();
        drop(slot);
        out
    })
    .await
    .map_err(ApiError::internal)
}

/// Checks a password against an account's stored hash; `None` (no such
/// account, or no password) costs the same time and never matches.
pub async fn check(password: String, stored: Option<String>) -> ApiResult<bool> {
    off_runtime(move || match stored {
        Some(h) => verify(&password, &h),
        None => {
            verify_dummy(&password);
            false
        }
    })
    .await
}

/// A password that passed the strength rule, hashed for storage.
#[derive(Debug, Clone)]
pub struct StoredPassword(String);

impl StoredPassword {
    /// Checks strength and hashes (blocking: for the admin command).
    pub fn new(password: &str) -> ApiResult<StoredPassword> {
        check_strength(password)?;
        hash(password).map(StoredPassword).map_err(ApiError::internal)
    }

    /// Checks strength and hashes off the async workers (for request handlers).
    pub async fn new_off_runtime(password: String) -> ApiResult<StoredPassword> {
        check_strength(&password)?;
        off_runtime(move || hash(&password)).await?.map(StoredPassword).map_err(ApiError::internal)
    }

    /// The PHC string to store.
    pub fn phc(&self) -> &str {
        &self.0
    }
}

/// Hashes a password for storage.
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Checks a password of a user that does not exist, so timing does not tell who has an account.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, h);
}

/// Rejects passwords too weak to protect evidence.
pub fn check_strength(password: &str) -> Result<(), crate::error::ApiError> {
    if password.chars().count() < 8 || password.len() > 1024 {
        return Err(crate::error::ApiError::invalid(ErrorCode::WeakPassword, "密码需 8 个字符以上 / password needs at least 8 characters"));
    }
    Ok(())
}
