import { PROBE_MARKER } from './probe.script.ts';

/**
 * The light periodic sample (issue 20, ADR 0044): the probe's metric sections only — CPU count, memory, file systems,
 * load and uptime — read-only, without sudo, on stdin of `sh -s`. The same markers as the probe, so one parser reads
 * both; `end` proves the output was not cut short.
 */
export const METRICS_SAMPLE_SCRIPT = String.raw`
LC_ALL=C; export LC_ALL
s() { printf '\n${PROBE_MARKER}%s@@\n' "$1"; }
s nproc; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
s meminfo; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo 2>/dev/null
s df; df -P -T -B1 2>/dev/null; df -P -T -B1 / /boot /boot/efi /home /var /var/lib /var/log /var/lib/docker /srv /opt /tmp 2>/dev/null
s loadavg; cat /proc/loadavg 2>/dev/null
s uptime; cat /proc/uptime 2>/dev/null
s end
`;
