#!/usr/bin/env bash
# Builds the Debian package from the build directory with cpack (into a scratch directory, not
# into the build directory), then checks it as dpkg would see it: the control fields (Depends,
# Section, maintainer scripts, conffiles), the file layout after `dpkg-deb -x`, that the
# packaged binary runs, that the packaged example configurations are valid, and that the
# packaged sysusers.d/tmpfiles.d files make the user and the directories they should.
# Usage: deb_package.sh SOURCE_DIR BUILD_DIR
# shellcheck disable=SC2015  # ok() never fails, so "A && ok || bad" is if-then-else here
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
SRC="$(realpath "$1")" BUILD="$(realpath "$2")"
need dpkg-deb dpkg
need cpack cmake
[ -f "$BUILD/CPackConfig.cmake" ] || { bad "no $BUILD/CPackConfig.cmake (configure the build first)"; finish; }
VERSION="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")"

# --- build the package ------------------------------------------------------------------------
say "cpack -G DEB --config $BUILD/CPackConfig.cmake -B $SCRATCH/out"
if ! cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$SCRATCH/out" >"$SCRATCH/cpack.log" 2>&1; then
  sed 's/^/  | /' "$SCRATCH/cpack.log"
  bad "cpack failed"
  finish
fi
shopt -s nullglob
debs=("$SCRATCH"/out/*.deb)
if [ ${#debs[@]} -ne 1 ]; then bad "cpack made ${#debs[@]} .deb files, expected 1"; finish; fi
DEB="${debs[0]}"
ok "built $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"

# --- control ------------------------------------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
dpkg-deb -I "$DEB" | sed 's/^/  | /'
[ "$(field Package)" = epsync ] && ok "Package: epsync" || bad "Package is '$(field Package)', expected epsync"
[ "$(field Version)" = "$VERSION-1" ] && ok "Version: $VERSION-1" || bad "Version is '$(field Version)', expected $VERSION-1"
[ "$(field Section)" = admin ] && ok "Section: admin" || bad "Section is '$(field Section)', expected admin"
[ -n "$(field Maintainer)" ] && ok "Maintainer: $(field Maintainer)" || bad "no Maintainer"
[ -n "$(field Description)" ] && ok "Description: $(field Description | head -n 1)" || bad "no Description"
DEPENDS="$(field Depends)"
DEP_NAMES="$(printf '%s\n' "$DEPENDS" | sed 's/[,|]/\n/g' | awk 'NF {print $1}')"
for lib in libsqlite3-0 libssl3 libzstd1 libsystemd0 libtomlplusplus3 libstdc++6 libc6 openssl; do
  if printf '%s\n' "$DEP_NAMES" | grep -xF "$lib" >/dev/null; then ok "Depends has $lib"; else bad "Depends lacks $lib: $DEPENDS"; fi
done

# Each dependency is satisfied on this machine (where the binary was built and runs), versions
# included: the package would install here.
IFS=',' read -r -a deps <<<"$DEPENDS"
for dep in "${deps[@]}"; do
  dep="$(echo "$dep" | xargs)"
  satisfied=0
  IFS='|' read -r -a alts <<<"$dep"
  for alt in "${alts[@]}"; do
    name="$(echo "$alt" | awk '{print $1}')"
    rel="$(echo "$alt" | sed -n 's/.*(\([<>=]*\) *\([^)]*\)).*/\1 \2/p')"
    have="$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null | sed -n 's/^install ok installed //p')"
    [ -n "$have" ] || continue
    if [ -z "$rel" ]; then satisfied=1; break; fi
    op="${rel%% *}" want="${rel#* }"
    case "$op" in ">=") op=ge ;; "<=") op=le ;; "=") op=eq ;; ">>") op=gt ;; "<<") op=lt ;; esac
    if dpkg --compare-versions "$have" "$op" "$want"; then satisfied=1; break; fi
  done
  [ $satisfied = 1 ] && ok "dependency '$dep' is installed here" || bad "dependency '$dep' is not satisfied on this machine"
done

mkdir -p "$SCRATCH/control"
dpkg-deb -e "$DEB" "$SCRATCH/control"
for s in postinst prerm postrm; do
  if [ -x "$SCRATCH/control/$s" ] && sh -n "$SCRATCH/control/$s"; then ok "maintainer script $s: present, executable, valid sh"
  else bad "maintainer script $s missing, not executable or not valid sh"; fi
