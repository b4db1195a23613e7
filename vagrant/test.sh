#!/usr/bin/env bash
# The seed 004 topology on VMs, end to end, in one command (as root on
# Debian 12): installs what is missing (Vagrant, vagrant-libvirt, libvirt,
# QEMU with the matching qemu-utils, mmdebstrap, extlinux), builds the local
# box if absent (box/build.sh) and neighd (cargo, release), starts libvirtd
# by hand when systemd is not running, `vagrant up`s the ten VMs, checks
# what a user of the seed demo would look at, and ALWAYS destroys the VMs.
#
# Checks:
#   1. all 12 container /32s on both spines (`show ip route`, printed)
#   2. a container on server01 reaches one on server04 (ping)
#   3. a container stopped: its /32 gone from both spines within the leaves'
#      detection time (probe_interval x probe_misses) plus propagation
#   4. the container started again: its /32 back on both spines
#
# Usage: vagrant/test.sh      (environment as in the Vagrantfile's header;
#   NEIGHD_KEEP=1 keeps the VMs for a look, `vagrant destroy -f` after)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
start=$(date +%s)
export VAGRANT_DEFAULT_PROVIDER=libvirt
export NEIGHD_BOX=${NEIGHD_BOX:-neighd/debian12}
export NEIGHD_PROBE_INTERVAL=${NEIGHD_PROBE_INTERVAL:-1s}
export NEIGHD_PROBE_MISSES=${NEIGHD_PROBE_MISSES:-3}
emulator=/usr/local/lib/neighd-vagrant/qemu-tcg-tb128
box_file=${NEIGHD_BOX_DIR:-/var/tmp/neighd-box}/neighd-debian12.box
work=$(mktemp -d /tmp/neighd-vagrant-test.XXXXXX)
passed=0
failed=0

