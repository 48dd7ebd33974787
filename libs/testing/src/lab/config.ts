// Lab configuration: paths, addresses, users. Everything the lab creates is named with the lab's prefix (`sulab`)
// and lives in the 10.213.0.0/24 range on the lab's own bridge; the lab never routes anywhere else.
// SU_LAB_ID=N (1-9) gives a second, independent lab on the same host — prefix `sulN`, range 10.213.N.0/24, state
// /run/su-lab-N — so two pieces of work can each run lab tests at once without touching the other's machines.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function labId(): number {
  const raw = process.env.SU_LAB_ID;
  if (raw === undefined || raw === '' || raw === '0') return 0;
  if (!/^[1-9]$/.test(raw)) throw new Error('SU_LAB_ID must be a digit from 1 to 9 (or unset for the default lab)');
  return Number(raw);
}

const LAB_ID = labId();
export const LAB_PREFIX = LAB_ID === 0 ? 'sulab' : `sul${LAB_ID}`;
export const BRIDGE = `${LAB_PREFIX}0`;
export const SUBNET_PREFIX = `10.213.${LAB_ID}`;
export const HOST_ADDRESS = `${SUBNET_PREFIX}.1`;
export const NETMASK_BITS = 24;
export const REPO_PORT = 8080;
export const REGISTRY_PORT = 5000;
export const REPO_URL = `http://${HOST_ADDRESS}:${REPO_PORT}`;
export const REGISTRY_HOST = `${HOST_ADDRESS}:${REGISTRY_PORT}`;
export const SSH_PORT = 22;

/** Users every machine has. `admin` logs in with a password (and the lab key) and needs its password for sudo;
 * `deploy` logs in with the lab key only and has passwordless sudo. root cannot log in over SSH. */
export const USERS = {
  admin: { name: 'admin', password: 'lab-admin-pw', sudo: 'password' as const },
  deploy: { name: 'deploy', password: null, sudo: 'nopasswd' as const },
};

export const BASE_PACKAGES = [
  'openssh-server',
  'sudo',
  'ca-certificates',
  'iproute2',
  'procps',
  'docker.io',
  'iptables',
  'busybox-static',
  // Real Debian installs have it, and Ansible (the peer `npm run bench -- apt` compares with) needs it on targets.
  'python3',
];

export interface LabPaths {
  /** Cache outside the repo: base rootfs tarball, unpacked base, built .debs, docker-compose .deb. */
  cache: string;
  /** Runtime state: machines, repo, registry, keys, pids. */
  state: string;
  /** tools/lab in the repo (shell helpers). */
  tools: string;
}

const here = dirname(fileURLToPath(import.meta.url));

export function labPaths(): LabPaths {
  return {
    cache: resolve(process.env.SU_LAB_CACHE ?? join(homedir(), '.cache', 'system-update-lab')),
    state: resolve(process.env.SU_LAB_STATE ?? (LAB_ID === 0 ? '/run/su-lab' : `/run/su-lab-${LAB_ID}`)),
    tools: resolve(here, '../../../../tools/lab'),
  };
}

export function machineName(index: number): string {
  return `lab${index + 1}`;
}

export function machineAddress(index: number): string {
  return `${SUBNET_PREFIX}.${11 + index}`;
}
