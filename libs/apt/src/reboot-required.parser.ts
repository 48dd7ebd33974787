// Debian's reboot flag: /run/reboot-required exists (often empty, as the lab's packages leave it) and
// /run/reboot-required.pkgs names the packages that asked for it.

export interface RebootRequired {
  rebootRequired: boolean;
  rebootPkgs: string[];
}

/** Parses the output of REBOOT_REQUIRED_ARGV: "yes"/"no" then the .pkgs lines. */
export function parseRebootRequired(output: string): RebootRequired {
  const [flag, ...rest] = output.split(/\r?\n/).map((l) => l.trim());
  const rebootPkgs = [...new Set(rest.filter((l) => /^[a-z0-9][a-z0-9+.:-]*$/.test(l)))];
  return { rebootRequired: flag === 'yes', rebootPkgs };
}

// Kernels and boot firmware that only take effect after a reboot, whether or not a hook wrote /run/reboot-required
// (Debian's kernel postinst writes it only when unattended-upgrades' hook is installed; Proxmox's and Raspberry Pi
// OS's kernel packages never do): Debian/Ubuntu linux-image-*, Proxmox VE pve-kernel-* / proxmox-kernel-*, Raspberry
// Pi OS raspberrypi-kernel / raspberrypi-bootloader (bullseye) and linux-image-rpi-* (bookworm, a linux-image-*).
const REBOOT_PACKAGE =
  /^(linux-image-\S+|pve-kernel-\S+|proxmox-kernel-\S+|raspberrypi-kernel|raspberrypi-bootloader)$/;

/** The packages among `names` whose new version needs a reboot to run. */
export function rebootPackages(names: readonly string[]): string[] {
  return [...new Set(names.filter((n) => REBOOT_PACKAGE.test(n.replace(/:[a-z0-9-]+$/, ''))))];
}
