#!/bin/sh
# Lab machine boot (host side). Runs as PID 1 of a fresh PID+mount+UTS+IPC namespace, already inside the
# machine's network namespace (started by supervisor.sh via `nsenter --net=/run/netns/NS unshare ...`).
# Mounts the machine's pseudo file systems, gives it a fresh boot_id, pivots into its root and execs the
# machine's init (tini -> /usr/local/sbin/lab-init). Everything mounted here dies with the namespace.
# Usage: machine-boot.sh MACHINE_DIR
set -eu
M=$1
R=$M/root
# Host PID of this shell (host /proc is still mounted here, and sed is our child, so its PPid is us).
sed -n "s/^PPid:[[:space:]]*//p" /proc/self/status > "$M/init.pid"
mount --make-rprivate /
hostname "$(cat "$M/hostname")"
mount --bind "$R" "$R"            # pivot_root needs the new root to be a mount point of this namespace
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount --bind "$M/boot_id" "$R/proc/sys/kernel/random/boot_id"
mount -o remount,bind,ro "$R/proc/sys/kernel/random/boot_id"
mount -t sysfs -o nosuid,nodev,noexec,ro sysfs "$R/sys"
mount --rbind /sys/fs/cgroup "$R/sys/fs/cgroup"
mount -t tmpfs -o mode=755,size=1m,nosuid dev "$R/dev"
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  n=${d%%:*}; mm=${d#*:}; mknod -m 666 "$R/dev/$n" c "${mm%%:*}" "${mm#*:}"
done
mkdir -p "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
mount -t mqueue mqueue "$R/dev/mqueue" 2>/dev/null || true
mount -t tmpfs -o mode=755,size=256m,nosuid,nodev run "$R/run"
mkdir -p "$R/run/lock" "$R/run/sshd" "$R/run/systemd" && chmod 1777 "$R/run/lock"
# Mark the machine as a container the way real runtimes do (systemd-nspawn, LXC, podman): `container=` in PID 1's
# environment and /run/systemd/container, which is what systemd-detect-virt and the product's probe read.
echo su-lab > "$R/run/systemd/container"
mkdir -p "$R/var/lib/docker"
mount --bind "$M/disk/docker" "$R/var/lib/docker"
cd "$R"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
mount --make-rprivate /
rmdir /.oldroot 2>/dev/null || true
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 container=su-lab
if [ -x /usr/bin/tini ]; then exec /usr/bin/tini -- /usr/local/sbin/lab-init; fi
exec /usr/local/sbin/lab-init
