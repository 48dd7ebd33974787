import { APT_INSTALLED } from './unattended-upgrades.recipe.ts';

const NTP_INSTALLED = `{ ${APT_INSTALLED('systemd-timesyncd')} || ${APT_INSTALLED('chrony')}; }`;
const SERVERS = `servers=$(printf '%s ' {{#ntp_servers}}{{.}} {{/ntp_servers}} | sed 's/ *$//')`;
const CONF = '/etc/systemd/timesyncd.conf.d/su-ntp.conf';

/** The zone is the one asked for, a time synchronisation daemon is installed, and its servers are as asked. */
export const TIMEZONE_CHECK = `tz={{timezone}}; ${SERVERS}; [ "$(readlink /etc/localtime)" = "/usr/share/zoneinfo/$tz" ] && [ "$(cat /etc/timezone 2>/dev/null)" = "$tz" ] && ${NTP_INSTALLED} && if [ -n "$servers" ]; then grep -qxF "NTP=$servers" ${CONF}; else [ ! -e ${CONF} ]; fi`;

export const TIMEZONE_SCRIPT = `set -eu
tz={{timezone}}
${SERVERS}
[ -e "/usr/share/zoneinfo/$tz" ] || { echo "error: unknown time zone $tz" >&2; exit 2; }
ln -sf "/usr/share/zoneinfo/$tz" /etc/localtime
printf '%s\\n' "$tz" > /etc/timezone
export DEBIAN_FRONTEND=noninteractive
if ! ${NTP_INSTALLED}; then apt-get update -q; apt-get install -y -q systemd-timesyncd; fi
if [ -n "$servers" ]; then
  mkdir -p /etc/systemd/timesyncd.conf.d
  printf '[Time]\\nNTP=%s\\n' "$servers" > ${CONF}
else
  rm -f ${CONF}
fi
if command -v timedatectl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  timedatectl set-ntp true
  systemctl restart systemd-timesyncd 2>/dev/null || true
fi
echo "time zone $tz"
`;
