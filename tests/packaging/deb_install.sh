#!/usr/bin/env bash
# Installs the Debian package for real, with dpkg, into a throwaway copy of this machine: an
# overlay of / (changes go to a scratch directory) in a private mount namespace, entered with
# chroot. No systemd runs there, like in a container or a chroot, so this also checks that the
# maintainer scripts are guarded. Then: the user and the directories exist with the right
# owners and modes, the conffiles are registered, the installed units verify at their real
# paths, an administrator's edit survives reinstalling, remove keeps the configuration, purge
# drops it and keeps the stores. The machine itself is not touched.
# Needs root (mount namespaces, overlayfs); skipped otherwise.
# Usage: deb_install.sh SOURCE_DIR BUILD_DIR
# shellcheck disable=SC2015  # ok() never fails, so "A && ok || bad" is if-then-else here
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
BUILD="$(realpath "$2")"  # $1, the source directory, is not needed
need dpkg-deb dpkg
need cpack cmake
need unshare util-linux
need chroot coreutils
[ "$(id -u)" = 0 ] || skip "needs root to mount an overlay of / in a private mount namespace"
grep -qw overlay /proc/filesystems || skip "the kernel has no overlay file system"

say "building the package with cpack"
if ! cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$SCRATCH/out" >"$SCRATCH/cpack.log" 2>&1; then
  sed 's/^/  | /' "$SCRATCH/cpack.log"; bad "cpack failed"; finish
