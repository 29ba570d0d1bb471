//! `siteproof`: the desktop device. A worker's laptop, a script or a test
//! drives the same core the phones use, through these subcommands.

mod args;
mod commands;
mod home;
mod inspect;
mod output;
mod packet_verify;
mod sync_cmd;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    if let Err(e) = commands::run(cli) {
        // One line, so scripts can show it as is.
        eprintln!("siteproof: {e}");
        std::process::exit(exit_code(&e));
    }
}

/// Exit codes scripts can branch on: 2 bad input, 3 integrity failure, 4 network, 1 anything else.
fn exit_code(e: &siteproof_core::Error) -> i32 {
    use siteproof_core::Error::*;
    match e {
        InvalidInput(_) | UnsupportedFormat(_) | CorruptMedia(_) | TooLarge(_) | NotFound(_) => 2,
        Integrity(_) => 3,
        Network(_) | Rejected(_) => 4,
        _ => 1,
    }
}
