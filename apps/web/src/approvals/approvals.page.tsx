import { Alert, Badge, Button, Card, Code, Group, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconChecks } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import type { ActionRequestView } from '../api/types.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useNow } from '../layout/use-now.ts';
import { usePreferences } from '../preferences/preferences.tsx';

/** Pending action requests, kept live by the event stream ('action-requests' query key). */
export function ApprovalsPage() {
  const { t } = usePreferences();
  const pending = useQuery({
    queryKey: ['action-requests', 'pending'],
    queryFn: () =>
      unwrap<ActionRequestView[]>(api.GET('/api/v1/action-requests', { params: { query: { status: 'pending' } } })),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('approvals.title')}
      </Title>
      {pending.isPending && <Loader role="status" aria-label={t('common.loading')} />}
      {pending.error && <ErrorNotice error={pending.error} />}
      {pending.data?.length === 0 && (
        <Alert icon={<IconChecks aria-hidden />} title={t('approvals.empty')} variant="light">
          {t('approvals.emptyNext')}
        </Alert>
      )}
      {pending.data?.map((r) => (
        <RequestCard key={r.id} request={r} />
      ))}
    </Stack>
  );
}

function RequestCard({ request: r }: { request: ActionRequestView }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [confirmingReject, setConfirmingReject] = useState(false);
  const path = { params: { path: { id: r.id } }, body: note ? { note } : {} };
  const done = () => queryClient.invalidateQueries({ queryKey: ['action-requests'] });
  const approve = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/action-requests/{id}/approve', path)),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/action-requests/{id}/reject', path)),
    onSuccess: done,
  });
  const now = useNow(30_000);
  const who = r.requestedBy.label ?? r.requestedBy.type;
  const minutesLeft = r.expiresAt ? Math.max(0, Math.round((Date.parse(r.expiresAt) - now) / 60_000)) : null;
  const titleId = `request-${r.id}`;
  return (
    <Card withBorder component="article" aria-labelledby={titleId} data-testid="action-request">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4" id={titleId} style={{ overflowWrap: 'anywhere' }}>
            {r.action} · {r.machineName ?? '—'}
          </Title>
          <Badge color={r.risk === 'high' ? 'red' : r.risk === 'medium' ? 'orange' : 'teal'} variant="light">
            {t('approvals.risk', { risk: r.risk ?? '—' })}
          </Badge>
        </Group>
        {r.summary && <Text style={{ overflowWrap: 'anywhere' }}>{r.summary}</Text>}
        <Text size="sm" c="dimmed">
          {t('approvals.askedBy', { who: `${who} (${r.requestedBy.type})` })} ·{' '}
          {minutesLeft === null ? t('approvals.noExpiry') : t('approvals.timeLeft', { minutes: minutesLeft })}
        </Text>
        <Text size="sm" fw={500}>
          {t('approvals.plan')}
        </Text>
        <Code block>{JSON.stringify(r.payload, null, 2)}</Code>
        <TextInput
          label={t('approvals.note')}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          maxLength={500}
        />
        <Group onKeyDown={(e) => e.key === 'Escape' && setConfirmingReject(false)}>
          <Button loading={approve.isPending} onClick={() => approve.mutate()}>
            {t('approvals.approve')}
          </Button>
          {!confirmingReject ? (
            <Button variant="default" onClick={() => setConfirmingReject(true)}>
              {t('approvals.reject')}
            </Button>
          ) : (
            <Button color="red" loading={reject.isPending} onClick={() => reject.mutate()}>
              {t('approvals.confirmReject')}
            </Button>
          )}
        </Group>
        {(approve.error ?? reject.error) && <ErrorNotice error={approve.error ?? reject.error} />}
      </Stack>
    </Card>
  );
}
