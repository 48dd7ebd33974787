import {
  Button,
  Checkbox,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { MachineAction } from '@su/contracts';
import { api, unwrap } from '../api/client.ts';
import type { ScheduleView } from '../api/admin-types.ts';
import { useMachines } from '../dashboard/use-machines.ts';
import { ConfirmButton } from '../layout/confirm-button.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { APPROVAL_POLICIES, bodyOf, formOf, SCHEDULE_ACTIONS, type ScheduleForm } from './schedule-form.ts';
import { SchedulePreviewCard } from './schedule-preview.tsx';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
// Browsers list IANA zones without the UTC alias, which is the API's default and many servers' zone.
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

/** Create or edit a schedule, with what it means beside the form (words, next runs, matched machines). */
export function ScheduleEditor({ schedule, canEdit = true }: { schedule?: ScheduleView; canEdit?: boolean }) {
  const { t } = usePreferences();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ScheduleForm>(() => formOf(schedule, BROWSER_ZONE));
  const set = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const machines = useMachines();
  const tags = useMemo(() => [...new Set(machines.data?.items.flatMap((m) => m.tags) ?? [])].sort(), [machines.data]);
  const save = useMutation({
    mutationFn: () =>
      schedule
        ? unwrap<ScheduleView>(
            api.PUT('/api/v1/schedules/{id}', { params: { path: { id: schedule.id } }, body: bodyOf(form) }),
          )
        : unwrap<ScheduleView>(api.POST('/api/v1/schedules', { body: bodyOf(form) })),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['schedules'] });
      if (!schedule) navigate(`/schedules/${saved.id}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/schedules/{id}', { params: { path: { id: schedule?.id ?? '' } } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['schedules'] });
      navigate('/schedules');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Stack>
      {!schedule && (
        <Title order={1} size="h2">
          {t('schedules.new')}
        </Title>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Stack component="form" onSubmit={submit} gap="sm" aria-label={t('schedules.form')}>
          <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, margin: 0 }}>
            <Stack gap="sm">
              <TextInput
                label={t('schedules.name')}
                value={form.name}
                onChange={(e) => set('name', e.currentTarget.value)}
                required
              />
              <Group align="flex-start" grow>
                <TextInput
                  label={t('schedules.cron')}
                  description={t('schedules.cronHint')}
                  value={form.cron}
                  onChange={(e) => set('cron', e.currentTarget.value)}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  required
                />
                <Select
                  label={t('schedules.timezone')}
                  data={ZONES.includes(form.timezone) ? ZONES : [form.timezone, ...ZONES]}
                  value={form.timezone}
                  onChange={(v) => v && set('timezone', v)}
                  searchable
                  allowDeselect={false}
                />
              </Group>
              <Checkbox
                label={t('schedules.scopeTags')}
                description={t('schedules.scopeHint')}
                checked={form.scopeKind === 'tags'}
                onChange={(e) => set('scopeKind', e.currentTarget.checked ? 'tags' : 'all')}
              />
              {form.scopeKind === 'tags' && (
                <TagsInput label={t('schedules.tags')} data={tags} value={form.tags} onChange={(v) => set('tags', v)} />
              )}
              <Checkbox.Group
                label={t('schedules.steps')}
                description={t('schedules.stepsHint')}
                value={form.actions}
                onChange={(v) => set('actions', v as MachineAction[])}
              >
                <SimpleGrid cols={{ base: 1, sm: 2 }} mt={4} spacing={6}>
                  {SCHEDULE_ACTIONS.map((a) => (
                    <Checkbox key={a} value={a} label={t(`action.${a}`)} />
                  ))}
                </SimpleGrid>
              </Checkbox.Group>
              <Group grow align="flex-start">
                <NumberInput
                  label={t('schedules.concurrency')}
                  description={t('schedules.concurrencyHint')}
                  min={1}
                  max={1000}
                  value={form.concurrency}
                  onChange={(v) => set('concurrency', typeof v === 'number' ? v : 1)}
                />
                <NumberInput
                  label={t('schedules.window')}
                  description={t('schedules.windowHint')}
                  min={1}
                  max={1440}
                  value={form.windowMinutes}
                  onChange={(v) => set('windowMinutes', typeof v === 'number' ? v : '')}
                />
              </Group>
              <Select
                label={t('schedules.approval')}
                data={APPROVAL_POLICIES.map((p) => ({ value: p, label: t(`schedules.approval.${p}`) }))}
                value={form.approvalPolicy}
                onChange={(v) => v && set('approvalPolicy', v as ScheduleForm['approvalPolicy'])}
                allowDeselect={false}
              />
              <Switch
                label={t('schedules.enabled')}
                checked={form.enabled}
                onChange={(e) => set('enabled', e.currentTarget.checked)}
              />
              {canEdit && (
                <Group>
                  <Button type="submit" loading={save.isPending}>
                    {schedule ? t('common.save') : t('schedules.create')}
                  </Button>
                  {schedule && (
                    <ConfirmButton
                      label={t('schedules.delete')}
                      confirmLabel={t('schedules.confirmDelete')}
                      onConfirm={() => remove.mutate()}
                      loading={remove.isPending}
                    />
                  )}
                </Group>
              )}
            </Stack>
          </fieldset>
          {save.isSuccess && schedule && <span role="status">{t('common.saved')}</span>}
          {save.error && <ErrorNotice error={save.error} />}
          {remove.error && <ErrorNotice error={remove.error} />}
        </Stack>
        <SchedulePreviewCard form={form} />
      </SimpleGrid>
    </Stack>
  );
}
