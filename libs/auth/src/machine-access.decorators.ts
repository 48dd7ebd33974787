import { createParamDecorator, SetMetadata, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { MachineScope } from '@su/contracts';
import type { Principal } from './principal.ts';

/**
 * How a route relates to machines, for the one machine-scope rule (ADR 0014). A route without a binding spans the
 * fleet, and an API client limited to a machine scope is refused it (403): new routes are closed to scoped clients
 * until they say which machine they touch.
 */
export type MachineBinding =
  | { kind: 'machine' | 'job' | 'action-request'; param: string }
  | { kind: 'scope-filtered' }
  | { kind: 'no-machine-data' };

export const MACHINE_BINDING_KEY = 'su:machine-binding';
export const ASSISTANT_MAY_CALL_KEY = 'su:assistant-may-call';

/** The path parameter `param` is a machine id: a scoped client reaches only machines in its scope. */
export const ForMachine = (param = 'id') => SetMetadata(MACHINE_BINDING_KEY, { kind: 'machine', param });
/** The path parameter `param` is a job id: the job's machine must be in scope (a machine-less job never is). */
export const ForJob = (param = 'id') => SetMetadata(MACHINE_BINDING_KEY, { kind: 'job', param });
/** The path parameter `param` is an action request id: its machine must be in scope. */
export const ForActionRequest = (param = 'id') => SetMetadata(MACHINE_BINDING_KEY, { kind: 'action-request', param });
/** The handler filters what it reads or writes with `@CurrentMachineScope()` (lists, the event stream). */
export const ScopeFiltered = () => SetMetadata(MACHINE_BINDING_KEY, { kind: 'scope-filtered' });
/** The route reads or changes nothing about any machine (who am I, logout). */
export const NoMachineData = () => SetMetadata(MACHINE_BINDING_KEY, { kind: 'no-machine-data' });

/**
 * A non-GET route that executes nothing, which the assistant (API client of kind hermes or mcp) may call: it proposes
 * (`POST /action-requests`) or only concerns its own token. Every other non-GET route refuses the assistant.
 */
export const AssistantMayCall = () => SetMetadata(ASSISTANT_MAY_CALL_KEY, true);

/** The caller's machine scope (null: every machine), for handlers marked `@ScopeFiltered()`. */
export const CurrentMachineScope = createParamDecorator((_: unknown, ctx: ExecutionContext): MachineScope | null => {
  const p = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!p) throw new UnauthorizedException();
  return p.machineScope ?? null;
});
