import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { Actor, MachineScope, Scope } from '@su/contracts';
import { ApiClientsRepository, Database, MachineEventsRepository, type ApiClientView } from '@su/db';
import { generateToken, hashToken, tokenDisplayPrefix } from '@su/security';

@Injectable()
export class ApiClientsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Creates a client; the returned token is shown once and only its hash is stored. */
  async create(
    input: {
      label: string;
      clientKind: string;
      scopes: Scope[];
      expiresInDays?: number | undefined;
      machineScope?: MachineScope | undefined;
    },
    actor: Actor,
  ): Promise<{ client: ApiClientView; token: string }> {
    const scope = input.machineScope;
    // An empty scope would read as "no limit" to a person and admit no machine to the code; neither is wanted.
    if (scope && !scope.tags?.length && !scope.machineIds?.length) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request: machineScope',
        errors: [{ field: 'machineScope', reasons: ['machineScope must name at least one tag or machine id'] }],
      });
    }
    const token = generateToken('sua');
    const client = await this.db.transaction(async (tx) => {
      const c = await new ApiClientsRepository(tx).create({
        label: input.label,
        clientKind: input.clientKind,
        tokenHash: hashToken(token),
        tokenPrefix: tokenDisplayPrefix(token),
        scopes: input.scopes,
        createdBy: actor.label ?? actor.id,
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86400_000) : null,
        machineScope: input.machineScope ?? null,
      });
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'api_client.created',
        actor,
        message:
          `API client "${c.label}" created with scopes ${c.scopes.join(',')}` +
          (c.machineScope ? ', limited to a machine scope' : ''),
        payload: { apiClientId: c.id, scopes: c.scopes, machineScope: c.machineScope },
      });
      return c;
    });
    return { client, token };
  }

  list(): Promise<ApiClientView[]> {
    return new ApiClientsRepository(this.db.prisma).list();
  }

  async revoke(id: string, actor: Actor): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const ok = await new ApiClientsRepository(tx).revoke(id);
      if (ok) {
        await new MachineEventsRepository(tx).insert({
          machineId: null,
          eventType: 'api_client.revoked',
          actor,
          message: `API client ${id} revoked`,
          payload: { apiClientId: id },
        });
      }
      return ok;
    });
  }
}
