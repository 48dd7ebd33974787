import { Button, Card, Group, NumberInput, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../api/client.ts';
import type { MachineView } from '../api/types.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { fieldErrorsOf } from '../layout/field-errors.ts';
import {
  credentialsBody,
  CredentialsFields,
  EMPTY_CREDENTIALS,
  type CredentialsInput,
} from '../machine/credentials-fields.tsx';
import { useT } from '../preferences/preferences.tsx';
import { ConnectionCheck } from './connection-check.tsx';

interface MachineForm {
  name: string;
  hostname: string;
  port: number;
  username: string;
  tags: string[];
}

const EMPTY: MachineForm = { name: '', hostname: '', port: 22, username: '', tags: [] };

/**
 * Add a machine: the form (the API's own per-field errors under each field), then the connection test step by step,
 * then the probe fills the machine's tile live. Credentials are write-only: once sent, the form forgets them.
 */
export function AddMachinePage() {
  const [created, setCreated] = useState<MachineView | null>(null);
  return created ? <ConnectionCheck machine={created} /> : <MachineFormCard onCreated={setCreated} />;
}

function MachineFormCard({ onCreated }: { onCreated: (m: MachineView) => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<MachineForm>(EMPTY);
  const [creds, setCreds] = useState<CredentialsInput>(EMPTY_CREDENTIALS);
  const create = useMutation({
    mutationFn: () =>
      unwrap<MachineView>(
        api.POST('/api/v1/machines', {
          body: { ...form, name: form.name.trim(), credentials: credentialsBody(creds) },
        }),
      ),
    onSuccess: (m) => {
      setCreds(EMPTY_CREDENTIALS);
      void queryClient.invalidateQueries({ queryKey: ['machines'] });
      onCreated(m);
    },
  });
  const errors = fieldErrorsOf(create.error);
  const fieldProblem = create.error instanceof ApiError && create.error.errors.length > 0;
  const set = (patch: Partial<MachineForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder maw={640} mx="auto" component="section" aria-labelledby="add-machine-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} size="h2" id="add-machine-title">
            {t('add.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('add.intro')}
          </Text>
          {create.error &&
            (fieldProblem ? (
              <Text role="alert" c="red.8" size="sm">
                {t('add.fixFields')}
              </Text>
            ) : (
              <ErrorNotice error={create.error} />
            ))}
          <TextInput
            label={t('add.name')}
            required
            maxLength={100}
            value={form.name}
            error={errors['name']}
            onChange={(e) => set({ name: e.currentTarget.value })}
          />
          <Group align="flex-start" wrap="wrap">
            <TextInput
              label={t('add.hostname')}
              description={t('add.hostnameHint')}
              required
              spellCheck={false}
              style={{ flex: '1 1 240px' }}
              value={form.hostname}
              error={errors['hostname']}
              onChange={(e) => set({ hostname: e.currentTarget.value.trim() })}
            />
            <NumberInput
              label={t('add.port')}
              min={1}
              max={65535}
              allowDecimal={false}
              value={form.port}
              error={errors['port']}
              onChange={(v) => set({ port: typeof v === 'number' ? v : Number(v) || 0 })}
              w={140}
            />
          </Group>
          <TextInput
            label={t('add.username')}
            required
            spellCheck={false}
            autoComplete="off"
            value={form.username}
            error={errors['username']}
            onChange={(e) => set({ username: e.currentTarget.value.trim() })}
          />
          <TagsInput
            label={t('add.tags')}
            description={t('add.tagsHint')}
            value={form.tags}
            error={errors['tags']}
            onChange={(tags) => set({ tags })}
          />
          <Title order={2} size="h4">
            {t('add.credentials')}
          </Title>
          <CredentialsFields value={creds} onChange={setCreds} errors={errors} />
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending}>
              {t('add.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
