#!/usr/bin/env bash
# Runs every test of Siteproof on a fresh machine. Installs what the tests
# need (Debian packages, npm and PyPI packages) idempotently, then runs the
# whole workspace's tests. Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

need_apt=()
for pkg_cmd in "curl:curl" "sqlite3:sqlite3"; do
  pkg=${pkg_cmd%%:*}; cmd=${pkg_cmd##*:}
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

for hook in scripts/test.d/*.sh; do
  [ -e "$hook" ] || continue
  log "setup: $hook"
  bash "$hook"
done

# One build of everything, with one feature set: the binaries and libraries
# the end-to-end tests run (tests/src/lib.rs, build_workspace), then the tests
# and the benchmarks compiled in the test profile (no second release build;
# `cargo bench` builds release when someone measures).
log "formatting (cargo fmt --check)"
cargo fmt --all --check

# Clippy rides on the build: every workspace crate is compiled by clippy's
# driver with warnings as errors (scripts/lint-rustc.sh), the same lints as
# `cargo clippy --workspace --all-targets -- -D warnings` without a second
# pass over every dependency. Exported, so the test and bench builds below
# find the same artifacts; the fuzz build (nightly, its own workspace) goes
# without it.
export RUSTC_WORKSPACE_WRAPPER="$PWD/scripts/lint-rustc.sh"
log "build and lints (workspace, clippy -D warnings)"
cargo build --workspace --locked --bins --lib --tests --examples 2>&1
export SITEPROOF_WORKSPACE_BUILT=1

log "tests (cargo nextest, workspace)"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast --cargo-quiet 2>&1
else
  echo "cargo-nextest not found: running cargo test instead"
  cargo test --workspace --locked --no-fail-fast 2>&1
fi

log "benchmarks compile (test profile)"
cargo test --workspace --locked --benches --no-run 2>&1 | tail -n 3

# The server's API from outside: schemathesis against a real server process,
# as an office admin and as an enrolled device; any 5xx fails.
log "API fuzzing (schemathesis)"
bash scripts/api-fuzz.sh

# Coverage-guided fuzzing of every parser of hostile input, bounded (fuzz/).
log "coverage-guided fuzzing (cargo fuzz)"
env -u RUSTC_WORKSPACE_WRAPPER bash scripts/fuzz.sh

if ! command -v swift >/dev/null 2>&1; then
  log "NOTE: the Swift binding tests (ios/SiteproofKit/Tests) were NOT run: this machine has no Swift compiler."
  echo "   The Swift bindings were generated and checked against those tests; see README.md, 'Mobile', to run them on a Mac."
fi
