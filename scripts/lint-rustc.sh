#!/usr/bin/env bash
# The compiler for the workspace's own crates in the test command: clippy's
# driver, which compiles exactly as rustc does and runs every lint on the
# way, with warnings as errors. Set as RUSTC_WORKSPACE_WRAPPER (cargo calls
# it as `lint-rustc.sh <rustc> <args...>`; dependencies still go straight to
# rustc), so lints ride on the one build the tests use instead of a second
# `cargo clippy` pass over every dependency. Same lints as
# `cargo clippy --workspace --all-targets -- -D warnings`.
exec clippy-driver "$@" -D warnings
