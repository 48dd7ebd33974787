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
