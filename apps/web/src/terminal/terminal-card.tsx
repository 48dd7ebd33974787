import { Alert, Button, Card, Group, Loader, Text, Title } from '@mantine/core';
import { IconTerminal2 } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { usePreferences } from '../preferences/preferences.tsx';
import { useMe } from '../session/session.ts';
import type { TerminalSettings } from '@su/contracts';

// xterm.js loads when a terminal is opened, never with the dashboard or the machine page.
const TerminalView = lazy(() => import('./terminal-view.tsx'));

/** The machine page's terminal: shown when the feature is on and the caller may open one (admin or `terminal`). */
export function TerminalCard({ machineId }: { machineId: string }) {
  const { t } = usePreferences();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const settings = useQuery({
    queryKey: ['settings', 'terminal'],
    queryFn: () => unwrap<TerminalSettings>(api.GET('/api/v1/settings/terminal')),
  });
  const scopes = me.data?.scopes ?? [];
  const allowed = scopes.includes('admin') || scopes.includes('terminal');
  if (!allowed || !settings.data?.enabled) return null;
  return (
    <Card withBorder component="section" aria-labelledby="terminal-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="terminal-title">
          {t('terminal.title')}
        </Title>
        {!open && (
          <Button leftSection={<IconTerminal2 size={16} aria-hidden />} onClick={() => setOpen(true)}>
            {t('terminal.open')}
          </Button>
        )}
      </Group>
      {settings.data.logInput && (
        <Alert color="yellow" variant="light" mb="xs">
          <Text size="sm">{t('terminal.loggingNotice')}</Text>
        </Alert>
      )}
      {open && (
        <Suspense fallback={<Loader aria-label={t('common.loading')} />}>
          <TerminalView machineId={machineId} onClosed={() => setOpen(false)} />
        </Suspense>
      )}
    </Card>
  );
}
