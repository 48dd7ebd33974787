import { Button, Group } from '@mantine/core';
import { IconChartBar } from '@tabler/icons-react';
import { lazy, memo, Suspense, useState } from 'react';
import type { MachineView } from '../api/types.ts';
import { useIdleAfter } from '../layout/use-idle-after.ts';
import { usePreferences } from '../preferences/preferences.tsx';

/**
 * The charts count the machines by OS and kind (the rest comes from the stats API): a live change of a tile's state
 * leaves them as they are, and redrawing them on every event delayed the tile itself.
 */
function sameOsAndKinds(a: { machines: MachineView[] }, b: { machines: MachineView[] }): boolean {
  return (
    a.machines.length === b.machines.length &&
    a.machines.every((m, i) => m.osFamily === b.machines[i]?.osFamily && m.machineKind === b.machines[i]?.machineKind)
  );
}

// The chart library (recharts) is its own chunk, fetched after the tiles: the dashboard is usable before it arrives.
// Its Mantine components' styles come with it (fleet-charts.tsx), not with Mantine's whole stylesheet.
const FleetCharts = lazy(() =>
  import('../charts/fleet-charts.tsx').then((m) => ({ default: memo(m.default, sameOsAndKinds) })),
);

/** The dashboard's charts, shown or hidden with one button (above the tiles: 1,000 of them never end). */
export function FleetChartsSlot({ machines }: { machines: MachineView[] }) {
  const { t } = usePreferences();
  const [open, setOpen] = useState(true);
  // The charts' code is fetched, run and drawn when the browser is idle after the first tiles.
  const drawn = useIdleAfter();
  return (
    <>
      <Group>
        <Button
          variant="subtle"
          size="xs"
          leftSection={<IconChartBar size={14} aria-hidden />}
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? t('charts.hide') : t('charts.show')}
        </Button>
      </Group>
      {open && drawn && (
        <Suspense fallback={null}>
          <FleetCharts machines={machines} />
        </Suspense>
      )}
    </>
  );
}
