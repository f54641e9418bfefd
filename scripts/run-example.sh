#!/usr/bin/env bash
# The main job on the bundled example workspace: installs what is needed, builds, snapshots
# every system of examples/acme and scans it against the roster and policies.
# No network, no credentials. Safe to run again: unchanged systems are recorded as such.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh"
rollcall="$here/build/scanner/cli/rollcall"
ws="$here/examples/acme"

echo "== rollcall snapshot"
"$rollcall" --workspace "$ws" snapshot
echo
echo "== rollcall scan"
# Exit 2 means the scan found open findings at or above its fail_on severity (high): the
# example plants such drift on purpose, so that is the expected outcome here.
code=0
"$rollcall" --workspace "$ws" scan --format json,html,csv --out "$ws/reports" || code=$?
if ((code != 0 && code != 2)); then exit "$code"; fi
echo
echo "Open the audit report in a browser: $ws/reports/report.html"
echo "Machine-readable: $ws/reports/report.json and report.csv; the store: $ws/rollcall.db"
