import {
  Alert,
  Button,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { IconSearch, IconServer } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { MachineView, Page } from '../api/types.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { filterMachines, isSummaryFilter, SUMMARY_FILTERS, summaryOf, type SummaryFilter } from './machine-status.ts';
import { MachineTile } from './machine-tile.tsx';
import classes from './dashboard.module.css';

// The API pages by 500 at most; the first slice reads one page (virtualized paging for 1,000 machines is to come).
const PAGE = 500;

export function useMachines() {
  return useQuery({
    queryKey: ['machines'],
    queryFn: () => unwrap<Page<MachineView>>(api.GET('/api/v1/machines', { params: { query: { limit: PAGE } } })),
  });
}

/** The fleet: a summary bar whose counts filter, text/tag filters, a tile per machine. Filters live in the URL. */
export function DashboardPage() {
  const { t } = usePreferences();
  const [params, setParams] = useSearchParams();
  const machines = useMachines();
  const text = params.get('q') ?? '';
  const tag = params.get('tag');
  const onlyParam = params.get('only');
  const only = isSummaryFilter(onlyParam) ? onlyParam : null;
  const all = useMemo(() => machines.data?.items ?? [], [machines.data]);
  const shown = useMemo(() => filterMachines(all, { text, tag, only }), [all, text, tag, only]);
  const summary = useMemo(() => summaryOf(all), [all]);
  const tags = useMemo(() => [...new Set(all.flatMap((m) => m.tags))].sort(), [all]);
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        {t('dashboard.title')}
      </Title>
      <nav aria-label={t('summary.label')}>
        <Group gap="xs" className={classes.summary}>
          <SummaryCount
            label={t('summary.machines')}
            value={summary.machines}
            active={!only}
            onClick={() => set('only', null)}
          />
          {SUMMARY_FILTERS.map((f) => (
            <SummaryCount
              key={f}
              label={t(`summary.${f}`)}
              value={summary[f]}
              active={only === f}
              onClick={() => set('only', only === f ? null : f)}
              filter={f}
            />
          ))}
        </Group>
      </nav>
      <Group align="flex-end">
        <TextInput
          label={t('dashboard.search')}
          placeholder={t('dashboard.searchPlaceholder')}
          leftSection={<IconSearch size={16} aria-hidden />}
          value={text}
          onChange={(e) => set('q', e.currentTarget.value)}
        />
        <Select
          label={t('dashboard.tag')}
          placeholder={t('dashboard.allTags')}
          data={tags}
          value={tag}
          onChange={(v) => set('tag', v)}
          clearable
        />
      </Group>
      {machines.isPending && <Loader role="status" aria-label={t('common.loading')} />}
      {machines.error && <ErrorNotice error={machines.error} />}
      {machines.data && all.length === 0 && (
        <Alert icon={<IconServer aria-hidden />} title={t('dashboard.empty')} variant="light">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{t('dashboard.emptyNext')}</Text>
            <Button component={Link} to="/machines/new">
              {t('dashboard.addFirst')}
            </Button>
          </Stack>
        </Alert>
      )}
      {machines.data && all.length > 0 && shown.length === 0 && (
        <Group>
          <Text>{t('dashboard.noMatch')}</Text>
          <Button variant="light" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            {t('dashboard.clearFilters')}
          </Button>
        </Group>
      )}
      <SimpleGrid
        cols={{ base: 1, sm: 2, lg: 3, xl: 4 }}
        spacing="md"
        component="section"
        aria-label={t('dashboard.title')}
      >
        {shown.map((m) => (
          <MachineTile key={m.id} machine={m} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function SummaryCount(props: {
  label: string;
  value: number;
  active: boolean;
  onClick: () => void;
  filter?: SummaryFilter;
}) {
  return (
    <UnstyledButton
      className={classes.count}
      data-active={props.active || undefined}
      aria-pressed={props.active}
      onClick={props.onClick}
      data-testid={`summary-${props.filter ?? 'machines'}`}
    >
      <Text fw={700} size="lg" component="span">
        {props.value}
      </Text>{' '}
      <Text size="sm" component="span">
        {props.label}
      </Text>
    </UnstyledButton>
  );
}
