#!/usr/bin/env bash
# Builds the local Vagrant box for the neighd topology from Debian packages
# alone (no Vagrant Cloud): a Debian 12 (bookworm) root made with
# mmdebstrap -- systemd, openssh-server, sudo, the cloud kernel, FRR,
# docker.io, busybox-static (the containers' image is made from it on the
# servers) -- on an ext4 partition booted by extlinux, with the `vagrant`
# user holding Vagrant's published insecure public key (taken from the
# vagrant package installed on this machine). Packaged as a libvirt box.
#
# Usage (as root): vagrant/box/build.sh [OUTPUT.box]
#   default output: ${NEIGHD_BOX_DIR:-/var/tmp/neighd-box}/neighd-debian12.box
# Needs: mmdebstrap, extlinux, syslinux-common, e2fsprogs, fdisk (sfdisk),
# qemu-utils, vagrant (for the key). About a minute or two here.
set -euo pipefail

out=${1:-${NEIGHD_BOX_DIR:-/var/tmp/neighd-box}/neighd-debian12.box}
mirror=${NEIGHD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${NEIGHD_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
disk_gib=8

die() { echo "box/build.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "must run as root (loop mount, extlinux)"
for tool in mmdebstrap extlinux sfdisk mkfs.ext4 qemu-img losetup; do
    command -v "$tool" >/dev/null || die "missing $tool"
done
mbr=/usr/lib/syslinux/mbr/mbr.bin
[[ -f $mbr ]] || die "missing $mbr (apt-get install syslinux-common)"

# Vagrant's published insecure public key, as the vagrant package ships it
pubkey=""
for candidate in /usr/share/vagrant/keys/vagrant.pub \
    /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub \
    /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
    if [[ -f $candidate ]]; then pubkey=$candidate; break; fi
done
[[ -n $pubkey ]] || die "Vagrant's insecure public key not found (apt-get install vagrant)"

work=$(mktemp -d /var/tmp/neighd-box.XXXXXX)
loopdev=""
cleanup() {
    if mountpoint -q "$work/mnt" 2>/dev/null; then umount "$work/mnt"; fi
    if [[ -n $loopdev ]]; then losetup -d "$loopdev" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
packages=(
    systemd-sysv udev dbus openssh-server sudo linux-image-cloud-amd64
    initramfs-tools zstd iproute2 iputils-ping procps
    frr docker.io busybox-static
)
echo "== mmdebstrap (bookworm: ${packages[*]})"
# the daemons stay disabled in the box; the provisioners enable what a role needs
mmdebstrap --variant=apt --include="$(IFS=,; echo "${packages[*]}")" \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="cp '$pubkey' \"\$1/tmp/vagrant.pub\"" \
    --customize-hook="chroot \"\$1\" /bin/sh -s < '$(dirname "$0")/customize.sh'" \
    bookworm "$root" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main"

kernels=("$root"/boot/vmlinuz-*)
initrds=("$root"/boot/initrd.img-*)
[[ -f ${kernels[0]} && -f ${initrds[0]} ]] || die "no kernel/initrd in the root"
kernel=${kernels[0]##*/}
initrd=${initrds[0]##*/}

echo "== disk image (${disk_gib} GiB, one ext4 partition, extlinux)"
raw=$work/disk.raw
truncate -s "${disk_gib}G" "$raw"
echo 'start=2048, type=83, bootable' | sfdisk -q "$raw"
uuid=$(cat /proc/sys/kernel/random/uuid)
# features syslinux 6.04 reads (no 64bit, no metadata_csum_seed)
loopdev=$(losetup -f --show -o $((2048 * 512)) "$raw")
mkfs.ext4 -q -F -L root -U "$uuid" -O '^64bit,^metadata_csum_seed' -d "$root" "$loopdev"
mkdir -p "$work/mnt"
mount "$loopdev" "$work/mnt"
mkdir -p "$work/mnt/boot/extlinux"
cat >"$work/mnt/boot/extlinux/extlinux.conf" <<CONF
default debian
timeout 1
label debian
  kernel /boot/$kernel
  append initrd=/boot/$initrd root=UUID=$uuid rw console=ttyS0,115200 net.ifnames=0 biosdevname=0 apparmor=0 mitigations=off quiet
CONF
echo "UUID=$uuid / ext4 defaults,noatime 0 1" >"$work/mnt/etc/fstab"
extlinux --install "$work/mnt/boot/extlinux" >/dev/null
umount "$work/mnt"
losetup -d "$loopdev"
loopdev=""
dd if="$mbr" of="$raw" bs=440 count=1 conv=notrunc status=none

echo "== box"
qemu-img convert -O qcow2 "$raw" "$work/box.img"
cat >"$work/metadata.json" <<JSON
{"provider": "libvirt", "format": "qcow2", "virtual_size": $disk_gib}
JSON
cat >"$work/Vagrantfile" <<'VF'
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    lv.driver = "qemu"
  end
end
VF
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out.tmp" metadata.json Vagrantfile box.img
mv "$out.tmp" "$out"
echo "== built $out ($(du -h "$out" | cut -f1))"
