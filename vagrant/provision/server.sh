#!/usr/bin/env bash
# Server: Docker with a macvlan network on eth1 (to its leaf's swp1) and
# the seed's three containers. No registry is reachable, so the containers'
# image is made here from the box's own busybox-static: a root holding
# /bin/busybox and its applet links, loaded with `docker import` as
# neighd/busybox:local. Each container identifies itself at start by
# pinging its gateway, as the seed's containers do (again each second
# until the leaf answers, which it does once provisioned), then sleeps;
# SIGTERM ends it at once.
# Usage: server.sh HOSTNAME IP...
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"

[[ $# -ge 2 ]] || die "usage: server.sh HOSTNAME IP..."
shift # the hostname, set by Vagrant
image=neighd/busybox:local
network=macvlan1
gateway=172.16.1.1

ensure_packages docker.io busybox-static
# Docker loads its AppArmor profile when the kernel has AppArmor on (the
# local box boots with apparmor=0)
if grep -qs Y /sys/module/apparmor/parameters/enabled; then ensure_packages apparmor; fi
{
    echo '#!/bin/sh'
    echo 'set -e'
    wait_ports eth1
    echo 'ip link set dev eth1 up'
} | install_ports_unit

systemctl enable containerd.service docker.service
systemctl start docker.service

if ! docker image inspect "$image" >/dev/null 2>&1; then
    rootfs=$(mktemp -d)
    install -D -m 755 /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
    done
    tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$image" >/dev/null
    rm -rf "$rootfs"
    log "image $image imported from the box's busybox"
fi

if ! docker network inspect "$network" >/dev/null 2>&1; then
    docker network create -d macvlan --subnet 172.16.1.0/24 --gateway "$gateway" \
        -o parent=eth1 "$network" >/dev/null
fi

for ip in "$@"; do
    container=c${ip##*.}
    docker rm -f "$container" >/dev/null 2>&1 || true
    docker run -d --name "$container" --hostname "$container" --restart unless-stopped \
        --network "$network" --ip "$ip" "$image" \
        /bin/sh -c "trap 'exit 0' TERM; until ping -c 1 -W 1 $gateway; do sleep 1; done; while true; do sleep 1 & wait \$!; done" \
        >/dev/null
    log "container $container $ip on $network (eth1)"
done
