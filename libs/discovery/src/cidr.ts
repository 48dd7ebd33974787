import ipaddr from 'ipaddr.js';

/** An IPv4 block, normalised to its network address (`10.213.4.0/24`). Discovery scans IPv4 only: an IPv6 prefix is
 * far too large to sweep, and SSH hosts there are found by name. */
export interface Ipv4Block {
  cidr: string;
  network: number;
  prefix: number;
}

function toInt(a: ipaddr.IPv4): number {
  return a.octets.reduce((n, o) => n * 256 + o, 0);
}

function toText(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * `a.b.c.d/n` or a bare address (a /32). Only the plain dotted-quad form: ipaddr.js also reads octal and short forms
 * (`010.1`), which nobody means in a scan target. Null when it is not one.
 */
export function parseIpv4Cidr(text: string): Ipv4Block | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  const [, address, bits] = m ?? [];
  if (!address || !ipaddr.IPv4.isValidFourPartDecimal(address)) return null;
  const prefix = bits === undefined ? 32 : Number(bits);
  if (prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const network = Math.floor(toInt(ipaddr.IPv4.parse(address)) / size) * size;
  return { cidr: `${toText(network)}/${prefix}`, network, prefix };
}

export function blockSize(b: Ipv4Block): number {
  return 2 ** (32 - b.prefix);
}

/** Whether `inner` lies wholly inside `outer`. */
export function blockContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.prefix >= outer.prefix && Math.floor(inner.network / blockSize(outer)) * blockSize(outer) === outer.network;
}

/** How many host addresses `hostAddresses` lists, without listing them (a /0 is four billion). */
export function hostCount(b: Ipv4Block): number {
  const size = blockSize(b);
  return size <= 2 ? size : size - 2;
}

/**
 * The host addresses of a block: without the network and broadcast addresses, except in a /31 or /32 where every
 * address is a host (RFC 3021).
 */
export function hostAddresses(b: Ipv4Block): string[] {
  const size = blockSize(b);
  const [from, to] = size <= 2 ? [0, size] : [1, size - 1];
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(toText(b.network + i));
  return out;
}

/** Whether one address is inside any of the blocks. */
export function addressAllowed(address: string, allowed: readonly Ipv4Block[]): boolean {
  const one = parseIpv4Cidr(address);
  return !!one && allowed.some((b) => blockContains(b, one));
}
