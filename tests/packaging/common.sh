# Shared by the packaging tests (sourced, not run). Each test prints what it checks, exits 0 on
# shellcheck shell=bash
# success, 1 on failure and 77 (ctest SKIP_RETURN_CODE) when a tool it needs is missing.
set -uo pipefail

TEST_NAME="$(basename "$0" .sh)"
FAILED=0

say() { printf '%s: %s\n' "$TEST_NAME" "$*"; }
ok() { printf '%s: ok   %s\n' "$TEST_NAME" "$*"; }
bad() { printf '%s: FAIL %s\n' "$TEST_NAME" "$*"; FAILED=1; }
skip() { printf '%s: SKIP %s\n' "$TEST_NAME" "$*"; exit 77; }
need() {  # need TOOL PACKAGE: skip the test when TOOL is not on PATH
  command -v "$1" >/dev/null 2>&1 || skip "'$1' is not installed (Debian package $2)"
}
finish() {
  if [ "$FAILED" -ne 0 ]; then say "FAILED"; exit 1; fi
  say "passed"
  exit 0
}

# A scratch directory removed on exit (kept when KEEP_SCRATCH=1, for debugging).
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/epsync-$TEST_NAME-XXXXXX")"
cleanup_scratch() {
  if [ "${KEEP_SCRATCH:-0}" = 1 ]; then say "scratch kept in $SCRATCH"; else rm -rf "$SCRATCH"; fi
}
trap cleanup_scratch EXIT

# shellcheck disable=SC2034  # used by the tests that source this file
UNITS=(epsync-agent.service epsync-hub.service)

# Copies systemd/<unit> to $SCRATCH/units/<unit> with ExecStart= (and only the binary of it)
# pointing at the built binary, because systemd-analyze verify fails when ExecStart's binary is
# missing, and /usr/bin/epsync is not installed on a build machine.
staged_unit() {  # staged_unit SOURCE_DIR BINARY UNIT -> prints the path of the copy
  local src="$1" bin="$2" unit="$3"
  mkdir -p "$SCRATCH/units"
  sed "s#^ExecStart=/usr/bin/epsync #ExecStart=$bin #" "$src/systemd/$unit" >"$SCRATCH/units/$unit"
  echo "$SCRATCH/units/$unit"
}
