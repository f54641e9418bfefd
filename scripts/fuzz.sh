#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with clang, libFuzzer, ASan and UBSan (in build-fuzz/)
# and runs each for a while. The seed corpus in tests/fuzz/corpus/<target> is read, never
# written: new inputs go to build-fuzz/corpus/<target>, crashes to build-fuzz/crashes/<target>.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
#   TARGET: roster_csv roster_json export_json export_csv config plan scim github slack okta entra jira aws_iam
# Needs the Debian packages clang-14 and libclang-rt-14-dev. Exit status 1 when a target crashed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(roster_csv roster_json export_json export_csv config plan scim github slack okta entra jira aws_iam)

cxx=$(command -v clang++-14 || command -v clang++ || true)
if [[ -z "$cxx" ]]; then
  echo "fuzz: clang++ not found; apt-get install -y clang-14 libclang-rt-14-dev" >&2
  exit 2
fi
build="$here/build-fuzz"
cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DROLLCALL_FUZZ=ON -DROLLCALL_TESTS=OFF ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  echo "fuzz: $t for ${seconds}s" >&2
  if ! (cd "$build/crashes/$t" && "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "$build/corpus/$t" "$here/tests/fuzz/corpus/$t" \
        2>"$build/fuzz_$t.log"); then
    status=1
    echo "fuzz: $t found a crash; see $build/fuzz_$t.log and $build/crashes/$t/" >&2
  fi
  grep -E "^stat::number_of_executed_units|^#[0-9]+ +DONE" "$build/fuzz_$t.log" | tail -n 2 >&2 || true
done
exit $status
