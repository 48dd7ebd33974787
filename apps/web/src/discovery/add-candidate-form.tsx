import { Button, Code, Group, Modal, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../api/client.ts';
import type { DiscoveryCandidateView } from '../api/admin-types.ts';
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

/**
 * Adds a candidate as a machine in one step: the address, port and host key are the scan's (the key shown here is
 * the one trusted), the name, user and credentials the admin's. Credentials are write-only and forgotten once sent.
 */
export function AddCandidateForm({
  scanId,
  candidate,
  onClose,
}: {
  scanId: string;
  candidate: DiscoveryCandidateView;
  onClose: () => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [name, setName] = useState(candidate.reverseDns?.split('.')[0] ?? candidate.host);
  const [username, setUsername] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const [creds, setCreds] = useState<CredentialsInput>(EMPTY_CREDENTIALS);
  const add = useMutation({
    mutationFn: () =>
      unwrap<MachineView>(
        api.POST('/api/v1/discovery/scans/{id}/candidates/{candidateId}/machine', {
          params: { path: { id: scanId, candidateId: candidate.id } },
          body: { name: name.trim(), username, tags, credentials: credentialsBody(creds) },
        }),
      ),
    onSuccess: () => {
      setCreds(EMPTY_CREDENTIALS);
      void queryClient.invalidateQueries({ queryKey: ['discovery'] });
      void queryClient.invalidateQueries({ queryKey: ['machines'] });
      onClose();
    },
  });
  const errors = fieldErrorsOf(add.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={t('discovery.addTitle', { host: `${candidate.host}:${candidate.port}` })} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">{t('discovery.addKey')}</Text>
          <Code block>{`${candidate.keyType ?? ''} ${candidate.hostKeyFingerprint ?? ''}`}</Code>
          {add.error && !(add.error instanceof ApiError && add.error.errors.length) && <ErrorNotice error={add.error} />}
          <TextInput
            label={t('add.name')}
            required
            maxLength={100}
            value={name}
            error={errors['name']}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput
            label={t('add.username')}
            required
            spellCheck={false}
            autoComplete="off"
            value={username}
            error={errors['username']}
            onChange={(e) => setUsername(e.currentTarget.value.trim())}
          />
          <TagsInput label={t('add.tags')} value={tags} error={errors['tags']} onChange={setTags} />
          <CredentialsFields value={creds} onChange={setCreds} errors={errors} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('discovery.cancel')}
            </Button>
            <Button type="submit" loading={add.isPending}>
              {t('discovery.addSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
