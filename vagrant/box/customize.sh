#!/bin/sh
# Runs inside the box's root (chroot) at the end of mmdebstrap: the vagrant
# user with Vagrant's insecure key, the management NIC on DHCP, SSH host
# keys made at first boot, and the role daemons (FRR, Docker) left disabled
# for the provisioners to enable.
set -eu

echo neighd-box >/etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 neighd-box\n::1 localhost ip6-localhost ip6-loopback\n' >/etc/hosts

# the vagrant user (password "vagrant", passwordless sudo, the insecure key)
useradd -m -s /bin/bash -G sudo vagrant
echo vagrant:vagrant | chpasswd
echo 'vagrant ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/vagrant
chmod 440 /etc/sudoers.d/vagrant
install -d -m 700 -o vagrant -g vagrant /home/vagrant/.ssh
install -m 600 -o vagrant -g vagrant /tmp/vagrant.pub /home/vagrant/.ssh/authorized_keys
rm -f /tmp/vagrant.pub

# the management NIC (eth0, the kernel's first name; net.ifnames=0) on DHCP;
# networkd leaves routes of FRR and neighd alone
mkdir -p /etc/systemd/network /etc/systemd/networkd.conf.d
cat >/etc/systemd/network/10-mgmt.network <<'NET'
[Match]
Name=eth0

[Network]
DHCP=ipv4

[DHCPv4]
ClientIdentifier=mac
NET
cat >/etc/systemd/networkd.conf.d/foreign.conf <<'NET'
[Network]
ManageForeignRoutes=no
ManageForeignRoutingPolicyRules=no
NET
systemctl enable systemd-networkd.service
systemctl mask systemd-networkd-wait-online.service

# SSH host keys per VM, made at first boot: only ed25519 (RSA and ECDSA
# key generation take long under emulation)
rm -f /etc/ssh/ssh_host_*
cat >/etc/ssh/sshd_config.d/10-box.conf <<'SSH'
HostKey /etc/ssh/ssh_host_ed25519_key
UseDNS no
SSH
cat >/etc/systemd/system/ssh-hostkeys.service <<'UNIT'
[Unit]
Description=SSH host key (ed25519) at first boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable ssh-hostkeys.service

# a machine id per VM (DHCP, journald)
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id

# small guests: volatile journal, no periodic jobs, role daemons off
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' >/etc/systemd/journald.conf.d/small.conf
for unit in frr.service docker.service docker.socket containerd.service \
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
    dpkg-db-backup.timer; do
    systemctl disable "$unit" 2>/dev/null || true
done

# a small initramfs (the disk's drivers only; ext4 is built in): under
# emulation unpacking the default one takes long
printf 'MODULES=list\n' >/etc/initramfs-tools/conf.d/box.conf
printf 'virtio_pci\nvirtio_blk\n' >>/etc/initramfs-tools/modules
update-initramfs -u -k all

# boot-time units a test VM does without
for unit in sys-kernel-debug.mount sys-kernel-tracing.mount dev-hugepages.mount \
    systemd-pstore.service e2scrub_reap.service modprobe@loop.service \
    modprobe@drm.service modprobe@fuse.service systemd-network-generator.service; do
    systemctl mask "$unit" 2>/dev/null || true
done

apt-get clean
rm -rf /var/lib/apt/lists/*
