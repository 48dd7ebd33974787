// The lab's public shapes (machines, users, options) and its state file.
import type { MachineRecord } from './machine.ts';

export interface LabUser {
  name: string;
  /** Login password (null: key-only). */
  password: string | null;
  /** Password sudo asks for (null: NOPASSWD). */
  sudoPassword: string | null;
  privateKeyPath: string;
}

export interface LabMachine {
  name: string;
  address: string;
  sshPort: number;
  docker: boolean;
  users: { admin: LabUser; deploy: LabUser };
  /** SHA256:... of the current ed25519 host key (as `ssh-keygen -lf` prints it). */
  hostKeyFingerprint: string;
  hostKeyPublic: string;
}

export type MachineState = 'up' | 'booting' | 'rebooting' | 'off' | 'down';

export interface MachineStatus {
  name: string;
  address: string;
  state: MachineState;
  bootId: string;
  docker: boolean;
  initPid: number | null;
}

export interface UpOptions {
  machines?: number;
  docker?: boolean;
  /** Seconds a rebooting machine stays down (default 3). */
  rebootDelaySeconds?: number;
  /** Size of each machine's disk (tmpfs), default 3g. */
  diskSize?: string;
  log?: (m: string) => void;
}

export interface LabStateFile {
  created: string;
  machines: MachineRecord[];
  httpdPid: number | null;
  registryPid: number | null;
  /** apt-cacher-ng on the bridge, started on demand by startAptCacher. */
  aptCacherPid?: number | null;
  /** A repository asking for credentials (Proxmox enterprise-shaped), started on demand by startAuthRepo. */
  authRepoPid?: number | null;
  keyPath: string;
  timings: Record<string, number>;
}

export interface ExecOptions {
  input?: string;
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface SshOptions {
  /** 'password' (sshpass) or 'key' (the lab key). Default: password when the user has one. */
  auth?: 'password' | 'key';
  password?: string;
  input?: string;
  connectTimeoutSeconds?: number;
  timeoutMs?: number;
  /** Check the host key against the lab's known_hosts (default true). */
  strictHostKey?: boolean;
  knownHostsFile?: string;
}
