#!/usr/bin/env bash
# Seeds the fuzz corpora with real inputs. Run as root (it builds two
# scratch network namespaces and removes them on exit); needs ip, bridge,
# python3 and cargo.
#
#   config        the example configurations, leaf01.toml with its
#                 commented-out keys switched on, node.toml with quoted keys
#   neigh_decode  rtnetlink datagrams the kernel sent in the namespace,
#   fib_routes    recorded by examples/capture_seeds.rs with neighd's own
#                 socket: dumps of links, addresses, neighbours (one learned
#                 by a real ARP exchange), the bridge FDB and routes (ours in
#                 table 1000 under protocol 201, ECMP over IPv6 link-locals,
#                 a device route in an export table), answers, and the
#                 notifications of changes; fib_routes gets the route
#                 datagrams and answers with owner 201/1000 in front
#   control       request lines and the response lines of a real neighd
#                 running in the namespace (a live host behind br0, a peer
#                 that cannot be reached, an unnumbered one, an announcement)
#
# The kernel has no nlmon here, so the datagrams are recorded by the socket
# that asked for them rather than sniffed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crate="$here/.."
corpus="$here/corpus"
leaf="neighd-fuzz-seed-leaf-$$"
host="neighd-fuzz-seed-host-$$"
tmp=$(mktemp -d)
daemon=""

