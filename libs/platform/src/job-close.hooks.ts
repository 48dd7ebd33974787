import { Injectable } from '@nestjs/common';
import type { Tx } from '@su/db';

/**
 * Something that must follow a job's end, inside the transaction that closes it. Only for jobs of a schedule run or
 * carrying an action request: a successful job with neither closes in one statement, without the hooks (ADR 0049).
 */
export interface JobCloseHook {
  closed(tx: Tx, jobId: string): Promise<void>;
}

/**
 * What follows a job's end, inside the transaction that closes it, whoever closes it (the worker that ran it, a
 * person cancelling it before it started, the reconciler after its worker died). The runtime does not know what
 * follows: the tiers above register their hooks here (`libs/runs` moves schedule runs on and marks the action
 * request a job carried out as executed), so the runtime never imports them.
 */
@Injectable()
export class JobCloseHooks {
  private readonly hooks: JobCloseHook[] = [];

  add(hook: JobCloseHook): void {
    if (!this.hooks.includes(hook)) this.hooks.push(hook);
  }

  async closed(tx: Tx, jobId: string): Promise<void> {
    for (const hook of this.hooks) await hook.closed(tx, jobId);
  }
}
