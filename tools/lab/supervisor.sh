#!/bin/sh
# Lab machine supervisor (host side, one per machine, started detached by the lab; PID in MACHINE_DIR/supervisor.pid).
# (nsenter --net rather than `ip netns exec`: the latter remounts /sys and would hide the host cgroup mounts.)
# Boots the machine whenever MACHINE_DIR/desired is "run"; exit 133 from the machine means reboot: stay down
# MACHINE_DIR/reboot_delay seconds, then boot again with a fresh boot_id.
# Usage: supervisor.sh MACHINE_DIR TOOLS_DIR
M=$1
T=$2
NS=$(cat "$M/netns")
echo $$ > "$M/supervisor.pid"
trap 'exit 0' TERM INT
while :; do
  while [ "$(cat "$M/desired")" != run ]; do echo off > "$M/state"; sleep 0.2; done
  cat /proc/sys/kernel/random/uuid > "$M/boot_id"
  echo booting > "$M/state"
  echo "supervisor: boot $(cat "$M/boot_id") at $(date -Is)" >> "$M/console.log"
  nsenter --net="/run/netns/$NS" unshare --pid --mount --uts --ipc --fork --kill-child -- /bin/sh "$T/machine-boot.sh" "$M" >> "$M/console.log" 2>&1 &
  echo $! > "$M/boot.pid"
  wait $!
  rc=$?
  rm -f "$M/init.pid" "$M/boot.pid"
  echo "supervisor: machine exited rc=$rc at $(date -Is)" >> "$M/console.log"
  if [ "$rc" = 133 ]; then
    echo rebooting > "$M/state"
    sleep "$(cat "$M/reboot_delay" 2>/dev/null || echo 3)"
  elif [ "$(cat "$M/desired")" = run ]; then
    echo off > "$M/desired"
  fi
done
