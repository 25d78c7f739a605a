#!/usr/bin/env bash
# Installs what promlet needs to build and test on Debian 12, and the
# reference peers the tests start. Idempotent and quiet: installs only what
# is missing. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git python3 curl
  clang-14 libclang-rt-14-dev llvm-14
  libabsl-dev liblz4-dev libcpp-httplib-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libre2-dev libyaml-cpp-dev
  libc-ares-dev libcli11-dev libcrypt-dev openssl
  prometheus victoria-metrics prometheus-node-exporter dnsmasq
  chromium
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package services (prometheus, node-exporter, dnsmasq) must not start on
  # their default ports: tests start their own instances on free ports.
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $SUDO apt-get update -qq >/dev/null || true
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$policy_added" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi
echo "setup: Debian packages present"

# The web UI's chart library (uPlot) comes from the npm registry and is
# embedded into the binary by the build.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing nodejs npm"
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -f "$ROOT/tools/web/node_modules/uplot/dist/uPlot.iife.min.js" ]; then
  echo "setup: npm ci in tools/web"
  (cd "$ROOT/tools/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "setup: web UI dependencies present"