cleanup() {
  if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  ip netns del "$leaf" 2>/dev/null || true
  ip netns del "$host" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$corpus/config" "$corpus/control" "$corpus/neigh_decode" "$corpus/fib_routes"

# --- config ---------------------------------------------------------------
for f in "$crate"/examples/*.toml; do
  cp "$f" "$corpus/config/$(basename "$f")"
done
sed -E 's/^# (hold_time|password|export_table) /\1 /; s/^# (\[\[announce\]\]|prefix|communities) /\1 /' \
  "$crate/examples/leaf01.toml" >"$corpus/config/leaf01-all-keys.toml"
# keys may be quoted, and strings escaped: give the fuzzer both to mutate
sed -E 's/^description = "router"/description = "router\\tp3p1"/; s/^(asn|router_id|description) /"\1" /' \
  "$crate/examples/node.toml" >"$corpus/config/node-quoted-keys.toml"

# --- the namespaces ---------------------------------------------------------
# leaf: br0 (172.16.1.1/24, 2001:db8:1::1/64) with port swp1 towards the
# host namespace (172.16.1.11), uplinks swp51/swp52 (veth pairs whose other
# ends stay in the leaf), loopback 10.0.0.11.
ip netns add "$leaf"
ip netns add "$host"
L() { ip -n "$leaf" "$@"; }
L link set lo up
L addr add 10.0.0.11/32 dev lo
L link add br0 type bridge
L link add swp1 type veth peer name host1 netns "$host"
L link set swp1 master br0
L link add swp51 type veth peer name spine51
L link add swp52 type veth peer name spine52
for i in br0 swp1 swp51 spine51 swp52 spine52; do L link set "$i" up; done
L addr add 172.16.1.1/24 dev br0
L -6 addr add 2001:db8:1::1/64 dev br0 nodad
L addr add 10.1.1.1 peer 10.9.9.9/32 dev swp51
ip -n "$host" link set lo up
ip -n "$host" addr add 172.16.1.11/24 dev host1
ip -n "$host" link set host1 up
# neighbours in the states the tracker meets, and entries it must drop
L neigh add 172.16.1.12 lladdr 52:54:00:00:00:0c dev br0 nud stale
L neigh add 172.16.1.13 lladdr 52:54:00:00:00:0d dev br0 nud permanent
L neigh add 172.16.1.14 lladdr 52:54:00:00:00:0e dev br0 nud reachable extern_learn
L -6 neigh add 2001:db8:1::11 lladdr 52:54:00:00:00:0b dev br0 nud reachable router
L -6 neigh add fe80::1 lladdr 52:54:00:00:05:01 dev swp51 nud reachable router
L -6 neigh add fe80::2 lladdr 52:54:00:00:05:02 dev swp52 nud reachable router
L neigh add proxy 172.16.1.99 dev br0
bridge -n "$leaf" fdb add 52:54:00:00:00:0c dev swp1 master static
# routes: ours in table 1000 (single, ECMP via IPv6 link-locals, IPv6),
# one in main, a device route in export table 10, and others' routes
L route add 10.10.0.0/16 via inet6 fe80::1 dev swp51 proto 201 table 1000 metric 20
L route add 10.20.0.0/16 proto 201 table 1000 metric 20 \
  nexthop via inet6 fe80::1 dev swp51 nexthop via inet6 fe80::2 dev swp52
L route add 10.30.0.0/16 via 10.9.9.9 proto 201 table 1000 metric 20
L -6 route add 2001:db8:99::/48 via fe80::1 dev swp51 proto 201 table 1000 metric 20
L route add 10.40.0.0/16 via 172.16.1.12 proto 201 metric 20
L route add 172.16.1.11/32 dev br0 scope link proto 201 table 10
L route add default via 172.16.1.254 proto static
L route add 192.168.0.0/16 via 172.16.1.254 proto 196

# --- control: a real neighd --------------------------------------------------
target_dir="${CARGO_TARGET_DIR:-$crate/../target}"
(cd "$crate/.." && CARGO_TARGET_DIR="$target_dir" cargo build -q -p neighd --bin neighd)
cat >"$tmp/neighd.toml" <<EOF
[bgp]
asn = 65011
router_id = "10.0.0.11"
hostname = "leaf01"

[[bgp.neighbor]]
address = "192.0.2.99"
remote_as = 65020
description = "spine01 (unreachable)"

[[bgp.neighbor]]
interface = "swp52"
remote_as = "external"

[redistribute]
interfaces = ["br0"]
prefixes = ["172.16.1.0/24"]
probe_interval = "200ms"
communities = ["65000:100"]

[[announce]]
prefix = "10.0.0.11/32"

[fib]
table = 1001

[control]
socket = "$tmp/neighd.sock"
EOF
ip netns exec "$leaf" "$target_dir/debug/neighd" --config "$tmp/neighd.toml" >"$tmp/neighd.log" 2>&1 &
daemon=$!
ip netns exec "$host" ping -c 1 -W 2 172.16.1.1 >/dev/null
ask() {  # ask REQUEST_LINE: prints the daemon's response line
  python3 - "$tmp/neighd.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
line = b""
while not line.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    line += chunk
sys.stdout.buffer.write(line)
PY
}
for _ in $(seq 100); do
  [ -S "$tmp/neighd.sock" ] && ask '{"show":"hosts"}' 2>/dev/null | grep -q '"alive"' && break
  sleep 0.2
done
ask '{"show":"hosts"}' | grep -q '"alive"' || { cat "$tmp/neighd.log"; echo "the host never became alive" >&2; exit 1; }
n=0
for request in '{"show":"hosts"}' '{"show":"peers"}' '{"show":"routes"}' '{"show":"neighbours"}' 'show hosts'; do
  n=$((n + 1))
  printf '%s\n' "$request" >"$corpus/control/request-$n"
  ask "$request" >"$corpus/control/response-$n"
done
kill "$daemon"
wait "$daemon" || true
daemon=""

# --- netlink -------------------------------------------------------------------
(cd "$here" && cargo build -q --example capture_seeds)
ip netns exec "$leaf" "$here/target/debug/examples/capture_seeds" "$tmp/netlink" 201 1000 \
  "ip neigh change 172.16.1.12 lladdr 52:54:00:00:00:1c dev br0 nud reachable" \
  "ip neigh del 172.16.1.12 dev br0" \
  "ip -6 neigh del 2001:db8:1::11 dev br0" \
  "ip -6 addr del 2001:db8:1::1/64 dev br0" \
  "ip route replace 10.10.0.0/16 proto 201 table 1000 metric 20 nexthop via inet6 fe80::1 dev swp51 nexthop via inet6 fe80::2 dev swp52" \
  "ip route del 10.20.0.0/16 table 1000" \
  "ip link set swp1 nomaster" \
  "ip link set swp52 down" \
  "ip link add extra0 type veth peer name extra1" \
  "ip link del swp51"
cp "$tmp"/netlink/neigh_decode/* "$corpus/neigh_decode/"
cp "$tmp"/netlink/fib_routes/* "$corpus/fib_routes/"

for t in config control neigh_decode fib_routes; do
  echo "corpus/$t: $(find "$corpus/$t" -type f | wc -l) inputs"
done
