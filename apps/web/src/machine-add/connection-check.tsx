import { Alert, Anchor, Button, Card, Code, Group, List, Loader, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconClock, IconX } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { ConnectionTestResult, HostKeyView, MachineView } from '../api/types.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { stepsOf, type StepState } from './connection-steps.ts';

const ICON: Record<StepState, { color: string; Icon: typeof IconCheck }> = {
  ok: { color: 'teal', Icon: IconCheck },
  failed: { color: 'red', Icon: IconX },
  waiting: { color: 'yellow', Icon: IconAlertTriangle },
  skipped: { color: 'gray', Icon: IconClock },
};

/**
 * The connection test shown step by step (connect, host key, identity, sudo), run at once for a new machine. A first
 * key waiting for approval is shown with its fingerprint to compare; trusting it re-runs the test and probes. The
 * machine's tile then fills from the probe, live (the query is refreshed by the event stream).
 */
export function ConnectionCheck({ machine }: { machine: MachineView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const id = machine.id;
  const path = { params: { path: { id } } };
  const keys = useQuery({
    queryKey: ['machine', id, 'host-keys'],
    queryFn: () => unwrap<HostKeyView[]>(api.GET('/api/v1/machines/{id}/host-keys', path)),
  });
  const live = useQuery({
    queryKey: ['machine', id],
    queryFn: () => unwrap<MachineView>(api.GET('/api/v1/machines/{id}', path)),
    initialData: machine,
  });
  const test = useMutation({
    mutationFn: () => unwrap<ConnectionTestResult>(api.POST('/api/v1/machines/{id}/test-connection', path)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['machine', id, 'host-keys'] }),
  });
  const probe = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/machines/{id}/probe', path)) });
  const trust = useMutation({
    mutationFn: (keyId: string) =>
      unwrap(api.POST('/api/v1/machines/{id}/host-keys/{keyId}/approve', { params: { path: { id, keyId } } })),
    onSuccess: async () => {
      const again = await test.mutateAsync();
      if (again.ok) probe.mutate();
    },
  });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    test.mutate();
  }, [test]);

  const pendingKey = keys.data?.find((k) => k.status === 'pending');
  const trustedKey = keys.data?.find((k) => k.status === 'approved');
  const steps = test.data ? stepsOf(test.data, !!pendingKey) : null;
  const m = live.data;
  return (
    <Card withBorder maw={720} mx="auto" component="section" aria-labelledby="check-title">
      <Stack>
        <Title order={1} size="h2" id="check-title" style={{ overflowWrap: 'anywhere' }}>
          {t('check.title', { name: machine.name })}
        </Title>
        {test.isPending && (
          <Group gap="xs" role="status">
            <Loader size="sm" aria-hidden />
            <Text>{t('check.running')}</Text>
          </Group>
        )}
        {test.error && <ErrorNotice error={test.error} />}
        {steps && (
          <List spacing="xs" aria-label={t('check.steps')} listStyleType="none">
            {steps.map((s) => {
              const { color, Icon } = ICON[s.state];
              return (
                <List.Item
                  key={s.step}
                  icon={
                    <ThemeIcon color={color} size={22} radius="xl" variant="light">
                      <Icon size={14} aria-hidden />
                    </ThemeIcon>
                  }
                  data-testid={`step-${s.step}`}
                >
                  <Text fw={500} span>
                    {t(`check.step.${s.step}` as MessageKey)}
                  </Text>
                  {' — '}
                  <Text span>{t(`check.state.${s.state}` as MessageKey)}</Text>
                  {s.step === 'identity' && test.data?.remoteUser && (
                    <Text span c="dimmed">
                      {' '}
                      ({t('check.loggedInAs', { user: test.data.remoteUser, uid: test.data.remoteUid ?? '?' })})
                    </Text>
                  )}
                </List.Item>
              );
            })}
          </List>
        )}
        {test.data && !test.data.ok && test.data.errorKind !== 'host_key_unknown' && (
          <Alert color="red" variant="light" title={t('error.kind', { kind: test.data.errorKind ?? '?' })} role="alert">
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {test.data.message}
            </Text>
            {test.data.remediation && <Text size="sm">{test.data.remediation}</Text>}
          </Alert>
        )}
        {pendingKey && (
          <PendingKey hostKey={pendingKey} onTrust={() => trust.mutate(pendingKey.id)} busy={trust.isPending} />
        )}
        {!pendingKey && trustedKey && (
          <Alert color="teal" variant="light" title={t('check.keyTrusted')}>
            <Code>
              {trustedKey.keyType} {trustedKey.fingerprintSha256}
            </Code>
            <Text size="sm" mt={4}>
              {trustedKey.approvedBy === 'trust-on-first-use'
                ? t('check.keyTofu')
                : t('check.keyApprovedBy', { who: trustedKey.approvedBy ?? '?' })}
            </Text>
          </Alert>
        )}
        {(trust.error ?? probe.error) && <ErrorNotice error={trust.error ?? probe.error} />}
        <Group>
          <Button variant="default" onClick={() => test.mutate()} loading={test.isPending}>
            {t('check.again')}
          </Button>
          <Anchor component={Link} to={`/machines/${id}`}>
            {t('check.openMachine')}
          </Anchor>
          <Anchor component={Link} to="/">
            {t('nav.back')}
          </Anchor>
        </Group>
        <Text size="sm" role="status" data-testid="probe-state">
          {m.state?.lastProbeAt
            ? t('check.probed', { os: [m.osFamily, m.osVersion, m.osCodename].filter(Boolean).join(' ') })
            : t('check.probing')}
        </Text>
      </Stack>
    </Card>
  );
}

function PendingKey({ hostKey: k, onTrust, busy }: { hostKey: HostKeyView; onTrust: () => void; busy: boolean }) {
  const t = useT();
  return (
    <Alert color="yellow" variant="light" title={t('check.keyToConfirm')} icon={<IconAlertTriangle aria-hidden />}>
      <Stack gap="xs">
        <Code block data-testid="pending-fingerprint">
          {k.keyType} {k.fingerprintSha256}
        </Code>
        <Text size="sm">{t('check.keyCompare')}</Text>
        <Group>
          <Button color="yellow" autoContrast onClick={onTrust} loading={busy}>
            {t('check.trustKey')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