done
grep -q systemd-sysusers "$SCRATCH/control/postinst" && grep -q systemd-tmpfiles "$SCRATCH/control/postinst" &&
  grep -q '/run/systemd/system' "$SCRATCH/control/postinst" &&
  ok "postinst runs systemd-sysusers and systemd-tmpfiles, and reloads only under a running systemd" ||
  bad "postinst does not run systemd-sysusers, systemd-tmpfiles and a guarded daemon-reload"
CONFFILES="$(cat "$SCRATCH/control/conffiles" 2>/dev/null)"
for f in /etc/epsync/agent.toml /etc/epsync/hub.toml; do
  printf '%s\n' "$CONFFILES" | grep -x "$f" >/dev/null && ok "conffile $f" || bad "$f is not in conffiles"
done

# --- files --------------------------------------------------------------------------------------
ROOT="$SCRATCH/root"
mkdir -p "$ROOT"
dpkg-deb -x "$DEB" "$ROOT"
dpkg-deb -c "$DEB" | sed 's/^/  | /'
while read -r f; do
  [ -f "$ROOT$f" ] && ok "conffile $f is in the package" || bad "conffile $f is listed but not in the package"
done <<<"$CONFFILES"
check_file() {  # check_file PATH MODE-DESCRIPTION [SOURCE]: PATH exists (executable when asked) and equals SOURCE
  local path="$1" kind="$2" source="${3:-}"
  if [ ! -f "$ROOT/$path" ]; then bad "/$path is missing"; return; fi
  if [ "$kind" = exec ] && [ ! -x "$ROOT/$path" ]; then bad "/$path is not executable"; return; fi
  if [ -n "$source" ] && ! cmp -s "$ROOT/$path" "$source"; then bad "/$path differs from $source"; return; fi
  ok "/$path${source:+ (= ${source#"$SRC"/})}"
}
check_file usr/bin/epsync exec
check_file usr/bin/epsync-certs exec "$SRC/certs/epsync-certs"
check_file usr/lib/systemd/system/epsync-agent.service file "$SRC/systemd/epsync-agent.service"
check_file usr/lib/systemd/system/epsync-hub.service file "$SRC/systemd/epsync-hub.service"
check_file usr/lib/sysusers.d/epsync.conf file "$SRC/systemd/epsync.sysusers"
check_file usr/lib/tmpfiles.d/epsync.conf file "$SRC/systemd/epsync.tmpfiles"
check_file etc/epsync/agent.toml file "$SRC/systemd/agent.toml.example"
check_file etc/epsync/hub.toml file "$SRC/systemd/hub.toml.example"
if [ -f "$ROOT/usr/share/man/man1/epsync.1.gz" ]; then
  if cmp -s <(gzip -dc "$ROOT/usr/share/man/man1/epsync.1.gz") "$SRC/systemd/epsync.1"; then ok "/usr/share/man/man1/epsync.1.gz (= systemd/epsync.1)"
  else bad "/usr/share/man/man1/epsync.1.gz is not systemd/epsync.1"; fi
else
  check_file usr/share/man/man1/epsync.1 file "$SRC/systemd/epsync.1"
fi
# Nothing outside the places above: the package must not spill build paths or test files.
stray="$(cd "$ROOT" && find . -type f | sed 's#^\./##' | grep -vE '^(usr/bin/epsync(-certs)?|usr/lib/systemd/system/epsync-(agent|hub)\.service|usr/lib/(sysusers|tmpfiles)\.d/epsync\.conf|etc/epsync/(agent|hub)\.toml|usr/share/man/man1/epsync\.1(\.gz)?|usr/share/doc/epsync/.*)$')"
[ -z "$stray" ] && ok "no other files in the package" || bad "unexpected files in the package: $stray"
# Every file root:root in the archive.
owners="$(dpkg-deb -c "$DEB" | awk '{print $2}' | sort -u | tr '\n' ' ')"
[ "$owners" = "root/root " ] && ok "every entry is owned by root/root" || bad "owners in the archive: $owners"

# --- the packaged binary runs -------------------------------------------------------------------
if out="$("$ROOT/usr/bin/epsync" --help 2>&1)" && printf '%s' "$out" | grep agent >/dev/null && printf '%s' "$out" | grep hub >/dev/null; then
  ok "packaged epsync --help runs (exit 0, lists agent and hub)"
