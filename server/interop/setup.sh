#!/usr/bin/env bash
# Installs the tus clients the interop test drives: tus-js-client from npm
# (into node_modules, pinned by package-lock.json) and tuspy from PyPI (into
# the .venv virtualenv, pinned by requirements.txt). Idempotent and quiet.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/tus-js-client/package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! .venv/bin/python -c "import tusclient" 2>/dev/null; then
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
fi
