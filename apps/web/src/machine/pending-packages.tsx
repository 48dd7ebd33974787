import { Alert, Card, Group, Loader, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { AptSnapshotDetail } from '@su/contracts';
import { api, ApiError, unwrap } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { FlagBadge } from './flag-badge.tsx';
import { pendingRows, type PackageFlag } from './pending-rows.ts';

interface Snapshot {
  createdAt: string;
  payload?: { apt?: Partial<AptSnapshotDetail> };
}

const FLAG_COLOR: Record<PackageFlag, string> = { security: 'red', keptBack: 'orange', held: 'grape', phased: 'blue' };

/** The latest analysis' pending packages (from → to, origin/suite, flags explained in tooltips). */
export function PendingPackages({ machineId }: { machineId: string }) {
  const { t, prefs } = usePreferences();
  const snap = useQuery({
    queryKey: ['machine', machineId, 'analysis'],
    queryFn: () =>
      unwrap<Snapshot>(api.GET('/api/v1/machines/{id}/snapshots/latest', { params: { path: { id: machineId } } })),
  });
  const none = snap.error instanceof ApiError && snap.error.status === 404;
  const rows = snap.data?.payload?.apt ? pendingRows(snap.data.payload.apt) : [];
  return (
    <Card withBorder component="section" aria-labelledby="packages-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="packages-title">
          {t('packages.title')}
        </Title>
        {snap.data && (
          <Text size="xs" c="dimmed">
            {t('packages.analysedAt', { when: new Date(snap.data.createdAt).toLocaleString(prefs.language) })}
          </Text>
        )}
      </Group>
      {snap.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {none && (
        <Alert variant="light" color="gray">
          {t('packages.notAnalysed')}
        </Alert>
      )}
      {snap.error && !none && <ErrorNotice error={snap.error} />}
      {snap.data && rows.length === 0 && <Text c="dimmed">{t('packages.none')}</Text>}
      {rows.length > 0 && (
        <ScrollRegion label={t('packages.title')} minWidth={560}>
          <Table striped aria-labelledby="packages-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('packages.name')}</Table.Th>
                <Table.Th scope="col">{t('packages.change')}</Table.Th>
                <Table.Th scope="col">{t('packages.origin')}</Table.Th>
                <Table.Th scope="col">{t('packages.flags')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.name} data-testid="package-row">
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{r.name}</Table.Td>
                  <Table.Td>{r.from || r.to ? `${r.from ?? '∅'} → ${r.to ?? '∅'}` : '—'}</Table.Td>
                  <Table.Td>{[r.origin, r.suite].filter(Boolean).join(' / ') || '—'}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {r.flags.map((f) => (
                        <FlagBadge
                          key={f}
                          color={FLAG_COLOR[f]}
                          label={t(`flag.${f}` as MessageKey)}
                          explanation={t(`flag.${f}.why` as MessageKey)}
                        />
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Card>
  );
}
