#!/usr/bin/env bash
# systemd-analyze verify on epsync-agent.service and epsync-hub.service: the units parse, every
# key and section is known, ExecStart/ExecReload binaries exist, and man:epsync(1) (from
# Documentation=) resolves to the page in systemd/epsync.1. Any warning fails the test.
# Usage: verify_units.sh SOURCE_DIR EPSYNC_BINARY
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
SRC="$(realpath "$1")" BIN="$(realpath "$2")"
need systemd-analyze systemd
[ -x "$BIN" ] || { bad "no built binary at $BIN"; finish; }

# Documentation=man:epsync(1) is checked with man(1): let it find our page only.
VERIFY_OPTS=()
if command -v man >/dev/null 2>&1; then
  mkdir -p "$SCRATCH/man/man1"
  cp "$SRC/systemd/epsync.1" "$SCRATCH/man/man1/epsync.1"
  export MANPATH="$SCRATCH/man"
else
  say "man (package man-db) is not installed: Documentation=man:epsync(1) is not checked"
  VERIFY_OPTS+=(--man=no)
fi

for unit in "${UNITS[@]}"; do
  copy="$(staged_unit "$SRC" "$BIN" "$unit")"
  grep -q "^ExecStart=$BIN " "$copy" || { bad "$unit: could not point ExecStart= at $BIN"; continue; }
  # verify also loads the units it names (network-online.target, multi-user.target, ...); run it
  # from the scratch directory so that stray unit files in the current directory do not count.
  out="$(cd "$SCRATCH/units" && systemd-analyze verify "${VERIFY_OPTS[@]}" "$copy" 2>&1)"
  rc=$?
  [ -n "$out" ] && printf '%s\n' "$out" | sed "s/^/  | /"
  if [ $rc -ne 0 ]; then
    bad "$unit: systemd-analyze verify exited $rc"
  elif printf '%s\n' "$out" | grep -iE "unknown (key|section|lvalue)|ignoring|warning|invalid|failed|not found|deprecated|obsolete" >/dev/null; then
    bad "$unit: systemd-analyze verify printed warnings (above)"
  elif printf '%s\n' "$out" | grep "$unit" >/dev/null; then
    bad "$unit: systemd-analyze verify has something to say about it (above)"
  else
    ok "$unit: systemd-analyze verify clean (no unknown keys or sections, no warnings)"
  fi
done

# The binary name must be the only thing the test changed.
for unit in "${UNITS[@]}"; do
  if diff <(sed "s#^ExecStart=$BIN #ExecStart=/usr/bin/epsync #" "$SCRATCH/units/$unit") "$SRC/systemd/$unit" >/dev/null; then
    ok "$unit: the verified copy differs from systemd/$unit only in ExecStart's binary"
  else
    bad "$unit: the verified copy differs from systemd/$unit in more than ExecStart"
  fi
done
finish
