#!/usr/bin/env bash
# Leaf: neighd from integration/templates/leaf.neighd.toml. Uplinks swp51
# (spine01) and swp52 (spine02) unnumbered; host port swp1 holds the
# gateway 172.16.1.1/24 with proxy ARP; swp2 is configured the same with
# nothing plugged in (a dummy, admin down), as in the namespace fabric.
# neighd and neighctl are installed (with neighd/dist's unit) when the
# Vagrantfile found them on the host (built by cargo); without them the leaf is set up
# with its ports only and says so.
# Usage: leaf.sh HOSTNAME ASN ROUTER_ID PROBE_INTERVAL PROBE_MISSES SWP2_MAC
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"

[[ $# == 6 ]] || die "usage: leaf.sh HOSTNAME ASN ROUTER_ID PROBE_INTERVAL PROBE_MISSES SWP2_MAC"
name=$1 asn=$2 router_id=$3 probe_interval=$4 probe_misses=$5 swp2_mac=$6
gateway=172.16.1.1/24

{
    echo '#!/bin/sh'
    echo 'set -e'
    wait_ports swp51 swp52 swp1
    cat <<SH
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip addr replace $router_id/32 dev lo
ip link show swp2 >/dev/null 2>&1 || ip link add swp2 address $swp2_mac type dummy
for port in swp1 swp2; do
    ip addr replace $gateway dev "\$port"
    sysctl -qw "net.ipv4.conf.\$port.proxy_arp=1"
done
for port in swp51 swp52 swp1; do ip link set dev "\$port" up; done
ip link set dev swp2 down
SH
} | install_ports_unit

install -d -m 755 /etc/neighd
render leaf.neighd.toml /etc/neighd/neighd.toml \
    hostname="$name" asn="$asn" router_id="$router_id" \
    probe_interval="$probe_interval" probe_misses="$probe_misses" \
    control_socket=/run/neighd/neighd.sock metrics_listen=127.0.0.1:9610

if [[ ! -f $STAGE/neighd ]]; then
    log "no neighd binary was provided (build it with cargo on the host): leaf without agent"
    exit 0
fi
# installed as neighd/dist/neighd.service says: binaries in /usr/sbin, the
# unit, its system user (sysusers), the route protocol name for `ip route`
[[ -f $STAGE/dist/neighd.service ]] || die "neighd binary without neighd/dist/neighd.service"
install -m 755 "$STAGE/neighd" /usr/sbin/neighd
if [[ -f $STAGE/neighctl ]]; then install -m 755 "$STAGE/neighctl" /usr/sbin/neighctl; fi
install -m 644 "$STAGE/dist/neighd.service" /etc/systemd/system/neighd.service
install -D -m 644 "$STAGE/dist/neighd.sysusers.conf" /usr/lib/sysusers.d/neighd.conf
systemd-sysusers
install -d /etc/iproute2/rt_protos.d
install -m 644 "$STAGE"/dist/rt_protos.d/*.conf /etc/iproute2/rt_protos.d/
/usr/sbin/neighd --config /etc/neighd/neighd.toml --check
systemctl daemon-reload
systemctl enable neighd.service
systemctl restart neighd.service
log "neighd up as $name (AS $asn, $router_id, probes every $probe_interval, $probe_misses misses)"
