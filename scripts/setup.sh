#!/usr/bin/env bash
# Installs the Debian packages rollcall needs (only those missing) and builds it: only the
# rollcall binary by default (what the Quickstart needs), everything (tests, benchmarks, the man
# page) with --with-test-deps. Idempotent: a second run installs nothing and rebuilds only what
# changed.
# Usage: scripts/setup.sh [--with-test-deps]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_pkgs=(cmake g++ make pkg-config liblua5.4-dev libcli11-dev nlohmann-json3-dev
  libcurl4-openssl-dev libsqlite3-dev catch2 libpq-dev libldap-dev libssl-dev
  libcpp-httplib-dev libtomlplusplus-dev libpugixml-dev ca-certificates help2man)
test_pkgs=(postgresql slapd ldap-utils openssl chromium poppler-utils sqlite3 wrk python3-jsonschema git)

pkgs=("${build_pkgs[@]}")
[[ "${1:-}" == "--with-test-deps" ]] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # slapd's postinst would otherwise configure and start a system directory we never use.
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_type=${BUILD_TYPE:-Release}
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
if [[ "${1:-}" == "--with-test-deps" ]]; then
  cmake --build "$here/build" -j"$(nproc)"
else
  cmake --build "$here/build" -j"$(nproc)" --target rollcall
fi
