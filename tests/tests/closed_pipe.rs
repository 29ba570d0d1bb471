//! `siteproof ... | head -1`: a reader that stops early closes the pipe
//! under the CLI's output. Like any command-line tool, the CLI must then end
//! quietly, not panic with "failed printing to stdout: Broken pipe" in the
//! middle of a reviewer's script.

use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

use siteproof_tests::{cli, cli_json};

/// A pipe whose reading end is already closed: the first write into it fails.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a two-element array, as pipe(2) requires.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2) failed");
    // SAFETY: both descriptors were just created by pipe(2) and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

/// Runs `c` with its stdout into a closed pipe; returns how it ended and its stderr.
fn run_into_closed_pipe(mut c: Command) -> (std::process::ExitStatus, String) {
    let out = c.stdout(closed_pipe()).stderr(Stdio::piped()).output().expect("run siteproof");
    (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Ended quietly: by SIGPIPE (what `head` expects of a writer) or with status 0, and no panic text.
fn assert_quiet_end(what: &str, status: std::process::ExitStatus, stderr: &str) {
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{what}: panic on a closed pipe: {stderr}");
    let by_sigpipe = status.signal() == Some(libc::SIGPIPE);
    assert!(by_sigpipe || status.code() == Some(0), "{what}: ended with {status:?}: {stderr}");
}

fn home_with_notes(n: usize) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    for i in 0..n {
        cli_json(home.path(), &["note", &format!("第 {i} 条记录 / note {i}")]);
    }
    home
}

fn args(home: &Path, args: &[&str]) -> Command {
    let mut c = cli(home);
    c.args(args);
    c
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let home = home_with_notes(2);
    for a in [&["verify"][..], &["--json", "verify"], &["items"], &["queue"]] {
        let (status, stderr) = run_into_closed_pipe(args(home.path(), a));
        assert_quiet_end(&format!("siteproof {a:?}"), status, &stderr);
    }
}
