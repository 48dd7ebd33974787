import { Alert, Anchor, Group, Loader, Stack, Title } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { useMe } from '../session/session.ts';
import { ScheduleEditor } from './schedule-editor.tsx';
import { ScheduleRuns } from './schedule-runs.tsx';
import { useSchedule } from './use-schedules.ts';

/** One schedule: its settings (editable by admins) and its latest runs with each machine's progress, live. */
export function ScheduleDetail() {
  const { t } = usePreferences();
  const { id = '' } = useParams();
  const schedule = useSchedule(id);
  const isAdmin = useMe().data?.scopes.includes('admin') ?? false;
  if (schedule.isPending) return <Loader aria-label={t('common.loading')} />;
  if (schedule.error) {
    const missing = schedule.error instanceof ApiError && schedule.error.status === 404;
    return missing ? <Alert color="gray">{t('schedules.notFound')}</Alert> : <ErrorNotice error={schedule.error} />;
  }
  return (
    <Stack>
      <Anchor component={Link} to="/schedules" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden />
          {t('schedules.back')}
        </Group>
      </Anchor>
      <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
        {schedule.data.name}
      </Title>
      <ScheduleEditor key={schedule.data.id} schedule={schedule.data} canEdit={isAdmin} />
      <ScheduleRuns scheduleId={schedule.data.id} />
    </Stack>
  );
}
