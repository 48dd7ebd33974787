import { Inject, Injectable } from '@nestjs/common';
import { Database, FleetStatsRepository, type FleetDay, type MachineHistoryPoint, type RebootDuration } from '@su/db';
import { MachinesService } from './machines.service.ts';

const HISTORY_POINTS = 60;

/** What the UI's charts show, from the data already kept: the fleet day by day, one machine's history. */
@Injectable()
export class FleetStatsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachinesService) private readonly machines: MachinesService,
  ) {}

  fleet(days: number): Promise<FleetDay[]> {
    return new FleetStatsRepository(this.db.prisma).fleetDays(days);
  }

  async machine(id: string): Promise<{ updates: MachineHistoryPoint[]; reboots: RebootDuration[] }> {
    await this.machines.get(id); // 404 for a machine that does not exist
    const repo = new FleetStatsRepository(this.db.prisma);
    const [updates, reboots] = await Promise.all([
      repo.machineUpdates(id, HISTORY_POINTS),
      repo.rebootDurations(id, HISTORY_POINTS),
    ]);
    return { updates, reboots };
  }
}
