import { Anchor, Button, Group, Stack, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { DensitySwitch, LanguageSwitch, ThemeSwitch } from '../layout/preference-controls.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { useMe } from '../session/session.ts';
import { ApiClientsPanel } from './api-clients.panel.tsx';
import { HostKeyPolicyPanel } from './host-key-policy.panel.tsx';
import { SecondFactorPanel } from './second-factor.panel.tsx';
import { SessionsPanel } from './sessions.panel.tsx';
import { UsersPanel } from './users.panel.tsx';
import { TerminalSettingsPanel } from '../terminal/terminal-settings.panel.tsx';

const SECTIONS = ['account', 'users', 'api-clients', 'host-keys', 'terminal', 'appearance'] as const;
const ADMIN_SECTIONS: readonly Section[] = ['users', 'api-clients', 'terminal'];
type Section = (typeof SECTIONS)[number];

/**
 * Settings, one section at a time (named in the URL). The sections are links, so Tab and Enter reach each one;
 * users and API clients only for admins.
 */
export function SettingsPage() {
  const { t } = usePreferences();
  const me = useMe();
  const [params] = useSearchParams();
  const isAdmin = me.data?.scopes.includes('admin') ?? false;
  const sections = SECTIONS.filter((x) => isAdmin || !ADMIN_SECTIONS.includes(x));
  const asked = params.get('tab') as Section | null;
  const section: Section = asked && sections.includes(asked) ? asked : 'account';
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('settings.title')}
      </Title>
      <nav aria-label={t('settings.sections')}>
        <Group gap="xs">
          {sections.map((x) => (
            <Button
              key={x}
              component={Link}
              to={`/settings?tab=${x}`}
              replace
              variant={x === section ? 'filled' : 'light'}
              aria-current={x === section ? 'page' : undefined}
              size="sm"
            >
              {t(`settings.tab.${x}`)}
            </Button>
          ))}
        </Group>
      </nav>
      <Stack component="section" aria-label={t(`settings.tab.${section}`)} data-testid="settings-section">
        <SectionBody section={section} isAdmin={isAdmin} />
      </Stack>
    </Stack>
  );
}

function SectionBody({ section, isAdmin }: { section: Section; isAdmin: boolean }) {
  const { t } = usePreferences();
  if (section === 'users') return <UsersPanel />;
  if (section === 'api-clients') return <ApiClientsPanel />;
  if (section === 'terminal') return <TerminalSettingsPanel />;
  if (section === 'host-keys') return <HostKeyPolicyPanel canEdit={isAdmin} />;
  if (section === 'appearance')
    return (
      <Stack maw={420}>
        <LanguageSwitch />
        <ThemeSwitch />
        <DensitySwitch />
      </Stack>
    );
  return (
    <Stack gap="xl">
      <Anchor component={Link} to="/password">
        {t('nav.password')}
      </Anchor>
      <SessionsPanel />
      <SecondFactorPanel />
    </Stack>
  );
}
