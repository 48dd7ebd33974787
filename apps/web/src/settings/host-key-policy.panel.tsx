import { Loader, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

const POLICIES = ['trust_first_use', 'require_approval'] as const;
type Policy = (typeof POLICIES)[number];

/** How a machine's first host key is trusted: on first use (OpenSSH's accept-new) or only after a person approves. */
export function HostKeyPolicyPanel({ canEdit }: { canEdit: boolean }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const policy = useQuery({
    queryKey: ['host-key-policy'],
    queryFn: () => unwrap<{ policy: Policy }>(api.GET('/api/v1/settings/host-key-policy')),
  });
  const save = useMutation({
    mutationFn: (p: Policy) => unwrap(api.PUT('/api/v1/settings/host-key-policy', { body: { policy: p } })),
    onSuccess: (_, p) => queryClient.setQueryData(['host-key-policy'], { policy: p }),
  });
  return (
    <Stack component="section" aria-labelledby="hostkey-title">
      <Title order={2} size="h4" id="hostkey-title">
        {t('hostKeyPolicy.title')}
      </Title>
      {policy.isPending && <Loader aria-label={t('common.loading')} />}
      {policy.error && <ErrorNotice error={policy.error} />}
      {policy.data && (
        <Radio.Group
          value={policy.data.policy}
          onChange={(v) => save.mutate(v as Policy)}
          label={t('hostKeyPolicy.label')}
          readOnly={!canEdit}
        >
          <Stack mt="xs" gap="sm">
            {POLICIES.map((p) => (
              <Radio
                key={p}
                value={p}
                disabled={!canEdit}
                label={t(`hostKeyPolicy.${p}`)}
                description={t(`hostKeyPolicy.${p}.hint`)}
              />
            ))}
          </Stack>
        </Radio.Group>
      )}
      {save.isSuccess && (
        <Text size="sm" role="status">
          {t('common.saved')}
        </Text>
      )}
      {save.error && <ErrorNotice error={save.error} />}
    </Stack>
  );
}
