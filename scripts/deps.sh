#!/usr/bin/env bash
# Installs the Debian 12 packages epsync builds and tests with, only those that are missing.
# Runs apt-get as root, through sudo when not root. Safe to run again.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config ccache sqlite3 openssl
  systemd strace dpkg-dev man-db python3
  libasio-dev libssl-dev libsqlite3-dev libmsgpack-cxx-dev doctest-dev libsystemd-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libzstd-dev libcpp-httplib-dev
  libfmt-dev libboost-locale-dev gettext python3-polib python3-msgpack
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
