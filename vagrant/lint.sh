#!/usr/bin/env bash
# What CI checks of vagrant/ on every submission (the full VM run, test.sh,
# is too heavy for that): the Vagrantfile validates (no box needed) and every
# shell script passes shellcheck. Installs what is missing from Debian
# (vagrant, vagrant-libvirt, shellcheck; needs root then).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

missing=()
command -v vagrant >/dev/null || missing+=(vagrant)
dpkg-query -W -f='${Status}' vagrant-libvirt 2>/dev/null | grep -q 'ok installed' || missing+=(vagrant-libvirt)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== vagrant validate"
(cd "$here" && vagrant validate)
echo "== shellcheck"
scripts=("$here"/test.sh "$here"/lint.sh "$here"/qemu-tcg-tb128 "$here"/box/*.sh "$here"/provision/*.sh)
shellcheck -x "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
