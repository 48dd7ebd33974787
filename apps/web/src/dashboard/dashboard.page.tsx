import { Alert, Button, Group, Loader, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconSearch, IconServer } from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { filterMachines, isSummaryFilter, SUMMARY_FILTERS, summaryOf, type SummaryFilter } from './machine-status.ts';
import { FleetChartsSlot } from './fleet-charts-slot.tsx';
import { MachineGrid } from './machine-grid.tsx';
import { isSort, sortMachines, SORTS } from './machine-sort.ts';
import { SelectionBar } from './selection-bar.tsx';
import { firstPageFits, useFleetForDashboard } from './use-machines.ts';
import classes from './dashboard.module.css';

export { useMachines } from './use-machines.ts';

// A Select keeps its closed list in the DOM by default, and floating-ui placed it (reading computed styles: a forced
// style recalculation) in the first paint; the filters' lists exist only while open (ADR 0041).
const LIST_WHEN_OPEN = { keepMounted: false } as const;

/**
 * The fleet: a summary bar whose counts filter, text/tag filters, a tile per machine. Filters live in the URL.
 * Unfiltered, worst first (the default) or by name, the first screen of tiles comes from the fleet's first page in that
 * order (the API sorts); until the whole fleet is here the counts other than the fleet's size show as pending and the
 * grid is marked busy.
 */
export function DashboardPage() {
  const { t } = usePreferences();
  const [params, setParams] = useSearchParams();
  const machines = useFleetForDashboard(firstPageFits(params));
  const complete = machines.complete;
  const text = params.get('q') ?? '';
  const tag = params.get('tag');
  const onlyParam = params.get('only');
  const only = isSummaryFilter(onlyParam) ? onlyParam : null;
  const sortParam = params.get('sort');
  const sort = isSort(sortParam) ? sortParam : 'status';
  const all = useMemo(() => machines.items ?? [], [machines.items]);
  const shown = useMemo(
    () => sortMachines(filterMachines(all, { text, tag, only }), sort),
    [all, text, tag, only, sort],
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const select = useCallback(
    (id: string, on: boolean) =>
      setSelected((prev) => {
        const next = new Set(prev);
        if (on) next.add(id);
        else next.delete(id);
        return next;
      }),
    [],
  );
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
            value={complete ? summary.machines : (machines.total ?? null)}
            active={!only}
            onClick={() => set('only', null)}
          />
          {SUMMARY_FILTERS.map((f) => (
            <SummaryCount
              key={f}
              label={t(`summary.${f}`)}
              value={complete ? summary[f] : null}
              active={only === f}
              onClick={() => set('only', only === f ? null : f)}
              filter={f}
            />
          ))}
        </Group>
      </nav>
      {complete && all.length > 0 && <FleetChartsSlot machines={all} />}
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
          comboboxProps={LIST_WHEN_OPEN}
        />
        <Select
          label={t('dashboard.sort')}
          data={SORTS.map((x) => ({ value: x, label: t(`dashboard.sort.${x}`) }))}
          value={sort}
          onChange={(v) => set('sort', v === 'status' ? null : v)}
          allowDeselect={false}
          w={200}
          comboboxProps={LIST_WHEN_OPEN}
        />
        {complete && shown.length > 0 && (
          <Button variant="default" onClick={() => setSelected(new Set(shown.map((m) => m.id)))}>
            {t('dashboard.selectShown', { count: shown.length })}
          </Button>
        )}
      </Group>
      {machines.isPending && <Loader role="status" aria-label={t('common.loading')} />}
      {machines.error && <ErrorNotice error={machines.error} />}
      {complete && all.length === 0 && (
        <Alert icon={<IconServer aria-hidden />} title={t('dashboard.empty')} variant="light">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{t('dashboard.emptyNext')}</Text>
            <Button component={Link} to="/machines/new">
              {t('dashboard.addFirst')}
            </Button>
          </Stack>
        </Alert>
      )}
      {complete && all.length > 0 && shown.length === 0 && (
        <Group>
          <Text>{t('dashboard.noMatch')}</Text>
          <Button variant="light" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            {t('dashboard.clearFilters')}
          </Button>
        </Group>
      )}
      <SelectionBar ids={[...selected]} onClear={() => setSelected(new Set())} />
      <MachineGrid
        machines={shown}
        label={t('dashboard.title')}
        selected={selected}
        onSelect={select}
        busy={!complete}
      />
    </Stack>
  );
}

/**
 * A count and its filter; a null count is not known yet (the whole fleet is still on its way). A plain button with the
 * module's classes: seven of them in the first paint, each was three Mantine components (ADR 0041).
 */
function SummaryCount(props: {
  label: string;
  value: number | null;
  active: boolean;
  onClick: () => void;
  filter?: SummaryFilter;
}) {
  return (
    <button
      type="button"
      className={classes.count}
      data-active={props.active || undefined}
      aria-pressed={props.active}
      onClick={props.onClick}
      data-testid={`summary-${props.filter ?? 'machines'}`}
    >
      <span className={classes.countValue}>{props.value ?? '…'}</span>{' '}
      <span className={classes.countLabel}>{props.label}</span>
    </button>
  );
}
