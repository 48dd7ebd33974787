/**
 * The machine probe: a read-only POSIX sh script sent on stdin of `sh -s` (never in argv), run as the login user
 * without sudo. Each section starts with a marker line so the parser does not depend on what a command prints.
 * Every command tolerates absence (minimal containers have no systemd-detect-virt, no DMI, no docker). The hostname is
 * the machine's own (/etc/hostname), not the kernel's node name; `df` is asked about the mounts that matter by path
 * too, as a chroot-style machine (no mount table of its own) lists nothing to a plain `df`.
 */
export const PROBE_MARKER = '@@su:';

export const PROBE_SCRIPT = String.raw`
LC_ALL=C; export LC_ALL
s() { printf '\n${PROBE_MARKER}%s@@\n' "$1"; }
s os-release; cat /etc/os-release 2>/dev/null
s hostname; sed -n '/^[[:space:]]*[^#[:space:]]/{p;q;}' /etc/hostname 2>/dev/null
s nodename; cat /proc/sys/kernel/hostname 2>/dev/null || hostname 2>/dev/null
s uname; uname -r 2>/dev/null; uname -m 2>/dev/null
s detect-virt; if command -v systemd-detect-virt >/dev/null 2>&1; then systemd-detect-virt 2>/dev/null; fi
s container; cat /run/systemd/container 2>/dev/null; echo; [ -e /.dockerenv ] && echo docker; [ -e /run/.containerenv ] && echo podman; tr '\0' '\n' < /proc/1/environ 2>/dev/null | sed -n 's/^container=//p'
s dmi; for f in sys_vendor product_name; do printf '%s=%s\n' "$f" "$(cat /sys/class/dmi/id/$f 2>/dev/null)"; done
s dt-model; tr -d '\0' < /proc/device-tree/model 2>/dev/null
s cpuinfo; grep -m1 -E '^(model name|Model|Hardware|cpu model|Processor)[[:space:]]*:' /proc/cpuinfo 2>/dev/null
s cpu-flags; grep -m1 -o -w hypervisor /proc/cpuinfo 2>/dev/null
s nproc; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
s meminfo; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo 2>/dev/null
s df; df -P -T -B1 2>/dev/null; df -P -T -B1 / /boot /boot/efi /home /var /var/lib /var/log /var/lib/docker /srv /opt /tmp 2>/dev/null
s loadavg; cat /proc/loadavg 2>/dev/null
s boot-id; cat /proc/sys/kernel/random/boot_id 2>/dev/null
s uptime; cat /proc/uptime 2>/dev/null
s pve; [ -d /etc/pve ] && echo yes
s docker; if command -v docker >/dev/null 2>&1; then docker --version 2>/dev/null || echo installed; fi
s apt; if command -v apt-get >/dev/null 2>&1; then if [ -r /var/lib/dpkg/status ]; then echo usable; else echo "dpkg status unreadable"; fi; else echo "apt-get not found"; fi
s end
`;
