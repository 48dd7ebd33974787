import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { RunView, ScheduleView } from '../api/admin-types.ts';

/** Schedules and their runs; the event stream refreshes both ('schedules', 'schedule-runs'). */
export function useSchedules() {
  return useQuery({ queryKey: ['schedules'], queryFn: () => unwrap<ScheduleView[]>(api.GET('/api/v1/schedules')) });
}

export function useSchedule(id: string) {
  return useQuery({
    queryKey: ['schedules', id],
    queryFn: () => unwrap<ScheduleView>(api.GET('/api/v1/schedules/{id}', { params: { path: { id } } })),
  });
}

export function useScheduleRuns(id: string) {
  return useQuery({
    queryKey: ['schedule-runs', id],
    queryFn: () =>
      unwrap<RunView[]>(api.GET('/api/v1/schedules/{id}/runs', { params: { path: { id }, query: { count: 10 } } })),
  });
}
