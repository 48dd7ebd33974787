import { describe, expect, it } from 'vitest';
import { addressAllowed, blockContains, blockSize, hostAddresses, parseIpv4Cidr } from './cidr.ts';

describe('IPv4 CIDR', () => {
  it('normalises to the network address and reads a bare address as a /32', () => {
    expect(parseIpv4Cidr('10.213.4.77/24')?.cidr).toBe('10.213.4.0/24');
    expect(parseIpv4Cidr('192.168.1.5')?.cidr).toBe('192.168.1.5/32');
    expect(blockSize(parseIpv4Cidr('10.0.0.0/22')!)).toBe(1024);
  });

  it('refuses what is not a plain dotted quad with a prefix up to 32', () => {
    for (const bad of ['10.1', '010.1.1.1/8x', '10.0.0.256/24', '10.0.0.0/33', '::1/128', '', '10.0.0.0/-1', 'a.b.c.d'])
      expect(parseIpv4Cidr(bad), bad).toBeNull();
  });

  it('contains only blocks wholly inside', () => {
    const lab = parseIpv4Cidr('10.213.4.0/24')!;
    expect(blockContains(lab, parseIpv4Cidr('10.213.4.128/25')!)).toBe(true);
    expect(blockContains(lab, parseIpv4Cidr('10.213.4.0/24')!)).toBe(true);
    expect(blockContains(lab, parseIpv4Cidr('10.213.0.0/16')!)).toBe(false);
    expect(blockContains(lab, parseIpv4Cidr('10.213.5.0/24')!)).toBe(false);
    expect(addressAllowed('10.213.4.11', [lab])).toBe(true);
    expect(addressAllowed('127.0.0.1', [lab])).toBe(false);
  });

  it('lists host addresses without network and broadcast, except in a /31 or /32', () => {
    const hosts = hostAddresses(parseIpv4Cidr('10.213.4.0/24')!);
    expect(hosts).toHaveLength(254);
    expect(hosts[0]).toBe('10.213.4.1');
    expect(hosts.at(-1)).toBe('10.213.4.254');
    expect(hostAddresses(parseIpv4Cidr('127.0.0.1/32')!)).toEqual(['127.0.0.1']);
    expect(hostAddresses(parseIpv4Cidr('10.0.0.0/31')!)).toEqual(['10.0.0.0', '10.0.0.1']);
  });
});
