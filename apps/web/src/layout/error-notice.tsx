import { Alert, List } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { ApiError } from '../api/client.ts';
import { useT } from '../preferences/preferences.tsx';

/** The API's message and error kind (never a stack); network failures in the UI's own words. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  const t = useT();
  const api = error instanceof ApiError ? error : null;
  const message = !api || api.status === 0 ? t('error.network') : api.detail;
  return (
    <Alert
      color="red"
      variant="light"
      title={title ?? t('error.title')}
      icon={<IconAlertCircle aria-hidden />}
      role="alert"
    >
      {message}
      {api?.reason && <div>{t('error.kind', { kind: api.reason })}</div>}
      {api && api.errors.length > 0 && (
        <List size="sm">
          {api.errors.map((f) => (
            <List.Item key={f.field}>
              {f.field}: {f.reasons.join('; ')}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
