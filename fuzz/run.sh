#!/usr/bin/env bash
# Builds the libFuzzer targets if needed (clang++-14, ./build-fuzz) and runs them.
#
#   fuzz/run.sh TARGET SECONDS      TARGET: frame | codec | csv | config
#   fuzz/run.sh all SECONDS         every target for SECONDS each, FUZZ_PARALLEL (2) at a time
#
# Prints, per target, the executions, the speed, the corpus and every crash file. New corpus
# entries go to build-fuzz/fuzz-work/corpus/TARGET (fuzz/corpus/TARGET, the seeds, is only read);
# crashes to build-fuzz/fuzz-work/artifacts/TARGET/. Exit status: 0 without crashes, 1 with.
#
# Environment:
#   FUZZ_BUILD_DIR   build directory (build-fuzz)
#   FUZZ_PARALLEL    targets at once for `all` (2)
#   FUZZ_KEEP_GOING  1: after a crash, start libFuzzer again until SECONDS are used up (at most 50
#                    runs), so that a known crash does not end the session; every crash is kept
#   FUZZ_ARGS        more libFuzzer flags, e.g. "-max_len=65536 -seed=1"
# A crash replays with: build-fuzz/fuzz/fuzz_TARGET CRASH_FILE ; once understood, copy it to
# fuzz/regressions/TARGET/ so that fuzz_regressions (ctest -L fuzz) keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGETS=(frame codec csv config)

usage() {
  echo "usage: fuzz/run.sh {$(IFS='|'; echo "${TARGETS[*]}")|all} SECONDS" >&2
  exit 2
}
[[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || usage
if [[ $1 == all ]]; then
  selected=("${TARGETS[@]}")
else
  [[ " ${TARGETS[*]} " == *" $1 "* ]] || usage
  selected=("$1")
fi
SECONDS_EACH=$2
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
PARALLEL=${FUZZ_PARALLEL:-2}
WORK=$BUILD/fuzz-work

# ---- build ----
CXX_FUZZ=${CXX_FUZZ:-clang++-14}
command -v "$CXX_FUZZ" >/dev/null || {
  echo "fuzz/run.sh: $CXX_FUZZ not found; apt-get install -y clang-14 libclang-rt-14-dev" >&2
  exit 2
}
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=2G
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  # -O1: libFuzzer's usual level (fast enough, still debuggable); asserts stay on.
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
    -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DEPSYNC_FUZZ=ON "${launcher[@]}" >/dev/null
fi
build_targets=()
for t in "${selected[@]}"; do build_targets+=("fuzz_$t"); done
if ! out=$(cmake --build "$BUILD" -j2 --target "${build_targets[@]}" 2>&1); then
  echo "$out" >&2
  echo "fuzz/run.sh: the build failed" >&2
  exit 2
fi
grep -vE '^(\[|ninja: no work)' <<<"$out" || true  # warnings, if any

# ---- run ----
# detect_leaks: a leak is a crash too. UBSan reports are fatal through -fno-sanitize-recover.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {  # TARGET -> writes $WORK/TARGET.log and $WORK/TARGET.summary
  local t=$1 bin=$ROOT/$BUILD/fuzz/fuzz_$1
  local corpus=$WORK/corpus/$t artifacts=$WORK/artifacts/$t log=$WORK/$t.log
  mkdir -p "$corpus" "$artifacts"
  : >"$log"
  local args=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
  [[ -f fuzz/dict/$t.dict ]] && args+=(-dict="fuzz/dict/$t.dict")
  # shellcheck disable=SC2206
  args+=(${FUZZ_ARGS:-})
  local start=$SECONDS rc=0 execs=0 runs=0 left
  # One libFuzzer run, or with FUZZ_KEEP_GOING=1 new runs after each crash until the time is up
  # (the crash is saved; the corpus it had built carries over).
  while :; do
    left=$((SECONDS_EACH - (SECONDS - start)))
    (( left > 0 )) || break
    runs=$((runs + 1))
    rc=0
    echo "=== run $runs: $left s left" >>"$log"
    "$bin" "${args[@]}" -max_total_time="$left" "$corpus" "fuzz/corpus/$t" >"$log.run" 2>&1 || rc=$?
    cat "$log.run" >>"$log"
    local n
    n=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log.run" | tail -1 | grep -oE '[0-9]+$' || true)
    execs=$((execs + ${n:-0}))
    [[ $rc -ne 0 && ${FUZZ_KEEP_GOING:-0} == 1 && $runs -lt 50 ]] || break
  done
  local took=$((SECONDS - start))
  local crashes ncrash=0
  crashes=$(find "$artifacts" -type f -newer "$WORK/$t.log.start" | sort || true)
  [[ -n $crashes ]] && ncrash=$(wc -l <<<"$crashes")
  {
    printf 'fuzz_%-7s %12s executions in %5s s (%s/s), %s run(s), corpus %s files, exit %s, crash files: %s\n' \
      "$t" "$execs" "$took" "$((execs / (took > 0 ? took : 1)))" "$runs" \
      "$(find "$corpus" -type f | wc -l)" "$rc" "$ncrash"
    # shellcheck disable=SC2001
    [[ -n $crashes ]] && sed 's/^/    /' <<<"$crashes"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|terminate called|  what\(\))' "$log" | sort | uniq -c | head -8
  } >"$WORK/$t.summary"
}

mkdir -p "$WORK"
pids=()
for t in "${selected[@]}"; do
  touch "$WORK/$t.log.start"
  run_one "$t" &
  pids+=($!)
  while (( $(jobs -rp | wc -l) >= PARALLEL )); do wait -n || true; done
done
wait
echo "=== fuzz: ${SECONDS_EACH}s per target, build $BUILD, logs $WORK/TARGET.log"
status=0
for t in "${selected[@]}"; do
  cat "$WORK/$t.summary"
  grep -q 'exit 0, crash files: 0$' "$WORK/$t.summary" || status=1
done
exit $status
