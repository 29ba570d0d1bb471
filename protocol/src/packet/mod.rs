//! Dispute packets (争议证据包): one ZIP a coordinator hands to the city to
//! dispute a reopened (重办) or returned (退单) order. It carries the report,
//! the originals, the signed manifests and receipts, the keys and a signed
//! index, and verifies offline with nothing but itself. The server writes
//! packets with [`PacketWriter`]; the CLI and anyone else check them with
//! [`verify_packet_from`]: one implementation of the format.

pub mod checksums;
pub mod fingerprint;
pub mod guide;
pub mod index;
pub mod layout;
mod members;
pub mod server_pem;
pub mod time_statements;
pub mod timestamp;
pub mod timestamp_check;
pub mod timestamp_token;
pub mod verify;
pub mod writer;
pub mod zip_layout;

pub use fingerprint::{key_fingerprint, KeyFingerprint};
pub use index::{IndexedFile, PacketIndex, SignedIndex};
pub use layout::{PacketPath, PACKET_FORMAT};
pub use time_statements::{AnchoredTimeCheck, AnchoredTimeOutcome};
pub use timestamp::ThirdPartyTime;
pub use timestamp_check::ThirdPartyTimeCheck;
pub use verify::{check_pinned_key, verify_packet_from, PacketProblem, PacketReport, ProblemKind};
pub use writer::{PacketHeader, PacketWriter, TimeStampAuthority};
