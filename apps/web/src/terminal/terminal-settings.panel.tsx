import { Button, Checkbox, Group, Loader, NumberInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { TerminalSessionsPanel } from './terminal-sessions.panel.tsx';
import type { TerminalSettings } from '@su/contracts';

/** Admins: the web terminal on or off, its limits and input logging (ADR 0043), then the recorded sessions. */
export function TerminalSettingsPanel() {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: ['settings', 'terminal'],
    queryFn: () => unwrap<TerminalSettings>(api.GET('/api/v1/settings/terminal')),
  });
  // The form starts from the stored settings; edits stay local until saved.
  const [edited, setDraft] = useState<TerminalSettings | null>(null);
  const draft = edited ?? settings.data ?? null;
  const save = useMutation({
    mutationFn: (s: TerminalSettings) => unwrap<TerminalSettings>(api.PUT('/api/v1/settings/terminal', { body: s })),
    onSuccess: (s) => queryClient.setQueryData(['settings', 'terminal'], s),
  });
  return (
    <Stack gap="xl">
      <Stack component="section" aria-labelledby="terminal-settings-title" maw={520}>
        <Title order={2} size="h4" id="terminal-settings-title">
          {t('terminalSettings.title')}
        </Title>
        {settings.isPending && <Loader aria-label={t('common.loading')} />}
        {settings.error && <ErrorNotice error={settings.error} />}
        {draft && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(draft);
            }}
          >
            <Stack>
              <Checkbox
                label={t('terminalSettings.enabled')}
                description={t('terminalSettings.enabled.hint')}
                checked={draft.enabled}
                onChange={(e) => setDraft({ ...draft, enabled: e.currentTarget.checked })}
              />
              <Checkbox
                label={t('terminalSettings.logInput')}
                description={t('terminalSettings.logInput.hint')}
                checked={draft.logInput}
                onChange={(e) => setDraft({ ...draft, logInput: e.currentTarget.checked })}
              />
              <NumberInput
                label={t('terminalSettings.idle')}
                min={10}
                max={86400}
                value={draft.idleTimeoutSeconds}
                onChange={(v) => setDraft({ ...draft, idleTimeoutSeconds: Number(v) })}
              />
              <NumberInput
                label={t('terminalSettings.max')}
                min={10}
                max={86400}
                value={draft.maxDurationSeconds}
                onChange={(v) => setDraft({ ...draft, maxDurationSeconds: Number(v) })}
              />
              <Group>
                <Button type="submit" loading={save.isPending}>
                  {t('terminalSettings.save')}
                </Button>
                {save.isSuccess && (
                  <Text size="sm" role="status">
                    {t('terminalSettings.saved')}
                  </Text>
                )}
              </Group>
              {save.error && <ErrorNotice error={save.error} />}
            </Stack>
          </form>
        )}
      </Stack>
      <TerminalSessionsPanel />
    </Stack>
  );
}
