#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages.
# Under CI=true a prerequisite that cannot be installed is a failure.
set -euo pipefail
if [ "${CI:-}" = "true" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
  command -v chromium >/dev/null 2>&1 || { echo "chromium is required under CI and could not be installed" >&2; exit 1; }
fi
exit 0
