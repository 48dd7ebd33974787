import { describe, expect, it } from 'vitest';
import { ACTION_RISK as API_RISK, MACHINE_ACTION_NAMES } from '@su/contracts';
import { ACTION_RISK } from './action-risk.ts';

describe("the UI's action risks", () => {
  it('are the API’s, for every action', () => {
    expect(ACTION_RISK).toEqual(API_RISK);
    expect(Object.keys(ACTION_RISK).sort()).toEqual([...MACHINE_ACTION_NAMES].sort());
  });
});
