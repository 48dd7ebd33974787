import { Alert, Badge, Button, Card, Code, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import type { HostKeyView } from '../api/types.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

const STATUS_COLOR: Record<HostKeyView['status'], string> = {
  approved: 'teal',
  pending: 'yellow',
  changed: 'red',
  superseded: 'gray',
  rejected: 'gray',
};

/**
 * The machine's host keys with their fingerprint history. A changed (or pending) key can be approved only behind a
 * clear warning: approving the wrong one would hand the machine's password to whoever answers in its place.
 */
export function HostKeys({ machineId }: { machineId: string }) {
  const { t, prefs } = usePreferences();
  const keys = useQuery({
    queryKey: ['machine', machineId, 'host-keys'],
    queryFn: () =>
      unwrap<HostKeyView[]>(api.GET('/api/v1/machines/{id}/host-keys', { params: { path: { id: machineId } } })),
  });
  const when = (iso: string) => new Date(iso).toLocaleString(prefs.language);
  const waiting = keys.data?.filter((k) => k.status === 'changed' || k.status === 'pending') ?? [];
  return (
    <Card withBorder component="section" aria-labelledby="host-keys-title">
      <Title order={2} size="h4" id="host-keys-title" mb="xs">
        {t('hostKeys.title')}
      </Title>
      {keys.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {keys.error && <ErrorNotice error={keys.error} />}
      {keys.data?.length === 0 && <Text c="dimmed">{t('hostKeys.empty')}</Text>}
      <Stack gap="sm">
        {waiting.map((k) => (
          <ApproveKey key={k.id} machineId={machineId} hostKey={k} />
        ))}
        {keys.data && keys.data.length > 0 && (
          <ScrollRegion label={t('hostKeys.title')} minWidth={560}>
            <Table aria-labelledby="host-keys-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('hostKeys.fingerprint')}</Table.Th>
                  <Table.Th scope="col">{t('hostKeys.status')}</Table.Th>
                  <Table.Th scope="col">{t('hostKeys.seen')}</Table.Th>
                  <Table.Th scope="col">{t('hostKeys.approvedBy')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      <Code>
                        {k.keyType} {k.fingerprintSha256}
                      </Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[k.status]} variant="light" size="sm">
                        {t(`hostKeys.st.${k.status}` as MessageKey)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs">
                        {when(k.firstSeenAt)} – {when(k.lastSeenAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                        {k.approvedBy ?? '—'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollRegion>
        )}
      </Stack>
    </Card>
  );
}

function ApproveKey({ machineId, hostKey: k }: { machineId: string; hostKey: HostKeyView }) {
  const t = usePreferences().t;
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const approve = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/machines/{id}/host-keys/{keyId}/approve', {
          params: { path: { id: machineId, keyId: k.id } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['machine', machineId] }),
  });
  const changed = k.status === 'changed';
  return (
    <Alert
      color={changed ? 'red' : 'yellow'}
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={changed ? t('hostKeys.changedTitle') : t('hostKeys.pendingTitle')}
      data-testid="host-key-warning"
    >
      <Stack gap="xs">
        <Code block>
          {k.keyType} {k.fingerprintSha256}
        </Code>
        <Text size="sm">{changed ? t('hostKeys.changedWarning') : t('check.keyCompare')}</Text>
        <Group onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}>
          {confirming && (
            <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </Button>
          )}
          <Button
            size="xs"
            color={changed ? 'red.8' : 'yellow'}
            autoContrast={!changed}
            variant={confirming ? 'filled' : 'default'}
            loading={approve.isPending}
            onClick={() => (confirming ? approve.mutate() : setConfirming(true))}
          >
            {confirming ? t('hostKeys.approveConfirm') : t('hostKeys.approve')}
          </Button>
        </Group>
        {approve.error && <ErrorNotice error={approve.error} />}
      </Stack>
    </Alert>
  );
}
