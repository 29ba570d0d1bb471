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

log "cargo test (workspace)"
cargo test --workspace --locked --no-fail-fast 2>&1

log "benchmarks compile"
cargo bench --workspace --locked --no-run 2>&1 | tail -n 3

if ! command -v swift >/dev/null 2>&1; then
  log "NOTE: the Swift binding tests (ios/SiteproofKit/Tests) were NOT run: this machine has no Swift compiler."
  echo "   The Swift bindings were generated and checked against those tests; see README.md, 'Mobile', to run them on a Mac."
fi
