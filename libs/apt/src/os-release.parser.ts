/** The OS version an analysis reports: Debian's point release ("12.10") when known, else os-release's VERSION_ID. */
export function parseOsVersion(output: string): string {
  const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(output)?.[1]?.trim() ?? '';
  const id = field('ID');
  const debian = field('DEBIAN_VERSION_FULL');
  // debian_version is "12.10" on Debian, "trixie/sid" on testing and e.g. "bookworm/sid" on Ubuntu: numeric only.
  if (id === 'debian' && /^\d+(\.\d+)*$/.test(debian)) return debian;
  return field('VERSION_ID') || debian;
}
