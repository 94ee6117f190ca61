#!/usr/bin/env bash
# Nothing can start a unit on a build machine, so this checks the units' SystemCallFilter= the
# other way round: it runs the hub and the agent daemons under strace through a real session
# (startup, sd_notify with a watchdog, a sync over mutual TLS, a nudge from the CLI, an HTTP
# request to the hub, SIGHUP, a failed sync with the hub gone, SIGTERM), collects every system call they make, and checks each
# one against the allow list the units' SystemCallFilter= lines give (expanded by
# systemd-analyze syscall-filter). Under systemd a call outside it would fail with EPERM
# (SystemCallErrorNumber=). Also checks that SIGHUP reloads the agent and that SIGTERM ends
# both daemons with 0.
# The units run the daemons as the unprivileged user epsync, so when run as root this test
# reruns itself as nobody (as root, SQLite calls fchown on its journal files; as a user it does
# not).
# Usage: syscall_filter.sh SOURCE_DIR EPSYNC_BINARY
# shellcheck disable=SC2015  # ok() never fails, so "A && ok || bad" is if-then-else here
AS_ROOT=0
if [ "$(id -u)" = 0 ] && [ -z "${EPSYNC_SYSCALL_TEST_AS_NOBODY:-}" ]; then
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
  if command -v setpriv >/dev/null 2>&1 &&
    as_nobody test -r "$1/systemd/epsync-agent.service" -a -r "$1/certs/epsync-certs" -a -x "$2" 2>/dev/null; then
    echo "syscall_filter: running as root: rerunning as nobody, unprivileged like the daemons under the units"
    export EPSYNC_SYSCALL_TEST_AS_NOBODY=1 HOME=/tmp
    exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$0" "$@"
  fi
  echo "syscall_filter: running as root (nobody cannot reach $1 or $2): SQLite's fchown calls, made only as root, are tolerated"
  AS_ROOT=1
fi
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
SRC="$(realpath "$1")" BIN="$(realpath "$2")"
need systemd-analyze systemd
need strace strace
need openssl openssl
CERTS="$SRC/certs/epsync-certs"
export EPSYNC_OPERATOR=packaging-test TZ=UTC
cd "$SCRATCH" || exit 1

