import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { machineScopeRefusal, type MachineScope } from '@su/contracts';
import { Database, MachineScopeRepository, type ScopeTarget } from '@su/db';
import type { MachineBinding } from './machine-access.decorators.ts';
import type { Principal } from './principal.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NOUN: Record<'machine' | 'job' | 'action-request', string> = {
  machine: 'machine',
  job: 'job',
  'action-request': 'action request',
};

interface RouteRequest {
  method: string;
  params?: Record<string, string | undefined>;
}

/**
 * The one machine-scope rule (ADR 0014), applied by the global guard to every route before its handler runs. An API
 * client with a machine scope:
 * - reading an object of a machine outside its scope gets 404, as if it did not exist;
 * - acting on one gets 403 (it named the id itself, so the refusal reveals nothing it did not send);
 * - is refused (403) any route not bound to one machine (fleet-level: schedules, settings, api clients, selftest)
 *   unless the route filters its queries by the scope (`@ScopeFiltered()`) or touches no machine data.
 * Clients without a scope, and users, are not limited.
 */
@Injectable()
export class MachineScopeRule {
  constructor(@Inject(Database) private readonly db: Database) {}

  async enforce(p: Principal, binding: MachineBinding | undefined, req: RouteRequest): Promise<void> {
    const scope = p.machineScope;
    if (!scope) return;
    if (!binding) throw new ForbiddenException(fleetRefusal());
    if (binding.kind === 'scope-filtered' || binding.kind === 'no-machine-data') return;
    const id = req.params?.[binding.param];
    // A malformed id is the route's own 400 (its pipe names the parameter); nothing to look up.
    if (!id || !UUID.test(id)) return;
    const target = await this.lookup(binding.kind, id);
    // No such object: the route answers 404 itself, the same way for everyone.
    if (target.missing) return;
    const refusal = refusalOf(scope, target.machine, NOUN[binding.kind], id);
    if (!refusal) return;
    if (req.method === 'GET' || req.method === 'HEAD')
      throw new NotFoundException(`${NOUN[binding.kind]} ${id} not found`);
    throw new ForbiddenException(refusal);
  }

  private lookup(kind: 'machine' | 'job' | 'action-request', id: string): Promise<ScopeTarget> {
    const repo = new MachineScopeRepository(this.db.prisma);
    return kind === 'machine' ? repo.machine(id) : kind === 'job' ? repo.job(id) : repo.actionRequest(id);
  }
}

export function fleetRefusal(): string {
  return 'this route spans the fleet (not one machine): an API client limited to a machine scope may not call it';
}

function refusalOf(
  scope: MachineScope,
  machine: { id: string; name: string; tags: readonly string[] } | null,
  noun: string,
  id: string,
): string | null {
  if (!machine)
    return `${noun} ${id} is bound to no machine: an API client limited to a machine scope may not act on it`;
  if (!machineScopeRefusal(scope, machine)) return null;
  return noun === 'machine'
    ? `machine ${id} is outside this API client's machine scope`
    : `${noun} ${id} is for a machine outside this API client's machine scope`;
}
