#!/bin/sh
# Lab shim installed as reboot, poweroff, halt, shutdown and systemctl (there is no systemd in lab machines).
# Asks PID 1 (tini, which forwards to lab-init) to reboot (SIGUSR1) or power off (SIGUSR2) after a short delay
# so the calling command (e.g. `sudo reboot` over SSH) can return first, like systemd does.
me=$(basename "$0")
sig=""; delay=1
case "$me" in
  reboot) sig=USR1 ;;
  poweroff|halt) sig=USR2 ;;
  shutdown)
    sig=USR2
    for a in "$@"; do
      case "$a" in
        -r|--reboot) sig=USR1 ;;
        -c) echo "shutdown: no scheduled shutdown (lab shim)"; exit 0 ;;
        now|+0) ;;
        +[0-9]*) delay=$(( ${a#+} * 60 )) ;;
      esac
    done ;;
  systemctl)
    case "${1:-}" in
      reboot) sig=USR1 ;;
      poweroff|halt) sig=USR2 ;;
      is-system-running) echo running; exit 0 ;;
      *) echo "systemctl: '$*' is not supported in lab machines (no systemd)" >&2; exit 1 ;;
    esac ;;
  *) echo "$me: unknown lab shim" >&2; exit 1 ;;
esac
if [ "$(id -u)" != 0 ]; then echo "$me: must be root" >&2; exit 1; fi
setsid sh -c "sleep $delay; kill -$sig 1" </dev/null >/dev/null 2>&1 &
exit 0
