import type { INestApplicationContext } from '@nestjs/common';
import { AptAnalyzeHandler, AptApplyHandlers } from '@su/apt';
import { MachineProbeHandler, MetricsSampleHandler } from '@su/inventory';
import { SelftestHandler, type JobHandler } from '@su/platform';
import { POST_INSTALL_HANDLERS } from '@su/post-install';
import { RebootVerifiedHandler } from '@su/reboot';
import { MaintenanceRunHandler } from '@su/runs';

/** Every handler the apt-worker registers (one per job kind it owns; JobRunner checks the set at start). */
export function aptWorkerHandlers(app: INestApplicationContext): JobHandler[] {
  return [
    new SelftestHandler('system.selftest', 'apt-worker'),
    app.get(MachineProbeHandler),
    app.get(MetricsSampleHandler),
    app.get(AptAnalyzeHandler),
    ...app.get(AptApplyHandlers).handlers,
    app.get(RebootVerifiedHandler),
    ...POST_INSTALL_HANDLERS.map((h) => app.get(h)),
    app.get(MaintenanceRunHandler),
  ] as JobHandler[];
}
