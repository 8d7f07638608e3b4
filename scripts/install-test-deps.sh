#!/usr/bin/env bash
# What the tests need beyond Python packages: Debian's Chromium (browser tests),
# Debian's faketime (the suite's second run with the clock a year ahead) and
# axe-core from the npm registry. Idempotent; quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian's ${missing[*]} for the tests" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null 2>&1; then
    npm ci --silent --no-audit --no-fund >/dev/null
  else
    echo "npm is missing: the accessibility check needs axe-core from the npm registry" >&2
    exit 1
  fi
fi
