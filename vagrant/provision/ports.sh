#!/usr/bin/env bash
# Names the fabric NICs by MAC, as topology_converter's udev rules do:
# a systemd .link file per port (applied by udev at every boot) and the
# rename done now, so no reboot is needed.
# Usage: ports.sh NAME=MAC...   (e.g. swp51=44:38:39:00:11:33)
set -euo pipefail

# the kernel's name of the NIC with MAC $1
nic_by_mac() {
    local dev
    for dev in /sys/class/net/*; do
        if [[ $(cat "$dev/address") == "$1" && ! -e $dev/master ]]; then
            basename "$dev"
            return 0
        fi
    done
    return 1
}

rm -f /etc/systemd/network/10-neighd-*.link
declare -A current
for pair in "$@"; do
    name=${pair%%=*} mac=${pair#*=}
    cat >"/etc/systemd/network/10-neighd-$name.link" <<LINK
[Match]
MACAddress=$mac

[Link]
Name=$name
LINK
    dev=$(nic_by_mac "$mac") || { echo "no NIC with MAC $mac (for $name)" >&2; exit 1; }
    current[$name]=$dev
done

# rename in two steps, so a wanted name held by another fabric NIC is free
for name in "${!current[@]}"; do
    dev=${current[$name]}
    [[ $dev == "$name" ]] && continue
    ip link set dev "$dev" down
    ip link set dev "$dev" name "nd-tmp-${name:0:6}"
    current[$name]="nd-tmp-${name:0:6}"
done
for name in "${!current[@]}"; do
    dev=${current[$name]}
    [[ $dev == "$name" ]] && continue
    ip link set dev "$dev" name "$name"
done
for pair in "$@"; do
    name=${pair%%=*}
    ip link set dev "$name" up
    echo "[$(hostname)] $name $(cat "/sys/class/net/$name/address")"
done
