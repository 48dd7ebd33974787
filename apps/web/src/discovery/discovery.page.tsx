import { Alert, Button, Card, Group, Progress, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../api/client.ts';
import type { DiscoveryScanView, DiscoverySettingsView } from '../api/admin-types.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { fieldErrorsOf } from '../layout/field-errors.ts';
import { useT } from '../preferences/preferences.tsx';
import { CandidatesTable } from './candidates-table.tsx';

/**
 * Network discovery (admin): the scan form, the scan's progress (refreshed by the live `discovery.progress` events,
 * never polled), and the candidates, each addable as a machine in one step.
 */
export function DiscoveryPage() {
  const t = useT();
  const [scanId, setScanId] = useState<string | null>(null);
  const settings = useQuery({
    queryKey: ['discovery', 'settings'],
    queryFn: () => unwrap<DiscoverySettingsView>(api.GET('/api/v1/discovery/settings')),
  });
  // Until a scan is started here, the latest one (a page reload keeps showing it).
  const scans = useQuery({
    queryKey: ['discovery', 'scans'],
    queryFn: () => unwrap<DiscoveryScanView[]>(api.GET('/api/v1/discovery/scans')),
  });
  const shown = scanId ?? scans.data?.[0]?.id ?? null;
  return (
    <Stack maw={1100} mx="auto" component="section" aria-labelledby="discovery-title">
      <Title order={1} size="h2" id="discovery-title">
        {t('discovery.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('discovery.intro')}
      </Text>
      {settings.error && <ErrorNotice error={settings.error} />}
      {settings.data && <AllowList settings={settings.data} />}
      <ScanForm onStarted={setScanId} />
      {shown && <ScanProgress scanId={shown} />}
    </Stack>
  );
}

function AllowList({ settings }: { settings: DiscoverySettingsView }) {
  const t = useT();
  const [cidrs, setCidrs] = useState<string[]>(settings.allowedCidrs);
  const save = useMutation({
    mutationFn: () =>
      unwrap<DiscoverySettingsView>(api.PUT('/api/v1/discovery/settings', { body: { ...settings, allowedCidrs: cidrs } })),
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <Card withBorder>
      <Stack gap="sm">
        <TagsInput
          label={t('discovery.allowList')}
          description={t('discovery.allowListHint', { max: settings.maxAddresses })}
          value={cidrs}
          error={errors['allowedCidrs']}
          onChange={setCidrs}
        />
        <Group justify="flex-end">
          <Button variant="light" onClick={() => save.mutate()} loading={save.isPending}>
            {t('discovery.saveAllowList')}
          </Button>
        </Group>
        {save.isSuccess && (
          <Text size="sm" role="status">
            {t('discovery.allowListSaved')}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function ScanForm({ onStarted }: { onStarted: (id: string) => void }) {
  const t = useT();
  const [cidr, setCidr] = useState('');
  const [ports, setPorts] = useState<string[]>(['22']);
  const start = useMutation({
    mutationFn: () =>
      unwrap<DiscoveryScanView>(
        api.POST('/api/v1/discovery/scans', { body: { cidr: cidr.trim(), ports: ports.map(Number) } }),
      ),
    onSuccess: (s) => onStarted(s.id),
  });
  const errors = fieldErrorsOf(start.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  const refused = start.error instanceof ApiError && start.error.status === 403;
  return (
    <Card withBorder component="form" onSubmit={submit} noValidate aria-label={t('discovery.scanForm')}>
      <Stack gap="sm">
        <Group align="flex-start" wrap="wrap">
          <TextInput
            label={t('discovery.cidr')}
            description={t('discovery.cidrHint')}
            required
            spellCheck={false}
            style={{ flex: '1 1 240px' }}
            value={cidr}
            error={errors['cidr']}
            onChange={(e) => setCidr(e.currentTarget.value)}
          />
          <TagsInput
            label={t('discovery.ports')}
            value={ports}
            error={errors['ports']}
            onChange={(v) => setPorts(v.filter((p) => /^\d{1,5}$/.test(p)))}
            w={220}
          />
        </Group>
        {refused && (
          <Alert color="red" role="alert">
            {t('discovery.refused')}
          </Alert>
        )}
        {start.error && !refused && !Object.keys(errors).length && <ErrorNotice error={start.error} />}
        <Group justify="flex-end">
          <Button type="submit" loading={start.isPending}>
            {t('discovery.start')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ScanProgress({ scanId }: { scanId: string }) {
  const t = useT();
  const scan = useQuery({
    queryKey: ['discovery', 'scan', scanId],
    queryFn: () => unwrap<DiscoveryScanView>(api.GET('/api/v1/discovery/scans/{id}', { params: { path: { id: scanId } } })),
  });
  const s = scan.data;
  if (scan.error) return <ErrorNotice error={scan.error} />;
  if (!s) return null;
  const percent = s.total ? Math.round((100 * s.probed) / s.total) : 100;
  return (
    <Card withBorder aria-label={t('discovery.progress')}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={500}>{s.cidr}</Text>
          <Text size="sm" data-testid="scan-status">
            {t(`discovery.status.${s.status}`)} · {t('discovery.counts', { probed: s.probed, total: s.total, found: s.found })}
          </Text>
        </Group>
        <Progress value={percent} aria-label={t('discovery.progress')} animated={s.status === 'running'} />
        {s.error && <Text c="red.8">{s.error}</Text>}
        <CandidatesTable scanId={s.id} probed={s.probed} status={s.status} />
      </Stack>
    </Card>
  );
}
