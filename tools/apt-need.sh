#!/usr/bin/env bash
# Installs the Debian packages that are missing, and only those: `tools/apt-need.sh LABEL PKG...`.
# Not root and something missing: says what to install and fails. Every deps step of the make
# files calls it (LABEL names the step in its messages).
set -euo pipefail
label=$1
shift
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
        missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
    echo "$label: missing Debian packages:$missing (install them, or run make as root)"
    exit 1
fi
echo "$label: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
