#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Debian's chromium at
# /usr/bin/chromium, which the browser tests (tests/test_browser.py) drive through Playwright.
# Under CI=true a prerequisite that cannot be installed is a failure; outside CI the browser
# tests skip with a clear reason when it is missing.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ "${CI:-}" = "true" ] && [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || echo "apt-get update failed" >&2
    apt-get install -y -qq chromium >/dev/null || echo "apt-get install chromium failed" >&2
  fi
  [ -x "$CHROMIUM" ] || { echo "chromium ($CHROMIUM) is required under CI and could not be installed" >&2; exit 1; }
fi
if [ -x "$CHROMIUM" ]; then
  "$CHROMIUM" --version 2>/dev/null || true
fi
exit 0
