#!/usr/bin/env bash
# Installs everything the tests need (build and test packages), builds, and runs the whole
# test suite with CTest: unit tests, integration tests against in-process fake HTTP servers and
# real PostgreSQL/OpenLDAP servers on 127.0.0.1, and the headless-Chromium report test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" --with-test-deps
cd "$here/build"
ctest --output-on-failure --timeout 900 "$@"
