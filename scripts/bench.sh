#!/usr/bin/env bash
# Builds optimised (Release, into build-release/) and runs the benchmarks; prints their tables.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build-release -j"$(nproc)" --target bench_import bench_check_import bench_sync bench_report >/dev/null
echo "== CSV import (issue 3)"
build-release/bench/bench_import "${IMPORT_TRAINEES:-10000}" "${RUNS:-5}"
echo "== CSV import of checks (issue 16)"
build-release/bench/bench_check_import "${CHECK_LINES:-10000}" "${RUNS:-5}"
echo "== B1/B2 catch-up (issue 4)"
build-release/bench/bench_sync "${SYNC_TRAINEES:-100000}" "${RUNS:-3}"
echo "== readiness report at the hub (issue 7)"
build-release/bench/bench_report "${REPORT_TRAINEES:-200000}" "${RUNS:-5}"
