import {
  Alert,
  Badge,
  Button,
  Checkbox,
  CopyButton,
  Code,
  Group,
  Loader,
  Radio,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconCheck, IconCopy, IconKey } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Scope } from '@su/contracts';
import { api, unwrap } from '../api/client.ts';
import type { ApiClientView } from '../api/admin-types.ts';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { ConfirmButton } from '../layout/confirm-button.tsx';

const SCOPE_CHOICES: Scope[] = ['read', 'operate', 'admin', 'metrics:read', 'terminal'];

/** API tokens for scripts: create (scopes, optional machine scope), the token shown once, revoke. Admins only. */
export function ApiClientsPanel() {
  const { t } = usePreferences();
  const clients = useQuery({
    queryKey: ['api-clients'],
    queryFn: () => unwrap<ApiClientView[]>(api.GET('/api/v1/api-clients')),
  });
  const active = clients.data?.filter((c) => c.status === 'active') ?? [];
  return (
    <Stack>
      <CreateClientForm />
      <Title order={2} size="h4">
        {t('apiClients.list')}
      </Title>
      {clients.isPending && <Loader aria-label={t('common.loading')} />}
      {clients.error && <ErrorNotice error={clients.error} />}
      {clients.data && active.length === 0 && (
        <Alert variant="light" icon={<IconKey aria-hidden />} title={t('apiClients.empty')}>
          {t('apiClients.emptyNext')}
        </Alert>
      )}
      {active.length > 0 && (
        <ScrollRegion label={t('apiClients.list')} minWidth={560}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('apiClients.label')}</Table.Th>
                <Table.Th>{t('apiClients.scopes')}</Table.Th>
                <Table.Th>{t('apiClients.machineScope')}</Table.Th>
                <Table.Th>{t('apiClients.lastSeen')}</Table.Th>
                <Table.Th>{t('jobs.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {active.map((c) => (
                <ClientRow key={c.id} client={c} />
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Stack>
  );
}

function ClientRow({ client: c }: { client: ApiClientView }) {
  const { t, prefs } = usePreferences();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/api-clients/{id}', { params: { path: { id: c.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-clients'] }),
  });
  const scope = c.machineScope
    ? [...(c.machineScope.tags ?? []).map((x) => `#${x}`), ...(c.machineScope.machineIds ?? [])].join(', ')
    : t('apiClients.everyMachine');
  return (
    <Table.Tr data-testid="api-client" data-client-id={c.id}>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>
        {c.label} <Code>{c.tokenPrefix}…</Code>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {c.scopes.map((s) => (
            <Badge key={s} variant="light">
              {t(`scope.${s}`)}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{scope}</Table.Td>
      <Table.Td>{c.lastSeenAt ? new Date(c.lastSeenAt).toLocaleString(prefs.language) : t('machine.never')}</Table.Td>
      <Table.Td>
        <ConfirmButton
          label={t('apiClients.revoke')}
          confirmLabel={t('apiClients.confirmRevoke')}
          onConfirm={() => revoke.mutate()}
          loading={revoke.isPending}
        />
        {revoke.error && <ErrorNotice error={revoke.error} />}
      </Table.Td>
    </Table.Tr>
  );
}

function CreateClientForm() {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [limit, setLimit] = useState(false);
  const [tags, setTags] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      unwrap<ApiClientView & { token: string }>(
        api.POST('/api/v1/api-clients', {
          body: { label, clientKind: 'script', scopes: [scope], ...(limit ? { machineScope: { tags } } : {}) },
        }),
      ),
    onSuccess: () => {
      setLabel('');
      void queryClient.invalidateQueries({ queryKey: ['api-clients'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Stack component="form" onSubmit={submit} aria-labelledby="new-client-title" gap="sm" maw={640}>
      <Title order={2} size="h4" id="new-client-title">
        {t('apiClients.create')}
      </Title>
      <TextInput
        label={t('apiClients.label')}
        value={label}
        onChange={(e) => setLabel(e.currentTarget.value)}
        required
      />
      <Radio.Group label={t('apiClients.scopes')} value={scope} onChange={(v) => setScope(v as Scope)}>
        <Group mt={4}>
          {SCOPE_CHOICES.map((s) => (
            <Radio key={s} value={s} label={t(`scope.${s}`)} />
          ))}
        </Group>
      </Radio.Group>
      <Checkbox label={t('apiClients.limit')} checked={limit} onChange={(e) => setLimit(e.currentTarget.checked)} />
      {limit && (
        <TagsInput
          label={t('apiClients.limitTags')}
          description={t('apiClients.limitTagsHint')}
          value={tags}
          onChange={setTags}
        />
      )}
      <Group>
        <Button type="submit" loading={create.isPending} leftSection={<IconKey size={16} aria-hidden />}>
          {t('apiClients.createSubmit')}
        </Button>
      </Group>
      {create.error && <ErrorNotice error={create.error} />}
      {create.data && <TokenOnce token={create.data.token} />}
    </Stack>
  );
}

/** The new token, in this answer only: the server keeps its hash. */
function TokenOnce({ token }: { token: string }) {
  const { t } = usePreferences();
  return (
    <Alert color="teal" variant="light" title={t('apiClients.tokenTitle')} data-testid="new-token" role="status">
      <Stack gap="xs">
        <Text size="sm">{t('apiClients.tokenOnce')}</Text>
        <Code block data-testid="token-value" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
          {token}
        </Code>
        <CopyButton value={token}>
          {({ copied, copy }) => (
            <Button
              variant="light"
              size="xs"
              onClick={copy}
              leftSection={copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
              w="fit-content"
            >
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          )}
        </CopyButton>
      </Stack>
    </Alert>
  );
}
