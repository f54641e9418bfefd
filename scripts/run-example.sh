#!/usr/bin/env bash
# The main job on the bundled example workspace: installs what is needed, builds, snapshots
# every system of examples/acme and scans it. No network, no credentials.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh"
rollcall="$here/build/scanner/cli/rollcall"
ws="$here/examples/acme"

echo "== rollcall snapshot (examples/acme)"
"$rollcall" --workspace "$ws" snapshot
echo
echo "== rollcall history"
"$rollcall" --workspace "$ws" history --limit 5
