// The one kernel → reboot rule, used by the analysis (an apply of this plan will need a reboot) and by the apply
// (this run changed a kernel: a reboot is needed). Kernels and boot firmware only take effect after a reboot, whether
// or not a hook wrote /run/reboot-required: Debian's kernel postinst writes it only when unattended-upgrades' hook is
// installed, and Proxmox VE's and Raspberry Pi OS's kernel packages never do.
import type { AptSnapshotDetail } from '@su/contracts';

// Debian/Ubuntu linux-image-* (Raspberry Pi OS bookworm's linux-image-rpi-* and linux-image-<abi>+rpt-rpi-* too),
// Proxmox VE pve-kernel-* (up to 7) and proxmox-kernel-* (8 on), Raspberry Pi OS raspberrypi-kernel and
// raspberrypi-bootloader (bullseye era). Not their tools or debug symbols (proxmox-kernel-helper, *-dbg).
const REBOOT_PACKAGE =
  /^(?:linux-image-\S+|(?:pve|proxmox)-kernel-(?!helper$)\S+|raspberrypi-kernel|raspberrypi-bootloader)$/;
const NOT_A_KERNEL = /-(?:dbg|dbgsym)$/;

/** The packages among `names` whose new version needs a reboot to run (a ":arch" qualifier is ignored). */
export function rebootPackages(names: readonly string[]): string[] {
  return [
    ...new Set(
      names.filter((n) => {
        const bare = n.replace(/:[a-z0-9-]+$/, '');
        return REBOOT_PACKAGE.test(bare) && !NOT_A_KERNEL.test(bare);
      }),
    ),
  ];
}

/**
 * What the analysis predicts for its plan (dist-upgrade's: upgrades and new installs): the kernel packages an apply
 * of it changes, so it will end with a reboot required. Held, phased and kept-back-only packages are not planned.
 */
export function rebootAfterApply(detail: Pick<AptSnapshotDetail, 'packages' | 'installed'>): {
  rebootAfterApply: boolean;
  rebootAfterApplyPkgs: string[];
} {
  const pkgs = rebootPackages([...detail.packages, ...(detail.installed ?? [])].map((p) => p.name));
  return { rebootAfterApply: pkgs.length > 0, rebootAfterApplyPkgs: pkgs };
}

/**
 * Root: records on the machine itself that a reboot is needed, as Ubuntu's kernel hook (update-notifier) does, so the
 * next analysis, the motd and unattended-upgrades' automatic reboot all see it, and a reboot clears it (/run).
 * The names come from `rebootPackages` (package-name characters only) and are passed as arguments, never as code.
 */
export function markRebootRequiredArgv(pkgs: readonly string[]): string[] {
  return [
    'sh',
    '-c',
    'touch /run/reboot-required && for p in "$@"; do grep -qxF "$p" /run/reboot-required.pkgs 2>/dev/null || echo "$p" >> /run/reboot-required.pkgs; done',
    'mark-reboot-required',
    ...pkgs,
  ];
}
