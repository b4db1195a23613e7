#!/usr/bin/env bash
# Installs the Debian packages neighd's tests, demo and benchmarks use:
# real BGP peers (FRR, BIRD 2, GoBGP), packet tools, iproute2. Idempotent;
# does nothing when everything is present.
set -euo pipefail

packages=(frr bird2 gobgpd tcpdump tshark iproute2 iputils-ping arping procps python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
