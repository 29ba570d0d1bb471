//! Account passwords, stored as argon2id PHC strings.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

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
        return Err(crate::error::ApiError::invalid(
            "weak_password",
            "密码需 8 个字符以上 / password needs at least 8 characters",
        ));
    }
    Ok(())
}
