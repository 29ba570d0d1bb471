//! The role ladder of accounts, as the rules see it: who goes on site, who
//! runs a community, who runs a street office. Authentication (`crate::auth`)
//! resolves a caller to one of these; the rules only compare them.

use serde::Serialize;

/// Account roles, least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Goes on site; sees their community's orders with contacts masked.
    Worker,
    /// Runs one community's orders and evidence.
    Coordinator,
    /// Runs a street office: every community in it, and accounts.
    Admin,
}

impl Role {
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "worker" => Some(Role::Worker),
            "coordinator" => Some(Role::Coordinator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }
}
