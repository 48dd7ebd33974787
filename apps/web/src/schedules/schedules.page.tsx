import { Route, Routes } from 'react-router';
import { ScheduleDetail } from './schedule-detail.tsx';
import { ScheduleEditor } from './schedule-editor.tsx';
import { ScheduleList } from './schedule-list.tsx';

/** Schedules: the list, a new one, and one schedule (its settings and its runs, live). */
export function SchedulesPage() {
  return (
    <Routes>
      <Route index element={<ScheduleList />} />
      <Route path="new" element={<ScheduleEditor />} />
      <Route path=":id" element={<ScheduleDetail />} />
    </Routes>
  );
}