else
  printf '%s\n' "$out" | sed 's/^/  | /'; bad "packaged epsync --help failed"
fi
v="$("$ROOT/usr/bin/epsync" --version 2>&1)"
[ "$v" = "epsync $VERSION" ] && ok "packaged epsync --version: $v" || bad "packaged epsync --version says '$v', the package is $VERSION"
"$ROOT/usr/bin/epsync-certs" --help >/dev/null 2>&1 && ok "packaged epsync-certs --help runs" || bad "packaged epsync-certs --help failed"

# --- the example configurations are valid ---------------------------------------------------------
# Loaded by the packaged binary with only store.path redirected into the scratch directory: the
# command then stops at "store does not exist", past the configuration checks (an unknown key, a
# wrong type or a missing required key would be reported with the file and line instead).
mkdir -p "$SCRATCH/conf"
for pair in "agent.toml:status" "hub.toml:hub center list"; do
  conf="${pair%%:*}" cmd="${pair#*:}"
  sed "s#^path = \"/var/lib/epsync/#path = \"$SCRATCH/conf/#" "$ROOT/etc/epsync/$conf" >"$SCRATCH/conf/$conf"
  # shellcheck disable=SC2086
  out="$("$ROOT/usr/bin/epsync" $cmd --config "$SCRATCH/conf/$conf" 2>&1)"
  if printf '%s' "$out" | grep "$SCRATCH/conf/${conf%.toml}.db does not exist" >/dev/null; then
    ok "/etc/epsync/$conf is a valid configuration (epsync $cmd reads it and looks for its store)"
  else
    printf '%s\n' "$out" | sed 's/^/  | /'; bad "/etc/epsync/$conf is not accepted by epsync $cmd"
  fi
done

# --- sysusers.d and tmpfiles.d, applied to the extracted tree ---------------------------------------
if ! command -v systemd-sysusers >/dev/null || ! command -v systemd-tmpfiles >/dev/null; then
  say "skipped the sysusers/tmpfiles check: systemd-sysusers or systemd-tmpfiles is not installed (package systemd)"
elif [ "$(id -u)" != 0 ]; then
  say "skipped the sysusers/tmpfiles check: it needs root to give files to the epsync user"
else
  mkdir -p "$ROOT/var/lib"
  if systemd-sysusers --root="$ROOT" >"$SCRATCH/sysusers.log" 2>&1; then
    if grep -qE '^epsync:x:[0-9]+:[0-9]+:[^:]*:/var/lib/epsync:/usr/sbin/nologin$' "$ROOT/etc/passwd" && grep -q '^epsync:' "$ROOT/etc/group"; then
      ok "sysusers.d makes the system user and group epsync, without a login shell: $(grep '^epsync:' "$ROOT/etc/passwd")"
    else bad "sysusers.d did not make the user and group epsync as expected: $(cat "$ROOT/etc/passwd")"; fi
  else sed 's/^/  | /' "$SCRATCH/sysusers.log"; bad "systemd-sysusers --root failed"; fi
  if systemd-tmpfiles --root="$ROOT" --create >"$SCRATCH/tmpfiles.log" 2>&1; then
    uid="$(awk -F: '$1 == "epsync" {print $3}' "$ROOT/etc/passwd")" gid="$(awk -F: '$1 == "epsync" {print $3}' "$ROOT/etc/group")"
    got="$(stat -c '%a %u %g' "$ROOT/var/lib/epsync" 2>/dev/null)"
    [ "$got" = "2770 $uid $gid" ] && ok "tmpfiles.d: /var/lib/epsync 2770 epsync:epsync" || bad "/var/lib/epsync is '$got', expected '2770 $uid $gid'"
    got="$(stat -c '%a %u %g' "$ROOT/etc/epsync" 2>/dev/null)"
    [ "$got" = "750 0 $gid" ] && ok "tmpfiles.d: /etc/epsync 0750 root:epsync" || bad "/etc/epsync is '$got', expected '750 0 $gid'"
  else sed 's/^/  | /' "$SCRATCH/tmpfiles.log"; bad "systemd-tmpfiles --root --create failed"; fi
fi
finish
