import type { ReactNode } from 'react';

/**
 * A wide table's horizontal scroll on a phone, reachable by keyboard (a focusable, named region: axe's
 * scrollable-region-focusable rule), which Mantine's Table.ScrollContainer is not.
 */
export function ScrollRegion({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <div style={{ minWidth }}>{children}</div>
    </div>
  );
}
