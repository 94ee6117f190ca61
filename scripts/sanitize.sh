#!/usr/bin/env bash
# Runs the tests under the sanitizers, as CI does after the plain run:
#   asan  every unit and integration test (not the long or packaging labels) with
#         AddressSanitizer + UndefinedBehaviorSanitizer, built in ./build-asan
#   tsan  the hub's concurrent paths (the network, HTTP and daemon tests, the sync state machines,
#         the WAL checkpointer and syncer, the hub's store worker)
#         with ThreadSanitizer, built in ./build-tsan
# and under each, SANITIZE_CHAOS_SEEDS (3) seeds of the chaos harness, whose daemons are
# sanitized too.
# Usage: scripts/sanitize.sh [asan|tsan|all] [extra ctest args]
#
# Reports of child processes (the hub and agent daemons write stderr to log files no test reads)
# go to a report directory through log_path; the run fails when it is not empty, so a report in
# a daemon cannot hide behind a passing test. See fuzz/README.md for what these runs taught.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
shift || true
case $which in asan | tsan | all) ;; *)
  echo "usage: scripts/sanitize.sh [asan|tsan|all] [ctest args]" >&2
  exit 2
  ;;
esac
scripts/deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=2G
reports=$(mktemp -d /tmp/epsync-sanitizers.XXXXXX)
chaos_seeds=${SANITIZE_CHAOS_SEEDS:-3}  # chaos seeds under each sanitizer
jobs=$(nproc)

configure_and_build() {  # DIR OPTION TARGETS...
  local dir=$1 option=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -D"$option"=ON \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
  cmake --build "$dir" -j"$jobs" ${1:+--target "$@"}
}

check_reports() {  # NAME
  if compgen -G "$reports/*" >/dev/null; then
    echo "== $1: sanitizer reports (from child processes too):" >&2
    for f in "$reports"/*; do
      echo "--- $f" >&2
      head -60 "$f" >&2
    done
    exit 1
  fi
  echo "== $1: no sanitizer reports"
}

if [[ $which == asan || $which == all ]]; then
  start=$SECONDS
  configure_and_build build-asan EPSYNC_ASAN
  common=halt_on_error=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=$reports/asan
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan
  # The long runs stay out; packaging checks the real system-call filter, which sanitizer
  # runtimes do not fit (and LeakSanitizer cannot run under strace).
  # The chaos run goes on its own below with fewer seeds: a seed takes about 6 times as long
  # under ASan as without it.
  ASAN_OPTIONS=detect_leaks=1:$common \
    ctest --test-dir build-asan -j"$jobs" --output-on-failure --label-exclude 'long|packaging|chaos' "$@"
  ASAN_OPTIONS=detect_leaks=1:$common build-asan/tests/chaos_test --seeds "$chaos_seeds" --first 1
  unset UBSAN_OPTIONS
  check_reports "ASan+UBSan ($((SECONDS - start)) s)"
fi

if [[ $which == tsan || $which == all ]]; then
  start=$SECONDS
  configure_and_build build-tsan EPSYNC_TSAN epsync net_tests http_tests sync_tests hub_tests storage_tests chaos_test
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan
  ctest --test-dir build-tsan -j"$jobs" --output-on-failure --label-exclude 'long' \
    -R '^(net|http|trust|sync|codec|frames|report|restore|review|agent daemon|checkpointer|hub pull|wal sync|store worker)' -E '^http_browser$' "$@"
  build-tsan/tests/chaos_test --seeds "$chaos_seeds" --first 1
  unset TSAN_OPTIONS
  check_reports "TSan ($((SECONDS - start)) s)"
fi
rm -rf "$reports"
