import { lazy, Suspense } from 'react';

// The chart library loads with the charts, not with the page.
const MachineCharts = lazy(() => import('./machine-charts.tsx'));

/** Where the machine page mounts its charts (one line there). */
export function MachineChartsSlot({ machineId }: { machineId: string }) {
  return (
    <Suspense fallback={null}>
      <MachineCharts machineId={machineId} />
    </Suspense>
  );
}
