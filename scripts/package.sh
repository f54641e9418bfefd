#!/usr/bin/env bash
# Builds the Debian package of rollcall: build/packages/rollcall_<version>_<arch>.deb.
# Install it on Debian 12 with `apt-get install ./build/packages/rollcall_*.deb`
# (docs/operations.md). Only the rollcall binary and its man page are built, no tests.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh"
cmake --build "$here/build" -j"$(nproc)" --target rollcall rollcall_manpage
(cd "$here/build" && cpack -G DEB -B "$here/build/packages" >/dev/null)
ls "$here"/build/packages/rollcall_*.deb
