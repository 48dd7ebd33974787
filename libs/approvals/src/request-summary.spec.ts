import { describe, expect, it } from 'vitest';
import { defaultSummary } from './request-summary.ts';

const change = (name: string, from: string | null, to: string | null, operation = 'upgrade') => ({
  name,
  currentVersion: from,
  targetVersion: to,
  operation,
});

describe('defaultSummary', () => {
  it('names the action and the machine', () => {
    expect(defaultSummary('apt_clean', 'web1', {}, null)).toBe('apt_clean on web1');
  });

  it('shows the first three changes of a plan and counts the rest', () => {
    const plan = [
      change('openssl', '3.0.1', '3.0.2'),
      change('libssl3', '3.0.1', '3.0.2'),
      change('curl', '7.88.1', '7.88.2'),
      change('tzdata', '2024a', '2024b'),
      change('vim', '9.0', '9.1'),
    ];
    const s = defaultSummary('apt_upgrade', 'web1', {}, plan);
    expect(s.startsWith('apt_upgrade on web1: 5 packages (')).toBe(true);
    expect(s).toContain('openssl');
    expect(s).toContain('curl');
    expect(s).not.toContain('tzdata');
    expect(s.endsWith(', … 2 more)')).toBe(true);
  });

  it('says "package" for a plan of one', () => {
    expect(defaultSummary('apt_upgrade', 'db', {}, [change('curl', '1', '2')])).toMatch(
      /^apt_upgrade on db: 1 package \(/,
    );
  });

  it('gives a reboot its longest wait', () => {
    expect(defaultSummary('reboot_verified', 'web1', { maxWaitSeconds: 300 }, null)).toBe(
      'reboot_verified on web1 (down at most 300 s)',
    );
  });
});
