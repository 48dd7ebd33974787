#!/bin/sh
# Installs the Debian packages the lab needs (idempotent, non-interactive). Run as root before `npm run test:lab`.
set -eu
PKGS="apt-cacher-ng debootstrap zstd sshpass openssh-client dpkg-dev iproute2 util-linux busybox-static docker-registry ca-certificates debian-archive-keyring"
if [ "$(id -u)" != 0 ]; then echo "ci.sh: must run as root" >&2; exit 1; fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then echo "lab packages already installed"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
# The lab runs its own registry on the lab bridge; on systemd hosts the package starts a system-wide one on :5000.
# Same for apt-cacher-ng on :3142: the APT proxy lab test starts its own on the bridge.
if [ -d /run/systemd/system ]; then systemctl disable --now docker-registry apt-cacher-ng >/dev/null 2>&1 || true; fi
echo "installed:$missing"
