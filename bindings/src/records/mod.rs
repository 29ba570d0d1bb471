//! The core's plain data types, exported as uniffi records. They are
//! "remote" records: the definitions here mirror the core's structs field
//! for field (the compiler refuses any drift), so no conversion code exists
//! to fall out of step, and the core keeps no FFI dependency.

mod evidence;
mod location;
mod orders;
mod queue;
mod share;
