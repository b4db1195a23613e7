# shellcheck shell=bash
# Helpers shared by the role provisioners (sourced, run as root in the guest).

STAGE=/tmp/neighd-vagrant
TEMPLATES=$STAGE/templates

log() { echo "[$(hostname)] $*"; }
die() { echo "[$(hostname)] error: $*" >&2; exit 1; }

# render TEMPLATE OUT name=value...: replaces each {{name}} (the templates'
# syntax, integration/templates/README.md); fails if a {{ is left.
render() {
    local template=$1 out=$2 pair
    shift 2
    local args=()
    for pair in "$@"; do
        args+=(-e "s|{{${pair%%=*}}}|${pair#*=}|g")
    done
    sed "${args[@]}" "$TEMPLATES/$template" >"$out.tmp"
    if grep -n '{{' "$out.tmp" >&2; then
        rm -f "$out.tmp"
        die "$template: placeholder left unreplaced"
    fi
    mv "$out.tmp" "$out"
}

# install_ports_unit SCRIPT: SCRIPT (read from stdin) sets up the node's
# ports; it is run now and at every boot, before FRR, neighd and Docker.
install_ports_unit() {
    install -m 755 /dev/stdin /usr/local/sbin/neighd-ports
    cat >/etc/systemd/system/neighd-ports.service <<'UNIT'
[Unit]
Description=Fabric ports of the neighd topology (addresses, sysctls, links up)
After=systemd-udevd.service systemd-udev-settle.service
Wants=systemd-udev-settle.service
Before=network.target frr.service neighd.service docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/neighd-ports

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload
    systemctl enable neighd-ports.service
    systemctl restart neighd-ports.service
}

# wait_ports NAME...: the shell lines (for a ports script) that wait up to
# 60 s for the renamed NICs to exist.
wait_ports() {
    cat <<SH
for port in $*; do
    i=0
    while ! ip link show "\$port" >/dev/null 2>&1; do
        i=\$((i + 1)); [ "\$i" -lt 600 ] || { echo "no \$port" >&2; exit 1; }
        sleep 0.1
    done
done
SH
}

# wait_for SECONDS WHAT CMD...: until CMD succeeds, or dies after SECONDS.
wait_for() {
    local limit=$1 what=$2 i
    shift 2
    for ((i = 0; i < limit; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    die "$what: not after ${limit}s"
}

# ensure_packages PKG...: installs what the box lacks (the public box has
# neither FRR nor Docker; the local box has both).
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
}
