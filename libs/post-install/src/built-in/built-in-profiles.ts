import { APT_INSTALLED, UNATTENDED_CHECK, UNATTENDED_SCRIPT } from './unattended-upgrades.recipe.ts';
import { TIMEZONE_CHECK, TIMEZONE_SCRIPT } from './timezone-ntp.recipe.ts';

/** A profile that ships with the product: seeded once (by its stable key) so a fresh install has it. */
export interface BuiltInProfile {
  key: string;
  label: string;
  category: string;
  risk: 'low' | 'high';
  /** What the profile runs when it is not a recipe (the bootstrap is the `bootstrap` action). */
  profileManifest?: { action: 'bootstrap'; description: string };
  recipe?: { label: string; sourceType: 'apt_packages' | 'custom'; template: string; manifest: object };
}

const packagesVariable = (defaults: string[]) => ({
  type: 'list',
  required: true,
  description: 'Debian package names, installed from the machine’s configured repositories',
  default: defaults,
});

/** Every listed package installed: the check of the base tools (no apt-get run when they all are). */
const BASE_TOOLS_CHECK = `for p in {{#packages}}{{.}} {{/packages}}; do ${APT_INSTALLED('"$p"')} || exit 1; done`;

const BASE_TOOLS_SCRIPT = `set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends {{#packages}}{{.}} {{/packages}}
for p in {{#packages}}{{.}} {{/packages}}; do dpkg-query -W -f='\${Package} \${Version}\\n' "$p"; done
`;

const DOCKER_CHECK = `${APT_INSTALLED('docker.io')}`;

const DOCKER_SCRIPT = `set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The distribution's own packages (not docker-ce from Docker's repository): updated with the rest of the system.
apt-get install -y -q docker.io
# Compose v2 where the distribution has it (docker-compose-v2 on Ubuntu, docker-compose 2.x on Debian trixie).
for c in docker-compose-v2 docker-compose; do
  if apt-cache policy "$c" 2>/dev/null | grep -q 'Candidate: [0-9]'; then apt-get install -y -q "$c"; break; fi
done
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl enable --now docker; fi
docker --version
`;

export const BUILT_IN_PROFILES: readonly BuiltInProfile[] = [
  {
    key: 'base_tools',
    label: 'Base tools',
    category: 'base',
    risk: 'low',
    recipe: {
      label: 'APT packages',
      sourceType: 'apt_packages',
      template: BASE_TOOLS_SCRIPT,
      manifest: {
        variables: {
          packages: packagesVariable(['ca-certificates', 'curl', 'htop', 'less', 'rsync', 'vim-tiny']),
        },
        check: BASE_TOOLS_CHECK,
        sudo: true,
        timeoutSeconds: 1800,
      },
    },
  },
  {
    key: 'unattended_upgrades_security',
    label: 'Unattended upgrades (security only)',
    category: 'updates',
    risk: 'low',
    recipe: {
      label: 'unattended-upgrades for the security archive only',
      sourceType: 'custom',
      template: UNATTENDED_SCRIPT,
      manifest: { variables: {}, check: UNATTENDED_CHECK, sudo: true, timeoutSeconds: 1800 },
    },
  },
  {
    key: 'timezone_ntp',
    label: 'Time zone and NTP',
    category: 'base',
    risk: 'low',
    recipe: {
      label: 'Time zone and time synchronisation',
      sourceType: 'custom',
      template: TIMEZONE_SCRIPT,
      manifest: {
        variables: {
          timezone: {
            type: 'string',
            required: true,
            default: 'Etc/UTC',
            pattern: '[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+){0,2}',
            description: 'An IANA time zone (Europe/Paris)',
          },
          ntp_servers: { type: 'list', default: [], description: 'NTP servers (empty: the distribution’s)' },
        },
        check: TIMEZONE_CHECK,
        sudo: true,
        timeoutSeconds: 900,
      },
    },
  },
  {
    key: 'docker_engine',
    label: 'Docker engine (distribution packages)',
    category: 'containers',
    // It changes the machine's firewall rules and networking: a person approves it.
    risk: 'high',
    recipe: {
      label: 'docker.io and Compose from the distribution',
      sourceType: 'apt_packages',
      template: DOCKER_SCRIPT,
      manifest: { variables: {}, check: DOCKER_CHECK, sudo: true, timeoutSeconds: 1800 },
    },
  },
  {
    key: 'bootstrap',
    label: 'Bootstrap an automation user',
    category: 'access',
    risk: 'high',
    profileManifest: {
      action: 'bootstrap',
      description:
        'Creates a user with a fresh ed25519 key and a NOPASSWD sudoers drop-in (visudo -c), verifies a key login and sudo, then switches the machine’s credentials to the key and forgets the password.',
    },
  },
];