calc() { awk "BEGIN { printf \"%.3f\\n\", $* }"; }
holds() { awk "BEGIN { exit !($*) }"; }
elapsed() { echo "$(($(date +%s) - start))s"; }
step() { echo "== [$(elapsed)] $*"; }
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
die() { echo "test.sh: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (apt-get, libvirt, loop mounts)"

# ---- what is missing -------------------------------------------------------
install_missing() {
    local want=() qemu_version
    command -v vagrant >/dev/null || want+=(vagrant)
    dpkg-query -W -f='${Status}' vagrant-libvirt 2>/dev/null | grep -q 'ok installed' || want+=(vagrant-libvirt)
    command -v libvirtd >/dev/null || want+=(libvirt-daemon-system libvirt-clients dnsmasq-base)
    command -v mmdebstrap >/dev/null || want+=(mmdebstrap)
    command -v extlinux >/dev/null || want+=(extlinux syslinux-common)
    command -v sfdisk >/dev/null || want+=(fdisk)
    if ! command -v qemu-system-x86_64 >/dev/null; then
        apt-get update -qq
        # Debian's qemu-system-x86 needs its own qemu-utils (a backport may be
        # installed): both at the same version
        qemu_version=$(apt-cache policy qemu-system-x86 | awk '/Candidate:/ {print $2}')
        want+=("qemu-system-x86=$qemu_version" "qemu-utils=$qemu_version")
    fi
    if ((${#want[@]})); then
        step "installing ${want[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades "${want[@]}" >/dev/null
    fi
}

start_libvirt() {
    if virsh -c qemu:///system version >/dev/null 2>&1; then return 0; fi
    if [[ $(ps -p 1 -o comm=) == systemd ]]; then
        systemctl start virtlogd libvirtd
    else
        step "starting virtlogd and libvirtd by hand (no systemd)"
        pidof virtlogd >/dev/null || virtlogd -d
        pidof libvirtd >/dev/null || libvirtd -d
    fi
    for _ in $(seq 60); do
        virsh -c qemu:///system version >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    die "libvirtd did not answer"
}

step "prerequisites"
install_missing
start_libvirt
install -D -m 755 "$here/qemu-tcg-tb128" "$emulator"

if [[ $NEIGHD_BOX == neighd/debian12 ]] && ! vagrant box list 2>/dev/null | grep -q '^neighd/debian12 .*libvirt'; then
    if [[ ! -f $box_file ]]; then
        step "building the box ($box_file)"
        "$here/box/build.sh" "$box_file"
    fi
    vagrant box add --force --name neighd/debian12 "$box_file" >/dev/null
    # vagrant-libvirt keeps a box's image in the storage pool: drop an old one
    virsh -c qemu:///system vol-list default 2>/dev/null | awk '$1 ~ /^neighd-VAGRANTSLASH-debian12_vagrant_box_image/ {print $1}' |
        while read -r volume; do virsh -c qemu:///system vol-delete --pool default "$volume" >/dev/null; done
fi

step "building neighd (release)"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
(cd "$repo" && cargo build --release --quiet -p neighd --bins)
# a copy: a build in the shared target dir during the run changes nothing
install -m 755 "$CARGO_TARGET_DIR/release/neighd" "$work/neighd"
install -m 755 "$CARGO_TARGET_DIR/release/neighctl" "$work/neighctl"
export NEIGHD_BIN=$work/neighd NEIGHD_CTL_BIN=$work/neighctl

# ---- up, and always down ---------------------------------------------------
cd "$here"
cleanup() {
    local rc=$?
    if [[ ${NEIGHD_KEEP:-0} == 1 ]]; then
        step "NEIGHD_KEEP=1: VMs kept (cd vagrant && vagrant destroy -f)"
    else
        step "destroying the VMs"
        vagrant destroy -f >"$work/destroy.log" 2>&1 || { cat "$work/destroy.log"; rc=1; }
    fi
    for socket in "$work"/ssh-*; do
        [[ -S $socket ]] && ssh -o ControlPath="$socket" -O exit x 2>/dev/null
    done
    rm -rf "$work"
    echo "== test.sh finished in $(elapsed) (exit $rc)"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# two waves (switches, then servers): ten emulated VMs booting at once on
# a small machine can outlast vagrant-libvirt's wait for a DHCP lease
up_log=${NEIGHD_UP_LOG:-/tmp/neighd-vagrant-up.log}
: >"$up_log"
for wave in "spine01 spine02 leaf01 leaf02 leaf03 leaf04" "server01 server02 server03 server04"; do
    step "vagrant up $wave (log: $up_log)"
    # shellcheck disable=SC2086 # the wave is a list of names
    if ! vagrant up $wave >>"$up_log" 2>&1; then
        grep -a -E -B2 -A6 '^An error occurred|rror:|Timeout|timed out' "$up_log" | tail -n 60
        die "vagrant up failed (full log: $up_log)"
    fi
done
grep -a -E '\] (neighd up|FRR|no neighd)' "$up_log" || true
step "topology up"

vagrant ssh-config >"$work/ssh.cfg"
on() {
    local host=$1
    shift
    ssh -F "$work/ssh.cfg" -o LogLevel=ERROR -o ControlMaster=auto \
        -o ControlPath="$work/ssh-%h" -o ControlPersist=600 "$host" "$@"
}
spines=(spine01 spine02)

# the number of container /32s a spine has installed (B>* lines)
host_routes() {
    on "$1" "sudo vtysh -c 'show ip route'" | grep -cE '^B>\* 172\.16\.1\.[0-9]+/32' || true
}
# whether a spine has installed PREFIX (B>*)
has_route() {
    on "$1" "sudo vtysh -c 'show ip route'" | grep -qE "^B>\* ${2//./\\.} "
}
# wait_spines LIMIT T0 CHECK: until CHECK holds on both spines or LIMIT
# seconds passed since T0; prints the seconds since T0
wait_spines() {
    local limit=$1 t0=$2 now
    shift 2
    while true; do
        if "$@" spine01 && "$@" spine02; then
            now=$(date +%s.%N)
            calc "$now - $t0"
            return 0
        fi
        now=$(date +%s.%N)
        if holds "$now - $t0 > $limit"; then return 1; fi
        sleep 0.2
    done
}
all_twelve() { [[ $(host_routes "$1") == 12 ]]; }
route_gone() { ! has_route "$1" 172.16.1.11/32; }
route_back() { has_route "$1" 172.16.1.11/32; }

step "check 1: the 12 container /32s on both spines"
if secs=$(wait_spines 600 "$(date +%s.%N)" all_twelve); then
    pass "12 container /32s on spine01 and spine02 (after ${secs}s more)"
else
    fail "not all 12 container /32s on both spines: spine01 $(host_routes spine01), spine02 $(host_routes spine02)"
fi
for spine in "${spines[@]}"; do
    echo "---- $spine: show ip route"
    on "$spine" "sudo vtysh -c 'show ip route'" | sed -n '/^[BCK]/p'
done
echo "---- leaf01: neighctl show hosts"
on leaf01 "sudo neighctl --socket /run/neighd/neighd.sock show hosts" || true

step "check 2: a container on server01 reaches one on server04"
if on server01 "sudo docker exec c11 ping -c 3 -W 2 172.16.1.41"; then
    pass "c11 (172.16.1.11, server01) reaches c41 (172.16.1.41, server04)"
else
    fail "c11 on server01 does not reach 172.16.1.41 on server04"
fi

interval_s=$(calc "$(echo "$NEIGHD_PROBE_INTERVAL" | sed -E 's|ms$|/1000|; s|s$||')")
detection=$(calc "$interval_s * $NEIGHD_PROBE_MISSES")
# plus the probes' reply grace (20 ms), the UPDATE to the spines and polling
allowed=$(calc "$detection + 3")
# the VM's clock minus the host's, in seconds (within half an SSH round trip)
clock_offset() {
    local h0 vm h1
    h0=$(date +%s.%N)
    vm=$(on "$1" 'date +%s.%N')
    h1=$(date +%s.%N)
    calc "$vm - ($h0 + $h1) / 2"
}

step "check 3: container c11 stopped -> 172.16.1.11/32 gone from both spines (detection ${detection}s, allowed ${allowed}s)"
# Docker under emulation takes seconds to stop a container; the container
# answers ARP until Docker removes its network endpoint, so the time is
# counted from Docker's "network disconnect" event (server01's clock,
# brought to the host's)
offset=$(clock_offset server01)
# shellcheck disable=SC2016 # expanded on server01
on server01 'since=$(date +%s); sudo docker stop c11 >/dev/null; date +%s.%N; sudo docker events --since "$since" --until "$(date +%s.%N)" --filter type=network --filter event=disconnect --format "{{.TimeNano}}"' >"$work/stop.out" &
stopper=$!
t0=$(date +%s.%N)
gone=$(wait_spines 120 "$t0" route_gone) || gone=""
wait "$stopper" || true
stopped=$(sed -n 1p "$work/stop.out")
disconnect_ns=$(sed -n 2p "$work/stop.out")
if [[ -z $gone ]]; then
    fail "172.16.1.11/32 still on a spine 120s after docker stop"
elif [[ -z $disconnect_ns ]]; then
    fail "no network disconnect event from Docker for c11 (docker stop: $(cat "$work/stop.out"))"
else
    gone_at=$(calc "$t0 + $gone")
    dead_at=$(calc "$disconnect_ns / 1000000000 - $offset")
    after=$(calc "$gone_at - $dead_at")
    echo "docker stop took $(calc "$stopped - $offset - $t0")s; c11's network removed $(calc "$dead_at - $t0")s after it was issued; route gone from both spines ${gone}s after"
    if holds "$after <= $allowed"; then
        pass "172.16.1.11/32 gone from both spines ${after}s after c11's network was removed (detection ${detection}s)"
    else
        fail "172.16.1.11/32 gone from both spines only ${after}s after c11's network was removed (allowed ${allowed}s)"
    fi
fi
on spine01 "sudo vtysh -c 'show ip route'" | grep -cE '^B>\* 172\.16\.1\.' | sed 's/^/spine01 container routes now: /'

step "check 4: container c11 started -> 172.16.1.11/32 back on both spines"
t0=$(date +%s.%N)
on server01 "sudo docker start c11" >/dev/null
if secs=$(wait_spines 120 "$t0" route_back); then
    pass "172.16.1.11/32 back on both spines ${secs}s after docker start"
else
    fail "172.16.1.11/32 not back on both spines 120s after docker start"
fi

step "checks done"
echo "$passed passed, $failed failed"
((failed == 0))
