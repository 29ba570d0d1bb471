//! Who is calling: bearer tokens resolved to a principal with a role and the
//! communities it may see. Handlers ask for the least privilege they need;
//! tenancy checks compare a resource's community with `communities`.

pub mod client_addr;
pub mod password;
pub mod principal;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use principal::{require_device, require_session, DevicePrincipal, Principal, Role};