# --- the allow list, from each unit's SystemCallFilter= lines ---------------------------------------
systemd-analyze syscall-filter --no-pager >groups.txt 2>/dev/null || { bad "systemd-analyze syscall-filter failed"; finish; }
expand() {  # expand NAME...: the system calls of the groups (and names) given, nested groups resolved
  awk -v want="$*" '
    /^@/ { g = $1; next }
    /^ *#/ || NF == 0 { next }
    g != "" { members[g] = members[g] " " $1 }
    function add(n,   i, m, k) {
      if (n in seen) return; seen[n] = 1
      if (n !~ /^@/) { out[n] = 1; return }
      k = split(members[n], m, " ")
      for (i = 1; i <= k; i++) add(m[i])
    }
    END { k = split(want, w, " "); for (i = 1; i <= k; i++) add(w[i]); for (s in out) print s }
  ' groups.txt | sort -u
}
allowed_for() {  # allowed_for UNIT_FILE: the allow list its SystemCallFilter= lines make
  local unit="$1" line allow=() deny=()
  while read -r line; do
    line="${line#SystemCallFilter=}"
    if [ "${line:0:1}" = "~" ]; then read -r -a more <<<"${line:1}"; deny+=("${more[@]}")
    else read -r -a more <<<"$line"; allow+=("${more[@]}"); fi
  done < <(grep '^SystemCallFilter=' "$unit")
  [ ${#allow[@]} -gt 0 ] || { echo "__no_allow_list__"; return; }
  comm -23 <(expand "${allow[@]}") <(expand "${deny[@]}")
}
allowed_for "$SRC/systemd/epsync-agent.service" >allowed-agent.txt
allowed_for "$SRC/systemd/epsync-hub.service" >allowed-hub.txt
grep -q __no_allow_list__ allowed-agent.txt allowed-hub.txt && { bad "a unit has no SystemCallFilter= allow list"; finish; }
say "allow lists: $(wc -l <allowed-agent.txt) system calls for the agent, $(wc -l <allowed-hub.txt) for the hub"

# --- a real session under strace ------------------------------------------------------------------
"$CERTS" init-ca --dir pki >/dev/null 2>&1 &&
  "$CERTS" hub --dir pki --out hub --dns localhost --ip 127.0.0.1 >/dev/null 2>&1 &&
  "$CERTS" center --dir pki --out center --id ALM-014 >/dev/null 2>&1 || { bad "epsync-certs could not make the certificates"; finish; }
cat >hub.toml <<TOML
[listen]
address = "127.0.0.1:0"
[tls]
ca = "$SCRATCH/pki/ca.crt"
cert = "$SCRATCH/hub.crt"
key = "$SCRATCH/hub.key"
[store]
path = "$SCRATCH/hub.db"
[http]
address = "127.0.0.1:0"
TOML
"$BIN" hub center add ALM-014 --region almaty --name "Almaty Polytechnic College" --config hub.toml >/dev/null ||
  { bad "epsync hub center add failed"; finish; }

# strace blocks fatal signals sent to itself (-o FILE PROG), so signals go to the traced
# daemon, whose pid starts the trace; strace then exits with the daemon's exit status.
traced_pid() {  # traced_pid TRACE_FILE
  local p=""
  for _ in $(seq 1 50); do
    p="$(head -n 1 "$1" 2>/dev/null | awk '{print $1}')"
    [ -n "$p" ] && break
    sleep 0.1
  done
  echo "$p"
}
PIDS=()
# shellcheck disable=SC2317  # run by the trap
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  cleanup_scratch
}
trap stop_all EXIT
trap 'exit 1' TERM INT
# The port hub.log says the `what` listener (hub or http) is on, polled `tries` times 0.1 s apart;
# empty when it never says.
logged_port() {
  local what=$1 tries=$2 found=""
  for _ in $(seq 1 "$tries"); do
    found="$(sed -n "s/.*$what listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p" hub.log | head -n 1)"
    [ -n "$found" ] && break
    sleep 0.1
  done
  printf '%s' "$found"
}
# sd_notify and the watchdog: the daemons send to NOTIFY_SOCKET (nobody listens; the calls are
# made all the same), and the agent pets the watchdog every WATCHDOG_USEC/2.
export NOTIFY_SOCKET="$SCRATCH/notify"
strace -f -qq -o hub.trace "$BIN" hub --config hub.toml 2>hub.log &
HUB=$!
HUB_PID="$(traced_pid hub.trace)"
PIDS+=("$HUB_PID" "$HUB")
port="$(logged_port hub 100)"
[ -n "$port" ] || { sed 's/^/  | /' hub.log; bad "the hub did not start"; finish; }
ok "hub listening on 127.0.0.1:$port (under strace)"
# The hub's HTTP side, when this build has it: one request to /healthz.
http_port="$(logged_port http 20)"
if [ -n "$http_port" ]; then
  if exec 3<>"/dev/tcp/127.0.0.1/$http_port"; then
    printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
    status_line="$(timeout 5 head -n 1 <&3 | tr -d '\r')"
    exec 3<&-
    ok "hub HTTP on 127.0.0.1:$http_port answers GET /healthz: $status_line"
  else
    bad "hub HTTP on 127.0.0.1:$http_port refuses connections"
  fi
else
  say "note: this build of the hub does not serve HTTP yet; not exercised"
fi

cat >agent.toml <<TOML
[center]
id = "ALM-014"
[store]
path = "$SCRATCH/agent.db"
[hub]
address = "localhost:$port"
ca = "$SCRATCH/pki/ca.crt"
cert = "$SCRATCH/center.crt"
key = "$SCRATCH/center.key"
[sync]
interval_seconds = 60
TOML
"$BIN" init --center ALM-014 --region almaty --config agent.toml >/dev/null || { bad "epsync init failed"; finish; }
WATCHDOG_USEC=2000000 strace -f -qq -o agent.trace "$BIN" agent --config agent.toml 2>agent.log &
AGENT=$!
AGENT_PID="$(traced_pid agent.trace)"
PIDS+=("$AGENT_PID" "$AGENT")
for _ in $(seq 1 100); do [ -S agent.db.nudge ] && break; sleep 0.1; done
[ -S agent.db.nudge ] && ok "agent started (under strace), nudge socket agent.db.nudge" || bad "the agent made no nudge socket"

pending() { "$BIN" status --config agent.toml --json 2>/dev/null | sed -n 's/.*"pending": *\([0-9]*\).*/\1/p'; }
"$BIN" trainee add --config agent.toml --iin 950101401239 --surname Қасымова --given-name Әлия \
  --birth-date 1995-01-01 --sex F --sector manufacturing >/dev/null || bad "epsync trainee add failed"
synced=0
for _ in $(seq 1 150); do [ "$(pending)" = 0 ] && { synced=1; break; }; sleep 0.2; done
[ $synced = 1 ] && ok "the nudged agent synced the new trainee to the hub" || bad "the agent did not sync (pending $(pending))"
sleep 1.2  # at least one watchdog ping
kill -HUP "$AGENT_PID"
for _ in $(seq 1 30); do grep -q "reloaded" agent.log && break; sleep 0.1; done
kill -0 "$AGENT_PID" 2>/dev/null && grep -q "reloaded" agent.log && ok "the agent reloads on SIGHUP" ||
  bad "the agent did not reload on SIGHUP"

kill -TERM "$HUB_PID"; wait "$HUB"; rc=$?
[ $rc = 0 ] && ok "hub: SIGTERM -> exit 0" || bad "hub: SIGTERM -> exit $rc"
"$BIN" record korean 950101401239 --hours 10 --config agent.toml >/dev/null || bad "epsync record korean failed"
for _ in $(seq 1 50); do grep -qi "sync failed\|fail" agent.log && break; sleep 0.1; done
grep -qi "fail" agent.log && ok "with the hub gone the agent's sync fails and backs off" || say "note: no failed sync seen in the agent's log"
kill -TERM "$AGENT_PID"; wait "$AGENT"; rc=$?
[ $rc = 0 ] && ok "agent: SIGTERM -> exit 0" || bad "agent: SIGTERM -> exit $rc"
PIDS=()

# --- every socket family used is allowed; nothing the sandbox hides was touched -----------------------
for d in agent hub; do
  read -r -a families <<<"$(grep '^RestrictAddressFamilies=' "$SRC/systemd/epsync-$d.service" | cut -d= -f2-)"
  used_families="$(grep -oE '^[0-9]+ +socket\(AF_[A-Z0-9]+' "$d.trace" | sed 's/.*(//' | sort -u | tr '\n' ' ')"
  outside=""
  for f in $used_families; do
    # grep reads to the end (no -q): with pipefail, a grep that quits at the match can fail the
    # pipeline by SIGPIPE to printf (4 in 3000 tries), naming an allowed family as outside.
    printf '%s\n' "${families[@]}" | grep -x "$f" >/dev/null || outside+="$f "
  done
  [ -z "$outside" ] && ok "$d: socket families used ($used_families) are in RestrictAddressFamilies=" ||
    bad "$d: socket families outside RestrictAddressFamilies=: $outside"
  # ProcSubset=pid hides /proc but the processes; PrivateDevices= leaves only pseudo devices;
  # ProtectHome= hides /home, /root and /run/user. glibc's malloc reads
  # /proc/sys/vm/overcommit_memory for its thread arenas and does without it.
  hidden="$(grep -oE '^[0-9]+ +(open|openat|access|faccessat2?|newfstatat|stat|lstat|statx|readlink|execve)\((AT_FDCWD, )?"[^"]*"' "$d.trace" |
    sed -E 's/.*"([^"]*)"$/\1/' | sort -u |
    grep -E '^/(proc|sys|dev|home|root|run/user)(/|$)' |
    grep -vE '^/proc/(self|thread-self|[0-9]+)(/|$)|^/proc/sys/vm/overcommit_memory$|^/dev/(null|zero|full|random|urandom|tty|pts/.*|shm/.*|log)$' | tr '\n' ' ')"
  [ -z "$hidden" ] && ok "$d: touched nothing under /proc, /sys, /dev, /home, /root that the sandbox hides" ||
    bad "$d: touched paths the sandbox hides: $hidden"
done

# --- every system call made is allowed --------------------------------------------------------------
used() { sed -nE 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)[( ].*/\2/p' "$1" | sort -u; }
for d in agent hub; do
  used "$d.trace" >"used-$d.txt"
  n="$(wc -l <"used-$d.txt")"
  [ "$n" -gt 20 ] || { bad "$d: only $n distinct system calls in the trace; strace did not work?"; continue; }
  outside="$(comm -23 "used-$d.txt" "allowed-$d.txt" | { if [ $AS_ROOT = 1 ]; then grep -vx fchown; else cat; fi; } | tr '\n' ' ')"
  if [ -z "$outside" ]; then
    ok "$d: all $n distinct system calls it made are in epsync-$d.service's SystemCallFilter="
  else
    for s in $outside; do
      grep -E "^[0-9]+ +$s\(" "$d.trace" | head -n 2 | sed 's/^/  | /'
    done
    bad "$d: system calls outside epsync-$d.service's SystemCallFilter=: $outside"
  fi
done
finish
