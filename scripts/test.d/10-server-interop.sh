#!/usr/bin/env bash
# The server's interop test drives real tus clients: tus-js-client under
# Node and tuspy under Python. Install the runtimes if missing, then the
# pinned client packages (server/interop/setup.sh is idempotent).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash server/interop/setup.sh
