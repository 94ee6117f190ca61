#!/usr/bin/env bash
# systemd-analyze security --offline=yes on both units: the exposure score must be at most 2.0
# (--threshold=20 on the tool's 0-100 scale). Prints each unit's score and its remaining
# exposures.
# Usage: security_units.sh SOURCE_DIR EPSYNC_BINARY
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
SRC="$(realpath "$1")" BIN="$(realpath "$2")"
MAX=20  # exposure x10
need systemd-analyze systemd
systemd-analyze security --help 2>/dev/null | grep -- '--offline' >/dev/null || skip "this systemd-analyze has no 'security --offline' (needs systemd 250 or later)"

for unit in "${UNITS[@]}"; do
  copy="$(staged_unit "$SRC" "$BIN" "$unit")"
  out="$(cd "$SCRATCH/units" && systemd-analyze security --offline=yes --threshold=$MAX --no-pager "$copy" 2>&1)"
  rc=$?
  score="$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n 1)"
  printf '%s\n' "$out" | grep -E '^✗' | sed "s/^/  | /"
  if [ -z "$score" ]; then
    printf '%s\n' "$out" | sed "s/^/  | /"
    bad "$unit: no exposure score in systemd-analyze's output"
  elif [ $rc -ne 0 ]; then
    bad "$unit: exposure $score is above $((MAX / 10)).$((MAX % 10)) (systemd-analyze exited $rc)"
  else
    ok "$unit: exposure $score (threshold $((MAX / 10)).$((MAX % 10)))"
  fi
done
finish
