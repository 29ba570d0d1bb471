#!/usr/bin/env bash
# The packet's C2PA credentials (tests/tests/packet_c2pa.rs) are read back by
# two implementations independent of the server's c2pa-rs signer:
# c2pa-python from PyPI in a venv under tools/ and @trustnxt/c2pa-ts from npm
# under tests/c2pa. Installs both idempotently, pinned.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
venv=tools/c2pa-python
if ! "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("c2pa-python") == "0.38.1"' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q c2pa-python==0.38.1
fi
cd tests/c2pa
if [ ! -d node_modules/@trustnxt/c2pa-ts ] || ! npm ls --silent >/dev/null 2>&1; then
  # `npm install` (it keeps the lock file's versions), not `npm ci`: npm 11 refuses `ci` here because the lock
  # file lacks cbor-extract's per-platform optional packages, which it never writes (npm/cli#4828).
  npm install --no-audit --no-fund
fi
