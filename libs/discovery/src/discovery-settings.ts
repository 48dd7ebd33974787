/** `app_settings` key of the discovery settings (one JSON value). */
export const DISCOVERY_SETTINGS_KEY = 'discovery.settings';

/** Hard ceilings the settings themselves may not pass: a /20 of addresses, and a pace a home router survives. */
export const DISCOVERY_LIMITS = {
  maxAddresses: 4096,
  maxConcurrency: 256,
  maxConnectsPerSecond: 1000,
  maxPorts: 8,
  maxConnectTimeoutMs: 10_000,
} as const;

export interface DiscoverySettings {
  /** The only blocks a scan may target (IPv4 CIDR); empty: discovery is off. */
  allowedCidrs: string[];
  /** Largest scan, in addresses (a /22 by default). */
  maxAddresses: number;
  /** Connections open at once. */
  concurrency: number;
  /** New connections per second. */
  connectsPerSecond: number;
  /** Budget for one TCP connect plus the SSH banner and key read. */
  connectTimeoutMs: number;
  /** Ask the system resolver for each found host's name (getnameinfo: /etc/hosts, then DNS). */
  reverseDns: boolean;
}

export const DEFAULT_DISCOVERY_SETTINGS: DiscoverySettings = {
  allowedCidrs: [],
  maxAddresses: 1024,
  concurrency: 32,
  connectsPerSecond: 100,
  connectTimeoutMs: 2000,
  reverseDns: true,
};
