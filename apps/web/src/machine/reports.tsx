import { Anchor, Box, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

interface Report {
  id: string;
  title: string;
  kind: string;
  createdAt: string;
}

// Loaded when a report is first opened: the Markdown parser stays out of the first page's script.
const ReportMarkdown = lazy(() => import('./report-markdown.tsx'));

const downloadUrl = (machineId: string, reportId: string) =>
  `/api/v1/machines/${encodeURIComponent(machineId)}/reports/${encodeURIComponent(reportId)}/download`;

/** Run reports (Markdown written by the workers): read in the page (rendered as elements, never as HTML) or downloaded. */
export function Reports({ machineId }: { machineId: string }) {
  const { t, prefs } = usePreferences();
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['machine', machineId, 'reports'],
    queryFn: () => unwrap<Report[]>(api.GET('/api/v1/machines/{id}/reports', { params: { path: { id: machineId } } })),
  });
  return (
    <Card withBorder component="section" aria-labelledby="reports-title">
      <Title order={2} size="h4" id="reports-title" mb="xs">
        {t('reports.title')}
      </Title>
      {list.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {list.error && <ErrorNotice error={list.error} />}
      {list.data?.length === 0 && <Text c="dimmed">{t('reports.empty')}</Text>}
      <Stack gap="xs">
        {list.data?.map((r) => (
          <Stack key={r.id} gap={4} data-testid="report">
            <Group justify="space-between" wrap="wrap">
              <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                {r.title}
              </Text>
              <Group gap="xs">
                <Text size="xs" c="dimmed">
                  {new Date(r.createdAt).toLocaleString(prefs.language)}
                </Text>
                <Button
                  size="xs"
                  variant="default"
                  aria-expanded={open === r.id}
                  onClick={() => setOpen(open === r.id ? null : r.id)}
                >
                  {open === r.id ? t('reports.hide') : t('reports.read')}
                </Button>
                <Anchor href={downloadUrl(machineId, r.id)} download size="sm">
                  {t('reports.download')}
                </Anchor>
              </Group>
            </Group>
            {open === r.id && <ReportText machineId={machineId} reportId={r.id} />}
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}

function ReportText({ machineId, reportId }: { machineId: string; reportId: string }) {
  const t = usePreferences().t;
  const text = useQuery({
    queryKey: ['report', machineId, reportId],
    queryFn: () =>
      unwrap<string>(
        api.GET('/api/v1/machines/{id}/reports/{reportId}/download', {
          params: { path: { id: machineId, reportId } },
          parseAs: 'text',
        }),
      ),
  });
  if (text.isPending) return <Loader size="sm" role="status" aria-label={t('common.loading')} />;
  if (text.error) return <ErrorNotice error={text.error} />;
  return (
    <Box
      tabIndex={0}
      role="region"
      aria-label={t('reports.title')}
      data-testid="report-text"
      p="sm"
      mah={480}
      style={{ overflow: 'auto', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
    >
      <Suspense fallback={<Loader size="sm" role="status" aria-label={t('common.loading')} />}>
        <ReportMarkdown source={text.data} />
      </Suspense>
    </Box>
  );
}
