#!/usr/bin/env bash
# The seed 004 demo (Cumulus docker-macvlan "redistribute neighbor") in
# network namespaces, in about two minutes, on a Debian 12 machine as root:
# two FRR spines, four leaves running neighd, four servers with three
# macvlan containers each. It prints what the spines route (the seed's
# `show ip route`), then removes, adds and moves containers and shows the
# routes following. Everything is removed at the end, and on Ctrl-C.
#
# Installs what is missing first: the Debian packages (scripts/install-deps.sh)
# and, if there is no cargo, Rust with rustup (needs curl and a C linker).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (it builds network namespaces)" >&2
  exit 1
fi

scripts/install-deps.sh

ensure_rust() {
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null 2>&1 && return 0
  local need=()
  command -v curl >/dev/null 2>&1 || need+=(curl ca-certificates)
  command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  if [ ${#need[@]} -gt 0 ]; then
    echo "demo: installing ${need[*]} (for Rust)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
  echo "demo: installing Rust with rustup (minimal profile)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  export PATH="$HOME/.cargo/bin:$PATH"
}
ensure_rust

echo "demo: building neighd, neighctl and the fabric (release)"
cargo build --release --quiet -p neighd -p integration --bin neighd --bin neighctl --bin fabric

# the fabric binary removes the fabric itself on exit, Ctrl-C (SIGINT),
# SIGTERM and SIGHUP; a run killed harder is cleaned by the next one
exec target/release/fabric demo --prefix demo-
