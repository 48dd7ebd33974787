import { describe, expect, it } from 'vitest';
import { isHostnameOrIp } from './hostname.validator.ts';

describe('isHostnameOrIp', () => {
  it('accepts host names, fully qualified names and IP addresses', () => {
    for (const v of ['web1', 'web-1.lan', 'db.example.org.', '10.0.0.5', '::1', 'fe80::1', 'a'.repeat(63)])
      expect(isHostnameOrIp(v), v).toBe(true);
  });

  it('refuses anything that could be more than a host to connect to', () => {
    const refused = [
      '',
      '-web',
      'web-',
      'web_1',
      'web 1',
      'web1;reboot',
      '$(id)',
      'user@web1',
      'web1:22',
      'a'.repeat(64),
      `${'a.'.repeat(127)}ab`,
      '..',
    ];
    for (const v of refused) expect(isHostnameOrIp(v), v).toBe(false);
  });

  it('refuses values that are not strings', () => {
    for (const v of [undefined, null, 42, ['web1'], { host: 'web1' }]) expect(isHostnameOrIp(v)).toBe(false);
  });
});
