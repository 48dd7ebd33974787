/** A shell test that the package is installed (dpkg's own status). */
export const APT_INSTALLED = (pkg: string) =>
  `dpkg-query -W -f='\${Status}' ${pkg} 2>/dev/null | grep -q '^install ok installed$'`;

/**
 * The two files the profile owns. `#clear` empties the origins the distribution's 50unattended-upgrades lists (Debian's
 * includes the point-release archive), so only the security archives are left.
 */
export const UNATTENDED_FILES = {
  '/etc/apt/apt.conf.d/52su-unattended-upgrades': `// Written by system-update (profile unattended_upgrades_security): security updates only.
#clear Unattended-Upgrade::Origins-Pattern;
#clear Unattended-Upgrade::Allowed-Origins;
Unattended-Upgrade::Origins-Pattern {
        "origin=Debian,codename=\${distro_codename}-security,label=Debian-Security";
        "origin=Debian,codename=\${distro_codename},label=Debian-Security";
        "origin=\${distro_id},archive=\${distro_codename}-security";
};
`,
  '/etc/apt/apt.conf.d/20auto-upgrades': `APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
`,
};

const files = Object.entries(UNATTENDED_FILES);
const heredoc = (path: string, text: string) => `cat > '${path}.su-new' <<'SU_EOF'\n${text}SU_EOF`;

/** Installed, and both files exactly as written here. */
export const UNATTENDED_CHECK = [
  APT_INSTALLED('unattended-upgrades'),
  ...files.map(([path, text]) => `printf '%s' '${text.replace(/'/g, `'\\''`)}' | cmp -s - '${path}'`),
].join(' && ');

export const UNATTENDED_SCRIPT = `set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q unattended-upgrades
${files.map(([path, text]) => `${heredoc(path, text)}\nmv '${path}.su-new' '${path}'`).join('\n')}
# What unattended-upgrades will take from now on, as apt reads the configuration.
apt-config dump Unattended-Upgrade::Origins-Pattern
`;
