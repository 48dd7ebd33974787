import { Button, Group } from '@mantine/core';
import { IconChartBar } from '@tabler/icons-react';
import { lazy, Suspense, useState } from 'react';
import type { MachineView } from '../api/types.ts';
import { usePreferences } from '../preferences/preferences.tsx';

// The chart library (recharts) is its own chunk, fetched after the tiles: the dashboard is usable before it arrives.
const FleetCharts = lazy(() => import('../charts/fleet-charts.tsx'));

/** The dashboard's charts, shown or hidden with one button (above the tiles: 1,000 of them never end). */
export function FleetChartsSlot({ machines }: { machines: MachineView[] }) {
  const { t } = usePreferences();
  const [open, setOpen] = useState(true);
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
      {open && (
        <Suspense fallback={null}>
          <FleetCharts machines={machines} />
        </Suspense>
      )}
    </>
  );
}
