import { Inject, Injectable } from '@nestjs/common';
import { AssistantAccountingRepository, Database, type UsageReport } from '@su/db';

/** Token usage the assistant reports, and its sums per day and client (seed 000 §11). */
@Injectable()
export class AssistantUsageService {
  constructor(@Inject(Database) private readonly db: Database) {}

  record(u: UsageReport) {
    return new AssistantAccountingRepository(this.db.prisma).recordUsage(u, new Date());
  }

  /** Per UTC day and API client: runs, tokens, raw vs reduced bytes and their ratio (raw / reduced). */
  async perDay(days: number) {
    const rows = await new AssistantAccountingRepository(this.db.prisma).usagePerDay(days);
    return {
      days,
      items: rows.map((r) => ({
        ...r,
        reductionRatio: r.reducedBytes > 0 ? Math.round((r.rawBytes / r.reducedBytes) * 100) / 100 : null,
      })),
    };
  }
}