fi
shopt -s nullglob
debs=("$SCRATCH"/out/*.deb)
[ ${#debs[@]} -eq 1 ] || { bad "cpack made ${#debs[@]} .deb files, expected 1"; finish; }
DEB="${debs[0]}"
ok "built $(basename "$DEB")"

mkdir -p "$SCRATCH/upper" "$SCRATCH/work" "$SCRATCH/merged" "$SCRATCH/pkg"
cp "$DEB" "$SCRATCH/pkg/epsync.deb"

# What runs inside the chroot. Its lines starting with "ok " or "FAIL " are the results.
cat >"$SCRATCH/pkg/inside.sh" <<'INSIDE'
#!/bin/bash
set -u
export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
mode() { stat -c '%a %U %G' "$1" 2>/dev/null; }
[ -d /run/systemd/system ] && { bad "systemd appears to run in the chroot; this test is meant without it"; exit 1; }

# Install.
if dpkg -i /pkg/epsync.deb >/pkg/install.log 2>&1; then ok "dpkg -i epsync.deb (no systemd running)"; else cat /pkg/install.log; bad "dpkg -i failed"; exit 1; fi
check "dpkg lists epsync as installed" sh -c 'dpkg-query -W -f="\${Status}" epsync | grep -qx "install ok installed"'
check "user epsync: system user, home /var/lib/epsync, shell nologin ($(getent passwd epsync))" \
  sh -c 'getent passwd epsync | grep -qE "^epsync:x:[0-9]+:[0-9]+:[^:]*:/var/lib/epsync:/usr/sbin/nologin$" && [ "$(id -u epsync)" -lt 1000 ]'
check "group epsync" sh -c "getent group epsync >/dev/null"
check "/var/lib/epsync is 2770 epsync:epsync ($(mode /var/lib/epsync))" [ "$(mode /var/lib/epsync)" = "2770 epsync epsync" ]
check "/etc/epsync is 0750 root:epsync ($(mode /etc/epsync))" [ "$(mode /etc/epsync)" = "750 root epsync" ]
conffiles="$(dpkg-query -W -f='${Conffiles}' epsync)"
check "dpkg registered /etc/epsync/agent.toml as a conffile" sh -c "echo '$conffiles' | grep -q ' /etc/epsync/agent.toml '"
check "dpkg registered /etc/epsync/hub.toml as a conffile" sh -c "echo '$conffiles' | grep -q ' /etc/epsync/hub.toml '"
check "epsync runs from /usr/bin ($(epsync --version 2>&1))" sh -c 'command -v epsync | grep -qx /usr/bin/epsync && epsync --version >/dev/null'
check "epsync-certs runs from /usr/bin" sh -c 'epsync-certs --help >/dev/null 2>&1'
if command -v man >/dev/null; then
  check "man -w epsync finds the installed page ($(man -w epsync 2>&1))" sh -c 'man -w epsync | grep -q "^/usr/share/man/man1/epsync.1"'
fi

# The installed units at their real paths: ExecStart= is /usr/bin/epsync now, no rewriting.
command -v systemd-analyze >/dev/null &&
for u in epsync-agent.service epsync-hub.service; do
  out="$(systemd-analyze verify "/usr/lib/systemd/system/$u" 2>&1)"; rc=$?
  if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify /usr/lib/systemd/system/$u: clean"
  else echo "$out" | sed 's/^/  | /'; bad "systemd-analyze verify $u (exit $rc)"; fi
done

# The service user can create a store in the state directory, shared with group epsync, and
# nobody else can look in.
if runuser -u epsync -- epsync init --center ALM-014 --region almaty --db /var/lib/epsync/agent.db >/dev/null 2>&1; then
  ok "the epsync user creates a store in /var/lib/epsync ($(mode /var/lib/epsync/agent.db))"
else bad "the epsync user cannot create a store in /var/lib/epsync"; fi
check "the store is 0660 epsync:epsync ($(mode /var/lib/epsync/agent.db))" [ "$(mode /var/lib/epsync/agent.db)" = "660 epsync epsync" ]
check "another user cannot list /var/lib/epsync" sh -c '! runuser -u nobody -- ls /var/lib/epsync >/dev/null 2>&1'
check "another user cannot read /etc/epsync" sh -c '! runuser -u nobody -- cat /etc/epsync/agent.toml >/dev/null 2>&1'
check "the epsync user reads /etc/epsync/agent.toml" runuser -u epsync -- cat /etc/epsync/agent.toml >/dev/null

# A registrar as the man page says to add one: an ordinary account in group epsync. Their change
# is theirs in history; someone outside the group gets a clear refusal, not a crash.
useradd --create-home registrar1 && usermod -a -G epsync registrar1
as_registrar() { runuser -u registrar1 -- env -u EPSYNC_OPERATOR epsync "$@" --db /var/lib/epsync/agent.db; }
if out="$(as_registrar trainee add --iin 950101401239 --surname Test --given-name Aliya --birth-date 1995-01-01 --sex F 2>&1)"
then ok "a registrar in group epsync enrols a trainee"; else echo "$out" | sed 's/^/  | /'; bad "a registrar cannot enrol a trainee"; fi
out="$(as_registrar history 950101401239 --json 2>&1)"
if printf '%s' "$out" | grep -q '"operator": *"registrar1"'; then ok "history names the registrar"
else echo "$out" | sed 's/^/  | /'; bad "history does not name registrar1"; fi
for f in /var/lib/epsync/agent.db-wal /var/lib/epsync/agent.db-shm; do
  [ -e "$f" ] && check "$f is 0660 group epsync ($(stat -c '%a %G' "$f"))" [ "$(stat -c '%a %G' "$f")" = "660 epsync" ]
done
out="$(runuser -u nobody -- epsync trainee list --db /var/lib/epsync/agent.db 2>&1)"; rc=$?
if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q 'permission denied (is nobody in group epsync'; then
  ok "outside the group: exit 1, '$out'"
else echo "$out" | sed 's/^/  | /'; bad "outside the group: exit $rc, expected 1 and a permission message"; fi

# An administrator's edit survives reinstalling (the upgrade path: prerm upgrade, postinst configure OLD).
sed -i 's/^id = "ALM-014"/id = "AST-001"/' /etc/epsync/agent.toml
if dpkg -i --force-confold /pkg/epsync.deb >/pkg/reinstall.log 2>&1; then ok "dpkg -i again (upgrade path)"; else cat /pkg/reinstall.log; bad "reinstalling failed"; fi
check "the edited conffile /etc/epsync/agent.toml is kept" grep -q '^id = "AST-001"' /etc/epsync/agent.toml
check "/etc/epsync is still 0750 root:epsync" [ "$(mode /etc/epsync)" = "750 root epsync" ]

# Remove keeps the configuration; purge drops it; the stores stay.
if dpkg -r epsync >/pkg/remove.log 2>&1; then ok "dpkg -r epsync"; else cat /pkg/remove.log; bad "dpkg -r failed"; fi
check "after remove: /usr/bin/epsync and the units are gone" sh -c '[ ! -e /usr/bin/epsync ] && [ ! -e /usr/lib/systemd/system/epsync-agent.service ]'
check "after remove: /etc/epsync/agent.toml is kept" [ -f /etc/epsync/agent.toml ]
if dpkg -P epsync >/pkg/purge.log 2>&1; then ok "dpkg -P epsync"; else cat /pkg/purge.log; bad "dpkg -P failed"; fi
check "after purge: /etc/epsync/*.toml are gone" sh -c '[ ! -e /etc/epsync/agent.toml ] && [ ! -e /etc/epsync/hub.toml ]'
check "after purge: the store /var/lib/epsync/agent.db is kept" [ -f /var/lib/epsync/agent.db ]
INSIDE
chmod +x "$SCRATCH/pkg/inside.sh"

# The overlay, its mounts and the chroot live and die with the private mount namespace.
M="$SCRATCH/merged"
# shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
unshare --mount --propagation private bash -c '
  set -e
  M="$1" S="$2"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$S/upper,workdir=$S/work" "$M"
  mount -t proc proc "$M/proc"
  mount --rbind /dev "$M/dev"
  mount -t tmpfs tmpfs "$M/run"
  mount -t tmpfs tmpfs "$M/tmp"
  mkdir -p "$M/pkg"
  mount --bind "$S/pkg" "$M/pkg"
  exec chroot "$M" /pkg/inside.sh
' unshare-overlay "$M" "$SCRATCH" >"$SCRATCH/inside.log" 2>&1
rc=$?
sed 's/^/  /' "$SCRATCH/inside.log"
if ! grep -q '^ok   dpkg -i epsync.deb' "$SCRATCH/inside.log"; then
  if grep -qiE "mount: .*(permission denied|not permitted)|unshare: .*(not permitted|failed)" "$SCRATCH/inside.log"; then
    skip "cannot mount an overlay of / in a private mount namespace here"
  fi
fi
grep -q '^FAIL ' "$SCRATCH/inside.log" && FAILED=1
[ $rc -eq 0 ] || bad "the chroot script exited $rc"
say "$(grep -c '^ok ' "$SCRATCH/inside.log") checks passed inside the throwaway root"
finish
