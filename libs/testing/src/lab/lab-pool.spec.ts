import { describe, expect, it } from 'vitest';
import { labIdForWorker, labPool, labWorkers } from './lab-pool.ts';

describe('lab pool (parallel lab spec workers)', () => {
  it('worker 1 keeps the default lab; the next ones take ids from the top', () => {
    expect([1, 2, 3].map((w) => labIdForWorker(w, undefined))).toEqual([0, 9, 8]);
  });

  it('SU_LAB_POOL chooses the ids, and a worker beyond the list is an error', () => {
    expect(labPool('4, 5')).toEqual([4, 5]);
    expect(() => labIdForWorker(3, '4,5')).toThrow(/SU_LAB_POOL lists 2/);
    expect(() => labPool('4,x')).toThrow(/SU_LAB_POOL/);
  });

  it('two files at once by default, one when a person chose the lab, never more than the pool has labs', () => {
    expect(labWorkers({})).toBe(2);
    expect(labWorkers({ SU_LAB_ID: '3' })).toBe(1);
    expect(labWorkers({ SU_LAB_WORKERS: '4', SU_LAB_POOL: '0,9,8' })).toBe(3);
    expect(() => labWorkers({ SU_LAB_WORKERS: '0' })).toThrow(/SU_LAB_WORKERS/);
  });
});
