//! `siteproof`: the desktop device. A worker's laptop, a script or a test
//! drives the same core the phones use, through these subcommands.

mod args;
mod commands;
mod home;
mod inspect;
mod output;
mod packet_verify;
mod share_cmd;
mod sync_cmd;

use clap::Parser;

fn main() {
    end_quietly_on_closed_pipe();
    let cli = args::Cli::parse();
    let outcome = match &cli.command {
        // A packet verifies with nothing but itself: no device home is opened.
        args::Command::Verify { file: Some(file), server_key } => {
            packet_verify::run(file, server_key.as_deref(), cli.json).map(packet_verify::Signer::exit_code)
        }
        _ => commands::run(cli).map(|()| 0),
    };
    match outcome {
        Ok(0) => {}
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line, so scripts can show it as is.
            eprintln!("siteproof: {e}");
            std::process::exit(exit_code(&e));
        }
    }
}

/// `siteproof verify X.zip | head -1`: when the reader goes away, end the way
/// command-line tools do (killed by SIGPIPE, which the shell reports as 141 and
/// `head` expects), not with a panic in `println!`. The Rust runtime ignores
/// SIGPIPE, so every write into the closed pipe would fail with EPIPE and
/// `println!` panics on it; restoring the default action lets the kernel end
/// the process at that write. Sockets are unaffected: the standard library
/// sends with MSG_NOSIGNAL (SO_NOSIGPIPE on Apple), so a server hanging up on
/// `sync` is still an error the queue handles.
#[cfg(unix)]
fn end_quietly_on_closed_pipe() {
    // SAFETY: the first statement of main, before any thread or handler exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn end_quietly_on_closed_pipe() {}

/// Exit codes scripts can branch on: 2 bad input, 3 integrity failure, 4 network, 1 anything else
/// (and 5 from `verify FILE.zip`: intact but the signer not pinned, see `packet_verify`).
fn exit_code(e: &siteproof_core::Error) -> i32 {
    use siteproof_core::Error::*;
    match e {
        InvalidInput(_) | UnsupportedFormat(_) | CorruptMedia(_) | TooLarge(_) | NotFound(_) => 2,
        Integrity(_) => 3,
        Network(_) | Rejected(_) => 4,
        _ => 1,
    }
}
