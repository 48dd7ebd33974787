/** How a run's machine or a run reads: its colour (always with words) and whether it is still moving. */
export const RUN_STATUS_COLOR: Record<string, string> = {
  pending: 'gray',
  running: 'blue',
  awaiting_approval: 'violet',
  ok: 'teal',
  partial: 'orange',
  skipped: 'gray',
  cancelled: 'gray',
  error: 'red',
};

export const runStatusColor = (status: string): string => RUN_STATUS_COLOR[status] ?? 'gray';

/** The share of a run's machines that have finished (any outcome), 0-100. */
export function runProgress(machines: { status: string }[]): number {
  if (machines.length === 0) return 100;
  const done = machines.filter((m) => !['pending', 'running', 'awaiting_approval'].includes(m.status)).length;
  return Math.round((done / machines.length) * 100);
}
