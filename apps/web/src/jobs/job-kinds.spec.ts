import { describe, expect, it } from 'vitest';
import { JOB_KINDS } from '@su/contracts';
import { isJobKind, JOB_KINDS_SHOWN } from './job-kinds.ts';

describe("the jobs page's kind filter", () => {
  it('offers every job kind the API has, and only those', () => {
    expect([...JOB_KINDS_SHOWN].sort()).toEqual([...JOB_KINDS].sort());
  });

  it('reads a kind from the address only when it is one', () => {
    expect(isJobKind('apt.upgrade')).toBe(true);
    expect(isJobKind('apt.upgrade; drop')).toBe(false);
    expect(isJobKind(null)).toBe(false);
  });
});
