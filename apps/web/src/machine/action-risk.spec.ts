import { describe, expect, it } from 'vitest';
import { MACHINE_ACTION_NAMES, MACHINE_ACTIONS } from '@su/contracts';
import { ACTION_RISK } from './action-risk.ts';

describe("the UI's action risks", () => {
  it('are the API’s, for every action', () => {
    expect(ACTION_RISK).toEqual(Object.fromEntries(MACHINE_ACTION_NAMES.map((a) => [a, MACHINE_ACTIONS[a].risk])));
  });
});
