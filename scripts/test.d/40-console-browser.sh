#!/usr/bin/env bash
# The console's browser test (tests/tests/console_e2e.rs) drives Debian's
# chromium with playwright-core from npm (never `npx playwright install`,
# which downloads browsers). Installs both idempotently.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
cd tests/console
if [ ! -d node_modules/playwright-core ] || ! npm ls --silent >/dev/null 2>&1; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
