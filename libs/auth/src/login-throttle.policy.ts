import type { AppConfig } from '@su/config';

/** One throttling key's rule: failures allowed before delays start, the first delay, and the longest. */
export interface ThrottleRule {
  freeFailures: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export interface ThrottleRules {
  /** (account, client address): the attacker's own line; throttled hard. */
  pair: ThrottleRule;
  /** The account from anywhere: only mildly and with a short cap, so an attacker cannot lock its owner out. */
  account: ThrottleRule;
  /** One address across accounts (password spraying). */
  address: ThrottleRule;
}

export function throttleRules(login: AppConfig['login']): ThrottleRules {
  const base = login.baseDelaySeconds;
  return {
    pair: { freeFailures: login.freeFailures, baseDelaySeconds: base, maxDelaySeconds: login.maxDelaySeconds },
    account: {
      freeFailures: login.accountFreeFailures,
      baseDelaySeconds: base,
      maxDelaySeconds: login.accountMaxDelaySeconds,
    },
    address: {
      freeFailures: login.addressFreeFailures,
      baseDelaySeconds: base,
      maxDelaySeconds: login.maxDelaySeconds,
    },
  };
}

/** Seconds a key is blocked after its `failures`-th failure: 0 within the free ones, then doubling up to the cap. */
export function blockSeconds(failures: number, rule: ThrottleRule): number {
  const over = failures - rule.freeFailures;
  if (over <= 0) return 0;
  // 2^30 already exceeds every allowed cap; a bigger exponent would only overflow towards Infinity.
  return Math.min(rule.maxDelaySeconds, rule.baseDelaySeconds * 2 ** Math.min(over - 1, 30));
}
