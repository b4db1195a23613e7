#!/usr/bin/env bash
# Spine: FRR from integration/templates/spine.frr.conf; ports swp1..swp4 up
# (unnumbered: IPv6 link-local only), forwarding on.
# Usage: spine.sh HOSTNAME ASN ROUTER_ID
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"

[[ $# == 3 ]] || die "usage: spine.sh HOSTNAME ASN ROUTER_ID"
name=$1 asn=$2 router_id=$3
ports=(swp1 swp2 swp3 swp4)

ensure_packages frr
{
    echo '#!/bin/sh'
    echo 'set -e'
    wait_ports "${ports[@]}"
    cat <<SH
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for port in ${ports[*]}; do ip link set dev "\$port" up; done
SH
} | install_ports_unit

render spine.frr.conf /etc/frr/frr.conf hostname="$name" asn="$asn" router_id="$router_id"
chown frr:frr /etc/frr/frr.conf
chmod 640 /etc/frr/frr.conf
sed -i 's/^bgpd=no/bgpd=yes/' /etc/frr/daemons
# one frr.conf for all daemons (no per-daemon files, vtysh reads the same)
rm -f /etc/frr/vtysh.conf.dpkg-* 2>/dev/null || true
systemctl enable frr.service
# under heavy emulation FRR's start can outlast its unit's timeout; the
# unit restarts it by itself, so wait for bgpd to answer instead
systemctl restart frr.service || log "frr.service start timed out; waiting for its restart"
wait_for 600 "bgpd answering" vtysh -c 'show bgp summary'
log "FRR $(vtysh -c 'show version' | head -n1 | awk '{print $2}') up as $name (AS $asn, $router_id)"
