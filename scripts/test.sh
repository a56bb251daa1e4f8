#!/usr/bin/env bash
# `npm test`: the whole suite. Type check, then vitest (unit: protocol, store on SQLite and PostgreSQL, server,
# geodata; browser: playwright-core driving Debian Chromium against real servers).
set -uo pipefail
cd "$(dirname "$0")/.."

# Browser tests need Debian's Chromium and a CJK font. Install them where we can (root with apt), else say how.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null || {
      echo "could not install ${missing[*]}; run: sudo apt-get install -y chromium fonts-wqy-microhei" >&2; exit 1; }
  else
    echo "The browser tests need Chromium and a CJK font. Run: sudo apt-get install -y chromium fonts-wqy-microhei" >&2
    exit 1
  fi
fi

# PostgreSQL and Redis back the distributed-mode tests; start them when they are installed but stopped.
bash scripts/services.sh || exit 1

echo "== type check"
npx tsc -p tsconfig.json --noEmit || { echo "0 passed, 1 failed"; exit 1; }

echo "== vitest"
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node scripts/test-summary.mjs test-results/vitest.json || true
exit $status
