import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { MaintenanceRunView } from '@su/contracts';
import { Database, MaintenanceRunsRepository } from '@su/db';

/** What the API shows of a maintenance run: its parts, the one in progress, and how each ended or why it skipped. */
@Injectable()
export class MaintenanceRunsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(jobId: string): Promise<MaintenanceRunView> {
    const run = await new MaintenanceRunsRepository(this.db.prisma).find(jobId);
    if (!run) throw new NotFoundException(`job ${jobId} is no maintenance run, or has not started yet`);
    return run;
  }
}
