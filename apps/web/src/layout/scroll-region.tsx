import { Box } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A table that may be wider than its card: it scrolls sideways, and the scrolling box takes keyboard focus (a region
 * named by `label`), so it can be scrolled without a mouse.
 */
export function ScrollRegion({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <Box role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <Box miw={minWidth}>{children}</Box>
    </Box>
  );
}
