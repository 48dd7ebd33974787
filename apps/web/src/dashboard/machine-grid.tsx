import { useElementSize, useMergedRef } from '@mantine/hooks';
import { useWindowVirtualizer, windowScroll } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { MachineView } from '../api/types.ts';
import { useIdleAfter } from '../layout/use-idle-after.ts';
import { usePreferences } from '../preferences/preferences.tsx';
import { MachineTile } from './machine-tile.tsx';

// Tiles per row by the grid's own width (not the window's: the navigation takes some of it).
const columnsFor = (width: number) => (width < 540 ? 1 : width < 860 ? 2 : width < 1150 ? 3 : 4);
const GAP = 16;
// Every tile has the same height (machine-tile.tsx clamps its longer lines), so a row's size is known before it is
// drawn: no row is measured in the DOM, which forced a layout per row and per render (ADR 0041).
export const TILE_HEIGHT = { comfortable: 226, compact: 180 } as const;
// The least the grid's top can be on any screen: the header (56 px), the page's padding, the title, the counts and the
// filters are always above it. Until the real offset is read (after the first layout, below), the first render draws
// the rows that can be on screen from there; from 0 it drew a row more than any screen shows (ADR 0041).
const LEAST_GRID_TOP = 200;

/**
 * The tiles, virtualized by rows against the window's scroll: only the rows near the viewport are in the DOM, so a
 * fleet of 1,000 stays smooth. Overscan keeps the next rows rendered, so Tab moves from tile to tile (the browser
 * scrolls the focused one into view, which renders the rows after it).
 */
export function MachineGrid(props: {
  machines: MachineView[];
  label: string;
  selected: ReadonlySet<string>;
  onSelect: (id: string, on: boolean) => void;
  /** More tiles are on their way (the whole fleet after its first page). */
  busy?: boolean;
}) {
  const { prefs } = usePreferences();
  const { ref: sizeRef, width } = useElementSize();
  const box = useRef<HTMLElement | null>(null);
  const ref = useMergedRef(sizeRef, box);
  const [offset, setOffset] = useState(LEAST_GRID_TOP);
  const cols = columnsFor(width || 1200);
  const rows = Math.ceil(props.machines.length / cols);
  // Where the grid starts on the page, read when the layout around it changes (its width, the charts appearing above
  // it): in a ResizeObserver callback the layout is already done, where a layout effect forced one before paint.
  useEffect(() => {
    const grid = box.current;
    if (!grid) return;
    const observer = new ResizeObserver(() => setOffset(grid.getBoundingClientRect().top + window.scrollY));
    observer.observe(grid);
    if (grid.parentElement) observer.observe(grid.parentElement);
    return () => observer.disconnect();
  }, []);
  // The first tiles are the screen's only; the rows beyond it (so that Tab reaches the next tiles) once the browser is
  // idle after them (ADR 0041).
  const settled = useIdleAfter(props.machines.length > 0);
  const firstWrite = useRef(true);
  const virtualizer = useWindowVirtualizer({
    count: rows,
    estimateSize: () => TILE_HEIGHT[prefs.density] + GAP,
    overscan: settled ? 2 : 0,
    scrollMargin: offset,
    // The window's size is known before the first render: the first render draws the screen's rows, not none.
    initialRect: { width: window.innerWidth, height: window.innerHeight },
    scrollToFn: (to, options, instance) => {
      // On mount the virtualizer writes back the scroll offset it has just read: a no-op that forced the page's
      // layout in the middle of the first commit. Every later write (a scroll to an item) goes through.
      if (firstWrite.current) {
        firstWrite.current = false;
        return;
      }
      windowScroll(to, options, instance);
    },
  });
  // The rows' size follows the density; the virtualizer keeps the sizes it computed until told.
  const density = useRef(prefs.density);
  useLayoutEffect(() => {
    if (density.current === prefs.density) return;
    density.current = prefs.density;
    virtualizer.measure();
  }, [prefs.density, virtualizer]);
  return (
    <section
      ref={ref}
      aria-label={props.label}
      aria-busy={props.busy ?? false}
      data-testid="machine-grid"
      style={{ position: 'relative', height: virtualizer.getTotalSize() }}
    >
      {virtualizer.getVirtualItems().map((row) => (
        <div
          key={row.key}
          style={{
            position: 'absolute',
            top: 0,
            left: 0,
            width: '100%',
            transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)`,
            display: 'grid',
            gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
            gridAutoRows: TILE_HEIGHT[prefs.density],
            gap: GAP,
          }}
        >
          {props.machines.slice(row.index * cols, row.index * cols + cols).map((m) => (
            <MachineTile key={m.id} machine={m} selected={props.selected.has(m.id)} onSelect={props.onSelect} />
          ))}
        </div>
      ))}
    </section>
  );
}
