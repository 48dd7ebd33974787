import { Badge, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

interface ImportantMessage {
  id: string;
  severity: string;
  category: string;
  packageName: string | null;
  message: string;
  lastSeenAt: string;
}

/** Unacknowledged important messages (from package output); each rendered as text, never as markup. */
export function ImportantMessages({ machineId }: { machineId: string }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const key = ['machine', machineId, 'messages'];
  const messages = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap<ImportantMessage[]>(
        api.GET('/api/v1/machines/{id}/important-messages', { params: { path: { id: machineId } } }),
      ),
  });
  const ack = useMutation({
    mutationFn: (messageId: string) =>
      unwrap(
        api.POST('/api/v1/machines/{id}/important-messages/{messageId}/acknowledge', {
          params: { path: { id: machineId, messageId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="messages-title">
      <Title order={2} size="h4" id="messages-title" mb="xs">
        {t('machine.messages')}
      </Title>
      {messages.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {messages.error && <ErrorNotice error={messages.error} />}
      {ack.error && <ErrorNotice error={ack.error} />}
      {messages.data?.length === 0 && <Text c="dimmed">{t('machine.messagesEmpty')}</Text>}
      <Stack gap="xs">
        {messages.data?.map((m) => (
          <Group key={m.id} justify="space-between" wrap="nowrap" align="flex-start" data-testid="important-message">
            <Stack gap={2}>
              <Group gap={6}>
                <Badge color={m.severity === 'critical' || m.severity === 'error' ? 'red' : 'yellow'} variant="light">
                  {m.severity}
                </Badge>
                <Text size="sm" fw={500}>
                  {m.packageName ?? m.category}
                </Text>
              </Group>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {m.message}
              </Text>
            </Stack>
            <Button
              size="xs"
              variant="default"
              onClick={() => ack.mutate(m.id)}
              loading={ack.isPending && ack.variables === m.id}
            >
              {t('machine.acknowledge')}
            </Button>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
