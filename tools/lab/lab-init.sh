#!/bin/sh
# Lab machine init (inside the machine, child of tini which is PID 1). Starts sshd (and dockerd when enabled),
# then waits. `reboot` (SIGUSR1 to PID 1) exits 133 like systemd-nspawn so the supervisor boots it again;
# `poweroff` (SIGUSR2/SIGTERM) exits 0 and the supervisor keeps it off.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
action=""
trap 'action=reboot' USR1
trap 'action=poweroff' USR2 TERM INT
log() { echo "lab-init[$(hostname)]: $*"; }
: > /run/utmp
rm -f /var/lib/dpkg/lock /var/lib/dpkg/lock-frontend 2>/dev/null
log "boot $(cat /proc/sys/kernel/random/boot_id)"
/usr/sbin/sshd -E /var/log/sshd.log || log "sshd failed to start"
if [ -f /etc/lab/docker-enabled ]; then
  dockerd >/var/log/dockerd.log 2>&1 &
  echo $! > /run/lab-dockerd.pid
fi
echo up > /run/lab-state
while [ -z "$action" ]; do
  sleep 3600 &
  wait $! 2>/dev/null
  kill $! 2>/dev/null
done
log "$action requested"
echo "$action" > /run/lab-state
# Drop SSH first (like a real shutdown would close sessions), then stop dockerd gracefully, then everything.
pkill -TERM -x sshd 2>/dev/null
if [ -f /run/lab-dockerd.pid ]; then
  dpid=$(cat /run/lab-dockerd.pid); kill -TERM "$dpid" 2>/dev/null
  i=0; while kill -0 "$dpid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
fi
kill -TERM -1 2>/dev/null; sleep 0.3; kill -KILL -1 2>/dev/null
sync
[ "$action" = reboot ] && exit 133
exit 0
