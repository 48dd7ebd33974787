import {
  ActionIcon,
  Anchor,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  Loader,
  NavLink,
  Stack,
  Title,
} from '@mantine/core';
import { Suspense } from 'react';
import { useDisclosure } from '@mantine/hooks';
import {
  IconCalendarTime,
  IconChecks,
  IconKey,
  IconLayoutDashboard,
  IconListCheck,
  IconNetwork,
  IconLogout,
  IconPlugConnected,
  IconPackages,
  IconPlugConnectedX,
  IconServerBolt,
  IconSettings,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { useLiveEvents } from '../live/event-stream.ts';
import { useMe } from '../session/session.ts';
import { useT } from '../preferences/preferences.tsx';
import { DensitySwitch, LanguageSwitch, ThemeSwitch } from './preference-controls.tsx';

/** The signed-in frame: header, navigation, preferences, and the one live connection. */
export function AppLayout({ mustChangePassword }: { mustChangePassword: boolean }) {
  const t = useT();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const live = useLiveEvents(!mustChangePassword);
  const isAdmin = useMe().data?.scopes.includes('admin') === true;
  const logout = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      queryClient.clear();
      navigate('/login', { replace: true });
    },
  });
  const links = [
    { to: '/', label: t('nav.dashboard'), icon: IconLayoutDashboard },
    { to: '/updates', label: t('nav.updates'), icon: IconPackages },
    { to: '/machines/new', label: t('nav.addMachine'), icon: IconServerBolt },
    { to: '/approvals', label: t('nav.approvals'), icon: IconChecks },
    { to: '/jobs', label: t('nav.jobs'), icon: IconListCheck },
    { to: '/schedules', label: t('nav.schedules'), icon: IconCalendarTime },
    ...(isAdmin ? [{ to: '/discovery', label: t('nav.discovery'), icon: IconNetwork }] : []),
    { to: '/settings', label: t('nav.settings'), icon: IconSettings },
    { to: '/password', label: t('nav.password'), icon: IconKey },
  ];
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Anchor href="#main" className="skip-link">
              {t('app.skipToContent')}
            </Anchor>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.main')} />
            <Title order={2} size="h4" style={{ whiteSpace: 'nowrap' }}>
              {t('app.title')}
            </Title>
          </Group>
          <Group wrap="nowrap" gap="xs">
            <Badge
              variant="light"
              color={live ? 'teal' : 'gray'}
              leftSection={
                live ? <IconPlugConnected size={14} aria-hidden /> : <IconPlugConnectedX size={14} aria-hidden />
              }
              data-testid="live-status"
              style={{ flexShrink: 0 }}
            >
              {live ? t('dashboard.live') : t('dashboard.offline')}
            </Badge>
            <Button
              variant="subtle"
              size="xs"
              visibleFrom="sm"
              leftSection={<IconLogout size={16} aria-hidden />}
              onClick={() => logout.mutate()}
            >
              {t('nav.logout')}
            </Button>
            <ActionIcon variant="subtle" hiddenFrom="sm" aria-label={t('nav.logout')} onClick={() => logout.mutate()}>
              <IconLogout size={18} aria-hidden />
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.main')} component="nav">
        <Stack justify="space-between" h="100%">
          <Stack gap={2}>
            {links.map((l) => (
              <NavLink
                key={l.to}
                component={Link}
                to={l.to}
                label={l.label}
                leftSection={<l.icon size={18} aria-hidden />}
                active={l.to === '/' ? location.pathname === '/' : location.pathname.startsWith(l.to)}
                onClick={close}
              />
            ))}
          </Stack>
          <Stack gap="xs">
            <LanguageSwitch />
            <ThemeSwitch />
            <DensitySwitch />
          </Stack>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main id="main">
        <Suspense fallback={<Loader role="status" aria-label={t('common.loading')} />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
